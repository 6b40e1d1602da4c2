"""A resident's rent page: repayment plans, the notice to the commissioner, rent money."""

import datetime as dt
import re

import pytest
from conftest import login, post_form
from helpers import open_rent_month

from intranet import clock
from intranet.models import (
    AuditEvent,
    CommissionerNotice,
    Instalment,
    PlanMonth,
    RentCharge,
    RentMoney,
    RepaymentPlan,
    Tenancy,
    User,
)
from intranet.rent import board, ledger, ledger_rules, services
from intranet.rent.rules import PAID_ON_TIME

TODAY = dt.date(2027, 3, 5)


@pytest.fixture
def owing(rent_client, rent_world):
    tenancy = rent_world[1]("Sara")
    clock.set_clock(dt.date(2027, 3, 20))
    rent_client.get("/rent/")  # the clock jump ends the session; the next login makes one
    login(rent_client, rent_world[0])
    open_rent_month()
    return tenancy


def test_the_resident_rent_page_prefills_the_notice_and_is_audited(rent_client, owing):
    page = rent_client.get(f"/residents/{owing.id}/rent").get_data(as_text=True)
    assert "Obetalda månader: 2027-03" in page
    assert "Skuld: 6\u00a0200,00\u00a0kr" in page
    assert AuditEvent.select().where(AuditEvent.detail == "rent page").count() == 1


def test_a_repayment_plan_takes_over_months_and_must_add_up_to_what_they_owe(rent_client, owing):
    url, page = f"/residents/{owing.id}/rent/plans", f"/residents/{owing.id}/rent"
    march = RentCharge.get()
    form = rent_client.get(page).get_data(as_text=True)
    chosen = re.search(r'<input[^>]*name="months"[^>]*>', form).group(0)
    assert "checked" in chosen and f'value="{march.id}"' in chosen  # owing months, chosen
    bad = post_form(
        rent_client,
        url,
        {"months": [march.id], "instalments": "2027-04-25 3000\n2027-05-25 3000", "note": ""},
        page,
    )
    assert bad.status_code == 422
    assert "Delbetalningarna måste bli det månaderna är skyldiga: 6\xa0200,00\xa0kr." in (
        bad.get_data(as_text=True)
    )
    none = post_form(rent_client, url, {"instalments": "2027-04-25 6200", "note": ""}, page)
    assert none.status_code == 422 and "Välj de månader planen gäller." in none.get_data(
        as_text=True
    )
    garbled = post_form(
        rent_client, url, {"months": [march.id], "instalments": "snart 6200", "note": ""}, page
    )
    assert "Rad 1 är inte ett datum och ett belopp." in garbled.get_data(as_text=True)
    ok = post_form(
        rent_client,
        url,
        {
            "months": [march.id],
            "instalments": "2027-04-25 3100\n2027-05-25 3100",
            "note": "Vid mötet",
        },
        page,
    )
    assert ok.status_code == 303
    plan = RepaymentPlan.get()
    assert plan.debt == 6200 and Instalment.select().count() == 2
    assert [m.charge_id for m in PlanMonth.select()] == [march.id]
    again = post_form(
        rent_client, url, {"months": [march.id], "instalments": "2027-04-25 6200"}, page
    )
    assert again.status_code == 422  # March is in a plan already
    clock.set_clock(dt.date(2027, 4, 2))
    rent_client.get("/")  # the old session has ended
    login(rent_client, User.get_by_id(owing.contact_person_id))
    april = rent_client.get("/rent/?month=2027-04").get_data(as_text=True)
    money = re.search(r'hx-get="(/rent/charges/\d+/money)"', april).group(1)  # the row's details
    opened = rent_client.get(money, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Delbetalning 2027-04-25: 3\u00a0100,00\u00a0kr" in opened


def test_payments_keep_a_plans_instalments_and_pay_its_months(app, rent_world, owing):
    """March's debt goes into a plan of two instalments; April's rent paid ahead is credit
    that April takes, not swept into the plan; the instalment paid on its day is kept and
    pays March; the next one, never paid, is missed."""
    staff = rent_world[0]
    march = RentCharge.get()
    services.create_plan(
        owing.id, staff, [march.id], [(dt.date(2027, 4, 25), 3100), (dt.date(2027, 5, 25), 3100)]
    )
    clock.set_clock(dt.date(2027, 3, 31))
    services.register_payment(march.id, staff, dt.date(2027, 3, 31), 6200, "swish", "a")
    clock.set_clock(dt.date(2027, 4, 1))
    open_rent_month(dt.date(2027, 4, 1))
    (april,) = board.month_rows(dt.date(2027, 4, 1), clock.today())
    assert april.status(clock.today()) == PAID_ON_TIME
    clock.set_clock(dt.date(2027, 4, 25))
    payment = services.register_payment(april.charge.id, staff, clock.today(), 3100, "swish", "b")
    (share,) = ledger.receipt_of(payment.id).shares
    assert (share.charge_id, share.amount, share.reason) == (
        march.id,
        3100,
        ledger_rules.PLAN_INSTALMENT,
    )
    assert [r.balance for r in board.tenancy_rows(owing.id)] == [3100, 0]
    clock.set_clock(dt.date(2027, 5, 26))
    (plan,) = ledger.instalments([owing.id], clock.today()).values()
    assert plan.tenancy_id == owing.id
    assert [(i.state, i.left) for i in plan.instalments] == [
        (ledger_rules.KEPT, 0),
        (ledger_rules.MISSED, 3100),
    ]
    open_rent_month(dt.date(2027, 5, 1))
    due = services.open_instalments([owing.id], dt.date(2027, 5, 1))[owing.id]
    assert [(i.due_on, i.left) for i in due] == [(dt.date(2027, 5, 25), 3100)]
    assert "/instalments/" not in _resident_page(app, rent_world, owing)  # nobody ticks


def _resident_page(app, rent_world, tenancy) -> str:
    client = app.test_client()
    login(client, rent_world[0])
    page = client.get(f"/residents/{tenancy.id}/rent").get_data(as_text=True)
    assert "hållen" in page and "missad" in page
    return page


def test_the_notice_is_recorded_with_its_date(rent_client, owing):
    url = f"/residents/{owing.id}/rent/notices"
    future = post_form(
        rent_client,
        url,
        {"text": "Underrättelse", "sent_on": "2027-03-21"},
        f"/residents/{owing.id}/rent",
    )
    assert future.status_code == 422
    ok = post_form(
        rent_client,
        url,
        {"text": "Underrättelse", "sent_on": "2027-03-20"},
        f"/residents/{owing.id}/rent",
    )
    assert ok.status_code == 303
    assert CommissionerNotice.get().sent_on == dt.date(2027, 3, 20)


def test_rent_money_is_recorded_for_commissioner_paid_tenancies(rent_client, owing):
    Tenancy.update(rent_payer="commissioner").where(Tenancy.id == owing.id).execute()
    charge = RentCharge.get()
    ok = post_form(
        rent_client,
        f"/residents/{owing.id}/rent/charges/{charge.id}/rent-money",
        {"paid_on": "2027-03-01", "amount": "6200"},
        f"/residents/{owing.id}/rent",
    )
    assert ok.status_code == 303
    bad = post_form(
        rent_client,
        f"/residents/{owing.id}/rent/charges/{charge.id}/rent-money",
        {"paid_on": "2027-03-01", "amount": "0"},
        f"/residents/{owing.id}/rent",
    )
    assert bad.status_code == 422
    assert RentMoney.select().count() == 1


def test_the_resident_page_runs_a_fixed_number_of_queries(rent_client, rent_world):
    from helpers import count_queries

    tenancy = rent_world[1]("Sara")
    from intranet.rent import services

    def queries():
        with count_queries() as log:
            assert rent_client.get(f"/residents/{tenancy.id}/rent").status_code == 200
        return len(log)

    services.open_month(dt.date(2027, 3, 1))
    one = queries()
    for month in (1, 2):
        services.open_month(dt.date(2027, month, 1))
    assert queries() == one


def test_a_plan_cannot_take_a_month_not_yet_due(app, rent_world, owing):
    """The service refuses what the form does not offer: April, opened early, falls due on
    31 March; on 20 March no plan may take it over."""
    open_rent_month(dt.date(2027, 4, 1))
    april = RentCharge.get(RentCharge.month == dt.date(2027, 4, 1))
    with pytest.raises(services.RentError, match="passerat förfallodagen|past their due day"):
        services.create_plan(owing.id, rent_world[0], [april.id], [(dt.date(2027, 4, 25), 6200)])
    assert RepaymentPlan.select().count() == 0


def test_no_notice_of_debt_for_a_resident_who_owes_nothing(rent_client, owing):
    charge = RentCharge.get()
    services.register_payment(
        charge.id, User.get(), dt.date(2027, 3, 20), charge.amount, "swish", "paid-all"
    )
    page = rent_client.get(f"/residents/{owing.id}/rent").get_data(as_text=True)
    assert "Inget är skuld" in page
    assert f'action="/residents/{owing.id}/rent/notices"' not in page
    refused = post_form(
        rent_client,
        f"/residents/{owing.id}/rent/notices",
        {"text": "Underrättelse", "sent_on": "2027-03-20"},
        f"/residents/{owing.id}/rent",
    )
    assert refused.status_code == 422
    assert CommissionerNotice.select().count() == 0
