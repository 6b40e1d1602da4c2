"""The words the matching pages use for codes."""

from flask_babel import lazy_gettext as _l

SIDE_LABELS = {
    "unit": _l("The unit"),
    "commissioner": _l("The commissioner"),
    "person": _l("The person"),
}

DECLINE_REASON_LABELS = {
    "flat_unsuitable": _l("The flat does not suit"),
    "area": _l("The area"),
    "not_ready": _l("Not ready to move"),
    "found_other": _l("Found other housing"),
    "no_show": _l("Did not come to the viewing"),
    "other": _l("Other reason"),
}

RENT_PAYER_LABELS = {
    "resident": _l("The resident"),
    "commissioner": _l("The commissioner, within the daily fee (the unit pays rent money)"),
}


# What a screen reader says before each rule's line in a ranking (the eye sees ✓, ✗ or ?).
RULE_OUTCOME_LABELS = {
    "pass": _l("met"),
    "fail": _l("not met"),
    "unknown": _l("not known"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {
        "side_labels": SIDE_LABELS,
        "decline_reason_labels": DECLINE_REASON_LABELS,
        "rent_payer_labels": RENT_PAYER_LABELS,
        "rule_outcome_labels": RULE_OUTCOME_LABELS,
    }
