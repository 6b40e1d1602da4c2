"""The user administration pages."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN
from playhouse.flask_utils import get_object_or_404

from .. import paging
from ..auth.two_factor import required_for
from ..models import Landlord, RecoveryCode, Role, User
from ..security import roles_required
from . import bp, services
from .forms import ActiveForm, ResetTwoFactorForm, UserCreateForm, UserEditForm


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
            return redirect(url_for("admin.users"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = UserEditForm(obj=user, landlord=user.landlord_id or 0, revision=user.revision)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            services.update_user(
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
            return redirect(url_for("admin.users"), 303)
    two_factor = {
        "reset_form": ResetTwoFactorForm(),
        "recovery_left": RecoveryCode.unused_for(user.id).count(),
        "required": required_for(user),
    }
    return render_template("admin/user_form.html", form=form, user=user, **two_factor), status


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_two_factor(user_id):
    user = get_object_or_404(User, User.id == user_id)
    back = redirect(url_for("admin.edit_user", user_id=user.id), 303)
    if not ResetTwoFactorForm().validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return back
    try:
        services.reset_two_factor(current_user, user.id)
    except services.AccountError as error:
        flash(error.message, "error")
        return back
    flash(
        _(
            "The second factor of %(name)s is reset and their sessions have ended.",
            name=user.display_name,
        ),
        "success",
    )
    return back


def _users_page(status: int):
    rows = (
        User.select(User, Landlord)
        .join(Landlord, on=(User.landlord == Landlord.id), join_type=JOIN.LEFT_OUTER)
        .order_by(User.active.desc(), User.display_name, User.id)
    )
    page = paging.paginate(rows, paging.page_number())
    context = {"users": page.rows, "page": page, "active_form": ActiveForm()}
    return render_template("admin/users.html", **context), status


def _set_active(user_id: int, active: bool):
    user = get_object_or_404(User, User.id == user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        flash(_("The request was incomplete. Nothing was changed."), "error")
        return _users_page(422)
    try:
        services.set_active(current_user, user.id, form.revision.data, active)
    except services.StaleEdit:
        flash(_("Someone else changed this account in the meantime. Nothing was changed."), "error")
        return _users_page(409)
    except services.AccountError as error:
        flash(error.message, "error")
        return _users_page(422)
    if active:
        flash(_("%(name)s can log in again.", name=user.display_name), "success")
    else:
        flash(_("%(name)s is deactivated and logged out.", name=user.display_name), "success")
    return redirect(url_for("admin.users"), 303)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def deactivate_user(user_id):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def reactivate_user(user_id):
    return _set_active(user_id, True)
