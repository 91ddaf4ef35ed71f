"""Marking a ticket as spam (and blocking its sender): closed quietly, nothing deleted, undoable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import PASSWORD, csrf_token, make_ticket, text_of, ticket_events
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    BlockedSender,
    InboundEmail,
    OutboxMessage,
    Response,
    SurveyInvitation,
    SurveyStatus,
    Ticket,
    utcnow,
)
from webapp.services.inbound_mail import receive_email
from webapp.services.reply_addresses import customer_reply_address

XSS = '<script>alert("x")</script>'


@pytest.fixture
def app_config() -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com", "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def junk(app):
    return make_ticket(subject="Cheap watches!!!", customer_email="Spammer@Example.COM")


def _spam(post_form, ticket, **data):
    return post_form(f"/tickets/{ticket.number}/spam", data)


def _confirm(post_form, ticket, block=False):
    data = {"confirm": "1", "version": str(ticket.version)}
    if block:
        data["block"] = "1"
    return _spam(post_form, ticket, **data)


def _fresh(ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def _blocked() -> list[str]:
    return list(db.session.scalars(select(BlockedSender.email).order_by(BlockedSender.id)))


def test_marking_asks_first_then_closes_quietly_and_blocks_when_ticked(
    client, login, post_form, agent, junk
):
    db.session.add(
        SurveyInvitation(ticket=junk, form_slug="csat", due_at=utcnow() + timedelta(days=1))
    )
    db.session.commit()
    mails_before = db.session.scalar(select(func.count(OutboxMessage.id)))
    login(agent)
    page = client.get(f"/tickets/{junk.number}").get_data(as_text=True)
    assert 'id="ws-spam"' in page and "Mark as spam" in page

    asked = _spam(post_form, junk)
    assert asked.status_code == 200
    words = text_of(asked)
    assert f"Mark {junk.number} as spam?" in words
    assert "Its status link shows “not found”." in words
    assert "Also block this sender (Spammer@Example.COM)" in words
    assert _fresh(junk).spam_at is None  # nothing done yet

    done = _confirm(post_form, junk, block=True)
    assert done.status_code == 303
    ticket = _fresh(junk)
    assert ticket.spam_at is not None and ticket.state == "closed"
    assert ticket.sla_paused_since is not None  # its clocks stopped
    assert _blocked() == ["spammer@example.com"]
    assert db.session.scalar(select(SurveyInvitation.status)) == SurveyStatus.CANCELLED
    # The "customer" is told nothing.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == mails_before
    event = ticket_events(ticket, "spam")[-1]
    assert event.actor_id == agent.id and event.to_state == "closed"
    assert "spammer" not in str(event.data)  # no address in the history

    shown = client.get(f"/tickets/{junk.number}")
    words = text_of(shown)
    assert f"{junk.number} was marked as spam and closed. Its sender is blocked." in words
    assert "Ada Agent marked this ticket as spam and blocked its sender." in words
    assert "Not spam" in words and "Send reply" not in words
    assert 'name="trigger"' not in shown.get_data(as_text=True)  # no moves offered
    listed = text_of(client.get("/tickets?q=cheap"))
    assert f"{junk.number} Cheap watches!!!" in listed and "Closed Spam" in listed
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("blocked_sender.%")))
    assert audit.action == "blocked_sender.created" and audit.actor_id == agent.id


def test_without_the_tick_nobody_is_blocked(client, login, post_form, agent, junk):
    login(agent)
    done = _confirm(post_form, junk)
    assert done.status_code == 303
    assert _fresh(junk).spam_at is not None
    assert _blocked() == []
    assert "Ada Agent marked this ticket as spam." in text_of(client.get(f"/tickets/{junk.number}"))


def test_with_htmx_the_changed_sections_come_back(client, login, post_form, agent, junk):
    login(agent)
    reply = post_form(
        f"/tickets/{junk.number}/spam",
        {"confirm": "1", "version": str(junk.version)},
        htmx=True,
    )
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    for section in ("ws-header", "ws-reply", "ws-timeline", "ws-spam"):
        assert f'id="{section}"' in html
    assert "This ticket was marked as spam" in html


def test_a_ticket_without_an_address_offers_no_block(client, login, post_form, agent):
    ticket = make_ticket(subject="Anonymous junk", customer_email=None)
    login(agent)
    words = text_of(_spam(post_form, ticket))
    assert "Also block this sender" not in words and "Mark as spam" in words
    _confirm(post_form, ticket, block=True)
    assert _fresh(ticket).spam_at is not None and _blocked() == []


def test_an_address_blocked_already_is_said_and_not_blocked_twice(
    client, login, post_form, agent, junk
):
    db.session.add(BlockedSender(email="spammer@example.com", note="known"))
    db.session.commit()
    login(agent)
    assert "This sender (Spammer@Example.COM) is already blocked." in text_of(
        _spam(post_form, junk)
    )
    _confirm(post_form, junk, block=True)
    assert _blocked() == ["spammer@example.com"]
    assert db.session.scalar(select(BlockedSender.ticket_id)) is None  # still the hand-made one


@pytest.mark.parametrize("case", ["merged", "spam"])
def test_a_merged_or_spam_ticket_cannot_be_marked(client, login, post_form, agent, junk, case):
    login(agent)
    if case == "merged":
        first = make_ticket(subject="First", customer_email="spammer@example.com")
        post_form(
            f"/tickets/{junk.number}/merge",
            {"number": first.number, "confirm": "1", "version": str(junk.version)},
        )
        message = "This ticket was merged into another: there is nothing left to mark as spam."
    else:
        _confirm(post_form, junk)
        message = "This ticket is already marked as spam."
    before = _fresh(junk).version
    for confirm in ({}, {"confirm": "1"}):
        refused = _spam(post_form, junk, **confirm)
        assert refused.status_code == 422
        assert message in text_of(refused)
    assert _fresh(junk).version == before
    assert len(ticket_events(junk, "spam")) == (1 if case == "spam" else 0)


def test_moves_replies_and_merges_of_spam_are_refused(client, login, post_form, agent, junk):
    other = make_ticket(subject="Other", customer_email="spammer@example.com")
    login(agent)
    _confirm(post_form, junk)
    ticket = _fresh(junk)
    moved = post_form(
        f"/tickets/{junk.number}/move", {"trigger": "reopen", "version": ticket.version}
    )
    assert moved.status_code == 303
    assert "This ticket was marked as spam: choose “Not spam” first." in text_of(
        client.get(f"/tickets/{junk.number}")
    )
    replied = post_form(f"/tickets/{junk.number}/reply", {"text": "Hello"})
    assert replied.status_code == 422
    assert "This ticket was marked as spam: no reply is sent." in text_of(replied)
    merged = post_form(f"/tickets/{junk.number}/merge", {"number": other.number})
    assert "choose “Not spam” before merging it" in text_of(merged)
    ticket = _fresh(junk)
    assert ticket.state == "closed" and ticket.merged_into_id is None
    assert ticket_events(ticket, "public_reply") == []
    board = client.get("/board").get_data(as_text=True)
    card = board[board.index(f'id="card-{junk.number}"') :]
    card = card[: card.index("</li>")]
    assert "Spam" in card and 'name="trigger"' not in card


def test_the_status_link_of_spam_is_not_found(client, login, post_form, agent, junk):
    page = client.get(f"/t/{junk.status_token}").get_data(as_text=True)
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    login(agent)
    _confirm(post_form, junk)
    post_form("/logout")
    assert client.get(f"/t/{junk.status_token}").status_code == 404
    reply = client.post(
        f"/t/{junk.status_token}/reply", data={"reply_token": reply_token, "message": "Buy!"}
    )
    assert reply.status_code == 404
    assert ticket_events(junk, "customer_reply") == []


def test_not_spam_undoes_the_mark_and_the_block_made_from_it(client, login, post_form, agent, junk):
    db.session.add(BlockedSender(email="other@example.com", note="by hand"))
    db.session.commit()
    login(agent)
    _confirm(post_form, junk, block=True)
    ticket = _fresh(junk)
    undone = post_form(f"/tickets/{junk.number}/not-spam", {"version": ticket.version})
    assert undone.status_code == 303
    ticket = _fresh(junk)
    assert ticket.spam_at is None and ticket.state == "closed"  # stays closed
    assert _blocked() == ["other@example.com"]  # only the block made here is lifted
    words = text_of(client.get(f"/tickets/{junk.number}"))
    assert f"{junk.number} is no longer marked as spam. Its sender is no longer blocked." in words
    assert "Ada Agent said this ticket is not spam and unblocked its sender." in words
    assert client.get(f"/t/{junk.status_token}").status_code == 200
    reopened = post_form(
        f"/tickets/{junk.number}/move", {"trigger": "reopen", "version": ticket.version}
    )
    assert reopened.status_code == 303
    assert _fresh(junk).state == "in_progress"
    again = post_form(f"/tickets/{junk.number}/not-spam", {"version": _fresh(junk).version})
    assert again.status_code == 422
    assert "This ticket is not marked as spam." in text_of(again)


def test_a_stale_confirmation_is_a_conflict(client, login, post_form, agent, junk):
    login(agent)
    refused = post_form(f"/tickets/{junk.number}/spam", {"confirm": "1", "version": "999"})
    assert refused.status_code == 422
    assert "Someone else changed this ticket a moment ago." in text_of(refused)
    assert _fresh(junk).spam_at is None


def test_the_spam_time_is_in_the_viewer_s_language_and_zone_without_seconds(
    client, login, create_user, junk
):
    from datetime import UTC, datetime

    ola = create_user(email="ola@example.com", locale="pl", timezone="Europe/Warsaw")
    junk.spam_at = datetime(2026, 3, 4, 9, 5, 37, tzinfo=UTC)
    db.session.commit()
    login(ola)
    words = text_of(client.get(f"/tickets/{junk.number}"))
    assert "4.03.2026, 10:05" in words  # Warsaw is UTC+1 in March; Polish short form
    assert "10:05:37" not in words and "09:05" not in words


def test_the_api_says_spam(client, login, post_form, agent, junk, app):
    from webapp.api.presenters import ticket_summary

    login(agent)
    with app.test_request_context():
        assert ticket_summary(_fresh(junk))["spam"] is False
    _confirm(post_form, junk)
    with app.test_request_context():
        assert ticket_summary(_fresh(junk))["spam"] is True


def _nps_overview():
    from webapp.services.dashboard import feedback_overview

    nps = next(f for f in feedback_overview("en", utcnow()) if f.slug == "nps")
    return nps.completed, nps.score.count if nps.score else 0


def test_a_spam_ticket_s_response_leaves_the_scores_until_it_is_not_spam(
    app, client, login, post_form, agent, builtin_forms
):
    _detractor(app.test_client(), "junk@example.com")
    _detractor(app.test_client(), "real@example.com")
    assert _nps_overview() == (2, 2)
    junk = db.session.scalar(select(Ticket).where(Ticket.customer_email == "junk@example.com"))
    login(agent)
    _confirm(post_form, junk)
    assert _nps_overview() == (1, 1)  # the dashboard, reports and themes read the same flag
    from webapp.services.reports import build_report

    report = build_report(utcnow(), 30, "No team", "All", with_themes=False)
    assert sum(week.responses for week in report.weeks) == 1
    post_form(f"/tickets/{junk.number}/not-spam", {"version": _fresh(junk).version})
    assert _nps_overview() == (2, 2)


def test_webhooks_hear_of_spam_and_of_not_spam(client, login, post_form, agent, junk):
    from webapp.models import Webhook, WebhookDelivery

    db.session.add(
        Webhook(
            name="CRM",
            url="https://crm.example.com/hook",
            events=["ticket.spam", "ticket.not_spam"],
        )
    )
    db.session.commit()
    login(agent)
    _confirm(post_form, junk, block=True)
    post_form(f"/tickets/{junk.number}/not-spam", {"version": _fresh(junk).version})
    deliveries = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [(d.event, d.payload["data"]) for d in deliveries] == [
        ("ticket.spam", {"sender_blocked": True}),
        ("ticket.not_spam", {"sender_unblocked": True}),
    ]
    assert deliveries[0].payload["ticket"]["number"] == junk.number


def test_the_confirmation_escapes_the_address(client, login, post_form, agent):
    ticket = make_ticket(subject=XSS, customer_email='"<b>x</b>"@example.com')
    login(agent)
    page = _spam(post_form, ticket).get_data(as_text=True)
    assert XSS not in page and "<b>x</b>" not in page


# ---------------------------------------------------------------- what a block stops


class Respondent:
    """A customer's browser going through the NPS form without JavaScript."""

    def __init__(self, client, slug="nps"):
        self.client, self.slug = client, slug
        self.html = client.get(f"/f/{slug}").get_data(as_text=True)

    def field(self, name):
        match = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        return match.group(1) if match else None

    def answer(self, value):
        data = {
            "step": self.field("step"),
            "question": self.field("question"),
            "lang": self.field("lang"),
            "value": value,
        }
        reply = self.client.post(f"/f/{self.slug}/answer", data=data)
        if reply.status_code == 303:
            reply = self.client.get(reply.headers["Location"])
        self.html = reply.get_data(as_text=True)
        return reply


def _detractor(client, email):
    customer = Respondent(client)
    for value in ("2", "Buy cheap watches at example.net", "Bot", email):
        reply = customer.answer(value)
    return reply


def test_a_blocked_sender_s_form_response_is_kept_but_makes_no_ticket_and_no_mail(
    app, client, builtin_forms, admin
):
    db.session.add(BlockedSender(email="spammer@example.com"))
    db.session.commit()
    reply = _detractor(client, "SPAMMER@example.com")
    assert reply.status_code == 200
    assert db.session.scalar(select(func.count(Ticket.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    response = db.session.scalar(select(Response))
    assert response.completed_at is not None and response.ticket_id is None
    assert response.meta["blocked_sender"] is True
    assert response.answers["score"] == 2  # the answers are kept
    assert response.spam is True  # but the score counts nowhere

    admin_client = app.test_client()
    token = csrf_token(app, admin_client)
    admin_client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )
    listed = text_of(admin_client.get("/admin/forms/nps/responses"))
    assert "Blocked sender: no ticket" in listed

    _detractor(app.test_client(), "someone@example.com")  # anyone else still gets a ticket
    assert db.session.scalar(select(func.count(Ticket.id))) == 1


def _mail(to, sender, message_id):
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Re: offer\r\n"
        f"Message-ID: <{message_id}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "\r\nBuy now!\r\n"
    ).encode()


def test_a_blocked_sender_s_e_mail_is_recorded_and_not_added(app, junk, admin, client, login):
    to = customer_reply_address(junk)
    db.session.add(BlockedSender(email="spammer@example.com"))
    db.session.commit()
    received = receive_email(_mail(to, "Spammer <Spammer@example.com>", "b1"))
    assert received.outcome == "blocked"
    assert db.session.scalar(select(InboundEmail.outcome)) == "blocked"
    assert (
        ticket_events(junk, "customer_reply") == [] and ticket_events(junk, "email_not_added") == []
    )
    login(admin)
    words = text_of(client.get("/admin/mail/received"))
    assert "Not added: the sender is blocked, or the ticket is spam" in words


def test_an_e_mail_to_a_spam_ticket_is_not_added(client, login, post_form, agent, junk):
    to = customer_reply_address(junk)
    login(agent)
    _confirm(post_form, junk)  # not blocked: the ticket itself is spam
    db.session.expire_all()
    received = receive_email(_mail(to, "spammer@example.com", "b2"))
    assert received.outcome == "blocked"
    assert ticket_events(junk, "customer_reply") == []


# ---------------------------------------------------------------- the admin page


def test_admins_list_add_and_unblock_senders(client, login, post_form, admin, agent, junk):
    login(agent)
    _confirm(post_form, junk, block=True)
    post_form("/logout")
    login(admin)
    page = client.get("/admin/blocked-senders")
    assert page.status_code == 200
    words = text_of(page)
    assert "spammer@example.com" in words and "Ada Agent" in words
    assert f"Blocked when {junk.number} was marked as spam" in words

    added = post_form(
        "/admin/blocked-senders", {"email": " Offers@Example.NET ", "note": "sends adverts"}
    )
    assert added.status_code == 303
    assert _blocked() == ["spammer@example.com", "offers@example.net"]
    words = text_of(client.get("/admin/blocked-senders"))
    assert "offers@example.net is blocked." in words and "sends adverts" in words

    for bad, message in (
        ("someone@not a domain", "This e-mail address does not look right."),
        ("not an address", "This is neither an e-mail address nor a domain name"),
        ("OFFERS@example.net", "This address is already blocked."),
    ):
        refused = post_form("/admin/blocked-senders", {"email": bad})
        assert refused.status_code == 422 and message in text_of(refused)

    row = db.session.scalar(
        select(BlockedSender).where(BlockedSender.email == "offers@example.net")
    )
    unblocked = post_form(f"/admin/blocked-senders/{row.id}/unblock")
    assert unblocked.status_code == 303
    assert _blocked() == ["spammer@example.com"]
    assert "offers@example.net is no longer blocked." in text_of(
        client.get("/admin/blocked-senders")
    )
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("blocked_sender.%"))
            .order_by(AuditEntry.id)
        )
    )
    assert actions == ["blocked_sender.created", "blocked_sender.created", "blocked_sender.removed"]
    log = text_of(client.get("/admin/audit"))
    assert "Blocked a sender (spam)" in log and "Unblocked a sender" in log
    assert _fresh(junk).spam_at is not None  # unblocking leaves the ticket as it was


def test_the_admin_page_needs_an_admin_and_a_csrf_token(client, login, post_form, agent, admin):
    login(agent)
    assert client.get("/admin/blocked-senders").status_code == 403
    assert post_form("/admin/blocked-senders", {"email": "x@example.com"}).status_code == 403
    post_form("/logout")
    login(admin)
    no_token = client.post("/admin/blocked-senders", data={"email": "x@example.com"})
    assert no_token.status_code == 400
    assert _blocked() == []
    db.session.add(BlockedSender(email="y@example.com"))
    db.session.commit()
    row_id = db.session.scalar(select(BlockedSender.id))
    assert client.post(f"/admin/blocked-senders/{row_id}/unblock").status_code == 400
    assert post_form("/admin/blocked-senders/999999/unblock").status_code == 404
    assert _blocked() == ["y@example.com"]
