"""The hot queries of the bounded pages use the indexes made for them (migration 0007):
``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL (with sequential scans off,
since a planner prefers them on the few rows of a test database)."""

import datetime as dt

import pytest

from intranet.extensions import db
from intranet.models import AuditEvent, Landlord, Referral, RentCharge, Tenancy


def _plan(query, index: str) -> str:
    sql, params = query.sql()
    if db.obj.__class__.__name__.startswith("Postgres"):
        with db.atomic() as transaction:
            # Statistics left by earlier tests (and refreshed whenever autovacuum runs) must
            # not choose the plan, nor a tie with another index of the same table on a
            # nearly empty one: the table's other indexes are dropped for the question, and
            # the transaction is rolled back.
            db.execute_sql("ANALYZE")
            db.execute_sql("SET LOCAL enable_seqscan = off")
            others = db.execute_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s"
                " AND indexname NOT LIKE %s",
                (query.model._meta.table_name, index, "%_pkey"),
            ).fetchall()
            for (other,) in others:
                db.execute_sql(f'DROP INDEX "{other}"')
            rows = db.execute_sql(f"EXPLAIN {sql}", params).fetchall()
            transaction.rollback()
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
    "referral_last_name_first_name_id": lambda: (
        Referral.select().order_by(Referral.last_name, Referral.first_name, Referral.id).limit(50)
    ),
    "audit_event_subject_type_subject_id": lambda: AuditEvent.select().where(
        (AuditEvent.subject_type == "referral") & (AuditEvent.subject_id == 1)
    ),
}


@pytest.mark.parametrize("index", sorted(HOT))
def test_a_hot_query_uses_its_index(app, index):
    db.connect(reuse_if_open=True)
    try:
        assert index in _plan(HOT[index](), index), index
    finally:
        db.close()
