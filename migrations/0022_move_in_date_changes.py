"""An accepted match's agreed move-in day that is changed (the person moved in earlier, or
later) is recorded with the old and the new day, who, when and why."""

from peewee import DateField, DateTimeField, ForeignKeyField, Model, TextField


def _table(db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name, (Model,), {"Meta": Meta})

    user_t, match_t = (table(n) for n in ("user", "match"))

    class MoveInDateChange(Model):
        match = ForeignKeyField(match_t, on_delete="CASCADE")
        from_date = DateField()
        to_date = DateField()
        changed_at = DateTimeField()
        changed_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")
        reason = TextField()

        class Meta:
            database = db
            table_name = "move_in_date_change"

    return MoveInDateChange


def up(migrator, db):
    db.create_tables([_table(db)])


def down(migrator, db):
    db.drop_tables([_table(db)])
