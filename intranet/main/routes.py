"""Start page and health check."""

from flask import current_app, render_template
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
    context = {}
    if current_user.role == Role.ADMIN:
        context["account_counts"] = User.role_counts()
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
