"""What every model shares: the database, table naming, the roles, and how a rule says no."""

import datetime as dt

from peewee import JOIN, DateTimeField, Model

from .. import clock
from ..extensions import db


class Role:
    """The roles of DOMAIN.md; the code's names, translated in the UI."""

    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    CARETAKER = "caretaker"
    LANDLORD = "landlord"

    ALL = (ADMIN, MANAGER, STAFF, CARETAKER, LANDLORD)
    # Everyone who works at the unit, as opposed to the landlords it leases from.
    INTERNAL = (ADMIN, MANAGER, STAFF, CARETAKER)


class MomentField(DateTimeField):
    """A moment: the code's wall-clock time of the unit, stored in UTC so that none is
    ambiguous. A date given in a query stands for its midnight in the unit."""

    def db_value(self, value):
        if isinstance(value, dt.datetime):
            value = clock.to_utc(value) if value.tzinfo is None else _naive_utc(value)
        elif isinstance(value, dt.date):
            value = clock.to_utc(dt.datetime.combine(value, dt.time()))
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        return clock.from_utc(value) if isinstance(value, dt.datetime) else value


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class StateChange:
    """A history model: one line per move of its subject from one state to the next.

    Each such model names its subject and two state columns in ``COLUMNS``.
    """

    COLUMNS: tuple[str, str, str]

    @classmethod
    def record(cls, subject, from_state, to_state, actor, at=None, **extra):
        """Write the line for one move of ``subject``, by ``actor``, at ``at`` (now by default)."""
        subject_column, from_column, to_column = cls.COLUMNS
        return cls.create(
            **{subject_column: subject, from_column: from_state, to_column: to_state},
            changed_at=at or clock.now(),
            changed_by=actor,
            **extra,
        )

    @classmethod
    def history(cls, subject_id: int):
        """The subject's moves, oldest first, each with who made it (one query)."""
        subject = getattr(cls, cls.COLUMNS[0])
        actor = cls.changed_by.rel_model
        return (
            cls.select(cls, actor)
            .join(actor, JOIN.LEFT_OUTER, on=(cls.changed_by == actor.id))
            .where(subject == subject_id)
            .order_by(cls.changed_at, cls.id)
        )

    @classmethod
    def latest(cls, subject_id: int):
        """The subject's latest move, with who made it, or None."""
        return cls.history(subject_id).order_by(cls.changed_at.desc(), cls.id.desc()).first()


class Refused(Exception):
    """A change a rule refuses, for a reason the person can act on.

    ``field_name`` names the form field the reason belongs beside, if any.
    """

    def __init__(self, message, field_name=None):
        super().__init__(message)
        self.message = message
        self.field_name = field_name
