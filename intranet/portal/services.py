"""The portal's rules: what a landlord sees of their units, cases, offers, invitations.

Every read here takes the landlord's id and filters by it: a landlord user
never reaches another landlord's unit or case, and nothing about residents
is ever selected.
"""

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from peewee import JOIN, IntegrityError

from .. import clock
from ..auth.passwords import hash_password
from ..database import for_update, write_transaction
from ..flats.services import record_offer
from ..identity_numbers import normalise_personal_number
from ..models import (
    AuditEvent,
    Case,
    CaseKind,
    CaseReply,
    Flat,
    FlatStatus,
    Invitation,
    Landlord,
    Referral,
    Refused,
    Role,
    Tenancy,
    User,
)

INVITATION_DAYS = 7
# Units the unit leases from the landlord: from the contract on, until returned.
LEASED = FlatStatus.LEASED
MAX_TEXT = 5000


class PortalError(Refused):
    """A request refused for a reason the person can act on."""


class PersonalDataInText(PortalError):
    """Text for a landlord that seems to hold a resident's personal data: sent only when
    the writer confirms it."""

    def __init__(self, found: list[str]):
        super().__init__(
            _(
                "The landlord reads this text, and it seems to hold personal data: %(found)s. "
                'Take it out, or tick "Send anyway" if the landlord may read it.',
                found=", ".join(found),
            ),
            "text",
        )
        self.found = found


# Ten or twelve digits, with or without the dash: a Swedish personal identity number.
_IDENTITY = re.compile(r"(?<![\d-])(?:\d{2})?\d{6}[-+ ]?\d{4}(?![\d-])")


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split()) + " "


def personal_data_in(text: str) -> list[str]:
    """What in a text for a landlord looks like a person's personal data: a valid personal
    identity number, or the full name of someone the unit has a referral for (first and
    last name, in either order): one query."""
    found = [m.group(0) for m in _IDENTITY.finditer(text) if normalise_personal_number(m.group(0))]
    words = _words(text)
    for first, last in Referral.select(Referral.first_name, Referral.last_name).tuples():
        for name in (f"{first} {last}", f"{last} {first}"):
            if len(name) > 3 and _words(name) in words:
                found.append(f"{first} {last}")
                break
    return list(dict.fromkeys(found))


def _check_for_landlord(actor: User, text: str, confirmed: bool) -> None:
    """The unit's people write to a landlord: personal data goes only when confirmed."""
    if actor.role != Role.LANDLORD and not confirmed:
        found = personal_data_in(text)
        if found:
            raise PersonalDataInText(found)


def kind_for(viewer: User) -> str | None:
    """The one kind of case ``viewer`` works with, or None for every kind: the caretaker
    lists and opens the fault reports, the others every case."""
    return CaseKind.FAULT if viewer.role == Role.CARETAKER else None


def staff_case_for(case_id: int, viewer: User) -> Case | None:
    """A case as the unit's people open it (``kind_for``), as their list shows it."""
    return cases_for(kind=kind_for(viewer)).where(Case.id == case_id).first()


@dataclass
class Unit:
    """A leased unit as the landlord may see it: no word about who lives there."""

    flat: Flat
    state: str  # occupied, vacant, preparing, moving_out
    since: dt.date | None


def units(landlord_id: int) -> list[Unit]:
    """The landlord's leased units with their state in words, in two queries."""
    flats = list(
        Flat.select()
        .where((Flat.landlord == landlord_id) & Flat.status.in_(LEASED))
        .order_by(Flat.address)
    )
    # Only the move-out date is read from tenancies, no resident column: the move-in date
    # is the resident's own (with the residents list it would say who lives where).
    tenancies = {
        row.flat_id: row
        for row in Tenancy.select(Tenancy.flat, Tenancy.move_out_date).where(
            Tenancy.flat.in_([f.id for f in flats]) & Tenancy.is_current()
        )
    }
    result = []
    for flat in flats:
        tenancy = tenancies.get(flat.id)
        if tenancy and tenancy.move_out_date:
            result.append(Unit(flat, "moving_out", tenancy.move_out_date))
        elif tenancy:
            result.append(Unit(flat, "occupied", None))
        elif flat.status == FlatStatus.READY:
            result.append(Unit(flat, "vacant", flat.ready_since))
        else:
            result.append(Unit(flat, "preparing", None))
    return result


def lease_summary(unit_list: list[Unit], today: dt.date | None = None) -> dict:
    """Number of units, total monthly rent, and leases ending within six months."""
    today = today or clock.today()
    horizon = today + dt.timedelta(days=183)
    return {
        "count": len(unit_list),
        "rent": sum(u.flat.rent_to_landlord for u in unit_list),
        "ending": [
            u for u in unit_list if u.flat.lease_end and today <= u.flat.lease_end <= horizon
        ],
    }


def contacts_for(landlord: Landlord) -> list[User]:
    """Whom at the unit the landlord calls: the relationship owner and the caretakers."""
    people = []
    if landlord.owner_id:
        people.append(User.get_by_id(landlord.owner_id))
    people += list(
        User.select()
        .where((User.role == Role.CARETAKER) & (User.active == True))  # noqa: E712
        .order_by(User.display_name)
    )
    return people


def unit_for(landlord_id: int, flat_id: int) -> Flat | None:
    """One of the landlord's leased units, or None (for anything else, the page is 404)."""
    return Flat.get_or_none(
        (Flat.id == flat_id) & (Flat.landlord == landlord_id) & Flat.status.in_(LEASED)
    )


def cases_for(landlord_id: int | None = None, status: str | None = None, kind: str | None = None):
    """Cases with their unit and landlord, newest first; narrowed to a landlord when given."""
    query = Case.select(Case, Flat, Landlord).join(Flat).switch(Case).join(Landlord)
    if landlord_id is not None:
        query = query.where(Case.landlord == landlord_id)
    if status:
        query = query.where(Case.status == status)
    if kind:
        query = query.where(Case.kind == kind)
    return query.order_by(Case.opened_at.desc(), Case.id.desc())


def case_for(case_id: int, landlord_id: int | None = None) -> Case | None:
    """A case, only within the landlord's own when a landlord id is given."""
    query = cases_for(landlord_id).where(Case.id == case_id)
    return query.first()


def replies(case_id: int):
    """A case's thread, oldest first, with who wrote."""
    return (
        CaseReply.select(CaseReply, User)
        .join(User)
        .where(CaseReply.case == case_id)
        .order_by(CaseReply.written_at, CaseReply.id)
    )


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PortalError(_("Write something."), "text")
    if len(text) > MAX_TEXT:
        raise PortalError(_("Keep it under 5,000 characters."), "text")
    return text


def open_case(actor: User, flat: Flat, kind: str, text: str, confirmed: bool = False) -> Case:
    """Open a case on a unit, by the landlord or by the unit's staff (whose text, read by
    the landlord, goes with personal data in it only when ``confirmed``)."""
    text = _check_text(text)
    _check_for_landlord(actor, text, confirmed)
    return Case.create(
        landlord=flat.landlord_id,
        flat=flat,
        kind=kind,
        text=text,
        opened_by=actor,
        opened_at=clock.now(),
    )


def reply(actor: User, case_id: int, text: str, confirmed: bool = False) -> CaseReply:
    """Add to a case's thread; a closed case takes no replies. The unit's text goes with
    personal data in it only when ``confirmed``."""
    text = _check_text(text)
    _check_for_landlord(actor, text, confirmed)
    with write_transaction():
        case = for_update(Case.select().where(Case.id == case_id)).get()
        if case.status != "open":
            raise PortalError(_("The case is closed; open a new one."), "text")
        return CaseReply.create(case=case, author=actor, text=text, written_at=clock.now())


def close_case(actor: User, case_id: int) -> None:
    """Close a case; it stays readable with its thread."""
    with write_transaction():
        case = for_update(Case.select().where(Case.id == case_id)).get()
        if case.status == "open":
            Case.update(status="closed", closed_by=actor, closed_at=clock.now()).where(
                Case.id == case_id
            ).execute()


def offer_flat(actor: User, landlord_id: int, **values) -> Flat:
    """A flat offered through the portal joins the acquisition list as offered."""
    with write_transaction():
        return record_offer(
            actor,
            history_note=_("offered through the portal"),
            landlord=landlord_id,
            address=values["address"],
            postcode="",
            district=values.get("district", ""),
            rooms=values["rooms"],
            size_m2=values["size_m2"],
            floor=0,
            rent_to_landlord=values["rent"],
            rent_to_resident=values["rent"],
            lease_start=values["available_from"],
            note=values.get("note", ""),
        )


def portal_offers_for_owner(user: User):
    """Flats offered through the portal by the landlords this person owns, still offered."""
    offered_by = User.alias()
    return (
        Flat.select(Flat, Landlord)
        .join(Landlord)
        .switch(Flat)
        .join(offered_by, JOIN.INNER, on=(Flat.created_by == offered_by.id))
        .where(
            (Landlord.owner == user.id)
            & (offered_by.role == Role.LANDLORD)
            & (Flat.status == FlatStatus.OFFERED)
        )
        .order_by(Flat.created_at.desc())
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(actor: User, landlord_id: int, email: str, display_name: str) -> str:
    """Create an invitation and return its secret token (shown once, stored only hashed)."""
    email = email.strip().lower()
    if User.by_email(email) is not None:
        raise PortalError(_("An account with this email already exists."), "email")
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    invitation = Invitation.create(
        landlord=landlord_id,
        email=email,
        display_name=display_name.strip(),
        token_hash=_token_hash(token),
        created_by=actor,
        created_at=moment,
        expires_at=moment + dt.timedelta(days=INVITATION_DAYS),
    )
    # The log is append-only: it names the invitation, not the person's email address.
    AuditEvent.record(
        actor, "landlord_user_invited", "landlord", landlord_id, f"invitation {invitation.id}"
    )
    return token


def invitation_for(token: str) -> Invitation:
    """The invitation a token names, if it is still valid; else a PortalError saying why."""
    invitation = Invitation.get_or_none(Invitation.token_hash == _token_hash(token or ""))
    if invitation is None:
        raise PortalError(_("This invitation link is not valid."))
    if invitation.used_at is not None:
        raise PortalError(_("This invitation has already been used. Log in, or ask for a new one."))
    if invitation.expires_at < clock.now():
        raise PortalError(_("This invitation has expired. Ask the unit for a new one."))
    return invitation


def accept_invitation(token: str, password: str) -> User:
    """Use an invitation once: create the landlord user with the chosen password."""
    with write_transaction():
        invitation = invitation_for(token)
        claimed = (
            Invitation.update(used_at=clock.now())
            .where((Invitation.id == invitation.id) & Invitation.used_at.is_null())
            .execute()
        )
        if claimed != 1:
            raise PortalError(
                _("This invitation has already been used. Log in, or ask for a new one.")
            )
        try:
            user = User.create(
                email=invitation.email,
                display_name=invitation.display_name,
                role=Role.LANDLORD,
                landlord=invitation.landlord_id,
                password_hash=hash_password(password),
            )
        except IntegrityError as error:
            raise PortalError(_("An account with this email already exists.")) from error
        Invitation.update(user=user).where(Invitation.id == invitation.id).execute()
    return user
