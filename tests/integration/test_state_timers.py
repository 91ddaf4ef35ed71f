"""State timers: a ticket waiting on the customer is reminded after 3 days and resolved
after 7; a resolved one closes after 7 days; a reply starts the count again.

Real SMTP server; with TEST_REDIS_URL the periodic job and the e-mails run through a real
RQ worker, otherwise in-process. Time moves by setting the ticket's timestamps back.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from jobs import enqueue
from jobs.schedule import fire_state_timers
from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import Role, Ticket, TicketEvent, TicketLabel, WorkflowKind, utcnow
from webapp.services import email_texts, state_timers
from webapp.services.replies import receive_customer_reply, send_public_reply
from webapp.services.tickets import create_task, fire
from webapp.services.workflow_versions import publish_version

DEFAULT_WORKFLOW = Path(__file__).resolve().parents[2] / "workflow/definitions/default.yaml"
REMINDER_SUBJECT = "Wciąż czekamy na Twoją odpowiedź"


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def ola(builtin_forms):
    """The agent on duty the default routing gives every ticket to."""
    return builtin_forms


@pytest.fixture
def boss(app, create_user):
    return create_user(email="boss@example.com", name="Bea Boss", role=Role.ADMIN)


def waiting_ticket(ola, run_jobs, **fields) -> Ticket:
    """A Polish customer's ticket the agent asked a question on: waiting on the customer."""
    ticket = make_ticket(**fields)
    fire(ticket, "start", ola)
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ola)
    fire(ticket, "ask_customer", ola)
    db.session.commit()
    run_jobs()  # the status update, the reply and the question go out now
    assert ticket.state == "waiting_on_customer"
    return ticket


def time_passes(ticket: Ticket, days: float) -> None:
    """As if `days` had passed since the ticket entered its state (and its timers started)."""
    db.session.refresh(ticket)
    back = timedelta(days=days)
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(
            state_entered_at=ticket.state_entered_at - back,
            state_timer_due_at=(
                ticket.state_timer_due_at - back if ticket.state_timer_due_at else None
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def sweep(run_jobs) -> None:
    """The periodic job as the scheduler runs it: on RQ when configured, else in-process."""
    enqueue(fire_state_timers)
    run_jobs()  # the sweep (RQ), then the e-mails it queued
    run_jobs()


def reminders(smtp_server) -> list:
    return [m for m in smtp_server.messages if REMINDER_SUBJECT in m["Subject"]]


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def kinds(ticket) -> list[str]:
    return list(
        db.session.scalars(
            select(TicketEvent.kind)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    )


def timeline(client, login, agent, ticket) -> str:
    login(agent)
    page = client.get(f"/tickets/{ticket.number}")
    assert page.status_code == 200
    return html.unescape(text_of(page))


def test_a_waiting_customer_is_reminded_after_3_days_and_the_ticket_resolved_after_7(
    ola, client, login, smtp_server, run_jobs
):
    ticket = waiting_ticket(ola, run_jobs)
    sent_before = len(smtp_server.messages)

    sweep(run_jobs)
    time_passes(ticket, 2.9)
    sweep(run_jobs)
    assert len(smtp_server.messages) == sent_before  # nothing due yet

    time_passes(ticket, 0.2)  # 3 days and a bit
    sweep(run_jobs)
    [mail] = reminders(smtp_server)
    assert mail["To"] == "jan@example.pl"
    assert mail["Content-Language"] == "pl"
    assert mail["Subject"] == f"[{ticket.number}] {REMINDER_SUBJECT}"
    body = plain(mail)
    assert "Kilka dni temu poprosiliśmy Cię o dodatkowe informacje" in body
    assert "Państw" not in body  # the customer is "Ty", as in every other Polish e-mail
    assert f"http://loopdesk.test/t/{ticket.status_token}" in body  # where they answer
    html = mail.get_body(("html",)).get_content()
    assert f'href="http://loopdesk.test/t/{ticket.status_token}"' in html
    db.session.refresh(ticket)
    assert ticket.state == "waiting_on_customer"

    sweep(run_jobs)  # the same moment again: nothing fires twice
    assert len(reminders(smtp_server)) == 1

    time_passes(ticket, 4)  # 7 days and a bit without a reply
    sweep(run_jobs)
    db.session.refresh(ticket)
    assert ticket.state == "resolved"
    assert ticket.resolved_at is not None
    # As for an agent's move: the customer is told, the survey is scheduled.
    resolved_mails = [m for m in smtp_server.messages if "Rozwiązane" in m["Subject"]]
    assert len(resolved_mails) == 1
    assert "survey_scheduled" in kinds(ticket)
    move = db.session.scalar(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "transition")
        .order_by(TicketEvent.id.desc())
    )
    assert (move.actor_kind, move.from_state, move.to_state) == (
        "system",
        "waiting_on_customer",
        "resolved",
    )
    # The resolved state's own timer now counts from the move.
    assert ticket.state_timer_due_at - ticket.state_entered_at == timedelta(days=7)

    history = timeline(client, login, ola, ticket)
    assert "No reply from the customer for 3 days." in history
    assert "E-mail queued (reminder that we still wait for the customer's answer)" in history
    assert "Loopdesk resolved the ticket: no reply from the customer for 7 days." in history


def test_the_history_says_it_in_the_agents_language(
    ola, client, login, create_user, smtp_server, run_jobs
):
    piotr = create_user(email="piotr@example.com", name="Piotr", locale="pl")
    ticket = waiting_ticket(ola, run_jobs)
    time_passes(ticket, 7.1)
    sweep(run_jobs)  # the reminder: one timer per sweep
    sweep(run_jobs)  # then the resolution
    history = timeline(client, login, piotr, ticket)
    assert "Klient nie odpowiadał przez 3 dni." in history
    assert "Loopdesk rozwiązał zgłoszenie: klient nie odpowiadał przez 7 dni." in history


def test_a_customer_reply_in_between_starts_the_count_again(ola, smtp_server, run_jobs):
    ticket = waiting_ticket(ola, run_jobs)
    time_passes(ticket, 3.1)
    sweep(run_jobs)
    assert len(reminders(smtp_server)) == 1

    receive_customer_reply(ticket, "Numer zamówienia: 4411")
    db.session.commit()
    assert ticket.state == "in_progress"
    time_passes(ticket, 5)
    sweep(run_jobs)
    db.session.refresh(ticket)
    assert ticket.state == "in_progress"  # agents work on it: no timer there

    send_public_reply(ticket, "Dziękujemy, a data zakupu?", ola)
    fire(ticket, "ask_customer", ola)
    db.session.commit()
    time_passes(ticket, 2.9)  # days counted from this question, not the first one
    sweep(run_jobs)
    assert len(reminders(smtp_server)) == 1
    time_passes(ticket, 0.2)
    sweep(run_jobs)
    assert len(reminders(smtp_server)) == 2
    time_passes(ticket, 3.8)
    sweep(run_jobs)
    db.session.refresh(ticket)
    assert ticket.state == "waiting_on_customer"
    time_passes(ticket, 0.2)
    sweep(run_jobs)
    db.session.refresh(ticket)
    assert ticket.state == "resolved"


def test_a_reply_that_moves_nothing_restarts_the_states_timers(ola, boss, run_jobs):
    """In a workflow where agents get a nudge after 2 quiet days of work on a ticket."""
    text = DEFAULT_WORKFLOW.read_text(encoding="utf-8").replace(
        "    label: {en: In progress, pl: W toku, ru: В работе, sl: V delu}\n",
        "    label: {en: In progress, pl: W toku, ru: В работе, sl: V delu}\n"
        "    timers:\n      - {after: 2d, do: [{add_label: quiet}]}\n",
    )
    publish_version(WorkflowKind.TICKET, text, boss, check_teams=False)
    db.session.commit()
    ticket = make_ticket()
    fire(ticket, "start", ola)
    db.session.commit()

    def labels() -> list[str]:
        return list(
            db.session.scalars(select(TicketLabel.name).where(TicketLabel.ticket_id == ticket.id))
        )

    time_passes(ticket, 1.5)
    receive_customer_reply(ticket, "Czy są jakieś wieści?")  # no transition for this one
    db.session.commit()
    assert ticket.state == "in_progress"
    time_passes(ticket, 1)
    sweep(run_jobs)
    assert "quiet" not in labels()  # 2.5 days in the state, but 1 since the customer wrote
    time_passes(ticket, 1.1)
    sweep(run_jobs)
    assert "quiet" in labels()


def test_a_resolved_ticket_closes_after_7_days(ola, boss, client, login, run_jobs):
    ticket = make_ticket()
    fire(ticket, "resolve", boss)
    db.session.commit()
    time_passes(ticket, 6.9)
    sweep(run_jobs)
    db.session.refresh(ticket)
    assert ticket.state == "resolved"
    time_passes(ticket, 0.2)
    sweep(run_jobs)
    db.session.refresh(ticket)
    assert ticket.state == "closed"
    assert ticket.state_timer_due_at is None  # closed has no timers
    history = timeline(client, login, ola, ticket)
    assert "Loopdesk closed the ticket: it was in “Resolved” for 7 days." in history


def test_two_sweeps_that_read_the_same_due_ticket_fire_its_timer_once(ola, smtp_server, run_jobs):
    ticket = waiting_ticket(ola, run_jobs)
    time_passes(ticket, 3.1)
    seen_by_the_other_worker = state_timers.due_timer_rows(utcnow())
    assert [row.id for row in seen_by_the_other_worker] == [ticket.id]
    sweep(run_jobs)  # this worker claims and fires it
    assert state_timers.fire_due_timers(seen_by_the_other_worker) == 0  # the other one lost
    run_jobs()
    assert len(reminders(smtp_server)) == 1
    assert kinds(ticket).count("state_timer") == 1


def test_a_timer_whose_move_is_no_longer_possible_is_skipped_with_a_note(
    ola, boss, client, login, run_jobs
):
    """Resolving needs the ticket's tasks done; an open task stops the 7-day resolution."""
    text = DEFAULT_WORKFLOW.read_text(encoding="utf-8").replace(
        "    roles: [assignee, admin, system]   # system: the waiting state's 7-day timer\n",
        "    roles: [assignee, admin, system]\n    guards: [no_open_tasks]\n",
    )
    publish_version(WorkflowKind.TICKET, text, boss, check_teams=False)
    db.session.commit()
    ticket = waiting_ticket(ola, run_jobs)
    create_task(ticket, "Sprawdzić płatność", ola, boss)
    db.session.commit()
    time_passes(ticket, 7.1)
    sweep(run_jobs)  # the reminder
    sweep(run_jobs)  # the resolution, refused
    db.session.refresh(ticket)
    assert ticket.state == "waiting_on_customer"
    assert ticket.state_timer_due_at is None  # every timer of the state had its turn
    assert kinds(ticket).count("state_timer_skipped") == 1
    history = timeline(client, login, ola, ticket)
    assert (
        "Loopdesk skipped “Resolve” (no reply from the customer for 7 days): "
        "Finish or decline the open tasks first." in history
    )


def test_an_admins_own_reminder_text_is_sent_instead(ola, boss, smtp_server, run_jobs):
    email_texts.save(
        "still_waiting",
        "pl",
        "{number}: czy możemy pomóc dalej?",
        "Dzień dobry {name},\n\nczy nadal potrzebują Państwo pomocy? {status_link}",
        0,
        boss,
    )
    db.session.commit()
    ticket = waiting_ticket(ola, run_jobs)
    time_passes(ticket, 3.1)
    sweep(run_jobs)
    [mail] = [m for m in smtp_server.messages if "czy możemy pomóc dalej" in m["Subject"]]
    assert mail["Subject"] == f"{ticket.number}: czy możemy pomóc dalej?"
    assert f"/t/{ticket.status_token}" in plain(mail)


def test_the_email_texts_page_offers_the_reminder_in_every_language(client, login, boss):
    login(boss)
    page = html.unescape(text_of(client.get("/admin/email-templates")))
    assert "Reminder while we wait for the customer's answer" in page
    editor = client.get("/admin/email-templates/still_waiting/sl").get_data(as_text=True)
    assert "Še vedno čakamo na vaš odgovor" in editor  # the built-in Slovenian text to edit
    assert "{status_link}" in editor


def test_the_workflow_studio_lists_the_timers_in_words(client, login, boss):
    login(boss)
    page = html.unescape(text_of(client.get("/admin/workflow")))
    assert (
        "after 3 days: e-mail the customer (reminder that we still wait for the customer's "
        "answer)" in page
    )
    assert "after 7 days: Resolve" in page
    assert "after 7 days: Close" in page
    assert re.search(r"Timers: what happens when a ticket stays in a state", page)
