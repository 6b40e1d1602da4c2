"""Referrals from commissioners: intake, status, eligibility overrides."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

from . import demo, routes  # noqa: E402,F401
from .labels import template_globals  # noqa: E402
from .services import person_rule  # noqa: E402

bp.app_context_processor(template_globals)
bp.app_context_processor(person_rule)
