"""A log-in half done: the password was right and the second factor's code is awaited.

The session holds whose code it waits for, at which session version, since when and
where to go next. It ends after a few minutes, and as soon as the user's sessions end
(a new password, a reset second factor), since the version no longer matches.
"""

import datetime as dt

from flask import current_app, session

from .. import clock
from ..models import User

KEY = "two_factor_pending"


def begin(user: User, next_url: str | None) -> None:
    """Remember that ``user`` gave the right password and now owes a code."""
    session[KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": clock.now().isoformat(),
        "next": next_url or "",
    }


def waiting() -> bool:
    """Tell whether the session waits for a code (however old)."""
    return isinstance(session.get(KEY), dict)


def pending_user() -> User | None:
    """The active user whose code the session waits for, or None if it waits for none, has
    waited too long, or the user's sessions have ended since."""
    state = session.get(KEY)
    if not isinstance(state, dict):
        return None
    try:
        started = dt.datetime.fromisoformat(state.get("at") or "")
    except (TypeError, ValueError):
        return None
    limit = dt.timedelta(minutes=current_app.config["TWO_FACTOR_PENDING_MINUTES"])
    if not started <= clock.now() <= started + limit:
        return None
    return User.from_session_id(f"{state.get('user')}:{state.get('version')}")


def next_url() -> str | None:
    """Where the log-in goes once the code is right."""
    state = session.get(KEY)
    return (state.get("next") or None) if isinstance(state, dict) else None


def end() -> None:
    """Forget the half-done log-in."""
    session.pop(KEY, None)
