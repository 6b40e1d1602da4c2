"""Accounts, login throttling and the audit log."""

import datetime as dt
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
from .base import BaseModel, MomentField
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
            (cls.id == int(user_id)) & (cls.session_version == int(version)) & (cls.active == True)  # noqa: E712 (peewee expression)
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
    """Failed log-ins counted per account or per address, shared by all processes."""

    key = CharField(max_length=300, unique=True)
    failures = IntegerField(default=0)
    window_started_at = MomentField()
    locked_until = MomentField(null=True)

    def is_locked(self, moment: dt.datetime) -> bool:
        """Tell whether the key is locked at ``moment``."""
        return self.locked_until is not None and self.locked_until > moment


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
