"""Every route is guarded: staff pages need a login, admin pages the admin role, and every
state-changing staff request a CSRF token. Checked over the whole URL map, so a new route
that forgets its decorator fails here even if its own tests log in as an admin."""

from __future__ import annotations

import re

import pytest

from tests.helpers import csrf_token

# Reachable without an account: the customer side, sign-in, language, health.
PUBLIC_ENDPOINTS = {
    "static",
    "main.index",  # redirects to the login page
    "main.healthz",
    "main.set_language",
    "auth.login",
    "auth.set_password",
    "auth.forgot_password",
    "auth.reset_password",
    "api.openapi",  # the API's description, like any API's documentation
}
PUBLIC_BLUEPRINTS = {"public"}  # forms, status pages, surveys, widget: token-protected


def _url(rule) -> str:
    return re.sub(
        r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "1" if "int" in m.group(0) else "x", rule.rule
    )


def _rules(app, methods: set[str]):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        for method in sorted(rule.methods & methods):
            yield rule, method


def test_staff_routes_send_visitors_to_the_login_page(app, client):
    open_routes = []
    for rule, method in _rules(app, {"GET", "POST"}):
        data = {"csrf_token": csrf_token(app, client)} if method == "POST" else None
        reply = client.open(_url(rule), method=method, data=data)
        location = reply.headers.get("Location", "")
        if (
            not (reply.status_code in (302, 303) and "/login" in location)
            and reply.status_code != 401
        ):
            open_routes.append(f"{method} {rule.rule} -> {reply.status_code} {location}")
    assert not open_routes, "\n".join(open_routes)


def test_admin_routes_refuse_agents(app, client, agent, login):
    login(agent)
    allowed = []
    for rule, method in _rules(app, {"GET", "POST"}):
        if not rule.rule.startswith("/admin"):
            continue
        data = {"csrf_token": csrf_token(app, client)} if method == "POST" else None
        reply = client.open(_url(rule), method=method, data=data)
        if reply.status_code != 403:
            allowed.append(f"{method} {rule.rule} -> {reply.status_code}")
    assert not allowed, "\n".join(allowed)


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}


def test_staff_posts_without_a_csrf_token_change_nothing(app, client, admin, login):
    login(admin)
    accepted = []
    for rule, _method in _rules(app, {"POST"}):
        for headers in ({}, {"HX-Request": "true"}):
            reply = client.post(_url(rule), data={"name": "x"}, headers=headers)
            # The API takes no cookie at all (bearer tokens only), so it needs no CSRF token:
            # a logged-in browser's request is refused as unauthenticated.
            refused = 401 if rule.endpoint.startswith("api.") else 400
            if reply.status_code != refused:
                accepted.append(f"POST {rule.rule} {headers} -> {reply.status_code}")
    assert not accepted, "\n".join(accepted)
