"""The words the rent board uses for its codes."""

from flask_babel import lazy_gettext as _l

from . import ledger_rules, rules

STATUS_LABELS = {
    rules.PAID_ON_TIME: _l("Paid on time"),
    rules.PAID_LATE: _l("Paid late"),
    rules.NOT_PAID: _l("Not paid"),
    rules.NOT_YET_PAID: _l("Not yet paid"),
    rules.PARTLY_PAID: _l("Partly paid"),
}

METHOD_LABELS = {
    "bank_transfer": _l("Bank transfer"),
    "swish": _l("Swish"),
    "cash": _l("Cash"),
    "rent_money": _l("Rent money"),
}

CHECKPOINT_LABELS = {
    "reminder": _l("Reminder (1st)"),
    "home_visit": _l("Home visit (5th)"),
    "manager_meeting": _l("Manager meeting (15th)"),
}

STATE_LABELS = {
    "done": _l("done"),
    "due": _l("due"),
    "not_needed": _l("not needed"),
    "later": _l("later"),
}

INSTALMENT_STATE_LABELS = {
    ledger_rules.KEPT: _l("kept"),
    ledger_rules.PAID_LATER: _l("paid after its day"),
    ledger_rules.MISSED: _l("missed"),
    ledger_rules.COMING: _l("coming"),
}

IMPORT_STATUS_LABELS = {
    "preview": _l("Preview, nothing registered"),
    "imported": _l("Registered"),
    "discarded": _l("Discarded, nothing registered"),
}

ENTRY_STATE_LABELS = {
    "matched": _l("Matched"),
    "unmatched": _l("Unmatched"),
    "assigned": _l("Assigned by hand"),
    "already_imported": _l("Already imported"),
    "registered": _l("Registered"),
    "reversed": _l("Reversed the payment"),
    "refused": _l("Refused"),
    "skipped": _l("Skipped"),
    "set_aside": _l("Set aside, not rent"),
}

# What a BgMax deduction's code says of the payer's credit note taken off a payment.
CREDIT_NOTE_LABELS = {
    "0": _l("credit note used in full"),
    "1": _l("part of a credit note, the rest later"),
    "2": _l("the last part of a credit note"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {
        "rent_status_labels": STATUS_LABELS,
        "method_labels": METHOD_LABELS,
        "import_status_labels": IMPORT_STATUS_LABELS,
        "entry_state_labels": ENTRY_STATE_LABELS,
        "checkpoint_labels": CHECKPOINT_LABELS,
        "checkpoint_state_labels": STATE_LABELS,
        "instalment_state_labels": INSTALMENT_STATE_LABELS,
        "credit_note_labels": CREDIT_NOTE_LABELS,
    }
