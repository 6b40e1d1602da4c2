"""Writing the views of personal data to the audit log, and reading the log back."""

import datetime as dt
import functools
from dataclasses import dataclass

from flask import request
from flask_login import current_user
from peewee import JOIN

from ..models import AuditEvent, Referral, Tenancy, User

# What a list view keeps of its address: enough to tell which filter and page were seen.
MAX_DETAIL = 500


def record_view(page: str, referral_id: int | None = None) -> None:
    """One line for one request that showed residents' personal data: the page and its
    address, with the filter and page (never one line per row); a page about one person
    names their referral."""
    detail = f"{page}: {request.full_path.rstrip('?')}"[:MAX_DETAIL]
    if referral_id is not None:
        AuditEvent.record(current_user, "opened", "referral", referral_id, detail)
    else:
        AuditEvent.record(current_user, "viewed", "list", None, detail)


def audited(page: str, roles=None, referral_arg: str | None = None, tenancy_arg: str | None = None):
    """Declare that a view shows residents' personal data (to ``roles``, everyone it lets
    in by default): each page or partial it answers to a GET is logged, once; a view about
    one person names the referral in its ``referral_arg``, or the tenancy in its
    ``tenancy_arg`` (the line then names the tenancy's referral)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            response = view(*args, **kwargs)
            # Whatever the view drew is logged, a page with a bad filter's message too.
            if request.method == "GET" and (roles is None or current_user.role in roles):
                record_view(page, _referral_of(kwargs, referral_arg, tenancy_arg))
            return response

        return wrapper

    return decorate


def _referral_of(arguments: dict, referral_arg, tenancy_arg) -> int | None:
    if referral_arg:
        return arguments.get(referral_arg)
    if tenancy_arg:
        return (
            Tenancy.select(Tenancy.referral)
            .where(Tenancy.id == arguments.get(tenancy_arg))
            .scalar()
        )
    return None


@dataclass
class LogFilters:
    """What the audit log is narrowed to."""

    person: int | None = None
    user: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def apply(self, query):
        if self.person:
            query = query.where(
                (AuditEvent.subject_type == "referral") & (AuditEvent.subject_id == self.person)
            )
        if self.user:
            query = query.where(AuditEvent.actor == self.user)
        if self.since:
            query = query.where(AuditEvent.at >= dt.datetime.combine(self.since, dt.time()))
        if self.until:
            end = dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time())
            query = query.where(AuditEvent.at < end)
        return query


def events(filters: LogFilters):
    """The log's lines, newest first, with who did it and the person they were about."""
    return filters.apply(
        AuditEvent.select(AuditEvent, User, Referral)
        .join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
        .switch(AuditEvent)
        .join(
            Referral,
            JOIN.LEFT_OUTER,
            on=((AuditEvent.subject_type == "referral") & (AuditEvent.subject_id == Referral.id)),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def users():
    """Everyone who can appear in the log, by name."""
    return User.select(User.id, User.display_name, User.email).order_by(User.display_name)
