"""`make run`'s demo comes with five weeks of finished tickets behind today's open ones."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import timedelta

from sqlalchemy import func, select

from jobs.schedule import run_all_once
from tests.helpers import text_of
from webapp.demo import DEMO_PASSWORD, DEMO_TICKETS
from webapp.extensions import db
from webapp.models import (
    OutboxMessage,
    SlaAlert,
    SurveyInvitation,
    SurveyStatus,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)

OPEN_STATES = ("new", "assigned", "in_progress", "waiting_on_customer")


def _seed(app) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _login_as(client, login, email: str) -> None:
    login(db.session.scalar(select(User).where(User.email == email)), DEMO_PASSWORD)


def _report_rows(client, section: str) -> list[dict]:
    body = client.get("/reports.csv?days=30").get_data(as_text=True).lstrip("\ufeff")
    return [row for row in csv.DictReader(io.StringIO(body)) if row["section"] == section]


def test_the_reports_show_weeks_of_tickets_and_sla_from_many(app, client, login):
    _seed(app)
    _login_as(client, login, "anna@loopdesk.test")
    assert "Tydzień po tygodniu" in text_of(client.get("/reports"))

    weeks = _report_rows(client, "weeks")
    assert sum(int(w["tickets_created"] or 0) > 0 for w in weeks) >= 3
    assert sum(int(w["tickets_resolved"] or 0) > 0 for w in weeks) >= 3
    total = next(row for row in _report_rows(client, "teams") if row["key"] == "(all)")
    met, missed = int(total["first_reply_met"]), int(total["first_reply_missed"])
    assert met + missed >= 30  # not the handful of today's tickets
    assert 0 < missed < met  # a realistic minority broke the promise
    assert int(total["resolution_met"]) > int(total["resolution_missed"]) > 0
    # A first reply within hours, not days.
    assert timedelta(minutes=30) < timedelta(seconds=int(total["median_first_reply_seconds"]))
    assert timedelta(seconds=int(total["median_first_reply_seconds"])) < timedelta(hours=8)
    assert int(total["csat_answers"]) >= 10  # customers rated the help afterwards


def test_old_tickets_went_through_their_lifecycle_in_the_past(app, client, login):
    _seed(app)
    now = utcnow()
    demo_subjects = {row[0] for row in DEMO_TICKETS}
    history = [t for t in db.session.scalars(select(Ticket)) if t.subject not in demo_subjects]
    assert len(history) >= 30
    assert {t.state for t in history} == {"resolved", "closed"}
    assert sum(t.state == "closed" for t in history) > len(history) / 2
    for ticket in history:
        assert ticket.created_at < ticket.first_response_at <= ticket.resolved_at < now
        assert ticket.first_response_due_at > ticket.created_at  # the SLA clock started then
        if ticket.state == "resolved":  # its 7-day close is still ahead
            assert ticket.state_timer_due_at > now
    replies = [t.first_response_at - t.created_at for t in history]
    assert statistics.median(replies) < timedelta(hours=6)
    breached = [t for t in history if t.first_response_breached_at]
    assert 0 < len(breached) < len(history) / 3
    assert all(t.first_response_at > t.first_response_due_at for t in breached)

    oldest = min(history, key=lambda t: t.created_at)
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == oldest.id))
    assert all(oldest.created_at <= e.created_at < now - timedelta(days=20) for e in events)
    answered = db.session.scalar(
        select(func.count(SurveyInvitation.id))
        .join(Ticket)
        .where(
            SurveyInvitation.status == SurveyStatus.ANSWERED,
            Ticket.created_at < now - timedelta(days=3),
        )
    )
    assert answered >= 10

    # Today's open tickets are the demo's own, on the board as before.
    open_subjects = set(
        db.session.scalars(select(Ticket.subject).where(Ticket.state.in_(OPEN_STATES)))
    )
    assert open_subjects <= demo_subjects and len(open_subjects) >= 10
    _login_as(client, login, "anna@loopdesk.test")
    board = text_of(client.get("/board"))
    assert "Płatność kartą nie przechodzi" in board and "Invoice shows the wrong VAT" in board
    # A ticket closed weeks ago was not "paused" for all the days since.
    page = text_of(client.get(f"/tickets/{oldest.number}"))
    assert "Zamknięte" in page and "w oczekiwaniu na klienta" not in page


def test_the_first_sweeps_after_seeding_send_no_flood(app):
    _seed(app)
    outbox = db.session.scalar(select(func.count(OutboxMessage.id)))
    alerts = db.session.scalar(select(func.count(SlaAlert.id)))
    results = run_all_once()
    assert results["state-timers"] == 0 and results["surveys"] == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == outbox
    assert db.session.scalar(select(func.count(SlaAlert.id))) == alerts
