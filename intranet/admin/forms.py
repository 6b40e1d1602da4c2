"""The user forms of the administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..auth.forms import new_password_validators
from ..auth.passwords import MAX_LENGTH, MIN_LENGTH
from ..forms import (
    ChoiceField,
    RevisionForm,
    confirm_field,
    counter_field,
    email_field,
    name_field,
)
from ..models import Landlord, Role
from ..templating import ROLE_LABELS


class UserForm(FlaskForm):
    email = email_field(required=True, autocomplete="off")
    display_name = name_field()
    role = ChoiceField(_l("Role"), validators=[DataRequired()])
    landlord = ChoiceField(
        _l("Landlord organisation"),
        coerce=int,
        description=_l("Only for landlord users: whose units they see."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role, ROLE_LABELS[role]) for role in Role.ALL]
        landlords = Landlord.select(Landlord.id, Landlord.name).order_by(Landlord.name)
        self.landlord.choices = [SelectChoice(0, _l("None"))] + [
            SelectChoice(ll.id, ll.name) for ll in landlords
        ]

    def account(self) -> dict:
        """The account's facts as the form holds them."""
        return {
            "email": self.email.data,
            "display_name": self.display_name.data,
            "role": self.role.data,
            "landlord_id": self.landlord.data,
        }

    def validate_landlord(self, field):
        if self.role.data == Role.LANDLORD and not field.data:
            raise ValidationError(_l("A landlord user must belong to a landlord organisation."))
        if self.role.data != Role.LANDLORD and field.data:
            raise ValidationError(_l("Only landlord users belong to a landlord organisation."))


class UserCreateForm(UserForm):
    password = PasswordField(
        _l("First password"),
        validators=new_password_validators(),
        render_kw={"autocomplete": "new-password"},
        description=_l("Give it to the person safely; they can change it after logging in."),
    )


class UserEditForm(RevisionForm, UserForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[
            Optional(),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=_l("The password must be %(min)d to %(max)d characters long."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
        description=_l("Leave empty to keep the current password."),
    )


class ActiveForm(FlaskForm):
    """Reactivate: a button with the revision it was shown at (deactivating asks more)."""

    revision = counter_field()


class DeactivateForm(ActiveForm):
    """Deactivating an account ends its sessions at once: asked for with a ticked box."""

    confirmed = confirm_field(_l("Yes, deactivate the account"))


class ResetTwoFactorForm(FlaskForm):
    """Resetting a user's second factor: a button with its CSRF token."""


class LiftLockForm(FlaskForm):
    """Lifting an account's log-in lock: a button with its CSRF token, and the page of the
    administration to go back to."""

    back = HiddenField()


class ApproveForm(FlaskForm):
    """A unit manager's approval of an account: a button with its CSRF token."""
