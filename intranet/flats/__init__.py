"""Flats: registering offers, the acquisition status, equipping, vacancy."""

from flask import Blueprint

bp = Blueprint("flats", __name__, url_prefix="/flats")

from . import demo, routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)
