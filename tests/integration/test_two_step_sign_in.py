"""Two-step sign-in as staff use it: set up on the profile, asked for after the password,
recovery codes once each, wrong codes throttled like wrong passwords, and a password
reset that still asks for the code."""

from __future__ import annotations

import html
import json
import re
import time
from urllib.parse import unquote

import pyotp
import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, text_of
from webapp.auth import pending_sign_in
from webapp.extensions import db
from webapp.models import AuditEntry, RecoveryCode, User
from webapp.people import password_reset_link
from webapp.services import two_step

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def app_config() -> dict:
    return {"LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_FAILURES_PER_ACCOUNT": "3 per 15 minutes"}


def code(offset: int = 0) -> str:
    """The app's code `offset` steps from now (±1 is accepted as clock drift).

    Not in the last three seconds of a step: the request could reach the next one, where
    the previous step's code is two steps old.
    """
    into_step = time.time() % two_step.STEP_SECONDS
    if into_step > two_step.STEP_SECONDS - 3:
        time.sleep(two_step.STEP_SECONDS - into_step + 0.05)
    return pyotp.TOTP(SECRET).generate_otp(two_step.current_step() + offset)


def turn_on(user: User) -> list[str]:
    """Two-step sign-in on for `user` with SECRET, no step used yet; its recovery codes."""
    user = db.session.get(User, user.id)
    codes = two_step.turn_on(user, SECRET, code())
    user.two_step_last_step = None  # the tests' first code may be the current one
    db.session.commit()
    return codes


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def audit_entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def setup_key(client) -> str:
    page = client.get("/profile/two-step").get_data(as_text=True)
    return re.search(r'id="two-step-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


# -- setting it up on the profile -----------------------------------------------------------


def test_the_profile_offers_it_and_the_setup_shows_a_qr_code_and_the_key(client, login, agent):
    login(agent)
    profile = client.get("/profile")
    assert "Two-step sign-in" in text_of(profile) and "Set up two-step sign-in" in text_of(profile)
    setup = client.get("/profile/two-step")
    html = setup.get_data(as_text=True)
    assert setup.status_code == 200
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="QR code for adding Loopdesk', html)
    # The page's policy lets the data: image through.
    assert "img-src 'self' data:" in setup.headers["Content-Security-Policy"]
    key = setup_key(client)
    assert len(key) == 32
    assert setup_key(client) == key  # a reload shows the same key: a scanned code stays good
    field = re.search(r"<input[^>]*id=\"code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert '<label for="code">' in html


def test_the_key_being_set_up_is_not_in_the_session_cookie(app, client, login, agent):
    """The cookie is signed, not encrypted: it holds a nonce the key is made from."""
    login(agent)
    key = setup_key(client)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    stored = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert key not in str(stored) and key.lower() not in str(stored).lower()
    assert setup_key(client) == key


def test_turning_it_on_or_off_signs_out_every_other_device(app, client, login, post_form, agent):
    from tests.helpers import csrf_token

    other = app.test_client()  # the same agent on a phone, with "remember me"
    other.post(
        "/login",
        data={
            "email": agent.email,
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_token(app, other),
        },
    )
    assert other.get("/board").status_code == 200
    login(agent)
    key = setup_key(client)
    assert post_form("/profile/two-step", {"code": pyotp.TOTP(key).now()}).status_code == 200
    assert client.get("/board").status_code == 200  # this device stays signed in
    assert other.get("/board").status_code == 302  # the phone must log in again, with a code

    with_code = app.test_client()
    with_code.post(
        "/login",
        data={"email": agent.email, "password": PASSWORD, "csrf_token": csrf_token(app, with_code)},
    )
    assert with_code.get("/board").status_code == 302  # the password alone is not enough now
    off = post_form(
        "/profile/two-step/off",
        {"off_password": PASSWORD, "off_code": pyotp.TOTP(key).at(time.time() + 30)},
    )
    assert off.status_code == 303
    assert client.get("/board").status_code == 200


def test_a_wrong_code_switches_nothing_on(client, login, post_form, agent):
    login(agent)
    setup_key(client)
    for typed in ("000000", "abc", "12 34", "9" * 5000, "١٢٣٤٥٦"):
        reply = post_form("/profile/two-step", {"code": typed})
        assert reply.status_code == 422
        assert "That code is not right, so two-step sign-in is not on yet." in text_of(reply)
    reply = post_form("/profile/two-step", {"code": ""})
    assert reply.status_code == 422
    assert "Enter the 6-digit code your app shows." in text_of(reply)
    assert not fresh(agent).two_step_on
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_a_current_code_switches_it_on_and_shows_ten_recovery_codes_once(
    client, login, post_form, agent
):
    login(agent)
    key = setup_key(client)
    typed = pyotp.TOTP(key).now()
    reply = post_form("/profile/two-step", {"code": f"{typed[:3]} {typed[3:]}"})
    assert reply.status_code == 200
    page = text_of(reply)
    assert "Two-step sign-in is on." in page and "Keep these codes safe" in page
    shown = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", reply.get_data(as_text=True))
    assert len(set(shown)) == 10
    # …and offered as a text file to keep (a data: link: nothing stored, no second request).
    raw = reply.get_data(as_text=True)
    link = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)" download', raw)
    saved = unquote(html.unescape(link.group(1)))
    assert saved.startswith("Loopdesk recovery codes for ") and all(c in saved for c in shown)
    user = fresh(agent)
    assert user.two_step_on and user.two_step_key == key
    assert key not in user.two_step_secret  # sealed in the database (test_two_step_sealed)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(shown) & set(stored)  # only hashes are kept
    assert all(code.replace("-", "") not in stored for code in shown)
    # Shown once: the profile tells how many are left, never the codes.
    profile = client.get("/profile")
    assert "10 unused recovery codes left." in text_of(profile)
    assert "since" in text_of(profile)
    assert not any(code in profile.get_data(as_text=True) for code in shown)
    (entry,) = audit_entries("user.two_step_on")
    logged = json.dumps([entry.before, entry.after, entry.target_label])
    assert key not in logged and typed not in logged
    assert not any(code in logged for code in shown)
    assert client.get("/profile/two-step").status_code == 303  # on already: back to the profile


# -- logging in -----------------------------------------------------------------------------


def test_the_right_password_alone_does_not_log_in(client, login, post_form, agent):
    turn_on(agent)
    reply = login(agent)
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 302  # still logged out
    page = client.get("/login/code")
    html = page.get_data(as_text=True)
    assert "Open your authenticator app and type the 6-digit code" in text_of(page)
    field = re.search(r"<input[^>]*id=\"code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    reply = post_form("/login/code", {"code": code()})
    assert reply.status_code == 303
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_code_one_step_off_is_accepted(client, login, post_form, agent, offset):
    turn_on(agent)
    login(agent)
    assert post_form("/login/code", {"code": code(offset)}).status_code == 303


def test_a_wrong_or_reused_code_is_refused_with_a_clear_message(client, login, post_form, agent):
    turn_on(agent)
    login(agent)
    # Below the limit of three: blanks are not counted, the rest are (wrong codes).
    for typed in (" ", "", "x" * 10_000, code(3)):
        reply = post_form("/login/code", {"code": typed})
        assert reply.status_code == 422, typed[:20]
        assert client.get("/dashboard").status_code == 302
    assert post_form("/login/code", {"code": code()}).status_code == 303
    post_form("/logout")
    login(agent)
    reply = post_form("/login/code", {"code": code()})  # the same code, a second time
    assert reply.status_code == 422
    assert "This code is wrong or was used already." in text_of(reply)


def test_next_and_remember_me_are_kept_through_the_second_step(client, post_form, agent):
    turn_on(agent)
    reply = post_form(
        "/login?next=/tickets", {"email": agent.email, "password": PASSWORD, "remember": "y"}
    )
    assert not re.search(r"remember_token=[^;]", " ".join(reply.headers.getlist("Set-Cookie")))
    reply = post_form("/login/code", {"code": code()})
    assert reply.headers["Location"] == "/tickets"
    cookies = " ".join(reply.headers.getlist("Set-Cookie"))
    assert re.search(r"remember_token=[^;]", cookies) and "loopdesk_device=" in cookies


def test_a_recovery_code_logs_in_once(client, login, post_form, agent):
    codes = turn_on(agent)
    login(agent)
    page = client.get("/login/code?recovery=1")
    assert "Recovery code" in text_of(page)
    reply = post_form("/login/code?recovery=1", {"code": codes[0].upper().replace("-", " ")})
    assert reply.status_code == 303
    assert two_step.recovery_codes_left(fresh(agent)) == 9
    (entry,) = audit_entries("user.recovery_code_used")
    assert entry.after == {"recovery_codes_left": 9} and entry.actor_name == "Ada Agent"
    post_form("/logout")
    login(agent)
    reply = post_form("/login/code?recovery=1", {"code": codes[0]})
    assert reply.status_code == 422
    assert "This recovery code is wrong or was used already." in text_of(reply)
    assert post_form("/login/code?recovery=1", {"code": codes[1]}).status_code == 303


def test_wrong_codes_count_in_the_login_throttle(client, login, post_form, agent):
    turn_on(agent)
    login(agent)
    for _ in range(2):
        assert post_form("/login/code", {"code": "000000"}).status_code == 422
    reply = post_form("/login/code", {"code": "000000"})
    assert reply.status_code == 429
    assert "Too many wrong codes or passwords for this account. Try again in 15 minutes." in (
        text_of(reply)
    )
    # Now even the right code is refused, and so is the right password.
    assert post_form("/login/code", {"code": code()}).status_code == 429
    assert client.get("/dashboard").status_code == 302
    assert login(agent).status_code == 429


def test_a_right_password_does_not_clear_the_count_of_wrong_codes(client, login, post_form, agent):
    turn_on(agent)
    login(agent)
    for _ in range(2):
        post_form("/login/code", {"code": "000000"})
    login(agent)  # the password again: the two wrong codes still count
    assert post_form("/login/code", {"code": "000000"}).status_code == 429


def test_the_pending_sign_in_expires(client, login, post_form, agent, monkeypatch):
    turn_on(agent)
    login(agent)
    monkeypatch.setattr(pending_sign_in, "PENDING_SECONDS", -1)
    reply = post_form("/login/code", {"code": code()})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/login")
    assert client.get("/dashboard").status_code == 302
    assert "took too long" in text_of(client.get("/login"))


def test_the_second_step_without_a_password_first_goes_back_to_login(client, post_form, agent):
    turn_on(agent)
    reply = post_form("/login/code", {"code": code()})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/login")
    assert client.get("/dashboard").status_code == 302


def test_a_password_reset_still_asks_for_the_code(client, post_form, agent):
    turn_on(agent)
    link = password_reset_link(fresh(agent)).removeprefix("http://loopdesk.test")
    reply = post_form(link, {"password": "a brand new password", "confirm": "a brand new password"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 302
    assert "Enter the code from your app to log in." in text_of(client.get("/login/code"))
    assert post_form("/login/code", {"code": code()}).status_code == 303
    assert client.get("/dashboard").status_code == 200


def test_no_post_without_the_csrf_token(client, login, agent):
    turn_on(agent)
    login(agent)
    assert client.post("/login/code", data={"code": code()}).status_code == 400


# -- on the profile once it is on -----------------------------------------------------------


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(
    client, login, post_form, agent
):
    old = turn_on(agent)
    login(agent)
    post_form("/login/code", {"code": code()})
    reply = post_form("/profile/two-step/recovery-codes", {"renew_code": "000000"})
    assert reply.status_code == 422
    assert "This code is wrong or was used already." in text_of(reply)
    reply = post_form("/profile/two-step/recovery-codes", {"renew_code": code(1)})
    assert reply.status_code == 200
    new = re.findall(r"<code>([a-z2-9-]{14})</code>", reply.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert "The old ones no longer work." in text_of(reply)
    user = fresh(agent)
    assert not two_step.use_recovery_code(user, old[0])
    assert two_step.use_recovery_code(user, new[0])
    (entry,) = audit_entries("user.recovery_codes_renewed")
    assert not any(c in json.dumps([entry.before, entry.after]) for c in new)


def test_turning_it_off_needs_the_password_and_a_current_code(client, login, post_form, agent):
    turn_on(agent)
    login(agent)
    post_form("/login/code", {"code": code()})
    reply = post_form("/profile/two-step/off", {"off_password": "wrong", "off_code": code(1)})
    assert reply.status_code == 422 and "This is not your current password." in text_of(reply)
    reply = post_form("/profile/two-step/off", {"off_password": PASSWORD, "off_code": "12345"})
    assert reply.status_code == 422
    assert fresh(agent).two_step_on
    reply = post_form("/profile/two-step/off", {"off_password": PASSWORD, "off_code": code(1)})
    assert reply.status_code == 303
    assert not fresh(agent).two_step_on
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert len(audit_entries("user.two_step_off")) == 1
    post_form("/logout")
    assert login(agent).headers["Location"] == "/"  # the password alone again


def test_the_pages_speak_polish(client, login, post_form, create_user):
    polish = create_user(email="ola@example.pl", locale="pl")
    turn_on(polish)
    reply = post_form(
        "/login", {"email": polish.email, "password": PASSWORD}, headers={"Accept-Language": "pl"}
    )
    page = client.get("/login/code", headers={"Accept-Language": "pl"})
    assert "Logowanie dwuetapowe" in text_of(page)
    assert reply.status_code == 303


def test_the_russian_profile_says_since_when_with_one_full_stop(client, login, post_form, agent):
    """'с 7 дек. 2026 г.', not 'г..': the Russian date ends in its own dot."""
    agent.locale = "ru"
    db.session.commit()
    turn_on(agent)
    login(agent)
    assert post_form("/login/code", {"code": code()}).status_code == 303
    profile = html.unescape(text_of(client.get("/profile")))
    since = re.search(r"с \d{1,2} \S+ \d{4}\s?г\.\.?", profile)
    assert since is not None, profile
    assert not since.group(0).endswith("..")
