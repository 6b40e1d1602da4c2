"""Rent: monthly charges, payments, the 1st/5th/15th routine."""

from flask import Blueprint, current_app, request
from flask_login import current_user
from peewee import DatabaseError

bp = Blueprint("rent", __name__, url_prefix="/rent")

from .. import clock  # noqa: E402
from ..models import Role  # noqa: E402
from . import demo, import_routes, print_routes, routes, rules, services  # noqa: E402,F401
from .labels import template_globals  # noqa: E402

bp.app_context_processor(template_globals)


@bp.after_app_request
def _open_the_month_with_its_first_write(response):
    """The first write of a month opens it, in case the nightly ``flask rent open-month``
    has not run. A page view never writes; a refused write changes nothing."""
    if (
        request.method in ("GET", "HEAD", "OPTIONS")
        or response.status_code >= 400
        or not current_user.is_authenticated
        or current_user.role not in Role.INTERNAL
    ):
        return response
    try:
        services.open_month(rules.month_of(clock.today()))
    except DatabaseError:
        # The write itself is done; the nightly command or the next write opens the month.
        current_app.logger.warning("the month could not be opened", exc_info=True)
    return response
