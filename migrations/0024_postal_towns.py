"""A flat's address carries its postal town ("165 56 Hässelby"): empty for the flats there
are, until someone adds it on the flat's page."""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("flat", "postal_town", CharField(max_length=100, default=""))
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("flat", "postal_town"))
