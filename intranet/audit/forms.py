"""The audit log's filters, read from the address."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from ..forms import ChoiceField, WholeNumberField, date_field


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    person = WholeNumberField(
        _l("Referral number"),
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("No such referral."))],
    )
    user = ChoiceField(_l("User"), coerce=int, default=0)
    since = date_field(_l("From"))
    until = date_field(_l("To"))

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [SelectChoice(0, _l("Everyone"))] + [
            SelectChoice(u.id, f"{u.display_name} ({u.email})") for u in users
        ]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The period ends before it starts."))
