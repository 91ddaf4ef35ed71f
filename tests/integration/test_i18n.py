"""Language negotiation, the switcher, plural forms and localised dates."""

from datetime import UTC, datetime

import pytest
from flask_babel import format_datetime, ngettext

from tests.helpers import text_of
from webapp.extensions import db
from webapp.i18n import LOCALE_COOKIE
from webapp.models import Role


@pytest.mark.parametrize(
    ("header", "expected_lang", "expected_text"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.5", "ru", "Войти"),
        ("sl,en;q=0.5", "sl", "Prijava"),
        ("pl", "pl", "Zaloguj"),
        ("de-DE,fr;q=0.8", "en", "Log in"),
        ("", "en", "Log in"),
    ],
)
def test_accept_language_picks_the_interface_language(client, header, expected_lang, expected_text):
    response = client.get("/login", headers={"Accept-Language": header})
    html = response.get_data(as_text=True)
    assert f'<html lang="{expected_lang}">' in html
    assert expected_text in text_of(response)


def test_switcher_choice_beats_accept_language(client, post_form):
    response = post_form(
        "/language", {"language": "sl", "next": "/login"}, headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert LOCALE_COOKIE in response.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "ru"})
    assert '<html lang="sl">' in page.get_data(as_text=True)


def test_switcher_is_stored_in_the_staff_profile(client, post_form, login, agent):
    login(agent)
    post_form("/language", {"language": "pl", "next": "/dashboard"})
    db.session.refresh(agent)
    assert agent.locale == "pl"
    client.delete_cookie(LOCALE_COOKIE)
    assert '<html lang="pl">' in client.get("/dashboard").get_data(as_text=True)


def test_switcher_ignores_unknown_languages_and_offsite_next(client, post_form):
    response = post_form("/language", {"language": "xx", "next": "//evil.example.com"})
    assert response.headers["Location"] == "/"
    assert f"{LOCALE_COOKIE}=en" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 активный агент"),
        (3, "3 активных агента"),
        (5, "5 активных агентов"),
        (21, "21 активный агент"),
        (22, "22 активных агента"),
        (11, "11 активных агентов"),
    ],
)
def test_russian_plural_forms(app, count, expected):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert ngettext("%(num)d active agent", "%(num)d active agents", count) == expected


def test_dashboard_counts_use_the_russian_plural(client, login, create_user):
    agent = create_user(locale="ru", role=Role.ADMIN)
    for n in range(4):
        create_user(email=f"a{n}@example.com")
    login(agent)
    assert "5 активных агентов" in text_of(client.get("/dashboard"))


def test_dates_follow_the_viewers_locale_and_timezone(app, create_user):
    from flask_login import login_user

    moment = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    user = create_user(locale="pl", timezone="America/New_York")
    with app.test_request_context():
        login_user(user)
        assert (
            format_datetime(moment, "full")
            == "wtorek, 1 grudnia 2026 05:30:00 czas wschodnioamerykański standardowy"
        )


def test_language_chosen_before_login_is_kept_after_login(client, post_form, login, agent):
    post_form("/language", {"language": "sl", "next": "/login"})
    login(agent)
    db.session.refresh(agent)
    assert agent.locale == "sl"
    assert '<html lang="sl">' in client.get("/dashboard").get_data(as_text=True)
