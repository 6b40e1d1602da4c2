"""What every model shares: the database, table naming, the roles, and how a rule says no."""

from peewee import Model

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


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Refused(Exception):
    """A change a rule refuses, for a reason the person can act on.

    ``field_name`` names the form field the reason belongs beside, if any.
    """

    def __init__(self, message, field_name=None):
        super().__init__(message)
        self.message = message
        self.field_name = field_name
