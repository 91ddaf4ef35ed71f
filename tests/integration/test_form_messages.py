"""WTForms' own messages ("Not a valid choice.") read in the staff member's language, Slovenian
included, for which WTForms ships no catalog."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm

from tests.helpers import text_of
from webapp.form_fields import TranslatedForm

NOT_A_CHOICE = {
    "en": "Not a valid choice.",
    "pl": "Wybierz jedną z pozycji z listy.",
    "ru": "Выберите один из вариантов списка.",
    "sl": "Izberite eno od možnosti s seznama.",
}
TOO_LONG = {  # Length(max=120): a plural form in each language
    "en": "Field cannot be longer than 120 characters.",
    "pl": "Wpisz najwyżej 120 znaków.",
    "ru": "Введите не более 120 символов.",
    "sl": "Vnesite največ 120 znakov.",
}


@pytest.mark.parametrize("locale", ["en", "pl", "ru", "sl"])
def test_wtforms_messages_speak_the_staff_members_language(
    client, login, post_form, create_user, locale
):
    login(create_user(locale=locale))
    reply = post_form(
        "/profile",
        {"name": "x" * 121, "locale": "xx", "timezone": "Europe/Warsaw", "languages": "sl"},
    )
    assert reply.status_code == 422
    page = text_of(reply)
    assert NOT_A_CHOICE[locale] in page
    assert TOO_LONG[locale] in page


def test_every_form_is_a_translated_form(app):
    """A new form that forgot the base class would speak English to Slovenians again."""
    import webapp.admin.forms  # noqa: F401  (the forms register as subclasses on import)
    import webapp.admin.webhook_forms  # noqa: F401
    import webapp.auth.forms  # noqa: F401

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("webapp.")]
    assert len(ours) >= 9
    assert [c.__name__ for c in ours if not issubclass(c, TranslatedForm)] == []
