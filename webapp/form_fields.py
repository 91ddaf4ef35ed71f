"""What the staff forms share: their base class, whose WTForms messages speak every language
we do; checkboxes for a few choices; and the time-zone picker."""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import SelectField, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.timezone_choices import timezone_choices


class FormTranslations:
    """WTForms' messages from our catalog first, then from WTForms' own.

    WTForms has no Slovenian catalog at all, and its Polish one lacks or mistranslates a few
    messages ("This field cannot be edited." reads "To pole jest wymagane."): our catalog has
    them all (`webapp.wtforms_messages`), worded like the rest of Loopdesk.
    """

    def gettext(self, string: str) -> str:
        translated = get_translations().ugettext(string)
        return translated if translated != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Our catalog directly: flask_babel.ngettext would fill in %(num)d and trip on %(min)d.
        translated = get_translations().ungettext(singular, plural, n)
        if translated != (singular if n == 1 else plural):
            return translated
        return wtforms_translations.ngettext(singular, plural, n)


class TranslatedForm(FlaskForm):
    """The base of our forms: WTForms' messages ("Not a valid choice.") in the reader's language."""

    class Meta:
        def get_translations(self, form):
            return FORM_TRANSLATIONS


FORM_TRANSLATIONS = FormTranslations()


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
