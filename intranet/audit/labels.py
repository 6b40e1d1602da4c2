"""The words the audit log uses for the codes it stores: what was done, and to what."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "opened": _l("opened"),
    "viewed": _l("viewed"),
    "exported": _l("downloaded"),
    "anonymised": _l("anonymised"),
    "imported": _l("imported"),
    "user_created": _l("created the account"),
    "user_edited": _l("changed the account"),
    "user_reactivated": _l("reactivated the account"),
    "user_deactivated": _l("deactivated the account"),
    "password_changed": _l("changed the password"),
    "two_factor_enrolled": _l("set up the second factor"),
    "two_factor_reset": _l("reset the second factor"),
    "two_factor_disabled": _l("turned off the second factor"),
    "recovery_code_used": _l("used a recovery code"),
    "landlord_user_invited": _l("invited a portal user"),
    "money_moved": _l("moved rent money between months"),
    "approval_requested": _l("left the account waiting for a manager's approval"),
    "user_approved": _l("approved the account"),
    "enrolment_code_issued": _l("gave an enrolment code"),
    "login_lock_lifted": _l("lifted the lock on logging in"),
    "assigned": _l("assigned"),
    "edited": _l("edited"),
    "discarded": _l("discarded"),
    "set_aside": _l("set aside as not rent"),
    "moved_back": _l("moved a landlord back"),
    "consent_recorded": _l("recorded the resident's consent"),
    "consent_withdrawn": _l("recorded that the resident withdrew their consent"),
    "harm_assessed": _l("assessed the harm of telling the landlord"),
    "shared": _l("shared with the landlord"),
    "answered": _l("answered"),
    "lease_transferred": _l("recorded the lease handed over"),
}

SUBJECT_LABELS = {
    "referral": _l("referral"),
    "referrals": _l("referrals"),
    "list": _l("list"),
    "rent": _l("rent"),
    "residents": _l("residents"),
    "user": _l("account"),
    "bank_import": _l("bank file"),
    "landlord": _l("landlord"),
    "bank_entry": _l("bank payment"),
    "lease_request": _l("request to take over a lease"),
    "road_settings": _l("conditions of the road"),
}


def template_globals() -> dict:
    """``audit_action`` and ``audit_subject``: a code in words, or as stored if it is new."""
    return {
        "audit_action": lambda code: ACTION_LABELS.get(code, code),
        "audit_subject": lambda code: SUBJECT_LABELS.get(code, code),
    }
