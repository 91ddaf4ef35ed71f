"""The time-zone picker on the profile and the agent form: regions, "(UTC+01:00) Warsaw" in the
reader's language, the IANA name stored; reply languages as checkboxes."""

from __future__ import annotations

import html
import re

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.timezone_choices import offset_text, timezone_choices


def _zone_select(response) -> str:
    page = response.get_data(as_text=True)
    return re.search(r'<select id="timezone".*?</select>', page, re.S).group(0)


def _groups(select: str) -> dict[str, list[tuple[str, str]]]:
    """optgroup label → [(value, shown text)] as the browser lists them."""
    groups = {}
    for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S):
        options = re.findall(r'value="([^"]*)"[^>]*>([^<]*)</option>', body)
        groups[html.unescape(label)] = [(v, html.unescape(t)) for v, t in options]
    return groups


def test_the_profile_lists_zones_by_region_with_offset_and_city(client, login, agent):
    login(agent)
    groups = _groups(_zone_select(client.get("/profile")))
    assert list(groups)[:3] == ["Common time zones", "Europe", "Americas"]
    warsaw = f"({offset_text('Europe/Warsaw', utcnow())}) Warsaw"
    assert ("Europe/Warsaw", warsaw) in groups["Common time zones"]
    assert ("Europe/Warsaw", warsaw) in groups["Europe"]
    assert ("Europe/Ljubljana", f"({offset_text('Europe/Ljubljana', utcnow())}) Ljubljana") in (
        groups["Europe"]
    )
    assert (
        "America/Argentina/Buenos_Aires",
        f"({offset_text('America/Buenos_Aires', utcnow())}) Buenos Aires",
    ) in groups["Americas"]
    everything = [value for options in groups.values() for value, _ in options]
    assert "Europe/Kiev" not in everything and "US/Eastern" not in everything  # old aliases
    assert len(groups["Common time zones"]) < 30
    assert 'selected value="Europe/Warsaw"' in _zone_select(client.get("/profile"))


def test_each_region_is_sorted_by_offset_then_city(app, client, login, agent):
    login(agent)
    for label, options in _groups(_zone_select(client.get("/profile"))).items():
        offsets = [_minutes(text) for _value, text in options]
        assert offsets == sorted(offsets), label
        for offset in set(offsets):
            cities = [text for (_v, text), o in zip(options, offsets, strict=True) if o == offset]
            assert cities == sorted(cities), (label, offset)


def _minutes(text: str) -> int:
    sign, hours, minutes = re.match(r"\(UTC([+−])(\d\d):(\d\d)\)", text).groups()
    return (1 if sign == "+" else -1) * (int(hours) * 60 + int(minutes))


def test_the_picker_speaks_the_readers_language(client, login, create_user):
    ola = create_user(email="ola@example.com", name="Ola", locale="pl")
    login(ola)
    groups = _groups(_zone_select(client.get("/profile")))
    assert "Europa" in groups and "Najczęstsze strefy czasowe" in groups
    assert ("Europe/Warsaw", f"({offset_text('Europe/Warsaw', utcnow())}) Warszawa") in groups[
        "Europa"
    ]


def test_the_profile_saves_the_iana_name_and_the_checked_languages(client, login, post_form, agent):
    login(agent)
    page = client.get("/profile").get_data(as_text=True)
    assert "<select multiple" not in page
    assert re.search(r'<input[^>]*id="languages-\d"[^>]*name="languages"[^>]*type="checkbox"', page)
    reply = post_form(
        "/profile",
        {
            "name": agent.name,
            "locale": "en",
            "timezone": "America/Argentina/Buenos_Aires",
            "languages": ["pl", "sl"],
        },
    )
    assert reply.status_code == 303
    db.session.refresh(agent)
    assert agent.timezone == "America/Argentina/Buenos_Aires"
    assert agent.languages == ["pl", "sl"]


def test_someone_on_an_old_zone_name_keeps_it(client, login, post_form, create_user):
    kyiv = create_user(email="taras@example.com", name="Taras", timezone="Europe/Kiev")
    login(kyiv)
    groups = _groups(_zone_select(client.get("/profile")))
    assert [value for value, _ in groups["Other time zones"]] == ["Europe/Kiev"]
    assert 'selected value="Europe/Kiev"' in _zone_select(client.get("/profile"))
    form = {"name": "Taras", "locale": "en", "timezone": "Europe/Kiev", "languages": ["en"]}
    assert post_form("/profile", form).status_code == 303
    db.session.refresh(kyiv)
    assert kyiv.timezone == "Europe/Kiev"


def test_an_unknown_zone_is_refused_and_nothing_changes(client, login, post_form, agent):
    login(agent)
    form = {"name": "Changed", "locale": "en", "timezone": "Mars/Olympus", "languages": ["en"]}
    reply = post_form("/profile", form)
    assert reply.status_code == 422
    assert "Choose a time zone from the list." in text_of(reply)
    db.session.refresh(agent)
    assert (agent.name, agent.timezone) == ("Ada Agent", "Europe/Warsaw")


def test_the_agent_form_uses_the_same_picker(client, login, admin, agent):
    login(admin)
    for url in ("/admin/users", f"/admin/users/{agent.id}"):
        groups = _groups(_zone_select(client.get(url)))
        assert "Common time zones" in groups and "Pacific Ocean" in groups, url


def test_choices_are_built_in_the_request_language(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        groups = timezone_choices()
    assert "Европа" in groups
    assert any(label.endswith(") Москва") for _v, label in groups["Европа"])
