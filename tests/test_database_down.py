"""PostgreSQL stopped: every page answers a clear 503 and the health check says 503; when
the database is back the intranet answers again by itself, without a restart."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import PASSWORD, TEST_CONFIG, _free_port, _pg_bin, login

from intranet import create_app
from intranet.extensions import db
from intranet.migrate import upgrade


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as ``postgres``."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, to stop and start."""
    base = Path(tempfile.mkdtemp(prefix="intranet-down-"))
    if os.geteuid() == 0:
        base.chmod(0o755)
        shutil.chown(base, "postgres")
    data, port = base / "data", _free_port()
    subprocess.run(
        _as_owner([_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl(action: str) -> None:
        command = [_pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log")]
        command += ["-o", options, action] if action == "start" else ["-m", "fast", action]
        subprocess.run(_as_owner(command), check=True, capture_output=True)

    pg_ctl("start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", pg_ctl
    finally:
        subprocess.run(
            _as_owner([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_pages_answer_503_while_the_database_is_down_and_recover(own_postgres):
    url, pg_ctl = own_postgres
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    with app.app_context():
        db.connect(reuse_if_open=True)
        upgrade()
        db.close()
        from intranet.auth.passwords import hash_password
        from intranet.models import User

        User.create(
            email="chef@example.org",
            display_name="Maria",
            role="manager",
            password_hash=hash_password(PASSWORD),
        )
        db.close()
    client = app.test_client()
    assert login(client, "chef@example.org").status_code == 303
    assert client.get("/flats/").status_code == 200

    pg_ctl("stop")
    for page in ["/", "/flats/", "/rent/", "/login"]:
        response = client.get(page)
        assert response.status_code == 503, page
        assert "Databasen svarar inte just nu" in response.get_data(as_text=True)
    htmx = client.get("/flats/?status=ready", headers={"HX-Request": "true"})
    assert htmx.status_code == 503 and htmx.headers["HX-Retarget"] == "#messages"
    assert client.get("/healthz").status_code == 503

    pg_ctl("start")
    assert client.get("/healthz").status_code == 200
    assert client.get("/flats/").status_code == 200
    db.close()
