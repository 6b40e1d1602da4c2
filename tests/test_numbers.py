"""Numbers as a Swedish user types them: the one reader every form uses, the fields that
render it as a text box, and two forms that store what was typed or refuse it unchanged."""

import datetime as dt
import importlib
import inspect
import re
from decimal import Decimal

import pytest
from conftest import TEST_CONFIG, login, pay_on_board, post_form
from flask_wtf import FlaskForm
from helpers import open_rent_month
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, IntegerField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, NumberRange, Optional

from intranet import clock
from intranet.forms import AmountField, NumberField, WholeNumberField, whole_number
from intranet.models import Flat, Payment, RentCharge, Role, User
from intranet.numbers import NumberError, parse_number

NBSP, NARROW_NBSP, THIN = "\u00a0", "\u202f", "\u2009"
HX = {"HX-Request": "true"}

SIZE = {"places": 1, "unit": "m²"}
AMOUNT = {"places": 2, "unit": "kr"}
WHOLE = {"whole": True}
PERCENT = {"whole": True, "unit": "%"}


# ---- the reader ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("25,5", SIZE, "25.5"),
        ("25.5", SIZE, "25.5"),
        ("25", SIZE, "25"),
        ("  25,5  ", SIZE, "25.5"),
        ("4850", AMOUNT, "4850"),
        ("4850,50", AMOUNT, "4850.50"),
        ("4850.50", AMOUNT, "4850.50"),
        ("4850.5", AMOUNT, "4850.5"),
        ("4 850,50", AMOUNT, "4850.50"),
        (f"4{NBSP}850,50", AMOUNT, "4850.50"),
        (f"4{NARROW_NBSP}850,50", AMOUNT, "4850.50"),
        (f"4{THIN}850,50", AMOUNT, "4850.50"),
        ("4 850.50", AMOUNT, "4850.50"),
        ("1 000 000", AMOUNT, "1000000"),
        (f"1{NBSP}234{NBSP}567,89", AMOUNT, "1234567.89"),
        ("0,5", AMOUNT, "0.5"),
        (",5", AMOUNT, "0.5"),
        ("0", AMOUNT, "0"),
        # A sign: the hyphen, the minus sign (which the pages print) or a plus.
        ("-100", AMOUNT, "-100"),
        ("\u2212100", AMOUNT, "-100"),
        (f"\u22124{NBSP}850,50", AMOUNT, "-4850.50"),
        ("+100", AMOUNT, "100"),
        ("-0", AMOUNT, "0"),
        ("-2", WHOLE, "-2"),
        ("\u22122", WHOLE, "-2"),
        # The field's unit may follow the number, with or without a space.
        ("4 850 kr", AMOUNT, "4850"),
        ("4850kr", AMOUNT, "4850"),
        ("4850 kr.", AMOUNT, "4850"),
        ("4 850 KR", AMOUNT, "4850"),
        (f"4{NBSP}850,50{NBSP}kr", AMOUNT, "4850.50"),
        ("4 850 kronor", AMOUNT, "4850"),
        ("4850 SEK", AMOUNT, "4850"),
        ("4 850:-", AMOUNT, "4850"),
        ("4850,-", AMOUNT, "4850"),
        ("54,5 m²", SIZE, "54.5"),
        ("54,5m2", SIZE, "54.5"),
        ("54 kvm", SIZE, "54"),
        ("50 %", PERCENT, "50"),
        ("50%", PERCENT, "50"),
        ("3", WHOLE, "3"),
        ("1 200", WHOLE, "1200"),
    ],
)
def test_numbers_are_read_as_a_swede_writes_them(text, kind, value):
    read = parse_number(text, **kind)
    assert read == Decimal(value)
    assert str(read) == value  # the decimals typed, no more and no fewer


TWO_WAYS = "“{typed}” can be read two ways. Write {thousands} or {decimals}."
MIXED = "Write {}: a comma before the decimals, and a space or nothing between the thousands."
GROUPS = "Put a space only between thousands, for example 4 850."
NUMBER = "Enter a number, for example 7 300 or 54,5."
WHOLE_NUMBER = "Enter a whole number, for example 3."


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        # A point (or, where the field takes fewer decimals, a comma) before exactly
        # three digits: thousands or decimals? The message shows both ways to write it.
        ("4.850", AMOUNT, TWO_WAYS.format(typed="4.850", thousands="4850", decimals="4,85")),
        ("4,850", AMOUNT, TWO_WAYS.format(typed="4,850", thousands="4850", decimals="4,85")),
        ("4.850", SIZE, TWO_WAYS.format(typed="4.850", thousands="4850", decimals="4,85")),
        ("12.500", SIZE, TWO_WAYS.format(typed="12.500", thousands="12500", decimals="12,5")),
        ("250.000", AMOUNT, TWO_WAYS.format(typed="250.000", thousands="250000", decimals="250")),
        (
            "\u22124.850 kr",
            AMOUNT,
            TWO_WAYS.format(typed="\u22124.850", thousands="-4850", decimals="-4,85"),
        ),
        ("4.850", WHOLE, "Write 4850, without a point or comma."),
        ("1,200", WHOLE, "Write 1200, without a point or comma."),
        # Both separators, or one of them between thousands: written the Swedish way.
        ("1.616,00", AMOUNT, MIXED.format("1616,00")),
        ("1,616.00", AMOUNT, MIXED.format("1616,00")),
        ("1.234.567,89", AMOUNT, MIXED.format("1234567,89")),
        ("4.850.000", AMOUNT, MIXED.format("4850000")),
        ("1,234,567", AMOUNT, MIXED.format("1234567")),
        ("1.616,00", WHOLE, MIXED.format("1616")),
        # More decimals than the field takes.
        ("4850,505", AMOUNT, "Write at most two decimals, for example 4 850,50."),
        ("0.850", AMOUNT, "Write at most two decimals, for example 4 850,50."),
        ("25,55", SIZE, "Write at most one decimal, for example 25,5."),
        ("2,5", WHOLE, "Enter a whole number, without decimals."),
        ("2.5", WHOLE, "Enter a whole number, without decimals."),
        ("50,5 %", PERCENT, "Enter a whole number, without decimals."),
        # Spaces only between thousands.
        ("48 50", AMOUNT, GROUPS),
        ("4850 50", AMOUNT, GROUPS),
        ("4 8500", AMOUNT, GROUPS),
        # No number at all.
        ("", AMOUNT, NUMBER),
        ("   ", AMOUNT, NUMBER),
        ("sjutusen", AMOUNT, NUMBER),
        ("NaN", AMOUNT, NUMBER),
        ("sNaN", SIZE, NUMBER),
        ("Infinity", AMOUNT, NUMBER),
        ("-inf", AMOUNT, NUMBER),
        ("1e5", AMOUNT, NUMBER),
        ("0x10", AMOUNT, NUMBER),
        ("5,", AMOUNT, NUMBER),
        ("4,85 0", AMOUNT, NUMBER),
        ("--5", AMOUNT, NUMBER),
        ("- 5", AMOUNT, NUMBER),
        ("4\t850", AMOUNT, NUMBER),
        ("４８５０", AMOUNT, NUMBER),  # full-width digits
        ("٤٨٥٠", AMOUNT, NUMBER),  # Arabic-Indic digits
        ("kr", AMOUNT, NUMBER),
        ("25 kr", SIZE, NUMBER),  # another field's unit
        ("4850 €", AMOUNT, NUMBER),
        ("två", WHOLE, WHOLE_NUMBER),
        ("3 rum", WHOLE, WHOLE_NUMBER),
    ],
)
def test_what_could_be_misread_is_refused_with_how_to_write_it(text, kind, message):
    with pytest.raises(NumberError) as refused:
        parse_number(text, **kind)
    assert str(refused.value.message) == message
    assert isinstance(refused.value, ValueError)


def test_a_field_may_name_its_own_message_for_no_number():
    with pytest.raises(NumberError) as refused:
        parse_number("many", whole=True, invalid="Enter the number of keys.")
    assert refused.value.message == "Enter the number of keys."


def test_a_field_with_any_number_of_decimals_reads_a_comma_before_three_digits_as_decimals():
    assert parse_number("4,850") == Decimal("4.850")
    assert parse_number("1,2345") == Decimal("1.2345")
    with pytest.raises(NumberError):
        parse_number("4.850")  # a point before three digits stays ambiguous
    with pytest.raises(NumberError) as refused:
        parse_number("1,2345", places=3)
    assert str(refused.value.message) == "Write at most 3 decimals."


def test_a_huge_number_is_read_whole_for_the_range_to_refuse():
    assert parse_number("9" * 10_000, whole=True) == Decimal("9" * 10_000)


# ---- the fields ----------------------------------------------------------------------


class NumbersForm(FlaskForm):
    class Meta:
        csrf = False

    size = NumberField(
        "Size",
        places=1,
        unit="m²",
        validators=[
            InputRequired("Enter the size."),
            NumberRange(min=10, max=300, message="10 to 300."),
        ],
    )
    rent = AmountField(
        "Rent", validators=[InputRequired("Enter the rent."), NumberRange(min=1, max=50000)]
    )
    rooms = whole_number("Rooms", 1, 10, "Enter the rooms.", "1 to 10 rooms.")
    floor = whole_number("Floor", -2, 40, "Enter the floor.", "-2 to 40.")
    keys = WholeNumberField(
        "Keys", validators=[Optional(), NumberRange(min=0, max=20, message="0 to 20.")]
    )


def _form(app, language="sv", **data):
    with app.test_request_context(headers={"Accept-Language": language}):
        form = NumbersForm(formdata=MultiDict(data) if data else None)
        valid = form.validate() if data else None
        rendered = {name: str(form[name]()) for name in ("size", "rent", "rooms", "floor", "keys")}
        return form, valid, rendered


@pytest.fixture
def bare_app():
    """The application without a database: the fields need a request, not tables."""
    from intranet import create_app

    return create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite:///:memory:"})


def test_the_fields_are_text_boxes_without_spin_arrows(bare_app):
    _, _, rendered = _form(bare_app)
    for name, html in rendered.items():
        assert 'type="text"' in html and "number" not in html, name
        assert 'autocomplete="off"' in html, name
    assert 'inputmode="decimal"' in rendered["size"] and 'inputmode="decimal"' in rendered["rent"]
    assert 'inputmode="numeric"' in rendered["rooms"] and 'inputmode="numeric"' in rendered["keys"]
    # A floor may be below ground: the phone's ordinary keyboard has the minus sign.
    assert "inputmode" not in rendered["floor"]
    # Nothing the browser would check in its own language, nothing that narrows the box.
    for html in rendered.values():
        assert not re.search(r"\b(min|max|step|pattern|size)=", html)


def test_the_fields_store_what_was_typed(bare_app):
    form, valid, _ = _form(
        bare_app,
        size="25,5 m²",
        rent=f"4{NBSP}850,50 kr",
        rooms="2",
        floor="\u22121",
        keys="",
    )
    assert valid, form.errors
    assert form.size.data == Decimal("25.5") and isinstance(form.size.data, Decimal)
    assert form.rent.data == Decimal("4850.50")
    assert form.rooms.data == 2 and isinstance(form.rooms.data, int)
    assert form.floor.data == -1 and form.keys.data is None


def test_a_refused_number_has_one_message_and_comes_back_as_typed(bare_app):
    form, valid, rendered = _form(
        bare_app, size="4.850", rent="1.616,00", rooms="2,5", floor="two", keys="9" * 10_000
    )
    assert valid is False
    assert form.size.errors == [TWO_WAYS.format(typed="4.850", thousands="4850", decimals="4,85")]
    assert form.rent.errors == [MIXED.format("1616,00")]
    assert form.rooms.errors == ["Enter a whole number, without decimals."]
    assert form.floor.errors == [WHOLE_NUMBER]
    assert form.keys.errors == ["0 to 20."]  # huge is the range's to refuse, not a 500
    assert 'value="4.850"' in rendered["size"] and 'value="1.616,00"' in rendered["rent"]


@pytest.mark.parametrize("blank", ["", "   ", NBSP])
def test_a_blank_number_is_missing(bare_app, blank):
    form, valid, _ = _form(bare_app, size=blank, rent="100", rooms=blank, floor="0", keys=blank)
    assert valid is False
    assert form.size.errors == ["Enter the size."]
    assert form.rooms.errors == ["Enter the rooms."]
    assert form.keys.errors == [] and form.keys.data is None


@pytest.mark.parametrize(
    ("language", "size", "rent"), [("sv", "54,5", "7300,50"), ("en", "54.5", "7300.50")]
)
def test_a_stored_number_is_shown_in_the_pages_language(bare_app, language, size, rent):
    with bare_app.test_request_context(headers={"Accept-Language": language}):
        form = NumbersForm(data={"size": Decimal("54.5"), "rent": Decimal("7300.5"), "rooms": 3})
        assert form.size._value() == size and form.rent._value() == rent
        assert form.rooms._value() == "3" and form.keys._value() == ""


# Hidden counters and ids the pages carry back stay whole-number fields of their own;
# everything else a person types is one of the number fields above.
# Ids and counters a page or a link carries, never typed: the flats list's landlord comes
# from a link (a landlord is searched for by name).
NOT_TYPED = {
    "revision",
    "flat",
    "referral",
    "flat_id",
    "referral_id",
    "shown",
    "contact",
    "owner",
    "landlord",
}


AREAS = ("admin", "audit", "auth", "flats", "landlords", "matching", "portal", "referrals")


def _form_classes():
    for area in (*AREAS, "rent", "residents", "road"):
        module = importlib.import_module(f"intranet.{area}.forms")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__.startswith("intranet"):
                yield cls


def test_every_number_a_person_types_is_read_by_the_one_reader():
    seen = set()
    for cls in _form_classes():
        for name in dir(cls):
            field = getattr(cls, name)
            if not isinstance(field, UnboundField):
                continue
            if issubclass(field.field_class, NumberField):
                seen.add(f"{cls.__name__}.{name}")
            elif issubclass(field.field_class, (IntegerField, DecimalField)):
                assert name in NOT_TYPED, f"{cls.__module__}.{cls.__name__}.{name}"
    assert {
        "FlatForm.rooms",
        "FlatForm.size_m2",
        "FlatForm.floor",
        "FlatForm.rent_to_landlord",
        "FlatForm.notice_months",
        "ChecklistForm.key_count",
        "MoveOutForm.key_count",
        "OfferForm.rent",
        "ReferralForm.occupation_percent",
        "ReferralForm.min_rooms",
        "LandlordForm.expected_flats",
        "WithinForm.within",
        "MoveInForm.rent",
        "AuditFilterForm.person",
        "PaymentForm.amount",
        "RentMoneyForm.amount",
        "MoveMoneyForm.amount",
    } <= seen


# ---- two forms, on both databases -----------------------------------------------------

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def flat_owner(make_pipeline_landlord):
    return make_pipeline_landlord("agreement_signed", name="Svenska Bostäder")


def _new_flat(owner, **fields):
    return {
        "landlord": str(owner.id),
        "address": "Rinkebysvängen 12",
        "postcode": "163 71",
        "postal_town": "Spånga",
        "district": "Rinkeby",
        "rooms": "2",
        "size_m2": "54,5",
        "floor": "3",
        "rent_to_landlord": "7300",
        "rent_to_resident": "7400",
        "kind": "training",
        "lease_start": "2026-12-01",
        "lease_end": "",
        "notice_months": "3",
        "note": "",
        **fields,
    }


def _staff(client, make_user, language="en"):
    clock.set_clock(TODAY)
    login(client, make_user(Role.STAFF, language=language))


def _beside(body: str, field: str) -> str:
    """The error the page shows right after the field ``field``."""
    found = re.search(rf'<small id="{field}-error" class="field-error">([^<]*)</small>', body)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"size_m2": "25,5"}, {"size_m2": Decimal("25.5")}),
        ({"size_m2": "25,5 m²"}, {"size_m2": Decimal("25.5")}),
        ({"rent_to_landlord": "4 850,50"}, {"rent_to_landlord": Decimal("4850.50")}),
        ({"rent_to_landlord": f"4{NBSP}850,50 kr"}, {"rent_to_landlord": Decimal("4850.50")}),
        ({"rent_to_landlord": f"4{NARROW_NBSP}850.50"}, {"rent_to_landlord": Decimal("4850.50")}),
        ({"floor": "\u22121", "rooms": " 3 "}, {"floor": -1, "rooms": 3}),
    ],
)
def test_the_new_flat_form_stores_a_number_as_it_was_typed(
    client, make_user, flat_owner, fields, stored
):
    _staff(client, make_user)
    assert post_form(client, "/flats/new", _new_flat(flat_owner, **fields)).status_code == 303
    flat = Flat.get()
    assert {name: getattr(flat, name) for name in stored} == stored


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"size_m2": "4.850"},
            "size_m2",
            TWO_WAYS.format(typed="4.850", thousands="4850", decimals="4,85"),
        ),
        ({"size_m2": "25,55"}, "size_m2", "Write at most one decimal, for example 25,5."),
        ({"size_m2": "25 kr"}, "size_m2", NUMBER),
        ({"size_m2": "9,9"}, "size_m2", "Enter 10 to 300 m²."),
        ({"rent_to_landlord": "1.616,00"}, "rent_to_landlord", MIXED.format("1616,00")),
        ({"rent_to_landlord": "48 50"}, "rent_to_landlord", GROUPS),
        ({"rooms": "2,5"}, "rooms", "Enter a whole number, without decimals."),
        ({"notice_months": "tre"}, "notice_months", WHOLE_NUMBER),
    ],
)
def test_a_refused_number_on_the_new_flat_form_changes_nothing(
    client, make_user, flat_owner, fields, field, message
):
    _staff(client, make_user)
    response = post_form(client, "/flats/new", _new_flat(flat_owner, **fields))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _beside(body, field) == message
    assert f'value="{fields[field]}"' in body  # what was typed is there to correct
    assert Flat.select().count() == 0


def test_the_flat_edit_form_shows_the_size_and_rent_with_a_decimal_comma(
    client, make_user, flat_owner
):
    _staff(client, make_user, language="sv")
    post_form(client, "/flats/new", _new_flat(flat_owner, rent_to_landlord="4850,5"))
    flat = Flat.get()
    page = client.get(f"/flats/{flat.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="size_m2"[^>]*value="54,5"', page)
    assert re.search(r'<input[^>]*name="rent_to_landlord"[^>]*value="4850,50"', page)
    # Sent back as shown, the numbers stay what they were.
    values = _new_flat(flat_owner, rent_to_landlord="4850,50", revision=str(flat.revision))
    assert post_form(client, f"/flats/{flat.id}/edit", values).status_code == 303
    again = Flat.get_by_id(flat.id)
    assert (again.size_m2, again.rent_to_landlord) == (Decimal("54.5"), Decimal("4850.50"))


@pytest.fixture
def english_rent_client(rent_client, rent_world):
    staff, resident = rent_world
    User.update(language="en").where(User.id == staff.id).execute()
    resident("Sara")
    open_rent_month()
    return rent_client


@pytest.mark.parametrize(
    "typed", ["4 850,50", f"4{NBSP}850,50 kr", f"4{NARROW_NBSP}850,50", "4850.50", "4 850,50:-"]
)
def test_a_rent_payment_is_stored_as_it_was_typed(english_rent_client, typed):
    response = pay_on_board(english_rent_client, RentCharge.get(), HX, amount=typed)
    assert response.status_code == 200
    assert Payment.get().amount == Decimal("4850.50")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4.850", TWO_WAYS.format(typed="4.850", thousands="4850", decimals="4,85")),
        ("1.616,00", MIXED.format("1616,00")),
        ("4850,505", "Write at most two decimals, for example 4 850,50."),
        ("mycket", NUMBER),
    ],
)
def test_a_refused_rent_payment_changes_nothing(english_rent_client, typed, message):
    charge = RentCharge.get()
    response = pay_on_board(english_rent_client, charge, HX, amount=typed)
    row = response.get_data(as_text=True)
    assert response.status_code == 422
    # The message stands beside the amount, once (the row's summary leaves it to the field).
    error = re.search(
        rf'<small id="amount-{charge.id}-error" class="field-error">([^<]*)</small>', row
    )
    assert error and error.group(1).strip() == message
    assert row.count(message) == 1
    amount_box = re.search(rf'<input id="amount-{charge.id}"[^>]*>', row).group(0)
    assert f'value="{typed}"' in amount_box and 'aria-invalid="true"' in amount_box
    assert Payment.select().count() == 0
    # Without JavaScript the board says it, and nothing is registered either.
    plain = pay_on_board(english_rent_client, charge, amount=typed, key="k2")
    assert plain.status_code == 303
    board = english_rent_client.get(plain.headers["Location"]).get_data(as_text=True)
    assert message in board
    assert Payment.select().count() == 0


def test_a_plan_line_says_how_to_write_an_amount_that_could_be_misread(english_rent_client):
    charge = RentCharge.get()
    url = f"/residents/{charge.tenancy_id}/rent"
    lines = "2027-04-25 3 100\n2027-05-25 3.100"
    response = post_form(
        english_rent_client, f"{url}/plans", {"months": [charge.id], "instalments": lines}, url
    )
    assert response.status_code == 422
    expected = "Line 2: " + TWO_WAYS.format(typed="3.100", thousands="3100", decimals="3,1")
    assert expected in response.get_data(as_text=True)


def test_a_plan_reads_its_amounts_as_the_amount_fields_do(english_rent_client):
    from intranet.models import Instalment

    charge = RentCharge.get()
    url = f"/residents/{charge.tenancy_id}/rent"
    lines = f"2027-04-25 3 100 kr\n2027-05-25\t3{NBSP}100,00"
    response = post_form(
        english_rent_client, f"{url}/plans", {"months": [charge.id], "instalments": lines}, url
    )
    assert response.status_code == 303
    assert [i.amount for i in Instalment.select().order_by(Instalment.due_on)] == [
        Decimal("3100"),
        Decimal("3100"),
    ]
