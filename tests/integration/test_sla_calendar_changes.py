"""An admin changes a business calendar and publishes: open tickets' running SLA clocks
follow it (the ticket page, the stored deadlines the board and the sweep read, the history),
keeping the time already spent; met clocks and resolved tickets keep theirs."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from tests.helpers import make_ticket, text_of, ticket_events
from webapp.extensions import db
from webapp.models import Role, SlaAlert, Ticket, WorkflowKind
from webapp.services import drafts, sla_clock
from webapp.services.replies import send_public_reply
from webapp.services.tickets import fire
from webapp.services.workflow_versions import SHIPPED, active_version
from workflow.definition import load_definition_or_raise
from workflow.durations import parse_duration

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
WARSAW_CLOSED = 'closed_dates: ["2026-12-24", "2026-12-31"]'  # the Warsaw office's, once
WARSAW = ZoneInfo("Europe/Warsaw")


def with_warsaw_closed_on(*days) -> str:
    """The shipped workflow with the Warsaw office also closed on `days` (local dates)."""
    assert SHIPPED_TEXT.count(WARSAW_CLOSED) == 1
    extra = "".join(f', "{day.isoformat()}"' for day in days)
    return SHIPPED_TEXT.replace(WARSAW_CLOSED, WARSAW_CLOSED[:-1] + extra + "]")


def publish(client, post_form, text: str):
    """Save the text as the draft, review it and publish it, as an admin does; the page after."""
    number = active_version().number
    saved = post_form(
        "/admin/workflow",
        {"yaml": text, "revision": "", "base_number": str(number), "action": "review"},
    )
    assert saved.status_code == 303
    revision = drafts.current("workflow", "ticket").revision
    published = post_form("/admin/workflow/publish", {"revision": str(revision)})
    assert published.status_code == 303
    return client.get(published.location)


def sla_words(client, ticket: Ticket) -> str:
    """The ticket page's SLA section as a person reads it."""
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    section = re.search(r'<section id="ws-sla".*?</section>', page, re.S).group(0)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))


def history_words(client, ticket: Ticket) -> str:
    return re.sub(r"\s+", " ", html.unescape(text_of(client.get(f"/tickets/{ticket.number}"))))


def shown(moment) -> str:
    """A due time as the page shows it to an English agent in Warsaw."""
    return re.sub(r"\s+", " ", format_datetime(moment, "short", tzinfo=WARSAW, locale="en"))


def expected_due(text: str, ticket: Ticket, target: str):
    """The due time counted from the ticket's start on the Warsaw calendar of `text`."""
    calendar = load_definition_or_raise(text).calendars["warsaw_office"]
    return calendar.add_business_time(ticket.sla_started_at, parse_duration(target))


def test_a_holiday_on_the_due_date_moves_the_open_tickets_deadline(
    client, login, create_user, post_form, builtin_forms
):
    agent = builtin_forms
    ticket = make_ticket(subject="Nie mogę zapłacić")  # a detractor: high, Warsaw office
    assert ticket.sla_policy == "high"
    due, warn = ticket.resolution_due_at, ticket.resolution_warn_at
    holiday = due.astimezone(WARSAW).date()
    login(agent)
    assert f"Due {shown(due)}" in sla_words(client, ticket)
    post_form("/logout")

    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN))
    text = with_warsaw_closed_on(holiday)
    after = text_of(publish(client, post_form, text))
    assert "The business calendars changed: the deadlines of 1 open ticket moved." in after
    post_form("/logout")

    db.session.expire_all()
    moved = db.session.get(Ticket, ticket.id)
    # The whole day counts as closed: the time left runs on the next open day instead.
    assert moved.resolution_due_at == expected_due(text, ticket, "1d") > due
    assert moved.resolution_due_at.astimezone(WARSAW).date() > holiday
    assert moved.resolution_warn_at > warn
    assert moved.workflow_version.number == 1  # the ticket keeps its own version

    login(agent)
    words = sla_words(client, moved)
    assert f"Due {shown(moved.resolution_due_at)}" in words
    assert f"Due {shown(due)}" not in words
    assert (
        f"Resolution deadline moved from {shown(due)} to {shown(moved.resolution_due_at)}"
        " because the business calendar changed (workflow version 2)."
    ) in history_words(client, moved)

    # A later recount (a move out of a paused state, a new team) agrees with the publish.
    published_due = moved.resolution_due_at
    sla_clock.apply_sla(moved)
    assert moved.resolution_due_at == published_due
    db.session.rollback()

    post_form("/logout")
    login(create_user(email="ewa@example.com", name="Ewa", locale="pl"))
    assert "przesunięto" in history_words(client, moved)


def test_a_met_clock_and_a_resolved_ticket_keep_their_deadlines(
    client, login, create_user, post_form, builtin_forms
):
    agent = builtin_forms
    answered, done = make_ticket(subject="Answered"), make_ticket(subject="Done")
    send_public_reply(answered, "Sprawdzamy.", agent)
    fire(done, "start", agent)
    fire(done, "resolve", agent)
    db.session.commit()
    answered_first_due = answered.first_response_due_at
    answered_due = answered.resolution_due_at
    done_dues = (done.first_response_due_at, done.resolution_due_at)
    holidays = {moment.astimezone(WARSAW).date() for moment in (answered_first_due, answered_due)}

    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN))
    after = text_of(publish(client, post_form, with_warsaw_closed_on(*sorted(holidays))))
    assert "the deadlines of 1 open ticket moved" in after
    post_form("/logout")

    db.session.expire_all()
    answered, done = db.session.get(Ticket, answered.id), db.session.get(Ticket, done.id)
    assert answered.first_response_due_at == answered_first_due  # met: stays as it was met
    assert answered.resolution_due_at > answered_due  # still running: follows the calendar
    assert (done.first_response_due_at, done.resolution_due_at) == done_dues
    assert ticket_events(done, "sla_calendar_changed") == []
    [event] = ticket_events(answered, "sla_calendar_changed")
    assert [move["metric"] for move in event.data["moves"]] == ["resolution"]

    login(agent)
    words = sla_words(client, answered)
    assert "First response: met" in words and f"Due {shown(answered.resolution_due_at)}" in words


def test_a_clock_warned_before_the_holiday_is_warned_again_before_its_new_deadline(
    client, login, create_user, post_form, builtin_forms
):
    ticket = make_ticket()
    # Answered, so no missed first reply raises its priority onto the round-the-clock policy.
    send_public_reply(ticket, "Sprawdzamy.", builtin_forms)
    db.session.commit()
    first_warn = ticket.resolution_warn_at
    warned = sla_clock.sweep(first_warn + timedelta(minutes=1))
    assert ("resolution", "warning") in {(a.metric, a.kind) for a in warned}
    holiday = ticket.resolution_due_at.astimezone(WARSAW).date()

    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN))
    publish(client, post_form, with_warsaw_closed_on(holiday))

    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.resolution_warned_at is None  # its warning time lies ahead again
    assert ticket.resolution_warn_at > first_warn
    again = sla_clock.sweep(ticket.resolution_warn_at + timedelta(minutes=1))
    assert ("resolution", "warning") in {(a.metric, a.kind) for a in again}
    warnings = db.session.scalars(
        select(SlaAlert).where(
            SlaAlert.ticket_id == ticket.id,
            SlaAlert.metric == "resolution",
            SlaAlert.kind == "warning",
        )
    ).all()
    assert len(warnings) == 2


def test_publishing_without_a_calendar_change_moves_nothing_and_says_nothing(
    client, login, create_user, post_form, builtin_forms
):
    ticket = make_ticket()
    due, version = ticket.resolution_due_at, ticket.version
    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN))
    relabelled = SHIPPED_TEXT.replace("label: {en: Warsaw office,", "label: {en: Warsaw HQ,")
    assert relabelled != SHIPPED_TEXT
    after = text_of(publish(client, post_form, relabelled))
    assert "Version 2 is active" in after and "business calendars changed" not in after
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.resolution_due_at, ticket.version) == (due, version)
