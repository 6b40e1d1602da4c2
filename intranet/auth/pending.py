"""A log-in half done: the password was right, and the second factor's code is awaited, or
(for an account that must set one up first) the administrator's enrolment code and the
set-up.

The session holds whose log-in it is, at which session version, since when, which step
it waits for and where to go next. It ends after a few minutes, and as soon as the
user's sessions end (a new password, a reset second factor), since the version no longer
matches.
"""

import datetime as dt

from flask import current_app, session

from .. import clock
from ..models import User
from ..security import local_path
from .settings import setting

KEY = "two_factor_pending"
CODE = "code"
ENROL = "enrol"


def begin(user: User, next_url: str | None, step: str = CODE) -> None:
    """Remember that ``user`` gave the right password and now owes ``step``."""
    session[KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": clock.now().isoformat(),
        "next": local_path(next_url) or "",
        "step": step,
    }


def waiting() -> bool:
    """Tell whether the session waits for a step of a log-in (however old)."""
    return isinstance(session.get(KEY), dict)


def step() -> str | None:
    """The step the session waits for, or None."""
    state = session.get(KEY)
    return state.get("step", CODE) if isinstance(state, dict) else None


def pending_user(wanted: str = CODE) -> User | None:
    """The active user whose ``wanted`` step the session waits for, or None if it waits
    for none, has waited too long, or the user's sessions have ended since."""
    state = session.get(KEY)
    if not isinstance(state, dict) or state.get("step", CODE) != wanted:
        return None
    try:
        started = dt.datetime.fromisoformat(state.get("at") or "")
    except (TypeError, ValueError):
        return None
    if wanted == ENROL:
        limit = dt.timedelta(minutes=setting("TWO_FACTOR_SET_UP_MINUTES"))
    else:
        limit = dt.timedelta(minutes=current_app.config["TWO_FACTOR_PENDING_MINUTES"])
    if not started <= clock.now() <= started + limit:
        return None
    return User.from_session_id(f"{state.get('user')}:{state.get('version')}")


def next_url() -> str | None:
    """Where the log-in goes once it is done."""
    state = session.get(KEY)
    return local_path(state.get("next")) if isinstance(state, dict) else None


def end() -> None:
    """Forget the half-done log-in."""
    session.pop(KEY, None)
