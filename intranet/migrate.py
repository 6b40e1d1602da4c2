"""The schema comes only from the numbered files in ``migrations/``."""

from playhouse.migrations import Runner

from . import ROOT
from .extensions import db

MIGRATIONS_DIR = ROOT / "migrations"


def runner() -> Runner:
    """A peewee migration runner over the bound database."""
    return Runner(db.obj, directory=str(MIGRATIONS_DIR))


def upgrade() -> list[str]:
    """Apply every pending migration; return the names applied."""
    return runner().up()


def pending() -> list[str]:
    """Names of the migrations not yet applied."""
    return [m.name for m in runner().status() if not m.applied and m.path]
