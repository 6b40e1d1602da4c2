"""Portal logins for three demo landlords, with open and closed cases on their units."""

import datetime as dt

from .. import clock
from ..demo import DEMO_PASSWORD, DemoContext, demo_part
from ..models import Case, CaseReply, Flat, Role, User
from .services import LEASED

EXTRA_LOGINS = [
    ("Svenska Bostäder", "hyresvard2@demo.example", "Karin Förvaltare"),
    ("Familjebostäder", "hyresvard3@demo.example", "Sven Uthyrare"),
]
CASES = [
    ("fault", "Droppande kran i köket, hyresgästen har anmält till oss.", "closed"),
    ("inspection", "Vi vill boka besiktning av ventilationen i vecka 12.", "open"),
    ("contract", "Kan kontraktet förlängas ett år till?", "open"),
    ("fault", "Trasigt lås på porten mot gården.", "open"),
]


@demo_part(50)
def portal(context: DemoContext) -> None:
    """Landlord users for three landlords, and cases in both directions."""
    today = clock.today()
    manager, caretaker = context.users[Role.MANAGER], context.users[Role.CARETAKER]
    User.update(phone="08-508 100 10").where(User.id == manager.id).execute()
    User.update(phone="070-123 45 67").where(User.id == caretaker.id).execute()
    by_name = {landlord.name: landlord for landlord in context.landlords}
    landlord_users = [context.users[Role.LANDLORD]]
    for name, email, person in EXTRA_LOGINS:
        if name in by_name:
            landlord_users.append(
                User.create(
                    email=email,
                    display_name=person,
                    role=Role.LANDLORD,
                    landlord=by_name[name],
                    password_hash=context.password_hash,
                )
            )
            context.logins.append((Role.LANDLORD, email, DEMO_PASSWORD))
    for number, user in enumerate(landlord_users):
        units = list(
            Flat.select()
            .where((Flat.landlord == user.landlord_id) & Flat.status.in_(LEASED))
            .limit(2)
        )
        for index, flat in enumerate(units):
            kind, text, status = CASES[(number + index) % len(CASES)]
            opened = dt.datetime.combine(today - dt.timedelta(days=10 + index * 5), dt.time(9))
            author = user if index % 2 == 0 else manager
            case = Case.create(
                landlord=flat.landlord_id,
                flat=flat,
                kind=kind,
                text=text,
                opened_by=author,
                opened_at=opened,
            )
            CaseReply.create(
                case=case,
                author=caretaker if author == user else user,
                text="Tack, vi tittar på det i veckan.",
                written_at=opened + dt.timedelta(hours=5),
            )
            if status == "closed":
                Case.update(
                    status="closed", closed_by=caretaker, closed_at=opened + dt.timedelta(days=2)
                ).where(Case.id == case.id).execute()
