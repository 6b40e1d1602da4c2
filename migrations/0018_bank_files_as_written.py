"""Bank files as the bank writes them: a BgMax payment keeps the credit notes taken off it
in its deposit and its extra references; an import keeps what its reader read past, how
many of its entries were skipped or set aside, and why a preview was discarded."""

from peewee import CharField, DecimalField, IntegerField, TextField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("bank_import", "skipped", IntegerField(default=0)),
        migrator.add_column("bank_import", "ignored", TextField(default="")),
        migrator.add_column("bank_import", "discard_reason", TextField(default="")),
        migrator.add_column(
            "bank_entry", "deducted", DecimalField(max_digits=10, decimal_places=2, default=0)
        ),
        migrator.add_column("bank_entry", "credit_notes", CharField(max_length=200, default="")),
        migrator.add_column(
            "bank_entry", "extra_references", CharField(max_length=300, default="")
        ),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("bank_entry", "extra_references"),
        migrator.drop_column("bank_entry", "credit_notes"),
        migrator.drop_column("bank_entry", "deducted"),
        migrator.drop_column("bank_import", "discard_reason"),
        migrator.drop_column("bank_import", "ignored"),
        migrator.drop_column("bank_import", "skipped"),
    )
