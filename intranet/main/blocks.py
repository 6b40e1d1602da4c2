"""The start pages' building blocks: a block of the day's work and its items."""

from dataclasses import dataclass, field

from flask_babel import ngettext

from ..formatting import format_amount, format_number

FIRST = 5


@dataclass
class Item:
    """One line of a block: what it is, where to act on it, and a note."""

    text: str
    url: str | None = None
    note: str = ""
    urgent: bool = False


@dataclass
class Block:
    """A part of a start page: what it is, how many, the first few, and where to work."""

    key: str
    title: str
    count: int
    link: str
    link_text: str
    empty: str
    items: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    # Facts about something else than the block's count get a heading of their own and
    # come after the items (the landlords per stage beside the overdue follow-ups).
    facts_title: str = ""
    lead: str = ""
    # How many the items are the first of, when not ``count`` (say, the referrals to
    # confirm among all those waiting).
    listed: int | None = None

    @property
    def more(self) -> int:
        """How many more there are than the items shown."""
        total = self.count if self.listed is None else self.listed
        return max(0, total - len(self.items))


def person_name(referral) -> str:
    """A resident's or a referred person's name."""
    return f"{referral.first_name} {referral.last_name}"


def days_text(n: int) -> str:
    """A number of days in words: "1 day", "12 days"."""
    return ngettext("%(count)s day", "%(count)s days", n, count=format_number(n))


def listed(key, title, query, item, link, link_text, empty, **extra) -> Block:
    """A block over ``query``: how many rows it has, and its first few made into items."""
    items = [item(row) for row in query.limit(FIRST)]
    return Block(key, title, query.count(), link, link_text, empty, items=items, **extra)


def kr(amount) -> str:
    """An amount in whole kronor, as the start pages' overviews write it."""
    return format_amount(amount)
