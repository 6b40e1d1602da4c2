"""The yearly report's flats: which the unit leased at the start and end of the year, which
it won and returned, and the days ready flats stood empty, from each flat's status history."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _

from .. import exports
from ..flats.labels import FLAT_STATUS_LABELS
from ..models import (
    Flat,
    FlatStatus,
    FlatStatusChange,
)
from .figures import Figure, Records, Section, YearReport, kr, link


def _timelines(until: dt.datetime) -> tuple[dict, dict]:
    """Each flat's facts, and its statuses as [(moment, status)] up to ``until``: two queries."""
    flats = {
        row[0]: row
        for row in Flat.select(
            Flat.id,
            Flat.address,
            Flat.district,
            Flat.rent_to_landlord,
            Flat.created_at,
            Flat.status,
        ).tuples()
    }
    timelines: dict = defaultdict(list)
    changes = (
        FlatStatusChange.select(
            FlatStatusChange.flat,
            FlatStatusChange.from_status,
            FlatStatusChange.to_status,
            FlatStatusChange.changed_at,
        )
        .where(FlatStatusChange.changed_at < until)
        .order_by(FlatStatusChange.changed_at, FlatStatusChange.id)
        .tuples()
    )
    for flat_id, from_status, to_status, moment in changes:
        timelines[flat_id].append((moment, from_status, to_status))
    # A flat without any recorded history has held its status since it was registered.
    for flat_id, (_id, _a, _d, _r, created, status) in flats.items():
        if not timelines.get(flat_id) and created < until:
            timelines[flat_id].append((created, None, status))
    return flats, timelines


def _status_at(timeline: list, moment: dt.datetime) -> str | None:
    status = None
    for when, _from, to_status in timeline:
        if when >= moment:
            break
        status = to_status
    return status


def _ready_spans(timeline: list, end: dt.date) -> list:
    """The days a flat was ready, as half-open [from, to) date spans."""
    spans, since = [], None
    for when, _from, to_status in timeline:
        if to_status == FlatStatus.READY and since is None:
            since = when.date()
        elif to_status != FlatStatus.READY and since is not None:
            spans.append((since, when.date()))
            since = None
    if since is not None:
        spans.append((since, end))
    return spans


def vacant_days(ready: list, lived: list, first: dt.date, end: dt.date) -> int:
    """Days in [first, end) the flat was ready and nobody lived there. Spans are half-open
    date pairs; a tenancy runs from its move-in day to its move-out day (None: still)."""
    total = 0
    for start, stop in ready:
        low, high = max(start, first), min(stop, end)
        if low >= high:
            continue
        spans = sorted(
            (max(s, low), min(e or high, high))
            for s, e in lived
            if s < high and (e is None or e > low)
        )
        covered, open_start, open_end = 0, None, None
        for s, e in spans:
            if open_end is None or s > open_end:
                if open_end is not None:
                    covered += (open_end - open_start).days
                open_start, open_end = s, e
            else:
                open_end = max(open_end, e)
        if open_end is not None:
            covered += (open_end - open_start).days
        total += (high - low).days - covered
    return total


def flats_section(report: YearReport, tenancies: list, today: dt.date) -> Section:
    """Flats leased at the start and end of the year, won, returned, and their empty days;
    ``tenancies`` are the year's, as the residents' section read them."""
    first, last = report.first, report.last
    end = min(last, today) + dt.timedelta(days=1)
    year_start = dt.datetime.combine(first, dt.time())
    year_end = dt.datetime.combine(end, dt.time())
    flats, timelines = _timelines(year_end)
    lived: dict = defaultdict(list)
    for _tid, flat_id, start, stop, *_rest in tenancies:
        lived[flat_id].append((start, stop))
    header = [_("Flat"), _("District"), _("Date"), _("Status")]

    def records(key):
        return report.records.setdefault((key, None), Records(list(header)))

    counts = dict.fromkeys(["start", "end", "won", "returned", "transferred"], 0)
    vacancy_days, vacancy_cost = 0, Decimal(0)
    vacancy = report.records.setdefault(
        ("vacancy", None), Records([_("Flat"), _("District"), _("Days vacant"), _("Cost")])
    )
    for flat_id in sorted(flats, key=lambda f: (flats[f][1], f)):
        _id, address, district, rent, _created, _status = flats[flat_id]
        url = link("flats.detail", flat_id=flat_id)
        timeline = timelines.get(flat_id, [])
        for key, moment, day in (
            ("start", year_start, first),
            ("end", year_end, end - dt.timedelta(days=1)),
        ):
            status = _status_at(timeline, moment)
            if status in FlatStatus.LEASED:
                counts[key] += 1
                records(f"flats_{key}").add(
                    url, address, district, day.isoformat(), FLAT_STATUS_LABELS[status]
                )
        for when, from_status, to_status in timeline:
            if when < year_start:
                continue
            leased_before = from_status in FlatStatus.LEASED
            if to_status in FlatStatus.LEASED and not leased_before:
                counts["won"] += 1
                records("flats_won").add(
                    url, address, district, when.date().isoformat(), FLAT_STATUS_LABELS[to_status]
                )
            elif leased_before and to_status == FlatStatus.TRANSFERRED:
                # Lost to a resident who took over the lease: a home won, a flat to replace.
                counts["transferred"] += 1
                records("flats_transferred").add(
                    url, address, district, when.date().isoformat(), FLAT_STATUS_LABELS[to_status]
                )
            elif leased_before and to_status not in FlatStatus.LEASED:
                counts["returned"] += 1
                records("flats_returned").add(
                    url, address, district, when.date().isoformat(), FLAT_STATUS_LABELS[to_status]
                )
        days = vacant_days(_ready_spans(timeline, end), lived[flat_id], first, end)
        if days:
            cost = (Decimal(rent) * 12 / 365).quantize(Decimal("0.01")) * days
            vacancy_days += days
            vacancy_cost += cost
            vacancy.add(url, address, district, days, kr(cost))
    return Section(
        "flats",
        _("Flats"),
        [
            Figure(_("Leased at the start of the year"), counts["start"], "flats_start"),
            Figure(_("Leased at the end of the year"), counts["end"], "flats_end"),
            Figure(_("Flats won"), counts["won"], "flats_won"),
            Figure(_("Flats returned"), counts["returned"], "flats_returned"),
            Figure(
                _("Flats taken over by their residents"),
                counts["transferred"],
                "flats_transferred",
            ),
            Figure(_("Days ready flats stood empty"), vacancy_days, "vacancy"),
            Figure(
                _("What the empty days cost"),
                kr(vacancy_cost),
                "vacancy",
                cells=(exports.kronor(vacancy_cost),),
            ),
        ],
    )
