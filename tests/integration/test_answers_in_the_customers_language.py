"""Days and numbers a customer answered read as their language writes them, not as stored."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.helpers import text_of
from webapp.extensions import db
from webapp.services.forms import publish_form

FORM = {
    "slug": "visit",
    "title": {"en": "Your visit", "pl": "Twoja wizyta", "ru": "Ваш визит"},
    "languages": ["en", "pl", "ru"],
    "default_language": "en",
    "questions": [
        {
            "id": "day",
            "type": "date",
            "text": {"en": "When?", "pl": "Kiedy?", "ru": "Когда?"},
            "validation": {"min": "2026-01-01"},
        },
        {
            "id": "guests",
            "type": "number",
            "text": {"en": "How many?", "pl": "Ile?", "ru": "Сколько?"},
            "validation": {"max": 10000},
        },
        {"id": "why", "type": "short_text", "text": {"en": "Why?", "pl": "Po co?", "ru": "Зачем?"}},
    ],
}


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def answer(client, app):
    publish_form("visit", yaml.safe_dump(FORM, allow_unicode=True))
    db.session.commit()
    state = {"page": client.get("/f/visit").get_data(as_text=True)}

    def post(lang: str, question: str, value: str):
        step = re.search(r'name="step" value="([^"]+)"', state["page"]).group(1)
        data = {"step": step, "question": question, "lang": lang, "value": value}
        reply = client.post("/f/visit/answer", data=data, follow_redirects=True)
        state["page"] = reply.get_data(as_text=True)
        return reply

    return post


@pytest.mark.parametrize(
    ("lang", "day", "number"),
    [
        ("en", "March 9, 2026", "1,234.5"),
        ("pl", "9 marca 2026", "1 234,5"),
        ("ru", "9 марта 2026 г.", "1 234,5"),
    ],
)
def test_the_conversation_shows_a_day_and_a_number_as_the_customer_writes_them(
    answer, lang, day, number
):
    answer(lang, "day", "2026-03-09")
    text = text_of(answer(lang, "guests", "1234.5"))
    assert day in text and number in text
    assert "2026-03-09" not in text and "1234.5" not in text


def test_a_refused_day_or_number_names_the_limit_in_the_customers_language(answer):
    refused = answer("pl", "day", "2025-12-31")
    assert refused.status_code == 422
    assert "Wybierz datę nie wcześniejszą niż 1 stycznia 2026." in text_of(refused)
    answer("pl", "day", "2026-03-09")
    refused = answer("ru", "guests", "20000")
    assert "10 000" in text_of(refused)  # not "10000"
