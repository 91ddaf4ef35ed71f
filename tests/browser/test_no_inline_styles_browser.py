"""Our pages need no inline style, now that the policy refuses them: the browser reports no
refused style or script on the staff pages, the customer's pages and the widget's host page."""

import pytest
from sqlalchemy import select

from survey_forms.branding import with_top_level_key
from tests.browser.htmx_wait import wait_for_htmx
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import Form, Ticket, User
from webapp.services import forms as form_service

pytestmark = pytest.mark.browser

STAFF_PAGES = [
    "/dashboard",
    "/board",
    "/tickets",
    "/tickets/{number}",
    "/reports",
    "/admin/users",
    "/admin/forms",
    "/admin/forms/csat/branding",
    "/admin/forms/csat/embed",
    "/admin/forms/csat/yaml",
    "/admin/workflow",
    "/admin/workflow/routing",
    "/no-such-page",
]
# Every refusal also fires this event, in whichever frame it happened.
RECORD_VIOLATIONS = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (e) => {
  (window.top.__refused || window.__refused).push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def watched(browser):
    """A page that keeps what the console said; the CSP is enforced (no bypass)."""
    context = browser.new_context(locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.said = []
    page.on("console", lambda message: page.said.append(message.text))
    yield page
    context.close()


def refusals(page) -> list[str]:
    said = [
        text
        for text in page.said
        if "Content Security Policy" in text or "Refused to apply inline style" in text
    ]
    return said + page.evaluate("() => window.__refused")


def _brand_csat(admin: User) -> None:
    form = db.session.scalar(select(Form).where(Form.slug == "csat"))
    text = with_top_level_key(
        form_service.active_version(form).yaml_text,
        "branding",
        {"accent": "#7c3aed", "background": "#fdf4ff"},
    )
    form_service.publish_form("csat", text, admin)
    db.session.commit()


def test_staff_pages_apply_no_inline_style(demo_data, watched, live_server):
    page = watched
    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("admin@loopdesk.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    found = {}
    for path in STAFF_PAGES:
        page.goto(live_server + path.format(number=ticket.number))
        wait_for_htmx(page)
        found[path] = refusals(page)
    # The branding page's live sample: a colour typed brings a new swatch and its stylesheet.
    page.goto(f"{live_server}/admin/forms/csat/branding")
    page.locator("#branding-accent").fill("#1e3a8a")
    page.locator("#branding-swatch link[href*='accent=1e3a8a']").wait_for(state="attached")
    wait_for_htmx(page)
    bubble = page.locator("#branding-swatch .bubble.customer")
    assert bubble.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(30, 58, 138)"
    found["branding swatch"] = refusals(page)
    # The e-mail editor's HTML preview keeps the e-mail's own inline styles.
    page.goto(f"{live_server}/admin/email-templates/ticket_confirmation/en")
    page.get_by_role("button", name="Preview").click()
    heading = page.frame_locator("#email-preview iframe").get_by_text("Loopdesk", exact=True)
    assert heading.evaluate("td => getComputedStyle(td).color") == "rgb(15, 118, 110)"
    found["e-mail preview"] = refusals(page)
    assert {path: said for path, said in found.items() if said} == {}


def test_customer_pages_apply_no_inline_style(demo_data, watched, live_server):
    page = watched
    _brand_csat(db.session.scalar(select(User).where(User.email == "admin@loopdesk.test")))
    page.goto(f"{live_server}/f/csat")
    page.locator("#composer button[value='4']").click()
    page.locator("#transcript .bubble.customer").first.wait_for()
    wait_for_htmx(page)
    # The form's brand colours come from its stylesheet, not from a style attribute.
    colours = page.evaluate(
        "() => [getComputedStyle(document.body).backgroundColor,"
        " getComputedStyle(document.querySelector('#transcript .bubble.customer')).backgroundColor]"
    )
    assert colours == ["rgb(253, 244, 255)", "rgb(124, 58, 237)"]
    found = {"conversation": refusals(page)}

    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    page.goto(f"{live_server}/t/{ticket.status_token}")
    found["status page"] = refusals(page)

    page.goto(f"{live_server}/widget/demo?lang=en")
    page.get_by_role("button", name="Feedback").click()
    frame = page.frame_locator("iframe[title=Feedback]")
    frame.locator("#composer button[value='9']").click()
    frame.locator("#transcript .bubble.customer").first.wait_for()
    # The launcher and the dialog wear the widget's stylesheet (no <style> added to the page).
    assert page.locator(".ld-overlay").evaluate("o => getComputedStyle(o).position") == "fixed"
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    found["widget demo"] = refusals(page)
    assert {path: said for path, said in found.items() if said} == {}
