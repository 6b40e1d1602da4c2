"""Referrals remember when ``flask gdpr anonymise`` removed the person's details.

Numbered 0009: 0008 belongs to another branch. The runner applies whichever is pending,
in number order, so the two may arrive in either order.
"""

from peewee import DateTimeField


def up(migrator, db):
    migrator.migrate(migrator.add_column("referral", "anonymised_at", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("referral", "anonymised_at"))
