"""Account rules: unique emails, no lock-out of the last admin, sessions end on change, and
no login that sees residents without a unit manager's approval.

An administrator manages accounts but never sees residents' data. Whatever they do to an
account whose role sees residents (create it, give it such a role, set its password,
reset its second factor, reactivate it) would let them log in as it, so each leaves the
account waiting for an active unit manager's approval, and it cannot log in until then.
The first manager is made on the server (``flask users create``), which needs none.
"""

import datetime as dt

from flask_babel import gettext as _
from peewee import IntegrityError

from .. import clock
from ..auth import enrolment, throttle, two_factor
from ..auth.passwords import hash_password
from ..database import for_update, write_transaction
from ..models import AuditEvent, Refused, Role, User


class AccountError(Refused):
    """A change refused for a reason the person can act on."""


class StaleEdit(Exception):
    """The user was changed by someone else after the form was shown."""


# Why an account waits for a manager's approval, in the order the page lists them.
REASONS = ("created", "role_changed", "password_reset", "two_factor_reset", "reactivated")


def _landlord_id(role, landlord_id):
    return landlord_id if role == Role.LANDLORD and landlord_id else None


def _approval_wanted(actor, user_row, reasons, role: str | None = None) -> dict:
    """The columns that leave an account waiting for a manager's approval, for ``reasons``,
    when an administrator in the intranet (not the server's command line) changes an
    account whose role (``role`` once changed) sees residents; nothing otherwise."""
    role = role or user_row.role
    if actor is None or not reasons or role not in User.SEES_RESIDENTS:
        return {}
    earlier = user_row.approval_reasons.split() if user_row.awaits_approval else []
    return {
        User.approval_requested_at: user_row.approval_requested_at or clock.now(),
        User.approval_requested_by: actor.id,
        User.approval_reasons: " ".join(r for r in REASONS if r in {*earlier, *reasons}),
    }


def _approval_recorded(actor, user_id, changes) -> None:
    if changes:
        AuditEvent.record(
            actor, "approval_requested", "user", user_id, changes[User.approval_reasons]
        )


def create_user(actor, *, email, display_name, role, password, landlord_id=None, language=None):
    """Create an account; an email already in use is refused. Made by an administrator,
    an account that sees residents waits for a manager's approval."""
    try:
        with write_transaction():
            user = User.create(
                email=email.strip().lower(),
                display_name=display_name.strip(),
                role=role,
                landlord=_landlord_id(role, landlord_id),
                password_hash=hash_password(password),
                language=language,
            )
            AuditEvent.record(actor, "user_created", "user", user.id, f"role={role}")
            approval = _approval_wanted(actor, user, ["created"])
            if approval:
                User.update(approval).where(User.id == user.id).execute()
                _approval_recorded(actor, user.id, approval)
    except IntegrityError as error:
        raise AccountError(_("An account with this email already exists."), "email") from error
    return User.get_by_id(user.id)


def _admins_left_without(user_id) -> int:
    return (
        User.select()
        .where((User.role == Role.ADMIN) & (User.active == True) & (User.id != user_id))  # noqa: E712
        .count()
    )


def update_user(actor, user_id, revision, *, email, display_name, role, landlord_id, new_password):
    """Edit an account at the revision the form showed; a role change or a new password
    ends its sessions and, for a role that sees residents, waits for a manager's approval."""
    try:
        with write_transaction():
            user = for_update(User.select().where(User.id == user_id)).get()
            if user.revision != revision:
                raise StaleEdit()
            if (
                user.role == Role.ADMIN
                and role != Role.ADMIN
                and _admins_left_without(user.id) == 0
            ):
                raise AccountError(_("The last active administrator must stay one."), "role")
            changes = {
                User.email: email.strip().lower(),
                User.display_name: display_name.strip(),
                User.role: role,
                User.landlord: _landlord_id(role, landlord_id),
                User.revision: User.revision + 1,
            }
            ends_sessions = role != user.role or bool(new_password)
            if new_password:
                changes[User.password_hash] = hash_password(new_password)
            if ends_sessions:
                changes[User.session_version] = User.session_version + 1
            reasons = ["role_changed"] * (role != user.role) + ["password_reset"] * bool(
                new_password
            )
            approval = _approval_wanted(actor, user, reasons, role)
            if role not in User.SEES_RESIDENTS:
                # No longer a role that sees residents: nothing is left to approve.
                changes.update(_no_approval())
            changes.update(approval)
            updated = (
                User.update(changes)
                .where((User.id == user_id) & (User.revision == revision))
                .execute()
            )
            if updated != 1:
                raise StaleEdit()
            detail = f"role {user.role}->{role}" if role != user.role else ""
            if new_password:
                detail = (detail + " password reset").strip()
            AuditEvent.record(actor, "user_edited", "user", user.id, detail)
            _approval_recorded(actor, user.id, approval)
    except IntegrityError as error:
        raise AccountError(_("An account with this email already exists."), "email") from error
    return User.get_by_id(user_id)


def _no_approval() -> dict:
    return {
        User.approval_requested_at: None,
        User.approval_requested_by: None,
        User.approval_reasons: "",
    }


def set_active(actor, user_id, revision, active: bool):
    """Deactivate (ending every session) or reactivate an account; reactivated by an
    administrator, an account that sees residents waits for a manager's approval."""
    with write_transaction():
        user = for_update(User.select().where(User.id == user_id)).get()
        if user.revision != revision:
            raise StaleEdit()
        if not active and user.id == actor.id:
            raise AccountError(_("You cannot deactivate your own account."))
        if not active and user.role == Role.ADMIN and _admins_left_without(user.id) == 0:
            raise AccountError(_("The last active administrator cannot be deactivated."))
        changes = {User.active: active, User.revision: User.revision + 1}
        if not active:
            changes[User.session_version] = User.session_version + 1
        approval = _approval_wanted(actor, user, ["reactivated"] if active else [])
        changes.update(approval)
        User.update(changes).where(User.id == user_id).execute()
        AuditEvent.record(
            actor, "user_reactivated" if active else "user_deactivated", "user", user_id
        )
        _approval_recorded(actor, user_id, approval)
    return User.get_by_id(user_id)


def reset_two_factor(actor, user_id) -> User:
    """Take away a user's second factor (a lost phone) and end their sessions; where their
    role requires one, they need a new enrolment code (``issue_enrolment_code``) to set it
    up again. An account that requires one and has none yet may be reset too, for a new
    code. Never one's own: another administrator, or the server, does that."""
    user = User.get_by_id(user_id)
    if actor is not None and user.id == actor.id:
        raise AccountError(_("You cannot reset your own second factor."))
    if not user.has_two_factor and not enrolment.needs_code(user):
        raise AccountError(_("%(name)s has no second factor to reset.", name=user.display_name))
    with write_transaction():
        user = for_update(User.select().where(User.id == user_id)).get()
        two_factor.remove(actor, user_id, "two_factor_reset")
        approval = _approval_wanted(actor, user, ["two_factor_reset"])
        if approval:
            User.update(approval).where(User.id == user_id).execute()
            _approval_recorded(actor, user_id, approval)
    return User.get_by_id(user_id)


def owes_enrolment_code(user, moment: dt.datetime | None = None) -> bool:
    """Tell whether an account needs a new enrolment code before it can log in: its role
    requires a second factor, it has none, and no code it holds still works."""
    return enrolment.needs_code(user) and not enrolment.has_valid_code(user, moment)


def issue_enrolment_code(actor, user_id) -> tuple[str, dt.datetime] | None:
    """A new enrolment code for an account whose role requires a second factor it does not
    have (the one before stops working), to be shown once; None for any other account."""
    user = User.get_by_id(user_id)
    if not enrolment.needs_code(user):
        return None
    return enrolment.new_code(actor, user_id)


def approve(actor, user_id) -> User:
    """A unit manager approves an account an administrator changed; audited with who
    approved whom and why it waited. No one else may, and no one their own."""
    if actor is not None:
        approver = User.get_or_none(User.id == actor.id)
        if not (
            approver
            and approver.role == Role.MANAGER
            and approver.active
            and not approver.awaits_approval
        ):
            raise AccountError(_("Only an active unit manager can approve an account."))
    with write_transaction():
        user = for_update(User.select().where(User.id == user_id)).get()
        if actor is not None and user.id == actor.id:
            raise AccountError(_("No one can approve their own account."))
        if not user.awaits_approval:
            raise AccountError(_("%(name)s is not waiting for approval.", name=user.display_name))
        User.update({**_no_approval(), User.revision: User.revision + 1}).where(
            User.id == user_id
        ).execute()
        detail = f"{user.approval_reasons}; requested by user {user.approval_requested_by_id}"
        if actor is None:
            detail += "; on the server"
        AuditEvent.record(actor, "user_approved", "user", user_id, detail)
    return User.get_by_id(user_id)


def lift_login_lock(actor, user_id) -> dt.datetime:
    """Lift every lock on the account's logging in: forget its failed log-ins from each
    address and from all together, so that it may log in at once; audited. Return until
    when it was locked; an account not locked now is refused, and nothing changes."""
    with write_transaction():
        user = for_update(User.select().where(User.id == user_id)).get()
        until = throttle.account_locked_until(user.email, clock.now())
        if until is None:
            raise AccountError(
                _("%(name)s is not locked out. Nothing was changed.", name=user.display_name)
            )
        lifted = throttle.lift(user.email)
        detail = f"locked until {until:%Y-%m-%d %H:%M}; {lifted} counts"
        AuditEvent.record(actor, "login_lock_lifted", "user", user_id, detail)
    return until


def locks(users) -> dict:
    """Until when each of ``users`` that is locked out now is, from some address or all."""
    return throttle.locks_of([user.email for user in users], clock.now())
