"""Landlords: the outreach pipeline board, contacts, activities, the funnel."""

from flask import Blueprint

bp = Blueprint("landlords", __name__, url_prefix="/landlords")

from . import demo, routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)
