"""Staff change their password on the profile page."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, text_of

NEW_PASSWORD = "a brand new passphrase"


def _change(post_form, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_form(
        "/profile/password",
        {"current_password": current, "password": new, "confirm": confirm or new},
    )


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
