"""Moments are kept in UTC: the unit's wall-clock time repeats an hour when summer time ends,
so a stored local time could name two moments. Every moment already stored, written as the
unit's wall-clock time (``INTRANET_TIMEZONE``), is turned into UTC; down turns it back.

The audit log's append-only triggers are set aside for the change and put back at once."""

import datetime as dt
from zoneinfo import ZoneInfo

from peewee import DateTimeField, PostgresqlDatabase

from intranet import clock

COLUMNS = {
    "activity": ["created_at"],
    "audit_event": ["at"],
    "bank_import": ["created_at", "confirmed_at"],
    "case": ["opened_at", "closed_at"],
    "case_reply": ["written_at"],
    "checkpoint": ["done_at"],
    "commissioner": ["created_at"],
    "flat": ["status_changed_at", "created_at"],
    "flat_status_change": ["changed_at"],
    "invitation": ["created_at", "expires_at", "used_at"],
    "landlord": ["created_at", "stage_entered_at"],
    "login_throttle": ["window_started_at", "locked_until"],
    "match": ["proposed_at", "closed_at"],
    "payment": ["registered_at", "reversed_at"],
    "recovery_code": ["used_at"],
    "referral": ["status_changed_at", "created_at", "anonymised_at"],
    "referral_status_change": ["changed_at"],
    "rent_charge": ["created_at"],
    "rent_money": ["registered_at"],
    "repayment_plan": ["created_at"],
    "rule_override": ["decided_at"],
    "stage_change": ["changed_at"],
    "tenancy": ["created_at"],
    "user": ["created_at", "last_login_at", "totp_enrolled_at"],
}

SQLITE_TRIGGERS_OFF = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
SQLITE_TRIGGERS_ON = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
]


def _shift_postgres(db, to_utc: bool) -> None:
    zone = clock.zone_name()
    db.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    for table, columns in COLUMNS.items():
        for column in columns:
            # AT TIME ZONE on a timestamp reads it in that zone; on the result, writes it in one.
            first, then = (zone, "UTC") if to_utc else ("UTC", zone)
            db.execute_sql(
                f'UPDATE "{table}" SET "{column}" = ("{column}" AT TIME ZONE %s) AT TIME ZONE %s '
                f'WHERE "{column}" IS NOT NULL',
                (first, then),
            )
    db.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def _shift_sqlite(db, to_utc: bool) -> None:
    zone = ZoneInfo(clock.zone_name())
    field = DateTimeField()
    source, target = (zone, dt.UTC) if to_utc else (dt.UTC, zone)
    for sql in SQLITE_TRIGGERS_OFF:
        db.execute_sql(sql)
    for table, columns in COLUMNS.items():
        for column in columns:
            rows = db.execute_sql(
                f'SELECT id, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            ).fetchall()
            shifted = []
            for row_id, stored in rows:
                moment = field.python_value(stored)
                if not isinstance(moment, dt.datetime):
                    continue
                moment = moment.replace(tzinfo=source).astimezone(target).replace(tzinfo=None)
                shifted.append((str(moment), row_id))
            if shifted:
                db.cursor().executemany(
                    f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?', shifted
                )
    for sql in SQLITE_TRIGGERS_ON:
        db.execute_sql(sql)


def _shift(db, to_utc: bool) -> None:
    if isinstance(db, PostgresqlDatabase):
        _shift_postgres(db, to_utc)
    else:
        _shift_sqlite(db, to_utc)


def up(migrator, db):
    _shift(db, to_utc=True)


def down(migrator, db):
    _shift(db, to_utc=False)
