"""Referrals and free flats matched: the matching page, plans, matches, move-in and move-out."""

from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching")

from . import routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)
