"""The page behind an invitation (or reset) link speaks the account's language, the one the
admin chose and the e-mail came in, not the browser's, until the visitor picks another."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.helpers import text_of
from webapp.extensions import db
from webapp.people import password_link, password_reset_link

POLISH_BROWSER = {"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}


def test_the_invitation_page_speaks_the_agents_language_until_they_switch(
    client, post_form, create_user
):
    nina = create_user(email="nina@example.com", name="Nina", locale="sl")
    link = urlsplit(password_link(nina)).path

    page = client.get(link, headers=POLISH_BROWSER)

    assert page.status_code == 200
    assert '<html lang="sl"' in page.get_data(as_text=True)
    assert "Nastavite geslo" in text_of(page)  # "Set your password", not "Ustawianie hasła"

    switched = post_form("/language", {"language": "ru", "next": link}, headers=POLISH_BROWSER)
    assert switched.headers["Location"].endswith(link)  # back to the same link
    assert "Задайте пароль" in text_of(client.get(link, headers=POLISH_BROWSER))

    done = post_form(
        link,
        {"password": "a long new password", "confirm": "a long new password"},
        headers=POLISH_BROWSER,
        follow_redirects=True,
    )
    assert "Пароль задан. Добро пожаловать в Loopdesk!" in text_of(done)
    db.session.refresh(nina)
    assert nina.locale == "ru"  # the language they picked stays after logging in


def test_a_refused_password_is_explained_in_the_accounts_language(client, post_form, create_user):
    nina = create_user(email="nina@example.com", name="Nina", locale="sl")
    link = urlsplit(password_reset_link(nina)).path
    refused = post_form(link, {"password": "short", "confirm": "other"}, headers=POLISH_BROWSER)
    assert refused.status_code == 422
    assert '<html lang="sl"' in refused.get_data(as_text=True)
    db.session.refresh(nina)
    assert nina.locale == "sl"


def test_an_expired_link_knows_no_account_and_follows_the_browser(client):
    page = client.get("/set-password/not-a-token", headers=POLISH_BROWSER)
    assert page.status_code == 410
    assert '<html lang="pl"' in page.get_data(as_text=True)
