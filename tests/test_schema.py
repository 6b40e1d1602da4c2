"""The schema comes from the migrations, and it matches the models."""

from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from intranet.extensions import db
from intranet.migrate import MIGRATIONS_DIR, pending, upgrade
from intranet.models import MODELS


def test_migrated_schema_matches_the_models(app):
    diff = diff_models(db.obj, MODELS)
    assert not diff, f"the models and the migrations differ:\n{diff}"


def test_migrated_columns_have_the_models_nullability(app):
    for model in MODELS:
        columns = {c.name: c for c in db.get_columns(model._meta.table_name)}
        for field in model._meta.sorted_fields:
            assert columns[field.column_name].null == field.null, f"{model.__name__}.{field.name}"


def test_upgrade_is_idempotent(app):
    assert pending() == []
    assert upgrade() == []


def test_every_migration_can_be_reverted_and_reapplied(app):
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    names = [m.name for m in runner.status()]
    reverted = runner.down(names[0])
    assert reverted == list(reversed(names))
    assert "user" not in db.get_tables()
    assert runner.up() == names
    assert "user" in db.get_tables()


def test_db_status_lists_applied_migrations(runner):
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 0
    assert "[x] 0001_initial" in result.output
