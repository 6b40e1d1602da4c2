"""Authentication rules: throttled log-in and second step, session ends, password change."""

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from .. import clock
from ..database import for_update, write_transaction
from ..models import AuditEvent, LoginThrottle, User
from . import two_factor
from .passwords import hash_password, needs_rehash, spend_time_as_if_verifying, verify_password


@dataclass
class LoginResult:
    """What a log-in attempt came to: a user, or a refusal and until when."""

    user: User | None = None
    locked_until: dt.datetime | None = None


def _throttle_keys(email: str, address: str) -> list[tuple[str, int]]:
    config = current_app.config
    return [
        (f"account:{email}", config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (f"address:{address}", config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ]


def _locked_until(keys, moment):
    rows = LoginThrottle.select().where(LoginThrottle.key.in_([k for k, _ in keys]))
    locks = [row.locked_until for row in rows if row.is_locked(moment)]
    return max(locks) if locks else None


def _reserve_attempt(keys, moment) -> tuple[bool, dt.datetime | None]:
    """Count an attempt on every key *before* its password is checked.

    Counting after the check would let parallel attempts, in any number of processes,
    all pass the lock check while the first ones are still being verified. Counted first,
    under the rows' lock, no more attempts than the limit are ever checked. Returns whether
    the attempt may go on, and the lock it set on reaching a limit (or the lock in force).
    """
    config = current_app.config
    window = dt.timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    lock = dt.timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    rows = []
    with write_transaction():
        for key, limit in keys:
            # Create the row if it is missing first: FOR UPDATE cannot lock a row
            # that does not exist yet, and two first failures would both insert.
            LoginThrottle.insert(
                key=key, failures=0, window_started_at=moment
            ).on_conflict_ignore().execute()
            row = for_update(LoginThrottle.select().where(LoginThrottle.key == key)).get()
            if row.is_locked(moment):
                return False, row.locked_until
            if moment - row.window_started_at > window:
                row.failures, row.window_started_at, row.locked_until = 0, moment, None
            rows.append((row, limit))
        locked = None
        for row, limit in rows:
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = moment + lock
                locked = max(filter(None, [locked, row.locked_until]))
            row.save()
    return True, locked


def _give_back(key: str, limit: int) -> None:
    """Take back one attempt counted on ``key`` (it was no failure)."""
    row = LoginThrottle.key == key
    LoginThrottle.update(failures=LoginThrottle.failures - 1).where(
        row & (LoginThrottle.failures > 0)
    ).execute()
    LoginThrottle.update(locked_until=None).where(row & (LoginThrottle.failures < limit)).execute()


def _forget_attempt(email: str, address_key: str, address_limit: int) -> None:
    """A right password was no failure: clear the account and give the address its
    attempt back."""
    LoginThrottle.delete().where(LoginThrottle.key == f"account:{email}").execute()
    _give_back(address_key, address_limit)


def authenticate(email: str, password: str, address: str) -> LoginResult:
    """Check a log-in's password, counting attempts per account and per address in the
    database. A user with a second factor is not logged in yet: see ``second_step``."""
    email = email.strip().lower()
    moment = clock.now()
    keys = _throttle_keys(email, address or "unknown")
    locked = _locked_until(keys, moment)
    if locked:
        return LoginResult(locked_until=locked)
    allowed, locked = _reserve_attempt(keys, moment)
    if not allowed:
        return LoginResult(locked_until=locked)
    user = User.by_email(email)
    if user is None:
        spend_time_as_if_verifying(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    if not ok:
        return LoginResult(locked_until=locked)
    with write_transaction():
        # With a second factor the attempt is forgiven only once the code is right too,
        # or a known password would buy endless guesses at the code.
        if user.has_two_factor:
            for key, limit in keys:
                _give_back(key, limit)
        else:
            _logged_in(user, moment, keys)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            user.save(only=[User.password_hash])
    return LoginResult(user=user)


def _logged_in(user: User, moment: dt.datetime, keys) -> None:
    _forget_attempt(user.email, *keys[1])
    user.last_login_at = moment
    user.save(only=[User.last_login_at])


def second_step(user: User, code: str, address: str) -> LoginResult:
    """Check the code asked for after a correct password; each try counts as an attempt,
    counted before the code is checked, and a locked account or address cannot pass."""
    moment = clock.now()
    keys = _throttle_keys(user.email, address or "unknown")
    locked = _locked_until(keys, moment)
    if locked:
        return LoginResult(locked_until=locked)
    allowed, locked = _reserve_attempt(keys, moment)
    if not allowed:
        return LoginResult(locked_until=locked)
    if not two_factor.accept_code(user.id, code, moment):
        return LoginResult(locked_until=locked)
    with write_transaction():
        _logged_in(user, moment, keys)
    return LoginResult(user=User.get_by_id(user.id))


def end_all_sessions(user: User) -> User:
    """End every session the user has, wherever it is; return the fresh user."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def change_password(user: User, new_password: str) -> User:
    """Set a new password and end the user's other sessions."""
    with write_transaction():
        User.update(
            password_hash=hash_password(new_password),
            session_version=User.session_version + 1,
            revision=User.revision + 1,
        ).where(User.id == user.id).execute()
        AuditEvent.record(user, "password_changed", "user", user.id)
    return User.get_by_id(user.id)


def set_language(user: User, language: str) -> None:
    """Remember the user's interface language."""
    User.update(language=language).where(User.id == user.id).execute()
