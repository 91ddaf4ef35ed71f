"""The demo's reply templates are sent by women and men alike (Anna, Maja, Dmitri, Piotr), so
in Polish, Russian and Slovenian they speak as "we", never in a masculine (or feminine)
first-person past form like "Przejąłem", "Я взял", "sem prevzel"."""

from __future__ import annotations

import re

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import CannedReply

# First-person singular past forms, masculine and feminine, as these texts would use them.
PAST_FIRST_PERSON = {
    "pl": re.compile(
        r"\b\w+(?:łem|łam)\b|\b(?:przejął|zająłem|zajęłam|sprawdziłem|sprawdziłam|"
        r"wiedział|wiedziała)\b|będę wiedzieć",
        re.IGNORECASE,
    ),
    "ru": re.compile(
        r"\bя\s+(?:\w+\s+)?\w+(?:л|ла|лся|лась)\b|\b(?:взял|взяла|передал|передала|"
        r"проверил|проверила|узнал|узнала)\b",
        re.IGNORECASE,
    ),
    "sl": re.compile(
        r"\bsem\s+\w+(?:l|la)\b|\b\w+(?:l|la)\s+sem\b|\bbom\s+\w+(?:l|la)\b|"
        r"\b(?:prevzel|prevzela|vedel|vedela|preveril|preverila)\b",
        re.IGNORECASE,
    ),
}


def test_demo_reply_templates_speak_as_we_in_polish_russian_and_slovenian(demo_data):
    replies = db.session.scalars(
        select(CannedReply).where(CannedReply.locale.in_(PAST_FIRST_PERSON))
    ).all()
    assert {r.locale for r in replies} == set(PAST_FIRST_PERSON)
    for reply in replies:
        found = PAST_FIRST_PERSON[reply.locale].findall(f"{reply.title}\n{reply.body}")
        assert not found, (reply.locale, reply.title, found)
    bodies = " ".join(r.body for r in replies)
    assert "Zajmujemy się Twoją sprawą" in bodies
    assert "Мы занимаемся Вашим обращением" in bodies
    assert "Vaš zahtevek" in bodies and "obravnavamo" in bodies


def test_the_word_lists_catch_the_old_masculine_texts():
    old = {
        "pl": "Przejąłem sprawę i odezwę się, gdy tylko będę wiedzieć więcej.",
        "ru": "Я взял обращение в работу.",
        "sl": "Zadevo sem prevzel in se oglasim, ko bom vedel več.",
    }
    for locale, text in old.items():
        assert PAST_FIRST_PERSON[locale].search(text), locale
