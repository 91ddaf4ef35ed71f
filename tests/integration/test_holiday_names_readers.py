"""Holiday and region names follow the reader: each holiday in the reader's language where
`holidays` has it for that country, else in English, whatever the server's environment;
regions that are territories of their own named by Babel, as countries are."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from tests.helpers import text_of
from webapp.extensions import db
from workflow.calendars import _holiday_names, holiday_language

WORKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
CHRISTMAS_NOON = datetime(2026, 12, 25, 11, tzinfo=UTC)  # a Friday


def visible(reply) -> str:
    return html.unescape(text_of(reply))


@pytest.fixture
def abroad(create_user) -> None:
    """Two agents off for Christmas: one follows Poland's holidays, one Slovenia's."""
    for email, name, zone, country in (
        ("piotr@example.com", "Piotr", "Europe/Warsaw", "PL"),
        ("maja@example.com", "Maja", "Europe/Ljubljana", "SI"),
    ):
        colleague = create_user(email=email, name=name, timezone=zone, working_hours=WORKDAYS)
        colleague.public_holidays = country
    db.session.commit()


@pytest.mark.parametrize(
    ("locale", "polish", "slovenian"),
    [
        ("en", "public holiday: Christmas Day", "public holiday: Christmas Day"),
        ("pl", "święto: Boże Narodzenie (pierwszy dzień)", "święto: Christmas Day"),
        ("sl", "praznik: Christmas Day", "praznik: božič"),
        ("ru", "праздник: Christmas Day", "праздник: Christmas Day"),
    ],
)
def test_each_holiday_in_the_readers_language_else_in_english(
    abroad, client, login, create_user, monkeypatch, locale, polish, slovenian
):
    from webapp.auth import away_settings

    monkeypatch.setenv("LANGUAGE", "pl")  # a server started in Polish decides nothing
    holiday_language.cache_clear()
    _holiday_names.cache_clear()
    monkeypatch.setattr(away_settings, "utcnow", lambda: CHRISTMAS_NOON)
    login(create_user(email="reader@example.com", name="Reader", role="admin", locale=locale))
    agents = visible(client.get("/admin/users"))
    piotr = agents.split("piotr@example.com", 1)[1].split("@example.com", 1)[0]
    maja = agents.split("maja@example.com", 1)[1].split("@example.com", 1)[0]
    assert polish in piotr
    assert slovenian in maja


@pytest.mark.parametrize(
    ("locale", "puerto_rico", "virgin_islands", "madrid", "fribourg"),
    [
        (
            "en",
            "United States – Puerto Rico (US-PR)",
            "United States – U.S. Virgin Islands",
            "Spain – Madrid (ES-MD)",
            "Switzerland – Fribourg (CH-FR)",
        ),
        (
            "pl",
            "Stany Zjednoczone – Portoryko (US-PR)",
            "Wyspy Dziewicze Stanów Zjednoczonych",
            "Hiszpania – Madryt (ES-MD)",
            "Szwajcaria – Fryburg (CH-FR)",
        ),
        (
            "ru",
            "Соединенные Штаты – Пуэрто-Рико (US-PR)",
            "Виргинские о-ва (США)",
            "Испания – Madrid (ES-MD)",
            "Швейцария – Freiburg (CH-FR)",
        ),
        (
            "sl",
            "Združene države Amerike – Portoriko (US-PR)",
            "Ameriški Deviški otoki",
            "Španija – Madridska skupnost (ES-MD)",
            "Švica – Freiburg (CH-FR)",
        ),
    ],
)
def test_region_names_read_as_names_not_as_iso_entries(
    client, login, create_user, agent, locale, puerto_rico, virgin_islands, madrid, fribourg
):
    """A region that is a territory of its own is named by Babel, as countries are, not in
    pycountry's ISO form ("Virgin Islands, U.S."); pycountry's qualifiers ("Madryt
    (wspólnota)") and lists of names in several languages ("Fribourg / Freiburg / Friburgo
    / Friburg") are left out."""
    login(create_user(email="reader@example.com", name="Reader", role="admin", locale=locale))
    page = html.unescape(client.get(f"/admin/users/{agent.id}").get_data(as_text=True))
    assert f'<option value="US-PR">{puerto_rico}</option>' in page
    assert virgin_islands in page
    assert f'<option value="ES-MD">{madrid}</option>' in page
    assert f'<option value="CH-FR">{fribourg}</option>' in page
    assert "Virgin Islands, U.S." not in page
