"""Admin pages on a phone (390 px wide), in Russian (the longest labels): nothing makes the
whole page scroll sideways. Wide tables scroll inside their own box; filter bars wrap."""

import pytest

from tests.browser.staff_login import demo_admin_page
from webapp.extensions import db
from webapp.models import User

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}

ADMIN_PAGES = [
    "/admin/users",
    "/admin/users/{admin_id}",
    "/admin/teams",
    "/admin/workflow",
    "/admin/workflow/routing",
    "/admin/workflow/sla",
    "/admin/workflow/versions",
    "/admin/mail",
    "/admin/audit",
    "/admin/webhooks",
    "/admin/webhooks/1/deliveries",
    "/admin/canned-replies",
    "/admin/email-templates",
    "/admin/sla-alerts",
    "/admin/forms",
    "/admin/forms/nps",  # with the demo's draft: its buttons in a row
    "/admin/forms/nps/yaml",
    "/admin/forms/nps/versions",
]


def test_admin_pages_fit_a_phone_screen_in_russian(demo_data, browser, live_server):
    context, page = demo_admin_page(browser, live_server, "ru", viewport=PHONE, locale="ru-RU")
    admin = db.session.query(User).filter_by(email="admin@loopdesk.test").one()
    too_wide = {}
    for path in ADMIN_PAGES:
        page.goto(live_server + path.format(admin_id=admin.id))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    context.close()
    assert too_wide == {}


def test_the_form_builder_fits_a_phone_screen_in_polish(demo_data, browser, live_server):
    """Its longest picker is Polish: “którykolwiek z tych warunków jest spełniony”."""
    context, page = demo_admin_page(browser, live_server, "pl", viewport=PHONE, locale="pl-PL")
    page.goto(f"{live_server}/admin/forms/nps/edit")
    assert page.locator("select[name=combine]").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
