"""A blocked sender is the customer's data too: found, exported and erased on request, and
the audit log stops naming the address. A blocked address gets no "continue later" mail."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.helpers import make_ticket, text_of
from tests.integration.test_continue_later_limits import _ask_for_a_link
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import AuditEntry, BlockedSender, OutboxMessage, Role
from webapp.services.spam import block_sender, mark_spam, unblock_sender

PAGE = "/admin/customer-data"
ADDRESS = "spammy@example.com"


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def admin_user(create_user):
    return create_user(email="root@example.com", name="Rita Root", role=Role.ADMIN)


@pytest.fixture
def blocked(app, admin_user):
    """The address was blocked once by hand and lifted, then blocked again from its spam."""
    unblock_sender(block_sender("Spammy@Example.com", admin_user, note="by hand"), admin_user)
    ticket = make_ticket(subject="Cheap pills", customer_email=ADDRESS, customer_locale="en")
    mark_spam(ticket, admin_user, block=True)
    db.session.commit()
    return ticket


def _entries_naming_the_address() -> list[AuditEntry]:
    entries = db.session.scalars(select(AuditEntry)).all()
    return [
        e for e in entries if ADDRESS in json.dumps([e.target_label, e.before, e.after]).lower()
    ]


def test_a_block_is_found_exported_and_erased_and_the_audit_log_forgets_the_address(
    client, login, post_form, admin_user, blocked
):
    assert _entries_naming_the_address()  # blocking names the address, as admins need
    login(admin_user)
    found = text_of(post_form(PAGE, {"email": ADDRESS.upper()}))
    assert "Blocked as a sender of spam on" in found
    exported = json.loads(post_form(f"{PAGE}/export", {"email": ADDRESS}).get_data().decode())
    assert exported["blocked_sender"]["since"]
    check = text_of(post_form(f"{PAGE}/erase", {"email": ADDRESS}))
    assert "The address is removed from the blocked senders" in check

    assert post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS}).status_code in (200, 303)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(BlockedSender)) == 0
    assert _entries_naming_the_address() == []
    labels = db.session.scalars(
        select(AuditEntry.target_label).where(AuditEntry.target_type == "blocked_sender")
    ).all()
    assert len(labels) == 3 and all(label.startswith("customer ") for label in labels)
    assert "Blocked as a sender" not in text_of(post_form(PAGE, {"email": ADDRESS}))


def test_a_blocked_address_gets_no_continue_later_mail_and_the_page_does_not_say_why(
    client, builtin_forms, admin_user
):
    block_sender("jan@firma.pl", admin_user)
    db.session.commit()
    customer = Respondent(client, "goal", False, lang="pl")
    customer.answer("no")
    sent = _ask_for_a_link(client, customer, "Jan@Firma.pl")
    assert sent.status_code == 303
    assert "Wysłaliśmy link na adres Jan@Firma.pl" in text_of(client.get(sent.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
