"""What every template can use: the navigation for the user's role, assets, languages."""

import json

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .assets import HTMX_CONFIG, VENDOR
from .auth.two_factor import must_enrol
from .i18n import LANGUAGES
from .models import Role
from .security import may

# (endpoint, label), in menu order; an entry shows to those who may use its endpoint
# (``security.may``). Areas add theirs here.
NAVIGATION = [
    ("main.index", _l("Start")),
    ("admin.users", _l("Users")),
    ("landlords.pipeline", _l("Landlords")),
    ("flats.index", _l("Flats")),
    ("referrals.index", _l("Referrals")),
    ("matching.index", _l("Matching")),
    ("residents.index", _l("Residents")),
    ("rent.board", _l("Rent")),
    ("portal.cases", _l("Cases")),
    ("portal.index", _l("Your units")),
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
    items = [(endpoint, label) for endpoint, label in NAVIGATION if may(endpoint)]
    if may("portal.index"):
        # A landlord's start page is their units (``main.index`` sends them there).
        items = [(endpoint, label) for endpoint, label in items if endpoint != "main.index"]
    return items


def init_app(app) -> None:
    """Register the context processor and the filter that writes a number for a box."""
    from .forms import for_input

    htmx_config = json.dumps(HTMX_CONFIG, separators=(",", ":"))
    app.add_template_filter(for_input, "for_input")

    @app.context_processor
    def _layout_context():
        return {
            "nav_items": nav_items,
            "may": may,
            "get_locale": get_locale,
            "vendor": VENDOR,
            "htmx_config": htmx_config,
            "languages": LANGUAGES,
            "role_labels": ROLE_LABELS,
            "must_enrol": must_enrol,
        }
