"""A ticket closed unresolved (spam, or closed straight away) has no SLA clock running or
waiting: pages say the clock stopped and show no deadline, reports count no miss for it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.helpers import api_token, bearer, make_ticket, text_of
from webapp.extensions import db
from webapp.models import Team, utcnow
from webapp.services.reports import build_report
from webapp.services.spam import mark_spam, unmark_spam


def _sla_words(html: str) -> str:
    """The workspace's SLA section as a person reads it."""
    section = re.search(r'<section id="ws-sla".*?</section>', html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_a_ticket_closed_as_spam_shows_its_clocks_stopped_without_a_deadline(
    client, login, builtin_forms
):
    agent = builtin_forms
    junk = make_ticket(subject="Cheap watches")
    assert junk.resolution_due_at > utcnow()  # a deadline ahead, as the QA sweep saw
    mark_spam(junk, agent)
    db.session.commit()
    login(agent)

    words = _sla_words(client.get(f"/tickets/{junk.number}").get_data(as_text=True))
    assert "First response: stopped" in words and "Resolution: stopped" in words
    assert "The ticket was closed before this was met, so no deadline applies." in words
    assert "paused" not in words and "Due " not in words

    listed = text_of(client.get("/tickets"))
    assert "stopped" in listed and "paused" not in listed

    sla = client.get(f"/api/v1/tickets/{junk.number}", headers=bearer(api_token())).get_json()[
        "sla"
    ]
    assert sla["stopped"] is True and sla["paused"] is False


def test_a_polish_agent_reads_it_in_polish(client, login, create_user, builtin_forms):
    junk = make_ticket()
    mark_spam(junk, builtin_forms)
    db.session.commit()
    login(create_user(email="ewa@example.com", locale="pl"))
    words = _sla_words(client.get(f"/tickets/{junk.number}").get_data(as_text=True))
    assert "Pierwsza odpowiedź: zatrzymano" in words and "wstrzymano" not in words


def test_a_ticket_closed_unresolved_misses_only_deadlines_that_passed_before(builtin_forms):
    """Closed as spam, then found not to be spam: it stays closed. A deadline that passes
    after the close is no miss; one the sweep saw missed before the close stays missed."""
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    quiet, late = make_ticket(), make_ticket()
    for ticket in (quiet, late):
        ticket.team_id = care.id
        ticket.created_at = utcnow() - timedelta(hours=10)
        ticket.first_response_due_at = utcnow() - timedelta(hours=2)  # passed since the close
        ticket.resolution_due_at = utcnow() + timedelta(days=2)
    late.first_response_breached_at = utcnow() - timedelta(hours=2)  # missed while open
    db.session.commit()
    for ticket in (quiet, late):
        mark_spam(ticket, builtin_forms)
        unmark_spam(ticket, builtin_forms)
    db.session.commit()
    assert quiet.state == late.state == "closed" and quiet.spam_at is None

    report = build_report(utcnow() + timedelta(days=3), 7, "No team", "All teams")
    assert (report.total.first_reply.met, report.total.first_reply.missed) == (0, 1)
    assert (report.total.resolution.met, report.total.resolution.missed) == (0, 0)
