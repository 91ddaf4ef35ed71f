"""E-mails as received by a real SMTP server, read on a phone: nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.services import email_texts
from webapp.services.replies import send_public_reply

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
TRACKING = "https://parcels.example.com/track/PL" + "7Q2XK9" * 12


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _html_width(page, message) -> int:
    page.set_viewport_size(PHONE)
    page.set_content(message.get_body(("html",)).get_content())
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_reply_with_a_long_link_fits_a_phone(
    page, app, smtp_server, run_jobs, agent, builtin_forms
):
    ticket = make_ticket()
    send_public_reply(ticket, f"Twoja paczka jest w drodze: {TRACKING}", agent)
    db.session.commit()
    run_jobs()
    [received] = [m for m in smtp_server.messages if m["To"] == "jan@example.pl"]
    assert _html_width(page, received) <= PHONE["width"]
    expect(page.get_by_role("link", name=TRACKING)).to_be_visible()  # whole, and still a link


def test_an_admins_own_confirmation_with_its_status_link_fits_a_phone(
    page, app, client, smtp_server, run_jobs, admin, builtin_forms
):
    email_texts.save(
        "ticket_confirmation",
        "pl",
        subject="Dziękujemy! Zgłoszenie {number} jest już u nas",
        body="Dzień dobry {name},\n\nStan zgłoszenia sprawdzisz tutaj: {status_link}",
        revision=0,
        actor=admin,
    )
    db.session.commit()
    from webapp.services.forms import _confirm

    ticket = make_ticket()
    _confirm(ticket)
    db.session.commit()
    run_jobs()
    [received] = [m for m in smtp_server.messages if m["To"] == "jan@example.pl"]
    assert received["Subject"] == f"Dziękujemy! Zgłoszenie {ticket.number} jest już u nas"
    assert _html_width(page, received) <= PHONE["width"]
