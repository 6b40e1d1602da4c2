"""The funnel report: how landlords move through the pipeline, measured from its history."""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from peewee import fn

from .. import cache
from ..models import DeclineReason, FlatStatus, FlatStatusChange, Landlord, Stage, StageChange


@dataclass
class Conversion:
    """Of the landlords that entered ``stage`` in the period, how many went further."""

    stage: str
    next_stage: str
    entered: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.entered if self.entered else None


@dataclass
class FunnelReport:
    start: dt.date
    end: dt.date
    per_stage: dict
    conversions: list
    median_days: dict
    flats_won: list
    declined_reasons: dict


def _stays(changes):
    """Each landlord's stays: (landlord, stage, entered_at, left_at or None)."""
    by_landlord = defaultdict(list)
    for change in changes:
        by_landlord[change.landlord_id].append(change)
    for landlord_id, moves in by_landlord.items():
        moves.sort(key=lambda c: (c.changed_at, c.id))
        for here, following in zip(moves, moves[1:] + [None], strict=True):
            yield landlord_id, here.to_stage, here.changed_at, following and following.changed_at


def _quarter(day: dt.date) -> str:
    return _("%(year)s Q%(quarter)s", year=day.year, quarter=(day.month - 1) // 3 + 1)


def _version() -> tuple:
    """What the funnel is measured from: the landlords, their stage moves and the flats'
    status changes, by the database's count of their writes (``cache.changes``); the
    language too, since a quarter is named in words."""
    from flask_babel import get_locale

    return (*cache.changes("landlord", "stage_change", "flat_status_change"), str(get_locale()))


def funnel_report(start: dt.date, end: dt.date) -> FunnelReport:
    """The funnel between ``start`` and ``end``: measured once, then kept until a landlord
    moves or a flat is contracted (``cache.remembered``); one query when kept."""
    return cache.remembered("funnel", (start, end), _version(), lambda: _measure(start, end))


def _measure(start: dt.date, end: dt.date) -> FunnelReport:
    """Measure the pipeline between ``start`` and ``end`` (both included), in four queries."""
    first = dt.datetime.combine(start, dt.time())
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())

    per_stage = dict(
        Landlord.select(Landlord.stage, fn.COUNT(Landlord.id)).group_by(Landlord.stage).tuples()
    )

    changes = list(
        StageChange.select(
            StageChange.id, StageChange.landlord, StageChange.to_stage, StageChange.changed_at
        )
    )
    stays = list(_stays(changes))

    # Conversion: entered a stage in the period, later reached any stage further on.
    rank = {stage: i for i, stage in enumerate(Stage.FUNNEL)}
    reached = defaultdict(list)  # landlord -> [(rank, when)]
    for landlord_id, stage, entered_at, _left in stays:
        if stage in rank:
            reached[landlord_id].append((rank[stage], entered_at))
    conversions = []
    for i, stage in enumerate(Stage.FUNNEL[:-1]):
        entered = converted = 0
        for moves in reached.values():
            entries = [when for r, when in moves if r == i and first <= when < after]
            if not entries:
                continue
            entered += 1
            if any(r > i and when >= min(entries) for r, when in moves):
                converted += 1
        conversions.append(Conversion(stage, Stage.FUNNEL[i + 1], entered, converted))

    # Median days in a stage, over the stays that ended in the period.
    durations = defaultdict(list)
    for _landlord, stage, entered_at, left_at in stays:
        if left_at is not None and first <= left_at < after:
            durations[stage].append((left_at - entered_at).total_seconds() / 86400)
    median_days = {stage: statistics.median(days) for stage, days in durations.items()}

    won = Counter(
        _quarter(change.changed_at.date())
        for change in FlatStatusChange.select(FlatStatusChange.changed_at).where(
            (FlatStatusChange.to_status == FlatStatus.CONTRACTED)
            & (FlatStatusChange.changed_at >= first)
            & (FlatStatusChange.changed_at < after)
        )
    )
    flats_won = sorted(won.items())

    declined = Counter(
        reason
        for (reason,) in Landlord.select(Landlord.declined_reason)
        .where(
            (Landlord.stage == Stage.DECLINED)
            & (Landlord.stage_entered_at >= first)
            & (Landlord.stage_entered_at < after)
        )
        .tuples()
    )
    declined_reasons = {reason: declined.get(reason, 0) for reason in DeclineReason.ALL}
    return FunnelReport(
        start, end, per_stage, conversions, median_days, flats_won, declined_reasons
    )


__all__ = ["Conversion", "FunnelReport", "funnel_report"]
