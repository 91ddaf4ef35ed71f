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


def demo_admin_page(browser, live_server: str, language: str, **context_options):
    """A new browser context with the demo's admin logged in, reading `language` (their
    profile's language): (context, page); the caller closes the context."""
    from webapp.demo import DEMO_PASSWORD
    from webapp.extensions import db
    from webapp.models import User

    admin = db.session.query(User).filter_by(email="admin@loopdesk.test").one()
    admin.locale = language
    db.session.commit()
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", admin.email)  # by name: the labels are in `language`
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/dashboard")
    return context, page
