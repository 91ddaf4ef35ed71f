"""Themes of free text: words and phrases customers share, in en, pl, ru and sl."""

from __future__ import annotations

import pytest

from survey_forms.definition import parse_form
from survey_forms.themes import ThemeCounter, language_of, stem, text_questions, themes_of


def _top(texts: list[str], language: str, how_many: int = 15) -> list[tuple[str, int]]:
    counter = ThemeCounter()
    for text in texts:
        counter.add([text], language)
    return [(theme.text, theme.responses) for theme in counter.top(how_many)]


def test_words_are_lower_cased_without_punctuation_numbers_or_short_words():
    found = themes_of("Parcel #123 came LATE!!! Ok, 2 days (late).", "en")
    assert set(found.values()) >= {"parcel", "came", "late", "days"}
    assert not {"123", "2", "ok", "#123", "late!!!"} & set(found.values())


def test_links_and_addresses_are_not_themes():
    found = themes_of("See https://shop.example.com/cart or mail jan@example.com now", "en")
    assert "example" not in found.values() and "shop" not in found.values()


def test_markup_is_just_text():
    found = themes_of("<script>alert('x')</script> broken checkout", "en")
    assert "broken checkout" in found.values()
    assert not any("<" in spelling for spelling in found.values())


@pytest.mark.parametrize(
    ("language", "text", "stop_words"),
    [
        ("en", "The courier was not there and the parcel was very late", {"the", "was", "and"}),
        ("pl", "Kurier nie przyszedł i paczka była bardzo spóźniona", {"nie", "była", "bardzo"}),
        ("ru", "Курьер не пришёл, и посылка была очень поздно", {"не", "была", "очень"}),
        ("sl", "Kurir ni prišel in paket je bil zelo pozen", {"ni", "je", "bil", "zelo"}),
    ],
)
def test_stop_words_are_left_out(language, text, stop_words):
    spellings = set(themes_of(text, language).values())
    assert not stop_words & spellings
    assert {w for w in spellings if " " not in w} & {"courier", "kurier", "курьер", "kurir"}


def test_a_stop_word_breaks_a_phrase():
    assert "late delivery" in themes_of("Late delivery again", "en").values()
    assert "delivery late" not in themes_of("The delivery was late", "en").values()
    assert "delivery late" not in themes_of("Delivery. Late", "en").values()


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", ["delivery", "deliveries", "delivered", "delivering"]),
        ("pl", ["dostawa", "dostawy", "dostawie", "dostawę", "dostawą", "dostawami"]),
        ("ru", ["доставка", "доставки", "доставке", "доставку", "доставкой"]),
        ("sl", ["dostava", "dostave", "dostavi", "dostavo", "dostavami"]),
    ],
)
def test_inflected_forms_of_a_word_are_one_theme(language, forms):
    assert len({stem(form, language) for form in forms}) == 1


@pytest.mark.parametrize(
    ("language", "texts", "theme"),
    [
        ("pl", ["Dostawa trwała wieki.", "Brak dostawy!", "Przy dostawie", "dostawy"], "dostawy"),
        (
            "ru",
            ["Доставка долгая", "Нет доставки", "О доставке ни слова", "Ждал доставки"],
            "доставки",
        ),
        ("sl", ["Dostava je počasna", "Brez dostave", "Težave pri dostavi", "Dostave"], "dostave"),
        (
            "en",
            ["Slow delivery", "Deliveries late", "delivery was late", "no delivery"],
            "delivery",
        ),
    ],
)
def test_a_theme_counts_every_form_and_shows_the_commonest_spelling(language, texts, theme):
    assert _top(texts, language)[0] == (theme, 4)


def test_a_word_repeated_in_one_response_counts_once():
    counter = ThemeCounter()
    counter.add(["Refund, refund, REFUND!", "Still no refund."], "en")
    counter.add(["Where is my refund?"], "en")
    assert [(t.text, t.responses) for t in counter.top(5)] == [("refund", 2)]
    assert counter.responses == 2


def test_only_themes_of_more_than_one_response_are_shown():
    assert _top(["Login page crashed", "Checkout is slow"], "en") == []


def test_a_phrase_replaces_its_word_when_it_says_as_much():
    top = _top(["Late delivery again", "late delivery", "Delivery was late"], "en")
    assert ("late delivery", 2) in top
    assert ("delivery", 3) in top and ("late", 3) in top
    top = _top(["late delivery", "late delivery"], "en")
    assert top == [("late delivery", 2)]


def test_the_most_mentioned_come_first_and_at_most_as_many_as_asked():
    texts = ["app crash"] * 3 + ["slow app"] * 2 + ["price"] * 2 + ["colour"] * 2
    top = _top(texts, "en", how_many=2)
    assert top == [("app", 5), ("app crash", 3)]


def test_an_unknown_language_uses_the_english_stop_words_and_no_stemming():
    assert language_of("de-DE") == "de"
    assert set(themes_of("Die Lieferung kam nicht and the box", "de").values()) >= {
        "lieferung",
        "box",
    }
    assert stem("lieferungen", "de") == "lieferungen"


def test_written_questions_are_the_text_ones_but_not_a_name():
    definition, problems = parse_form(
        {
            "slug": "t",
            "title": {"en": "T"},
            "languages": ["en"],
            "questions": [
                {"id": "score", "type": "nps", "text": {"en": "Score?"}},
                {"id": "why", "type": "long_text", "text": {"en": "Why?"}},
                {"id": "page", "type": "short_text", "text": {"en": "Page?"}},
                {"id": "name", "type": "short_text", "text": {"en": "Name?"}},
            ],
        }
    )
    assert not problems
    assert [q.id for q in text_questions(definition)] == ["why", "page"]
