"""Log in (with the second factor's step, or its set-up), log out, change password, set up
or turn off the second factor, choose language."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from ..formatting import format_datetime
from ..models import RecoveryCode, Refused, Role, User
from ..security import local_path, public, signed_in, start_session_clock
from . import bp, enrolment, pending, services, two_factor
from .forms import (
    EnrolForm,
    EnrolmentCodeForm,
    IdentityForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    SecondStepForm,
    TurnOffForm,
)
from .passwords import verify_password

# The id of the set-up in progress (its secret waits in the database, never here).
SET_UP_KEY = "two_factor_set_up"


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
    if result.awaiting_approval:
        form.form_errors.append(
            _(
                "Your account is waiting for a unit manager's approval after an administrator "
                "changed it. Ask your unit manager to approve it, then log in again."
            )
        )
        return render_template("auth/login.html", form=form), 403
    if result.user is None:
        form.form_errors.append(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 422
    _clear_session_keeping_language()  # a new session at every log-in
    next_url = local_path(form.next.data)
    if result.user.has_two_factor:
        pending.begin(result.user, next_url, pending.CODE)
        return redirect(url_for("auth.login_code"), 303)
    if enrolment.needs_code(result.user):
        pending.begin(result.user, next_url, pending.ENROL)
        return redirect(url_for("auth.login_enrol"), 303)
    return _log_in(result.user, next_url)


def _locked_message(until) -> str:
    return _(
        "Too many failed attempts. Logging in is locked until %(time)s.",
        time=format_datetime(until),
    )


def _log_in(user, next_url: str | None):
    login_user(user)
    start_session_clock()
    _tell_a_manager_of_approvals(user)
    return redirect(local_path(next_url) or url_for("main.index"), 303)


def _tell_a_manager_of_approvals(user) -> None:
    if user.role != Role.MANAGER:
        return
    waiting = User.awaiting_approval().count()
    if waiting:
        text = (
            _("%(count)d accounts are waiting for your approval.", count=waiting)
            if waiting > 1
            else _("An account is waiting for your approval.")
        )
        link = Markup('<a href="{}">{}</a>').format(url_for("admin.approvals"), _("Review"))
        flash(Markup("{} {}").format(text, link), "warning")


def _interrupted():
    pending.end()
    flash(_("Logging in took too long or was interrupted. Please log in again."), "warning")
    return redirect(url_for("auth.login"), 303)


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    if pending.step() == pending.ENROL:
        return redirect(url_for("auth.login_enrol"), 303)
    user = pending.pending_user(pending.CODE)
    if user is None:
        return _interrupted()
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


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def login_enrol():
    """After the right password, an account that must set up a second factor and has none
    gives the administrator's enrolment code before it sees a QR code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = pending.pending_user(pending.ENROL)
    if user is None:
        return _interrupted()
    form = EnrolmentCodeForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/login_enrol.html", form=form), status
    proof, started = services.enrolment_code_step(
        user, form.enrolment_code.data, request.remote_addr
    )
    return _begun(proof, started, form, "auth/login_enrol.html")


def _begun(proof, started, form, template):
    """Go on to the QR code once a set-up has begun, or show the form again with why not."""
    status = _refused(form, proof)
    if status:
        return render_template(template, form=form), status
    session[SET_UP_KEY] = started.id
    return redirect(url_for("auth.set_up"), 303)


def _refused(form, proof) -> int | None:
    """Put a refused proof's reasons on the form; return the status to answer with, or None
    when it was accepted."""
    for name, message in proof.errors.items():
        form[name].errors.append(message)
    if proof.locked_until:
        form.form_errors.append(_locked_message(proof.locked_until))
        return 429
    return 422 if proof.errors else None


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
    return _two_factor_page(TurnOffForm(asks_for=services.asks_for(current_user)), 200)


@bp.route("/account/two-factor/new", methods=["GET", "POST"])
@signed_in
def enrol():
    """A logged-in person sets up a second factor, or a new phone: first the password, and
    a current code where they have one."""
    if enrolment.needs_code(current_user):
        # Logged in without the second factor the role now requires (the setting changed):
        # the set-up, with the administrator's enrolment code, belongs to the log-in.
        logout_user()
        _clear_session_keeping_language()
        flash(
            _(
                "Your role requires a second factor. Log in again and enter the enrolment "
                "code from your administrator to set it up."
            ),
            "warning",
        )
        return redirect(url_for("auth.login"), 303)
    form = IdentityForm(asks_for=services.asks_for(current_user))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/enrol.html", form=form), status
    proof, started = services.begin_set_up(current_user, request.remote_addr, **form.given())
    return _begun(proof, started, form, "auth/enrol.html")


def _set_up_user():
    """Whose set-up this session may finish: the logged-in person, or the one logging in."""
    if current_user.is_authenticated:
        return current_user
    return pending.pending_user(pending.ENROL)


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@public
def set_up():
    """The QR code of the set-up begun, and its confirmation with a first code; the recovery
    codes are shown in the answer, once, and kept nowhere but as hashes."""
    user = _set_up_user()
    started = enrolment.in_progress(session.get(SET_UP_KEY), user)
    if started is None:
        session.pop(SET_UP_KEY, None)
        if current_user.is_authenticated:
            flash(_("The set-up took too long or was interrupted. Please start again."), "warning")
            return redirect(url_for("auth.enrol"), 303)
        if user is not None:
            return redirect(url_for("auth.login_enrol"), 303)
        return _interrupted()
    form = EnrolForm()
    if form.validate_on_submit():
        next_url = pending.next_url()
        try:
            user, codes = services.finish_set_up(started, form.code.data, request.remote_addr)
        except Refused as error:
            if error.field_name is None:
                session.pop(SET_UP_KEY, None)
                flash(error.message, "error")
                return redirect(url_for("auth.set_up"), 303)
            form.code.errors.append(error.message)
        else:
            # This session carries on (or begins) under the new version; all others end.
            _clear_session_keeping_language()
            login_user(user)
            start_session_clock()
            if started.at_login:
                _tell_a_manager_of_approvals(user)
            context = {"codes": codes, "next_url": next_url or url_for("main.index")}
            return render_template("auth/recovery_codes.html", **context)
    status = 422 if form.is_submitted() else 200
    context = {
        "secret": two_factor.grouped(started.secret),
        "qr": two_factor.qr_code(user, started.secret),
        "replacing": user.has_two_factor,
    }
    return render_template("auth/set_up.html", form=form, **context), status


@bp.route("/account/two-factor/off", methods=["POST"])
@signed_in
def turn_off_two_factor():
    form = TurnOffForm(asks_for=services.asks_for(current_user))
    if not form.validate_on_submit():
        return _two_factor_page(form, 422)
    try:
        proof, user = services.turn_off_two_factor(
            current_user, request.remote_addr, **form.given()
        )
    except Refused as error:
        flash(error.message, "error")
        return redirect(url_for("auth.two_factor_settings"), 303)
    status = _refused(form, proof)
    if status:
        return _two_factor_page(form, status)
    login_user(user)
    start_session_clock()
    flash(_("The second factor is turned off. Your other sessions have ended."), "success")
    return redirect(url_for("auth.two_factor_settings"), 303)


def _two_factor_page(form, status):
    unused = RecoveryCode.unused_for(current_user.id).count()
    required = two_factor.required_for(current_user)
    context = {"unused": unused, "required": required, "form": form}
    return render_template("auth/two_factor.html", **context), status


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
    return redirect(local_path(form.next.data) or url_for("main.index"), 303)
