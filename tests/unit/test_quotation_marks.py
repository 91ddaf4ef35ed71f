"""Each language quotes with its own pair, everywhere: “…” in English, „…” in Polish,
«…» in Russian, »…« in Slovenian (the common typographic choice there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MARKS = "“”„«»"
PAIRS = {"en": ("“", "”"), "pl": ("„", "”"), "ru": ("«", "»"), "sl": ("»", "«")}


def texts(language: str) -> list[tuple[str, str]]:
    """(msgid, text) for every message: the msgid in English, the translation elsewhere."""
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if language == "en":
            found += [(ids[0], text) for text in ids]
        else:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found += [(ids[0], text) for text in strings]
    return found


@pytest.mark.parametrize("language", PAIRS)
def test_a_catalog_quotes_only_with_its_languages_pair(language):
    opening, closing = PAIRS[language]
    foreign = re.compile(f"[{re.escape(''.join(set(MARKS) - {opening, closing}))}]")
    wrong = [(msgid, text) for msgid, text in texts(language) if foreign.search(text)]
    assert wrong == []
    unbalanced = [
        (msgid, text)
        for msgid, text in texts(language)
        if text.count(opening) != text.count(closing) and opening != closing
    ]
    assert unbalanced == []


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "“Pilny”"), ("pl", "„Pilny”"), ("ru", "«Pilny»"), ("sl", "»Pilny«")],
)
def test_the_quote_helper_uses_the_readers_marks(app, language, said):
    from flask_babel import force_locale

    from webapp.admin.form_words import quoted

    with app.test_request_context(), force_locale(language):
        assert quoted("Pilny") == said
