"""Log in, log out, change password, choose language."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..formatting import format_datetime
from ..security import public, signed_in, start_session_clock
from . import bp, services
from .forms import LanguageForm, LoginForm, PasswordChangeForm
from .passwords import verify_password


def safe_next(target: str | None) -> str | None:
    """A local path to return to after log-in, or None for anything else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _clear_session_keeping_language() -> None:
    language = session.get("lang") or getattr(current_user, "language", None)
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status
    result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
    if result.locked_until:
        form.form_errors.append(
            _(
                "Too many failed attempts. Logging in is locked until %(time)s.",
                time=format_datetime(result.locked_until),
            )
        )
        return render_template("auth/login.html", form=form), 429
    if result.user is None:
        form.form_errors.append(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 422
    _clear_session_keeping_language()  # a new session at every log-in
    login_user(result.user)
    start_session_clock()
    return redirect(safe_next(form.next.data) or url_for("main.index"), 303)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    services.end_all_sessions(current_user)
    logout_user()
    _clear_session_keeping_language()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user = services.change_password(current_user, form.new_password.data)
            # This session carries on under the new version; all others end.
            login_user(user)
            start_session_clock()
            flash(_("Your password is changed. Your other sessions have ended."), "success")
            return redirect(url_for("main.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(url_for("main.index"), 303)
    session["lang"] = form.language.data
    if current_user.is_authenticated:
        services.set_language(current_user, form.language.data)
    return redirect(safe_next(form.next.data) or url_for("main.index"), 303)
