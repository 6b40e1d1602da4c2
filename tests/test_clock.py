"""The unit's clock keeps Stockholm's time whatever zone the server runs in: the 1st, the
5th and the 15th begin at Stockholm's midnight."""

import datetime as dt
import os
import time

import pyotp
import pytest

from intranet import clock, create_app
from intranet.auth.two_factor import matching_step

UTC = dt.UTC


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo"])
def server_zone(request):
    """The process runs in another zone than the unit's."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    clock.set_zone("Europe/Stockholm")
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(
    ("utc", "today"),
    [
        (dt.datetime(2027, 2, 28, 22, 59, 59, tzinfo=UTC), dt.date(2027, 2, 28)),  # 23:59 CET
        (dt.datetime(2027, 2, 28, 23, 0, 0, tzinfo=UTC), dt.date(2027, 3, 1)),  # midnight
        (dt.datetime(2027, 6, 30, 21, 59, 59, tzinfo=UTC), dt.date(2027, 6, 30)),  # CEST
        (dt.datetime(2027, 6, 30, 22, 0, 0, tzinfo=UTC), dt.date(2027, 7, 1)),
        (dt.datetime(2027, 3, 4, 23, 30, 0, tzinfo=UTC), dt.date(2027, 3, 5)),  # the 5th
    ],
)
def test_the_day_turns_at_the_units_midnight(monkeypatch, server_zone, utc, today):
    monkeypatch.setattr(clock, "utc_now", lambda: utc)
    assert clock.today() == today
    assert clock.now() == utc.astimezone(clock.aware(clock.now()).tzinfo).replace(tzinfo=None)


def test_a_code_from_the_app_is_right_whatever_the_servers_zone(server_zone):
    secret = pyotp.random_base32()
    # The app on the phone counts real time; the server's clock reads the unit's.
    moment = clock.now()
    code = pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC))
    assert matching_step(secret, code, moment) is not None


def test_the_zone_is_a_setting(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": database_url,
            "TIMEZONE": "Europe/Helsinki",
        }
    )
    assert clock.zone_name() == "Europe/Helsinki"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Helsinki"
    clock.set_zone(clock.DEFAULT_ZONE)


def test_an_unknown_zone_stops_the_start(database_url):
    with pytest.raises(ValueError, match="INTRANET_TIMEZONE"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": database_url,
                "TIMEZONE": "Europe/Atlantis",
            }
        )
    clock.set_zone(clock.DEFAULT_ZONE)
