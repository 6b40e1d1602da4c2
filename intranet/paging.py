"""Bounded lists: every list that grows with the data shows one page of it.

The page number travels in the address (``?page=N``) with the list's filters, so a page
can be bookmarked and works as a plain link; htmx only makes it faster.
"""

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from .forms import is_number

PAGE_SIZE = 50
MAX_PAGE = 100_000


class PageError(ValueError):
    """A page number in the address that is not one."""


@dataclass
class Page:
    """One page of a list: its rows, which page it is, and how many rows there are in all."""

    rows: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def first_row(self) -> int:
        """The ordinal of the page's first row (1-based), 0 on an empty list."""
        return (self.number - 1) * self.size + 1 if self.rows else 0


def page_number(name: str = "page") -> int:
    """The page asked for in the address: 1 when not given, ``PageError`` when not a page."""
    text = request.args.get(name)
    if text is None or text == "":
        return 1
    if not is_number(text) or not 1 <= int(text) <= MAX_PAGE:
        raise PageError(_("The page in the address is not valid."))
    return int(text)


def paginate(query, number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of a peewee query (ordered by the caller), and how many rows it has:
    two queries however long the list."""
    return Page(list(query.paginate(number, size)), number, size, query.count())


def page_of(rows: list, number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of rows already read (for lists built from a fixed set of queries)."""
    start = (number - 1) * size
    return Page(rows[start : start + size], number, size, len(rows))
