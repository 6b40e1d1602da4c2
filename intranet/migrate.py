"""The schema comes only from the numbered files in ``migrations/``."""

from pathlib import Path

from playhouse.migrations import Runner

from .extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def runner() -> Runner:
    """A peewee migration runner over the bound database."""
    return Runner(db.obj, directory=str(MIGRATIONS_DIR))


def upgrade() -> list[str]:
    """Apply every pending migration; return the names applied."""
    return runner().up()


def pending() -> list[str]:
    """Names of the migrations not yet applied."""
    return [m.name for m in runner().status() if not m.applied and m.path]
