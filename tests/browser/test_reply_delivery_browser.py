"""The agent's open ticket page marks a reply "Not delivered" when the customer's mail server
refuses it (550, a real SMTP server), without a reload, and "Send again" puts it back in line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.conftest import FAST_POLLS
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from tests.integration import test_reply_delivery_marks as delivery_marks
from tests.integration.refusing_smtp import GONE, GONE_REPLY
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.replies import send_public_reply

pytestmark = pytest.mark.browser

# This module's SMTP server (answering 550 to GONE), and the app's settings for it.
smtp_server = delivery_marks.smtp_server
app_config = delivery_marks.app_config

ARRIVES_WITHIN_MS = (2 * FAST_POLLS["LIVE_REFRESH_SECONDS"] + 5) * 1000


def test_the_open_page_shows_the_refusal_and_send_again_delivers(
    page, live_server, create_user, smtp_server, run_jobs
):
    from jobs.mail import send_outbox_message

    ada = create_user()
    on_duty_in_customer_care(ada)
    db.session.commit()
    ticket = new_ticket()
    ticket.customer_email = GONE
    sent = send_public_reply(ticket, "Please send us the order number.", ada)
    db.session.info.clear()  # not handed over on commit: the page opens with it queued
    db.session.commit()

    staff_login.log_in(page, live_server, ada.email, then=f"/tickets/{ticket.number}")
    thread = page.locator("#ws-conversation .staff-chat")
    expect(thread.locator(".mail-mark")).to_have_text("✉ Queued")

    mail_id = (
        db.session.query(OutboxMessage.id)
        .filter_by(message_key=sent.event.data["message_key"])
        .scalar()
    )
    send_outbox_message(mail_id)  # the worker's try: 550, while the page is open
    failed = thread.locator(".mail-failed")
    expect(failed).to_contain_text(
        "Not delivered: the customer did not get this reply by e-mail.", timeout=ARRIVES_WITHIN_MS
    )
    expect(failed).to_contain_text(f"Refused by the mail server: {GONE_REPLY}")
    expect(failed).to_contain_text(f"Check the customer's address, {GONE}")
    expect(thread.locator(".mail-mark")).to_have_text("⚠ Failed")

    smtp_server.replies.pop(GONE)  # the customer mended their mailbox
    wait_for_htmx(page)
    failed.get_by_role("button", name="Send again").click()
    expect(page.get_by_text(f"Your reply was queued again for {GONE}.")).to_be_visible()
    expect(failed).to_have_count(0)
    run_jobs()  # the queue's worker, with Redis; in-process it went at once
    expect(thread.locator(".mail-mark")).to_have_text("✉ Sent", timeout=ARRIVES_WITHIN_MS)
    assert [m["To"] for m in smtp_server.messages].count(GONE) == 1
