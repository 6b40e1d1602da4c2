"""``make load``: gunicorn with two workers and locust driving 50 logged-in people through
a day's mix of pages and writes, at scale 100, on SQLite and then on PostgreSQL.

Half-way through one worker is killed with SIGKILL, and on PostgreSQL the database is
stopped for a few seconds at two thirds. Afterwards every write that was answered 2xx
must be in the database (and SQLite's integrity check must say ok), and the health check
must have said 503 while PostgreSQL was down and 200 after. Prints requests per second,
the 50th/95th/99th percentile latency, the errors and the workers' peak memory, and
writes them to ``benchmarks/results/load.md``.

``LOAD_SECONDS``, ``LOAD_USERS``, ``LOAD_SCALE`` and ``LOAD_DATABASES`` shorten the run.
"""

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("LOAD_PORT", "8765"))
BENCH = ROOT / "instance" / "bench"
sys.path.insert(0, str(ROOT / "benchmarks"))

from ports import listening_socket  # noqa: E402


def _database(scale: int, work: Path) -> Path:
    """A copy of the benchmark's database at ``scale`` (built once), to write to."""
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


def _load_into(url: str, scale: int) -> None:
    """The demo at ``scale`` into an empty database at ``url``."""
    from intranet import backup, create_app
    from intranet.demo import load_demo
    from intranet.extensions import db
    from intranet.migrate import upgrade

    app = create_app({"SECRET_KEY": "load", "DATABASE_URL": url})
    with app.app_context():
        db.connect(reuse_if_open=True)
        upgrade()
        load_demo(scale)
        db.close()
    db.obj.close_all()
    # The planner's statistics, as after a restore (``backup._analyze``) or once the
    # server's autovacuum has come by: without them a freshly loaded database is served
    # with plans that read whole tables for each row shown.
    backup._analyze(url)


def _check_writes(url: str, writes: Path) -> tuple[int, list[str]]:
    """How many answered writes were recorded, and those not found in the database."""
    from intranet import create_app
    from intranet.extensions import db
    from intranet.models import Activity, Checkpoint, Payment

    create_app({"SECRET_KEY": "load", "DATABASE_URL": url})
    db.connect(reuse_if_open=True)
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
    db.close()
    return total, missing


def run(
    scale: int = 100,
    seconds: int = 60,
    users: int = 50,
    kill: bool = True,
    port: int = PORT,
    postgres: bool = False,
    work: Path | None = None,
    spawn_rate: int | None = None,
    pin: bool = False,
) -> dict:
    """Serve ``scale``'s demo with gunicorn, load it for ``seconds`` and check the outcome.

    Half-way a worker is killed; on PostgreSQL the database is also stopped for a few
    seconds at two thirds, and the health check must say 503 then and 200 after. ``port``
    0 serves on a free port; ``work`` is the folder for the run's files (by default one
    under ``instance/bench/``, emptied first). ``pin`` runs locust on the first core and the
    server with its database on the second (``taskset``), so that the load does not take
    the server's time."""
    if work is None:
        work = BENCH / f"load-{scale}-{'postgres' if postgres else 'sqlite'}"
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    pg = None
    if postgres:
        from pgserver import Server

        pg = Server(prefix=_core(SERVER_CORE) if pin else [])
        url = pg.url
        started = time.perf_counter()
        _load_into(url, scale)
        print(f"scale {scale} into PostgreSQL in {time.perf_counter() - started:.0f} s")
    else:
        url = f"sqlite:///{_database(scale, work)}"
    writes = work / "writes.tsv"
    env = {
        "LOAD_TIMES": str(work / "times.tsv"),
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "load",
        "INTRANET_TRUSTED_HOSTS": "127.0.0.1",
        "LOAD_WRITES": str(writes),
        "LOAD_UNITS": str(scale),
        # The demo's managers have no authenticator app; the load is on the pages.
        "INTRANET_TWO_FACTOR_ROLES": "",
    }
    # gunicorn inherits a socket already listening, so no other process can take the port
    # between choosing it and serving on it.
    listening = listening_socket(port)
    port = listening.getsockname()[1]
    peaks: dict = {}
    faults: dict = {}
    stop = threading.Event()
    with listening:
        server = serve(listening, env, work / "gunicorn.log", 2, _core(SERVER_CORE) if pin else [])
        try:
            health = f"http://127.0.0.1:{port}/healthz"
            _wait_until_up(health)
            watcher = threading.Thread(
                target=_watch,
                args=(server, seconds, kill, pg, health, writes, peaks, faults, stop),
                daemon=True,
            )
            watcher.start()
            rate = spawn_rate or max(1, users // 5)
            _locust(port, users, rate, seconds, work, env, stop, _core(LOCUST_CORE) if pin else [])
            stop.set()
            watcher.join()
        finally:
            stop.set()
            end(server)
    result = _outcome(work, kill, postgres, users)
    result["writes_answered"], result["writes_missing"] = _check_writes(url, writes)
    if pg is not None:
        pg.remove()
        result["integrity"] = "n/a (PostgreSQL)"
    else:
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            result["integrity"] = connection.execute("PRAGMA integrity_check").fetchone()[0]
    result.update(users=users, seconds=seconds, **faults)
    result["peak_worker_mib"] = round(max(peaks.values(), default=0) / 1024, 1)
    return result


def serve(listening, env: dict, log: Path, workers: int, prefix=()) -> subprocess.Popen:
    """gunicorn with ``workers`` workers serving the intranet on the socket ``listening``
    (inherited, already listening), its messages to ``log``."""
    with open(log, "w") as messages:
        return subprocess.Popen(
            [*prefix, str(BIN / "gunicorn"), "--workers", str(workers), "--graceful-timeout", "10"]
            + ["--bind", f"fd://{listening.fileno()}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            pass_fds=(listening.fileno(),),
            stdout=subprocess.DEVNULL,
            stderr=messages,
        )


def end(process: subprocess.Popen) -> None:
    """Ask ``process`` to stop, and kill it if it has not within 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _await_status(url: str, wanted: int, seconds: float) -> int:
    """Ask ``url`` until it answers ``wanted`` or ``seconds`` have passed; its last answer."""
    deadline = time.monotonic() + seconds
    status = _status(url)
    while status != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        status = _status(url)
    return status


def _answered_writes(writes: Path) -> int:
    try:
        return writes.read_text().count("\n")
    except OSError:
        return 0


def _watch(server, seconds, kill, pg, health, writes, peaks, faults, stop) -> None:
    """Note the workers' peak memory; kill one half-way; stop the database at two thirds;
    set ``stop`` once ``seconds`` have passed, the faults are over and a write has been
    answered after the last of them.

    A fault waits for its time and for a write answered since the one before, so that on a
    busy machine, where the people may be slow to log in, each fault meets real work and
    the work goes on after it."""
    start = time.monotonic()
    faults["worker_killed"] = False
    answered = 0
    while not stop.is_set():
        for pid in _workers(server.pid):
            peaks[pid] = max(peaks.get(pid, 0), _peak_kib(pid))
        elapsed = time.monotonic() - start
        written = _answered_writes(writes)
        if kill and not faults["worker_killed"] and elapsed > seconds / 2 and written > answered:
            victims = _workers(server.pid)
            if victims:
                try:
                    os.kill(victims[0], signal.SIGKILL)
                    faults["worker_killed"] = True
                    answered = written
                except ProcessLookupError:
                    pass
        killed = faults["worker_killed"] or not kill
        down_done = pg is None or "health_after" in faults
        if not down_done and killed and elapsed > seconds * 2 / 3 and written > answered:
            pg.stop()
            faults["health_while_down"] = _await_status(health, 503, 10)
            time.sleep(3)
            pg.start()
            faults["health_after"] = _await_status(health, 200, 30)
            answered = _answered_writes(writes)
            down_done = True
        if elapsed >= seconds and killed and down_done and _answered_writes(writes) > answered:
            stop.set()
        stop.wait(0.5)


def _locust(port, users, spawn_rate, seconds, work, env, stop, prefix=()) -> None:
    """Run locust until ``stop`` is set (at most ten times ``seconds``), then end it as
    its own time limit would."""
    locust = subprocess.Popen(
        [
            *prefix,
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(work / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    stop.wait(seconds * 10)
    locust.send_signal(signal.SIGTERM)
    locust.wait()


# How a request the killed worker had in flight ends: the connection closes before the
# answer, or in the middle of its body.
CUT = ("RemoteDisconnected", "ConnectionReset", "IncompleteRead", "Connection aborted")


def _outcome(work: Path, kill: bool, postgres: bool, users: int, cut_signs=CUT) -> dict:
    """Requests, latencies and errors from locust's files. The requests the killed worker
    had in flight lose their connection, and those made while the database was stopped
    get a 503: the faults injected, counted apart from errors. Each person has at most
    one request in flight, so more cut connections than people are errors."""
    with open(work / "locust_stats.csv") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    cut = refused = 0
    with open(work / "locust_failures.csv") as handle:
        for row in csv.DictReader(handle):
            count = int(row["Occurrences"])
            if kill and any(sign in row["Error"] for sign in cut_signs):
                cut += count
            elif postgres and "503" in row["Error"]:
                refused += count
    cut = min(cut, users)
    pages, logins, steady = _times(work / "times.tsv")
    return {
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]) - cut - refused,
        "cut_by_the_kill": cut,
        "refused_while_down": refused,
        "rps": float(total["Requests/s"]),
        # Over the requests after the logins: the login's argon2 cost is deliberate.
        "p50_ms": _percentile(pages, 50),
        "p95_ms": _percentile(pages, 95),
        "p99_ms": _percentile(pages, 99),
        "login_p50_ms": _percentile(logins, 50),
        "login_p95_ms": _percentile(logins, 95),
        # Over the requests sent once every person had logged in: the 50 logins at the
        # start (argon2's seconds of work) no longer stand in front of them.
        "steady_requests": len(steady),
        "steady_p50_ms": _percentile(steady, 50),
        "steady_p95_ms": _percentile(steady, 95),
        "steady_p99_ms": _percentile(steady, 99),
    }


# The cores of a pinned run: locust on one, the server and its database on the other.
LOCUST_CORE, SERVER_CORE = 0, 1


def _core(number: int) -> list[str]:
    """The command prefix that keeps a program on one core, where the machine has two and
    ``taskset``; none otherwise (the run is then unpinned, and says so)."""
    if (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        return []
    return ["taskset", "-c", str(number)]


def _times(path: Path) -> tuple[list[float], list[float], list[float]]:
    """The answered requests' times in ms from locust's listener: the pages and writes, the
    logins (a POST to /login) apart, and the pages and writes sent after the last login was
    answered."""
    pages, logins, sent = [], [], []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return pages, logins, []
    last_login = 0.0
    for line in lines:
        method, name, ms, failed, *more = line.split("\t")
        started = float(more[1]) if len(more) > 1 and more[1] else None
        if (method, name) == ("POST", "/login"):
            if started is not None:
                last_login = max(last_login, started + float(ms) / 1000)
            if failed != "1":
                logins.append(float(ms))
        elif failed != "1":
            pages.append(float(ms))
            sent.append((started, float(ms)))
    steady = [ms for started, ms in sent if started is not None and started >= last_login]
    return pages, logins, steady


def _percentile(values: list[float], percent: int) -> float:
    """The nearest-rank percentile, 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-percent * len(ordered) // 100) - 1))]


def _row(name: str, result: dict) -> str:
    down = (
        f"{result['refused_while_down']} (health {result.get('health_while_down', '—')} "
        f"→ {result.get('health_after', '—')})"
        if "health_after" in result
        else "—"
    )
    return (
        f"| {name} | {result['requests']} | {result['rps']:.1f} | {result['p50_ms']:.0f} | "
        f"{result['p95_ms']:.0f} | {result['p99_ms']:.0f} | "
        f"{result['steady_p50_ms']:.0f} / {result['steady_p95_ms']:.0f} / "
        f"{result['steady_p99_ms']:.0f} ({result['steady_requests']}) | "
        f"{result['login_p50_ms']:.0f} / {result['login_p95_ms']:.0f} | {result['errors']} | "
        f"{result['cut_by_the_kill']} | {down} | {result['writes_answered']} | "
        f"{len(result['writes_missing'])} | {result['integrity']} | "
        f"{result['peak_worker_mib']} |"
    )


def _failed(result: dict) -> bool:
    return bool(
        result["errors"]
        or not result["worker_killed"]
        or result["writes_missing"]
        or result["integrity"] not in ("ok", "n/a (PostgreSQL)")
        or result.get("health_after", 200) != 200
        or result.get("health_while_down", 503) != 503
    )


def main() -> None:
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    users = int(os.environ.get("LOAD_USERS", "50"))
    scale = int(os.environ.get("LOAD_SCALE", "100"))
    databases = os.environ.get("LOAD_DATABASES", "sqlite,postgres").split(",")
    results = {
        name: run(scale, seconds, users, postgres=name == "postgres", pin=True)
        for name in databases
    }
    pinned = "pinned with taskset: locust on core 0, the server and its database on core 1"
    if not _core(SERVER_CORE):
        pinned = "not pinned (taskset or a second core is missing)"
    table = (
        f"Scale {scale}, gunicorn with 2 workers, {users} locust users for {seconds} s; "
        "one worker killed with SIGKILL half-way, and on PostgreSQL the database stopped for "
        f"4 s at two thirds; {pinned} ({time.strftime('%Y-%m-%d')}). The percentiles are over "
        "the requests after the logins; the login (argon2, deliberately slow) is apart.\n\n"
        "| database | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| after the last login: p50 / p95 / p99 ms (requests) | login p50 / p95 ms "
        "| errors | cut by the kill "
        "| 503 while the database was down | writes answered 2xx | of them missing "
        "| integrity | peak worker MiB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(_row(name, result) for name, result in results.items())
        + "\n"
    )
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "load.md").write_text(table)
    print(table)
    if any(_failed(result) for result in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
