"""Error pages in the layout, and small fragments for htmx requests."""

from flask import current_app, g, render_template, request, session
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import htmx, login_manager
from .paging import PageError


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You do not have access to this page."),
        404: _("There is nothing at this address."),
        405: _("That action is not allowed here."),
        409: _("Someone else changed this in the meantime. Reload and try again."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a while and try again."),
        500: _("Something went wrong on our side. Nothing was saved. Try again later."),
    }


def _render(code: int, message: str):
    if request_ctx.url_adapter is None:
        # The request never matched this application (an untrusted host
        # name): no page can be built for it, so answer in plain text.
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}
    if htmx:
        body = render_template("_error_fragment.html", code=code, message=message)
        # Shown in the message area, whatever element the request targeted.
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return body, code, headers
    return render_template("errors/error.html", code=code, message=message), code


def bad_request(message: str):
    """A 400 that says what was wrong, in the layout or as an htmx fragment."""
    return _render(400, message)


def handle_http_error(error: HTTPException):
    """Any HTTP error in the layout, with a plain message."""
    code = error.code or 500
    message = _messages().get(code) or error.description
    return _render(code, message)


def handle_csrf_error(error: CSRFError):
    """A missing or expired CSRF token: say so, save nothing."""
    if "expired" in (error.description or ""):
        message = _("The form had expired. Reload the page and send it again.")
    else:
        message = _("The form could not be verified. Reload the page and send it again.")
    answer = _render(400, message)
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        # A form from another site arrives without the session: answering it with a new
        # session cookie would log the person out of the one they have.
        session.modified = False
    return answer


def handle_page_error(error: PageError):
    """A page number in the address that is not one: say so."""
    return _render(400, str(error))


# What drivers say when the database is stopped, unreachable or busy past the timeout.
DOWN_SIGNS = (
    "connection",
    "could not connect",
    "server closed",
    "terminating",
    "the database system is",
    "database is locked",
    "unable to open database",
)


def _database_is_down(error) -> bool:
    return isinstance(error, InterfaceError) or any(
        sign in str(error).lower() for sign in DOWN_SIGNS
    )


def handle_database_down(error):
    """The database does not answer (stopped, unreachable, or locked too long): a clear
    503, drawn without asking the database for anything, not a 500. The next request
    connects again, so the intranet recovers by itself when the database is back."""
    if not _database_is_down(error):
        raise error  # a mistake in a query is a 500, logged as one, not "try again"
    current_app.logger.error("the database does not answer: %s", error)
    # The page is drawn as for a visitor: knowing who is logged in would ask the database.
    g._login_user = login_manager.anonymous_user()
    message = _("The database does not answer just now. Nothing was saved. Try again in a moment.")
    if request_ctx.url_adapter is None or htmx:
        return _render(503, message)
    return render_template("errors/unavailable.html", message=message), 503


def init_app(app) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(PageError, handle_page_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
    app.register_error_handler(HTTPException, handle_http_error)
    # Flask logs the original exception before it calls this handler.
    app.register_error_handler(InternalServerError, handle_http_error)
