"""A throwaway PostgreSQL server of its own, to load, stop and start (``make load`` and the
database-down test). As root, its programs run as the ``postgres`` user, since
PostgreSQL refuses to run as root."""

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin(name: str) -> str:
    """The newest installed PostgreSQL's program ``name`` (Debian keeps them off PATH)."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)),
    )
    return found[-1] if found else (shutil.which(name) or name)


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``url`` to connect to; ``stop()``, ``start()`` and ``remove()``."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="intranet-pg-"))
        if os.geteuid() == 0:
            self.base.chmod(0o755)
            shutil.chown(self.base, "postgres")
        self.data, self.port = self.base / "data", _free_port()
        subprocess.run(
            _as_owner([pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _ctl(self, *arguments: str) -> None:
        command = [pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.base / "log")]
        subprocess.run(_as_owner([*command, *arguments]), check=True, capture_output=True)

    def start(self) -> None:
        """Start the server (again), and wait until it answers."""
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
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
