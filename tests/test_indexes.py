"""The hot queries of the bounded pages use the indexes made for them (migration 0007):
``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL (with sequential scans off,
since a planner prefers them on the few rows of a test database)."""

import datetime as dt

import pytest

from intranet.extensions import db
from intranet.models import AuditEvent, Landlord, Referral, RentCharge, Tenancy


def _plan(query) -> str:
    sql, params = query.sql()
    if db.obj.__class__.__name__.startswith("Postgres"):
        with db.atomic():
            # Statistics left by earlier tests (and refreshed whenever autovacuum runs) must
            # not choose the plan.
            db.execute_sql("ANALYZE")
            db.execute_sql("SET LOCAL enable_seqscan = off")
            rows = db.execute_sql(f"EXPLAIN {sql}", params).fetchall()
    else:
        rows = db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "\n".join(str(row) for row in rows)


HOT = {
    "rent_charge_month": lambda: RentCharge.select().where(RentCharge.month == dt.date(2027, 3, 1)),
    "tenancy_end_date": lambda: Tenancy.select(Tenancy.id).where(Tenancy.end_date.is_null(False)),
    "landlord_next_follow_up": lambda: Landlord.select().where(
        Landlord.next_follow_up < dt.date(2027, 3, 5)
    ),
    "referral_received_on": lambda: Referral.select().where(
        Referral.received_on.between(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    ),
    "audit_event_subject_type_subject_id": lambda: AuditEvent.select().where(
        (AuditEvent.subject_type == "referral") & (AuditEvent.subject_id == 1)
    ),
}


@pytest.mark.parametrize("index", sorted(HOT))
def test_a_hot_query_uses_its_index(app, index):
    db.connect(reuse_if_open=True)
    try:
        assert index in _plan(HOT[index]()), index
    finally:
        db.close()
