"""PostgreSQL stopped: every page answers a clear 503 and the health check says 503; when
the database is back the intranet answers again by itself, without a restart."""

import sys
from pathlib import Path

import pytest
from conftest import PASSWORD, TEST_CONFIG, login, two_factor_fields

from intranet import create_app
from intranet.extensions import db
from intranet.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from pgserver import Server  # noqa: E402

pytestmark = pytest.mark.servers


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, to stop and start."""
    server = Server()
    try:
        yield server.url, lambda action: getattr(server, action)()
    finally:
        server.remove()


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
            **two_factor_fields(),
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


def test_a_mistake_in_a_query_is_a_500_not_database_down(app, client, make_user):
    from peewee import OperationalError

    from intranet.security import public

    @app.route("/broken")
    @public
    def broken():
        raise OperationalError("no such column: t1.nothing")

    @app.route("/locked")
    @public
    def locked():
        raise OperationalError("database is locked")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/broken").status_code == 500
    locked_page = client.get("/locked")
    assert locked_page.status_code == 503
    assert "Databasen svarar inte just nu" in locked_page.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_pooled_connection_the_server_dropped_is_replaced(database_url, app, client, make_user):
    """A worker keeps its connections open between requests; one the server has ended (a
    restart, an administrator) is found when taken from the pool, and the request that
    takes it is answered as any other."""
    import psycopg

    user = make_user("staff")
    login(client, user)
    assert client.get("/flats/").status_code == 200  # its connection now waits in the pool
    with psycopg.connect(database_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert ended >= 1
    assert client.get("/flats/").status_code == 200
    assert client.get("/healthz").status_code == 200
