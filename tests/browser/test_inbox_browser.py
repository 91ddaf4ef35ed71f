"""The bell: it says how many notifications are unread, catches up without a reload, and the
inbox it opens marks a ticket's entries read when the agent follows one to the ticket."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.staff_login import log_in
from tests.browser.test_conversation_browser import AXE
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.services import inbox

pytestmark = pytest.mark.browser


def test_the_bell_counts_catches_up_and_the_inbox_marks_read(browser, live_server, create_user):
    ola = create_user(email="ola@example.com", name="Ola Nowak")
    bea = create_user(email="bea@example.com", name="Bea Brown")
    ticket = make_ticket(subject="Card declined")
    other = make_ticket(subject="Parcel late")
    inbox.record_notification(ola, "customer_replied", ticket, {"kind": "customer_replied"})
    inbox.record_notification(ola, "mention", ticket, {"text": "call Jan?"}, actor=bea)
    db.session.commit()
    context = browser.new_context(locale="en-US", bypass_csp=True)  # axe is injected below
    page = context.new_page()
    page.clock.install()  # the bell polls every minute: the test moves the clock instead
    log_in(page, live_server, "ola@example.com")

    expect(page.get_by_role("link", name="2 unread notifications")).to_be_visible()
    inbox.record_notification(ola, "sla_breach", other)
    db.session.commit()
    page.clock.fast_forward("01:05")
    expect(page.get_by_role("link", name="3 unread notifications")).to_be_visible()

    page.get_by_role("link", name="3 unread notifications").click()
    page.wait_for_url(f"{live_server}/notifications")
    page.add_script_tag(content=AXE)
    result = page.evaluate(  # the list and the bell (the rest of the header is not ours)
        "async () => await axe.run({include: [['main'], ['.inbox-bell']]},"
        " {resultTypes: ['violations']})"
    )
    serious = [
        (v["id"], [n["html"][:200] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    entries = page.locator(".inbox-item")
    expect(entries).to_have_count(3)
    expect(entries.first).to_contain_text(f"Unread SLA breached on {other.number}")
    page.get_by_role(
        "link", name=f"Unread Bea Brown mentioned you in a note on {ticket.number}"
    ).click()
    page.wait_for_url(f"{live_server}/tickets/{ticket.number}")
    # Both entries about this ticket are read now; the other ticket's breach is not.
    expect(page.get_by_role("link", name="1 unread notification")).to_be_visible()
    context.close()


def test_a_ticket_number_is_never_split_at_its_hyphen_on_a_phone(page, live_server, create_user):
    """Slovenian headlines are long: "…pri zahtevku LD-" ended one line, "1043" began the next."""
    maja = create_user(email="maja@example.com", name="Maja Novak", locale="sl")
    ticket = make_ticket(subject="Plačilo ne deluje")
    for event in ("customer_replied", "reopened", "sla_breach"):
        inbox.record_notification(maja, event, ticket, {"kind": event})
    db.session.commit()
    for width in range(300, 420, 6):  # somewhere a line ends right after "LD-"
        page.set_viewport_size({"width": width, "height": 800})
        if width == 300:
            log_in(page, live_server, "maja@example.com", then="/notifications")
        numbers = page.locator(".inbox-headline .ticket-number")
        expect(numbers).to_have_count(3)
        lines = numbers.evaluate_all("els => els.map(el => el.getClientRects().length)")
        assert lines == [1, 1, 1], width
