"""Writing the views of personal data to the audit log, and reading the log back."""

import datetime as dt
import functools
from dataclasses import dataclass

from flask import make_response, request
from flask_login import current_user
from peewee import JOIN

from ..models import AuditEvent, Match, Payment, Referral, RentCharge, Tenancy, User

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


def audited(
    page: str,
    roles=None,
    referral_arg: str | None = None,
    tenancy_arg: str | None = None,
    charge_arg: str | None = None,
    payment_arg: str | None = None,
    match_arg: str | None = None,
):
    """Declare that a view shows residents' personal data (to ``roles``, everyone it lets
    in by default): each page or partial it draws is logged, once, whatever the method (a
    refused form drawn again with a 422 shows the person too); a redirect draws nothing.
    A view about one person names the referral through the argument that leads to it: a
    referral, tenancy, rent charge, payment or match id."""
    finders = {
        "referral": referral_arg,
        "tenancy": tenancy_arg,
        "charge": charge_arg,
        "payment": payment_arg,
        "match": match_arg,
    }

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            drew = not 300 <= response.status_code < 400
            if drew and (roles is None or current_user.role in roles):
                record_view(page, _referral_of(kwargs, finders))
            return response

        return wrapper

    return decorate


def _referral_of(arguments: dict, finders: dict) -> int | None:
    """The referral a view's argument leads to, or None."""
    kind = next((k for k, name in finders.items() if name), None)
    if kind is None:
        return None
    value = arguments.get(finders[kind])
    if kind == "referral":
        return value
    if kind == "tenancy":
        query = Tenancy.select(Tenancy.referral).where(Tenancy.id == value)
    elif kind == "charge":
        query = RentCharge.select(Tenancy.referral).join(Tenancy).where(RentCharge.id == value)
    elif kind == "payment":
        query = Payment.select(Tenancy.referral).join(Tenancy).where(Payment.id == value)
    else:
        query = Match.select(Match.referral).where(Match.id == value)
    return query.scalar()


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
