"""A failed login takes as long for an unknown or deactivated address as for a real account.

With the production hash (scrypt), checking a password costs tens of milliseconds; a login
that skipped it for unknown addresses answered them many times faster, so a guesser could
tell which addresses have an account despite the identical message.
"""

from __future__ import annotations

import statistics
import time

import pytest

from tests.helpers import text_of


@pytest.fixture
def app_config() -> dict:
    return {"PASSWORD_HASH_METHOD": "scrypt", "RATELIMIT_ENABLED": False}


def _failed_login_seconds(post_form, email: str) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        reply = post_form("/login", {"email": email, "password": "not the password"})
        times.append(time.perf_counter() - started)
        assert reply.status_code == 422
        assert "Wrong e-mail or password." in text_of(reply)
    return statistics.median(times)


def test_an_unknown_or_deactivated_address_is_refused_as_slowly_as_a_real_one(
    client, post_form, create_user
):
    create_user(email="real@example.com")
    create_user(email="gone@example.com", active=False)
    _failed_login_seconds(post_form, "warm@example.com")  # first request: templates, caches
    real = _failed_login_seconds(post_form, "real@example.com")
    unknown = _failed_login_seconds(post_form, "nobody@example.com")
    deactivated = _failed_login_seconds(post_form, "gone@example.com")
    # Unprotected, an unknown address answered ~25 times faster; equal work is within noise.
    assert unknown > real / 3, (real, unknown)
    assert deactivated > real / 3, (real, deactivated)


def test_the_right_password_still_logs_in_and_a_deactivated_account_still_cannot(
    client, login, create_user
):
    assert login(create_user(email="gone@example.com", active=False)).status_code == 422
    assert login(create_user(email="real@example.com")).status_code == 303
