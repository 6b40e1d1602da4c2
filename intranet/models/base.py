"""What every model shares: the database, table naming, and the roles."""

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
