"""Form fields the staff forms share: checkboxes for a few choices, and the time-zone picker."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.timezone_choices import timezone_choices


class MultiCheckboxField(SelectMultipleField):
    """Several choices as labelled checkboxes: a multi-select box needs ctrl-click."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TimeZoneField(SelectField):
    """An IANA zone name, picked from regions: "(UTC+01:00) Warsaw" in the reader's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose a time zone from the list."))
        super().__init__(label, validators, **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        # Built per request (the reader's language, today's offsets). A zone the person already
        # has (an old alias) stays a choice; any other unknown text does not.
        self.choices = timezone_choices(with_current=self.data)
