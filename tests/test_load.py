"""A short version of ``make load``: gunicorn with two workers and locust for a few seconds
at scale 1, one worker killed with SIGKILL half-way. No errors but the requests the kill
cut, every write that was answered 2xx is in the database, and SQLite's integrity check
says ok."""

import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from load import run  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_short_load_with_a_killed_worker_loses_nothing():
    result = run(scale=1, seconds=8, users=8, kill=True, port=_free_port())
    assert result["requests"] > 20, result
    assert result["errors"] == 0, result
    assert result["writes_missing"] == [], result
    assert result["integrity"] == "ok"
    assert result["peak_worker_mib"] > 0
