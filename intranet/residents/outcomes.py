"""Moving on, counted: the tenancies that ended in a home of one's own or another fitting
form of housing, by path, with the months from move-in to moving on. The outcomes page and
the yearly report read them here."""

import datetime as dt
import statistics
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..models import Referral, Tenancy
from ..rent.rules import whole_months
from .labels import MOVED_ON, OUTCOME_LABELS, TRANSFER

# The paths of moving on, as the road's counts name them: a lease taken over, an own lease
# found elsewhere, a trial flat, other housing.
PATH_LABELS = {
    TRANSFER: OUTCOME_LABELS[TRANSFER],
    "own_lease": _l("Own lease elsewhere"),
    "trial_flat": OUTCOME_LABELS["trial_flat"],
    "other_housing": OUTCOME_LABELS["other_housing"],
}


def median(values) -> int | float | None:
    """The median of ``values`` (a half kept, a whole number as one); None for none."""
    if not values:
        return None
    middle = statistics.median(values)
    return int(middle) if middle == int(middle) else middle


@dataclass
class MovesOn:
    """The tenancies that ended in moving on, each with its whole months from move-in to
    moving on."""

    rows: list = field(default_factory=list)  # (tenancy with its referral, months)

    @property
    def counts(self) -> dict[str, int]:
        """How many moved on by each path, every path named."""
        counts = dict.fromkeys(MOVED_ON, 0)
        for tenancy, _months in self.rows:
            counts[tenancy.outcome] += 1
        return counts

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def median_months(self) -> int | float | None:
        """The median whole months from move-in to moving on."""
        return median([months for _tenancy, months in self.rows])


def moves_on(first: dt.date | None = None, last: dt.date | None = None) -> MovesOn:
    """The tenancies that ended from ``first`` to ``last`` (all, when not given) with an
    outcome that is moving on, with their people, the earliest end first: one query."""
    query = (
        Tenancy.select(
            Tenancy.id,
            Tenancy.start_date,
            Tenancy.end_date,
            Tenancy.outcome,
            Tenancy.contact_person,
            Referral.id,
            Referral.first_name,
            Referral.last_name,
            *Referral.record_rule_columns(),
        )
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where(Tenancy.end_date.is_null(False) & Tenancy.outcome.in_(MOVED_ON))
        .order_by(Tenancy.end_date, Referral.last_name, Referral.first_name, Tenancy.id)
    )
    if first is not None:
        query = query.where(Tenancy.end_date >= first)
    if last is not None:
        query = query.where(Tenancy.end_date <= last)
    return MovesOn([(t, whole_months(t.start_date, t.end_date)) for t in query])
