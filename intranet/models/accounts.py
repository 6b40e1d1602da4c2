"""Accounts, their set-up of a second factor, login throttling and the audit log."""

import re

from flask_login import UserMixin
from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .. import clock
from .base import BaseModel, MomentField, Role
from .landlords import Landlord


class User(UserMixin, BaseModel):
    """A person who logs in: staff of the unit, or a landlord's user."""

    email = CharField(max_length=254, unique=True)
    display_name = CharField(max_length=200)
    phone = CharField(max_length=40, default="")
    role = CharField(max_length=20)
    active = BooleanField(default=True)
    landlord = ForeignKeyField(Landlord, null=True, backref="users", on_delete="RESTRICT")
    password_hash = CharField(max_length=255)
    # Bumped to end every session of the user at once (logout, password, role).
    session_version = IntegerField(default=1)
    # Bumped on every edit, so a stale form loses cleanly to a newer one.
    revision = IntegerField(default=1)
    language = CharField(max_length=5, null=True)
    created_at = MomentField(default=clock.now)
    last_login_at = MomentField(null=True)
    # The second factor: a TOTP secret (base32), set once the person has confirmed a code.
    totp_secret = CharField(max_length=64, null=True)
    totp_enrolled_at = MomentField(null=True)
    # The last time step a code was accepted for: the same or an earlier one is refused.
    totp_last_step = BigIntegerField(null=True)
    # The one-time code an administrator hands over with a new or reset account, asked
    # before a second factor is set up; only its hash is kept.
    enrolment_code_hash = CharField(max_length=255, null=True)
    enrolment_code_expires_at = MomentField(null=True)
    # Set when an administrator's change leaves an account that sees residents waiting for
    # a unit manager's approval; it cannot log in until then.
    approval_requested_at = MomentField(null=True)
    approval_requested_by = ForeignKeyField(
        "self", null=True, backref="approvals_requested", on_delete="RESTRICT"
    )
    approval_reasons = CharField(max_length=200, default="")

    # The roles whose pages show residents' and referrals' data (the residents, referrals,
    # matching, rent and reports areas): an administrator cannot hand out such a login.
    SEES_RESIDENTS = (Role.MANAGER, Role.STAFF)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # The session carries the version; a bumped version logs it out.
        return f"{self.id}:{self.session_version}"

    @classmethod
    def by_email(cls, email: str):
        """Return the user with this email (case-insensitive), or None."""
        return cls.get_or_none(cls.email == email.strip().lower())

    @classmethod
    def from_session_id(cls, session_id: str):
        """Return the active user a session id names, if its version is current."""
        user_id, _, version = (session_id or "").partition(":")
        if not re.fullmatch(r"[0-9]+:[0-9]+", session_id or ""):
            return None
        return cls.get_or_none(
            (cls.id == int(user_id))
            & (cls.session_version == int(version))
            & (cls.active == True)  # noqa: E712 (peewee expression)
            & cls.approval_requested_at.is_null()
        )

    @classmethod
    def awaiting_approval(cls):
        """The accounts waiting for a unit manager's approval, longest waiting first."""
        return (
            cls.select()
            .where(cls.approval_requested_at.is_null(False))
            .order_by(cls.approval_requested_at, cls.id)
        )

    @classmethod
    def role_counts(cls) -> dict:
        """Active accounts per role, in one query."""
        from peewee import fn

        rows = (
            cls.select(cls.role, fn.COUNT(cls.id).alias("n"))
            .where(cls.active == True)  # noqa: E712
            .group_by(cls.role)
            .tuples()
        )
        return dict(rows)

    def has_role(self, *roles) -> bool:
        """Tell whether the user holds one of ``roles``."""
        return self.role in roles

    @property
    def has_two_factor(self) -> bool:
        """Tell whether the user has a confirmed second factor."""
        return bool(self.totp_secret)

    @property
    def awaits_approval(self) -> bool:
        """Tell whether the account waits for a unit manager's approval to log in."""
        return self.approval_requested_at is not None

    @property
    def sees_residents(self) -> bool:
        """Tell whether the user's role sees residents' data."""
        return self.role in self.SEES_RESIDENTS


class PendingEnrolment(BaseModel):
    """A second factor being set up: the new secret waits here, not in the session, which
    holds only this row's random id. The row goes when the set-up is done or replaced."""

    id = CharField(primary_key=True, max_length=64)
    user = ForeignKeyField(User, backref="pending_enrolments", on_delete="CASCADE")
    secret = CharField(max_length=64)
    # The user's session version when it began: a new password or a reset ends it.
    session_version = IntegerField()
    # The enrolment code it was begun with, spent when the set-up is done.
    enrolment_code_hash = CharField(max_length=255, null=True)
    # Begun in a log-in (the password just given, then the enrolment code): finishing it
    # logs the person in.
    at_login = BooleanField(default=False)
    started_at = MomentField()


class RecoveryCode(BaseModel):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=255)
    used_at = MomentField(null=True)

    @classmethod
    def unused_for(cls, user_id: int):
        """The user's codes not yet used."""
        return cls.select().where((cls.user == user_id) & cls.used_at.is_null())


class LoginThrottle(BaseModel):
    """Failed log-ins counted per account from one address, per account from everywhere,
    and per address, shared by all processes."""

    key = CharField(max_length=300, unique=True)
    failures = IntegerField(default=0)
    window_started_at = MomentField()
    locked_until = MomentField(null=True)

    @staticmethod
    def account_key(email: str) -> str:
        """The key counting an account's failures from every address."""
        return f"account:{email}"

    @staticmethod
    def pair_key(email: str, address: str) -> str:
        """The key counting an account's failures from one address. Emails hold no space,
        so the account's keys are its own key and those that go on after a space."""
        return f"account:{email} {address}"

    @staticmethod
    def address_key(address: str) -> str:
        """The key counting an address's failures, whatever account they tried."""
        return f"address:{address}"

    @classmethod
    def of_accounts(cls, emails):
        """The rows counting failures for these accounts, from everywhere and per address."""
        return cls.select().where(cls.for_accounts(emails))

    @classmethod
    def for_accounts(cls, emails):
        """The condition that picks the accounts' rows."""
        condition = cls.id.is_null()  # no row: the start of an "or" of each account's rows
        for email in emails:
            key = cls.account_key(email)
            condition |= (cls.key == key) | cls.key.startswith(f"{key} ")
        return condition


class AuditEvent(BaseModel):
    """Who did or opened what, and when: kept for accounts and sensitive data."""

    at = MomentField(default=clock.now, index=True)
    actor = ForeignKeyField(User, null=True, backref="audit_events", on_delete="RESTRICT")
    action = CharField(max_length=60)
    subject_type = CharField(max_length=60)
    subject_id = IntegerField(null=True)
    detail = TextField(default="")

    class Meta:
        indexes = ((("subject_type", "subject_id"), False),)

    @classmethod
    def record(cls, actor, action, subject_type, subject_id=None, detail=""):
        """Write one audit line."""
        return cls.create(
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
            at=clock.now(),
        )
