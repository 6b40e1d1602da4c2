"""Prints every month whose group (on time, late, not paid, ...) the rent ledger's rule
gives differently from the earlier rule, so the unit can look through what changed. No
table changes.

The earlier rule, frozen here as it was: each payment paid the month it was typed on (or
that a bank file's reference matched), and what a tenancy had paid beyond its earlier
months counted as paid on the month's due day, the last day of the month before.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from intranet import clock
from intranet.rent import rules
from intranet.rent.ledger_rules import month_group


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _earlier_group(amount, dated, month: dt.date, today: dt.date) -> str:
    """The group the statistics gave a month before the ledger (frozen here, as it was):
    paid in full by the last day of the month before is on time, by the 15th late."""
    if amount <= 0:
        return rules.PAID_ON_TIME
    running, full = Decimal(0), None
    for day, paid in sorted(dated):
        running += paid
        if running >= amount:
            full = day
            break
    if full is not None and full <= month - dt.timedelta(days=1):
        return rules.PAID_ON_TIME
    if full is not None and full <= month.replace(day=15):
        return rules.PAID_LATE
    if today > month.replace(day=15):
        return rules.NOT_PAID
    return rules.PARTLY_PAID if running > 0 else rules.NOT_YET_PAID


def earlier_groups(db, today: dt.date) -> dict:
    """Every month's group by the earlier rule: {charge id: group}. Each payment paid the
    month it was registered on; what a tenancy had paid beyond its earlier months counted
    as paid on the month's due day."""
    paid = defaultdict(list)
    for charge_id, paid_on, amount in db.execute_sql(
        "SELECT charge_id, paid_on, amount FROM payment WHERE reversed_at IS NULL"
    ):
        paid[charge_id].append((_date(paid_on), Decimal(str(amount))))
    groups, tenancy = {}, None
    charged_before = paid_before = Decimal(0)
    for cid, tid, month, amount in db.execute_sql(
        "SELECT id, tenancy_id, month, amount FROM rent_charge ORDER BY tenancy_id, month"
    ):
        month, amount = _date(month), Decimal(str(amount))
        if tid != tenancy:
            tenancy, charged_before, paid_before = tid, Decimal(0), Decimal(0)
        credit = max(Decimal(0), paid_before - charged_before)
        due = month - dt.timedelta(days=1)
        dated = ([(due, credit)] if credit > 0 else []) + paid[cid]
        groups[cid] = _earlier_group(amount, dated, month, today)
        charged_before += amount
        paid_before += sum((p for _day, p in paid[cid]), Decimal(0))
    return groups


def regrouped(db, before: dict, today: dt.date) -> list[tuple]:
    """The months whose group the ledger's rule changed: (tenancy, month, before, now)."""
    changed = []
    for cid, tid, month, due_on, charged, by_due, by_limit, total in db.execute_sql(
        "SELECT charge_id, tenancy_id, month, due_on, charged, paid_by_due, paid_by_limit,"
        " paid_total FROM rent_month ORDER BY tenancy_id, month"
    ):
        sums = [Decimal(str(v)) for v in (charged, by_due, by_limit, total)]
        now = month_group(*sums, _date(month), _date(due_on), today)
        if cid in before and before[cid] != now:
            changed.append((tid, _date(month), before[cid], now))
    return changed


def report(changed: list[tuple]) -> None:
    """Print the months whose group changed, one line each, for the unit to look through."""
    print(f"rent ledger: {len(changed)} month(s) changed group under the new rule")
    for tid, month, before, now in changed:
        print(f"  tenancy {tid} {month:%Y-%m}: {before} -> {now}")


def up(migrator, db):
    before = earlier_groups(db, clock.today())
    if before:
        report(regrouped(db, before, clock.today()))


def down(migrator, db):
    """Nothing to undo: the migration only prints."""
