"""``make load``'s second run: two gunicorn servers behind nginx on one PostgreSQL.

nginx is set up as ``docs/nginx-intranet.conf`` sets it up (the same proxy headers, the
intranet trusting one proxy), on plain HTTP on loopback and with the two servers as one
upstream, so that each person's requests go to both servers in turn. 50 people log in
through the form and work as in ``load.py`` for 60 s; half-way a worker of the first server
is killed with SIGKILL and at two thirds the database is stopped for a few seconds.

Afterwards every write answered 2xx must be in the database, and no request may have been
sent back to the login page: a session begun on one server holds on the other. The login
throttle, the second factor's spent codes and the opening of a month across two servers
are shown by ``tests/test_brute_force.py`` and ``tests/test_servers_share_state.py``.
Writes its row to ``benchmarks/results/load-servers.md``.

``LOAD_SECONDS``, ``LOAD_USERS`` and ``LOAD_SCALE`` shorten the run.
"""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from load import (
    BENCH,
    CUT,
    LOCUST_CORE,
    ROOT,
    SERVER_CORE,
    _check_writes,
    _core,
    _failed,
    _load_into,
    _locust,
    _outcome,
    _row,
    _wait_until_up,
    _watch,
    end,
    serve,
)
from ports import listening_socket

NGINX = """
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    upstream intranet {{
        server 127.0.0.1:{first};
        server 127.0.0.1:{second};
    }}
    server {{
        listen 127.0.0.1:{port};
        # As docs/nginx-intranet.conf, on plain HTTP on loopback.
        client_max_body_size 11m;
        location / {{
            proxy_pass http://intranet;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 90s;
        }}
    }}
}}
"""


def _nginx() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise SystemExit("nginx is not installed: make load installs Debian's nginx as root")
    return found


def _free_port() -> int:
    """A port free now, for nginx, which binds its own."""
    with listening_socket(0) as sock:
        return sock.getsockname()[1]


def _sent_to_login(times: Path) -> int:
    """Requests other than the log-in's own that ended on the login page: sessions lost."""
    try:
        lines = times.read_text().splitlines()
    except OSError:
        return 0
    return sum(1 for line in lines if line.split("\t")[4:5] == ["login"])


def run(scale: int = 100, seconds: int = 60, users: int = 50, pin: bool = True) -> dict:
    """Two gunicorn servers (a worker each) behind nginx on one PostgreSQL, loaded for
    ``seconds`` by ``users`` people; the outcome as ``load.run`` gives it, and the requests
    sent back to the login page."""
    from pgserver import Server

    work = BENCH / f"load-{scale}-two-servers"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / folder).mkdir()
    server_core = _core(SERVER_CORE) if pin else []
    pg = Server(prefix=server_core)
    started = time.perf_counter()
    _load_into(pg.url, scale)
    print(f"scale {scale} into PostgreSQL in {time.perf_counter() - started:.0f} s")
    writes = work / "writes.tsv"
    env = {
        "LOAD_TIMES": str(work / "times.tsv"),
        **os.environ,
        "DATABASE_URL": pg.url,
        "SECRET_KEY": "load",
        "INTRANET_TRUSTED_HOSTS": "127.0.0.1",
        # Behind one proxy, as the production set-up: the throttle counts the person's
        # address that nginx passes on.
        "INTRANET_PROXY_COUNT": "1",
        "LOAD_WRITES": str(writes),
        "LOAD_UNITS": str(scale),
        "INTRANET_TWO_FACTOR_ROLES": "",
    }
    sockets = [listening_socket(0), listening_socket(0)]
    ports = [sock.getsockname()[1] for sock in sockets]
    port = _free_port()
    (work / "nginx.conf").write_text(
        NGINX.format(work=work, first=ports[0], second=ports[1], port=port)
    )
    peaks: dict = {}
    faults: dict = {}
    stop = threading.Event()
    servers, proxy = [], None
    try:
        for number, sock in enumerate(sockets):
            servers.append(serve(sock, env, work / f"gunicorn-{number}.log", 1, server_core))
        proxy = subprocess.Popen(
            server_core + [_nginx(), "-p", str(work), "-c", str(work / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        health = f"http://127.0.0.1:{port}/healthz"
        for number in ports:
            _wait_until_up(f"http://127.0.0.1:{number}/healthz")
        _wait_until_up(health)
        watcher = threading.Thread(
            target=_watch,
            args=(servers[0], seconds, True, pg, health, writes, peaks, faults, stop),
            daemon=True,
        )
        watcher.start()
        locust_core = _core(LOCUST_CORE) if pin else []
        _locust(port, users, max(1, users // 5), seconds, work, env, stop, locust_core)
        stop.set()
        watcher.join()
    finally:
        stop.set()
        for process in [*servers, proxy]:
            if process is not None:
                end(process)
        for sock in sockets:
            sock.close()
    # Behind nginx, a request the killed worker had in flight is answered 502 by the proxy.
    result = _outcome(work, True, True, users, (*CUT, "502"))
    result["writes_answered"], result["writes_missing"] = _check_writes(pg.url, writes)
    result["sent_to_login"] = _sent_to_login(work / "times.tsv")
    pg.remove()
    result["integrity"] = "n/a (PostgreSQL)"
    result.update(users=users, seconds=seconds, **faults)
    result["peak_worker_mib"] = round(max(peaks.values(), default=0) / 1024, 1)
    return result


def main() -> None:
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    users = int(os.environ.get("LOAD_USERS", "50"))
    scale = int(os.environ.get("LOAD_SCALE", "100"))
    result = run(scale, seconds, users)
    pinned = "pinned with taskset: locust on core 0, nginx, both servers and the database on core 1"
    if not _core(SERVER_CORE):
        pinned = "not pinned (taskset or a second core is missing)"
    table = (
        f"Scale {scale}, two gunicorn servers with one worker each behind nginx on one "
        f"PostgreSQL, {users} locust users for {seconds} s; a worker of the first server "
        "killed with SIGKILL half-way and the database stopped for 4 s at two thirds; "
        f"{pinned} ({time.strftime('%Y-%m-%d')}). The percentiles are over the requests "
        "after the logins; the login is apart. Requests sent back to the login page (a "
        f"session one server did not know): {result['sent_to_login']}.\n\n"
        "| set-up | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| after the last login: p50 / p95 / p99 ms (requests) | login p50 / p95 ms "
        "| errors | cut by the kill "
        "| 503 while the database was down | writes answered 2xx | of them missing "
        "| integrity | peak worker MiB (first server) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        + _row("two servers, PostgreSQL", result)
        + "\n"
    )
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "load-servers.md").write_text(table)
    print(table)
    if _failed(result) or result["sent_to_login"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
