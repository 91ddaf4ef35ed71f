"""Blocking a whole sender domain: spam bots rotate addresses at one throwaway domain.

A domain block covers every address at exactly that domain (not its subdomains); free-mail
domains cannot be blocked whole; it stops forms, e-mails and "continue later" links as an
address block does; a ticket's spam confirmation offers it; and it is nobody's personal data.
"""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import func, select

from tests.helpers import make_ticket, text_of, ticket_events
from tests.integration.test_continue_later_limits import _ask_for_a_link
from tests.integration.test_conversation_pages import Respondent
from tests.integration.test_ticket_spam import _detractor  # the NPS form, no JavaScript
from webapp.extensions import db
from webapp.models import AuditEntry, BlockedSender, OutboxMessage, Response, Role, Ticket
from webapp.services import spam
from webapp.services.inbound_mail import receive_email
from webapp.services.reply_addresses import customer_reply_address

XSS = '<script>alert("x")</script>'


@pytest.fixture
def app_config() -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com", "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def admin_user(create_user):
    return create_user(email="root@example.com", name="Rita Root", role=Role.ADMIN)


def _words(response) -> str:
    return html.unescape(text_of(response))


def _blocked() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(BlockedSender.email).order_by(BlockedSender.id)))


def _block_domain(admin_user, domain="@spam.example"):
    row = spam.block_sender(domain, admin_user, note="rotating bots")
    db.session.commit()
    return row


# ---------------------------------------------------------------- the admin page


def test_admins_block_and_unblock_a_whole_domain(client, login, post_form, admin):
    login(admin)
    page = _words(client.get("/admin/blocked-senders"))
    assert "E-mail address or domain" in page
    assert "every address at exactly that domain, not its subdomains" in page

    added = post_form("/admin/blocked-senders", {"email": " @Spam.Example ", "note": "bots"})
    assert added.status_code == 303
    assert _blocked() == ["@spam.example"]
    words = _words(client.get("/admin/blocked-senders"))
    assert "Everyone at spam.example is blocked." in words
    assert "spam.example Domain: every address at it bots" in words

    post_form("/admin/blocked-senders", {"email": "one@other.example"})
    assert "one@other.example Address" in _words(client.get("/admin/blocked-senders"))

    for typed, message in (
        ("spam.example", "This domain is already blocked."),
        ("Bot9@SPAM.example", "Everyone at this address's domain is already blocked."),
    ):
        refused = post_form("/admin/blocked-senders", {"email": typed})
        assert refused.status_code == 422 and message in _words(refused)
    assert _blocked() == ["@spam.example", "one@other.example"]

    row = db.session.scalar(select(BlockedSender).where(BlockedSender.email == "@spam.example"))
    lifted = post_form(f"/admin/blocked-senders/{row.id}/unblock")
    assert lifted.status_code == 303
    assert _blocked() == ["one@other.example"]
    assert "Everyone at spam.example is no longer blocked." in _words(
        client.get("/admin/blocked-senders")
    )
    audited = db.session.execute(
        select(AuditEntry.action, AuditEntry.target_label)
        .where(AuditEntry.action.like("blocked_sender.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert audited == [
        ("blocked_sender.created", "@spam.example"),
        ("blocked_sender.created", "one@other.example"),
        ("blocked_sender.removed", "@spam.example"),
    ]


@pytest.mark.parametrize("typed", ["gmail.com", "@Gmail.com", "WP.PL", "@yandex.ru", "o2.pl"])
def test_a_free_mail_domain_cannot_be_blocked_whole(client, login, post_form, admin, typed):
    login(admin)
    refused = post_form("/admin/blocked-senders", {"email": typed})
    assert refused.status_code == 422
    assert "This is a free e-mail service that real customers use too" in _words(refused)
    assert _blocked() == []
    assert post_form("/admin/blocked-senders", {"email": "bot@gmail.com"}).status_code == 303
    assert _blocked() == ["bot@gmail.com"]  # one address there still can be


@pytest.mark.parametrize(
    "typed",
    [
        "spam",
        "@",
        "@@spam.example",
        "spam..example",
        "-spam.example",
        "spam-.example",
        "spam_bots.example",
        "127.0.0.1",
        "spam.example/path",
        "a" * 64 + ".example",
        ("a" * 60 + ".") * 5 + "example",
        XSS,
        "\x00.example",
        "spam example",
        "spam.exam ple",
        "☃.example",
    ],
)
def test_what_is_not_a_host_name_is_refused_clearly(client, login, post_form, admin, typed):
    login(admin)
    refused = post_form("/admin/blocked-senders", {"email": typed})
    assert refused.status_code == 422
    words = _words(refused)
    assert "This is neither an e-mail address nor a domain name" in words
    assert XSS not in refused.get_data(as_text=True)
    assert _blocked() == []


def test_an_international_domain_is_kept_in_punycode_and_shown_as_typed(
    client, login, post_form, admin, app
):
    login(admin)
    assert post_form("/admin/blocked-senders", {"email": "Bücher.Example."}).status_code == 303
    assert _blocked() == ["@xn--bcher-kva.example"]
    assert "Everyone at bücher.example is blocked." in _words(client.get("/admin/blocked-senders"))
    with app.test_request_context():
        assert spam.is_blocked("Kunde@BÜCHER.example")
        assert spam.is_blocked("kunde@xn--bcher-kva.example")


def test_the_domain_form_needs_an_admin_and_a_csrf_token(client, login, post_form, agent, admin):
    login(agent)
    assert post_form("/admin/blocked-senders", {"email": "@spam.example"}).status_code == 403
    post_form("/logout")
    login(admin)
    assert client.post("/admin/blocked-senders", data={"email": "spam.example"}).status_code == 400
    assert _blocked() == []


# ---------------------------------------------------------------- what a domain block stops


def test_a_domain_block_stops_any_address_there_and_only_that_domain(
    app, client, builtin_forms, admin_user, count_queries
):
    _block_domain(admin_user)
    assert _detractor(client, "Bot7@SPAM.example").status_code == 200
    assert db.session.scalar(select(func.count(Ticket.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0  # no confirmation
    response = db.session.scalar(select(Response))
    assert response.completed_at is not None and response.meta["blocked_sender"] is True

    # Exactly that domain: a subdomain, a longer name ending the same way and a parent
    # domain are other domains.
    for other in ("bot@mail.spam.example", "bot@notspam.example", "bot@example.com"):
        _detractor(app.test_client(), other)
    customers = db.session.scalars(select(Ticket.customer_email).order_by(Ticket.id)).all()
    assert customers == ["bot@mail.spam.example", "bot@notspam.example", "bot@example.com"]

    with count_queries() as statements:
        assert spam.is_blocked("anyone@spam.example")
        assert not spam.is_blocked("anyone@mail.spam.example")
    assert len(statements) == 2  # one query a check


def _mail(to, sender, message_id):
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Re: offer\r\n"
        f"Message-ID: <{message_id}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "\r\nBuy now!\r\n"
    ).encode()


def test_an_e_mail_from_another_address_at_the_domain_is_recorded_as_blocked(app, admin_user):
    ticket = make_ticket(subject="Offer", customer_email="bot1@spam.example")
    _block_domain(admin_user)
    to = customer_reply_address(ticket)
    assert receive_email(_mail(to, "Bot <BOT2@spam.example>", "d1")).outcome == "blocked"
    assert receive_email(_mail(to, "bot1@spam.example", "d2")).outcome == "blocked"
    assert receive_email(_mail(to, "x@sub.spam.example", "d3")).outcome != "blocked"
    assert ticket_events(ticket, "customer_reply") == []


def test_no_continue_later_mail_goes_to_a_blocked_domain(client, builtin_forms, admin_user):
    _block_domain(admin_user, "firma-spam.pl")
    customer = Respondent(client, "goal", False, lang="pl")
    customer.answer("no")
    sent = _ask_for_a_link(client, customer, "Jan@Firma-Spam.pl")
    assert sent.status_code == 303  # the page does not say why
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# ---------------------------------------------------------------- from a spam ticket


def _confirm(post_form, ticket, block):
    db.session.expire_all()
    version = db.session.get(Ticket, ticket.id).version
    data = {"confirm": "1", "version": str(version), "block": block}
    return post_form(f"/tickets/{ticket.number}/spam", data)


def test_the_spam_confirmation_blocks_the_domain_and_not_spam_lifts_it(
    client, login, post_form, agent
):
    ticket = make_ticket(subject="Cheap watches", customer_email="Bot1@Spam.Example")
    login(agent)
    asked = _words(post_form(f"/tickets/{ticket.number}/spam", {}))
    assert "Also block this sender (Bot1@Spam.Example)" in asked
    assert "Block everyone at spam.example" in asked

    done = _confirm(post_form, ticket, "domain")
    assert done.status_code == 303
    assert _blocked() == ["@spam.example"]
    assert db.session.scalar(select(BlockedSender.ticket_id)) == ticket.id
    words = _words(client.get(f"/tickets/{ticket.number}"))
    assert (
        f"{ticket.number} was marked as spam and closed. Everyone at spam.example is blocked."
        in words
    )
    assert "Ada Agent marked this ticket as spam and blocked everyone at its sender's domain." in (
        words
    )
    assert spam.is_blocked("bot2@spam.example")

    # A second bot's ticket: the domain is blocked already, so nothing more is offered.
    second = make_ticket(subject="More watches", customer_email="bot2@spam.example")
    asked = _words(post_form(f"/tickets/{second.number}/spam", {}))
    assert "Everyone at this sender's domain (bot2@spam.example) is already blocked." in asked
    assert "Block everyone at" not in asked
    _confirm(post_form, second, "domain")
    assert _blocked() == ["@spam.example"]

    db.session.expire_all()
    version = db.session.get(Ticket, ticket.id).version
    undone = post_form(f"/tickets/{ticket.number}/not-spam", {"version": version})
    assert undone.status_code == 303
    assert _blocked() == []
    words = _words(client.get(f"/tickets/{ticket.number}"))
    assert "is no longer marked as spam. Everyone at spam.example is no longer blocked." in words
    assert "Ada Agent said this ticket is not spam and unblocked its sender's domain." in words


def test_a_free_mail_sender_is_offered_no_domain_block(client, login, post_form, agent):
    ticket = make_ticket(subject="Junk", customer_email="someone@GMAIL.com")
    login(agent)
    asked = _words(post_form(f"/tickets/{ticket.number}/spam", {}))
    assert "Also block this sender (someone@GMAIL.com)" in asked
    assert "Block everyone at" not in asked
    assert _confirm(post_form, ticket, "domain").status_code == 303  # a forged choice
    assert _blocked() == []
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).spam_at is not None


def test_a_blocked_address_may_still_have_its_domain_blocked(client, login, post_form, agent):
    db.session.add(BlockedSender(email="bot1@spam.example", note="by hand"))
    db.session.commit()
    ticket = make_ticket(subject="Junk", customer_email="bot1@spam.example")
    login(agent)
    asked = _words(post_form(f"/tickets/{ticket.number}/spam", {}))
    assert "This sender (bot1@spam.example) is already blocked." in asked
    assert "Also block this sender" not in asked and "Block everyone at spam.example" in asked
    _confirm(post_form, ticket, "domain")
    assert _blocked() == ["bot1@spam.example", "@spam.example"]


@pytest.mark.parametrize("language, offer", [
    ("pl", "Zablokuj wszystkich nadawców z domeny spam.example"),
    ("ru", "Заблокировать всех отправителей с домена spam.example"),
    ("sl", "Blokiraj vse pošiljatelje z domene spam.example"),
])  # fmt: skip
def test_the_offer_is_translated(client, login, post_form, create_user, language, offer):
    ticket = make_ticket(subject="Junk", customer_email="bot@spam.example")
    login(create_user(email=f"{language}@example.com", name="Agent", locale=language))
    assert offer in _words(post_form(f"/tickets/{ticket.number}/spam", {}))


# ---------------------------------------------------------------- customer data requests


def test_a_domain_block_is_no_customer_s_data(client, login, post_form, admin_user):
    _block_domain(admin_user)
    spam.block_sender("bot1@other.example", admin_user)
    db.session.commit()
    login(admin_user)
    page = "/admin/customer-data"
    for address in ("bot1@spam.example", "@spam.example"):
        found = post_form(page, {"email": address})
        assert found.status_code in (200, 422)
        assert "Blocked as a sender of spam" not in _words(found)
    exported = json.loads(
        post_form(f"{page}/export", {"email": "bot1@spam.example"}).get_data().decode()
    )
    assert exported["blocked_sender"] is None
    assert post_form(f"{page}/erase/confirm", {"email": "bot1@spam.example"}).status_code in (
        200,
        303,
    )
    assert _blocked() == ["@spam.example", "bot1@other.example"]  # the domain stays blocked
    labels = db.session.scalars(
        select(AuditEntry.target_label).where(AuditEntry.action == "blocked_sender.created")
    ).all()
    assert "@spam.example" in labels  # its audit entry still names the domain

    # An address block is still the customer's own, as before.
    assert "Blocked as a sender of spam" in _words(post_form(page, {"email": "BOT1@other.example"}))
    post_form(f"{page}/erase/confirm", {"email": "bot1@other.example"})
    assert _blocked() == ["@spam.example"]
