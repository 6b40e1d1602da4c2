"""The stored rent ledger: every payment, whoever registers it, is allocated by the one
rule in the same transaction, each month's summary follows, and ``flask rent verify``
finds no month whose summary differs from what its charge and allocations say."""

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from bankfiles import Paid, bgmax
from helpers import add_resident

from intranet import clock
from intranet.bank import parse_file
from intranet.models import Allocation, Commissioner, Payment, PlanMonth, RentCharge, RentMonth
from intranet.rent import bank_imports as imports
from intranet.rent import ledger, rules, services

ROOT = Path(__file__).resolve().parent.parent
MARCH, APRIL = dt.date(2027, 3, 1), dt.date(2027, 4, 1)


@pytest.fixture
def sara(app, make_user, make_landlord):
    clock.set_clock(dt.date(2027, 3, 5))
    staff = make_user("staff")
    tenancy = add_resident(
        make_landlord(), Commissioner.create(name="Soc"), staff, "Sara", 6000, MARCH
    )
    services.open_month(MARCH)
    return tenancy, staff


def _charge(tenancy, month):
    return RentCharge.get((RentCharge.tenancy == tenancy.id) & (RentCharge.month == month))


def _summary(tenancy, month) -> RentMonth:
    return RentMonth.get(RentMonth.charge == _charge(tenancy, month).id)


def test_a_month_opened_has_its_summary(sara):
    tenancy, _staff = sara
    summary = _summary(tenancy, MARCH)
    assert (summary.charged, summary.paid_total, summary.settled_on) == (6000, 0, None)
    assert ledger.verify() == []


def test_a_payment_on_the_board_is_allocated_and_summed_at_once(sara):
    tenancy, staff = sara
    charge = _charge(tenancy, MARCH)
    payment = services.register_payment(
        charge.id, staff, dt.date(2027, 3, 4), Decimal(6500), "swish", "k1"
    )
    held = {(a.charge_id, Decimal(a.amount), a.day) for a in payment.allocations}
    assert held == {(charge.id, 6000, dt.date(2027, 3, 4)), (None, 500, dt.date(2027, 3, 4))}
    summary = _summary(tenancy, MARCH)
    assert (summary.paid_by_limit, summary.settled_on) == (6000, dt.date(2027, 3, 4))
    assert ledger.verify() == []


def test_the_next_month_takes_the_credit_dated_by_the_payment(sara):
    tenancy, staff = sara
    charge = _charge(tenancy, MARCH)
    services.register_payment(charge.id, staff, dt.date(2027, 3, 4), Decimal(12000), "cash", "k")
    clock.set_clock(dt.date(2027, 4, 1))
    services.open_month(APRIL)
    summary = _summary(tenancy, APRIL)
    assert (summary.paid_by_due, summary.settled_on) == (6000, dt.date(2027, 3, 4))
    assert summary.paid_by_due >= summary.charged  # April is paid on time
    assert Allocation.select().where(Allocation.charge.is_null()).count() == 0
    assert ledger.verify() == []


def test_a_reversed_payment_leaves_its_month_owed_again(sara):
    tenancy, staff = sara
    charge = _charge(tenancy, MARCH)
    payment = services.register_payment(
        charge.id, staff, dt.date(2027, 3, 2), Decimal(6000), "swish", "k1"
    )
    services.reverse_payment(payment.id, staff, "fel person")
    summary = _summary(tenancy, MARCH)
    assert (summary.paid_total, summary.settled_on) == (0, None)
    assert Allocation.select().where(Allocation.payment == payment.id).count() == 0
    assert Payment.get_by_id(payment.id).reversal_reason == "fel person"
    assert ledger.verify() == []


def test_a_bank_file_payment_is_allocated_by_the_same_rule(sara, app_context):
    tenancy, staff = sara
    data = bgmax([Paid(tenancy.payment_reference, 6000, dt.date(2027, 3, 3))])
    preview = imports.save_preview(imports.plan(parse_file(data)), "bg.txt", "0" * 64, staff)
    imports.confirm(preview.id, staff)
    summary = _summary(tenancy, MARCH)
    assert (summary.paid_total, summary.settled_on) == (6000, dt.date(2027, 3, 3))
    assert ledger.verify() == []


def test_verify_finds_a_summary_changed_behind_the_ledgers_back_and_fix_rewrites_it(sara, runner):
    tenancy, _staff = sara
    RentMonth.update(paid_total=100).where(RentMonth.tenancy == tenancy.id).execute()
    result = runner.invoke(args=["rent", "verify"])
    assert result.exit_code == 1
    assert "1 month summaries differ" in result.output
    assert "charged 6000" in result.output
    fixed = runner.invoke(args=["rent", "verify", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert runner.invoke(args=["rent", "verify"]).exit_code == 0
    assert _summary(tenancy, MARCH).paid_total == 0


def test_the_demo_is_booked_by_the_ledger(app, runner):
    clock.set_clock(dt.date(2026, 12, 6))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert Allocation.select().count() > 0
    assert RentMonth.select().count() == RentCharge.select().count()
    assert ledger.verify() == []
    for payment in Payment.select().where(Payment.reversed_at.is_null()):
        held = sum(Decimal(a.amount) for a in payment.allocations)
        assert held == Decimal(payment.amount), payment.id


def test_a_first_month_from_the_6th_falls_due_on_move_in_day(sara, make_landlord):
    tenancy, staff = sara
    later = add_resident(
        make_landlord("B AB"),
        Commissioner.create(name="S2"),
        staff,
        "Ali",
        6200,
        dt.date(2027, 3, 6),
    )
    rows = services.charge_rows([later], [MARCH], clock.now())
    assert [(row["due_on"], row["amount"]) for row in rows] == [
        (dt.date(2027, 3, 6), rules.pro_rata(6200, MARCH, dt.date(2027, 3, 6), None))
    ]


WRITES = {"create", "insert", "insert_many", "update", "delete", "get_or_create", "replace"}
LEDGER_TABLES = {
    "Payment",
    "Allocation",
    "RentMonth",
    "AllocationMove",
    "PlanMonth",
    "ChargeChange",
}
LEDGER = ROOT / "intranet" / "rent" / "ledger.py"


def test_only_the_ledger_writes_payments_allocations_summaries_plans_and_moves():
    writers = []
    for path in (ROOT / "intranet").rglob("*.py"):
        if path == LEDGER:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in WRITES
                and isinstance(node.value, ast.Name)
                and node.value.id in LEDGER_TABLES
            ):
                writers.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}")
    assert writers == []


def test_no_two_areas_import_each_other():
    """The areas depend one way: residents on rent, rent on the bank files' readers; the
    readers on nothing of the product's areas."""
    areas = {p.name for p in (ROOT / "intranet").iterdir() if (p / "__init__.py").exists()}
    uses: dict = {}
    for path in (ROOT / "intranet").rglob("*.py"):
        area = path.relative_to(ROOT / "intranet").parts[0]
        if area not in areas:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                other = node.module.split(".")[0]
                if other in areas and other != area:
                    uses.setdefault(area, set()).add(other)
    both_ways = sorted(
        (a, b) for a, used in uses.items() for b in used if a < b and a in uses.get(b, ())
    )
    assert both_ways == []
    assert "bank" not in uses or uses["bank"] <= {"models"}


def test_the_migration_books_the_payments_already_registered(app, runner):
    """The demo's payments, with the ledger's tables dropped (migration 0014 reverted) and
    made again: every payment is booked and every month summed, as the ledger books them."""
    from playhouse.migrations import Runner

    from intranet.extensions import db
    from intranet.migrate import MIGRATIONS_DIR

    clock.set_clock(dt.date(2026, 12, 6))
    assert runner.invoke(args=["demo"]).exit_code == 0
    booked = sorted(Allocation.select(Allocation.payment, Allocation.charge).tuples())
    planned = sorted(PlanMonth.select(PlanMonth.plan, PlanMonth.charge).tuples())
    assert planned  # the demo's plans name the months they cover
    migrations = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    reverted = migrations.down("0014_rent_ledger")  # and every migration after it
    try:
        assert reverted[-1] == "0014_rent_ledger" and "0015_plan_months_and_moves" in reverted
        assert "allocation" not in db.get_tables() and "plan_month" not in db.get_tables()
    finally:
        assert migrations.up() == reverted[::-1]
    assert sorted(Allocation.select(Allocation.payment, Allocation.charge).tuples()) == booked
    # Plans made before months were named take the months that owed when they were made.
    assert sorted(PlanMonth.select(PlanMonth.plan, PlanMonth.charge).tuples()) == planned
    assert RentMonth.select().count() == RentCharge.select().count()
    assert ledger.verify() == []


def test_the_migration_prints_the_months_whose_group_the_rule_changed(
    app, make_user, make_landlord, capsys
):
    """February 800 kr short, 6 000 kr typed on March's row on 10 March: the earlier rule
    counted March paid late; the ledger pays February first, so March is 800 kr short after
    its 15th. The upgrade prints that month, and only the months that changed."""
    from playhouse.migrations import Runner

    from intranet.extensions import db
    from intranet.migrate import MIGRATIONS_DIR

    february = dt.date(2027, 2, 1)
    clock.set_clock(february)
    staff = make_user("staff")
    tenancy = add_resident(
        make_landlord(), Commissioner.create(name="Soc"), staff, "Sara", 6000, february
    )
    services.open_month(february)
    services.register_payment(
        _charge(tenancy, february).id, staff, dt.date(2027, 1, 30), Decimal(5200), "cash", "f"
    )
    clock.set_clock(dt.date(2027, 3, 20))
    services.open_month(MARCH)
    services.register_payment(
        _charge(tenancy, MARCH).id, staff, dt.date(2027, 3, 10), Decimal(6000), "cash", "m"
    )
    migrations = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    migrations.down("0016_months_regrouped")
    capsys.readouterr()
    migrations.up()  # 0016 prints; the ones after it add tables
    printed = capsys.readouterr().out.splitlines()
    assert "rent ledger: 1 month(s) changed group under the new rule" in printed
    assert f"  tenancy {tenancy.id} 2027-03: paid_late -> not_paid" in printed
    assert ledger.verify() == []


def test_a_month_recharged_at_move_out_is_replayed_where_it_happened(app, make_user, make_landlord):
    """February's debt is in a plan with 1 000 kr due on 1 March; 6 200 kr on 2 March pays
    March, the oldest month outside the plan. Sara moves out on 10 March: March is charged
    2 000 kr and 4 200 kr goes back to credit, not to the plan, since the payment was March's
    when it came. The change is recorded, and the ledger booked anew keeps it so."""
    from intranet.models import ChargeChange
    from intranet.residents import services as residents

    february = dt.date(2027, 2, 1)
    clock.set_clock(february)
    staff = make_user("staff")
    sara = add_resident(
        make_landlord(), Commissioner.create(name="Soc"), staff, "Sara", 6200, february
    )
    services.open_month(february)
    clock.set_clock(dt.date(2027, 2, 25))
    services.create_plan(
        sara.id, staff, [_charge(sara, february).id], [(MARCH, 1000), (APRIL, 5200)]
    )
    clock.set_clock(MARCH)
    services.open_month(MARCH)
    clock.set_clock(dt.date(2027, 3, 2))
    services.register_payment(
        _charge(sara, MARCH).id, staff, dt.date(2027, 3, 2), Decimal(6200), "swish", "k"
    )
    clock.set_clock(dt.date(2027, 3, 12))
    residents.move_out(sara.id, dt.date(2027, 3, 10), "own_lease", "", staff)
    change = ChargeChange.get()
    assert (change.charge_id, change.old_amount, change.new_amount) == (
        _charge(sara, MARCH).id,
        6200,
        2000,
    )
    assert (change.reason, change.changed_by_id) == ("move-out 2027-03-10", staff.id)
    held = {(a.charge_id, Decimal(a.amount)) for a in Allocation.select() if a.amount > 0}
    assert held == {(_charge(sara, MARCH).id, 2000), (None, 4200)}
    ledger.rebuild([sara.id])
    assert {(a.charge_id, Decimal(a.amount)) for a in Allocation.select() if a.amount > 0} == held
    assert ledger.verify() == []
