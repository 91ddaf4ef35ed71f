"""The admin picks a new agent's interface language; the invitation arrives in it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Role, User


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _language_options(html: str) -> list[tuple[str, str, bool]]:
    """(value, shown name, selected) of each option of the interface-language menu."""
    menu = re.search(r'<select[^>]*name="locale".*?</select>', html, re.S).group(0)
    return [
        (re.search(r'value="([^"]*)"', attrs).group(1), name.strip(), "selected" in attrs)
        for attrs, name in re.findall(r"<option([^>]*)>([^<]+)</option>", menu)
    ]


def _invite(post_form, locale: str):
    form = {
        "name": "Nina Novak",
        "email": "nina@example.com",
        "role": "agent",
        "locale": locale,
        "timezone": "Europe/Ljubljana",
        "languages": ["sl"],
    }
    return post_form("/admin/users", form, htmx=True)


def _invitation(smtp_server, run_jobs):
    run_jobs()
    (message,) = [m for m in smtp_server.messages if m["To"] == "nina@example.com"]
    return message


def test_the_interface_language_starts_as_the_admins_own_with_native_names(
    client, login, create_user
):
    admin = create_user(email="boss@example.com", name="Pani Admin", role=Role.ADMIN, locale="pl")
    login(admin)
    options = _language_options(client.get("/admin/users").get_data(as_text=True))
    assert [(value, name) for value, name, _ in options] == [
        ("en", "English"),
        ("pl", "Polski"),
        ("ru", "Русский"),
        ("sl", "Slovenščina"),
    ]
    assert [value for value, _, selected in options if selected] == ["pl"]


def test_an_invitation_left_at_the_default_goes_out_in_the_admins_language(
    client, login, post_form, create_user, smtp_server, run_jobs
):
    admin = create_user(email="boss@example.com", name="Борис", role=Role.ADMIN, locale="ru")
    login(admin)
    options = _language_options(client.get("/admin/users").get_data(as_text=True))
    (default,) = [value for value, _, selected in options if selected]

    response = _invite(post_form, default)

    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    assert user.locale == "ru"
    message = _invitation(smtp_server, run_jobs)
    assert message["Subject"] == "Приглашение в Loopdesk"
    assert message["Content-Language"] == "ru"
    # The emptied form after the invitation offers the admin's language again.
    assert [
        v for v, _, selected in _language_options(response.get_data(as_text=True)) if selected
    ] == ["ru"]


def test_an_invitation_in_another_language_than_the_admins(
    client, login, post_form, admin, smtp_server, run_jobs
):
    login(admin)  # an English-speaking admin invites a Slovenian colleague
    assert _invite(post_form, "sl").status_code == 200
    user = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    assert user.locale == "sl"
    message = _invitation(smtp_server, run_jobs)
    assert message["Subject"] == "Povabilo v Loopdesk"
    assert message["Content-Language"] == "sl"
    assert "/set-password/" in message.get_body(("plain",)).get_content()


def test_a_language_that_is_not_an_interface_language_is_refused(client, login, post_form, admin):
    login(admin)
    response = _invite(post_form, "de")
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.email == "nina@example.com")) is None


def test_the_form_says_the_invitation_follows_the_chosen_language(client, login, admin):
    login(admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert 'aria-describedby="locale-hint"' in html
    assert "The invitation e-mail is written in this language too." in html
