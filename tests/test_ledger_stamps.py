"""Each tenancy's ledger has a stamp (migration 0027): a write to its months' summaries or
its checkpoints by any path moves it and no other, a write undone does not, and what is
kept tenancy by tenancy with these stamps (the roads' rent facts, the month's counts) is
always what a process that kept nothing reads."""

import datetime as dt

import pytest
from helpers import count_queries, open_rent_month

from intranet import cache, clock
from intranet.extensions import db
from intranet.models import Payment, RentCharge
from intranet.rent import ledger
from intranet.rent import services as rent_services
from intranet.road import facts

TODAY = dt.date(2027, 3, 5)


@pytest.fixture
def three(rent_world):
    """Three residents since January, each with the three months' charges."""
    staff, resident = rent_world
    people = [resident(name) for name in ("Sara", "Omar", "Lina")]
    for month in (dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1)):
        open_rent_month(month)
    return staff, people


def _charge(tenancy, month=dt.date(2027, 1, 1)) -> RentCharge:
    return RentCharge.get((RentCharge.tenancy == tenancy.id) & (RentCharge.month == month))


def test_a_payment_moves_the_stamp_of_the_tenancy_paid_for_and_no_other(app, three):
    staff, (sara, omar, lina) = three
    before = ledger.stamps()
    assert {sara.id, omar.id, lina.id} <= set(before)
    rent_services.register_payment(
        _charge(sara).id, staff, dt.date(2027, 1, 2), "6200", "swish", "one"
    )
    after = ledger.stamps()
    assert after[sara.id] > before[sara.id]
    assert (after[omar.id], after[lina.id]) == (before[omar.id], before[lina.id])
    rent_services.mark_checkpoint(_charge(lina).id, "home_visit", staff, "Hemma")
    visited = ledger.stamps()
    assert visited[lina.id] > after[lina.id]
    assert (visited[sara.id], visited[omar.id]) == (after[sara.id], after[omar.id])


def test_plain_sql_moves_the_stamp_and_a_write_undone_does_not(app, three):
    _staff, (sara, omar, _lina) = three
    before = ledger.stamps()
    db.execute_sql(
        f"UPDATE rent_month SET paid_total = paid_total WHERE tenancy_id = {db.obj.param}",
        (omar.id,),
    )
    assert ledger.stamps()[omar.id] > before[omar.id]
    moved = ledger.stamps()
    with pytest.raises(RuntimeError), db.atomic():
        db.execute_sql(f"DELETE FROM rent_month WHERE tenancy_id = {db.obj.param}", (sara.id,))
        raise RuntimeError("undo")
    assert ledger.stamps() == moved


def test_the_kept_rent_facts_are_those_read_afresh_after_every_kind_of_write(app, three):
    """Payments, a reversal and a payment made again, each followed by the kept facts and
    the facts read afresh for every tenancy: always the same."""
    staff, people = three
    ids = [t.id for t in people]
    clock.set_clock(TODAY)

    def same():
        kept = facts.kept_rent_facts(ids, TODAY, ledger.stamps())
        assert kept == {i: facts.rent_facts(ids, TODAY).get(i, facts.RentFacts()) for i in ids}
        return kept

    first = same()
    assert all(f.debt > 0 for f in first.values())
    sara = people[0]
    for number, month in enumerate((dt.date(2027, 1, 1), dt.date(2027, 2, 1))):
        rent_services.register_payment(
            _charge(sara, month).id, staff, month, "6200", "swish", f"k{number}"
        )
        same()
    paid = Payment.select().where(Payment.tenancy == sara.id).order_by(Payment.id.desc()).first()
    rent_services.reverse_payment(paid.id, staff, "fel rad")
    reversed_ = same()
    rent_services.register_payment(
        paid.charge_id, staff, paid.paid_on, paid.amount, "swish", "again"
    )
    again = same()
    assert again[sara.id] != reversed_[sara.id]
    assert again[sara.id].debt < first[sara.id].debt


def test_only_the_tenancies_whose_stamp_moved_are_read_again(app, three, monkeypatch):
    staff, people = three
    ids = [t.id for t in people]
    cache.forget()
    read_for = []
    original = facts.rent_facts

    def counted(tenancy_ids, today):
        read_for.append(sorted(tenancy_ids))
        return original(tenancy_ids, today)

    monkeypatch.setattr(facts, "rent_facts", counted)
    facts.kept_rent_facts(ids, TODAY, ledger.stamps())
    with count_queries() as queries:
        facts.kept_rent_facts(ids, TODAY, ledger.stamps())
    assert read_for == [sorted(ids)]  # the second reading read no months
    assert len(queries) == 1  # the stamps' count
    rent_services.register_payment(
        _charge(people[1]).id, staff, dt.date(2027, 1, 2), "6200", "swish", "two"
    )
    facts.kept_rent_facts(ids, TODAY, ledger.stamps())
    assert read_for[-1] == [people[1].id]
    facts.kept_rent_facts(ids, TODAY + dt.timedelta(days=1), ledger.stamps())
    assert read_for[-1] == sorted(ids)  # a new day reads everyone's months again


def test_the_month_counts_summed_from_kept_places_are_those_read_afresh(app, three, make_user):
    """After each payment, reversal and home visit, the month's counts (everyone's and each
    contact person's) summed from what is kept equal the counts of a process that kept
    nothing; a payment reads the paid resident's place alone."""
    from intranet.models import Tenancy
    from intranet.rent import board
    from intranet.rent import rules as rent_rules

    staff, (sara, omar, lina) = three
    other = make_user("staff", display_name="Eva Ny")
    Tenancy.update(contact_person=other).where(Tenancy.id == lina.id).execute()
    clock.set_clock(TODAY)
    month = dt.date(2027, 3, 1)

    def same():
        kept = [board.month_counts(month, TODAY, c) for c in (None, staff.id, other.id)]
        cache.forget()
        assert kept == [board.month_counts(month, TODAY, c) for c in (None, staff.id, other.id)]
        return kept

    before = same()
    assert before[0]["all"] == 3 and before[2]["all"] == 1
    # Three months: January and February first, then March.
    rent_services.register_payment(_charge(omar, month).id, staff, TODAY, "18600", "swish", "m")
    with count_queries() as queries:
        after = board.month_counts(month, TODAY)
    # The version, the stamps' count, the stamps (one moved), and Omar's place alone.
    assert len(queries) == 4
    assert after == same()[0] and after != before[0]
    paid = Payment.get(Payment.request_key == "m")
    rent_services.reverse_payment(paid.id, staff, "fel rad")
    assert same()[0][rent_rules.NOT_YET_PAID] == before[0][rent_rules.NOT_YET_PAID]
    rent_services.register_payment(_charge(lina, month).id, staff, TODAY, "18600", "swish", "l")
    assert same()[2] != before[2]
    visits = before[0]["due"]["home_visit"]
    rent_services.mark_checkpoint(_charge(sara, month).id, "home_visit", staff, "Hemma")
    with count_queries() as queries:
        visited = board.month_counts(month, TODAY)
    assert len(queries) == 4  # a home visit reads Sara's place alone
    assert visited == same()[0] and visited["due"]["home_visit"] == visits - 2
