"""Logging in and out, roles, CSRF and the login rate limit."""

import pytest

from tests.helpers import csrf_token, text_of
from webapp.models import Role


def test_login_with_the_right_password_opens_the_dashboard(client, login, agent):
    response = login(agent)
    assert response.status_code == 303
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Welcome, Ada Agent" in text_of(page)


def test_wrong_password_is_refused_with_a_message(client, login, agent):
    response = login(agent, password="not the password")
    assert response.status_code == 422
    assert "Wrong e-mail or password." in text_of(response)
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_message_is_polish_for_a_polish_browser(client, login, agent):
    response = login(agent, password="nope", headers={"Accept-Language": "pl-PL,pl;q=0.9"})
    assert response.status_code == 422
    assert "Nieprawidłowy e-mail lub hasło." in text_of(response)


def test_unknown_email_gets_the_same_message(client, post_form, agent):
    response = post_form("/login", {"email": "nobody@example.com", "password": "x"})
    assert "Wrong e-mail or password." in text_of(response)


def test_deactivated_account_cannot_log_in(client, login, create_user):
    user = create_user(email="gone@example.com", active=False)
    assert login(user).status_code == 422


def test_anonymous_visitor_is_sent_to_login_once(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get(response.headers["Location"]).status_code == 200


def test_agent_gets_403_page_on_admin_routes(client, login, agent):
    login(agent)
    for url in ("/admin/users", "/admin/mail"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Access denied" in text_of(response)


def test_agent_cannot_post_to_admin_routes(client, login, post_form, agent):
    login(agent)
    response = post_form("/admin/users", {"name": "X", "email": "x@example.com", "role": "admin"})
    assert response.status_code == 403


def test_admin_reaches_admin_routes(client, login, admin):
    login(admin)
    assert client.get("/admin/users").status_code == 200


def test_post_without_csrf_token_is_rejected(client, agent):
    response = client.post("/login", data={"email": agent.email, "password": "x"})
    assert response.status_code == 400
    assert "Reload the page and try again" in text_of(response)


def test_htmx_post_needs_the_csrf_header(app, client, login, admin):
    login(admin)
    url = f"/admin/users/{admin.id + 999}/active"
    missing = client.post(url, headers={"HX-Request": "true"})
    assert missing.status_code == 400
    # htmx gets a fragment to show, not a whole page
    assert "<html" not in missing.get_data(as_text=True)
    with_header = client.post(
        url, headers={"HX-Request": "true", "X-CSRFToken": csrf_token(app, client)}
    )
    assert with_header.status_code == 404


def test_logout_needs_post_and_ends_the_session(client, login, post_form, agent):
    login(agent)
    assert client.get("/logout").status_code == 405
    assert post_form("/logout").status_code == 303
    assert client.get("/dashboard").status_code == 302


def test_staff_pages_are_not_kept_by_the_browser_after_logout(client, login, post_form, agent):
    """On a shared computer, Back after logging out must not show the tickets again."""
    login(agent)
    for page in ("/dashboard", "/board", "/tickets"):
        assert client.get(page).headers["Cache-Control"] == "no-store", page
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
    post_form("/logout")
    assert client.get("/login").headers.get("Cache-Control") is None  # nobody logged in there


def test_login_is_rate_limited(client, post_form, login, agent):
    """Per address: one client guessing a different account each time (the per-account
    count never reaches its limit) is stopped at the 11th login of the minute."""
    statuses = [
        post_form("/login", {"email": f"guess{i}@example.com", "password": "wrong"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "Too many requests" in text_of(login(agent))


def test_next_parameter_cannot_redirect_off_site(client, post_form, agent):
    response = post_form(
        "/login?next=https://evil.example.com/",
        {"email": agent.email, "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN])
def test_every_staff_member_reaches_the_dashboard(client, login, create_user, role):
    login(create_user(email=f"{role}@example.com", role=role))
    assert client.get("/dashboard").status_code == 200
