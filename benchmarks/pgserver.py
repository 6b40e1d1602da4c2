"""A throwaway PostgreSQL server of its own, to load, stop and start (``make load`` and the
database-down test). As root, its programs run as the ``postgres`` user, since
PostgreSQL refuses to run as root."""

import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ports import free_port


def pg_bin(name: str) -> str:
    """The newest installed PostgreSQL's program ``name`` (Debian keeps them off PATH)."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)),
    )
    return found[-1] if found else (shutil.which(name) or name)


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Server:
    """``url`` to connect to; ``stop()``, ``start()`` and ``remove()``.

    ``options`` are the server's settings (``-c name=value``) beyond the port and address;
    ``prefix`` goes before the programs that start it (``taskset -c 1`` keeps it on a core).
    """

    def __init__(self, options: str = "-c fsync=off", prefix: list[str] | None = None):
        self.base = Path(tempfile.mkdtemp(prefix="intranet-pg-"))
        if os.geteuid() == 0:
            self.base.chmod(0o755)
            shutil.chown(self.base, "postgres")
        self.data, self.options, self.prefix = self.base / "data", options, prefix or []
        initdb = [pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
        subprocess.run(
            _as_owner([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"]),
            check=True,
            capture_output=True,
        )
        self._first_start()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _first_start(self, tries: int = 5) -> None:
        """Start on a free port. A port found free can be taken by another process before
        the server binds it; then the server says so in its log, and another port is tried."""
        for _ in range(tries):
            self.port = free_port()
            try:
                self.start()
                return
            except subprocess.CalledProcessError:
                log = (self.base / "log").read_text(errors="replace")
                if "could not bind" not in log and "already in use" not in log:
                    raise
                (self.base / "log").unlink()
        raise RuntimeError(f"PostgreSQL found no free port in {tries} tries")

    def _ctl(self, *arguments: str) -> None:
        command = [pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.base / "log")]
        subprocess.run(
            [*self.prefix, *_as_owner([*command, *arguments])], check=True, capture_output=True
        )

    def start(self) -> None:
        """Start the server (again, on the same port), and wait until it answers."""
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 {self.options}"
        self._ctl("-o", options, "start")

    def stop(self) -> None:
        """Stop the server at once, as a crash or an operator would."""
        self._ctl("-m", "fast", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its files."""
        subprocess.run(
            _as_owner([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.base, ignore_errors=True)
