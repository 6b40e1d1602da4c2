"""The rent board's groups, checkpoints, filters and counts are computed in SQL over the
ledger's month summaries; they must say exactly what the rules in ``ledger_rules`` say over
the same summaries, on SQLite and PostgreSQL alike."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from helpers import count_queries

from intranet import clock
from intranet.models import Checkpoint, Referral, RentCharge
from intranet.rent import board, ledger, rules, services

FEBRUARY, MARCH = dt.date(2027, 2, 1), dt.date(2027, 3, 1)
DAYS = [
    dt.date(2027, 2, 27),
    dt.date(2027, 3, 1),
    dt.date(2027, 3, 4),
    dt.date(2027, 3, 5),
    dt.date(2027, 3, 14),
    dt.date(2027, 3, 15),
    dt.date(2027, 3, 16),
    dt.date(2027, 4, 2),
]


def _random_month(rent_world, seed: int, residents: int = 24):
    """Residents with rents in öre, some moving in or out in March; payments early, on the
    checkpoint days, late, partial, reversed, overpaid in February (credit into March), all
    registered through the ledger; and some checkpoints done."""
    staff, resident = rent_world
    rng = random.Random(seed)
    clock.set_clock(dt.date(2027, 4, 30))
    for n in range(residents):
        rent = Decimal(rng.choice([5000, 6200, 7300, 7300.55, 4999.99, 6100.1])).quantize(
            Decimal("0.01")
        )
        start = rng.choice([dt.date(2027, 1, 1)] * 4 + [dt.date(2027, 3, 1), dt.date(2027, 3, 10)])
        tenancy = resident(f"R{n:02d}", rent=rent, start=start)
        if rng.random() < 0.15:
            tenancy.end_date = rng.choice([dt.date(2027, 3, 3), dt.date(2027, 3, 12)])
            tenancy.save()
    services.open_month(FEBRUARY)
    services.open_month(MARCH)
    key = 0
    for charge in RentCharge.select().order_by(RentCharge.id):
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            key += 1
            day = charge.month + dt.timedelta(days=rng.randint(-4, 20))
            share = rng.choice([Decimal(1), Decimal("0.5"), Decimal("0.3333"), Decimal("1.2")])
            amount = (charge.amount * share).quantize(Decimal("0.01"))
            payment = services.register_payment(charge.id, staff, day, amount, "swish", f"k{key}")
            if rng.random() < 0.1:
                services.reverse_payment(payment.id, staff, "fel")
        if charge.month == MARCH:
            for kind in rules.CHECKPOINTS:
                if rng.random() < 0.2:
                    Checkpoint.create(charge=charge, kind=kind, done_by=staff)
    assert ledger.verify() == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_says_what_the_rules_say(app, rent_world, seed):
    _random_month(rent_world, seed)
    for today in DAYS:
        rows = board.month_rows(MARCH, today)
        assert len(rows) == 24
        by_status: dict = {}
        for row in rows:
            by_status.setdefault(row.status(today), set()).add(row.charge.id)
        for status in [*rules_statuses()]:
            shown = {r.charge.id for r in board.month_rows(MARCH, today, status=status)}
            assert shown == by_status.get(status, set()), (today, status)
        needing = {
            r.charge.id
            for r in rows
            if any(board.checkpoint_state(r, k, today) == "due" for k in rules.CHECKPOINTS)
        }
        shown = {r.charge.id for r in board.month_rows(MARCH, today, action_today=True)}
        assert shown == needing, today
        # A start page's first few are the board's first few by name.
        action = board.BoardFilters(action_today=True)
        first = [r.charge.id for r in board.first_rows(MARCH, today, action, 3)]
        assert first == [r.charge.id for r in board.month_rows(MARCH, today, action, limit=3)]
        counts = board.month_counts(MARCH, today)
        assert counts["needs_action"] == len(needing) and counts["all"] == 24
        for kind in rules.CHECKPOINTS:
            due = {r.charge.id for r in rows if board.checkpoint_state(r, kind, today) == "due"}
            assert {r.charge.id for r in board.month_rows(MARCH, today, due=kind)} == due
        for status, ids in by_status.items():
            assert counts[status] == len(ids), (today, status)
        for kind in rules.CHECKPOINTS:
            expected = sum(1 for r in rows if board.checkpoint_state(r, kind, today) == "due")
            assert counts["due"][kind] == expected, (today, kind)
        # The board reads how many a filter keeps from the counts where they say it.
        for filters in [
            board.BoardFilters(),
            board.BoardFilters(action_today=True),
            *(board.BoardFilters(status=status) for status in rules_statuses()),
            *(board.BoardFilters(due=kind) for kind in rules.CHECKPOINTS),
        ]:
            assert filters.counted_in(counts) == board.month_count(MARCH, today, filters)
        staff = rows[0].charge.tenancy.contact_person_id
        for filters in [
            board.BoardFilters(contact=staff),
            board.BoardFilters(contact=staff, action_today=True),
            *(board.BoardFilters(contact=staff, status=status) for status in rules_statuses()),
        ]:
            own = board.month_counts(MARCH, today, staff)
            assert filters.counted_in(own) == board.month_count(MARCH, today, filters)
        for narrower in [
            board.BoardFilters(contact_name="Jo"),
            board.BoardFilters(status=rules.NOT_PAID, action_today=True),
            board.BoardFilters(charge_id=rows[0].charge.id),
        ]:
            assert narrower.counted_in(counts) is None


def rules_statuses():
    return [
        rules.PAID_ON_TIME,
        rules.PAID_LATE,
        rules.NOT_PAID,
        rules.NOT_YET_PAID,
        rules.PARTLY_PAID,
    ]


def test_the_board_and_the_residents_own_months_read_the_same_summary(app, rent_world):
    _random_month(rent_world, 4)
    for row in board.month_rows(MARCH, dt.date(2027, 3, 20), held=True):
        own = {r.charge.id: r for r in board.tenancy_rows(row.charge.tenancy_id)}
        assert own[row.charge.id].summary == row.summary
        assert own[row.charge.id].credit == row.credit
        assert sum(a.amount for a in row.held) == row.paid


def test_the_contact_filter(app, rent_world, make_user):
    staff, resident = rent_world
    other = make_user("staff")
    resident("Sara")
    omar = resident("Omar")
    omar.contact_person = other
    omar.save()
    services.open_month(MARCH)
    names = [
        r.charge.tenancy.referral.first_name
        for r in board.month_rows(MARCH, clock.today(), contact=other.id)
    ]
    assert names == ["Omar"]


def test_one_row_and_the_counts_take_the_same_queries_however_big_the_month(app, rent_world):
    _staff, resident = rent_world
    resident("Sara")
    services.open_month(MARCH)
    charge = RentCharge.get()

    def queries():
        with count_queries() as log:
            assert len(board.month_rows(MARCH, clock.today(), charge_id=charge.id, held=True)) == 1
            board.month_counts(MARCH, clock.today())
        return len(log)

    small = queries()
    for n in range(15):
        resident(f"P{n}")
    services.open_month(MARCH)
    # The row's two and its money; the counts' version, who is charged, the count of the
    # ledger's stamps, the stamps and each resident's place (kept from here on until a
    # write: then the version and the stamps' count alone).
    assert queries() == small == 8
    with count_queries() as log:
        board.month_counts(MARCH, clock.today())
    assert len(log) == 2


@pytest.mark.parametrize(
    ("paid_month", "paid_on", "amount", "credit", "march"),
    [
        # Twice February's rent, entered on February, pays January first: March is owed.
        (FEBRUARY, dt.date(2027, 1, 30), 2000, Decimal(0), rules.NOT_PAID),
        # Four months' rent in advance: January to March on time, and one month waiting.
        (dt.date(2027, 1, 1), dt.date(2026, 12, 30), 4000, Decimal(1000), rules.PAID_ON_TIME),
    ],
)
def test_credit_is_the_same_on_every_page(
    app, rent_world, paid_month, paid_on, amount, credit, march
):
    """The board, the resident's months and rent over time read the same month."""
    from intranet.rent import stats

    staff, resident = rent_world
    sara = resident("Sara", rent=1000, start=dt.date(2027, 1, 1))
    clock.set_clock(dt.date(2027, 4, 20))
    for month in (1, 2, 3):
        services.open_month(dt.date(2027, month, 1))
    services.register_payment(
        RentCharge.get(RentCharge.month == paid_month).id,
        staff,
        paid_on,
        amount,
        "swish",
        "k",
        confirmed=True,  # four months' rent: asked about, and meant
    )
    (row,) = board.month_rows(MARCH, clock.today())
    own = board.tenancy_rows(sara.id)
    assert row.credit == own[2].credit == credit
    assert row.status(clock.today()) == own[2].status(clock.today()) == march
    settled = {s.charge.month: s.status for s in stats.settled_months(clock.today())}
    assert settled[MARCH] == march


def test_the_first_rows_follow_a_checkpoint_done(app, rent_world):
    """Kept between requests, a start page's first rows needing action still change the
    moment a checkpoint is done, a payment is made or a name changes."""
    staff, resident = rent_world
    for name in ("Ali", "Bo", "Cia"):
        resident(name, start=dt.date(2027, 1, 1))
    services.open_month(MARCH)
    today = dt.date(2027, 3, 6)
    clock.set_clock(today)
    action = board.BoardFilters(action_today=True)

    def first():
        return [
            r.charge.tenancy.referral.first_name for r in board.first_rows(MARCH, today, action, 2)
        ]

    assert first() == ["Ali", "Bo"]
    ali = RentCharge.get(RentCharge.id == board.first_rows(MARCH, today, action, 1)[0].charge.id)
    for kind in ("reminder", "home_visit"):
        services.mark_checkpoint(ali.id, kind, staff, "", "")
    assert first() == ["Bo", "Cia"]
    bo = board.first_rows(MARCH, today, action, 1)[0].charge
    services.register_payment(bo.id, staff, today, bo.amount, "swish", "k-bo")
    assert first() == ["Cia"]
    cia = board.first_rows(MARCH, today, action, 1)[0].charge.tenancy.referral_id
    Referral.update(first_name="Amir").where(Referral.id == cia).execute()
    assert first() == ["Amir"]
