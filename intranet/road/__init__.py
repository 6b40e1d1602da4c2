"""The road to a home of one's own: each resident's next step, its conditions, the
resident's consent, and the request that a landlord hand over the lease."""

from flask import Blueprint

bp = Blueprint("road", __name__, url_prefix="/road")

from . import demo, routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)

# The road's section on the resident's page.
from ..residents.routes import SECTIONS  # noqa: E402

SECTIONS.append(routes.road_section)
