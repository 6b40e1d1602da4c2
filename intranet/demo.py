"""A deterministic, realistic demo data set, loaded by ``flask demo [--scale N]``.

Each area adds its own part with ``@demo_part(order)``: a function that
takes the ``DemoContext`` and creates rows, reading what earlier parts made
from the context. Parts run in order inside one transaction.

Scale 1 is one unit as it really is. Scale N repeats the unit N times, as a
city's many units in one database: each copy has its own manager, contact
person and caretaker, landlords, flats, referrals and rent, drawn from random
numbers seeded by the copy's number, so the same N always gives the same data.
Only the first unit's people get printed logins.
"""

import random
import re
from dataclasses import dataclass, field

from .auth.passwords import hash_password
from .database import write_transaction
from .models import Landlord, Role, User

# Printed by `flask demo` for the demo logins; it guards demo data, never a real account.
DEMO_PASSWORD = "demo-losenord-2026"  # nosec B105 - the demo's published password

_PARTS: list[tuple[int, str, object]] = []


@dataclass
class DemoContext:
    """What the parts share: the users by role, and whatever a part leaves for the next."""

    password_hash: str
    users: dict = field(default_factory=dict)
    landlords: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)
    unit: int = 0
    # What every unit shares, such as the city's commissioners.
    shared: dict = field(default_factory=dict)

    def rng(self, seed: int) -> random.Random:
        """A part's random numbers for this unit: the same every time for the same unit."""
        return random.Random(seed * 1_000_003 + self.unit)  # nosec B311 - seeded, no secret

    def named(self, name: str) -> str:
        """A name as this unit has it: the first unit's as given, the others numbered."""
        return name if self.unit == 0 else f"{name} {self.unit + 1}"

    def begin_unit(self, unit: int) -> None:
        """Start the next copy of the unit: its own people, landlords and flats."""
        self.unit, self.users, self.landlords, self.extra = unit, {}, [], {}


def demo_part(order: int):
    """Register a function as a part of the demo data, run in ``order``."""

    def register(function):
        _PARTS.append((order, function.__name__, function))
        return function

    return register


def steps(path: list, moments: list):
    """Each state of ``path`` with the one before it (None at first) and when it was reached."""
    return zip([None, *path[:-1]], path, moments, strict=True)


def database_is_empty() -> bool:
    """Tell whether there are no accounts yet."""
    return not User.select().exists()


def load_demo(scale: int = 1) -> list[tuple[str, str, str]]:
    """Run every part for each of ``scale`` units in one transaction; return the first
    unit's logins (role, email, password)."""
    context = DemoContext(password_hash=hash_password(DEMO_PASSWORD))
    parts = sorted(_PARTS, key=lambda part: (part[0], part[1]))
    with write_transaction():
        for unit in range(scale):
            context.begin_unit(unit)
            for _order, _name, function in parts:
                function(context)
    return context.logins


def new_enrolment_codes(emails) -> dict[str, str]:
    """A fresh enrolment code for each demo login whose role requires a second factor it
    has not set up yet (the one before stops working), to print: the first log-in after
    ``make run`` sets up the second factor with it."""
    from .auth import enrolment

    codes = {}
    for user in User.select().where(User.email.in_(list(emails))).order_by(User.id):
        if enrolment.needs_code(user):
            codes[user.email], _expires = enrolment.new_code(None, user.id)
    return codes


def existing_demo_logins() -> list[tuple[str, str, str]]:
    """The demo logins still present in the database (their password may have changed)."""
    rows = (
        User.select(User.role, User.email)
        .where(User.email.endswith("@demo.example"))
        .order_by(User.id)
    )
    first_unit = [row for row in rows if not re.search(r"\.\d+@", row.email)]
    return [(row.role, row.email, DEMO_PASSWORD) for row in first_unit]


DEMO_PEOPLE = [
    (Role.ADMIN, "admin@demo.example", "Alva Admin"),
    (Role.MANAGER, "chef@demo.example", "Maria Lindqvist"),
    (Role.STAFF, "personal@demo.example", "Johan Berg"),
    (Role.CARETAKER, "vaktmastare@demo.example", "Ali Hassan"),
    (Role.LANDLORD, "hyresvard@demo.example", "Eva Stadsbyggen"),
]


@demo_part(10)
def accounts(context: DemoContext) -> None:
    """One login per role, and the landlord organisation the landlord user belongs to; the
    other units get their own manager, contact person and caretaker, without logins shown."""
    if context.unit > 0:
        for role, email, name in DEMO_PEOPLE:
            if role in (Role.MANAGER, Role.STAFF, Role.CARETAKER):
                local, domain = email.split("@")
                context.users[role] = User.create(
                    email=f"{local}.{context.unit + 1}@{domain}",
                    display_name=context.named(name),
                    role=role,
                    password_hash=context.password_hash,
                )
        return
    landlord = Landlord.create(name="Stadsbyggen Fastigheter AB")
    context.landlords.append(landlord)
    for role, email, name in DEMO_PEOPLE:
        user = User.create(
            email=email,
            display_name=name,
            role=role,
            landlord=landlord if role == Role.LANDLORD else None,
            password_hash=context.password_hash,
        )
        context.users[role] = user
        context.logins.append((role, email, DEMO_PASSWORD))
