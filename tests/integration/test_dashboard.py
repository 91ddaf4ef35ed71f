"""The dashboard: what needs the viewer's attention, and what customers said lately."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from tests.helpers import completed_response, make_ticket, text_of
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import Response, Role, Ticket, User, utcnow
from webapp.services.spam import mark_spam
from webapp.services.tickets import fire


def _respond(slug: str, answers: dict, days_ago: float = 1, completed: bool = True) -> None:
    completed_response(slug, answers, ago=timedelta(days=days_ago), done=completed)


def test_open_tickets_that_need_attention_are_counted_and_link_to_the_board(
    client, login, builtin_forms
):
    agent = builtin_forms
    mine, late, nobodys = make_ticket(), make_ticket(), make_ticket()
    for ticket in (mine, late):
        ticket.assignee_id = agent.id
    late.first_response_due_at = utcnow() - timedelta(hours=1)
    nobodys.assignee_id = None
    db.session.commit()
    login(agent)
    response = client.get("/dashboard")
    html, page = response.get_data(as_text=True), text_of(response)
    assert "2 Assigned to you" in page
    assert "1 Yours past an SLA deadline" in page
    assert "1 Not assigned to anyone" in page
    assert "1 Past an SLA deadline, all teams" in page
    assert 'href="/board?assignee=me&amp;sla=breached&amp;status=open"' in html
    assert 'href="/board?assignee=none&amp;status=open"' in html
    assert "active agents" not in page  # the workspace figures are for admins


def test_resolved_and_closed_tickets_are_not_counted_as_open(client, login, builtin_forms):
    """An agent reads "Open tickets" as not yet resolved: a resolved ticket waiting for its
    automatic close (its state is not final) is done, as is one closed as spam."""
    agent = builtin_forms
    working, resolved, spam = make_ticket(), make_ticket(), make_ticket()
    for ticket in (working, resolved, spam):
        ticket.assignee_id = agent.id
        ticket.first_response_due_at = utcnow() - timedelta(hours=1)  # all late
    db.session.commit()
    for ticket in (working, resolved):
        fire(ticket, "start", agent)
    fire(resolved, "resolve", agent)
    mark_spam(spam, agent)
    db.session.commit()
    assert resolved.state == "resolved" and spam.state == "closed"
    login(agent)
    page = text_of(client.get("/dashboard"))
    assert "1 Assigned to you" in page
    assert "1 Yours past an SLA deadline" in page
    assert "1 Past an SLA deadline, all teams" in page
    # Each number links to what it counted: the board showed the resolved card too
    html = client.get("/dashboard").get_data(as_text=True)
    for stat in ("Assigned to you", "Yours past an SLA deadline", "Past an SLA deadline, all"):
        link = re.search(rf'<a href="([^"]+)"><span class="value">1</span>{stat}', html)
        board = client.get(unescape(link.group(1))).get_data(as_text=True)
        cards = re.findall(r'id="card-(LD-\d+)"', board)
        assert cards == [working.number], stat
        assert 'option value="open" selected' in board  # the filter shows, to be cleared


def test_scores_come_from_the_responses_completed_in_the_last_30_days(client, login, builtin_forms):
    for score in (10, 9, 3):
        _respond("nps", {"score": score})
    _respond("nps", {"score": 0}, days_ago=40)  # too old to count
    _respond("nps", {"score": 1}, completed=False)  # still answering
    for value in (4, 5):
        _respond("csat", {"csat": value})
    _respond("goal", {"goal": "yes"})
    _respond("goal", {"goal": "no"})
    login(builtin_forms)
    page = text_of(client.get("/dashboard"))
    assert "Feedback in the last 30 days" in page
    # 4 started lately, 3 of them completed; 2 promoters and 1 detractor of 3 answers.
    assert "Your feedback /f/nps 4 3 (75%) NPS +33 2 promoters · 0 passives · 1 detractor" in page
    assert "4.5 of 5 100% satisfied" in page
    assert "50% of visitors found what they came for" in page
    assert "Report a problem /f/report-problem 0 0 not scored" in page


def test_the_dashboard_speaks_the_viewers_language(client, login, builtin_forms, create_user):
    for score in (10, 10, 2, 8, 9):
        _respond("nps", {"score": score})
    admin = create_user(email="ewa@example.com", role=Role.ADMIN, locale="pl")
    login(admin)
    page = text_of(client.get("/dashboard"))
    assert "Opinie z ostatnich 30 dni" in page
    assert "NPS +40 3 promotorzy · 1 neutralny · 1 krytyk" in page
    assert "2 aktywni agenci" in page


def test_the_demo_opens_on_a_month_of_feedback(app, demo_data, client, login):
    """`make run` shows scores at once, and form tickets show the conversation behind them."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0  # idempotent

    languages = {r.locale for r in db.session.scalars(select(Response))}
    assert languages == {"en", "pl", "ru", "sl"}
    unfinished = db.session.scalar(select(Response).where(Response.completed_at.is_(None)))
    assert unfinished is not None  # partial responses are part of the picture
    anna = db.session.scalar(select(User).where(User.email == "anna@loopdesk.test"))
    login(anna, DEMO_PASSWORD)
    page = text_of(client.get("/dashboard"))
    assert "Twoja opinia /f/nps" in page and "NPS +" in page
    from_form = db.session.scalar(
        select(Ticket).where(Ticket.form_slug == "nps").order_by(Ticket.id).limit(1)
    )
    ticket_page = client.get(f"/tickets/{from_form.number}").get_data(as_text=True)
    assert 'class="bubble customer"' in ticket_page


@pytest.mark.parametrize(
    ("path", "sentence"), [("/dashboard", "Сегодня "), ("/reports", "Данные с ")]
)
def test_a_russian_date_ends_with_one_full_stop(client, login, create_user, path, sentence):
    """Babel's long and full Russian dates end with "г.": a sentence must not add a second dot."""
    login(create_user(email="ivan@example.com", name="Ivan Petrov", locale="ru"))
    page = text_of(client.get(path))
    assert sentence in page
    assert "г.." not in page


@pytest.mark.parametrize(
    ("locale", "mine", "mine_late"),
    [
        ("pl", "Przypisane do Ciebie", "Twoje zgłoszenia po terminie SLA"),
        ("ru", "Назначены Вам", "Ваши обращения с нарушенным SLA"),
    ],
)
def test_the_work_tiles_say_whose_tickets_in_full(
    client, login, create_user, locale, mine, mine_late
):
    """Not "Twoje po terminie SLA" / "Ваши с просроченным сроком SLA": yours what?"""
    login(create_user(email="someone@example.com", locale=locale))
    page = text_of(client.get("/dashboard"))
    assert mine in page and mine_late in page


def test_a_forms_tickets_leave_out_spam(builtin_forms):
    from webapp.services.dashboard import feedback_overview

    make_ticket()
    junk = make_ticket(subject="Cheap watches")
    junk.spam_at = utcnow()
    db.session.commit()
    nps = next(f for f in feedback_overview("en", utcnow()) if f.slug == "nps")
    assert nps.tickets == 1
