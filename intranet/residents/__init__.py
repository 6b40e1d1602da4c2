"""Residents: who lives where, a resident's page and rent, notice, move-out and the outcomes."""

from flask import Blueprint

bp = Blueprint("residents", __name__, url_prefix="/residents")

from . import routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402
from .moved import bp as moved_bp  # noqa: E402,F401

bp.app_context_processor(template_globals)
