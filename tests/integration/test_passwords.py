"""Staff change their password on the profile page, or reset a forgotten one by e-mail."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from tests.helpers import PASSWORD, text_of
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.people import password_link, password_reset_link

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config  # reset e-mails really go out, to a local SMTP server


def _change(post_form, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_form(
        "/profile/password",
        {"current_password": current, "password": new, "confirm": confirm or new},
    )


def _outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture
def sent_mail(smtp_server, run_jobs):
    """Run the queued jobs (a real RQ worker, or nothing in-process); what reached SMTP."""

    def sent() -> list:
        run_jobs()
        return smtp_server.messages

    return sent


def _reset_link(sent_mail) -> str:
    """The path of the reset link in the one e-mail that arrived."""
    (message,) = sent_mail()
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://loopdesk\.test(/reset-password/\S+)", body).group(1)


# --- changing it on the profile page ---------------------------------------------------------


def test_agent_changes_their_password_and_stays_logged_in(client, login, post_form, agent):
    login(agent)
    assert "Change password" in text_of(client.get("/profile"))
    response = _change(post_form)
    assert response.status_code == 303
    assert "Your password is changed." in text_of(client.get(response.headers["Location"]))
    assert client.get("/dashboard").status_code == 200  # this device stays logged in
    post_form("/logout")
    assert login(agent).status_code == 422  # the old password no longer works
    assert login(agent, password=NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not my password", NEW_PASSWORD, None, "This is not your current password."),
        ("", NEW_PASSWORD, None, "Enter your current password."),
        (PASSWORD, "short", None, "Use at least 10 characters."),
        (PASSWORD, NEW_PASSWORD, "something else", "The two passwords do not match."),
        (PASSWORD, PASSWORD, None, "Choose a password different from the current one."),
    ],
)
def test_a_refused_change_says_why_and_keeps_the_password(
    client, login, post_form, agent, current, new, confirm, message
):
    login(agent)
    response = _change(post_form, current=current, new=new, confirm=confirm)
    assert response.status_code == 422
    assert message in text_of(response)
    assert 'value="Ada Agent"' in response.get_data(as_text=True)  # the profile form is intact
    post_form("/logout")
    assert login(agent).status_code == 303


def test_a_wrong_current_password_is_explained_in_polish(client, login, post_form, create_user):
    login(create_user(email="ola@example.com", locale="pl"))
    response = _change(post_form, current="nie to hasło")
    assert response.status_code == 422
    assert "To nie jest Twoje obecne hasło." in text_of(response)


def test_a_remember_me_cookie_stops_working_when_the_password_changes(
    app, client, post_form, agent
):
    post_form("/login", {"email": agent.email, "password": PASSWORD, "remember": "y"})
    old_cookie = client.get_cookie("remember_token").value

    def logged_in_with(cookie: str) -> bool:
        other_device = app.test_client()  # no session: only the remember-me cookie
        other_device.set_cookie("remember_token", cookie)
        return other_device.get("/dashboard").status_code == 200

    assert logged_in_with(old_cookie)
    assert _change(post_form).status_code == 303
    assert not logged_in_with(old_cookie)
    # This device was given a fresh cookie with the new password's stamp.
    new_cookie = client.get_cookie("remember_token").value
    assert new_cookie != old_cookie and logged_in_with(new_cookie)


def test_changing_the_password_is_rate_limited_like_the_login(client, login, post_form, agent):
    login(agent)
    statuses = [_change(post_form, current="wrong").status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]


# --- forgot your password? -------------------------------------------------------------------


def test_a_polish_agent_gets_a_reset_link_in_polish(client, post_form, create_user, sent_mail):
    create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    login_page = client.get("/login", headers={"Accept-Language": "pl"})
    assert "Nie pamiętasz hasła?" in text_of(login_page)
    response = post_form("/forgot-password", {"email": " Ola@Example.com "})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert "a link to choose a new password is on its way" in text_of(client.get("/login"))
    (message,) = sent_mail()
    assert message["To"] == "ola@example.com"
    assert message["Subject"] == "Ustaw nowe hasło do Loopdesku"
    assert message["Content-Language"] == "pl"
    body = message.get_body(("plain",)).get_content()
    assert "Dzień dobry, Ola Nowak," in body
    assert "działa jeden raz, przez godzinę" in body
    assert "/reset-password/" in message.get_body(("html",)).get_content()


def test_the_reset_link_works_once_and_logs_the_agent_in(
    client, login, post_form, agent, sent_mail
):
    post_form("/forgot-password", {"email": agent.email})
    link = _reset_link(sent_mail)

    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a new password" in text_of(page)
    short = post_form(link, {"password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 10 characters." in text_of(short)
    done = post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert "Your new password is saved, and you are logged in." in text_of(client.get("/dashboard"))

    post_form("/logout")
    used = client.get(link)
    assert used.status_code == 410
    assert "This link no longer works" in text_of(used)
    again = post_form(link, {"password": "another password", "confirm": "another password"})
    assert again.status_code == 410
    assert login(agent).status_code == 422
    assert login(agent, password=NEW_PASSWORD).status_code == 303


def test_a_reset_link_stops_working_once_the_password_is_changed_otherwise(
    client, login, post_form, agent, sent_mail
):
    post_form("/forgot-password", {"email": agent.email})
    link = _reset_link(sent_mail)
    login(agent)
    _change(post_form)
    post_form("/logout")
    assert client.get(link).status_code == 410


def _link_issued(user, seconds_ago: int, monkeypatch) -> str:
    issued = int(time.time()) - seconds_ago
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
        return password_reset_link(user).removeprefix("http://loopdesk.test")


def test_a_link_works_for_one_hour(client, agent, monkeypatch):
    assert client.get(_link_issued(agent, 50 * 60, monkeypatch)).status_code == 200
    response = client.get(_link_issued(agent, 61 * 60, monkeypatch))
    assert response.status_code == 410
    text = text_of(response)
    assert "The link has expired (it works for one hour) or has already been used." in text
    assert "Send me a new link" in text


def test_a_forged_link_is_refused_with_the_same_page(client, agent):
    genuine = password_reset_link(agent).removeprefix("http://loopdesk.test")
    invitation = password_link(agent).rsplit("/", 1)[1]  # signed, but for another purpose
    for path in (
        "/reset-password/not-a-token",
        genuine[:-3] + ("abc" if not genuine.endswith("abc") else "xyz"),
        "/reset-password/" + invitation,
    ):
        response = client.get(path)
        assert response.status_code == 410, path
        assert "This link no longer works" in text_of(response)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, post_form, agent, sent_mail):
    answers = []
    for email in (agent.email, "nobody@example.com"):
        response = post_form("/forgot-password", {"email": email})
        assert (response.status_code, response.headers["Location"]) == (303, "/login")
        answers.append(text_of(client.get("/login")).replace(email, "EMAIL"))
    assert answers[0] == answers[1]
    assert [m["To"] for m in sent_mail()] == [agent.email]


def test_a_deactivated_account_gets_no_link(client, post_form, create_user, sent_mail):
    gone = create_user(email="gone@example.com", active=False)
    response = post_form("/forgot-password", {"email": gone.email})
    assert response.status_code == 303
    assert "a link to choose a new password is on its way" in text_of(client.get("/login"))
    assert sent_mail() == []
    assert _outbox_count() == 0
    # A link sent before the account was deactivated does not work either.
    early_link = password_reset_link(gone).removeprefix("http://loopdesk.test")
    assert client.get(early_link).status_code == 410


def test_the_request_form_checks_the_address(client, post_form):
    response = post_form("/forgot-password", {"email": "not an address"})
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in text_of(response)


def test_reset_requests_are_rate_limited_per_client_address(client, post_form):
    statuses = [
        post_form("/forgot-password", {"email": f"n{n}@example.com"}).status_code for n in range(6)
    ]
    assert statuses == [303] * 5 + [429]
    assert "Too many requests" in text_of(post_form("/forgot-password", {"email": "x@example.com"}))


def test_a_logged_in_agent_is_sent_to_the_profile_instead(client, login, agent):
    login(agent)
    response = client.get("/forgot-password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile#password"
