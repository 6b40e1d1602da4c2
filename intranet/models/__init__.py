"""The peewee models, one module per area; import them from here."""

from .accounts import AuditEvent, LoginThrottle, User
from .base import BaseModel, Role
from .flats import Flat, FlatKind, FlatStatus, FlatStatusChange
from .landlords import (
    Activity,
    ActivityKind,
    DeclineReason,
    Landlord,
    LandlordContact,
    LandlordKind,
    Stage,
    StageChange,
)
from .referrals import (
    Commissioner,
    CommissionerContact,
    CommissionerKind,
    Match,
    MatchStatus,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    RuleOverride,
    TargetGroup,
    Tenancy,
)

MODELS = [
    Landlord,
    User,
    LoginThrottle,
    AuditEvent,
    LandlordContact,
    Activity,
    StageChange,
    Flat,
    FlatStatusChange,
    Commissioner,
    CommissionerContact,
    Referral,
    ReferralStatusChange,
    RuleOverride,
    Match,
    Tenancy,
]

__all__ = [
    "MODELS",
    "Commissioner",
    "CommissionerContact",
    "CommissionerKind",
    "Match",
    "MatchStatus",
    "Referral",
    "ReferralStatus",
    "ReferralStatusChange",
    "RuleOverride",
    "TargetGroup",
    "Tenancy",
    "Activity",
    "ActivityKind",
    "AuditEvent",
    "BaseModel",
    "DeclineReason",
    "Flat",
    "FlatKind",
    "FlatStatus",
    "FlatStatusChange",
    "Landlord",
    "LandlordContact",
    "LandlordKind",
    "LoginThrottle",
    "Role",
    "Stage",
    "StageChange",
    "User",
]
