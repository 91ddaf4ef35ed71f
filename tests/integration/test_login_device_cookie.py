"""A stranger's wrong passwords cannot lock the owner out of the browser they log in from.

Each `Browser` is its own client (its own cookies); the per-address login limit is raised,
so every failure stands for a guesser coming from anywhere. The account throttle is
"3 per 15 minutes".
"""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.helpers import PASSWORD, csrf_token, text_of
from webapp.extensions import db
from webapp.services.login_throttle import DEVICE_COOKIE

REFUSED = "Too many failed logins for this account. Try again in 15 minutes"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app_config() -> dict:
    return {"LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_FAILURES_PER_ACCOUNT": "3 per 15 minutes"}


class Browser:
    """One browser: its own cookies, CSRF token and session."""

    def __init__(self, app) -> None:
        self.app, self.client = app, app.test_client()

    def post(self, url: str, data: dict | None = None, **kwargs):
        data = {**(data or {}), "csrf_token": csrf_token(self.app, self.client)}
        return self.client.post(url, data=data, **kwargs)

    def log_in(self, email: str, password: str = PASSWORD, **kwargs):
        return self.post("/login", {"email": email, "password": password}, **kwargs)

    def log_out(self) -> None:
        assert self.post("/logout").status_code == 303

    @property
    def device_cookie(self) -> str | None:
        cookie = self.client.get_cookie(DEVICE_COOKIE)
        return cookie.value if cookie else None

    def hold(self, device_cookie: str) -> None:
        self.client.set_cookie(DEVICE_COOKIE, device_cookie)


@pytest.fixture
def browser(app, client):
    """A new browser each call (`client` makes them isolated, like real requests)."""
    return lambda: Browser(app)


def _throttle(stranger: Browser, email: str) -> None:
    """Three wrong passwords from somewhere else: the account is throttled."""
    for expected in (422, 422, 429):
        assert stranger.log_in(email, "guess").status_code == expected


def test_the_owners_browser_logs_in_while_strangers_are_refused(client, browser, create_user):
    create_user(email="ada@example.com")
    owner = browser()
    reply = owner.log_in("ada@example.com")
    assert reply.status_code == 303
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test below
    assert PASSWORD not in owner.device_cookie
    owner.log_out()
    assert owner.device_cookie  # the cookie is about the browser, not the session

    stranger = browser()
    _throttle(stranger, "ada@example.com")
    assert REFUSED in text_of(stranger.log_in("ada@example.com"))  # the right one too
    fresh = browser()
    refused = fresh.log_in("ada@example.com")
    assert refused.status_code == 429 and REFUSED in text_of(refused)

    assert owner.log_in("ada@example.com").status_code == 303
    assert owner.client.get("/dashboard").status_code == 200
    owner.log_out()
    # The owner's login does not wipe the strangers' count: they are still refused.
    assert stranger.log_in("ada@example.com").status_code == 429
    # A wrong password from the owner's browser is told as before, not as a throttle.
    wrong = owner.log_in("ada@example.com", "typo")
    assert wrong.status_code == 422 and "Wrong e-mail or password." in text_of(wrong)


def test_over_https_the_device_cookie_is_secure(client, browser, create_user):
    create_user(email="ada@example.com")
    reply = browser().log_in(
        "ada@example.com",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # CSRF checks it over HTTPS
    )
    assert reply.status_code == 303
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_owners_browser_is_throttled_on_its_own_after_its_own_failures(
    client, browser, create_user
):
    create_user(email="ada@example.com")
    owner = browser()
    assert owner.log_in("ada@example.com").status_code == 303
    owner.log_out()
    assert owner.log_in("ada@example.com", "guess").status_code == 422
    assert owner.log_in("ada@example.com", "guess").status_code == 422
    third = owner.log_in("ada@example.com", "guess", headers={"Accept-Language": "pl"})
    assert third.status_code == 429
    assert "Zbyt wiele nieudanych logowań na to konto." in text_of(third)
    assert owner.log_in("ada@example.com").status_code == 429  # the right one too
    # Counted for that browser only: the account itself is not throttled.
    assert browser().log_in("ada@example.com").status_code == 303


def test_a_device_cookie_of_another_account_gives_no_way_past_the_throttle(
    client, browser, create_user
):
    create_user(email="ada@example.com")
    create_user(email="bob@example.com", name="Bob")
    shared = browser()
    assert shared.log_in("bob@example.com").status_code == 303
    shared.log_out()
    _throttle(browser(), "ada@example.com")
    assert shared.log_in("ada@example.com").status_code == 429
    assert shared.log_in("bob@example.com").status_code == 303  # Bob is not affected


@pytest.mark.parametrize("forgery", ["tampered", "other secret", "garbage"])
def test_a_tampered_or_forged_device_cookie_gives_no_way_past_the_throttle(
    app, client, browser, create_user, forgery
):
    ada = create_user(email="ada@example.com")
    owner = browser()
    assert owner.log_in("ada@example.com").status_code == 303
    genuine = owner.device_cookie
    _throttle(browser(), "ada@example.com")
    if forgery == "tampered":  # one character of the signed payload changed
        payload, _, signature = genuine.partition(".")
        cookie = ("B" if payload[0] != "B" else "C") + payload[1:] + "." + signature
    elif forgery == "other secret":  # well-formed, but not signed with this app's secret
        cookie = URLSafeTimedSerializer("guessed", salt="loopdesk-login-device").dumps(
            {"id": ada.id, "pw": ada.sign_in_stamp, "device": "mine"}
        )
    else:
        cookie = "not-a-cookie"
    attacker = browser()
    attacker.hold(cookie)
    reply = attacker.log_in("ada@example.com")
    assert reply.status_code == 429 and REFUSED in text_of(reply)


def test_after_a_password_change_an_old_device_cookie_gives_no_way_past(
    client, browser, create_user
):
    create_user(email="ada@example.com")
    owner = browser()
    assert owner.log_in("ada@example.com").status_code == 303
    old = owner.device_cookie
    changed = owner.post(
        "/profile/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 303
    assert owner.device_cookie != old  # the browser that changed it gets a new one
    owner.log_out()
    _throttle(browser(), "ada@example.com")

    elsewhere = browser()  # a copy of the cookie from before the change
    elsewhere.hold(old)
    assert elsewhere.log_in("ada@example.com", NEW_PASSWORD).status_code == 429
    assert owner.log_in("ada@example.com", NEW_PASSWORD).status_code == 303


def test_after_a_deactivation_an_old_device_cookie_gives_no_way_past(
    client, browser, create_user, admin
):
    ada = create_user(email="ada@example.com")
    owner = browser()
    assert owner.log_in("ada@example.com").status_code == 303
    owner.log_out()
    boss = browser()
    assert boss.log_in(admin.email).status_code == 303
    boss.post(f"/admin/users/{ada.id}/active")  # deactivated
    db.session.refresh(ada)
    assert ada.active is False
    boss.post(f"/admin/users/{ada.id}/active")  # and back
    db.session.refresh(ada)
    assert ada.active is True
    _throttle(browser(), "ada@example.com")
    assert owner.log_in("ada@example.com").status_code == 429
