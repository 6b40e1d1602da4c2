"""Every tenancy gets the OCR reference its resident pays rent with: unique, from its id."""

from peewee import CharField

from intranet import ocr


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("tenancy", "payment_reference", CharField(max_length=25, null=True))
    )
    ids = [row[0] for row in db.execute_sql("SELECT id FROM tenancy")]
    for tenancy_id in ids:
        db.execute_sql(
            "UPDATE tenancy SET payment_reference = %s WHERE id = %s"
            if db.param == "%s"
            else "UPDATE tenancy SET payment_reference = ? WHERE id = ?",
            (ocr.reference_for(tenancy_id), tenancy_id),
        )
    migrator.migrate(migrator.add_index("tenancy", ("payment_reference",), unique=True))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("tenancy", "tenancy_payment_reference"),
        migrator.drop_column("tenancy", "payment_reference"),
    )
