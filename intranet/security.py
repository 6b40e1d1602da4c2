"""Who may use which view, the session's lifetime, and the response headers.

Every view declares its policy with ``@public`` or ``@roles_required(...)``.
A view without one is refused (default deny), and a test walks the URL map
so that a forgotten declaration fails before it ships.
"""

import datetime as dt
import functools
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.urls import iri_to_uri

from . import clock
from .errors import bad_request
from .extensions import htmx, login_manager
from .models import Role, User

PUBLIC = "public"
POLICY_ATTR = "access_policy"
# Endpoints with no view function of ours.
EXEMPT_ENDPOINTS = {"static"}
# All that a user who must set up a second factor first may open.
ENROLMENT_ENDPOINTS = {
    "static",
    "main.healthz",
    "auth.enrol",
    "auth.logout",
    "auth.set_language",
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def public(view):
    """Declare a view open to anyone, logged in or not."""
    setattr(view, POLICY_ATTR, PUBLIC)
    return view


def roles_required(*roles):
    """Declare that only users holding one of ``roles`` may use the view."""
    unknown = set(roles) - set(Role.ALL)
    if not roles or unknown:
        raise ValueError(f"roles_required needs known roles, got {roles!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, POLICY_ATTR, frozenset(roles))
        return wrapper

    return decorate


def signed_in(view):
    """Declare a view open to every logged-in user, whatever the role."""
    return roles_required(*Role.ALL)(view)


def policy_of(endpoint: str):
    """The declared policy of an endpoint, or None."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, POLICY_ATTR, None)


def may(endpoint: str, user=None) -> bool:
    """Whether ``user`` (the one logged in by default) may use ``endpoint``: the rule its
    view declares with ``roles_required``, the one the menu, the templates and the view's
    own check all read. An endpoint that declares none is open to anyone signed in only
    if it is public; a template never asks about those."""
    user = current_user if user is None else user
    roles = policy_of(endpoint)
    return bool(roles) and getattr(user, "is_authenticated", False) and user.role in roles


def _enforce_declared_policy():
    endpoint = request.endpoint
    if endpoint is None or endpoint in EXEMPT_ENDPOINTS:
        return None
    if policy_of(endpoint) is None:
        current_app.logger.error("endpoint %s declares no access policy", endpoint)
        abort(403)
    return None


def _refuse_nul_bytes():
    """Refuse a NUL character anywhere in the address or the form: nobody types one,
    PostgreSQL cannot store one, and it must not reach a query or a file."""
    values = [*request.args.items(multi=True)]
    values += [(key, str(value)) for key, value in (request.view_args or {}).items()]
    if request.method == "POST":
        values += request.form.items(multi=True)
    if any("\x00" in key or "\x00" in value for key, value in values):
        return bad_request(_("The request contains a character that is not allowed."))
    return None


def _enforce_session_timeouts():
    """End a session idle too long or older than its absolute limit."""
    if not current_user.is_authenticated:
        return None
    moment = clock.now()
    started = _stamp(session.get("login_at"))
    seen = _stamp(session.get("seen_at"))
    idle = dt.timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    absolute = dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if started is None or seen is None or moment - seen > idle or moment - started > absolute:
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please log in again."), "warning")
        return login_manager.unauthorized()
    session["seen_at"] = moment.isoformat()
    return None


def _enforce_enrolment():
    """Send a user whose role requires a second factor, and who has none, to set one up."""
    from .auth.two_factor import must_enrol  # here: the auth blueprint imports this module

    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not must_enrol(current_user):
        return None
    return _redirect_whole_page(url_for("auth.enrol"), 403)


def _redirect_whole_page(target: str, htmx_status: int):
    """A redirect; for a targeted htmx request one of the whole page, never a fragment."""
    if htmx:
        response = current_app.make_response(("", htmx_status))
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 302 if request.method == "GET" else 303)


MAX_NEXT_LENGTH = 2000


def local_path(target) -> str | None:
    """``target`` if it is a path on this site to go back to after log-in (or a language
    switch), else None.

    Browsers drop tabs and line breaks anywhere in an address and read a backslash as a
    slash, so ``/\\t/evil.example`` leads to another site; the value is judged as written,
    after percent-decoding (as a proxy or a later reader might decode it) and after the
    encoding the redirect gives it. Spaces may stand encoded in the query (a search term),
    where they cannot move the address to another host.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if _has_control_or_space(target) or "\\" in target or not _is_own_path(target):
        return None
    decoded, seen = target, {target}
    while (decoded := unquote(decoded)) not in seen:
        seen.add(decoded)
        path = decoded.split("?", 1)[0].split("#", 1)[0]
        if any(unicodedata.category(c).startswith("C") for c in decoded):
            return None
        if _has_control_or_space(path) or "\\" in path or path.startswith("//"):
            return None
    return target if _is_own_path(iri_to_uri(target)) else None


def _has_control_or_space(text: str) -> bool:
    return any(c.isspace() or unicodedata.category(c).startswith("C") for c in text)


def _is_own_path(text: str) -> bool:
    parts = urlsplit(text)
    path = parts.path
    return (
        not parts.scheme
        and not parts.netloc
        and path.startswith("/")
        and not path.startswith("//")
        and text.startswith(path)
    )


def _stamp(value):
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def start_session_clock() -> None:
    """Stamp a fresh login for the idle and absolute timeouts."""
    moment = clock.now().isoformat()
    session["login_at"] = moment
    session["seen_at"] = moment
    session.permanent = True


def _unauthorized():
    from .auth import pending  # here: the auth blueprint imports this module

    if pending.waiting():
        # The password was right; the code is still owed.
        return _redirect_whole_page(url_for("auth.login_code"), 401)
    if htmx:
        # A targeted htmx request cannot show a login page in a table row.
        return _redirect_whole_page(url_for("auth.login"), 401)
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("auth.login"))


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.add("Vary", "HX-Request")
    if request.endpoint != "static":
        # Personal data must not stay in shared or browser caches.
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    """Wire the policies, timeouts and headers into the application."""
    unknown = set(app.config["TWO_FACTOR_REQUIRED_ROLES"]) - set(Role.ALL)
    if unknown:
        raise ValueError(f"TWO_FACTOR_REQUIRED_ROLES names unknown roles: {sorted(unknown)}")

    @login_manager.user_loader
    def load_user(session_id):
        return User.from_session_id(session_id)

    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # the session version does this job
    app.before_request(_enforce_declared_policy)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_enforce_session_timeouts)
    app.before_request(_enforce_enrolment)
    app.after_request(_security_headers)
