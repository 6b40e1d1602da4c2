"""The words the interface uses for referral codes."""

from flask_babel import lazy_gettext as _l

from ..models import CommissionerKind, MatchStatus, ReferralStatus, TargetGroup

REFERRAL_STATUS_LABELS = {
    ReferralStatus.RECEIVED: _l("Received"),
    ReferralStatus.ASSESSING: _l("Assessing"),
    ReferralStatus.WAITING: _l("Waiting"),
    ReferralStatus.MATCHED: _l("Matched"),
    ReferralStatus.MOVED_IN: _l("Moved in"),
    ReferralStatus.DECLINED: _l("Declined"),
    ReferralStatus.WITHDRAWN: _l("Withdrawn"),
}

TARGET_GROUP_LABELS = {
    TargetGroup.ADDICTION: _l("Addiction"),
    TargetGroup.CRIME: _l("Crime"),
    TargetGroup.THREATS: _l("Threats and violence"),
    TargetGroup.UNACCOMPANIED: _l("Unaccompanied youth"),
    TargetGroup.OTHER: _l("Other"),
}

COMMISSIONER_KIND_LABELS = {
    CommissionerKind.SOCIAL_SERVICES: _l("Social services"),
    CommissionerKind.PROBATION_SERVICE: _l("Prison and probation service"),
    CommissionerKind.OTHER: _l("Other"),
}

GENDER_LABELS = {
    "female": _l("Woman"),
    "male": _l("Man"),
    "other": _l("Other or not stated"),
}

OCCUPATION_LABELS = {
    "work": _l("Work"),
    "studies": _l("Studies"),
    "activity": _l("Activity"),
    "none": _l("None"),
}

MATCH_STATUS_LABELS = {
    MatchStatus.PROPOSED: _l("Proposed"),
    MatchStatus.OFFERED: _l("Offered to the commissioner"),
    MatchStatus.VIEWING: _l("Viewing"),
    MatchStatus.ACCEPTED: _l("Accepted"),
    MatchStatus.MOVED_IN: _l("Moved in"),
    MatchStatus.DECLINED: _l("Declined"),
}

RULE_LABELS = {
    "age": _l("Age"),
    "drug_free": _l("Drug-free six months"),
    "occupation": _l("Occupation at least 50 %"),
    "district": _l("District"),
    "access": _l("Accessibility"),
    "rooms": _l("Rooms"),
}


def template_globals() -> dict:
    """The label tables, for every template."""
    return {
        "referral_status_labels": REFERRAL_STATUS_LABELS,
        "target_group_labels": TARGET_GROUP_LABELS,
        "commissioner_kind_labels": COMMISSIONER_KIND_LABELS,
        "gender_labels": GENDER_LABELS,
        "occupation_labels": OCCUPATION_LABELS,
        "match_status_labels": MATCH_STATUS_LABELS,
        "rule_labels": RULE_LABELS,
    }
