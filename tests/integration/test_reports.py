"""Reports: replies and resolutions in time, ratings after resolution, per team and week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_interval
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_dashboard import _respond
from webapp.extensions import db
from webapp.models import Response, Role, SurveyInvitation, SurveyStatus, Team, utcnow
from webapp.services.reports import build_report


def _ticket(team: Team, *, hours_ago: float, replied_after=None, reply_due=4, resolved_after=None):
    """A ticket created `hours_ago`, its first reply due after `reply_due` hours."""
    ticket = make_ticket()
    created = utcnow() - timedelta(hours=hours_ago)
    ticket.team_id, ticket.created_at = team.id, created
    ticket.first_response_due_at = created + timedelta(hours=reply_due)
    ticket.first_response_at = created + timedelta(hours=replied_after) if replied_after else None
    ticket.resolution_due_at = created + timedelta(hours=48)
    ticket.resolved_at = created + timedelta(hours=resolved_after) if resolved_after else None
    db.session.commit()
    return ticket


def _rated(ticket, csat: int) -> None:
    _respond("csat", {"csat": csat})
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    db.session.add(
        SurveyInvitation(
            ticket_id=ticket.id,
            form_slug="csat",
            status=SurveyStatus.ANSWERED,
            due_at=utcnow(),
            answered_at=utcnow(),
            response_id=response.id,
        )
    )
    db.session.commit()


def test_each_team_shows_its_promises_kept_and_its_ratings(client, login, builtin_forms):
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    quality = db.session.scalar(select(Team).where(Team.slug == "product-quality"))
    on_time = _ticket(care, hours_ago=30, replied_after=1, resolved_after=20)
    _ticket(care, hours_ago=20, replied_after=6)  # replied late
    _ticket(care, hours_ago=2)  # reply still due in 2 h: not counted yet
    late = _ticket(quality, hours_ago=10)  # no reply and past due
    _rated(on_time, 5)
    _rated(late, 2)
    login(builtin_forms)
    page = text_of(client.get("/reports"))
    assert "Customer Care 3 1 50% (1/2) 4 hr 100% (1/1) 5.0 of 5 100% satisfied" in page
    assert "Product Quality 1 0 0% (0/1) — — 2.0 of 5 0% satisfied" in page
    assert "All teams 4 1 33% (1/3)" in page


def test_spam_is_not_counted_and_a_merged_duplicate_misses_no_deadline(
    client, login, builtin_forms
):
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    _ticket(care, hours_ago=30, replied_after=1)  # kept its promise
    kept = _ticket(care, hours_ago=20, replied_after=2)
    spam = _ticket(care, hours_ago=10)  # never answered: it was junk
    spam.spam_at = utcnow()
    duplicate = _ticket(care, hours_ago=9)  # never answered: the customer was, on `kept`
    duplicate.merged_into_id = kept.id
    db.session.commit()
    login(builtin_forms)
    page = text_of(client.get("/reports"))
    # Opened: three (the duplicate was opened; the spam was not a request); both replies on time.
    assert "Customer Care 3 0 100% (2/2)" in page


def test_weeks_show_completed_responses_and_their_nps(client, login, builtin_forms):
    for score in (10, 9, 2):
        _respond("nps", {"score": score}, days_ago=0.1)
    _respond("nps", {"score": 0}, days_ago=0.1, completed=False)  # unfinished: not counted
    _respond("goal", {"goal": "yes"}, days_ago=0.1)
    login(builtin_forms)
    page = text_of(client.get("/reports?days=7"))
    # The last week row: 4 completed responses, NPS of the three NPS answers.
    assert "4 +33 (3 answers)" in page


def test_the_period_is_one_of_three_and_anything_else_is_30_days(client, login, builtin_forms):
    login(builtin_forms)
    for days in ("7", "30", "90", "", "abc", "-1", "100000", "9" * 40):
        assert client.get(f"/reports?days={days}").status_code == 200
    assert 'aria-current="page">Last 30 days' in client.get("/reports?days=abc").get_data(
        as_text=True
    )


def test_reports_are_for_staff(client):
    response = client.get("/reports")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_insights_the_product_maps_name_opens_the_reports_for_the_same_period(
    client, login, builtin_forms
):
    assert "/login" in client.get("/insights", follow_redirects=True).request.path
    login(builtin_forms)
    moved = client.get("/insights?days=7")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/reports?days=7")
    page = client.get("/insights?days=7", follow_redirects=True).get_data(as_text=True)
    assert 'aria-current="page">Last 7 days' in page


def test_the_period_note_reads_naturally_in_polish(client, login, create_user):
    login(create_user(email="ola@example.com", name="Ola Nowak", locale="pl"))
    page = text_of(client.get("/reports"))
    assert "Terminy SLA, które jeszcze biegną, nie są liczone." in page
    assert "jeszcze liczony" not in page  # was "…który jeszcze biegnie, nie jest jeszcze liczony"


@pytest.mark.parametrize(
    "locale, created, resolved",
    [
        ("pl", "Utworzone", "Rozwiązane"),  # was "Utworzono" beside "Rozwiązane"
        ("ru", "Создано", "Решено"),
        ("sl", "Ustvarjeno", "Rešeno"),
    ],
)
def test_the_ticket_count_headers_read_alike(client, login, create_user, locale, created, resolved):
    login(create_user(email="viewer@example.com", name="Viewer", locale=locale))
    page = text_of(client.get("/reports"))
    assert f" {created} {resolved} " in page


def _completed_at(slug: str, moment: datetime) -> None:
    _respond(slug, {"goal": "yes"})
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    response.started_at = response.completed_at = moment
    db.session.commit()


@pytest.mark.parametrize(
    ("timezone", "week_with_it", "other_week"),
    [
        ("Europe/Warsaw", date(2030, 1, 14), date(2030, 1, 7)),
        ("UTC", date(2030, 1, 7), date(2030, 1, 14)),
    ],
)
def test_weeks_are_the_viewers_monday_to_sunday(builtin_forms, timezone, week_with_it, other_week):
    """Sunday 23:30 UTC is already Monday 00:30 in Warsaw: the next week there."""
    _completed_at("goal", datetime(2030, 1, 13, 23, 30, tzinfo=UTC))
    now = datetime(2030, 1, 16, 12, 0, tzinfo=UTC)  # a Wednesday
    report = build_report(now, 7, "No team", "All teams", timezone)
    weeks = {week.start: week.responses for week in report.weeks}
    assert list(weeks) == [date(2030, 1, 7), date(2030, 1, 14)]  # Mondays, here and there
    assert weeks[week_with_it] == 1
    assert weeks[other_week] == 0
    assert report.weeks[-1].end == date(2030, 1, 20)


def test_week_rows_are_spans_of_days_in_the_viewers_language(client, login, create_user):
    login(create_user(email="ana@example.com", role=Role.AGENT, locale="pl"))
    page = text_of(client.get("/reports?days=7"))
    monday = datetime.now(ZoneInfo("Europe/Warsaw")).date()
    monday -= timedelta(days=monday.weekday())
    span = format_interval(monday, monday + timedelta(days=6), "yMMMd", locale="pl")
    assert span in page
    assert "Tygodnie trwają od poniedziałku do niedzieli w Twojej strefie czasowej (Warszawa" in (
        page
    )
