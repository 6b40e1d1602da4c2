"""The unit's yearly report (*verksamhetsberättelse*): residents, rent, flats, landlords and
referrals over one calendar year, every figure computed from the records each time (never
stored), and the records behind every figure kept beside it so that staff can check it.

The whole report is read in a fixed number of queries (nine, and one per month of rent),
however many records there are.
"""

import datetime as dt
from collections import defaultdict

from flask_babel import gettext as _

from .. import cache, clock, exports
from ..formatting import format_number
from ..formatting import is_number as is_a_number
from ..forms import is_number
from ..landlords.labels import DECLINE_LABELS
from ..models import (
    Landlord,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Stage,
    StageChange,
    Tenancy,
)
from ..rent import board as rent_board
from ..rent import rules
from ..rent.labels import STATUS_LABELS
from ..residents.labels import MOVED_ON, OUTCOME_LABELS
from .figures import (
    NOT_STATED,
    Figure,
    Records,
    Section,
    YearReport,
    day_figures,
    fraction,
    link,
    person_name,
    share,
)
from .year_flats import flats_section
from .year_road import road_section

FIRST_YEAR = 2000
RENT_GROUPS = (rules.PAID_ON_TIME, rules.PAID_LATE, rules.NOT_PAID)


class YearError(ValueError):
    """A year the report cannot be made for."""


def check_year(text: str | None, today: dt.date) -> int:
    """The year asked for as a number from 2000 to this year (this year when not given)."""
    if text is None or text == "":
        return today.year
    if not is_number(text.strip()) or len(text.strip()) > 4:
        raise YearError(_("Give the year as four digits, for example %(year)s.", year=today.year))
    year = int(text)
    if not FIRST_YEAR <= year <= today.year:
        raise YearError(
            _("Choose a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=today.year)
        )
    return year


# ---- residents -----------------------------------------------------------------------


def _tenancies(first: dt.date, last: dt.date) -> list:
    """Tenancies lived in some day of the year, with their people: one query."""
    return list(
        Tenancy.select(
            Tenancy.id,
            Tenancy.flat,
            Tenancy.start_date,
            Tenancy.end_date,
            Tenancy.outcome,
            Referral.id,
            Referral.first_name,
            Referral.last_name,
            Referral.received_on,
            Tenancy.contact_person,
            *Referral.record_rule_columns(),
        )
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where((Tenancy.start_date <= last) & Tenancy.lived_in_since(first))
        .order_by(Referral.last_name, Referral.first_name, Tenancy.start_date)
        .tuples()
    )


def _residents(report: YearReport, tenancies: list) -> Section:
    first, last = report.first, report.last
    header = [_("Resident"), _("Moved in"), _("Moved out"), _("Outcome"), _("Days")]

    def records(key, part=None):
        return report.records.setdefault((key, part), Records(list(header)))

    people, ins, outs, stays, waits = set(), 0, [], [], []
    for tid, _flat, start, end, outcome, rid, fname, lname, received, *person in tenancies:
        contact, protected, responsible, status = person
        referral = Referral.for_record_rule(rid, protected, responsible, status)
        row = (
            link("residents.detail", tenancy_id=tid),
            report.shows(referral, [contact]),
            person_name(fname, lname),
            start.isoformat(),
            end.isoformat() if end else "",
            OUTCOME_LABELS.get(outcome, "") if outcome else "",
            ((end or min(last, clock.today())) - start).days,
        )
        if rid not in people:
            people.add(rid)
            records("residents").add_person(*row)
        if first <= start <= last:
            ins += 1
            waits.append((start - received).days)
            records("move_ins").add_person(*row)
        if end is not None and first <= end <= last:
            outs.append(outcome)
            stays.append((end - start).days)
            records("move_outs").add_person(*row)
            records("move_outs", outcome).add_person(*row)
            if outcome in MOVED_ON:
                records("moved_on").add_person(*row)
    moved_on = sum(1 for o in outs if o in MOVED_ON)
    average, median = day_figures(stays)
    section = Section(
        "residents",
        _("Residents"),
        [
            Figure(_("Residents during the year"), len(people), "residents"),
            Figure(_("New move-ins"), ins, "move_ins"),
            Figure(_("Move-outs"), len(outs), "move_outs"),
            Figure(
                _("Moved on to own or other housing"),
                share(moved_on, len(outs)),
                "moved_on",
                cells=(exports.percent(fraction(moved_on, len(outs))),),
            ),
            Figure(_("Average stay of those who moved out (days)"), average, "move_outs"),
            Figure(_("Median stay of those who moved out (days)"), median, "move_outs"),
            Figure(
                _("Median days from referral to move-in"),
                day_figures(waits)[1],
                "move_ins",
            ),
        ],
        [_("Outcome"), _("Move-outs")],
    )
    for code, label in OUTCOME_LABELS.items():
        n = sum(1 for o in outs if o == code)
        title = f"{_('Move-outs')}: {label}"
        section.table.append(
            [str(label), Figure(title, n, "move_outs", code, note=share(n, len(outs)))]
        )
    return section


# ---- rent ----------------------------------------------------------------------------


def _rent(report: YearReport, today: dt.date) -> Section:
    """Per settled month (its 15th has passed) the residents paid on time, late and not
    paid, as counts and shares, and the same for the year; one query per month."""
    section = Section(
        "rent",
        _("Rent"),
        table_header=[_("Month"), _("Residents")] + [STATUS_LABELS[g] for g in RENT_GROUPS],
    )
    totals = dict.fromkeys(RENT_GROUPS, 0)
    for number in range(1, 13):
        month = dt.date(report.year, number, 1)
        if today <= rules.late_limit(month):
            break
        counts = rent_board.month_counts(month, today)
        whole = sum(counts.get(g, 0) for g in RENT_GROUPS)
        cells = [month.strftime("%Y-%m"), whole]
        for group in RENT_GROUPS:
            n = counts.get(group, 0)
            totals[group] += n
            title = f"{month:%Y-%m}: {STATUS_LABELS[group]}"
            cells.append(Figure(title, n, "rent", f"{month:%Y-%m}:{group}", share(n, whole)))
        section.table.append(cells)
    whole = sum(totals.values())
    section.figures = [Figure(_("Rent months settled"), whole)] + [
        Figure(
            str(STATUS_LABELS[g]),
            f"{format_number(totals[g])} ({share(totals[g], whole)})",
            "rent",
            f"year:{g}",
            cells=(totals[g], exports.percent(fraction(totals[g], whole))),
        )
        for g in RENT_GROUPS
    ]
    return section


def rent_records(report: YearReport, part: str, today: dt.date) -> Records | None:
    """The residents behind a rent figure: ``YYYY-MM:group`` or ``year:group``."""
    when, _sep, group = (part or "").partition(":")
    if group not in RENT_GROUPS:
        return None
    if when == "year":
        months = [dt.date(report.year, n, 1) for n in range(1, 13)]
    else:
        month = rules.parse_month(when)
        if month is None or month.year != report.year:
            return None
        months = [month]
    records = Records([_("Resident"), _("Month"), _("Status")])
    for month in months:
        if today <= rules.late_limit(month):
            break
        for row in rent_board.month_rows(month, today, status=group):
            tenancy = row.charge.tenancy
            records.add_person(
                link("residents.rent", tenancy_id=tenancy.id),
                report.shows(tenancy.referral, [tenancy.contact_person_id]),
                person_name(tenancy.referral.first_name, tenancy.referral.last_name),
                month.strftime("%Y-%m"),
                STATUS_LABELS[group],
            )
    return records


# ---- landlords and referrals ---------------------------------------------------------


def _landlords(report: YearReport) -> Section:
    """Landlords who signed an agreement or declined during the year: one query."""
    first = dt.datetime.combine(report.first, dt.time())
    end = dt.datetime.combine(report.last + dt.timedelta(days=1), dt.time())
    moves = (
        StageChange.select(
            StageChange.to_stage,
            StageChange.changed_at,
            Landlord.id,
            Landlord.name,
            Landlord.declined_reason,
        )
        .join(Landlord, on=(StageChange.landlord == Landlord.id))
        .where(
            StageChange.to_stage.in_([Stage.AGREEMENT, Stage.DECLINED])
            & (StageChange.changed_at >= first)
            & (StageChange.changed_at < end)
        )
        .order_by(StageChange.changed_at, StageChange.id)
        .tuples()
    )
    header = [_("Landlord"), _("Date"), _("Reason")]
    signed, declined = set(), defaultdict(set)
    for to_stage, moment, lid, name, reason in moves:
        url = link("landlords.detail", landlord_id=lid)
        cells = (url, name, moment.date().isoformat())
        if to_stage == Stage.AGREEMENT and lid not in signed:
            signed.add(lid)
            report.records.setdefault(("landlords_signed", None), Records(list(header))).add(
                *cells, ""
            )
        elif to_stage == Stage.DECLINED and lid not in declined[reason]:
            declined[reason].add(lid)
            label = DECLINE_LABELS.get(reason, "") if reason else ""
            for part in (None, reason or NOT_STATED):
                report.records.setdefault(("landlords_declined", part), Records(list(header))).add(
                    *cells, label
                )
    section = Section(
        "landlords",
        _("Landlords"),
        [
            Figure(_("Agreements signed"), len(signed), "landlords_signed"),
            Figure(_("Declined"), sum(len(v) for v in declined.values()), "landlords_declined"),
        ],
        [_("Why they declined"), _("Landlords")],
    )
    for reason, ids in sorted(declined.items(), key=lambda item: -len(item[1])):
        label = str(DECLINE_LABELS.get(reason, _("Not stated"))) if reason else _("Not stated")
        title = f"{_('Declined')}: {label}"
        section.table.append(
            [label, Figure(title, len(ids), "landlords_declined", reason or NOT_STATED)]
        )
    return section


def _person_columns() -> tuple:
    """A referred person's columns for a record: the name, the day received, and what the
    rule on protected records reads (their latest tenancy's contact person)."""
    contact = (
        Tenancy.select(Tenancy.contact_person)
        .where(Tenancy.referral == Referral.id)
        .order_by(Tenancy.id.desc())
        .limit(1)
    )
    return (
        Referral.id,
        Referral.first_name,
        Referral.last_name,
        Referral.received_on,
        *Referral.record_rule_columns(),
        contact.alias("contact_id"),
    )


def _add_referral(records: Records, report: YearReport, person, *cells) -> None:
    """A referred person's record (``_person_columns``), named only where the viewer may."""
    rid, fname, lname, received, protected, responsible, status, contact = person
    referral = Referral.for_record_rule(rid, protected, responsible, status)
    records.add_person(
        link("referrals.detail", referral_id=rid),
        report.shows(referral, [contact]),
        person_name(fname, lname),
        received.isoformat(),
        *cells,
    )


def _referrals(report: YearReport) -> Section:
    """Referrals received, and declined or withdrawn with their reasons: two queries."""
    first, last = report.first, report.last
    header = [_("Person"), _("Received"), _("Date"), _("Reason")]
    received = Referral.select(*_person_columns()).where(Referral.received_on.between(first, last))
    records = report.records.setdefault(("referrals_received", None), Records(list(header)))
    count = 0
    for values in received.order_by(Referral.received_on, Referral.id).tuples():
        count += 1
        _add_referral(records, report, values, "", "")
    ended = (
        ReferralStatusChange.select(
            ReferralStatusChange.to_status,
            ReferralStatusChange.changed_at,
            ReferralStatusChange.reason,
            *_person_columns(),
        )
        .join(Referral, on=(ReferralStatusChange.referral == Referral.id))
        .where(
            ReferralStatusChange.to_status.in_([ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN])
            & (ReferralStatusChange.changed_at >= dt.datetime.combine(first, dt.time()))
            & (
                ReferralStatusChange.changed_at
                < dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
            )
        )
        .order_by(ReferralStatusChange.changed_at, ReferralStatusChange.id)
        .tuples()
    )
    reasons: dict = {
        ReferralStatus.DECLINED: defaultdict(int),
        ReferralStatus.WITHDRAWN: defaultdict(int),
    }
    for status, moment, reason, *person in ended:
        reason = (reason or "").strip()
        reasons[status][reason] += 1
        for part in (None, reason or NOT_STATED):
            records = report.records.setdefault(
                (f"referrals_{status}", part), Records(list(header))
            )
            _add_referral(records, report, person, moment.date().isoformat(), reason)
    section = Section(
        "referrals",
        _("Referrals"),
        [
            Figure(_("Received"), count, "referrals_received"),
            Figure(
                _("Declined"), sum(reasons[ReferralStatus.DECLINED].values()), "referrals_declined"
            ),
            Figure(
                _("Withdrawn"),
                sum(reasons[ReferralStatus.WITHDRAWN].values()),
                "referrals_withdrawn",
            ),
        ],
        [_("Ended"), _("Reason"), _("Referrals")],
    )
    for status, label in (
        (ReferralStatus.DECLINED, _("Declined")),
        (ReferralStatus.WITHDRAWN, _("Withdrawn")),
    ):
        for reason, n in sorted(reasons[status].items(), key=lambda item: (-item[1], item[0])):
            said = reason or _("Not stated")
            figure = Figure(f"{label}: {said}", n, f"referrals_{status}", reason or NOT_STATED)
            section.table.append([label, said, figure])
    return section


def year_report(year: int, today: dt.date | None = None, viewer=None) -> YearReport:
    """The whole report for ``year``, as of ``today`` (the current year runs to today),
    its records for ``viewer`` (a person protected from them is not named)."""
    today = today or clock.today()
    report = YearReport(year, dt.date(year, 1, 1), dt.date(year, 12, 31), viewer=viewer)
    tenancies = _tenancies(report.first, report.last)
    report.sections = [
        _residents(report, tenancies),
        road_section(report, today),
        _rent(report, today),
        flats_section(report, tenancies, today),
        _landlords(report),
        _referrals(report),
    ]
    return report


def kept_report(year: int, viewer, today: dt.date | None = None) -> YearReport:
    """``year_report`` for ``viewer``, kept between requests until anything is written to
    the database (``cache.any_change``) or the day turns: the report, the records behind
    its figures, its print and its download then work it out once between them."""
    from flask_babel import get_locale

    today = today or clock.today()
    return cache.remembered(
        "yearly report",
        (year, viewer.id, str(get_locale())),
        (today, *cache.any_change()),
        lambda: year_report(year, today, viewer),
    )


def records_for(report: YearReport, key: str, part: str | None, today: dt.date) -> Records | None:
    """The records behind the figure ``key`` (and ``part`` of it); None for no such figure.
    A figure that counted nothing has an empty list."""
    if key == "rent":
        return rent_records(report, part, today)
    known = {k for k, _p in report.records} | {f.key for s in report.sections for f in s.figures}
    if key not in known:
        return None
    return report.records.get((key, part or None)) or Records([])


def figure_title(report: YearReport, key: str, part: str | None) -> str:
    """What the figure is called in the report, for the heading of its records."""
    for section in report.sections:
        cells = list(section.figures) + [c for row in section.table for c in row]
        for cell in cells:
            if isinstance(cell, Figure) and cell.key == key and (cell.part or "") == (part or ""):
                return f"{section.title}: {cell.label}"
    if key == "rent":
        return f"{_('Rent')}: {part}"
    return str(report.year)


def _plain(value):
    """A cell for the spreadsheet: a number stays a number."""
    if isinstance(value, Figure):
        value = value.value
    return value if is_a_number(value) else str(value)


def sheets(report: YearReport) -> list:
    """The report as spreadsheet sheets: one per section, its figures (as numbers, an
    amount in kronor and a share as a percentage), then its table."""
    result = []
    for section in report.sections:
        rows = [[str(f.label), *(f.cells or [_plain(f.value)])] for f in section.figures]
        if section.table:
            rows.append([])
            rows.append([str(h) for h in section.table_header])
            rows += [[_plain(cell) for cell in row] for row in section.table]
        result.append((str(section.title), [_("Figure"), str(report.year)], rows))
    return result
