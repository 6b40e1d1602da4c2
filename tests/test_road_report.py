"""The road, counted: in the yearly report, moving on by path (a lease taken over, an own
lease elsewhere, a trial flat, other housing), the median months from move-in to moving on,
and who was on the road when the year ended, each figure opening its records; the outcomes
page reads the same count."""

import datetime as dt

import pytest
from conftest import login
from helpers import add_flat, add_person, count_queries

from intranet import cache, clock
from intranet.models import (
    Commissioner,
    Landlord,
    Referral,
    Road,
    RoadMark,
    Role,
    Tenancy,
)
from intranet.reports.year import year_report
from intranet.residents import services as residents
from intranet.residents.outcomes import median, moves_on

TODAY = dt.date(2029, 3, 1)
D = dt.date


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0))


@pytest.fixture
def year2028(app, make_user):
    """Residents who moved on in 2028 by each path (and some who did not, or not in 2028),
    and residents whose road stood at different steps when 2028 ended."""
    clock.set_clock(TODAY)
    staff = make_user(Role.STAFF, display_name="Johan Berg", language="en")
    landlord = Landlord.create(name="Hus AB")
    commissioner = Commissioner.create(name="Socialtjänsten")
    made = {}

    def tenancy(name, start, end=None, outcome=None):
        made[name] = Tenancy.create(
            flat=add_flat(landlord, f"{name}-gatan 1"),
            referral=add_person(commissioner, name),
            contact_person=staff,
            start_date=start,
            end_date=end,
            move_out_date=end,
            outcome=outcome,
            rent=5000,
        )
        return made[name]

    def road(tenancy, *steps):
        """The steps chosen, each on its day: (day, step)."""
        last_day, last_step = steps[-1]
        made_road = Road.create(
            tenancy=tenancy, step=last_step, updated_by=staff, updated_at=_at(last_day)
        )
        for day, step in steps:
            RoadMark.create(
                road=made_road,
                subject="step",
                state=step,
                on_date=D(day.year, day.month, 1) if step != "not_yet" else None,
                marked_by=staff,
                marked_at=_at(day),
            )

    # Moved on in 2028: 14, 12, 9, 35 and 6 whole months after moving in.
    tenancy("Tove", D(2027, 1, 1), D(2028, 3, 15), "own_lease_transfer")
    tenancy("Olle", D(2027, 6, 1), D(2028, 6, 30), "own_lease")
    tenancy("Tina", D(2028, 1, 10), D(2028, 11, 9), "trial_flat")
    other = tenancy("Adam", D(2026, 1, 1), D(2028, 12, 31), "other_housing")
    tenancy("Oskar", D(2028, 2, 1), D(2028, 8, 1), "own_lease")
    # Not moving on, or not in 2028.
    tenancy("Eva", D(2027, 1, 1), D(2028, 5, 1), "evicted")
    tenancy("Tidig", D(2026, 1, 1), D(2027, 12, 31), "own_lease")
    tenancy("Sen", D(2028, 1, 1), D(2029, 1, 5), "own_lease")
    # The roads.
    road(tenancy("Rut", D(2027, 3, 1)), (D(2028, 5, 1), "take_over"))
    road(
        tenancy("Rolf", D(2027, 3, 1)),
        (D(2028, 4, 1), "lease_elsewhere"),
        (D(2028, 10, 1), "not_yet"),
    )
    road(tenancy("Ragnar", D(2027, 3, 1)), (D(2029, 1, 15), "trial_flat"))
    road(
        tenancy("Rakel", D(2027, 3, 1)),
        (D(2028, 3, 1), "other_housing"),
        (D(2029, 2, 1), "not_yet"),
    )
    road(other, (D(2028, 2, 1), "take_over"))  # moved out on 31 December
    return {"staff": staff, "tenancies": made}


@pytest.fixture
def in_request(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _section(report):
    return next(s for s in report.sections if s.key == "road")


def _figures(report) -> dict:
    return {(f.key, f.part): f.value for f in _section(report).figures}


def _names(report, key, part=None) -> list:
    return sorted(cells[0] for _url, cells in report.records_for(key, part).rows)


def test_moving_on_by_path_and_the_median_months(in_request, year2028):
    report = year_report(2028, TODAY)
    figures = _figures(report)
    assert figures[("road_moved_on", "own_lease_transfer")] == 1
    assert figures[("road_moved_on", "own_lease")] == 2
    assert figures[("road_moved_on", "trial_flat")] == 1
    assert figures[("road_moved_on", "other_housing")] == 1
    # 6, 9, 12, 14 and 35 whole months: the middle one.
    assert figures[("road_moved_on", None)] == 12


def test_the_residents_on_the_road_when_the_year_ended(in_request, year2028):
    """Rut chose to take over in May; Rakel's "other housing" stood until February 2029;
    Rolf went back to "not yet" in October, Ragnar chose his step in 2029, and Adam moved
    out on 31 December."""
    report = year_report(2028, TODAY)
    assert _figures(report)[("road_at_year_end", None)] == 2
    steps = {row[1].part: row[1].value for row in _section(report).table}
    assert steps == {"take_over": 1, "lease_elsewhere": 0, "trial_flat": 0, "other_housing": 1}
    assert _names(report, "road_at_year_end") == ["Rakel Ek", "Rut Ek"]
    assert _names(report, "road_at_year_end", "other_housing") == ["Rakel Ek"]


def test_every_road_figure_opens_its_records(in_request, year2028):
    report = year_report(2028, TODAY)
    assert _names(report, "road_moved_on") == [
        "Adam Ek",
        "Olle Ek",
        "Oskar Ek",
        "Tina Ek",
        "Tove Ek",
    ]
    assert _names(report, "road_moved_on", "own_lease") == ["Olle Ek", "Oskar Ek"]
    assert _names(report, "road_moved_on", "own_lease_transfer") == ["Tove Ek"]
    months = {cells[0]: cells[4] for _url, cells in report.records_for("road_moved_on").rows}
    assert months == {
        "Tove Ek": "14",
        "Olle Ek": "12",
        "Tina Ek": "9",
        "Adam Ek": "35",
        "Oskar Ek": "6",
    }
    # Every figure and every cell of the table has records behind it.
    section = _section(report)
    for figure in [*section.figures, *(row[1] for row in section.table)]:
        assert report.records_for(figure.key, figure.part) is not None, figure.label


def test_the_page_links_the_figures_and_the_records_open(client, year2028):
    login(client, year2028["staff"])
    body = client.get("/reports/year?year=2028").get_data(as_text=True)
    assert "The road to a home of one&#39;s own" in body
    assert "figure=road_moved_on&amp;part=own_lease_transfer" in body
    assert "figure=road_at_year_end" in body
    records = client.get("/reports/year/records?year=2028&figure=road_moved_on&part=own_lease")
    assert records.status_code == 200
    text = records.get_data(as_text=True)
    assert "Olle Ek" in text and "Oskar Ek" in text and "Tove Ek" not in text
    rut = year2028["tenancies"]["Rut"]
    at_end = client.get("/reports/year/records?year=2028&figure=road_at_year_end&part=take_over")
    assert f'href="/residents/{rut.id}"' in at_end.get_data(as_text=True)


def test_a_protected_resident_is_not_named_in_the_records_outside_their_circle(
    app, client, year2028, make_user
):
    rut = year2028["tenancies"]["Rut"]
    Referral.update(protected_identity=True).where(Referral.id == rut.referral_id).execute()
    url = "/reports/year/records?year=2028&figure=road_at_year_end"
    login(client, make_user(Role.STAFF, language="en"))
    text = client.get(url).get_data(as_text=True)
    assert "Rut Ek" not in text and f"/residents/{rut.id}" not in text
    assert "Protected personal details" in text and "Rakel Ek" in text
    residents = client.get("/reports/year/records?year=2028&figure=residents")
    assert "Rut Ek" not in residents.get_data(as_text=True)
    contact = app.test_client()
    login(contact, year2028["staff"])  # her contact person
    assert "Rut Ek" in contact.get(url).get_data(as_text=True)


def test_the_outcomes_page_reads_the_same_count(client, year2028):
    """All the years: Tidig (2027) and Sen (2029) too."""
    report = residents.outcome_report()
    moved = moves_on()
    assert [n for _label, n in report["paths"]] == list(moved.counts.values()) == [1, 4, 1, 1]
    assert report["median_months"] == moved.median_months == 12
    login(client, year2028["staff"])
    page = client.get("/residents/outcomes").get_data(as_text=True)
    assert "Median months from move-in to moving on" in page
    assert "<dt>Median months from move-in to moving on</dt><dd>12</dd>" in page
    assert "Own lease elsewhere</th><td>4</td>" in page


def test_the_median_keeps_a_half():
    assert median([]) is None
    assert median([9, 12]) == 10.5
    assert median([6, 9, 12]) == 9


def test_the_report_still_runs_a_fixed_number_of_queries(client, year2028):
    login(client, year2028["staff"])

    def queries():
        cache.forget()  # each reading with nothing kept, so that only the data differs
        with count_queries() as log:
            assert client.get("/reports/year?year=2028").status_code == 200
        return len(log)

    small = queries()
    staff, landlord = year2028["staff"], Landlord.get()
    for n in range(10):
        home = add_flat(landlord, f"Ny {n}")
        who = add_person(Commissioner.get(), f"N{n}")
        tenancy = Tenancy.create(
            flat=home,
            referral=who,
            contact_person=staff,
            start_date=D(2027, 1, 1),
            end_date=D(2028, 6, 1) if n % 2 else None,
            outcome="own_lease" if n % 2 else None,
            rent=5000,
        )
        road = Road.create(tenancy=tenancy, step="take_over", updated_by=staff)
        RoadMark.create(
            road=road,
            subject="step",
            state="take_over",
            marked_by=staff,
            marked_at=_at(D(2028, 2, 1)),
        )
    assert queries() == small
