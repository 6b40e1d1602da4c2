"""A resident's rent page: repayment plans, the notice to the commissioner, rent money."""

import datetime as dt

import pytest
from conftest import login, post_form
from helpers import open_rent_month

from intranet import clock
from intranet.models import (
    AuditEvent,
    CommissionerNotice,
    Instalment,
    RentCharge,
    RentMoney,
    RepaymentPlan,
    Tenancy,
    User,
)

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
    assert "Skuld: 6\u00a0200\u00a0kr" in page
    assert AuditEvent.select().where(AuditEvent.detail == "rent page").count() == 1


def test_a_repayment_plan_must_add_up(rent_client, owing):
    url = f"/residents/{owing.id}/rent/plans"
    bad = post_form(
        rent_client,
        url,
        {"debt": "6200", "instalments": "2027-04-25 3000\n2027-05-25 3000", "note": ""},
        f"/residents/{owing.id}/rent",
    )
    assert bad.status_code == 422
    assert "Delbetalningarna måste bli skulden tillsammans." in bad.get_data(as_text=True)
    garbled = post_form(
        rent_client,
        url,
        {"debt": "6200", "instalments": "snart 6200", "note": ""},
        f"/residents/{owing.id}/rent",
    )
    assert "Rad 1 är inte ett datum och ett belopp." in garbled.get_data(as_text=True)
    ok = post_form(
        rent_client,
        url,
        {"debt": "6200", "instalments": "2027-04-25 3100\n2027-05-25 3100", "note": "Vid mötet"},
        f"/residents/{owing.id}/rent",
    )
    assert ok.status_code == 303
    assert RepaymentPlan.get().debt == 6200 and Instalment.select().count() == 2
    clock.set_clock(dt.date(2027, 4, 2))
    rent_client.get("/")  # the old session has ended
    login(rent_client, User.get_by_id(owing.contact_person_id))
    april = rent_client.get("/rent/?month=2027-04").get_data(as_text=True)
    assert "Delbetalning 2027-04-25: 3\u00a0100\u00a0kr" in april


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
