"""The landlords' portal, the unit's side of its cases, and landlord invitations."""

from flask import Blueprint

bp = Blueprint("portal", __name__)

from . import demo, routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)
