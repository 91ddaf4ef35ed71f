"""Logging a colleague in through the login page, as a person does."""

from __future__ import annotations

from tests.helpers import PASSWORD


def log_in(page, live_server: str, email: str, then: str | None = None) -> None:
    """Log in as `email` (the test password) and land on the dashboard, then open `then`."""
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    if then:
        page.goto(f"{live_server}{then}")
