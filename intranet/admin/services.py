"""Account rules: unique emails, no lock-out of the last admin, sessions end on change."""

from flask_babel import gettext as _
from peewee import IntegrityError

from ..auth import two_factor
from ..auth.passwords import hash_password
from ..database import for_update, write_transaction
from ..models import AuditEvent, Refused, Role, User


class AccountError(Refused):
    """A change refused for a reason the person can act on."""


class StaleEdit(Exception):
    """The user was changed by someone else after the form was shown."""


def _landlord_id(role, landlord_id):
    return landlord_id if role == Role.LANDLORD and landlord_id else None


def create_user(actor, *, email, display_name, role, password, landlord_id=None, language=None):
    """Create an account; an email already in use is refused."""
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
    except IntegrityError as error:
        raise AccountError(_("An account with this email already exists."), "email") from error
    return user


def _admins_left_without(user_id) -> int:
    return (
        User.select()
        .where((User.role == Role.ADMIN) & (User.active == True) & (User.id != user_id))  # noqa: E712
        .count()
    )


def update_user(actor, user_id, revision, *, email, display_name, role, landlord_id, new_password):
    """Edit an account at the revision the form showed; a role change ends its sessions."""
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
    except IntegrityError as error:
        raise AccountError(_("An account with this email already exists."), "email") from error
    return User.get_by_id(user_id)


def set_active(actor, user_id, revision, active: bool):
    """Deactivate (ending every session) or reactivate an account."""
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
        User.update(changes).where(User.id == user_id).execute()
        AuditEvent.record(
            actor, "user_reactivated" if active else "user_deactivated", "user", user_id
        )
    return User.get_by_id(user_id)


def reset_two_factor(actor, user_id) -> User:
    """Take away a user's second factor (a lost phone) and end their sessions; if their role
    requires one, they set it up again at their next log-in."""
    user = User.get_by_id(user_id)
    if not user.has_two_factor:
        raise AccountError(_("%(name)s has no second factor to reset.", name=user.display_name))
    return two_factor.remove(actor, user_id, "two_factor_reset")
