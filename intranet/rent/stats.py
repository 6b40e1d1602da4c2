"""Rent patterns over time: per month for the unit, per resident, and by months since move-in."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from .. import cache, clock
from ..models import Referral, RentMonth, Tenancy
from . import board, rules

GROUPS = (rules.PAID_ON_TIME, rules.PAID_LATE, rules.NOT_PAID)
SEVERITY = {rules.PAID_ON_TIME: 0, rules.PAID_LATE: 1, rules.NOT_PAID: 2}
PHASES = (("1–3", 1, 3), ("4–6", 4, 6), ("7–12", 7, 12), ("13+", 13, 10_000))


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    # What the rule for a protected person's record reads (referrals.may_see_person).
    protected_identity: bool = False
    responsible_id: int | None = None
    status: str = ""


@dataclass(frozen=True)
class TenancyInfo:
    """What the statistics need of a tenancy: its start and whose it is."""

    id: int
    start_date: dt.date
    referral: Person
    contact_person_id: int | None = None


@dataclass(frozen=True)
class ChargeInfo:
    id: int
    tenancy_id: int
    tenancy: TenancyInfo
    month: dt.date
    due_on: dt.date


@dataclass
class Settled:
    """A month whose 15th has passed, with the group it ended in."""

    charge: ChargeInfo
    status: str


def settled_months(today: dt.date | None = None, since: dt.date | None = None) -> list[Settled]:
    """Months past their 15th (or a later first due day), with their group worked out in
    SQL from the ledger's month summaries: 2 plain queries, none summing payments.

    Rows are read as tuples, not model instances: the statistics of years of
    rent for hundreds of residents stay well under a second.
    """
    today = today or clock.today()
    tenancies = {
        tenancy_id: TenancyInfo(
            tenancy_id, start, Person(first, last, protected, responsible, status), contact
        )
        for tenancy_id, start, contact, first, last, protected, responsible, status in (
            Tenancy.select(
                Tenancy.id,
                Tenancy.start_date,
                Tenancy.contact_person,
                Referral.first_name,
                Referral.last_name,
                *Referral.record_rule_columns(),
            )
            .join(Referral, on=(Tenancy.referral == Referral.id))
            .tuples()
        )
    }
    query = RentMonth.select(
        RentMonth.charge,
        RentMonth.tenancy,
        RentMonth.month,
        RentMonth.due_on,
        board.settled_group(),
    ).order_by(RentMonth.tenancy, RentMonth.month)
    if since is not None:
        query = query.where(RentMonth.month >= since)
    # Only months whose 15th has passed are settled; a first month due later, after its day.
    query = query.where(
        RentMonth.month <= rules.month_of(today - dt.timedelta(days=rules.LATE_DAY))
    )
    result = []
    for charge_id, tid, month, due_on, group in query.tuples():
        if due_on >= today:
            continue
        charge = ChargeInfo(charge_id, tid, tenancies[tid], month, due_on)
        result.append(Settled(charge, group))
    return result


@dataclass(frozen=True)
class Overview:
    """Rent over time as its page and downloads show it: the last 24 months for the unit,
    a strip of 24 months for each resident, the risk phases and those getting worse."""

    per_month: tuple
    strips: tuple
    phases: tuple
    worse: tuple


# What rent over time is read from: the months' summaries, the tenancies and the people.
READ_FROM = ("rent_month", "tenancy", "referral")


def overview(today: dt.date | None = None) -> Overview:
    """Rent over time, worked out from every settled month (about a second at a city's
    scale) and kept between requests until a summary, a tenancy or a person is written to,
    or the day turns (``cache.remembered``): paging through the strips reads it once."""
    today = today or clock.today()
    return cache.remembered(
        "rent over time", None, (today, *cache.changes(*READ_FROM)), lambda: _overview(today)
    )


def _overview(today: dt.date) -> Overview:
    settled = settled_months(today)
    return Overview(
        tuple(per_month(settled)[-24:]),
        tuple(strips(settled, 24, today)),
        tuple(risk_phases(settled)),
        tuple(getting_worse(settled)),
    )


def per_month(settled: list[Settled]) -> list[dict]:
    """For each month: how many residents in each group, and the shares."""
    months: dict = defaultdict(lambda: {g: 0 for g in GROUPS})
    for item in settled:
        months[item.charge.month][item.status] += 1
    rows = []
    for month in sorted(months):
        counts = months[month]
        total = sum(counts.values())
        rows.append(
            {
                "month": month,
                "total": total,
                **counts,
                "shares": {g: counts[g] / total for g in GROUPS},
            }
        )
    return rows


def strips(settled: list[Settled], months: int = 24, today: dt.date | None = None) -> list[dict]:
    """Per resident, their last ``months`` months' groups, oldest first (None where no rent)."""
    today = today or clock.today()
    last = rules.month_of(today)
    window = []
    month = last
    for _ in range(months):
        window.append(month)
        month = rules.month_of(month - dt.timedelta(days=1))
    window.reverse()
    by_tenancy: dict = {}
    for item in settled:
        entry = by_tenancy.setdefault(
            item.charge.tenancy_id, {"tenancy": item.charge.tenancy, "months": {}}
        )
        entry["months"][item.charge.month] = item.status
    result = []
    for entry in by_tenancy.values():
        result.append(
            {"tenancy": entry["tenancy"], "cells": [(m, entry["months"].get(m)) for m in window]}
        )
    result.sort(key=lambda e: (e["tenancy"].referral.last_name, e["tenancy"].referral.first_name))
    return result


def months_since_move_in(start: dt.date, month: dt.date) -> int:
    """1 for the month of move-in, 2 for the next, and so on."""
    return (month.year - start.year) * 12 + month.month - start.month + 1


def risk_phases(settled: list[Settled]) -> list[dict]:
    """The share of late or unpaid months by months since move-in."""
    rows = []
    for label, low, high in PHASES:
        items = [
            s
            for s in settled
            if low <= months_since_move_in(s.charge.tenancy.start_date, s.charge.month) <= high
        ]
        troubled = sum(1 for s in items if s.status != rules.PAID_ON_TIME)
        rows.append(
            {
                "label": label,
                "months": len(items),
                "troubled": troubled,
                "share": troubled / len(items) if items else None,
            }
        )
    return rows


def getting_worse(settled: list[Settled]) -> list:
    """Residents whose last three settled months are getting worse."""
    by_tenancy: dict = defaultdict(list)
    for item in settled:
        by_tenancy[item.charge.tenancy_id].append(item)
    worse = []
    for items in by_tenancy.values():
        last = [SEVERITY[i.status] for i in sorted(items, key=lambda i: i.charge.month)[-3:]]
        if len(last) == 3 and last[0] <= last[1] <= last[2] and last[2] > last[0]:
            worse.append(items[-1].charge.tenancy)
    return worse


def chart_svg_bars(rows: list[dict], width: int = 720, height: int = 220) -> list[dict]:
    """Geometry for a stacked bar per month (the template draws the SVG)."""
    if not rows:
        return []
    gap, left, bottom = 6, 40, 30
    bar = max(8, (width - left - gap * len(rows)) // len(rows))
    plot = height - bottom - 10
    bars = []
    for index, row in enumerate(rows):
        x, y = left + index * (bar + gap), height - bottom
        parts = []
        for group in GROUPS:
            h = round(plot * row["shares"][group])
            y -= h
            parts.append({"group": group, "y": y, "height": h})
        bars.append({"x": x, "width": bar, "label": row["month"].strftime("%y-%m"), "parts": parts})
    return bars
