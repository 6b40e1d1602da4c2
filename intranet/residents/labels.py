"""The words the residents' pages use for codes."""

from flask_babel import lazy_gettext as _l

OUTCOME_LABELS = {
    "own_lease_transfer": _l("Own lease by transfer"),
    "own_lease": _l("Own lease"),
    "trial_flat": _l("Trial flat"),
    "other_housing": _l("Other housing"),
    "treatment": _l("Treatment or care"),
    "evicted": _l("Evicted"),
    "other": _l("Other"),
}
# The outcome of a lease handed over to the resident: recorded by the transfer, never
# chosen on the move-out form.
TRANSFER = "own_lease_transfer"
# Outcomes that count as moving on, and those that count as leaving early.
MOVED_ON = (TRANSFER, "own_lease", "trial_flat", "other_housing")
EARLY_END = ("treatment", "evicted")


def template_globals() -> dict:
    """The label tables, for every template."""
    return {"outcome_labels": OUTCOME_LABELS}
