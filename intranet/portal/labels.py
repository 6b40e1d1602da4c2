"""The words the portal uses for its codes."""

from flask_babel import lazy_gettext as _l

CASE_KIND_LABELS = {
    "fault": _l("Fault report"),
    "inspection": _l("Inspection"),
    "contract": _l("Contract question"),
    "other": _l("Other"),
}

UNIT_STATE_LABELS = {
    "occupied": _l("Occupied by a resident"),
    "vacant": _l("Vacant since %(date)s"),
    "preparing": _l("Being prepared"),
    "moving_out": _l("Moving out on %(date)s"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {"case_kind_labels": CASE_KIND_LABELS, "unit_state_labels": UNIT_STATE_LABELS}
