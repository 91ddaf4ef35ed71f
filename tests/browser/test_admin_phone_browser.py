"""Admin pages on a phone (390 px wide), in Russian (the longest labels): nothing makes the
whole page scroll sideways. Wide tables scroll inside their own box; filter bars wrap."""

import pytest
from playwright.sync_api import expect

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


# A placeholder's text wider than its field (measured in the field's own font), if any.
CUT_PLACEHOLDERS = """() => {
  const pen = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("input[placeholder]")].filter((input) => {
    if (!input.offsetParent) return false;
    const style = getComputedStyle(input);
    pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return pen.measureText(input.placeholder).width > room + 1;
  }).map((input) => `${input.name}: ${input.placeholder}`);
}"""


def test_examples_are_read_whole_on_a_phone_in_russian(demo_data, browser, live_server):
    """The examples of a routing rule's name, a blocked sender's note and an agent's away note
    were placeholders, cut off at 390 px ("например, Недовольным клиентам —"); they are hints
    under their fields now, read with them."""
    context, page = demo_admin_page(browser, live_server, "ru", viewport=PHONE, locale="ru-RU")
    admin = db.session.query(User).filter_by(email="admin@loopdesk.test").one()
    cut = {}
    for path in [
        *ADMIN_PAGES,
        "/admin/blocked-senders",
        "/admin/api-tokens",
        "/admin/webhooks/new",
    ]:
        page.goto(live_server + path.format(admin_id=admin.id))
        found = page.evaluate(CUT_PLACEHOLDERS)
        if found:
            cut[path] = found
    page.goto(f"{live_server}/admin/workflow/routing")
    name = page.get_by_label("Название правила")
    described = "например, Недовольным клиентам — быстрый обратный звонок"
    assert (
        name.evaluate(
            "e => document.getElementById(e.getAttribute('aria-describedby')).textContent"
        )
        == described
    )
    expect(page.get_by_text(described)).to_be_visible()
    context.close()
    assert cut == {}
