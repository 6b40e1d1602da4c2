"""Moments are stored in UTC, on SQLite and PostgreSQL: the hour repeated when summer time ends
keeps its two passes apart, and the migration turns moments stored as wall-clock time into
UTC and back."""

import datetime as dt

from playhouse.migrations import Runner

from intranet import clock
from intranet.extensions import db
from intranet.migrate import MIGRATIONS_DIR
from intranet.models import AuditEvent, Landlord

# 2026-10-25: Stockholm's clocks go back from 03:00 to 02:00; 02:30 happens twice.
FIRST_PASS_UTC = dt.datetime(2026, 10, 25, 0, 30)
SECOND_PASS_UTC = dt.datetime(2026, 10, 25, 1, 30)


def _wall(utc: dt.datetime) -> dt.datetime:
    return clock.from_utc(utc)


def _stored(table: str, column: str) -> list[dt.datetime]:
    """The column's values as the database holds them (SQLite's text read as a moment)."""
    rows = db.execute_sql(f'SELECT "{column}" FROM "{table}" ORDER BY id').fetchall()
    return [
        value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        for (value,) in rows
    ]


def test_the_repeated_hour_keeps_its_two_passes_apart(app):
    first, second = _wall(FIRST_PASS_UTC), _wall(SECOND_PASS_UTC)
    # The same wall-clock time, told apart only by its fold.
    assert (first.replace(fold=0), second.replace(fold=0)) == (
        dt.datetime(2026, 10, 25, 2, 30),
    ) * 2
    assert (first.fold, second.fold) == (0, 1)
    for moment in (first, second):
        AuditEvent.create(at=moment, action="viewed", subject_type="test", subject_id=None)

    assert _stored("audit_event", "at") == [FIRST_PASS_UTC, SECOND_PASS_UTC]
    read = [event.at for event in AuditEvent.select().order_by(AuditEvent.at)]
    assert [(moment, moment.fold) for moment in read] == [(first, 0), (second, 1)]
    # A query bound in wall-clock time finds the right one.
    after_first = AuditEvent.select().where(AuditEvent.at > clock.aware(first))
    assert [event.at.fold for event in after_first] == [1]


def test_a_moment_is_stored_in_utc_and_read_as_the_units_time(app):
    clock.set_clock(dt.datetime(2027, 7, 1, 9, 15))  # summer time, two hours ahead of UTC
    landlord = Landlord.create(name="Hus AB")
    assert _stored("landlord", "created_at") == [dt.datetime(2027, 7, 1, 7, 15)]
    assert Landlord.get_by_id(landlord.id).created_at == dt.datetime(2027, 7, 1, 9, 15)
    # A date in a query means its midnight at the unit.
    assert Landlord.select().where(Landlord.created_at >= dt.date(2027, 7, 1)).count() == 1
    assert Landlord.select().where(Landlord.created_at >= dt.date(2027, 7, 2)).count() == 0


def test_the_migration_turns_stored_wall_clock_time_into_utc_and_back(app):
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    runner.down("0013_moments_in_utc")
    # Written as before: the unit's wall-clock time, one in winter and one in summer.
    Landlord.create(name="Hus AB")
    db.execute_sql(
        "UPDATE landlord SET created_at = '2027-01-10 08:00:00', "
        "stage_entered_at = '2027-07-01 09:15:00'"
    )
    runner.up()
    assert _stored("landlord", "created_at") == [dt.datetime(2027, 1, 10, 7, 0)]
    assert _stored("landlord", "stage_entered_at") == [dt.datetime(2027, 7, 1, 7, 15)]
    landlord = Landlord.get()
    assert (landlord.created_at, landlord.stage_entered_at) == (
        dt.datetime(2027, 1, 10, 8, 0),
        dt.datetime(2027, 7, 1, 9, 15),
    )
    runner.down("0013_moments_in_utc")
    assert _stored("landlord", "created_at") == [dt.datetime(2027, 1, 10, 8, 0)]
    runner.up()


def test_the_clock_marks_the_second_pass_and_it_is_stored_as_such(app, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: SECOND_PASS_UTC.replace(tzinfo=dt.UTC))
    now = clock.now()
    assert (now, now.fold) == (dt.datetime(2026, 10, 25, 2, 30), 1)
    Landlord.create(name="Hus AB")
    assert _stored("landlord", "created_at") == [SECOND_PASS_UTC]
