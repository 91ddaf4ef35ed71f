"""An erasure also reaches the staff-side copies of the customer's words: the colleagues'
inbox, their staff notices (waiting or sent, and the digests made of them) and the staff
e-mails on the "Sent mail" page; what colleagues wrote themselves stays."""

from __future__ import annotations

import html
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from jobs.notices import release_held_notices
from jobs.summaries import send_weekly_summaries
from tests.helpers import make_ticket
from tests.helpers import text_of as _markup_text
from webapp.extensions import db
from webapp.models import (
    Form,
    FormVersion,
    InboxNotification,
    NoticeStatus,
    OutboxMessage,
    Response,
    Role,
    StaffNotice,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from webapp.models.people import WEEKDAYS
from webapp.services import retention
from webapp.services.history import record_event
from webapp.services.notes import add_note
from webapp.services.notifications import notify
from webapp.services.replies import receive_customer_reply
from webapp.services.sharing import recipient_for, share_ticket
from webapp.services.weekly_summary import save_choice

ADDRESS = "Jane.Doe@Example.com"
NAME = "Jane Doegood"
COMPLAINT = "My parcel from Zimbrowo never came"
REPLY = "Still waiting in Krakowska Street"
NOTE = "Courier QX-41 checked the depot"
PAGE = "/admin/customer-data"
CUSTOMER_WORDS = (NAME, ADDRESS.lower(), COMPLAINT, "Zimbrowo", REPLY)


@pytest.fixture
def app_config(tmp_path, smtp_config) -> dict:
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), **smtp_config}


@pytest.fixture
def admin_user(create_user):
    return create_user(email="root@example.com", name="Rita Root", role=Role.ADMIN)


@pytest.fixture
def colleagues(builtin_forms, create_user) -> tuple[User, User]:
    """Ola (e-mails at once, English) and Bea, a Polish colleague who reads digests."""
    bea = create_user(email="bea@example.com", name="Bea", locale="pl")
    bea.notification_settings = {"new_tickets": "digest", "mentions": "digest"}
    db.session.commit()
    return builtin_forms, bea


def text_of(reply) -> str:
    return html.unescape(_markup_text(reply))


def _customer_ticket(ola: User, bea: User) -> Ticket:
    """A detractor's ticket opened from their feedback (the complaint made its subject): Ola
    is told at once, Bea's notice waits for her digest; the customer replies, and Bea writes
    a note mentioning Ola."""
    answers = {"score": 2, "what_went_wrong": COMPLAINT, "name": NAME, "email": ADDRESS}
    ticket = make_ticket(
        subject=COMPLAINT,
        customer_name=NAME,
        customer_email=ADDRESS,
        customer_locale="en",
        answers=answers,
    )
    form, version_id = db.session.execute(
        select(Form, FormVersion.id)
        .join(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.slug == "nps")
    ).one()
    moment = utcnow() - timedelta(minutes=5)
    db.session.add(
        Response(
            form=form,
            form_version_id=version_id,
            locale="en",
            answers=answers,
            meta={"user_agent": "mobile"},
            started_at=moment,
            completed_at=moment,
            ticket_id=ticket.id,
        )
    )
    # Routing gave it to Ola, who was told at once; Bea's new-ticket notice, as
    # `announce_new_ticket` tells a team's members, waits for her digest.
    assert ticket.assignee_id == ola.id
    _announce(ticket, bea)
    receive_customer_reply(ticket, REPLY)
    add_note(ticket, f"@Ola {NOTE}", bea, mention_ids=[ola.id])
    db.session.commit()
    return ticket


def _announce(ticket: Ticket, colleague: User) -> None:
    context = {"for_team": True, "team": "Customer Care"}
    key = notify(colleague, "ticket_routed", ticket, "ticket_routed", context)
    record_event(
        ticket,
        "email_queued",
        None,
        to=[colleague.name],
        template="ticket_routed",
        message_keys=[key],
    )


def _staff_mail(ticket: Ticket, template: str, to: str) -> OutboxMessage:
    return db.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.template == template,
            OutboxMessage.to_address == to,
            OutboxMessage.message_key.like(f"%:{ticket.id}:%"),
        )
        .order_by(OutboxMessage.id)  # the first: the new ticket's
        .limit(1)
    )


def _digest_to(user: User) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "staff_digest", OutboxMessage.to_address == user.email)
            .order_by(OutboxMessage.id)
        )
    )


def _send_digests(hours: int) -> None:
    from jobs.notices import send_digests

    send_digests((utcnow() + timedelta(hours=hours)).isoformat())
    db.session.expire_all()


def _mail_text(message: OutboxMessage) -> str:
    return f"{message.subject}\n{message.body_text}\n{html.unescape(message.body_html or '')}"


def _quotes_the_customer(text: str) -> list[str]:
    return [word for word in CUSTOMER_WORDS if word.lower() in text.lower()]


def test_before_the_erasure_the_staff_copies_quote_the_customer(colleagues):
    """The gap this closes: what the colleagues were told quotes the customer."""
    ola, bea = colleagues
    ticket = _customer_ticket(ola, bea)
    routed = _staff_mail(ticket, "staff_ticket_notice", ola.email)
    assert COMPLAINT in routed.subject
    notice = db.session.scalar(select(StaffNotice).where(StaffNotice.user_id == bea.id))
    assert COMPLAINT in notice.summary and notice.status == NoticeStatus.DIGEST


def test_an_erasure_scrubs_the_inbox_notices_digests_and_sent_mail_but_keeps_the_note(
    app, client, login, post_form, colleagues, admin_user
):
    ola, bea = colleagues
    ticket = _customer_ticket(ola, bea)
    mention = _staff_mail(ticket, "note_mention", ola.email)
    [replied] = [
        m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == ola.email)
        )
        if "The customer replied" in m.subject
    ]
    assert REPLY in replied.body_text  # the notice quotes what the customer wrote
    notices_before = db.session.scalar(select(func.count(StaffNotice.id)))
    inbox_before = db.session.scalar(select(func.count(InboxNotification.id)))

    login(admin_user)
    confirm = post_form(f"{PAGE}/erase", {"email": ADDRESS})
    assert "Notifications and e-mails to colleagues about the tickets" in text_of(confirm)
    assert post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS}).status_code in (200, 303)
    db.session.expire_all()

    # Ola's inbox: told about the ticket and the note, without the customer's words.
    post_form("/logout")
    login(ola)
    inbox = text_of(client.get("/notifications"))
    assert ticket.number in inbox and NOTE in inbox
    assert _quotes_the_customer(inbox) == []
    assert "[erased]" in inbox

    # The e-mails Ola got, as the "Sent mail" page keeps them: the note's own text stays.
    routed = _staff_mail(ticket, "staff_ticket_notice", ola.email)
    assert _quotes_the_customer(_mail_text(routed)) == []
    assert "[erased]" in routed.subject and ticket.number in routed.subject
    replied = db.session.get(OutboxMessage, replied.id)
    assert _quotes_the_customer(_mail_text(replied)) == []
    mention = db.session.get(OutboxMessage, mention.id)
    assert NOTE in mention.body_text and NOTE in html.unescape(mention.body_html)
    assert _quotes_the_customer(_mail_text(mention)) == []
    post_form("/logout")
    login(admin_user)
    page = text_of(client.get(f"/admin/mail/{routed.id}"))
    assert ticket.number in page and _quotes_the_customer(page) == []

    # Bea's notices waited for her digest: it goes out afterwards without the customer's
    # words, the marker in her language, and still lists her notice.
    waiting = list(db.session.scalars(select(StaffNotice).where(StaffNotice.user_id == bea.id)))
    assert {n.status for n in waiting} == {NoticeStatus.DIGEST}
    assert all(_quotes_the_customer(f"{n.summary} {n.context}") == [] for n in waiting)
    _send_digests(hours=2)
    (digest,) = _digest_to(bea)
    assert _quotes_the_customer(_mail_text(digest)) == []
    assert "[usunięto]" in digest.body_text and ticket.number in digest.body_text
    assert "1 powiadomienie" in digest.subject

    # Every record is still there: who was told stays.
    assert db.session.scalar(select(func.count(StaffNotice.id))) == notices_before
    assert db.session.scalar(select(func.count(InboxNotification.id))) == inbox_before
    note = db.session.scalar(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "note")
    )
    assert NOTE in note.data["text"]


def test_a_digest_sent_before_the_erasure_loses_only_the_erased_ticket_lines(
    app, client, login, post_form, colleagues, admin_user
):
    ola, bea = colleagues
    _customer_ticket(ola, bea)
    other = make_ticket(subject="Invoice copy wanted", customer_email="tom@example.org")
    _announce(other, bea)
    db.session.commit()
    _send_digests(hours=2)
    (digest,) = _digest_to(bea)
    assert COMPLAINT in digest.body_text and "Invoice copy wanted" in digest.body_text

    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    db.session.expire_all()

    digest = db.session.get(OutboxMessage, digest.id)
    assert _quotes_the_customer(_mail_text(digest)) == []
    assert "Invoice copy wanted" in digest.body_text  # another customer's ticket: untouched
    assert "Invoice copy wanted" in html.unescape(digest.body_html)
    assert digest.to_address == bea.email  # who got it stays


def test_the_retention_job_scrubs_the_same_staff_copies(colleagues, admin_user):
    ola, bea = colleagues
    ticket = _customer_ticket(ola, bea)
    _send_digests(hours=2)
    long_ago = utcnow() - timedelta(days=200)
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(
            state="resolved",
            created_at=long_ago - timedelta(days=3),
            state_entered_at=long_ago,
            resolved_at=long_ago,
            updated_at=long_ago,
        )
    )
    db.session.commit()
    retention.change_retention(3)
    db.session.commit()

    run = retention.erase_expired_data()
    assert run.counts["tickets"] == 1
    db.session.expire_all()

    routed = _staff_mail(ticket, "staff_ticket_notice", ola.email)
    mention = _staff_mail(ticket, "note_mention", ola.email)
    (digest,) = _digest_to(bea)
    for message in (routed, mention, digest):
        assert _quotes_the_customer(_mail_text(message)) == [], message.template
    assert NOTE in mention.body_text
    entries = db.session.scalars(
        select(InboxNotification).where(InboxNotification.ticket_id == ticket.id)
    )
    contexts = " ".join(str(entry.context) for entry in entries)
    assert NOTE in contexts and _quotes_the_customer(contexts) == []
    for notice in db.session.scalars(select(StaffNotice).where(StaffNotice.ticket_id == ticket.id)):
        assert _quotes_the_customer(f"{notice.summary} {notice.context}") == []


def _closed_until() -> tuple[dict, datetime]:
    """Working hours (UTC) closed now, and when they next open (two days from now, 09:00)."""
    opening = (utcnow() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {WEEKDAYS[opening.weekday()]: [["09:00", "10:00"]]}, opening


def test_a_notice_held_through_quiet_hours_goes_out_after_the_erasure_without_the_customer(
    app, login, post_form, builtin_forms, create_user, admin_user
):
    """The real new-ticket path: the team is full, so every member is told; Sven is off duty
    and his notice waits; it goes out after the erasure, built from the erased ticket."""
    ola = builtin_forms
    hours, opening = _closed_until()
    sven = create_user(email="sven@example.com", name="Sven", locale="sl", working_hours=hours)
    sven.timezone = "UTC"
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    db.session.add(TeamMembership(team=care, user=sven))
    for member in (ola, sven):
        member.capacity = 0  # routing leaves the ticket to the team
    db.session.commit()
    ticket = make_ticket(
        subject=COMPLAINT,
        customer_name=NAME,
        customer_email=ADDRESS,
        customer_locale="en",
        answers={"score": 2, "what_went_wrong": COMPLAINT, "email": ADDRESS},
    )
    assert ticket.assignee_id is None
    routed = _staff_mail(ticket, "ticket_routed", ola.email)
    assert COMPLAINT in routed.subject and NAME in routed.body_text
    held = db.session.scalar(select(StaffNotice).where(StaffNotice.user_id == sven.id))
    assert held.status == NoticeStatus.HELD

    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    db.session.expire_all()

    routed = db.session.get(OutboxMessage, routed.id)
    assert _quotes_the_customer(_mail_text(routed)) == []
    assert "From: [erased]" in routed.body_text
    assert release_held_notices(now=opening.isoformat()) == 1
    db.session.expire_all()
    mail = _staff_mail(ticket, "ticket_routed", sven.email)
    assert _quotes_the_customer(_mail_text(mail)) == []
    assert "[izbrisano]" in mail.subject and "[izbrisano]" in mail.body_text
    assert ticket.number in mail.subject


def test_a_forward_by_email_keeps_the_senders_note_but_not_the_customers_words(
    app, login, post_form, colleagues, admin_user
):
    ola, bea = colleagues
    ticket = _customer_ticket(ola, bea)
    share_ticket(
        ticket,
        recipient_for(None, "partner@courier.example", "en"),
        ola,
        "Please check depot 7",
        [("What went wrong?", COMPLAINT), ("Your name", NAME)],
        scope="response",
    )
    db.session.commit()
    forward = _staff_mail(ticket, "ticket_shared", "partner@courier.example")
    assert COMPLAINT in forward.body_text

    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    db.session.expire_all()

    forward = db.session.get(OutboxMessage, forward.id)
    assert _quotes_the_customer(_mail_text(forward)) == []
    assert "Please check depot 7" in forward.body_text and "What went wrong?" in forward.body_text
    assert forward.to_address == "partner@courier.example"  # whom it went to stays


def test_a_weekly_summary_sent_before_the_erasure_keeps_the_other_tickets(
    app, login, post_form, colleagues, admin_user
):
    ola, bea = colleagues
    save_choice(ola, True)
    ticket = _customer_ticket(ola, bea)
    other = make_ticket(subject="Invoice copy wanted", customer_email="tom@example.org")
    assert other.assignee_id == ola.id
    today = utcnow().date()
    monday = today + timedelta(days=7 - today.weekday())
    send_weekly_summaries(datetime.combine(monday, time(9, 30), tzinfo=UTC).isoformat())
    db.session.expire_all()
    summary = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "weekly_summary")
    )
    assert COMPLAINT in summary.body_text and ticket.number in summary.body_text

    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    db.session.expire_all()

    summary = db.session.get(OutboxMessage, summary.id)
    assert _quotes_the_customer(_mail_text(summary)) == []
    assert ticket.number in summary.body_text
    assert "Invoice copy wanted" in summary.body_text
    assert "Invoice copy wanted" in html.unescape(summary.body_html)
