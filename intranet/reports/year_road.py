"""The road to a home of one's own, counted: who moved on and by which path, the months from
move-in to moving on, and who was on the road when a year ended.

``moves_on`` is the one count of moving on by path: the yearly report reads it for a year
and the outcomes page for all the years.
"""

import datetime as dt
from types import SimpleNamespace

from flask_babel import gettext as _

from ..models import Referral, Road, RoadMark, RoadStep, Tenancy
from ..residents.outcomes import PATH_LABELS, moves_on
from ..road.facts import as_date
from ..road.labels import STEP_LABELS
from .figures import Figure, Records, Section, YearReport, link, person_name


def on_the_road_at(day: dt.date) -> list[tuple]:
    """The residents who lived in their flat when ``day`` ended (moved in by then, not
    moved out by then) and whose road was a step then: the step last chosen on or before
    ``day`` (its mark), with the month it was aimed at. One query; by name."""
    until = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    marks = (
        RoadMark.select(
            RoadMark.state,
            RoadMark.on_date,
            Road.id,
            Tenancy.id,
            Tenancy.start_date,
            Tenancy.contact_person,
            Referral.id,
            Referral.first_name,
            Referral.last_name,
            *Referral.record_rule_columns(),
        )
        .join(Road, on=(RoadMark.road == Road.id))
        .join(Tenancy, on=(Road.tenancy == Tenancy.id))
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where(
            (RoadMark.subject == "step")
            & (RoadMark.marked_at < until)
            & (Tenancy.start_date <= day)
            & (Tenancy.end_date.is_null() | (Tenancy.end_date > day))
        )
        .order_by(RoadMark.marked_at, RoadMark.id)
        .tuples()
    )
    # Read as plain values: a report over thousands builds no model per row.
    latest = {}
    for state, on_date, road_id, *person in marks:
        latest[road_id] = (state, on_date, person)
    found = []
    for state, on_date, person in latest.values():
        if state not in RoadStep.ON_THE_ROAD:
            continue
        tenancy_id, start, contact, referral_id, first, last, protected, responsible, status = (
            person
        )
        referral = SimpleNamespace(
            id=referral_id,
            first_name=first,
            last_name=last,
            protected_identity=protected,
            responsible_id=responsible,
            status=status,
        )
        tenancy = SimpleNamespace(
            id=tenancy_id,
            start_date=as_date(start),
            contact_person_id=contact,
            referral=referral,
        )
        found.append(
            SimpleNamespace(
                state=state, on_date=as_date(on_date), road=SimpleNamespace(tenancy=tenancy)
            )
        )
    return sorted(
        found,
        key=lambda m: (m.road.tenancy.referral.last_name, m.road.tenancy.referral.first_name),
    )


def road_section(report: YearReport, today: dt.date) -> Section:
    """Moving on by path, the median months to it, and the residents on the road at the
    end of the year (today, for this year): two queries."""
    moved = moves_on(report.first, report.last)
    header = [_("Resident"), _("Moved in"), _("Moved out"), _("Outcome"), _("Months")]
    for part in (None, *PATH_LABELS):
        report.records.setdefault(("road_moved_on", part), Records(list(header)))
    for tenancy, months in moved.rows:
        cells = (
            tenancy.start_date.isoformat(),
            tenancy.end_date.isoformat(),
            PATH_LABELS[tenancy.outcome],
            months,
        )
        for part in (None, tenancy.outcome):
            _add(report, ("road_moved_on", part), header, tenancy, cells)
    end = min(report.last, today)
    on_road = on_the_road_at(end)
    steps = dict.fromkeys(RoadStep.ON_THE_ROAD, 0)
    header = [_("Resident"), _("Moved in"), _("Step"), _("Target month")]
    for part in (None, *RoadStep.ON_THE_ROAD):
        report.records.setdefault(("road_at_year_end", part), Records(list(header)))
    for mark in on_road:
        tenancy = mark.road.tenancy
        steps[mark.state] += 1
        cells = (
            tenancy.start_date.isoformat(),
            STEP_LABELS[mark.state],
            mark.on_date.strftime("%Y-%m") if mark.on_date else "",
        )
        for part in (None, mark.state):
            _add(report, ("road_at_year_end", part), header, tenancy, cells)
    counts = moved.counts
    section = Section(
        "road",
        _("The road to a home of one's own"),
        [
            *(
                Figure(f"{_('Moved on')}: {label}", counts[code], "road_moved_on", code)
                for code, label in PATH_LABELS.items()
            ),
            Figure(
                _("Median months from move-in to moving on"),
                "—" if moved.median_months is None else moved.median_months,
                "road_moved_on",
            ),
            Figure(
                _("Residents on the road at the end of the year"),
                len(on_road),
                "road_at_year_end",
            ),
        ],
        [_("Step at the end of the year"), _("Residents")],
    )
    for step in RoadStep.ON_THE_ROAD:
        title = f"{_('On the road at the end of the year')}: {STEP_LABELS[step]}"
        section.table.append(
            [str(STEP_LABELS[step]), Figure(title, steps[step], "road_at_year_end", step)]
        )
    return section


def _add(report: YearReport, key: tuple, header: list, tenancy, cells: tuple) -> None:
    """A resident's record behind the figure ``key``, named only to the viewer who may see
    them."""
    referral = tenancy.referral
    report.records.setdefault(key, Records(list(header))).add_person(
        link("residents.detail", tenancy_id=tenancy.id),
        report.shows(referral, [tenancy.contact_person_id]),
        person_name(referral.first_name, referral.last_name),
        *cells,
    )
