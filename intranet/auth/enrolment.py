"""Setting up a second factor: the administrator's one-time enrolment code, the set-up in
progress, and its end.

Nothing secret travels in the session cookie, which is signed but readable: the new
secret waits in a ``PendingEnrolment`` row whose random id is all the session holds, and
the recovery codes are shown in the answer that makes them and kept only as hashes. A
replayed cookie finds the row gone.

Who may begin a set-up, and with what proof, is decided in ``services``; this module
keeps the rows.
"""

import datetime as dt
import re
import secrets

from flask_babel import gettext as _

from .. import clock
from ..database import write_transaction
from ..models import AuditEvent, RecoveryCode, Refused, User
from ..models.accounts import PendingEnrolment
from . import two_factor
from .passwords import hash_password, verify_password
from .settings import setting

ENROLMENT_CODE_LENGTH = 12
ENROLMENT_CODE = re.compile(f"[{two_factor.RECOVERY_ALPHABET}]{{{ENROLMENT_CODE_LENGTH}}}")


def needs_code(user) -> bool:
    """Tell whether setting up asks for an administrator's enrolment code: the role
    requires a second factor and the account has none (new, or reset)."""
    return two_factor.required_for(user) and not user.has_two_factor


def has_valid_code(user, moment: dt.datetime | None = None) -> bool:
    """Tell whether the account holds an enrolment code not yet used or expired."""
    moment = moment or clock.now()
    expires = user.enrolment_code_expires_at
    return bool(user.enrolment_code_hash) and expires is not None and expires > moment


def new_code(actor, user_id: int) -> tuple[str, dt.datetime]:
    """Give the account a fresh enrolment code (the one before stops working); return it,
    to be shown once, and until when it works. Audited."""
    letters = "".join(
        secrets.choice(two_factor.RECOVERY_ALPHABET) for _c in range(ENROLMENT_CODE_LENGTH)
    )
    code = "-".join(letters[i : i + 4] for i in range(0, ENROLMENT_CODE_LENGTH, 4))
    code_hash = hash_password(letters)  # slow by design: outside the lock
    expires = clock.now() + dt.timedelta(hours=setting("TWO_FACTOR_ENROLMENT_HOURS"))
    with write_transaction():
        User.update(
            enrolment_code_hash=code_hash,
            enrolment_code_expires_at=expires,
            revision=User.revision + 1,
        ).where(User.id == user_id).execute()
        AuditEvent.record(actor, "enrolment_code_issued", "user", user_id)
    return code, expires


def code_is_right(user, code: str, moment: dt.datetime) -> bool:
    """Tell whether ``code`` is the account's enrolment code, still valid."""
    code = two_factor.normalised(code)
    if not ENROLMENT_CODE.fullmatch(code) or not has_valid_code(user, moment):
        return False
    return verify_password(user.enrolment_code_hash, code)


def begin(user, *, at_login: bool) -> PendingEnrolment:
    """Begin a set-up with a new secret, once the person has shown who they are; an
    earlier unfinished set-up of theirs ends. Return the row, whose id the session keeps."""
    moment = clock.now()
    limit = dt.timedelta(minutes=setting("TWO_FACTOR_SET_UP_MINUTES"))
    with write_transaction():
        PendingEnrolment.delete().where(
            (PendingEnrolment.user == user.id) | (PendingEnrolment.started_at < moment - limit)
        ).execute()
        return PendingEnrolment.create(
            id=secrets.token_urlsafe(32),
            user=user.id,
            secret=two_factor.new_secret(),
            session_version=user.session_version,
            enrolment_code_hash=user.enrolment_code_hash if needs_code(user) else None,
            at_login=at_login,
            started_at=moment,
        )


def in_progress(pending_id, user) -> PendingEnrolment | None:
    """The set-up the session began for ``user``, if it is still good: not finished,
    not too old, and the user's sessions have not ended since."""
    if not isinstance(pending_id, str) or user is None:
        return None
    row = PendingEnrolment.get_or_none(
        (PendingEnrolment.id == pending_id) & (PendingEnrolment.user == user.id)
    )
    if row is None or row.session_version != user.session_version:
        return None
    limit = dt.timedelta(minutes=setting("TWO_FACTOR_SET_UP_MINUTES"))
    if not row.started_at <= clock.now() <= row.started_at + limit:
        return None
    return row


def finish(pending: PendingEnrolment, code: str) -> tuple[User, list[str]]:
    """Store the set-up's secret once a code from it is right; spend the enrolment code it
    began with; return the fresh user and the ten recovery codes to show once. The user's
    other sessions end."""
    moment = clock.now()
    step = two_factor.matching_step(pending.secret, two_factor.normalised(code), moment)
    if step is None:
        raise Refused(_("That code is not right. Enter the code the app shows now."), "code")
    codes = two_factor.new_recovery_codes()
    hashes = [hash_password(two_factor.normalised(c)) for c in codes]  # slow: outside the lock
    user_id = pending.user_id
    with write_transaction():
        # One statement decides: a reset, a new password or a new enrolment code since the
        # set-up began, or another set-up finished first, leaves it nothing to change.
        condition = (User.id == user_id) & (User.session_version == pending.session_version)
        if pending.enrolment_code_hash is not None:
            condition &= (User.enrolment_code_hash == pending.enrolment_code_hash) & (
                User.enrolment_code_expires_at > moment
            )
        changed = (
            User.update(
                totp_secret=pending.secret,
                totp_enrolled_at=moment,
                totp_last_step=step,
                enrolment_code_hash=None,
                enrolment_code_expires_at=None,
                session_version=User.session_version + 1,
                revision=User.revision + 1,
            )
            .where(condition)
            .execute()
        )
        PendingEnrolment.delete().where(PendingEnrolment.id == pending.id).execute()
        if changed == 1:
            RecoveryCode.delete().where(RecoveryCode.user == user_id).execute()
            rows = [{"user": user_id, "code_hash": h} for h in hashes]
            RecoveryCode.insert_many(rows).execute()
            AuditEvent.record(user_id, "two_factor_enrolled", "user", user_id)
    if changed != 1:
        raise Refused(_("This set-up is no longer valid. Please start again."))
    return User.get_by_id(user_id), codes
