"""Staff pages and the customer pages outside the conversation pass an automated
accessibility check (axe-core): no serious violations."""

import pytest
from sqlalchemy import select

from tests.browser.test_conversation_browser import serious_violations
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import SurveyInvitation, Ticket
from webapp.services.non_essential_mail import unsubscribe_token

pytestmark = pytest.mark.browser

PAGES = [
    "/dashboard",
    "/reports",
    "/reports/themes",
    "/board",
    "/tickets",
    "/tickets/{number}",
    "/profile",
    "/account/notifications",
    "/admin/users",
    "/admin/teams",
    "/admin/forms",
    "/admin/forms/nps",
    "/admin/forms/nps/edit",
    "/admin/forms/nps/branding",
    "/admin/workflow",
    "/admin/workflow/routing",
    "/admin/workflow/sla",
    "/admin/mail",
    "/admin/audit",
    "/admin/webhooks",
    "/admin/canned-replies",
    "/admin/email-templates",
    "/admin/email-templates/ticket_confirmation/pl",
    "/admin/users/1",
    "/admin/teams/1",
    "/admin/forms/nps/versions",
    "/admin/forms/nps/responses",
    "/admin/forms/nps/translations",
    "/admin/forms/nps/embed",
    "/admin/forms/nps/preview",
    "/admin/forms/nps/yaml",
    "/admin/forms/nps/publish",
    "/admin/workflow/versions",
    "/admin/workflow/publish",
    "/admin/sla-alerts",
    "/admin/customer-data",
    "/admin/blocked-senders",
]


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True, locale="pl-PL")
    yield context.new_page()
    context.close()


def test_staff_pages_have_no_serious_accessibility_violations(demo_data, axe_page, live_server):
    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    page = axe_page
    page.goto(f"{live_server}/login")
    found = {"/login": serious_violations(page)}
    page.fill("input[name=email]", "admin@loopdesk.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/dashboard")
    for path in PAGES:
        page.goto(live_server + path.format(number=ticket.number))
        found[path] = serious_violations(page)
    # The keyboard shortcuts' help, open over the ticket list ("?").
    page.goto(live_server + "/tickets")
    page.keyboard.press("?")
    page.wait_for_selector("#shortcuts-dialog[open]")
    found["? (keyboard shortcuts)"] = serious_violations(page)
    survey = db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.token.is_not(None))
    ).first()
    customer_pages = {
        "/t/<token>": f"/t/{ticket.status_token}",
        "/s/<token>": f"/s/{survey.token}",
        "/s/<token>/<score>": f"/s/{survey.token}/4",
        "/unsubscribe/<token>": f"/unsubscribe/{unsubscribe_token('jan@example.pl')}",
        "/widget/demo": "/widget/demo",
        "/f/nps?embed=1": "/f/nps?embed=1&channel=widget",
    }
    for name, path in customer_pages.items():
        page.goto(live_server + path)
        found[name] = serious_violations(page)
    bad = {path: v for path, v in found.items() if v}
    assert not bad, "\n".join(f"{p}: {v}" for p, v in bad.items())
