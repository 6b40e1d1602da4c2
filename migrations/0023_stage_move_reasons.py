"""A landlord moved back in the pipeline keeps the reason with the move (the history shows
it, and anonymising and the data-access export read it with the other free texts)."""

from peewee import TextField


def up(migrator, db):
    migrator.migrate(migrator.add_column("stage_change", "reason", TextField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("stage_change", "reason"))
