"""Behind a reverse proxy the login throttle counts the person's address, not the proxy's."""

import pytest
from conftest import PASSWORD, TEST_CONFIG, csrf_token

from intranet import create_app
from intranet.models import LoginThrottle


@pytest.mark.parametrize(("hops", "counted"), [(1, "203.0.113.5"), (0, "127.0.0.1")])
def test_the_throttle_counts_the_forwarded_address(database_url, make_user, hops, counted):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "PROXY_COUNT": hops})
    client = app.test_client()
    user = make_user("staff")
    data = {"email": user.email, "password": PASSWORD + "x", "csrf_token": csrf_token(client)}
    client.post("/login", data=data, headers={"X-Forwarded-For": "203.0.113.5"})
    keys = {row.key for row in LoginThrottle.select()}
    assert f"address:{counted}" in keys
