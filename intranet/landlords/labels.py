"""The words the interface uses for the pipeline's codes."""

from flask_babel import lazy_gettext as _l

from ..models import ActivityKind, DeclineReason, LandlordKind, Stage

STAGE_LABELS = {
    Stage.IDENTIFIED: _l("Identified"),
    Stage.CONTACTED: _l("Contacted"),
    Stage.MEETING: _l("Meeting booked"),
    Stage.NEGOTIATING: _l("Negotiating"),
    Stage.AGREEMENT: _l("Agreement signed"),
    Stage.PAUSED: _l("Paused"),
    Stage.DECLINED: _l("Declined"),
}

KIND_LABELS = {
    LandlordKind.PRIVATE_COMPANY: _l("Private property company"),
    LandlordKind.MUNICIPAL_COMPANY: _l("Municipal housing company"),
    LandlordKind.HOUSING_AGENCY: _l("Housing agency"),
    LandlordKind.PRIVATE_OWNER: _l("Private owner"),
    LandlordKind.OTHER: _l("Other"),
}

DECLINE_LABELS = {
    DeclineReason.NO_FLATS: _l("No flats available"),
    DeclineReason.BAD_EXPERIENCE: _l("Bad experience"),
    DeclineReason.WANTS_GUARANTEES: _l("Wants guarantees"),
    DeclineReason.NO_ANSWER: _l("No answer"),
    DeclineReason.OTHER: _l("Other reason"),
}

ACTIVITY_LABELS = {
    ActivityKind.CALL: _l("Call"),
    ActivityKind.EMAIL: _l("Email"),
    ActivityKind.LETTER: _l("Letter"),
    ActivityKind.MEETING: _l("Meeting"),
    ActivityKind.VIEWING: _l("Viewing"),
    ActivityKind.NOTE: _l("Note"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {
        "stage_labels": STAGE_LABELS,
        "landlord_kind_labels": KIND_LABELS,
        "decline_labels": DECLINE_LABELS,
        "activity_labels": ACTIVITY_LABELS,
    }
