"""Landlords: the outreach pipeline board, contacts, activities, the funnel."""

from flask import Blueprint

bp = Blueprint("landlords", __name__, url_prefix="/landlords")

from . import demo, routes  # noqa: E402,F401
