"""A deterministic, realistic demo data set, loaded by ``flask demo``.

Each area adds its own part with ``@demo_part(order)``: a function that
takes the ``DemoContext`` and creates rows, reading what earlier parts made
from the context. Parts run in order inside one transaction.
"""

from dataclasses import dataclass, field

from .auth.passwords import hash_password
from .database import write_transaction
from .models import Landlord, Role, User

DEMO_PASSWORD = "demo-losenord-2026"

_PARTS: list[tuple[int, str, object]] = []


@dataclass
class DemoContext:
    """What the parts share: the users by role, and whatever a part leaves for the next."""

    password_hash: str
    users: dict = field(default_factory=dict)
    landlords: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)


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


def load_demo() -> list[tuple[str, str, str]]:
    """Run every part in one transaction; return the logins (role, email, password)."""
    context = DemoContext(password_hash=hash_password(DEMO_PASSWORD))
    with write_transaction():
        for _order, _name, function in sorted(_PARTS, key=lambda part: (part[0], part[1])):
            function(context)
    return context.logins


def existing_demo_logins() -> list[tuple[str, str, str]]:
    """The demo logins still present in the database (their password may have changed)."""
    rows = (
        User.select(User.role, User.email)
        .where(User.email.endswith("@demo.example"))
        .order_by(User.id)
    )
    return [(row.role, row.email, DEMO_PASSWORD) for row in rows]


DEMO_PEOPLE = [
    (Role.ADMIN, "admin@demo.example", "Alva Admin"),
    (Role.MANAGER, "chef@demo.example", "Maria Lindqvist"),
    (Role.STAFF, "personal@demo.example", "Johan Berg"),
    (Role.CARETAKER, "vaktmastare@demo.example", "Ali Hassan"),
    (Role.LANDLORD, "hyresvard@demo.example", "Eva Stadsbyggen"),
]


@demo_part(10)
def accounts(context: DemoContext) -> None:
    """One login per role, and the landlord organisation the landlord user belongs to."""
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
