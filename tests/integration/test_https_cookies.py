"""Served over https, the login cookies never travel over plain http and browsers keep to https.

Before, only the session cookie could be marked Secure (and only with SESSION_COOKIE_SECURE
set): the remember-me cookie, a year-long login, went out over http on a sniffable network
even then, and no Strict-Transport-Security header told browsers to stay on https.
"""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD
from webapp.config import from_environment

COOKIE_SETTINGS = ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_SAMESITE")
HTTPS = "https://localhost"


def _settings(monkeypatch, tmp_path, **env) -> dict:
    for name in ("LOOPDESK_BASE_URL", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = from_environment(str(tmp_path), generate_secret=False)
    return {name: config[name] for name in COOKIE_SETTINGS}


def test_an_https_base_url_makes_both_login_cookies_secure(monkeypatch, tmp_path):
    https = _settings(monkeypatch, tmp_path, LOOPDESK_BASE_URL="https://help.example.com")
    assert https == dict.fromkeys(COOKIE_SETTINGS[:2], True) | {"REMEMBER_COOKIE_SAMESITE": "Lax"}
    plain = _settings(monkeypatch, tmp_path, LOOPDESK_BASE_URL="http://127.0.0.1:5000")
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["REMEMBER_COOKIE_SECURE"]
    # The explicit setting wins either way, and covers the remember-me cookie too.
    forced = _settings(
        monkeypatch, tmp_path, LOOPDESK_BASE_URL="http://10.0.0.5", SESSION_COOKIE_SECURE="true"
    )
    assert forced["SESSION_COOKIE_SECURE"] and forced["REMEMBER_COOKIE_SECURE"]
    off = _settings(
        monkeypatch, tmp_path, LOOPDESK_BASE_URL="https://x.example", SESSION_COOKIE_SECURE="0"
    )
    assert not off["REMEMBER_COOKIE_SECURE"]


@pytest.fixture
def app_config(monkeypatch, tmp_path) -> dict:
    return _settings(monkeypatch, tmp_path, LOOPDESK_BASE_URL="https://help.example.com")


def test_logging_in_over_https_sets_only_secure_httponly_cookies_and_hsts(client, post_form, agent):
    reply = post_form(
        "/login",
        {"email": agent.email, "password": PASSWORD, "remember": "y"},
        base_url=HTTPS,
        headers={"Referer": HTTPS + "/login"},  # CSRF over https also checks the referrer
    )
    assert reply.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in reply.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")]
        assert {"secure", "httponly", "samesite=lax"} <= set(attributes), cookies[name]
    assert reply.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/dashboard", base_url=HTTPS).status_code == 200


def test_no_hsts_header_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
