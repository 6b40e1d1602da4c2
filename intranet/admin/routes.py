"""The user administration pages, and the unit manager's approval of accounts."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from playhouse.flask_utils import get_object_or_404

from .. import clock, paging
from ..auth.settings import setting
from ..auth.two_factor import required_for
from ..formatting import format_datetime
from ..models import Landlord, RecoveryCode, Role, User
from ..security import local_path, roles_required
from . import bp, services
from .forms import (
    ActiveForm,
    ApproveForm,
    DeactivateForm,
    LiftLockForm,
    ResetTwoFactorForm,
    UserCreateForm,
    UserEditForm,
)

# What an administrator did that left an account waiting for a manager's approval.
REASON_LABELS = {
    "created": _l("created the account"),
    "role_changed": _l("changed the role"),
    "password_reset": _l("set a new password"),
    "two_factor_reset": _l("reset the second factor"),
    "reactivated": _l("reactivated the account"),
}


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    return _users_page(200)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, password=form.password.data, **form.account())
        except services.AccountError as error:
            getattr(form, error.field_name).errors.append(error.message)
        else:
            flash(_("The account for %(name)s is created.", name=user.display_name), "success")
            return _done(user)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, user=None), status


def _done(user, back: str | None = None, force_code: bool = False):
    """After a change: the new enrolment code the account needs, shown this once, or
    ``back`` (the list of users); either says when the account waits for a manager's
    approval. ``force_code`` gives a new code even if the one before still works."""
    if user.awaits_approval:
        flash(
            _(
                "%(name)s cannot log in until a unit manager has approved the account.",
                name=user.display_name,
            ),
            "warning",
        )
    if force_code or services.owes_enrolment_code(user):
        issued = services.issue_enrolment_code(current_user, user.id)
        if issued:
            code, expires = issued
            context = {"person": user, "code": code, "expires": expires}
            return render_template("admin/enrolment_code.html", **context)
    return redirect(back or url_for("admin.users"), 303)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = UserEditForm(obj=user, landlord=user.landlord_id or 0, revision=user.revision)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            saved = services.update_user(
                current_user,
                user.id,
                int(form.revision.data),
                new_password=form.new_password.data,
                **form.account(),
            )
        except services.StaleEdit:
            form.form_errors.append(
                _("Someone else changed this account while you edited it. Reload and try again.")
            )
            status = 409
        except services.AccountError as error:
            getattr(form, error.field_name).errors.append(error.message)
        else:
            flash(_("The account for %(name)s is saved.", name=form.display_name.data), "success")
            return _done(saved)
    context = {
        "reset_form": ResetTwoFactorForm(),
        "lift_form": LiftLockForm(),
        "recovery_left": RecoveryCode.unused_for(user.id).count(),
        "required": required_for(user),
        "locked_until": services.locks([user]).get(user.email),
        "reason_labels": REASON_LABELS,
        "enrolment_hours": setting("TWO_FACTOR_ENROLMENT_HOURS"),
    }
    return render_template("admin/user_form.html", form=form, user=user, **context), status


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_two_factor(user_id):
    user = get_object_or_404(User, User.id == user_id)
    edit = url_for("admin.edit_user", user_id=user.id)
    if not ResetTwoFactorForm().validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return redirect(edit, 303)
    had_one = user.has_two_factor
    try:
        user = services.reset_two_factor(current_user, user.id)
    except services.AccountError as error:
        flash(error.message, "error")
        return redirect(edit, 303)
    if had_one:
        flash(
            _(
                "The second factor of %(name)s is reset and their sessions have ended.",
                name=user.display_name,
            ),
            "success",
        )
    return _done(user, back=edit, force_code=True)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def lift_lock(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = LiftLockForm()
    back = redirect(_back_in_admin(form.back.data), 303)
    if not form.validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return back
    try:
        services.lift_login_lock(current_user, user.id)
    except services.AccountError as error:
        flash(error.message, "info")
        return back
    flash(_("%(name)s can log in again from every address.", name=user.display_name), "success")
    return back


def _back_in_admin(path) -> str:
    """The page of the user administration a form came from (``path``), or the list."""
    users = url_for("admin.users")
    path = local_path(path)
    if path and (path == users or path.startswith((users + "?", users + "/"))):
        return path
    return users


def _lock_time(moment) -> str:
    """When a lock ends, as the list of users shows it: the time alone when it is today
    (locks last minutes), with the date when it is not."""
    if moment.date() == clock.today():
        return moment.strftime("%H:%M")
    return format_datetime(moment)


def _users_page(status: int):
    rows = (
        User.select(User, Landlord)
        .join(Landlord, on=(User.landlord == Landlord.id), join_type=JOIN.LEFT_OUTER)
        .order_by(User.active.desc(), User.display_name, User.id)
    )
    page = paging.paginate(rows, paging.page_number())
    locks = services.locks(page.rows)
    context = {
        "users": page.rows,
        "page": page,
        "active_form": ActiveForm(),
        "lift_form": LiftLockForm(),
        "locked_until": {email: _lock_time(until) for email, until in locks.items()},
        # Where the unlock button comes back to: this page of the list.
        "here": url_for("admin.users", page=page.number if page.number > 1 else None),
    }
    return render_template("admin/users.html", **context), status


def _confirm_deactivate(user, form, status: int = 200):
    return render_template("admin/deactivate.html", user=user, form=form), status


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def deactivate_user(user_id):
    """Asks first: the page with the box to tick, then the deactivation itself."""
    user = get_object_or_404(User, User.id == user_id)
    if request.method == "GET":
        if not user.active:
            return redirect(url_for("admin.users"), 303)
        return _confirm_deactivate(user, DeactivateForm(revision=user.revision))
    form = DeactivateForm()
    if not form.validate_on_submit():
        if form.errors.keys() - {"confirmed"}:
            flash(_("The request was incomplete. Nothing was changed."), "error")
            return _users_page(422)
        return _confirm_deactivate(user, form, 422)
    return _set_active(user, form, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def reactivate_user(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return _users_page(422)
    return _set_active(user, form, True)


def _set_active(user, form, active: bool):
    try:
        user = services.set_active(current_user, user.id, form.revision.data, active)
    except services.StaleEdit:
        flash(_("Someone else changed this account in the meantime. Nothing was changed."), "error")
        return _users_page(409)
    except services.AccountError as error:
        flash(error.message, "error")
        return _users_page(422)
    if not active:
        flash(_("%(name)s is deactivated and logged out.", name=user.display_name), "success")
    elif not user.awaits_approval:
        flash(_("%(name)s can log in again.", name=user.display_name), "success")
    return _done(user)


@bp.route("/approvals")
@roles_required(Role.MANAGER)
def approvals():
    """The accounts an administrator changed that wait for a unit manager's approval."""
    page = paging.paginate(User.awaiting_approval(), paging.page_number())
    requesters = {
        u.id: u
        for u in User.select().where(
            User.id.in_([row.approval_requested_by_id for row in page.rows])
        )
    }
    context = {
        "users": page.rows,
        "page": page,
        "requesters": requesters,
        "form": ApproveForm(),
        "reason_labels": REASON_LABELS,
    }
    return render_template("admin/approvals.html", **context)


@bp.route("/users/<int:user_id>/approve", methods=["POST"])
@roles_required(Role.MANAGER)
def approve_user(user_id):
    user = get_object_or_404(User, User.id == user_id)
    back = redirect(url_for("admin.approvals"), 303)
    if not ApproveForm().validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return back
    try:
        services.approve(current_user, user.id)
    except services.AccountError as error:
        flash(error.message, "error")
        return back
    flash(_("%(name)s is approved and can log in.", name=user.display_name), "success")
    return back
