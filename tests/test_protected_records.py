"""A resident with protected personal details is open only to the manager, their contact
person and, before move-in, the referral's responsible staff member. Everyone else sees
"Skyddade personuppgifter" in their place, with nothing that is theirs (name, district,
flat, rent, dates), on the lists, the board, the downloads and the letters, and cannot open
their pages or act on their months; the counts still include them."""

import datetime as dt

import pytest
from conftest import login, pay_on_board
from helpers import open_rent_month

from intranet.models import Payment, Referral, RentCharge, Role

PROTECTED = "Skyddade personuppgifter"
SARA = "Sara Ek"


@pytest.fixture
def world(rent_world, make_user):
    contact, resident = rent_world
    sara = resident("Sara", rent=7131, start=dt.date(2026, 11, 17))
    Referral.update(protected_identity=True).where(Referral.id == sara.referral_id).execute()
    from intranet.models import Flat

    Flat.update(district="Skärholmen", address="Hemliga gatan 3").where(
        Flat.id == sara.flat_id
    ).execute()
    ali = resident("Ali", rent=5000)
    open_rent_month()
    other = make_user(Role.STAFF, display_name="Annan Handläggare")
    manager = make_user(Role.MANAGER, display_name="Maria Chef")
    return {"contact": contact, "other": other, "manager": manager, "sara": sara, "ali": ali}


def _theirs(text: str) -> list[str]:
    """What of Sara's record a text shows."""
    details = [SARA, "Skärholmen", "Hemliga gatan", "2026-11-17", "7\xa0131", "7131"]
    return [d for d in details if d in text]


@pytest.mark.parametrize(
    "url",
    ["/residents/", "/residents/export.csv", "/rent/", "/rent/export.csv", "/rent/notices"],
)
def test_others_see_protected_personal_details_and_nothing_of_theirs(client, world, url):
    login(client, world["other"])
    response = client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert _theirs(text) == []
    if not url.endswith("notices"):
        assert PROTECTED in text and "Ali Ek" in text
    else:  # the letter says why it has no address, and who prints it with one
        assert "lägger till adressen" in text


@pytest.mark.parametrize("who", ["contact", "manager"])
def test_the_manager_and_the_contact_person_see_the_whole_record(client, world, who):
    login(client, world[who])
    text = client.get("/residents/").get_data(as_text=True)
    assert SARA in text and "Hemliga gatan 3" in text and PROTECTED not in text
    assert client.get(f"/residents/{world['sara'].id}").status_code == 200


def test_others_cannot_open_their_pages_or_act_on_their_month(client, world):
    sara = world["sara"]
    login(client, world["other"])
    for url in (
        f"/residents/{sara.id}",
        f"/residents/{sara.id}/rent",
        f"/residents/{sara.id}/rent/notice",
        f"/referrals/{sara.referral_id}",
        f"/referrals/{sara.referral_id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    charge = RentCharge.get(RentCharge.tenancy == sara.id)
    assert pay_on_board(client, charge, amount="7131").status_code == 403
    assert Payment.select().count() == 0


def test_the_counts_include_them(client, world):
    login(client, world["other"])
    text = client.get("/rent/").get_data(as_text=True)
    assert text.count('class="rent-row') == 2


@pytest.fixture
def waiting(world):
    """A protected person waiting for a flat, the contact person made responsible."""
    from test_referrals import make_referral

    from intranet.models import Commissioner

    person = make_referral(
        Commissioner.get(),
        first_name="Vera",
        last_name="Gömdsdotter",
        protected_identity=True,
        responsible=world["contact"],
    )
    Referral.update(status="waiting").where(Referral.id == person.id).execute()
    return Referral.get_by_id(person.id)


@pytest.mark.parametrize("url", ["/referrals/", "/referrals/export.csv", "/matching/"])
def test_a_protected_person_waiting_is_protected_on_the_referral_and_matching_lists(
    client, world, waiting, url
):
    login(client, world["other"])
    text = client.get(url).get_data(as_text=True)
    assert "Gömdsdotter" not in text and PROTECTED in text
    assert client.get(f"/matching/?referral={waiting.id}").status_code == 403
    assert client.get(f"/referrals/{waiting.id}").status_code == 403


@pytest.mark.parametrize("who", ["contact", "manager"])
def test_the_responsible_staff_member_and_the_manager_see_them_waiting(client, world, waiting, who):
    login(client, world[who])
    for url in ("/referrals/", "/matching/"):
        assert "Vera Gömdsdotter" in client.get(url).get_data(as_text=True)
