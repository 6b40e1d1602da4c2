"""A short version of ``make load``: gunicorn with two workers and locust for a few seconds
at scale 1, one worker killed with SIGKILL half-way, and on PostgreSQL the database
stopped for a few seconds. No errors but the requests those faults cut, every write that
was answered 2xx is in the database, SQLite's integrity check says ok, and the health
check says 503 while PostgreSQL is down and 200 after."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import pytest  # noqa: E402
from load import run  # noqa: E402

pytestmark = pytest.mark.servers


@pytest.mark.parametrize("postgres", [False, True], ids=["sqlite", "postgres"])
def test_a_short_load_with_faults_loses_nothing(postgres, tmp_path):
    result = run(
        scale=1,
        seconds=9,
        users=8,
        spawn_rate=8,
        kill=True,
        port=0,
        postgres=postgres,
        work=tmp_path,
    )
    assert result["worker_killed"], result
    assert result["requests"] > 0 and result["writes_answered"] > 0, result
    assert result["errors"] == 0, result
    assert result["writes_missing"] == [], result
    assert result["integrity"] == ("n/a (PostgreSQL)" if postgres else "ok")
    assert result["peak_worker_mib"] > 0
    if postgres:
        assert (result["health_while_down"], result["health_after"]) == (503, 200), result


def test_a_request_cut_by_the_kill_is_not_an_error_but_more_cuts_than_people_are(tmp_path):
    from load import _outcome

    header = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
    (tmp_path / "locust_stats.csv").write_text(header + "None,Aggregated,80,4,9.8,65,880,940\n")
    (tmp_path / "locust_failures.csv").write_text(
        "Method,Name,Error,Occurrences\n"
        "GET,/residents/,\"ChunkedEncodingError(ProtocolError('Connection broken: "
        "IncompleteRead(0 bytes read, 14730 more expected)'))\",1\n"
        "GET,/,\"ConnectionError(ProtocolError('Connection aborted.', "
        "RemoteDisconnected('Remote end closed connection without response')))\",2\n"
        "GET,/flats/,\"HTTPError('500 Server Error')\",1\n"
    )
    result = _outcome(tmp_path, kill=True, postgres=False, users=8)
    assert (result["cut_by_the_kill"], result["errors"]) == (3, 1)
    assert _outcome(tmp_path, kill=True, postgres=False, users=2)["errors"] == 2
    assert _outcome(tmp_path, kill=False, postgres=False, users=8)["errors"] == 4


def test_the_percentiles_leave_the_logins_apart(tmp_path):
    from load import _outcome

    header = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
    (tmp_path / "locust_stats.csv").write_text(header + "None,Aggregated,5,1,1.0,1,1,1\n")
    (tmp_path / "locust_failures.csv").write_text("Method,Name,Error,Occurrences\n")
    (tmp_path / "times.tsv").write_text(
        "POST\t/login\t900.0\t0\nGET\t/\t10.0\t0\nGET\t/flats/\t30.0\t0\n"
        "GET\t/rent/\t20.0\t0\nGET\t/rent/\t5000.0\t1\n"
    )
    result = _outcome(tmp_path, kill=False, postgres=False, users=8)
    assert (result["p50_ms"], result["p99_ms"], result["login_p50_ms"]) == (20.0, 30.0, 900.0)


def test_the_steady_percentiles_count_the_requests_sent_after_the_last_login(tmp_path):
    """A request sent while a login was still being answered stood in its queue; the
    steady figures count those sent after the last login's answer came."""
    from load import _outcome

    header = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
    (tmp_path / "locust_stats.csv").write_text(header + "None,Aggregated,6,0,1.0,1,1,1\n")
    (tmp_path / "locust_failures.csv").write_text("Method,Name,Error,Occurrences\n")
    (tmp_path / "times.tsv").write_text(
        "POST\t/login\t900.0\t0\t\t100.000\n"  # answered at 100.9
        "GET\t/\t3000.0\t0\t\t100.500\n"  # sent before: waited behind the login
        "POST\t/login\t1000.0\t0\t\t101.000\n"  # answered at 102.0, the last
        "GET\t/flats/\t30.0\t0\t\t102.000\n"
        "GET\t/rent/\t20.0\t0\tlogin\t103.000\n"
        "GET\t/rent/\t10.0\t0\t\t104.000\n"
    )
    result = _outcome(tmp_path, kill=False, postgres=False, users=8)
    assert result["steady_requests"] == 3
    assert (result["steady_p50_ms"], result["steady_p99_ms"]) == (20.0, 30.0)
    assert result["p99_ms"] == 3000.0
