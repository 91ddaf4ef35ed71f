"""Changing SECRET_KEY with the old one in LOOPDESK_SECRET_KEY_FALLBACKS keeps what was
signed before working (reply addresses, unsubscribe links, "Your requests" links, staff
sessions, the audit log's customer codes) while everything new is signed with the new key.
Without the fallback those are retired, as before."""

from __future__ import annotations

import pytest

from tests.helpers import make_ticket
from webapp.config import from_environment
from webapp.services import customer_data, customer_requests, non_essential_mail
from webapp.services.reply_addresses import customer_reply_address, ticket_id_from_address

OLD, NEW = "old-key-" + "x" * 40, "new-key-" + "y" * 40


@pytest.fixture
def app_config() -> dict:
    return {"SECRET_KEY": OLD, "LOOPDESK_REPLY_ADDRESS": "support@example.com"}


def _rotate(app, keep_old: bool) -> None:
    app.config.update(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD] if keep_old else [])


def test_what_the_old_key_signed_still_works_after_a_rotation(
    app, client, login, agent, builtin_forms
):
    ticket = make_ticket()
    address = customer_reply_address(ticket)
    unsubscribe = non_essential_mail.unsubscribe_token("jan@example.pl")
    label = customer_data.customer_label("jan@example.pl")
    with app.test_request_context():
        requests_link = customer_requests._signer().dumps(ticket.id)
    login(agent)
    assert client.get("/dashboard").status_code == 200

    _rotate(app, keep_old=True)
    assert ticket_id_from_address(address) == ticket.id  # the customer's old thread
    assert customer_reply_address(ticket) != address  # new mail: the new key
    assert non_essential_mail.address_from_token(unsubscribe) == "jan@example.pl"
    assert label in customer_data.customer_labels("jan@example.pl")
    with app.test_request_context():
        assert customer_requests.requests_for_link(requests_link)  # still lists the request
    assert client.get("/dashboard").status_code == 200  # still signed in

    _rotate(app, keep_old=False)
    assert ticket_id_from_address(address) is None
    assert non_essential_mail.address_from_token(unsubscribe) is None
    with app.test_request_context():
        assert customer_requests.requests_for_link(requests_link) is None
    assert client.get("/dashboard").status_code in (302, 303)  # signed out


def test_the_fallbacks_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", NEW)
    monkeypatch.setenv("LOOPDESK_SECRET_KEY_FALLBACKS", f" {OLD} , older-key ,")
    config = from_environment(str(tmp_path))
    assert config["SECRET_KEY_FALLBACKS"] == [OLD, "older-key"]
    monkeypatch.delenv("LOOPDESK_SECRET_KEY_FALLBACKS")
    assert from_environment(str(tmp_path))["SECRET_KEY_FALLBACKS"] == []
