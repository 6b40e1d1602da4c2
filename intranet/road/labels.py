"""The words the road's pages use for its codes."""

from flask_babel import lazy_gettext as _l

from ..models import InventoryLeft, LeaseAnswer, RoadCondition, RoadStep

STEP_LABELS = {
    RoadStep.TAKE_OVER: _l("Take over this flat's lease"),
    RoadStep.LEASE_ELSEWHERE: _l("A lease elsewhere (own search, housing queue)"),
    RoadStep.TRIAL_FLAT: _l("A trial flat in the unit"),
    RoadStep.OTHER_HOUSING: _l("Other housing"),
    RoadStep.NOT_YET: _l("Not yet"),
}

CONDITION_LABELS = {
    RoadCondition.RENT_ON_TIME: _l("Months in a row paid on time"),
    RoadCondition.NO_DEBT: _l("No rent debt"),
    RoadCondition.TIME_IN_FLAT: _l("Time lived in the flat"),
    RoadCondition.ASSESSMENT: _l("The contact person's assessment"),
    RoadCondition.HOUSING_QUEUE: _l("Registered in the housing queue"),
    RoadCondition.RENT_GUARANTEE: _l("Municipal rent guarantee"),
    RoadCondition.LANDLORD_ANSWER: _l("The landlord's answer"),
}

# The states of the conditions people mark, and of the landlord's answer.
STATE_LABELS = {
    "not_assessed": _l("not assessed"),
    "not_ready": _l("not ready yet"),
    "ready": _l("ready"),
    "not_registered": _l("not registered"),
    "registered": _l("registered"),
    "not_applied": _l("not applied for"),
    "applied": _l("applied for"),
    "granted": _l("granted"),
    "refused": _l("refused"),
    "not_asked": _l("not asked"),
    "asked": _l("asked, waiting for the answer"),
    LeaseAnswer.YES: _l("yes"),
    LeaseAnswer.NO: _l("no"),
    LeaseAnswer.LATER: _l("later"),
}

ANSWER_LABELS = {
    LeaseAnswer.YES: _l("Yes, the resident may take over the lease"),
    LeaseAnswer.NO: _l("No"),
    LeaseAnswer.LATER: _l("Later: ask again"),
}

INVENTORY_LABELS = {
    InventoryLeft.LEFT: _l("Left in the flat for the resident"),
    InventoryLeft.SOLD: _l("Sold to the resident"),
    InventoryLeft.TAKEN_BACK: _l("Taken back by the unit"),
}

# What the landlord is told when asked, in the order the portal shows it.
SHARED_LABELS = {
    "name": _l("The resident's name"),
    "moved_in": _l("Moved in"),
    "months_in_flat": _l("Months in the flat"),
    "on_time_in_a_row": _l("Months in a row paid on time"),
    "debt": _l("Rent debt"),
    "recommendation": _l("The unit's recommendation"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {
        "road_step_labels": STEP_LABELS,
        "road_condition_labels": CONDITION_LABELS,
        "road_state_labels": STATE_LABELS,
        "lease_answer_labels": ANSWER_LABELS,
        "inventory_labels": INVENTORY_LABELS,
        "shared_labels": SHARED_LABELS,
    }
