"""The log-in's settings that the application's defaults may not name yet, with theirs."""

from flask import current_app

DEFAULTS = {
    # Wrong passwords or codes for one account from one address before that address is
    # locked out of it: the owner elsewhere is not.
    "LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT": 5,
    # Wrong passwords or codes for one account from all addresses together before the
    # account is locked for everyone: the ceiling on guessing from many addresses.
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES": 50,
    # How long an administrator's enrolment code may wait to be used.
    "TWO_FACTOR_ENROLMENT_HOURS": 72,
    # How long a set-up may take from the enrolment code (or the password) to the first code.
    "TWO_FACTOR_SET_UP_MINUTES": 15,
}


def setting(name: str):
    """The application's value of ``name``, or its default here."""
    return current_app.config.get(name, DEFAULTS[name])
