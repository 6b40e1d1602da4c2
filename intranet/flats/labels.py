"""The words the interface uses for flat codes."""

from flask_babel import lazy_gettext as _l

from ..models import FlatKind, FlatStatus

FLAT_STATUS_LABELS = {
    FlatStatus.OFFERED: _l("Offered"),
    FlatStatus.VIEWED: _l("Viewed"),
    FlatStatus.CONTRACTED: _l("Contracted"),
    FlatStatus.EQUIPPING: _l("Being equipped"),
    FlatStatus.READY: _l("Ready"),
    FlatStatus.MOVED_OUT: _l("Move-out inspection"),
    FlatStatus.REJECTED: _l("Rejected"),
    FlatStatus.RETURNED: _l("Returned to the landlord"),
    FlatStatus.TRANSFERRED: _l("Lease taken over by the resident"),
}

FLAT_KIND_LABELS = {
    FlatKind.TRAINING: _l("Training flat"),
    FlatKind.TRIAL: _l("Trial flat"),
    FlatKind.SUPPORTED: _l("Supported housing"),
}

CHECKLIST_LABELS = {
    "has_furniture": _l("Furniture"),
    "has_kitchenware": _l("Kitchenware"),
    "has_bedding": _l("Bedding"),
    "keys_handed_over": _l("Keys handed over"),
    "inspection_done": _l("Move-in inspection done"),
}

# What is left of a move-out checklist before it can be finished, as the start page says it.
MOVE_OUT_TO_DO = {
    "keys_returned": _l("keys"),
    "inspection_done": _l("inspection"),
    "cleaned": _l("cleaning"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {
        "flat_status_labels": FLAT_STATUS_LABELS,
        "flat_kind_labels": FLAT_KIND_LABELS,
        "checklist_labels": CHECKLIST_LABELS,
    }
