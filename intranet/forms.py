"""Form pieces every area shares."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField


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
