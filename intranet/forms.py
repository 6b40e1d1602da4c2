"""Form pieces every area shares."""

import decimal
import re

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectField


class ChoiceField(SelectField):
    """A select whose every wrong value, unknown or malformed, gets one plain message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_choice_message = _l("Choose one of the options.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.invalid_choice_message) from error


class AmountField(DecimalField):
    """A decimal as Swedes write it: "7 300", "7300,50" or "54.5"; never NaN or infinity."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = re.sub(r"[\s\u00a0\u202f]", "", valuelist[0]).replace(",", ".")
        if not text:
            return  # InputRequired says what is missing
        try:
            value = decimal.Decimal(text)
        except decimal.InvalidOperation:
            value = None
        # NaN would also break NumberRange's comparisons (a 500, not a message).
        if value is None or not value.is_finite():
            raise ValueError(_l("Enter a number, for example 7 300 or 54,5."))
        self.data = value
