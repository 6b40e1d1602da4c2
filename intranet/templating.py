"""What every template can use: the navigation for the user's role, assets, languages."""

import json

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .assets import HTMX_CONFIG, VENDOR
from .auth.two_factor import must_enrol
from .i18n import LANGUAGES
from .models import Role

# (endpoint, label, roles that see it), in menu order. Areas add theirs here.
NAVIGATION = [
    ("main.index", _l("Start"), Role.INTERNAL),
    ("admin.users", _l("Users"), (Role.ADMIN,)),
    ("landlords.pipeline", _l("Landlords"), (Role.MANAGER, Role.STAFF)),
    ("flats.index", _l("Flats"), (Role.MANAGER, Role.STAFF, Role.CARETAKER)),
    ("referrals.index", _l("Referrals"), (Role.MANAGER, Role.STAFF)),
    ("matching.index", _l("Matching"), (Role.MANAGER, Role.STAFF)),
    ("residents.index", _l("Residents"), (Role.MANAGER, Role.STAFF)),
    ("rent.board", _l("Rent"), (Role.MANAGER, Role.STAFF)),
    ("portal.cases", _l("Cases"), (Role.MANAGER, Role.STAFF, Role.CARETAKER)),
    ("portal.index", _l("Your units"), (Role.LANDLORD,)),
]

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MANAGER: _l("Unit manager"),
    Role.STAFF: _l("Staff"),
    Role.CARETAKER: _l("Caretaker"),
    Role.LANDLORD: _l("Landlord"),
}


def nav_items():
    """The menu entries the current user may see."""
    if not current_user.is_authenticated or must_enrol(current_user):
        return []
    return [
        (endpoint, label) for endpoint, label, roles in NAVIGATION if current_user.role in roles
    ]


def init_app(app) -> None:
    """Register the context processor."""
    htmx_config = json.dumps(HTMX_CONFIG, separators=(",", ":"))

    @app.context_processor
    def _layout_context():
        return {
            "nav_items": nav_items,
            "get_locale": get_locale,
            "vendor": VENDOR,
            "htmx_config": htmx_config,
            "languages": LANGUAGES,
            "role_labels": ROLE_LABELS,
            "must_enrol": must_enrol,
        }
