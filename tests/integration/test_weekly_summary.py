"""The weekly summary: opt-in, Monday 08:00 in each colleague's zone, once, in their language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jobs.summaries import send_weekly_summaries
from tests.helpers import completed_response, make_ticket, text_of
from webapp.extensions import db
from webapp.main import views
from webapp.models import (
    OutboxMessage,
    Response,
    Role,
    Team,
    TeamMembership,
    TicketAccess,
    TicketLabel,
)
from webapp.services.spam import mark_spam
from webapp.services.tickets import fire
from webapp.services.weekly_summary import save_choice

# Monday 30 November 2026, 08:30 in Warsaw (07:30 UTC): last week is 23–29 November.
MONDAY_0830_WARSAW = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
IN_THE_WEEK = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday
WEEK_BEFORE = IN_THE_WEEK - timedelta(days=7)


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def opted_in(user, wanted: bool = True):
    save_choice(user, wanted)
    db.session.commit()
    return user


def responded(slug: str, answers: dict, moment: datetime) -> None:
    """A response completed at `moment` (its scores are counted as the customer's path does)."""
    completed_response(slug, answers)
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    response.started_at, response.completed_at = moment - timedelta(minutes=2), moment
    db.session.commit()


def summaries_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_address == address, OutboxMessage.template == "weekly_summary"
            )
        )
    )


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_monday_morning_writes_one_summary_per_opted_in_colleague_and_never_twice(
    app, builtin_forms, create_user
):
    warsaw = opted_in(builtin_forms)  # Europe/Warsaw: 08:30 there
    london = opted_in(create_user(email="lon@example.com", timezone="UTC", role=Role.ADMIN))
    create_user(email="quiet@example.com")  # never turned it on
    opted_in(create_user(email="left@example.com", active=False))
    now = MONDAY_0830_WARSAW

    assert send_weekly_summaries((now - timedelta(days=1)).isoformat()) == 0  # Sunday
    assert send_weekly_summaries((now - timedelta(minutes=31)).isoformat()) == 0  # 07:59
    assert send_weekly_summaries(now.isoformat()) == 1  # Warsaw's 08:30; London's 07:30
    assert send_weekly_summaries(now.isoformat()) == 0  # a run every few minutes: once
    assert send_weekly_summaries((now + timedelta(minutes=30)).isoformat()) == 1  # London 08:00
    assert send_weekly_summaries((now + timedelta(hours=5)).isoformat()) == 0
    [mail] = summaries_to(warsaw.email)
    assert mail.message_key == f"weekly_summary:{warsaw.id}:2026-11-23"
    assert len(summaries_to(london.email)) == 1
    assert summaries_to("quiet@example.com") == summaries_to("left@example.com") == []
    # A quiet week still says so, briefly.
    assert "It was a quiet week" in mail.body_text
    assert "Nov 23 – 29, 2026" in mail.subject
    # The next Monday is a new week, for both.
    assert send_weekly_summaries((now + timedelta(days=7, minutes=30)).isoformat()) == 2


def test_a_polish_colleague_gets_it_over_smtp_in_polish_with_polish_numbers(
    app, builtin_forms, create_user, smtp_server, run_jobs
):
    anna = opted_in(create_user(email="anna@example.pl", name="Anna", locale="pl"))
    for score in (5, 4):
        responded("csat", {"csat": score}, IN_THE_WEEK)
    responded("csat", {"csat": 3}, WEEK_BEFORE)
    send_weekly_summaries(MONDAY_0830_WARSAW.isoformat())
    run_jobs()
    [mail] = [m for m in smtp_server.messages if m["To"] == anna.email]
    text = plain_text(mail)
    assert "23–29 lis 2026" in mail["Subject"]
    assert "4,5 z 5" in text  # a decimal comma
    assert "+1,5" in text  # against the week before, 3.0
    assert "Otrzymane odpowiedzi: 2" in text
    assert "Opinie klientów" in text.splitlines()  # the heading, not "Opinia" (an opinion)
    assert "http://loopdesk.test/reports?days=30" in text
    assert "http://loopdesk.test/board" in text
    html = mail.get_body(("html",)).get_content()
    assert 'href="http://loopdesk.test/reports?days=30"' in html
    # The mail client's own "Unsubscribe" opens the settings where it is turned off.
    assert mail["List-Unsubscribe"] == "<http://loopdesk.test/account/notifications>"
    assert mail["List-Unsubscribe-Post"] is None  # not one-click: that page needs a sign-in


def test_the_nps_in_the_mail_is_the_one_reports_shows_for_that_week(
    app, client, login, builtin_forms, monkeypatch
):
    ola = opted_in(builtin_forms)
    for score in (10, 9, 2):
        responded("nps", {"score": score}, IN_THE_WEEK)
    for score in (10, 2):
        responded("nps", {"score": score}, WEEK_BEFORE)
    send_weekly_summaries(MONDAY_0830_WARSAW.isoformat())
    [mail] = summaries_to(ola.email)
    assert "NPS: +33 (3 answers), +33 against the week before" in mail.body_text

    monkeypatch.setattr(views, "utcnow", lambda: MONDAY_0830_WARSAW)
    login(ola)
    html = client.get("/reports?days=30").get_data(as_text=True)
    row = re.search(r'<time datetime="2026-11-23">.*?</tr>', html, re.S).group(0)
    assert "+33 (3 answers)" in text_of_html(row)


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_agent_limited_to_their_teams_sees_no_other_teams_subject(
    app, builtin_forms, create_user
):
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    quality = db.session.scalar(select(Team).where(Team.slug == "product-quality"))
    piotr = create_user(email="piotr@example.com", name="Piotr")
    piotr.ticket_access = TicketAccess.TEAMS
    db.session.add(TeamMembership(team=care, user=piotr))
    opted_in(piotr)
    mine = make_ticket(subject="Faktura do poprawki")
    secret = make_ticket(subject="Tajna sprawa jakości")
    mine.team_id, mine.assignee_id = care.id, piotr.id
    secret.team_id, secret.assignee_id = quality.id, None
    secret.resolution_breached_at = IN_THE_WEEK
    db.session.commit()

    send_weekly_summaries(MONDAY_0830_WARSAW.isoformat())
    [mail] = summaries_to(piotr.email)
    for part in (mail.body_text, mail.body_html, mail.subject):
        assert "Tajna sprawa" not in part
    assert "Faktura do poprawki" in mail.body_text
    assert "Still open: 1" in mail.body_text  # of the two, the one they may see
    assert "SLA breaches: 0" in mail.body_text  # the other team's breach is not theirs
    assert "count the tickets you can see" in mail.body_text
    assert "Open and assigned to you: 1" in mail.body_text


def test_the_preview_button_writes_the_mail_at_once_and_needs_csrf(
    app, client, login, post_form, builtin_forms, smtp_server, run_jobs
):
    ola = builtin_forms  # not opted in: a preview is how they decide
    login(ola)
    refused = client.post("/account/notifications/weekly-summary-preview")
    assert refused.status_code == 400
    assert summaries_to(ola.email) == []
    sent = post_form("/account/notifications/weekly-summary-preview")
    assert sent.status_code == 303
    assert "on its way to ola@example.com" in text_of(client.get(sent.headers["Location"]))
    run_jobs()
    assert [m["To"] for m in smtp_server.messages] == [ola.email]
    assert len(summaries_to(ola.email)) == 1
    for _ in range(2):
        assert post_form("/account/notifications/weekly-summary-preview").status_code == 303
    assert post_form("/account/notifications/weekly-summary-preview").status_code == 429
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3


def test_the_setting_is_off_by_default_and_round_trips(client, login, post_form, agent):
    login(agent)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'id="weekly_summary" aria-describedby="weekly-summary-help">' in page  # unchecked
    choices = {"mentions": "digest", "weekly_summary": "on"}
    assert post_form("/account/notifications", choices).status_code == 303
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'id="weekly_summary" aria-describedby="weekly-summary-help" checked>' in page
    db.session.refresh(agent)
    assert agent.notification_settings["weekly_summary"] is True
    assert agent.notification_settings["mentions"] == "digest"
    post_form("/account/notifications", {"mentions": "digest"})  # the box left unticked
    db.session.refresh(agent)
    assert agent.notification_settings["weekly_summary"] is False
    assert agent.notification_settings["mentions"] == "digest"


def test_several_workers_at_once_write_each_summary_once(app, builtin_forms, create_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises writers anyway)")
    import threading

    people = [opted_in(builtin_forms)] + [
        opted_in(create_user(email=f"p{n}@example.com")) for n in range(3)
    ]
    results: list[int] = []

    def run() -> None:
        with app.app_context():
            results.append(send_weekly_summaries(MONDAY_0830_WARSAW.isoformat()))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results) == len(people)
    for person in people:
        assert len(summaries_to(person.email)) == 1


def test_the_summary_costs_the_same_queries_whatever_the_tickets(app, builtin_forms, count_queries):
    from webapp.services.weekly_summary import queue_summary

    ola = opted_in(builtin_forms)

    def queries_for_a_summary(n: int) -> int:
        cache: dict = {}  # the reports once per zone, as the job shares them
        queue_summary(ola, IN_THE_WEEK.date().replace(day=23), f"probe-{n}", cache)
        db.session.rollback()
        with count_queries() as statements:
            queue_summary(ola, IN_THE_WEEK.date().replace(day=23), f"probe-{n}", cache)
        db.session.rollback()
        return len(statements)

    for _ in range(2):
        ticket = make_ticket()
        ticket.assignee_id, ticket.created_at = ola.id, IN_THE_WEEK
    db.session.commit()
    few = queries_for_a_summary(2)
    for _ in range(15):
        ticket = make_ticket()
        ticket.assignee_id, ticket.created_at = ola.id, IN_THE_WEEK
        ticket.resolution_breached_at = IN_THE_WEEK
    db.session.commit()
    assert queries_for_a_summary(17) == few


def test_tickets_opened_and_solved_and_labels_are_of_the_week_only(app, builtin_forms):
    ola = opted_in(builtin_forms)
    this_week, before = make_ticket(subject="W tym tygodniu"), make_ticket(subject="Wcześniej")
    this_week.created_at, before.created_at = IN_THE_WEEK, WEEK_BEFORE
    before.resolved_at = IN_THE_WEEK
    this_morning = make_ticket(subject="Dziś rano")  # Monday, before the mail: next week's
    this_morning.created_at = MONDAY_0830_WARSAW - timedelta(hours=1)
    db.session.add_all(
        [
            TicketLabel(ticket_id=this_week.id, name="faktury"),
            TicketLabel(ticket_id=before.id, name="dawne"),
            TicketLabel(ticket_id=this_morning.id, name="poniedziałek"),
        ]
    )
    db.session.commit()
    send_weekly_summaries(MONDAY_0830_WARSAW.isoformat())
    [mail] = summaries_to(ola.email)
    assert "Opened: 1" in mail.body_text
    assert "Solved: 1" in mail.body_text
    [labels] = [line for line in mail.body_text.splitlines() if "Most used labels" in line]
    assert "faktury" in labels and "dawne" not in labels  # not the week before's
    assert "poniedziałek" not in labels  # nor this Monday's


def test_still_open_counts_neither_resolved_nor_closed_tickets(app, builtin_forms):
    """What "Still open" counts is what an agent still has to do: a resolved ticket waiting for its
    automatic close is not, nor is one closed as spam; neither is listed as the agent's."""
    ola = opted_in(builtin_forms)
    working, resolved, spam = (
        make_ticket(subject="W toku"),
        make_ticket(subject="Rozwiązane"),
        make_ticket(subject="Spam"),
    )
    for ticket in (working, resolved, spam):
        ticket.assignee_id, ticket.created_at = ola.id, IN_THE_WEEK
    db.session.commit()
    for ticket in (working, resolved):
        fire(ticket, "start", ola)
    fire(resolved, "resolve", ola)
    mark_spam(spam, ola)
    db.session.commit()
    send_weekly_summaries(MONDAY_0830_WARSAW.isoformat())
    [mail] = summaries_to(ola.email)
    assert "Still open: 1" in mail.body_text
    assert "Open and assigned to you: 1" in mail.body_text
    assert "W toku" in mail.body_text
    assert "Rozwiązane" not in mail.body_text and "] Spam" not in mail.body_text


def test_the_open_tickets_listed_follow_the_line_that_counts_them(
    app, builtin_forms, create_user, smtp_server, run_jobs
):
    """Given to her before the week, still open: listed under "open and assigned to you",
    not under "assigned to you during the week: 0", which came last and read as its list."""
    anna = opted_in(create_user(email="anna@example.pl", name="Anna", locale="pl"))
    older = make_ticket(subject="Faktura do poprawki")
    older.assignee_id = anna.id
    db.session.commit()
    send_weekly_summaries(MONDAY_0830_WARSAW.isoformat())
    run_jobs()
    [mail] = [m for m in smtp_server.messages if m["To"] == anna.email]
    lines = plain_text(mail).splitlines()
    at = lines.index("- Otwarte i przypisane do Ciebie: 1")
    assert lines[at - 1] == "- Przypisane do Ciebie w ciągu tygodnia: 0"
    assert lines[at + 1] == f"  [{older.number}] Faktura do poprawki"
    html = " ".join(mail.get_body(("html",)).get_content().split())
    assert re.search(
        r"<li>Otwarte i przypisane do Ciebie: 1 <ul[^>]*> <li><a [^>]*>"
        + older.number
        + r"</a> · Faktura do poprawki</li> </ul> </li>",
        html,
    )
