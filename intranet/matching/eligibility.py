"""The intake conditions, as code: each rule says pass, fail or unknown, and why.

Rules are checked as of the planned move-in date, not today. Where a person
is not yet eligible but will be, the rule says from which date.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

DRUG_FREE_MONTHS = 6
MIN_OCCUPATION_PERCENT = 50
ADULT_AGE = 18
# Supported housing (stödboende) is for young people from 17 to 20.
SUPPORTED_MIN_AGE, SUPPORTED_MAX_AGE = 17, 20


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict for one person and one flat at one move-in date."""

    rule: str
    outcome: str
    message: object
    eligible_from: dt.date | None = None

    @property
    def passed(self) -> bool:
        return self.outcome == PASS


@dataclass(frozen=True)
class Person:
    """What the rules need to know about a referred person."""

    birth_date: dt.date | None
    drug_free_since: dt.date | None
    occupation_percent: int | None
    min_rooms: int | None = None
    needs_step_free: bool = False
    excluded_districts: tuple = ()


@dataclass(frozen=True)
class Place:
    """What the rules need to know about a flat."""

    kind: str
    district: str
    rooms: int
    floor: int
    elevator: bool


@dataclass
class Eligibility:
    """All rules for a person, a flat and a date, with any manager overrides."""

    results: list
    overridden: dict = field(default_factory=dict)  # rule -> reason

    @property
    def failing(self) -> list:
        return [r for r in self.results if r.outcome == FAIL and r.rule not in self.overridden]

    @property
    def unknown(self) -> list:
        return [r for r in self.results if r.outcome == UNKNOWN]

    @property
    def eligible(self) -> bool:
        """Every rule passes, or fails only where a manager has overridden it."""
        return not self.failing and not self.unknown

    @property
    def eligible_from(self) -> dt.date | None:
        """The first date every failing rule would pass, if each of them names one."""
        dates = [r.eligible_from for r in self.failing]
        if not dates or any(d is None for d in dates):
            return None
        return max(dates)


def _say(explain: bool, text: str, **values):
    """The rule's sentence, translated when shown; skipped when only the verdict is needed."""
    return _l(text, **values) if explain else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day where it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(birth_date: dt.date, age: int) -> dt.date:
    """The date a person born on ``birth_date`` turns ``age`` (29 February → 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return dt.date(birth_date.year + age, 3, 1)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    age = day.year - birth_date.year
    return age if birthday(birth_date, age) <= day else age - 1


def age_rule(person: Person, place: Place, move_in: dt.date, explain: bool = True) -> RuleResult:
    """18 or over for training and trial flats; 17 to 20 for supported housing."""
    if person.birth_date is None:
        return RuleResult("age", UNKNOWN, _say(explain, "Birth date unknown."))
    age = age_on(person.birth_date, move_in)
    if place.kind == "supported":
        if age < SUPPORTED_MIN_AGE:
            turns = birthday(person.birth_date, SUPPORTED_MIN_AGE)
            return RuleResult(
                "age", FAIL, _say(explain, "Turns 17 on %(date)s.", date=turns.isoformat()), turns
            )
        if age > SUPPORTED_MAX_AGE:
            return RuleResult(
                "age",
                FAIL,
                _say(explain, "%(age)s years old: supported housing is for 17 to 20.", age=age),
            )
        return RuleResult("age", PASS, _say(explain, "%(age)s years old at move-in.", age=age))
    if age < ADULT_AGE:
        turns = birthday(person.birth_date, ADULT_AGE)
        return RuleResult(
            "age", FAIL, _say(explain, "Turns 18 on %(date)s.", date=turns.isoformat()), turns
        )
    return RuleResult("age", PASS, _say(explain, "%(age)s years old at move-in.", age=age))


def drug_free_rule(
    person: Person, place: Place, move_in: dt.date, explain: bool = True
) -> RuleResult:
    """Drug-free for at least six months at the move-in date."""
    if person.drug_free_since is None:
        return RuleResult("drug_free", UNKNOWN, _say(explain, "Drug-free date unknown."))
    enough = add_months(person.drug_free_since, DRUG_FREE_MONTHS)
    if enough <= move_in:
        return RuleResult(
            "drug_free",
            PASS,
            _say(explain, "Drug-free since %(date)s.", date=person.drug_free_since.isoformat()),
        )
    return RuleResult(
        "drug_free",
        FAIL,
        _say(explain, "Drug-free six months on %(date)s.", date=enough.isoformat()),
        enough,
    )


def occupation_rule(
    person: Person, place: Place, move_in: dt.date, explain: bool = True
) -> RuleResult:
    """An occupation (work, studies or an activity) of at least 50 %."""
    if person.occupation_percent is None:
        return RuleResult("occupation", UNKNOWN, _say(explain, "Occupation unknown."))
    if person.occupation_percent >= MIN_OCCUPATION_PERCENT:
        return RuleResult(
            "occupation",
            PASS,
            _say(explain, "Occupied %(percent)s %%.", percent=person.occupation_percent),
        )
    return RuleResult(
        "occupation",
        FAIL,
        _say(
            explain,
            "Occupied %(percent)s %%; at least 50 %% is needed.",
            percent=person.occupation_percent,
        ),
    )


def district_rule(
    person: Person, place: Place, move_in: dt.date, explain: bool = True
) -> RuleResult:
    """The flat is not in a district the person must not live in."""
    excluded = {d.strip().casefold() for d in person.excluded_districts if d.strip()}
    if place.district.strip().casefold() in excluded:
        return RuleResult(
            "district",
            FAIL,
            _say(explain, "%(district)s is an excluded district.", district=place.district),
        )
    return RuleResult(
        "district", PASS, _say(explain, "%(district)s is allowed.", district=place.district)
    )


def access_rule(person: Person, place: Place, move_in: dt.date, explain: bool = True) -> RuleResult:
    """An elevator or a ground floor, for a person who needs one."""
    if not person.needs_step_free:
        return RuleResult("access", PASS, _say(explain, "No accessibility needs."))
    if place.floor <= 0 or place.elevator:
        return RuleResult("access", PASS, _say(explain, "Step-free: ground floor or elevator."))
    return RuleResult(
        "access", FAIL, _say(explain, "Floor %(floor)s without an elevator.", floor=place.floor)
    )


def rooms_rule(person: Person, place: Place, move_in: dt.date, explain: bool = True) -> RuleResult:
    """At least as many rooms as the person needs."""
    needed = person.min_rooms or 1
    said = (
        lazy_ngettext(
            "%(count)s room, %(needed)s needed.",
            "%(count)s rooms, %(needed)s needed.",
            place.rooms,
            count=place.rooms,
            needed=needed,
        )
        if explain
        else None
    )
    return RuleResult("rooms", PASS if place.rooms >= needed else FAIL, said)


RULES = (age_rule, drug_free_rule, occupation_rule, district_rule, access_rule, rooms_rule)


def check(
    person: Person,
    place: Place,
    move_in: dt.date,
    overrides: dict | None = None,
    explain: bool = True,
) -> Eligibility:
    """Every rule for a person and a flat at a move-in date, with overrides applied.

    ``explain=False`` leaves out the sentences, for plans that score many pairs.
    """
    results = [rule(person, place, move_in, explain) for rule in RULES]
    return Eligibility(results, dict(overrides or {}))
