"""Rent: monthly charges, payments, the 1st/5th/15th routine."""

from flask import Blueprint

bp = Blueprint("rent", __name__, url_prefix="/rent")

from . import demo, routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)
