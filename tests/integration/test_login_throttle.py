"""Guessing one account's password from many addresses is slowed per account.

The per-address login limit is raised here, so every request stands for a guesser who
comes from a new address each time; only the per-account count stops them.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, text_of
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.people import password_reset_link

REFUSED = "Too many failed logins for this account."


@pytest.fixture
def app_config() -> dict:
    return {"LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_FAILURES_PER_ACCOUNT": "3 per 15 minutes"}


def _fail(post_form, email: str, times: int = 2) -> None:
    """Wrong passwords still below the limit (3): each answered as a wrong password."""
    for _ in range(times):
        reply = post_form("/login", {"email": email, "password": "guess"})
        assert reply.status_code == 422
        assert "Wrong e-mail or password." in text_of(reply)


def _reach_the_limit(post_form, email: str) -> None:
    """Three wrong passwords: the third, which reaches the limit, is already refused."""
    _fail(post_form, email)
    reply = post_form("/login", {"email": email, "password": "guess"})
    assert reply.status_code == 429
    assert f"{REFUSED} Try again in 15 minutes, or reset your password." in text_of(reply)
    assert "Wrong e-mail or password." not in text_of(reply)


def _try(post_form, email: str, password: str = PASSWORD, **kwargs):
    return post_form("/login", {"email": email, "password": password}, **kwargs)


def test_after_the_failures_even_the_right_password_is_refused_in_polish(
    client, post_form, create_user
):
    create_user(email="ada@example.com")
    _reach_the_limit(post_form, "Ada@Example.com ")  # the address as typed, normalised
    reply = _try(post_form, "ada@example.com", headers={"Accept-Language": "pl"})
    assert reply.status_code == 429
    page = text_of(reply)
    assert (
        "Zbyt wiele nieudanych logowań na to konto. Spróbuj ponownie za 15 minut "
        "albo zresetuj hasło." in page
    )
    assert 'href="/forgot-password"' in reply.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session  # not logged in


def test_the_message_counts_down_the_minutes_left(client, post_form, create_user):
    create_user(email="ada@example.com")
    _reach_the_limit(post_form, "ada@example.com")
    reply = _try(post_form, "ada@example.com")
    assert f"{REFUSED} Try again in 15 minutes, or reset your password." in text_of(reply)


def test_another_account_is_not_affected(client, post_form, create_user):
    create_user(email="ada@example.com")
    create_user(email="bob@example.com", name="Bob")
    _reach_the_limit(post_form, "ada@example.com")
    assert _try(post_form, "bob@example.com").status_code == 303


def test_a_successful_login_starts_the_count_again(client, post_form, create_user):
    create_user(email="ada@example.com")
    _fail(post_form, "ada@example.com", times=2)
    assert _try(post_form, "ada@example.com").status_code == 303
    post_form("/logout")
    _fail(post_form, "ada@example.com", times=2)
    assert _try(post_form, "ada@example.com").status_code == 303


def test_an_unknown_address_is_refused_alike(client, post_form):
    _reach_the_limit(post_form, "nobody@example.com")
    reply = _try(post_form, "nobody@example.com")
    assert reply.status_code == 429
    assert f"{REFUSED} Try again in 15 minutes, or reset your password." in text_of(reply)


def test_a_new_password_from_the_reset_link_lifts_the_throttle(client, post_form, create_user):
    user = create_user(email="ada@example.com")
    _reach_the_limit(post_form, "ada@example.com")
    assert _try(post_form, "ada@example.com").status_code == 429
    path = password_reset_link(user).removeprefix("http://loopdesk.test")
    chosen = "a brand new passphrase"
    reply = post_form(path, {"password": chosen, "confirm": chosen})
    assert reply.status_code == 303
    post_form("/logout")
    assert _try(post_form, "ada@example.com", chosen).status_code == 303


def test_the_audit_log_says_once_that_the_account_was_throttled(
    client, post_form, create_user, admin, login
):
    create_user(email="ada@example.com")
    _reach_the_limit(post_form, "ada@example.com")
    for _ in range(3):
        assert _try(post_form, "ada@example.com", "guess again").status_code == 429
    entries = db.session.scalars(select(AuditEntry)).all()
    assert [(e.action, e.target_label) for e in entries] == [("login.throttled", "Ada Agent")]
    assert "guess" not in str(entries[0].after) and "guess" not in str(entries[0].before)

    assert login(admin).status_code == 303
    page = text_of(client.get("/admin/audit"))
    assert "login page" in page
    assert "Paused logins to an account after repeated wrong passwords" in page


def test_the_failure_that_reaches_the_limit_is_already_refused(client, post_form, create_user):
    """With "3 per 15 minutes" the third wrong password is told to wait, not a fourth try."""
    create_user(email="ada@example.com")
    _fail(post_form, "ada@example.com")
    reply = _try(post_form, "ada@example.com", "guess", headers={"Accept-Language": "pl"})
    assert reply.status_code == 429
    page = text_of(reply)
    assert "Spróbuj ponownie za 15 minut albo zresetuj hasło." in page
    assert 'href="/forgot-password"' in reply.get_data(as_text=True)
    assert _try(post_form, "ada@example.com").status_code == 429  # the right one too


@pytest.mark.parametrize("app_config", [{"LOGIN_FAILURES_PER_ACCOUNT": "2 per 1 second"}])
def test_logins_are_let_in_again_when_the_window_has_passed(client, post_form, create_user):
    create_user(email="ada@example.com")
    _fail(post_form, "ada@example.com", times=1)
    reply = _try(post_form, "ada@example.com", "guess")
    assert reply.status_code == 429
    assert "Try again in 1 minute, or reset your password." in text_of(reply)
    time.sleep(1.1)  # the smallest window there is; Redis expires keys by itself
    assert _try(post_form, "ada@example.com").status_code == 303


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}])
def test_switched_off_with_the_other_rate_limits(client, post_form, create_user):
    create_user(email="ada@example.com")
    _fail(post_form, "ada@example.com", times=12)
    assert _try(post_form, "ada@example.com").status_code == 303


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0", "FORM_MIN_SECONDS_FIRST_ANSWER": 0}],
)
def test_with_the_rate_limit_storage_down_staff_still_log_in(
    app, client, post_form, agent, builtin_forms
):
    """Redis down delays e-mails; it must not lock every agent out or refuse customers."""
    customer = app.test_client()
    page = customer.get("/f/nps").get_data(as_text=True)
    step = re.search(r'name="step" value="([^"]+)"', page).group(1)
    answered = customer.post(
        "/f/nps/answer", data={"step": step, "question": "score", "lang": "en", "value": "9"}
    )
    assert answered.status_code == 303
    assert _try(post_form, agent.email, "guess").status_code == 422
    assert _try(post_form, agent.email).status_code == 303
    assert client.get("/dashboard").status_code == 200


def test_an_unknown_address_throttled_is_one_audit_entry_per_window_with_the_client(
    client, post_form, admin, login
):
    """Nobody else can be told about an address without an account: the admins are, once."""
    _reach_the_limit(post_form, " Nobody@Example.com")
    for _ in range(3):
        assert _try(post_form, "nobody@example.com", "guess again").status_code == 429
    entries = db.session.scalars(select(AuditEntry)).all()
    assert [(e.action, e.target_label) for e in entries] == [
        ("login.unknown_address_throttled", "nobody@example.com")
    ]
    assert entries[0].after == {"ip_address": "127.0.0.1", "failed_logins": 3, "window_minutes": 15}
    assert entries[0].actor_id is None

    assert login(admin).status_code == 303
    page = text_of(client.get("/admin/audit"))
    assert "Paused logins for an address that has no account, after repeated attempts" in page
    assert "nobody@example.com" in page and "127.0.0.1" in page and "login page" in page
    admin.locale = "pl"  # staff read the log in their profile's language
    db.session.commit()
    polish = text_of(client.get("/admin/audit"))
    assert "Wstrzymano logowanie na adres, do którego nie należy żadne konto" in polish


def test_a_known_and_an_unknown_address_are_refused_with_the_same_page(
    client, post_form, create_user
):
    create_user(email="ada@example.com")
    known = [post_form("/login", {"email": "ada@example.com", "password": "x"}) for _ in range(4)]
    unknown = [post_form("/login", {"email": "eve@example.com", "password": "x"}) for _ in range(4)]
    for one, other in zip(known, unknown, strict=True):
        assert one.status_code == other.status_code
        assert text_of(one).replace("ada@", "eve@") == text_of(other)


def test_a_hostile_unknown_address_is_kept_short_printable_and_escaped(
    client, post_form, admin, login
):
    typed = "<b>Eve</b>\u202e\x07" + "e" * 200 + "@example.com"
    _reach_the_limit(post_form, typed)
    entry = db.session.scalar(select(AuditEntry))
    assert len(entry.target_label) == 100 and entry.target_label.endswith("…")
    assert entry.target_label.startswith("<b>eve</b>??eee")
    assert login(admin).status_code == 303
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "&lt;b&gt;eve&lt;/b&gt;??eee" in html and "<b>eve</b>" not in html


@pytest.mark.parametrize("app_config", [{"LOGIN_FAILURES_PER_ACCOUNT": "2 per 1 second"}])
def test_an_unknown_address_throttled_again_in_a_new_window_is_a_new_entry(client, post_form):
    for _window in range(2):
        _try(post_form, "nobody@example.com", "guess")
        assert _try(post_form, "nobody@example.com", "guess").status_code == 429
        time.sleep(1.1)
    entries = db.session.scalars(select(AuditEntry)).all()
    assert [e.action for e in entries] == ["login.unknown_address_throttled"] * 2
