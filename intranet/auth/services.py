"""Authentication rules: throttled log-in, second step and set-up of a second factor,
session ends, password change.

Every step that checks a secret (a password, an app's code, a recovery code, an
enrolment code) counts as an attempt in the throttle before it is checked.
"""

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .. import clock
from ..database import write_transaction
from ..models import AuditEvent, Refused, User
from ..models.accounts import PendingEnrolment
from . import enrolment, throttle, two_factor
from .passwords import hash_password, needs_rehash, spend_time_as_if_verifying, verify_password


@dataclass
class LoginResult:
    """What a log-in attempt came to: a user, or a refusal and until when."""

    user: User | None = None
    locked_until: dt.datetime | None = None
    # The password was right, but the account waits for a unit manager's approval.
    awaiting_approval: bool = False


@dataclass
class Proof:
    """What a person gave to show it is them before their second factor changes: each
    wrong field with its message, or the lock in force, or (all right) nothing."""

    errors: dict = field(default_factory=dict)
    locked_until: dt.datetime | None = None

    @property
    def accepted(self) -> bool:
        return not self.errors and self.locked_until is None


def owes_second_step(user: User) -> bool:
    """Tell whether a right password is not yet a log-in: a code is owed, or (the role
    requiring a second factor the account does not have) the set-up is."""
    return user.has_two_factor or enrolment.needs_code(user)


def authenticate(email: str, password: str, address: str) -> LoginResult:
    """Check a log-in's password, counting attempts per account from this address, per
    account and per address in the database. A user who owes a second step is not logged
    in yet: see ``second_step`` and ``enrolment_code_step``."""
    email = email.strip().lower()
    moment = clock.now()
    keys = throttle.keys_for(email, address)
    allowed, locked = throttle.attempt(keys, moment)
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
        # With a step still owed the attempt is forgiven only once that is right too, or
        # a known password would buy endless guesses at the code.
        if user.awaits_approval or owes_second_step(user):
            throttle.give_back(keys)
        else:
            _logged_in(user, moment, keys)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            user.save(only=[User.password_hash])
    if user.awaits_approval:
        return LoginResult(awaiting_approval=True)
    return LoginResult(user=user)


def _logged_in(user: User, moment: dt.datetime, keys) -> None:
    throttle.forgive(keys)
    user.last_login_at = moment
    user.save(only=[User.last_login_at])


def second_step(user: User, code: str, address: str) -> LoginResult:
    """Check the code asked for after a correct password; each try counts as an attempt,
    counted before the code is checked, and a locked account or address cannot pass."""
    moment = clock.now()
    keys = throttle.keys_for(user.email, address)
    allowed, locked = throttle.attempt(keys, moment)
    if not allowed:
        return LoginResult(locked_until=locked)
    if not two_factor.accept_code(user.id, code, moment):
        return LoginResult(locked_until=locked)
    with write_transaction():
        _logged_in(user, moment, keys)
    return LoginResult(user=User.get_by_id(user.id))


def _check(user: User, address: str, checks: dict) -> Proof:
    """Count one attempt, then run ``checks`` (field name: (is it right?, message)) in
    order; a wrong one stays counted, all right gives the attempt back."""
    moment = clock.now()
    keys = throttle.keys_for(user.email, address)
    allowed, locked = throttle.attempt(keys, moment)
    if not allowed:
        return Proof(locked_until=locked)
    for name, (check, message) in checks.items():
        if not check(moment):
            return Proof(errors={name: message}, locked_until=locked)
    throttle.give_back(keys)
    return Proof()


def asks_for(user: User) -> set[str]:
    """What a logged-in person must give before their second factor changes (set up anew
    or turned off): always the password; a current code where they have a second factor;
    the administrator's enrolment code where their role requires one they do not have."""
    wanted = {"password"}
    if user.has_two_factor:
        wanted.add("code")
    elif enrolment.needs_code(user):
        wanted.add("enrolment_code")
    return wanted


def prove_identity(
    user: User, address: str, password=None, code=None, enrolment_code=None
) -> Proof:
    """Check what ``asks_for`` asks of a logged-in person; wrong answers count towards the
    log-in throttle, so a session left open cannot guess its way to a new phone."""
    wanted = asks_for(user)
    checks = {
        "password": (
            lambda _m: verify_password(user.password_hash, password or ""),
            _("The password is wrong."),
        )
    }
    if "code" in wanted:
        checks["code"] = (
            lambda m: two_factor.accept_code(user.id, code or "", m),
            _("The code is wrong, too old or already used."),
        )
    if "enrolment_code" in wanted:
        checks["enrolment_code"] = (
            lambda m: enrolment.code_is_right(user, enrolment_code or "", m),
            _wrong_enrolment_code(),
        )
    return _check(user, address, checks)


def begin_set_up(user: User, address: str, **given) -> tuple[Proof, PendingEnrolment | None]:
    """A logged-in person begins setting up a second factor (a first one, a new phone):
    once ``prove_identity`` accepts what they gave, a set-up with a new secret begins."""
    proof = prove_identity(user, address, **given)
    if not proof.accepted:
        return proof, None
    return proof, enrolment.begin(User.get_by_id(user.id), at_login=False)


def enrolment_code_step(
    user: User, code: str, address: str
) -> tuple[Proof, PendingEnrolment | None]:
    """At log-in, after the right password, an account that must set up a second factor
    gives the administrator's enrolment code; then the set-up begins. Each try counts."""
    checks = {
        "enrolment_code": (
            lambda m: enrolment.code_is_right(user, code, m),
            _wrong_enrolment_code(),
        )
    }
    proof = _check(user, address, checks)
    if not proof.accepted:
        return proof, None
    return proof, enrolment.begin(user, at_login=True)


def _wrong_enrolment_code() -> str:
    return _("The enrolment code is wrong, used or expired. Ask an administrator for a new one.")


def finish_set_up(pending: PendingEnrolment, code: str, address: str) -> tuple[User, list[str]]:
    """Confirm a set-up with the first code from the new app; return the fresh user and
    the recovery codes to show once. A set-up begun at log-in completes the log-in."""
    user, codes = enrolment.finish(pending, code)
    if pending.at_login:
        with write_transaction():
            _logged_in(user, clock.now(), throttle.keys_for(user.email, address))
    return user, codes


def turn_off_two_factor(user: User, address: str, **given) -> tuple[Proof, User | None]:
    """Turn a second factor off, where the role does not require one, once the person has
    given their password and a current code."""
    if two_factor.required_for(user):
        raise Refused(_("Your role requires a second factor; you can set it up again instead."))
    if not user.has_two_factor:
        raise Refused(_("You have no second factor to turn off."))
    proof = prove_identity(user, address, **given)
    if not proof.accepted:
        return proof, None
    return proof, two_factor.turn_off(user)


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
