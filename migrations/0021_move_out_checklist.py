"""After a move-out a flat waits for the caretaker's move-out checklist (keys back, the
inspection with any damage, cleaning, what is missing) instead of starting its move-in
checklist again; each move-out keeps its checklist, and a flat has at most one under way."""

from peewee import (
    BooleanField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _table(db):
    def table(name):
        class Meta:
            database = db
            table_name = name

        return type(name, (Model,), {"Meta": Meta})

    user_t, flat_t = (table(n) for n in ("user", "flat"))

    class MoveOutChecklist(Model):
        flat = ForeignKeyField(flat_t, on_delete="CASCADE")
        opened_at = DateTimeField()
        keys_expected = IntegerField(null=True)
        keys_returned = BooleanField(default=False)
        key_count = IntegerField(null=True)
        inspection_done = BooleanField(default=False)
        damage = TextField(default="")
        cleaned = BooleanField(default=False)
        missing_furniture = BooleanField(default=False)
        missing_kitchenware = BooleanField(default=False)
        missing_bedding = BooleanField(default=False)
        finished_at = DateTimeField(null=True)
        finished_by = ForeignKeyField(user_t, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "move_out_checklist"

    MoveOutChecklist.add_index(
        MoveOutChecklist.flat,
        unique=True,
        where=MoveOutChecklist.finished_at.is_null(),
        name="move_out_checklist_one_open_per_flat",
    )
    return MoveOutChecklist


def up(migrator, db):
    db.create_tables([_table(db)])


def down(migrator, db):
    db.drop_tables([_table(db)])
