"""``make load``: gunicorn with two workers and locust driving 50 logged-in people through
a day's mix of pages and writes, at scale 100 on SQLite.

Half-way through, one worker is killed with SIGKILL. Afterwards every write that was
answered 2xx must be in the database, and SQLite's integrity check must say ok. Prints
requests per second, the 50th/95th/99th percentile latency, the error count and the
workers' peak memory, and writes them to ``benchmarks/results/load.md``.

``LOAD_SECONDS`` and ``LOAD_USERS`` shorten the run (the test suite runs a few seconds).
"""

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("LOAD_PORT", "8765"))
BENCH = ROOT / "instance" / "bench"


def _database(scale: int, work: Path) -> Path:
    """A copy of the benchmark's database at ``scale`` (built once), to write to."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from pages import _app

    _app(scale)
    copy = work / "load.sqlite3"
    shutil.copy(BENCH / f"scale-{scale}.sqlite3", copy)
    return copy


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url}")


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _check_writes(database: Path, writes: Path) -> tuple[int, list[str]]:
    """How many answered writes were recorded, and those not found in the database."""
    from intranet import create_app
    from intranet.models import Activity, Checkpoint, Payment

    create_app({"SECRET_KEY": "load", "DATABASE_URL": f"sqlite:///{database}"})
    missing, total = [], 0
    lines = writes.read_text().splitlines() if writes.exists() else []
    for line in lines:
        kind, key = line.split("\t")
        total += 1
        if kind == "payment":
            found = Payment.select().where(Payment.request_key == key).exists()
        elif kind == "activity":
            found = Activity.select().where(Activity.summary == key).exists()
        else:
            found = (
                Checkpoint.select()
                .where((Checkpoint.charge == int(key)) & (Checkpoint.kind == "home_visit"))
                .exists()
            )
        if not found:
            missing.append(line)
    return total, missing


def run(
    scale: int = 100, seconds: int = 60, users: int = 50, kill: bool = True, port: int = PORT
) -> dict:
    """Serve ``scale``'s demo with gunicorn, load it for ``seconds`` and check the outcome."""
    import sqlite3

    work = BENCH / f"load-{scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database = _database(scale, work)
    writes = work / "writes.tsv"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "load",
        "INTRANET_TRUSTED_HOSTS": "127.0.0.1",
        "LOAD_WRITES": str(writes),
        "LOAD_UNITS": str(scale),
    }
    log = open(work / "gunicorn.log", "w")  # closed when the server has stopped
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    peaks: dict = {}
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz")
        killed = []

        def watch():
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                for pid in _workers(server.pid):
                    peaks[pid] = max(peaks.get(pid, 0), _peak_kib(pid))
                if kill and not killed and time.monotonic() > deadline - seconds / 2:
                    victims = _workers(server.pid)
                    if victims:
                        os.kill(victims[0], signal.SIGKILL)
                        killed.append(victims[0])
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 5)),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        watcher.join(timeout=5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    with open(work / "locust_stats.csv") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    # A request in flight in the killed worker loses its connection: that is the fault
    # injected, not an error of the application.
    with open(work / "locust_failures.csv") as handle:
        cut = sum(
            int(row["Occurrences"])
            for row in csv.DictReader(handle)
            if "RemoteDisconnected" in row["Error"] or "ConnectionReset" in row["Error"]
        )
    written, missing = _check_writes(database, writes)
    with sqlite3.connect(database) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return {
        "users": users,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]) - (cut if kill else 0),
        "cut_by_the_kill": cut if kill else 0,
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "worker_killed": bool(kill),
        "writes_answered": written,
        "writes_missing": missing,
        "integrity": integrity,
        "peak_worker_mib": round(max(peaks.values(), default=0) / 1024, 1),
    }


def main() -> None:
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    users = int(os.environ.get("LOAD_USERS", "50"))
    scale = int(os.environ.get("LOAD_SCALE", "100"))
    result = run(scale, seconds, users)
    table = (
        f"Scale {scale} on SQLite, gunicorn with 2 workers, {users} locust users for "
        f"{seconds} s, one worker killed with SIGKILL half-way ({time.strftime('%Y-%m-%d')}).\n\n"
        "| requests | req/s | p50 ms | p95 ms | p99 ms | errors | cut by the kill "
        "| writes answered 2xx | of them missing | integrity | peak worker MiB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {result['requests']} | {result['rps']:.1f} | {result['p50_ms']:.0f} | "
        f"{result['p95_ms']:.0f} | {result['p99_ms']:.0f} | {result['errors']} | "
        f"{result['cut_by_the_kill']} | "
        f"{result['writes_answered']} | {len(result['writes_missing'])} | "
        f"{result['integrity']} | {result['peak_worker_mib']} |\n"
    )
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "load.md").write_text(table)
    print(table)
    if result["errors"] or result["writes_missing"] or result["integrity"] != "ok":
        raise SystemExit(1)


if __name__ == "__main__":
    main()
