"""Start page and health check."""

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from peewee import PeeweeException

from ..database import connection
from ..extensions import db
from ..models import Role, User
from ..security import public, signed_in
from . import bp


@bp.route("/")
@signed_in
def index():
    if current_user.role == Role.LANDLORD:
        return redirect(url_for("portal.index"))
    context = {}
    if current_user.role == Role.ADMIN:
        context["account_counts"] = User.role_counts()
    if current_user.role in (Role.MANAGER, Role.STAFF, Role.CARETAKER):
        from ..portal.services import cases_for, portal_offers_for_owner

        kind = "fault" if current_user.role == Role.CARETAKER else None
        context["open_cases"] = cases_for(status="open", kind=kind).count()
        context["portal_offers"] = list(portal_offers_for_owner(current_user))
    return render_template(f"main/start_{current_user.role}.html", **context)


@bp.route("/healthz")
@public
def healthz():
    try:
        with connection():
            db.execute_sql("SELECT 1")
    except PeeweeException:
        current_app.logger.exception("health check: the database does not answer")
        return "database unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}
