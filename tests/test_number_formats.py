"""Numbers as the reader's language writes them: one helper (Babel's formats), its filters,
a page in Swedish and in English, the CSV and .xlsx downloads with their formula guard, and
plural forms where a count stands before a noun."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from conftest import TEST_CONFIG, login
from flask import render_template_string
from flask_babel import ngettext
from helpers import add_flat, add_person
from test_year_report import year2028  # noqa: F401 (the hand-built year, a fixture)

from intranet import clock, create_app
from intranet.exports import (
    BOM,
    KRONOR_FORMAT,
    PERCENT_FORMAT,
    csv_response,
    kronor,
    percent,
    safe_cell,
    xlsx_response,
)
from intranet.formatting import (
    format_amount,
    format_money,
    format_number,
    format_percent,
    format_share,
)
from intranet.main.blocks import days_text
from intranet.models import Commissioner, Landlord, Role, StageChange

NBSP = "\u00a0"
SWEDISH = {"Accept-Language": "sv"}
ENGLISH = {"Accept-Language": "en"}
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def plain_app():
    """The application for what needs a request's language but no database."""
    return create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})


def _in(app, language: str):
    return app.test_request_context(headers={"Accept-Language": language})


# ---- the helper -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("write", "args", "swedish", "english"),
    [
        (format_number, (162.5,), "162,5", "162.5"),
        (format_number, (Decimal("5100.0"),), f"5{NBSP}100", "5,100"),
        (format_number, (41.44, 1), "41,4", "41.4"),
        (format_number, (3, 1), "3,0", "3.0"),
        (format_percent, (0.414, 1), f"41,4{NBSP}%", "41.4%"),
        (format_percent, (0.5,), f"50{NBSP}%", "50%"),
        (format_share, (1, 3), f"33{NBSP}%", "33%"),
        (format_share, (1, 0), "—", "—"),
        (format_money, (1616,), f"1{NBSP}616,00{NBSP}kr", f"1,616.00{NBSP}kr"),
        (format_money, ("4500.5",), f"4{NBSP}500,50{NBSP}kr", f"4,500.50{NBSP}kr"),
        (format_money, (Decimal("-500"),), f"−500,00{NBSP}kr", f"-500.00{NBSP}kr"),
        (format_money, (Decimal("0.005"),), f"0,01{NBSP}kr", f"0.01{NBSP}kr"),
        (format_money, (Decimal("-0.004"),), f"0,00{NBSP}kr", f"0.00{NBSP}kr"),
        (format_amount, (12345,), f"12{NBSP}345{NBSP}kr", f"12,345{NBSP}kr"),
        (format_amount, (Decimal("4500.50"),), f"4{NBSP}501{NBSP}kr", f"4,501{NBSP}kr"),
    ],
)
def test_the_helper_writes_the_readers_language(plain_app, write, args, swedish, english):
    with _in(plain_app, "sv"):
        assert write(*args) == swedish
    with _in(plain_app, "en"):
        assert write(*args) == english


def test_swedish_groups_thousands_with_the_space_babel_writes_that_does_not_break(plain_app):
    with _in(plain_app, "sv"):
        written = format_money(1234567.5)
    assert written == f"1{NBSP}234{NBSP}567,50{NBSP}kr"
    assert " " not in written


def test_what_is_no_number_goes_through_as_it_is(plain_app):
    with _in(plain_app, "sv"):
        assert format_number("—") == "—"
        assert format_number(None) == format_money(None) == format_percent(None) == ""


def test_outside_a_request_numbers_are_the_units_swedish():
    assert format_money(1616) == f"1{NBSP}616,00{NBSP}kr"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", f"162,5|41,4{NBSP}%|1{NBSP}616,00{NBSP}kr|12{NBSP}345{NBSP}kr|7"),
        ("en", f"162.5|41.4%|1,616.00{NBSP}kr|12,345{NBSP}kr|7"),
    ],
)
def test_the_templates_filters(plain_app, language, expected):
    template = (
        "{{ 162.5|number }}|{{ 0.414|percent(1) }}|{{ 1616|money }}|{{ 12345|kr }}|{{ 7|number }}"
    )
    with _in(plain_app, language):
        assert render_template_string(template) == expected


# ---- a page that shows a decimal --------------------------------------------------------


@pytest.fixture
def staff_client(client, make_user):
    clock.set_clock(TODAY)
    login(client, make_user(Role.STAFF))
    return client


def _stays_in_the_pipeline():
    """Three landlords identified on 1 November: two contacted after 1 and 2 days (a median
    stay of 1.5 days), the third still identified (two of three went on: 67 %)."""
    start = dt.datetime(2026, 11, 1, 9, 0)
    for n, days in enumerate([1, 2, None]):
        landlord = Landlord.create(name=f"Hus {n} AB")
        StageChange.create(landlord=landlord, to_stage="identified", changed_at=start)
        if days:
            StageChange.create(
                landlord=landlord,
                from_stage="identified",
                to_stage="contacted",
                changed_at=start + dt.timedelta(days=days),
            )


@pytest.mark.parametrize(
    ("headers", "median", "share"),
    [(SWEDISH, "<td>1,5</td>", f"<td>67{NBSP}%</td>"), (ENGLISH, "<td>1.5</td>", "<td>67%</td>")],
)
def test_the_funnel_writes_its_median_and_shares_in_the_readers_language(
    staff_client, headers, median, share
):
    _stays_in_the_pipeline()
    url = "/landlords/funnel?start=2026-11-01&end=2026-11-30"
    page = staff_client.get(url, headers=headers).get_data(as_text=True)
    assert median in page and share in page


# ---- the downloads -------------------------------------------------------------------------

ROWS = [["Sara Ek", Decimal("-500.00"), 3], ["=1+1", 5100.5, Decimal("1616.00")]]


def _csv(app, language: str) -> bytes:
    with _in(app, language):
        return csv_response("x.csv", ["Namn", "Belopp", "Antal"], ROWS).get_data()


def test_the_swedish_csv_is_for_a_swedish_spreadsheet(plain_app):
    data = _csv(plain_app, "sv")
    assert data.startswith(BOM.encode("utf-8"))
    assert data.decode("utf-8-sig").splitlines() == [
        "Namn;Belopp;Antal",
        # A credit stays a number: no apostrophe before -500,00.
        "Sara Ek;-500,00;3",
        # No thousands separator: a spreadsheet reads 5100,5 as a number.
        "'=1+1;5100,5;1616,00",
    ]


def test_the_english_csv_has_commas_and_points(plain_app):
    data = _csv(plain_app, "en")
    assert data.startswith(BOM.encode("utf-8"))
    assert data.decode("utf-8-sig").splitlines() == [
        "Namn,Belopp,Antal",
        "Sara Ek,-500.00,3",
        "'=1+1,5100.5,1616.00",
    ]


def test_the_xlsx_keeps_numbers_as_numbers(plain_app):
    rows = [
        [Decimal("-500.00"), 3, 5100.5, kronor(Decimal("1616")), percent(0.414)],
        ["=1+1", "-500,00", "Sara Ek", kronor(None), None],
    ]
    with _in(plain_app, "sv"):
        data = xlsx_response("x.xlsx", [("Blad", ["a", "b", "c", "d", "e"], rows)]).get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    numbers, texts = sheet[2], sheet[3]
    assert [cell.value for cell in numbers] == [-500, 3, 5100.5, 1616, 0.414]
    assert all(cell.data_type == "n" for cell in numbers)
    assert numbers[3].number_format == KRONOR_FORMAT
    assert numbers[4].number_format == PERCENT_FORMAT
    # Text that starts like a formula is still text, with the apostrophe before it.
    assert [cell.value for cell in texts[:3]] == ["'=1+1", "'-500,00", "Sara Ek"]


def test_the_yearly_reports_shares_and_amounts_are_numbers_in_the_xlsx(client, year2028):  # noqa: F811
    login(client, year2028)
    data = client.get("/reports/year.xlsx?year=2028").data
    book = openpyxl.load_workbook(io.BytesIO(data))
    residents = {row[0].value: row[1:] for row in book["Boende"].iter_rows()}
    moved_on = residents["Vidare till eget eller annat boende"][0]
    assert (moved_on.value, moved_on.number_format) == (0.5, PERCENT_FORMAT)
    assert residents["Median dagar från platsförfrågan till inflytt"][0].value == 38.5
    rent = {row[0].value: row[1:] for row in book["Hyra"].iter_rows()}
    count, share = rent["Betald i tid"][:2]
    assert count.value == 16 and share.number_format == PERCENT_FORMAT
    assert round(share.value, 2) == 0.76
    flats = {row[0].value: row[1] for row in book["Lägenheter"].iter_rows()}
    cost = flats["Vad de tomma dagarna kostade"]
    assert (cost.value, cost.number_format) == (85080, KRONOR_FORMAT)
    page = client.get("/reports/year?year=2028").get_data(as_text=True)
    assert ">38,5<" in page and f">50{NBSP}%<" in page


def test_the_formula_guard_leaves_numbers_alone():
    assert safe_cell(Decimal("-500.00")) == Decimal("-500.00")
    assert safe_cell(-500) == -500 and safe_cell(-0.5) == -0.5
    assert safe_cell(kronor(Decimal("-500"))) == kronor(Decimal("-500"))
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-1+1") == "'-1+1"
    assert safe_cell("+46 8 123") == "'+46 8 123"


def test_the_flats_download_in_both_languages(staff_client, make_landlord):
    add_flat(
        make_landlord(),
        "Storgatan 1",
        rent_to_landlord=Decimal("7300.50"),
        ready_since=TODAY - dt.timedelta(days=10),
    )
    swedish = staff_client.get("/flats/export.csv", headers=SWEDISH).get_data().decode()
    english = staff_client.get("/flats/export.csv", headers=ENGLISH).get_data().decode()
    # 7 300,50 × 12 / 365 = 240,02 a day; ten days empty.
    assert swedish.lstrip(BOM).splitlines()[1].endswith(";nej;7300,50;10;2400,20")
    assert english.lstrip(BOM).splitlines()[1].endswith(",no,7300.50,10,2400.20")
    book = openpyxl.load_workbook(io.BytesIO(staff_client.get("/flats/export.xlsx").data))
    rent = book.active.cell(row=2, column=8)
    assert rent.value == 7300.5 and rent.data_type == "n"
    assert rent.number_format == KRONOR_FORMAT


# ---- plural forms -------------------------------------------------------------------------


@pytest.fixture
def matching_world(make_landlord):
    """Makes free flats (ready since yesterday) and waiting referrals (received yesterday)
    for the matching page."""
    landlord = make_landlord()
    commissioner = Commissioner.create(name="Socialtjänsten Farsta")
    made = {"flats": 0, "referrals": 0}

    def flats(n):
        for _ in range(n):
            made["flats"] += 1
            yesterday = TODAY - dt.timedelta(days=1)
            add_flat(landlord, f"Storgatan {made['flats']}", ready_since=yesterday)

    def referrals(n):
        for _ in range(n):
            made["referrals"] += 1
            received = TODAY - dt.timedelta(days=1)
            add_person(
                commissioner, f"P{made['referrals']}", status="waiting", received_on=received
            )

    return flats, referrals


def test_one_flat_and_two_flats_on_the_matching_page(staff_client, matching_world):
    flats, referrals = matching_world
    flats(1)
    referrals(1)
    page = staff_client.get("/matching/", headers=ENGLISH).get_data(as_text=True)
    assert "1 flat · vacancy has cost" in page and "1 flats" not in page
    assert "1 referral<" in page and "vacant 1 day," in page
    assert "1 room ·" in page
    flats(1)
    referrals(1)
    page = staff_client.get("/matching/", headers=ENGLISH).get_data(as_text=True)
    assert "2 flats · vacancy has cost" in page and "2 referrals<" in page


def test_the_swedish_plural_forms_on_the_matching_page(staff_client, matching_world):
    """Reads the Swedish catalogue: passes once numbers-out's msgids are merged."""
    flats, referrals = matching_world
    flats(1)
    page = staff_client.get("/matching/", headers=SWEDISH).get_data(as_text=True)
    assert "1 lägenhet · tomgången har kostat" in page and "ledig 1 dag," in page
    flats(1)
    page = staff_client.get("/matching/", headers=SWEDISH).get_data(as_text=True)
    assert "2 lägenheter · tomgången har kostat" in page


def test_days_in_words_have_a_singular(plain_app):
    with _in(plain_app, "en"):
        assert [days_text(n) for n in (0, 1, 2, 1234)] == [
            "0 days",
            "1 day",
            "2 days",
            "1,234 days",
        ]
        assert ngettext("%(count)s key", "%(count)s keys", 1, count=1) == "1 key"
