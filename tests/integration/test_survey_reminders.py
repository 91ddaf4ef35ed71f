"""One reminder for a survey left unanswered: N days after it was sent, once, by e-mail.

Real SMTP server; with TEST_REDIS_URL the jobs and the mails run through a real RQ worker.
Time travels through the jobs' `now` argument: the survey goes out 25 hours after the
resolution, so with the default three days its reminder is due 97 hours after it.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from sqlalchemy import func, inspect, select, text

from jobs import enqueue
from jobs.surveys import send_due_surveys, send_survey_reminders
from tests.helpers import text_of
from tests.integration.test_surveys import later, resolved_ticket
from webapp.extensions import db
from webapp.models import OutboxMessage, Role, SurveyInvitation, SurveyStatus, WorkflowKind
from webapp.services import surveys
from webapp.services.customer_data import export_held_data, find_held_data
from webapp.services.non_essential_mail import opt_out
from webapp.services.spam import block_sender
from webapp.services.tickets import fire
from webapp.services.workflow_versions import SHIPPED, publish_version

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
SCHEDULE = "schedule_survey: {form: csat, after: 24h}"
SENT, DUE = 25, 25 + 72  # hours after now: the survey goes out, its reminder is due


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def resolver(app, builtin_forms, create_user):
    return create_user(email="lea@example.com", name="Lea", role=Role.ADMIN, locale="pl")


def run(run_jobs, job, hours: float) -> None:
    """A periodic job as the scheduler runs it (on RQ when configured), then its e-mails."""
    enqueue(job, later(hours))
    run_jobs()
    run_jobs()


def invitation_of(ticket) -> SurveyInvitation:
    db.session.expire_all()
    return db.session.scalars(
        select(SurveyInvitation)
        .where(SurveyInvitation.ticket_id == ticket.id)
        .order_by(SurveyInvitation.id.desc())
    ).first()


def mails(smtp_server, to: str | None = None) -> dict[str, list]:
    """The survey mails received, by kind: the invitation's and the reminder's."""
    found: dict[str, list] = {"survey": [], "reminder": []}
    for message in smtp_server.messages:
        if not message["List-Unsubscribe"] or (to and message["To"] != to):
            continue
        reminder = (
            "przypomnienie" in message["Subject"].lower()
            or "reminder" in str(message["Subject"]).lower()
        )
        found["reminder" if reminder else "survey"].append(message)
    return found


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def reminders_queued(ticket) -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.message_key == f"survey_reminder:{invitation_of(ticket).id}"
        )
    )


def test_an_unanswered_survey_is_reminded_once_in_polish_three_days_later(
    resolver, client, login, smtp_server, run_jobs
):
    ticket = resolved_ticket(resolver)
    run(run_jobs, send_due_surveys, SENT)
    [survey] = mails(smtp_server)["survey"]
    assert invitation_of(ticket).remind_after_days == 3  # the default, no workflow change

    run(run_jobs, send_survey_reminders, DUE - 1)  # not yet
    assert mails(smtp_server)["reminder"] == []

    run(run_jobs, send_survey_reminders, DUE + 1)
    run(run_jobs, send_survey_reminders, DUE + 2)  # the next runs: nothing more
    assert surveys.send_due_reminders(datetime.now(UTC) + timedelta(hours=DUE + 3)) == 0
    [reminder] = mails(smtp_server)["reminder"]
    assert reminder["To"] == "jan@example.pl"
    assert reminder["Content-Language"] == "pl"
    assert reminder["Subject"] == f"[{ticket.number}] Krótkie przypomnienie: jak się spisaliśmy?"
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminder["List-Unsubscribe"] == survey["List-Unsubscribe"]
    assert reminder["Auto-Submitted"] == "auto-generated"
    assert reminder["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    body = plain(reminder)
    assert "Dzień dobry, Jan," in body
    assert (
        f"Kilka dni temu zapytaliśmy, jak oceniasz naszą pomoc w sprawie Twojego zgłoszenia "
        f"{ticket.number}: Płatność nie działa" in body
    )
    assert "To nasze jedyne przypomnienie." in body
    assert "Jak oceniasz otrzymaną od nas pomoc?" in body
    # The same one-click links as the survey's: one token, one answer.
    links = [line for line in body.splitlines() if "/s/" in line]
    assert len(links) == 5 and all(line in plain(survey) for line in links)
    reminder_html = reminder.get_body(("html",)).get_content()
    assert all(line.split(": ", 1)[1] in html.unescape(reminder_html) for line in links)

    invitation = invitation_of(ticket)
    assert invitation.status == SurveyStatus.SENT and invitation.reminded_at is not None
    assert reminders_queued(ticket) == 1
    # A data request shows the customer when they were reminded, too.
    [exported] = export_held_data(find_held_data("jan@example.pl"))["survey_invitations"]
    assert exported["reminded_at"] == invitation.reminded_at.isoformat()

    # A retried job whose claim was lost finds the reminder in the outbox: nothing twice.
    invitation.reminded_at = None
    db.session.commit()
    run(run_jobs, send_survey_reminders, DUE + 4)
    assert len(mails(smtp_server)["reminder"]) == 1 and reminders_queued(ticket) == 1

    # The history says so, in the viewer's language.
    login(resolver)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert page.count("Wysłano przypomnienie o ankiecie.") == 1
    assert "przypomnienie o ankiecie satysfakcji" in page  # the e-mail line

    # The customer answers from the reminder: one survey, one answer, counted once.
    answered = client.post(f"/s/{invitation.token}", data={"score": "4"})
    assert answered.status_code == 303
    assert db.session.scalar(select(func.count(SurveyInvitation.id))) == 1
    assert invitation_of(ticket).status == SurveyStatus.ANSWERED


def test_no_reminder_when_answered_reopened_unsubscribed_blocked_old_or_late(
    resolver, client, smtp_server, run_jobs
):
    def ticket_for(name: str):
        return resolved_ticket(resolver, customer_name=name, customer_email=f"{name}@example.pl")

    answered, reopened, resolved_again, unsubscribed, blocked, old, waiting = (
        ticket_for(name) for name in ("ala", "ola", "ela", "iza", "ewa", "ada", "uma")
    )
    run(run_jobs, send_due_surveys, SENT)
    assert len(mails(smtp_server)["survey"]) == 7

    client.post(f"/s/{invitation_of(answered).token}", data={"score": "5"})
    fire(reopened, "reopen", resolver)
    fire(resolved_again, "reopen", resolver)
    fire(resolved_again, "resolve", resolver)  # asks with a new survey of its own
    opt_out("iza@example.pl")
    block_sender("ewa@example.pl", resolver)
    before_reminders = invitation_of(old)  # sent before reminders existed (0033): none
    before_reminders.remind_after_days = before_reminders.remind_at = None
    db.session.commit()

    run(run_jobs, send_survey_reminders, DUE + 1)
    assert [m["To"] for m in mails(smtp_server)["reminder"]] == ["uma@example.pl"]
    for ticket in (reopened, unsubscribed, blocked):
        invitation = invitation_of(ticket)
        assert invitation.reminded_at is None and invitation.remind_at is None  # dropped
    assert invitation_of(answered).reminded_at is None
    assert invitation_of(resolved_again).status == SurveyStatus.SCHEDULED

    # Jobs stopped for a week: a reminder that late is dropped, not sent out of the blue.
    late = ticket_for("eva")
    run(run_jobs, send_due_surveys, SENT)
    run(run_jobs, send_survey_reminders, DUE + 73)
    assert [m["To"] for m in mails(smtp_server)["reminder"]] == ["uma@example.pl"]
    assert invitation_of(late).remind_at is None


def test_the_workflow_sets_the_days_or_turns_the_reminder_off(resolver, smtp_server, run_jobs):
    for setting, expected in (("remind_after: 5d", 5), ("remind_after: 0", None)):
        publish_version(
            WorkflowKind.TICKET,
            SHIPPED_TEXT.replace(SCHEDULE, SCHEDULE.replace("}", f", {setting}}}")),
            resolver,
            check_teams=False,
        )
        db.session.commit()
        ticket = resolved_ticket(resolver, customer_email=f"d{expected}@example.pl")
        assert invitation_of(ticket).remind_after_days == expected
    run(run_jobs, send_due_surveys, SENT)
    run(run_jobs, send_survey_reminders, SENT + 24 * 5 - 1)
    assert mails(smtp_server)["reminder"] == []
    run(run_jobs, send_survey_reminders, SENT + 24 * 5 + 1)
    assert [m["To"] for m in mails(smtp_server)["reminder"]] == ["d5@example.pl"]


@pytest.fixture
def polish_admin(builtin_forms, create_user, login):
    admin = create_user(email="ewa@example.pl", name="Ewa", role=Role.ADMIN, locale="pl")
    login(admin)
    return admin


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        (
            "remind_after: soon",
            "schedule_survey remind_after: 'soon' to nie jest liczba dni "
            "(użyj np. 3d albo 0, aby nie wysyłać przypomnienia)",
        ),
        (
            "remind_after: 4h",
            "schedule_survey remind_after: '4h' to nie jest liczba dni",
        ),
        (
            "remind_after: 400d",
            "schedule_survey remind_after: '400d' to za długo (najwyżej 365d)",
        ),
    ],
)
def test_a_wrong_reminder_setting_is_explained_in_polish(polish_admin, post_form, setting, problem):
    broken = SHIPPED_TEXT.replace(SCHEDULE, SCHEDULE.replace("}", f", {setting}}}"))
    checked = post_form("/admin/workflow/validate", {"yaml": broken}, htmx=True)
    assert checked.status_code == 200
    assert problem in html.unescape(text_of(checked))


def test_reminder_text_is_editable_under_email_texts(app):
    from webapp.services.email_builtin_texts import builtin_text
    from webapp.services.email_texts import EDITABLE

    assert "survey_reminder" in EDITABLE
    with app.test_request_context():
        subject, body = builtin_text("survey_reminder", "ru")
    assert subject == "[{number}] Короткое напоминание: как мы справились?"
    assert "Вашим обращением {number}: {subject}" in body
    assert "{survey_links}" in body and "{unsubscribe_url}" in body


def test_migration_0033_adds_and_removes_the_reminder_columns(app, resolver):
    ticket = resolved_ticket(resolver)
    invitation_id = invitation_of(ticket).id
    db.session.commit()
    db.session.close()
    try:
        flask_migrate.downgrade(revision="0032")
        columns = {c["name"] for c in inspect(db.engine).get_columns("survey_invitation")}
        assert {"remind_after_days", "remind_at", "reminded_at"}.isdisjoint(columns)
        with db.engine.connect() as connection:
            assert (
                connection.execute(
                    text("SELECT status FROM survey_invitation WHERE id = :id"),
                    {"id": invitation_id},
                ).scalar()
                == SurveyStatus.SCHEDULED
            )
    finally:
        flask_migrate.upgrade()
    invitation = db.session.get(SurveyInvitation, invitation_id)
    # Kept invitations come back without a reminder: an upgrade mails no old surveys.
    assert invitation.remind_after_days is None and invitation.remind_at is None
