"""The monthly rent notice (*hyresavi*) and the 1st's reminder letter: what each asks the
resident to pay, to which bankgiro and with which reference, and logging the reminders as
sent for everyone at once.

A notice asks for the month's rent and the repayment instalments falling due in the month,
less what the month already holds (credit paid in advance, as the ledger booked it); a
reminder asks for what is left of the month's rent after the due date.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from peewee import chunked

from .. import clock
from ..database import write_transaction
from ..models import Checkpoint, RentCharge, User
from . import board, services

# The letters on one print page: a print job stays a size a browser and a printer manage.
PRINT_PAGE_SIZE = 200
REMINDER = "reminder"


def amount_due(charge, instalments, paid, in_plan: bool = False) -> Decimal:
    """What a month's notice asks for: what is left of the month's rent (nothing when a
    repayment plan has taken over its debt: the instalments ask for it) and what is left of
    the instalments falling due in the month; never below 0."""
    left = Decimal(0) if in_plan else max(Decimal(0), Decimal(charge) - Decimal(paid))
    return left + sum((Decimal(a) for a in instalments), Decimal(0))


@dataclass
class Letter:
    """One resident's notice or reminder for a month: their board row and the repayment
    instalments falling due in the month."""

    row: board.MonthRow
    instalments: list

    @property
    def tenancy(self):
        return self.row.charge.tenancy

    @property
    def due_on(self) -> dt.date:
        return self.row.charge.due_on

    @property
    def due_dates(self) -> list[dt.date]:
        """The days the notice's lines fall due on, earliest first: the rent's and each
        instalment's."""
        return sorted({self.due_on, *(i.due_on for i in self.instalments)})

    @property
    def amount(self) -> Decimal:
        """What the notice asks for."""
        return amount_due(
            self.row.charge.amount,
            [i.left for i in self.instalments],
            self.row.paid,
            self.row.plan_id is not None,
        )

    @property
    def owed(self) -> Decimal:
        """What the reminder asks for: what is left of the month's rent."""
        return max(Decimal(0), self.row.balance)


def sender() -> dict:
    """Who sends the letters and where the rent goes, from the settings."""
    config = current_app.config
    return {
        "bankgiro": config.get("BANKGIRO") or "",
        "name": config.get("UNIT_NAME") or "",
        "address_lines": [
            line.strip() for line in (config.get("UNIT_ADDRESS") or "").split(",") if line.strip()
        ],
    }


def month_is_open(month: dt.date) -> bool:
    """Whether the month has been opened: its charges are made (one query)."""
    return RentCharge.select().where(RentCharge.month == month).exists()


def letters(
    month: dt.date, today: dt.date, filters: board.BoardFilters, limit=None, offset=0
) -> list[Letter]:
    """The month's letters for the residents the filters keep, by name: 4 queries."""
    rows = board.month_rows(month, today, filters, limit, offset, whole=True)
    instalments = services.open_instalments([r.charge.tenancy_id for r in rows], month)
    return [Letter(row, instalments.get(row.charge.tenancy_id, [])) for row in rows]


def reminders_due(contact: int | None = None) -> board.BoardFilters:
    """The board's filter for the residents whose reminder is due (one contact person's)."""
    return board.BoardFilters(contact=contact, due=REMINDER)


def mark_reminders_sent(month: dt.date, actor: User, contact: int | None = None) -> int:
    """Log the reminder as done for everyone it is due for in ``month`` (one contact person's
    residents with ``contact``), in one transaction; return how many were logged.

    Those already logged are skipped by the database's (charge, kind) index, so a second
    click, or two at once, logs nothing more.
    """
    if not month_is_open(month):
        raise services.RentError(_("%(month)s is not open yet.", month=month.strftime("%Y-%m")))
    moment = clock.now()
    logged = 0
    with write_transaction():
        charge_ids = [
            row.id for row in board.month_charge_ids(month, clock.today(), reminders_due(contact))
        ]
        rows = [
            {"charge": charge_id, "kind": REMINDER, "done_by": actor.id, "done_at": moment}
            for charge_id in charge_ids
        ]
        for batch in chunked(rows, 500):
            inserted = Checkpoint.insert_many(batch).on_conflict_ignore().returning(Checkpoint.id)
            logged += len(list(inserted.execute()))
    return logged
