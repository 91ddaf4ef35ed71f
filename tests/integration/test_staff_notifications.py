"""Staff notifications: quiet hours, urgent ones that pass them, digests, off, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jobs.notices import release_held_notices, send_digests
from jobs.schedule import sweep_sla
from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import (
    NoticeStatus,
    OutboxMessage,
    StaffNotice,
    Team,
    TeamMembership,
    TicketEvent,
    utcnow,
)
from webapp.models.people import WEEKDAYS
from webapp.services.notifications import next_full_hour
from webapp.services.tasks import assign_task, move_task
from webapp.services.tickets import change_priority


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def closed_until() -> tuple[dict, datetime]:
    """Working hours (UTC) closed right now, and the instant they next open.

    One hour on the weekday two days from now: whenever the test runs, the agent is
    off duty, and their next working period starts then.
    """
    opening = (utcnow() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {WEEKDAYS[opening.weekday()]: [["09:00", "10:00"]]}, opening


@pytest.fixture
def care(app, create_user) -> dict:
    """The care team the default routing uses: Ola (agent) and Lena (lead); Bea elsewhere."""
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([team, Team(slug="product-quality", name="Product Quality")])
    ola = create_user(email="ola@example.com", name="Ola Nowak", languages=["pl", "en"])
    lena = create_user(email="lena@example.com", name="Lena Lead")
    bea = create_user(email="bea@example.com", name="Bea Brown")
    dan = create_user(email="dan@example.com", name="Dan Digest")
    db.session.add_all(
        [TeamMembership(team=team, user=ola), TeamMembership(team=team, user=lena, is_lead=True)]
    )
    db.session.commit()
    return {"team": team, "ola": ola, "lena": lena, "bea": bea, "dan": dan}


def mails_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address]


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_quiet_hours_hold_a_mention_until_the_agent_starts_work(
    client, login, post_form, care, smtp_server, run_jobs
):
    hours, opening = closed_until()
    dan = care["dan"]
    dan.working_hours = hours
    dan.timezone = "UTC"
    db.session.commit()
    ticket = make_ticket()
    login(care["bea"])
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@dan could you call Jan back?"})
    run_jobs()
    assert mails_to(smtp_server, dan.email) == []  # off duty: nothing now
    notice = db.session.scalar(select(StaffNotice))
    assert notice.status == NoticeStatus.HELD and notice.deliver_after == opening
    assert notice.context == {  # plain values only: the e-mail is rebuilt from them later
        "author": "Bea Brown",
        "text": "@dan could you call Jan back?",
        "state": ticket.state,
    }

    assert release_held_notices(now=(opening - timedelta(minutes=1)).isoformat()) == 0
    assert release_held_notices(now=opening.isoformat()) == 1
    assert release_held_notices(now=opening.isoformat()) == 0  # run twice, sent once
    run_jobs()
    [mail] = mails_to(smtp_server, dan.email)
    assert "Bea Brown mentioned you" in mail["Subject"]
    assert "could you call Jan back?" in plain_text(mail)
    assert f"/tickets/{ticket.number}" in plain_text(mail)
    # The note's timeline entry points at the e-mail that finally went out.
    note = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "note"))
    [key] = note.data["message_keys"]
    sent_to = select(OutboxMessage.to_address).where(OutboxMessage.message_key == key)
    assert db.session.scalar(sent_to) == dan.email


def test_held_notice_waits_again_when_the_hours_changed(app, care):
    hours, opening = closed_until()
    dan = care["dan"]
    dan.working_hours, dan.timezone = hours, "UTC"
    db.session.commit()
    ticket = make_ticket()
    assign_task(ticket, "Check the invoice", dan, care["bea"])
    db.session.commit()
    later = {WEEKDAYS[opening.weekday()]: [["11:00", "12:00"]]}
    dan.working_hours = later
    db.session.commit()
    assert release_held_notices(now=opening.isoformat()) == 0
    notice = db.session.scalar(select(StaffNotice))
    assert notice.status == NoticeStatus.HELD
    assert notice.deliver_after == opening.replace(hour=11)
    assert release_held_notices(now=opening.replace(hour=11).isoformat()) == 1


def test_an_urgent_breach_reaches_the_team_lead_at_night(app, care, smtp_server, run_jobs):
    hours, _ = closed_until()
    lena = care["lena"]
    lena.working_hours, lena.timezone = hours, "UTC"
    db.session.commit()
    urgent, normal = make_ticket(subject="Site down"), make_ticket(subject="Typo")
    change_priority(urgent, "urgent", None)
    change_priority(normal, "normal", None)
    past = utcnow() - timedelta(minutes=1)
    for ticket in (urgent, normal):
        ticket.first_response_warn_at = ticket.first_response_due_at = past
    db.session.commit()

    assert sweep_sla(now=utcnow().isoformat()) == 2
    run_jobs()
    [mail] = mails_to(smtp_server, lena.email)  # the urgent one, at once
    assert urgent.number in mail["Subject"] and "SLA breached" in mail["Subject"]
    held = db.session.scalars(select(StaffNotice)).all()
    assert [(n.ticket_id, n.event, n.status) for n in held] == [
        (normal.id, "sla_breach", NoticeStatus.HELD)
    ]


def test_a_breach_notice_names_the_ticket_it_is_about(app, care, smtp_server, run_jobs):
    """The subject "[LD-1001] SLA breached: first response overdue" leaves the lead guessing which
    ticket it is; the mail names its subject, escaped in the HTML part."""
    ticket = make_ticket(subject="Site <b>down</b> & out")
    change_priority(ticket, "urgent", None)
    ticket.first_response_warn_at = ticket.first_response_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sweep_sla(now=utcnow().isoformat())
    run_jobs()
    [mail] = mails_to(smtp_server, care["lena"].email)
    assert mail["Subject"] == f"[{ticket.number}] SLA breached: first response overdue"
    assert "Subject: Site <b>down</b> & out" in plain_text(mail).splitlines()
    html = mail.get_body(("html",)).get_content()
    assert "<p>Subject: Site &lt;b&gt;down&lt;/b&gt; &amp; out</p>" in html


def test_the_customer_replied_notice_quotes_the_reply(app, care, smtp_server, run_jobs):
    """ "The customer replied" alone sent the assignee to the ticket to learn what was said."""
    from webapp.services.replies import receive_customer_reply, send_public_reply
    from webapp.services.tickets import fire

    ola = care["ola"]
    ola.working_hours = {}  # at work whenever the reply comes
    ticket = make_ticket()
    assert ticket.assignee_id == ola.id
    fire(ticket, "start", ola)
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ola)
    fire(ticket, "ask_customer", ola)
    db.session.commit()
    receive_customer_reply(ticket, "Numer: <b>48213</b>\n\nPozdrawiam, Jan")
    db.session.commit()
    run_jobs()
    [mail] = [m for m in mails_to(smtp_server, ola.email) if "customer replied" in m["Subject"]]
    text = plain_text(mail)
    assert "Numer: <b>48213</b>\n\nPozdrawiam, Jan" in text.replace("\r\n", "\n")
    html = mail.get_body(("html",)).get_content()
    assert "Numer: &lt;b&gt;48213&lt;/b&gt;</p>" in html and "<b>48213" not in html

    fire(ticket, "resolve", ola)
    db.session.commit()
    receive_customer_reply(ticket, "Niestety znowu nie działa.")  # reopens it
    db.session.commit()
    run_jobs()
    [reopened] = [m for m in mails_to(smtp_server, ola.email) if "Reopened" in m["Subject"]]
    assert "Niestety znowu nie działa." in plain_text(reopened)


def test_digest_collects_a_mention_and_a_task_change_into_one_email(
    client, login, post_form, care, smtp_server, run_jobs
):
    dan, bea = care["dan"], care["bea"]
    dan.notification_settings = {"mentions": "digest", "tasks": "digest"}
    db.session.commit()
    ticket = make_ticket()
    task = assign_task(ticket, "Refund the order", bea, dan)  # Dan gave Bea a task
    db.session.commit()
    login(bea)
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@dan done, see the refund"})
    move_task(task, "accept", bea)  # Dan hears that his task changed
    db.session.commit()
    run_jobs()
    assert mails_to(smtp_server, dan.email) == []
    assert len(mails_to(smtp_server, bea.email)) == 1  # Bea's own choice: at once

    notices = db.session.scalars(select(StaffNotice)).all()
    assert {n.status for n in notices} == {NoticeStatus.DIGEST}
    [hour] = {n.deliver_after for n in notices}  # the next full hour after they came
    assert hour == next_full_hour(notices[0].created_at)
    assert send_digests(now=(hour - timedelta(minutes=1)).isoformat()) == 0
    assert send_digests(now=hour.isoformat()) == 1
    assert send_digests(now=hour.isoformat()) == 0  # run twice, sent once
    run_jobs()
    [digest] = mails_to(smtp_server, dan.email)
    assert "2 notifications" in digest["Subject"]
    body = plain_text(digest)
    assert "Bea Brown mentioned you" in body and "Refund the order" in body
    assert body.count(f"/tickets/{ticket.number}") == 2
    assert "Mentions in internal notes" in body and "Tasks given to you" in body
    html = digest.get_body(("html",)).get_content()
    assert f'href="http://loopdesk.test/tickets/{ticket.number}"' in html
    # A digest he chose: his mail client's "Unsubscribe" opens the settings that turn it off.
    assert digest["List-Unsubscribe"] == "<http://loopdesk.test/account/notifications>"
    [task_mail] = mails_to(smtp_server, bea.email)
    assert task_mail["List-Unsubscribe"] is None  # a task given to her is not a subscription


def test_off_sends_nothing(client, login, post_form, care, smtp_server, run_jobs):
    dan = care["dan"]
    login(dan)
    response = post_form("/account/notifications", {"mentions": "off", "sla": "digest"})
    assert response.status_code == 303
    post_form("/logout")
    ticket = make_ticket()
    login(care["bea"])
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@dan are you there?"})
    hour = next_full_hour(utcnow())
    release_held_notices(now=hour.isoformat())
    send_digests(now=hour.isoformat())
    run_jobs()
    assert mails_to(smtp_server, dan.email) == []
    assert db.session.scalar(select(StaffNotice)) is None
    note = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "note"))
    assert note.data["message_keys"] == []


def test_settings_page_saves_shows_and_refuses_bogus_choices(client, login, post_form, care):
    dan = care["dan"]
    dan.working_hours = {day: [["08:00", "16:00"]] for day in WEEKDAYS[:5]}
    db.session.commit()
    assert client.get("/account/notifications").status_code == 302  # login first
    login(dan)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    text = text_of(page)
    assert "Mentions in internal notes" in text and "Hourly digest" in text
    assert "08:00–16:00" in text and "Warsaw, UTC+0" in text  # the city, not "Europe/Warsaw"
    assert "except urgent ones" in text
    # The header's bell leads to the inbox (marked current here), and the inbox to these settings.
    assert 'href="/notifications" class="inbox-bell"' in page.get_data(as_text=True)
    assert 'href="/account/notifications"' in client.get("/notifications").get_data(as_text=True)

    saved = post_form("/account/notifications", {"mentions": "digest", "tasks": "off"})
    assert saved.status_code == 303
    html = client.get("/account/notifications").get_data(as_text=True)
    assert "mentions-digest" in html
    db.session.refresh(dan)
    assert dan.notification_settings["mentions"] == "digest"
    assert dan.notification_settings["tasks"] == "off"
    assert dan.notification_settings["sla"] == "immediate"

    bogus = post_form("/account/notifications", {"mentions": "hourly-ish", "tasks": "immediate"})
    assert bogus.status_code == 422
    assert "Please choose at once, hourly digest or off" in text_of(bogus)
    db.session.refresh(dan)
    assert dan.notification_settings["mentions"] == "digest"  # nothing saved
    assert dan.notification_settings["tasks"] == "off"
    refused = client.post("/account/notifications", data={"mentions": "off"})
    assert refused.status_code == 400  # no CSRF token


def test_checked_radios_show_the_saved_choice(client, login, post_form, care):
    login(care["dan"])
    post_form("/account/notifications", {"reminders": "digest"})
    html = client.get("/account/notifications").get_data(as_text=True)
    checked = [line for line in html.splitlines() if "checked" in line]
    assert any('id="reminders-digest"' in line for line in checked)
    assert any('id="mentions-immediate"' in line for line in checked)


def test_a_new_ticket_routed_to_an_agent_notifies_them_once(app, care, smtp_server, run_jobs):
    ticket = make_ticket(subject="Zwrot pieniędzy")
    assert ticket.assignee_id == care["ola"].id
    run_jobs()
    [mail] = mails_to(smtp_server, care["ola"].email)  # one e-mail, not two
    assert f"[{ticket.number}] Assigned to you: Zwrot pieniędzy" in mail["Subject"]
    assert f"/tickets/{ticket.number}" in plain_text(mail)


def test_a_ticket_subject_as_long_as_allowed_shortens_the_notice_s_subject_line(
    app, care, smtp_server, run_jobs
):
    """A 300-character subject (the most a ticket keeps) put after "[LD-1001] Assigned to
    you: " was more than the outbox keeps: on PostgreSQL the ticket could not be created.
    The e-mail goes, its subject line cut with an ellipsis, the number first as always."""
    from email.header import decode_header, make_header

    from webapp.outbox import SUBJECT_LIMIT

    words = ("Zwrot pieniędzy za zamówienie " * 10)[:300]
    ticket = make_ticket(subject=words)
    assert ticket.subject == words
    run_jobs()
    [mail] = mails_to(smtp_server, care["ola"].email)
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.startswith(f"[{ticket.number}] Assigned to you: Zwrot pieniędzy za")
    assert subject.endswith("…") and len(subject) == SUBJECT_LIMIT
    assert words[:200] in subject
    # A digest lists the same line, cut the same way.
    from webapp.services.notifications import notice_summary

    line = notice_summary(care["ola"], ticket, "staff_ticket_notice", {"kind": "ticket_assigned"})
    assert line == subject


def test_an_unassigned_new_ticket_notifies_the_team(app, care, smtp_server, run_jobs):
    for member in (care["ola"], care["lena"]):
        member.capacity = 0  # the team is full: routing leaves the ticket to the team
    db.session.commit()
    ticket = make_ticket(subject="Paczka zaginęła")
    assert ticket.assignee_id is None
    run_jobs()
    for member in (care["ola"], care["lena"]):
        [mail] = mails_to(smtp_server, member.email)
        assert f"[{ticket.number}] New ticket for Customer Care" in mail["Subject"]
        assert "nobody has it yet" in plain_text(mail)
    assert mails_to(smtp_server, care["bea"].email) == []


def test_sla_warning_notifies_the_assignee(app, care, smtp_server, run_jobs):
    ticket = make_ticket()
    now = utcnow()
    ticket.first_response_warn_at = now - timedelta(minutes=1)
    ticket.first_response_due_at = datetime(2030, 1, 2, 9, 30, tzinfo=UTC)
    db.session.commit()
    assert sweep_sla(now=now.isoformat()) == 1
    assert sweep_sla(now=now.isoformat()) == 0
    run_jobs()
    [mail] = mails_to(smtp_server, care["ola"].email)[-1:]
    assert "SLA deadline close" in mail["Subject"] and "First response" in mail["Subject"]
    assert "10:30" in mail["Subject"]  # Ola reads it in her own time zone (Warsaw)
    queued = db.session.scalars(select(TicketEvent).where(TicketEvent.kind == "email_queued"))
    assert "sla_warning" in [event.data["template"] for event in queued]  # on the timeline


def test_inactive_colleagues_get_nothing(app, care, smtp_server, run_jobs):
    lena = care["lena"]
    lena.active = False
    db.session.commit()
    ticket = make_ticket()
    change_priority(ticket, "urgent", None)
    ticket.first_response_warn_at = ticket.first_response_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sweep_sla(now=utcnow().isoformat())
    run_jobs()
    assert mails_to(smtp_server, lena.email) == []
    assert db.session.scalar(select(StaffNotice)) is None


def test_two_releases_at_once_send_each_notice_once(app, care):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent claims need PostgreSQL (SQLite serialises writers anyway)")
    import threading

    hours, opening = closed_until()
    dan = care["dan"]
    dan.working_hours, dan.timezone = hours, "UTC"
    dan.notification_settings = {"mentions": "digest"}
    db.session.commit()
    ticket = make_ticket()
    for title in ("One", "Two", "Three"):
        assign_task(ticket, title, dan, care["bea"])  # held: Dan is off duty
    from webapp.services.notes import add_note

    add_note(ticket, "@dan digest me", care["bea"])
    db.session.commit()
    results: dict[str, list[int]] = {"release_held_notices": [], "send_digests": []}

    def run(job) -> None:
        with app.app_context():
            results[job.__name__].append(job(now=opening.isoformat()))

    threads = [threading.Thread(target=run, args=(job,)) for job in (release_held_notices,) * 2]
    threads += [threading.Thread(target=run, args=(job,)) for job in (send_digests,) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sum(results["release_held_notices"]) == 3  # three held tasks, each once
    assert sorted(results["send_digests"]) == [0, 1]  # one digest, once
    keys = db.session.scalars(
        select(OutboxMessage.message_key).where(OutboxMessage.to_address == dan.email)
    ).all()
    assert len(keys) == 4
