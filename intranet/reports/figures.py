"""The yearly report's parts: figures, the records behind them, sections."""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from flask import url_for

from ..formatting import format_amount, format_number, format_share

# The part of a figure whose reason was not given.
NOT_STATED = "-"


def link(endpoint: str, **values) -> tuple:
    """A record's page, to be made an address only when the record is shown."""
    return endpoint, values


@dataclass
class Records:
    """The records behind a figure: a header and rows of cells, the first cell linked.
    They are kept as given and written out (addresses made, numbers in the reader's
    language) only when read, so a report drawn without its records pays little for them."""

    header: list
    entries: list = field(default_factory=list)

    def add(self, page: tuple | None, *cells) -> None:
        """Add a record: its page (``link``) and what the list shows of it."""
        self.entries.append((page, cells))

    def add_person(self, page: tuple | None, shown: bool, name: str, *cells) -> None:
        """Add a person's record; one protected from the viewer (``shown`` False) is
        "Protected personal details", with no page and nothing else of theirs."""
        if shown:
            self.add(page, name, *cells)
        else:
            from ..referrals.services import PROTECTED

            self.add(None, PROTECTED, *([""] * len(cells)))

    @cached_property
    def rows(self) -> list:
        """(address or None, cells as text) for each record, in the order added."""
        return [
            (url_for(page[0], **page[1]) if page else None, [str(format_number(c)) for c in cells])
            for page, cells in self.entries
        ]


@dataclass
class Figure:
    """One number of the report, with the key of the records behind it."""

    label: str
    value: object
    key: str | None = None
    part: str | None = None
    # Shown beside the value in a table, such as the share it is of the row.
    note: str = ""
    # The figure as spreadsheet cells (numbers, ``exports.kronor``, ``exports.percent``)
    # where ``value`` is a text for the page ("16 (76 %)", "85 080 kr").
    cells: tuple = ()


@dataclass
class Section:
    """A part of the report: its figures and, where it has one, a table of figures."""

    key: str
    title: str
    figures: list = field(default_factory=list)
    table_header: list = field(default_factory=list)
    table: list = field(default_factory=list)


@dataclass
class YearReport:
    year: int
    first: dt.date
    last: dt.date
    sections: list = field(default_factory=list)
    records: dict = field(default_factory=dict)
    # Whom the records are for: a person protected from them is not named. None: everyone
    # is named (the report made outside a request, by the tests and the command line).
    viewer: object = None

    def shows(self, referral, contact_person_ids=()) -> bool:
        """Whether the records may name the person (``referrals.services.may_see_person``)."""
        if self.viewer is None:
            return True
        from ..referrals.services import may_see_person

        return may_see_person(referral, self.viewer, [c for c in contact_person_ids if c])

    def records_for(self, key: str, part: str | None = None) -> Records | None:
        """The records behind the figure ``key`` (and ``part`` of it), or None."""
        return self.records.get((key, part or None))


def share(part: int, whole: int) -> str:
    """``part`` as a whole percentage of ``whole`` ("76 %"), a dash when there is none."""
    return format_share(part, whole)


def fraction(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction for a spreadsheet; None when there is no whole."""
    return part / whole if whole else None


def day_figures(values) -> tuple:
    """The average (to whole days, halves up) and the median (a half kept) of ``values``."""
    if not values:
        return "—", "—"
    average = int((Decimal(sum(values)) / len(values)).quantize(Decimal(1), ROUND_HALF_UP))
    median = statistics.median(values)
    return average, int(median) if median == int(median) else median


def person_name(first: str, last: str) -> str:
    """A person's name from its parts."""
    return f"{first} {last}"


def kr(amount) -> str:
    """An amount in kronor, as the pages write it."""
    return format_amount(amount)
