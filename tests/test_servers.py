"""The servers the tests start. The browser tests' server: a browser that leaves a page
while an answer is on its way leaves nothing open behind it for the garbage collector to
close during a later test. PostgreSQL and gunicorn: a port that another process takes
between choosing it and serving on it costs nothing but another try, or can't happen."""

import gc
import socket
import struct
import urllib.request
import warnings
from pathlib import Path

import pgserver
import psycopg
import pytest
from conftest import serve_copy
from ports import listening_socket

pytestmark = pytest.mark.servers

STATIC = Path(__file__).resolve().parent.parent / "static"


def _largest_static_file() -> str:
    files = [path for path in STATIC.rglob("*") if path.is_file()]
    largest = max(files, key=lambda path: path.stat().st_size)
    return "/static/" + largest.relative_to(STATIC).as_posix()


def _ask_and_reset(port: int, path: str) -> None:
    """Send a request and reset the connection once the answer has begun, as a browser
    leaving a page does."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    connection.recv(100)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def test_an_answer_cut_by_the_browser_leaves_no_file_open(sqlite_template, tmp_path):
    path = _largest_static_file()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        serving = serve_copy(sqlite_template, tmp_path / "live.sqlite3")
        server = next(serving)
        for _ in range(200):
            _ask_and_reset(server.port, path)
        with urllib.request.urlopen(f"{server.url}{path}") as answer:
            assert answer.status == 200
        serving.close()  # waits for every request to be answered
        gc.collect()
    left_open = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert left_open == []


def test_postgres_takes_another_port_when_its_port_was_taken(monkeypatch):
    taken = listening_socket()
    taken_port = taken.getsockname()[1]
    ports = iter([taken_port, pgserver.free_port()])
    monkeypatch.setattr(pgserver, "free_port", lambda: next(ports))
    with taken:
        server = pgserver.Server()
    try:
        assert server.port != taken_port
        with psycopg.connect(server.url) as connection:
            assert connection.execute("select 1").fetchone() == (1,)
    finally:
        server.remove()
