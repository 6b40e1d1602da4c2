"""Landlords: the outreach pipeline board, contacts, activities, the funnel."""

from flask import Blueprint

bp = Blueprint("landlords", __name__, url_prefix="/landlords")

from . import demo, routes, services  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)


@bp.app_context_processor
def _moves() -> dict:
    """``stage_moves(stage)``: the moves a card's select offers, from the pipeline's table."""
    return {"stage_moves": services.moves_from}
