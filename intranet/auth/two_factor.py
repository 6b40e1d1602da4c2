"""The second factor: codes from an authenticator app (TOTP) and single-use recovery codes
(setting one up is in ``enrolment``).

A code is accepted once: the user's last accepted time step is kept, and a code for the
same or an earlier step is refused, so a code seen over someone's shoulder is worth
nothing. Recovery codes are stored hashed, like passwords.
"""

import datetime as dt
import hmac
import re
import secrets

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _

from .. import clock
from ..database import write_transaction
from ..models import AuditEvent, RecoveryCode, Refused, User
from .passwords import verify_password

RECOVERY_CODE_COUNT = 10
# Letters and digits no one mistakes for each other (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 10
TOTP_CODE = re.compile(r"[0-9]{6}")
RECOVERY_CODE = re.compile(f"[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}")


def required_for(user) -> bool:
    """Tell whether the user's role must log in with a second factor."""
    return user.role in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]


def must_enrol(user) -> bool:
    """Tell whether the user must set up a second factor before anything else."""
    return required_for(user) and not user.has_two_factor


def new_secret() -> str:
    """A fresh TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(user, secret: str) -> str:
    """The QR code an authenticator app scans, as an SVG data URI (drawn here, no service)."""
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"]
    )
    return segno.make_qr(uri, error="m").svg_data_uri(scale=5, border=2)


def matching_step(secret: str, code: str, moment: dt.datetime) -> int | None:
    """The step within one of ``moment``'s for which ``code`` is right, or None."""
    if not (code.isascii() and code.isdigit()):
        return None  # compare_digest takes ASCII only; a code is six digits anyway
    totp = pyotp.TOTP(secret)
    now = totp.timecode(clock.aware(moment))
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def normalised(code: str) -> str:
    """A code as typed, without spaces and dashes, in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, as shown to the person (two groups of five)."""
    codes = []
    for _unused in range(RECOVERY_CODE_COUNT):
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _c in range(RECOVERY_LENGTH))
        codes.append(f"{code[:5]}-{code[5:]}")
    return codes


def remove(actor, user_id: int, action: str) -> User:
    """Take away a user's second factor and end their sessions; ``action`` names it in
    the audit log."""
    with write_transaction():
        User.update(
            totp_secret=None,
            totp_enrolled_at=None,
            totp_last_step=None,
            session_version=User.session_version + 1,
            revision=User.revision + 1,
        ).where(User.id == user_id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user_id).execute()
        AuditEvent.record(actor, action, "user", user_id)
    return User.get_by_id(user_id)


def turn_off(user) -> User:
    """Let a user whose role does not require it log in with the password alone again (the
    caller has asked for their password and a current code)."""
    if required_for(user):
        raise Refused(_("Your role requires a second factor; you can set it up again instead."))
    return remove(user, user.id, "two_factor_disabled")


def accept_code(user_id: int, code: str, moment: dt.datetime) -> bool:
    """Spend a code at log-in: an app code for a later step than the last one accepted, or
    an unused recovery code. Tell whether it was accepted."""
    code = normalised(code)
    if TOTP_CODE.fullmatch(code):
        return _accept_app_code(user_id, code, moment)
    if RECOVERY_CODE.fullmatch(code):
        return _accept_recovery_code(user_id, code, moment)
    return False


def _accept_app_code(user_id, code, moment) -> bool:
    user = User.get_by_id(user_id)
    step = matching_step(user.totp_secret, code, moment) if user.totp_secret else None
    if step is None:
        return False
    # One statement decides, so two requests with the same code cannot both pass.
    last = User.totp_last_step
    return (
        User.update(totp_last_step=step)
        .where((User.id == user_id) & (last.is_null() | (last < step)))
        .execute()
        == 1
    )


def _accept_recovery_code(user_id, code, moment) -> bool:
    for row in RecoveryCode.unused_for(user_id):
        if verify_password(row.code_hash, code):
            with write_transaction():
                spent = (
                    RecoveryCode.update(used_at=moment)
                    .where((RecoveryCode.id == row.id) & RecoveryCode.used_at.is_null())
                    .execute()
                )
                if spent:
                    AuditEvent.record(user_id, "recovery_code_used", "user", user_id)
            return spent == 1
    return False
