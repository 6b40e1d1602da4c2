"""Start pages and health check."""

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from peewee import PeeweeException

from ..audit.services import audited
from ..database import connection
from ..extensions import db
from ..models import Role
from ..security import public, signed_in
from . import bp, today


@bp.route("/")
@signed_in
@audited("start page", roles=(Role.MANAGER, Role.STAFF))
def index():
    if current_user.role == Role.LANDLORD:
        return redirect(url_for("portal.index"))
    return render_template(
        f"main/start_{current_user.role}.html", blocks=today.blocks_for(current_user)
    )


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
