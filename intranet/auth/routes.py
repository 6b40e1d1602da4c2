"""Log in (with the second factor's step), log out, change password, set up or turn off
the second factor, choose language."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..formatting import format_datetime
from ..models import RecoveryCode, Refused
from ..security import public, signed_in, start_session_clock
from . import bp, pending, services, two_factor
from .forms import (
    EnrolForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    SecondStepForm,
    TurnOffForm,
)
from .passwords import verify_password

# The secret being set up, and the recovery codes to show once, wait in the session.
ENROL_SESSION_KEY = "two_factor_secret"
RECOVERY_CODES = "two_factor_recovery_codes"


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
        form.form_errors.append(_locked_message(result.locked_until))
        return render_template("auth/login.html", form=form), 429
    if result.user is None:
        form.form_errors.append(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 422
    _clear_session_keeping_language()  # a new session at every log-in
    if result.user.has_two_factor:
        pending.begin(result.user, safe_next(form.next.data))
        return redirect(url_for("auth.login_code"), 303)
    return _log_in(result.user, safe_next(form.next.data))


def _locked_message(until) -> str:
    return _(
        "Too many failed attempts. Logging in is locked until %(time)s.",
        time=format_datetime(until),
    )


def _log_in(user, next_url: str | None):
    login_user(user)
    start_session_clock()
    if two_factor.must_enrol(user):
        return redirect(url_for("auth.enrol"), 303)
    return redirect(next_url or url_for("main.index"), 303)


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = pending.pending_user()
    if user is None:
        pending.end()
        flash(_("Logging in took too long or was interrupted. Please log in again."), "warning")
        return redirect(url_for("auth.login"), 303)
    form = SecondStepForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/login_code.html", form=form), status
    result = services.second_step(user, form.code.data, request.remote_addr)
    if result.locked_until:
        form.form_errors.append(_locked_message(result.locked_until))
        return render_template("auth/login_code.html", form=form), 429
    if result.user is None:
        form.code.errors.append(_("The code is wrong, too old or already used."))
        return render_template("auth/login_code.html", form=form), 422
    next_url = pending.next_url()
    _clear_session_keeping_language()
    return _log_in(result.user, next_url)


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


@bp.route("/account/two-factor")
@signed_in
def two_factor_settings():
    unused = RecoveryCode.unused_for(current_user.id).count()
    required = two_factor.required_for(current_user)
    context = {"unused": unused, "required": required, "form": TurnOffForm()}
    return render_template("auth/two_factor.html", **context)


@bp.route("/account/two-factor/new", methods=["GET", "POST"])
@signed_in
def enrol():
    secret = session.get(ENROL_SESSION_KEY) or two_factor.new_secret()
    session[ENROL_SESSION_KEY] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            user, codes = two_factor.enrol(current_user, secret, form.code.data)
        except Refused as error:
            form.code.errors.append(error.message)
        else:
            session.pop(ENROL_SESSION_KEY, None)
            # This session carries on under the new version; all others end.
            login_user(user)
            start_session_clock()
            session[RECOVERY_CODES] = codes
            return redirect(url_for("auth.recovery_codes"), 303)
    status = 422 if form.is_submitted() else 200
    context = {"secret": two_factor.grouped(secret), "qr": two_factor.qr_code(current_user, secret)}
    return render_template("auth/enrol.html", form=form, **context), status


@bp.route("/account/two-factor/recovery-codes")
@signed_in
def recovery_codes():
    codes = session.pop(RECOVERY_CODES, None)
    if not codes:
        flash(_("Recovery codes are shown only once, right after setting up."), "warning")
        return redirect(url_for("auth.two_factor_settings"))
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/off", methods=["POST"])
@signed_in
def turn_off_two_factor():
    if not TurnOffForm().validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return redirect(url_for("auth.two_factor_settings"), 303)
    try:
        user = two_factor.turn_off(current_user)
    except Refused as error:
        flash(error.message, "error")
        return redirect(url_for("auth.two_factor_settings"), 303)
    login_user(user)
    start_session_clock()
    flash(_("The second factor is turned off. Your other sessions have ended."), "success")
    return redirect(url_for("auth.two_factor_settings"), 303)


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
