"""The yearly report against a year built by hand with known answers: 2028, a leap year,
with a tenancy spanning New Year, a flat returned and won again, and a move-out on
31 December. Every figure is checked, and the records behind it."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import login
from helpers import add_flat, add_person, count_queries

from intranet import clock
from intranet.models import (
    Commissioner,
    Flat,
    FlatStatusChange,
    Landlord,
    Referral,
    ReferralStatusChange,
    RentCharge,
    Role,
    StageChange,
    Tenancy,
)
from intranet.rent import ledger
from intranet.rent import services as rent_services
from intranet.reports.year import year_report
from intranet.reports.year_flats import vacant_days

TODAY = dt.date(2029, 3, 1)
D = dt.date


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0))


@pytest.fixture
def year2028(app, make_user):
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF, display_name="Johan Berg")
    landlord = Landlord.create(name="Hus AB", stage="agreement_signed")
    commissioner = Commissioner.create(name="Socialtjänsten")

    def flat(name, rent, history):
        made = Flat.create(
            landlord=landlord,
            address=name,
            postcode="12345",
            district="Farsta",
            rooms=1,
            size_m2=40,
            floor=0,
            rent_to_landlord=rent,
            rent_to_resident=rent,
            status=history[-1][1],
            created_at=_at(history[0][0]),
        )
        before = None
        for day, status in history:
            FlatStatusChange.create(
                flat=made, from_status=before, to_status=status, changed_at=_at(day)
            )
            before = status
        return made

    def person(name, received, status="moved_in"):
        return Referral.create(
            received_on=received,
            commissioner=commissioner,
            first_name=name,
            last_name="Ek",
            birth_date=D(1990, 1, 1),
            gender="other",
            target_group="crime",
            status=status,
        )

    def tenancy(home, who, start, end=None, outcome=None):
        return Tenancy.create(
            flat=home,
            referral=who,
            contact_person=staff,
            start_date=start,
            end_date=end,
            outcome=outcome,
            rent=5000,
        )

    a = flat(
        "A-gatan",
        7300,
        [
            (D(2027, 5, 1), "offered"),
            (D(2027, 6, 1), "contracted"),
            (D(2027, 6, 10), "equipping"),
            (D(2027, 7, 1), "ready"),
            (D(2028, 3, 31), "equipping"),
            (D(2028, 4, 15), "ready"),
        ],
    )
    flat(
        "B-gatan",
        3650,
        [
            (D(2027, 1, 10), "offered"),
            (D(2027, 2, 1), "contracted"),
            (D(2027, 3, 1), "ready"),
            (D(2028, 2, 29), "returned"),
            (D(2028, 9, 1), "contracted"),
            (D(2028, 9, 5), "equipping"),
            (D(2028, 10, 1), "ready"),
        ],
    )
    c = flat(
        "C-gatan",
        7300,
        [
            (D(2028, 5, 1), "offered"),
            (D(2028, 6, 1), "contracted"),
            (D(2028, 6, 2), "equipping"),
            (D(2028, 7, 1), "ready"),
        ],
    )
    flat("D-gatan", 7300, [(D(2028, 3, 1), "offered"), (D(2028, 3, 15), "rejected")])
    e = flat(
        "E-gatan",
        7300,
        [
            (D(2027, 11, 1), "contracted"),
            (D(2027, 12, 1), "ready"),
            (D(2028, 12, 31), "equipping"),
        ],
    )
    f = flat("F-gatan", 7300, [(D(2025, 12, 1), "contracted"), (D(2027, 12, 31), "returned")])
    t1 = tenancy(a, person("P1", D(2027, 8, 1)), D(2027, 9, 1), D(2028, 3, 31), "own_lease")
    t2 = tenancy(e, person("P2", D(2027, 12, 20)), D(2028, 1, 10), D(2028, 12, 31), "treatment")
    t3 = tenancy(c, person("P3", D(2028, 5, 15)), D(2028, 7, 10))
    tenancy(f, person("P4", D(2025, 11, 1)), D(2026, 1, 1), D(2027, 12, 31), "evicted")

    declined = person("P6", D(2028, 2, 1), "declined")
    ReferralStatusChange.create(
        referral=declined,
        from_status="assessing",
        to_status="declined",
        changed_at=_at(D(2028, 2, 20)),
        reason="Behöver mer stöd",
    )
    late_withdrawal = person("P7", D(2028, 12, 31), "withdrawn")
    ReferralStatusChange.create(
        referral=late_withdrawal,
        from_status="waiting",
        to_status="withdrawn",
        changed_at=_at(D(2029, 1, 10)),
        reason="Flyttade",
    )
    withdrawn = person("P8", D(2027, 11, 1), "withdrawn")
    ReferralStatusChange.create(
        referral=withdrawn,
        from_status="waiting",
        to_status="withdrawn",
        changed_at=_at(D(2028, 1, 5)),
        reason="Fick annat boende",
    )

    for name, stage, day, reason in [
        ("L1", "agreement_signed", D(2028, 3, 1), None),
        ("L2", "declined", D(2028, 6, 1), "no_flats"),
        ("L3", "declined", D(2027, 12, 31), "no_answer"),
        ("L4", "agreement_signed", D(2029, 1, 2), None),
    ]:
        owner = Landlord.create(name=name, stage=stage, declined_reason=reason)
        StageChange.create(
            landlord=owner, from_stage="negotiating", to_stage=stage, changed_at=_at(day)
        )

    for number in range(1, 13):
        rent_services.open_month(D(2028, number, 1))
    key = {"n": 0}

    def pay(who, month, day, share=Decimal(1)):
        charge = RentCharge.get(
            (RentCharge.tenancy == who.id) & (RentCharge.month == D(2028, month, 1))
        )
        key["n"] += 1
        amount = (charge.amount * share).quantize(Decimal("0.01"))
        ledger.register(
            [
                ledger.NewPayment(
                    who.id, day, amount, "bank_transfer", f"k{key['n']}", charge.id, staff.id
                )
            ]
        )

    pay(t1, 1, D(2027, 12, 30))
    pay(t1, 2, D(2028, 2, 10))
    pay(t1, 3, D(2028, 3, 2), Decimal("0.5"))
    pay(t2, 1, D(2028, 1, 12))
    for month in range(2, 12):
        pay(t2, month, D(2028, month, 1) - dt.timedelta(days=1))
    pay(t3, 7, D(2028, 7, 20))
    for month in range(8, 13):
        pay(t3, month, D(2028, month, 1) - dt.timedelta(days=1))
    return staff


@pytest.fixture
def in_request(app):
    """The report speaks Swedish and links to pages: it is made inside a request."""
    with app.test_request_context():
        yield


def _figures(report) -> dict:
    return {
        (section.key, str(figure.label)): figure
        for section in report.sections
        for figure in section.figures
    }


def test_every_figure_of_the_hand_built_year(in_request, year2028):
    report = year_report(2028, TODAY)
    values = {key: figure.value for key, figure in _figures(report).items()}
    assert values[("residents", "Boende under året")] == 3
    assert values[("residents", "Nya inflyttar")] == 2
    assert values[("residents", "Utflyttar")] == 2
    assert values[("residents", "Vidare till eget eller annat boende")] == "50\u00a0%"
    # 212 days (1 Sep 2027 – 31 Mar 2028, over a 29 February) and 356 (10 Jan – 31 Dec).
    assert values[("residents", "Genomsnittlig vistelse för dem som flyttat ut (dagar)")] == 284
    assert values[("residents", "Median vistelse för dem som flyttat ut (dagar)")] == 284
    # 21 days (20 Dec – 10 Jan) and 56 (15 May – 10 Jul).
    assert values[("residents", "Median dagar från platsförfrågan till inflytt")] == 38.5
    assert values[("rent", "Hyresmånader avslutade")] == 21
    assert values[("rent", "Betald i tid")] == "16 (76\u00a0%)"
    assert values[("rent", "Betald sent")] == "2 (10\u00a0%)"
    assert values[("rent", "Ej betald")] == "3 (14\u00a0%)"
    assert values[("flats", "Förhyrda vid årets början")] == 3
    assert values[("flats", "Förhyrda vid årets slut")] == 4
    assert values[("flats", "Vunna lägenheter")] == 2
    assert values[("flats", "Återlämnade lägenheter")] == 1
    # A: 261 days after 15 April; B: 59 before it was returned on 29 February, 92 from
    # October; C: 9 before its move-in; E: 9 before its move-in, none on 31 December.
    assert values[("flats", "Dagar som klara lägenheter stod tomma")] == 430
    assert values[("flats", "Vad de tomma dagarna kostade")] == "85\u00a0080\u00a0kr"
    assert values[("landlords", "Avtal klara")] == 1
    assert values[("landlords", "Tackat nej")] == 1
    assert values[("referrals", "Inkommen")] == 3
    assert values[("referrals", "Tackat nej")] == 1
    assert values[("referrals", "Återkallad")] == 1


def test_the_rent_months_and_outcomes(in_request, year2028):
    report = year_report(2028, TODAY)
    rent = next(s for s in report.sections if s.key == "rent")
    months = {row[0]: [row[1]] + [cell.value for cell in row[2:]] for row in rent.table}
    assert len(months) == 12
    assert months["2028-01"] == [2, 1, 1, 0]
    assert months["2028-02"] == [2, 1, 1, 0]
    assert months["2028-03"] == [2, 1, 0, 1]
    assert months["2028-07"] == [2, 1, 0, 1]
    assert months["2028-12"] == [2, 1, 0, 1]
    residents = next(s for s in report.sections if s.key == "residents")
    outcomes = {row[0]: row[1].value for row in residents.table}
    assert outcomes["Eget kontrakt"] == 1 and outcomes["Behandling eller vård"] == 1
    assert sum(outcomes.values()) == 2


def test_every_figure_opens_the_records_behind_it(in_request, year2028):
    report = year_report(2028, TODAY)
    expected = {
        "residents": ["P1 Ek", "P2 Ek", "P3 Ek"],
        "move_ins": ["P2 Ek", "P3 Ek"],
        "move_outs": ["P1 Ek", "P2 Ek"],
        "moved_on": ["P1 Ek"],
        "flats_start": ["A-gatan", "B-gatan", "E-gatan"],
        "flats_end": ["A-gatan", "B-gatan", "C-gatan", "E-gatan"],
        "flats_won": ["B-gatan", "C-gatan"],
        "flats_returned": ["B-gatan"],
        "vacancy": ["A-gatan", "B-gatan", "C-gatan", "E-gatan"],
        "landlords_signed": ["L1"],
        "landlords_declined": ["L2"],
        "referrals_received": ["P3 Ek", "P6 Ek", "P7 Ek"],
        "referrals_declined": ["P6 Ek"],
        "referrals_withdrawn": ["P8 Ek"],
    }
    for key, names in expected.items():
        records = report.records_for(key)
        assert sorted(cells[0] for _url, cells in records.rows) == names, key
    vacancy = {cells[0]: cells[2] for _url, cells in report.records_for("vacancy").rows}
    assert vacancy == {"A-gatan": "261", "B-gatan": "151", "C-gatan": "9", "E-gatan": "9"}


def test_vacant_days_subtract_the_tenancies():
    year = (D(2028, 1, 1), D(2029, 1, 1))
    assert vacant_days([(D(2027, 1, 1), D(2030, 1, 1))], [], *year) == 366
    lived = [(D(2028, 1, 10), D(2028, 12, 31))]
    assert vacant_days([(D(2027, 12, 1), D(2028, 12, 31))], lived, *year) == 9
    overlapping = [(D(2028, 2, 1), D(2028, 3, 1)), (D(2028, 2, 15), None)]
    assert vacant_days([(D(2028, 1, 1), D(2029, 1, 1))], overlapping, *year) == 31


def test_the_page_links_every_figure_to_its_records(client, year2028):
    login(client, year2028)
    page = client.get("/reports/year?year=2028")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "/reports/year/records?year=2028&amp;figure=flats_won" in body
    records = client.get("/reports/year/records?year=2028&figure=flats_won")
    assert records.status_code == 200
    text = records.get_data(as_text=True)
    assert "B-gatan" in text and "C-gatan" in text and "A-gatan" not in text
    rent = client.get("/reports/year/records?year=2028&figure=rent&part=2028-03:not_paid")
    assert "P1 Ek" in rent.get_data(as_text=True)
    year_rent = client.get("/reports/year/records?year=2028&figure=rent&part=year:paid_late")
    assert year_rent.get_data(as_text=True).count("<tr>") == 3  # the header and two


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=1999",
        "year=2030",
        "year=20288",
        "year=-1",
        "year=2028.0",
        "year=%C2%B2",
        "year=٢٠٢٨",
    ],
)
def test_a_bad_year_is_a_clear_400(client, make_user, query):
    clock.set_clock(TODAY)
    login(client, make_user(Role.MANAGER))
    for url in ["/reports/year", "/reports/year/print", "/reports/year.xlsx"]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert "år" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["figure=nothing", "figure=rent&part=2027-01:paid_late", "figure=rent&part=x"]
)
def test_unknown_records_are_404(client, year2028, query):
    login(client, year2028)
    assert client.get(f"/reports/year/records?year=2028&{query}").status_code == 404


@pytest.mark.parametrize("page", ["0", "abc", "²"])
def test_a_bad_records_page_is_400(client, year2028, page):
    login(client, year2028)
    response = client.get(f"/reports/year/records?year=2028&figure=move_ins&page={page}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.MANAGER, 200), (Role.STAFF, 200), (Role.CARETAKER, 403), (Role.LANDLORD, 403)],
)
def test_who_may_read_the_report(client, make_user, role, status):
    login(client, make_user(role))
    assert client.get("/reports/year").status_code == status


def test_the_xlsx_has_a_sheet_per_section(app, client, year2028):
    from io import BytesIO

    from flask_babel import gettext
    from openpyxl import load_workbook

    login(client, year2028)
    response = client.get("/reports/year.xlsx?year=2028")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    with app.test_request_context():  # "Vägen till eget boende"
        road = gettext("The road to a home of one's own")
    assert book.sheetnames == [
        "Boende",
        road,
        "Hyra",
        "Lägenheter",
        "Hyresvärdar",
        "Platsförfrågningar",
    ]
    flats = {row[0]: row[1] for row in book["Lägenheter"].iter_rows(values_only=True)}
    assert flats["Vunna lägenheter"] == 2
    assert flats["Dagar som klara lägenheter stod tomma"] == 430


def test_the_report_runs_a_fixed_number_of_queries(client, year2028):
    login(client, year2028)

    def queries():
        with count_queries() as log:
            assert client.get("/reports/year?year=2028").status_code == 200
        return len(log)

    small = queries()
    landlord = Landlord.get(Landlord.name == "Hus AB")
    commissioner = Commissioner.get()
    for n in range(10):
        flat = add_flat(landlord, f"Ny {n}", rent_to_resident=6000)
        FlatStatusChange.create(flat=flat, to_status="ready", changed_at=_at(D(2028, 2, 1)))
        who = add_person(commissioner, f"N{n}", received_on=D(2028, 1, 1))
        Tenancy.create(
            flat=flat, referral=who, contact_person=year2028, start_date=D(2028, 3, 1), rent=5000
        )
    for number in range(3, 13):
        rent_services.open_month(D(2028, number, 1))
    assert queries() == small


def test_exports_write_formula_like_text_as_text():
    from intranet.exports import safe_cell

    for text in ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert safe_cell(text) == "'" + text
    assert safe_cell("Sara Ek") == "Sara Ek"
    assert safe_cell(-100) == -100 and safe_cell(12.5) == 12.5


def test_the_report_is_kept_until_anything_is_written(in_request, year2028, make_user):
    """Worked out once for a viewer and kept, so that its records, print and download do
    not each work it out again; any write to the database makes the next one new."""
    from intranet.reports.year import kept_report

    manager = make_user(Role.MANAGER, display_name="Maria Chef")
    first = kept_report(2028, manager, TODAY)
    assert kept_report(2028, manager, TODAY) is first
    assert kept_report(2028, year2028, TODAY) is not first  # another viewer's own
    Landlord.create(name="Nya Hus AB", stage="identified")
    again = kept_report(2028, manager, TODAY)
    assert again is not first
    fresh = {key: figure.value for key, figure in _figures(year_report(2028, TODAY)).items()}
    assert {key: figure.value for key, figure in _figures(again).items()} == fresh
