"""Every page refuses inline styles and scripts: injected markup can neither run nor restyle
or overlay the page (the browser test checks that our own pages need neither)."""

import html
import re

import pytest
from sqlalchemy import select

from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import OutboxMessage, Ticket, User
from webapp.security import inline_style_hashes

STAFF_PAGES = [
    "/dashboard",
    "/board",
    "/tickets",
    "/reports",
    "/admin/users",
    "/admin/forms",
    "/admin/forms/csat/branding",
    "/admin/forms/csat/yaml",
    "/admin/forms/csat/embed",
    "/admin/workflow/routing",
    "/admin/email-templates",
    "/no-such-page",
]


def _style_sources(policy: str) -> list[str]:
    directive = next(part.strip() for part in policy.split(";") if "style-src" in part)
    return directive.split()[1:]


@pytest.fixture
def signed_in(demo_data, client, login):
    login(db.session.scalar(select(User).where(User.email == "admin@loopdesk.test")), DEMO_PASSWORD)
    return client


def test_no_page_allows_inline_styles(app, signed_in):
    ticket = db.session.scalar(select(Ticket).where(Ticket.form_slug == "csat").limit(1))
    pages = [*STAFF_PAGES, f"/tickets/{ticket.number}", f"/t/{ticket.status_token}", "/f/csat"]
    pages += ["/f/csat?embed=1&channel=widget", "/widget/demo?form=csat"]
    anonymous = app.test_client()
    for path in pages:
        reply = signed_in.get(path)
        assert reply.status_code in (200, 404), path
        policy = reply.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, path
        assert _style_sources(policy) == ["'self'"], path
        assert "script-src 'self';" in policy, path
    login_page = anonymous.get("/login")
    assert login_page.status_code == 200
    assert _style_sources(login_page.headers["Content-Security-Policy"]) == ["'self'"]


def test_the_email_preview_frame_gets_exactly_the_emails_own_styles(signed_in, post_form):
    """The HTML preview is a srcdoc frame under the editor's policy; the e-mail keeps its
    inline styles (mail programs need them), so the editor lets those values through by hash."""
    page = signed_in.get("/admin/email-templates/ticket_confirmation/en")
    sources = _style_sources(page.headers["Content-Security-Policy"])
    assert sources[:2] == ["'self'", "'unsafe-hashes'"] and len(sources) > 5
    assert "'unsafe-inline'" not in sources
    preview = post_form(
        "/admin/email-templates/ticket_confirmation/en/preview",
        {"subject": "[{number}] Thanks", "body": "Hello {name}\n\n<b>x</b> {status_link}"},
        htmx=True,
    ).get_data(as_text=True)
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', preview).group(1))
    styles = set(re.findall(r'style="([^"]*)"', srcdoc))
    assert len(styles) > 3
    assert set(inline_style_hashes(srcdoc)) <= set(sources)


def test_a_sent_message_is_shown_with_its_own_styles(signed_in):
    """Sent mail shows the HTML part in a srcdoc frame too: without its inline styles the
    admin saw bare text, not the e-mail the customer got."""
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.body_html.is_not(None)).limit(1)
    )
    page = signed_in.get(f"/admin/mail/{message.id}")
    sources = _style_sources(page.headers["Content-Security-Policy"])
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page.get_data(as_text=True)).group(1))
    assert len(set(re.findall(r'style="([^"]*)"', srcdoc))) > 3
    assert sources[:2] == ["'self'", "'unsafe-hashes'"] and "'unsafe-inline'" not in sources
    assert set(inline_style_hashes(srcdoc)) <= set(sources)
