"""Indexes for the bounded lists and the month's rent board at a city's scale."""

INDEXES = [
    ("rent_charge", ("month",)),
    ("tenancy", ("end_date",)),
    ("landlord", ("next_follow_up",)),
    ("referral", ("received_on",)),
    ("referral_status_change", ("changed_at",)),
    ("audit_event", ("subject_type", "subject_id")),
]


def up(migrator, db):
    migrator.migrate(*[migrator.add_index(table, columns) for table, columns in INDEXES])


def down(migrator, db):
    migrator.migrate(
        *[migrator.drop_index(table, f"{table}_{'_'.join(columns)}") for table, columns in INDEXES]
    )
