"""Dashboard and report scores, counted by the database, match the figures worked out by hand.

Responses go through the same path as a customer's conversation (answer by answer, edits
and pruning included), through the post-resolution survey, or straight into the table
as imports and the demo add them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from survey_forms import conversation
from survey_forms.insights import summarise
from tests.helpers import make_ticket, text_of
from tests.integration.test_dashboard import _respond
from webapp.extensions import db
from webapp.models import Response, SurveyInvitation, SurveyStatus, Team, utcnow
from webapp.services import forms as form_service
from webapp.services import surveys
from webapp.services.dashboard import feedback_overview
from webapp.services.reports import build_report

TEMPLATES = Path(__file__).resolve().parents[2] / "survey_forms" / "templates"


def _start(slug: str) -> Response:
    form, version_id = form_service.find_form_and_active_version(slug)
    response = form_service.new_response(
        form, version_id, locale="en", channel="web", hidden={}, meta={}
    )
    db.session.commit()
    return response


def _answer(response: Response, question_id: str, raw) -> None:
    """One step as the answer route takes it: record, finish if done, commit."""
    form_service.record_answer(response, question_id, raw)
    form_service.finish_if_done(response)
    db.session.commit()


def _finish(response: Response) -> None:
    """Skip every optional question left, as a customer pressing 'skip' would."""
    definition = form_service.definition_for(response.form_version_id)
    while response.completed_at is None:
        question = conversation.next_question(
            definition, response.answers, **form_service.context_of(response)
        )
        _answer(response, question.id, "no" if question.type == "single_choice" else "")


def _nps(overview) -> tuple:
    insight = next(i for i in overview if i.slug == "nps")
    s = insight.score
    return insight.started, insight.completed, s.count, s.categories, s.nps


def _publish_nps(change) -> None:
    definition = yaml.safe_load((TEMPLATES / "nps.yaml").read_text(encoding="utf-8"))
    change(definition)
    form_service.publish_form("nps", yaml.safe_dump(definition, allow_unicode=True))
    db.session.commit()


def test_scores_given_edited_pruned_and_left_half_way_count_as_worked_out_by_hand(
    client, login, builtin_forms
):
    promoter = _start("nps")
    _answer(promoter, "score", "10")
    _finish(promoter)
    changed_mind = _start("nps")
    _answer(changed_mind, "score", "3")
    _answer(changed_mind, "what_went_wrong", "Slow delivery")
    _answer(changed_mind, "score", "9")  # edited: a promoter now, the complaint pruned
    assert "what_went_wrong" not in changed_mind.answers
    _finish(changed_mind)
    detractor = _start("nps")
    _answer(detractor, "score", "8")
    _answer(detractor, "score", "0")  # edited the other way
    _finish(detractor)
    passive = _start("nps")
    _answer(passive, "score", "7")
    _finish(passive)
    half_way = _start("nps")
    _answer(half_way, "score", "2")  # never finished: started, not scored

    overview = feedback_overview("en", utcnow())
    # 5 started, 4 completed: 10, 9 (was 3), 0 (was 8), 7 -> 2 promoters, 1 passive,
    # 1 detractor: NPS = (2 - 1) / 4 = +25.
    assert _nps(overview) == (
        5,
        4,
        4,
        {"detractor": 1, "passive": 1, "promoter": 2},
        25,
    )
    login(builtin_forms)
    page = text_of(client.get("/dashboard"))
    assert "Your feedback /f/nps 5 4 (80%) NPS +25 2 promoters · 1 passive · 1 detractor" in page
    report = text_of(client.get("/reports?days=7"))
    assert "4 +25 (4 answers)" in report  # this week's row: 4 completed, NPS of 4 answers


def test_a_response_finished_on_an_earlier_version_counts_by_the_live_question(builtin_forms):
    """Question ids outlive versions: the live form's scored question decides what counts."""
    early = _start("nps")  # on version 1
    _answer(early, "score", "6")
    _publish_nps(lambda d: d["questions"][0]["text"].update(en="Would you recommend us?"))
    _finish(early)  # finished on version 1, after version 2 went live
    later = _start("nps")
    _answer(later, "score", "10")
    _finish(later)
    assert early.form_version_id != later.form_version_id
    overview = feedback_overview("en", utcnow())
    assert _nps(overview)[2:] == (2, {"detractor": 1, "passive": 0, "promoter": 1}, 0)

    # Version 3 scores a new question first: earlier responses never answered it.
    def new_first_question(definition):
        definition["questions"].insert(
            0,
            {"id": "stars", "type": "rating", "text": dict.fromkeys(definition["languages"], "★?")},
        )

    _publish_nps(new_first_question)
    starred = _start("nps")
    _answer(starred, "stars", "4")
    _answer(starred, "score", "3")
    _finish(starred)
    insight = next(i for i in feedback_overview("en", utcnow()) if i.slug == "nps")
    assert (insight.score.type, insight.score.count, insight.score.average) == ("rating", 1, 4.0)


def test_a_question_whose_type_changed_reads_old_answers_on_its_new_scale(builtin_forms):
    for score in (9, 5, 1):
        _respond("nps", {"score": score})

    def make_it_csat(definition):
        definition["questions"][0]["type"] = "csat"
        definition["questions"][0].pop("labels", None)
        for question in definition["questions"][1:]:
            question.pop("show_if", None)

    _publish_nps(make_it_csat)
    insight = next(i for i in feedback_overview("en", utcnow()) if i.slug == "nps")
    # 9 is not on a 1-5 scale: left out, as before; 5 and 1 average 3.0, one satisfied.
    assert (insight.score.count, insight.score.average, insight.score.best_share) == (2, 3.0, 0.5)


def test_answers_changed_or_imported_outside_a_conversation_count_too(builtin_forms):
    _respond("goal", {"goal": "yes"})
    _respond("goal", {"goal": "no"})
    _respond("goal", {"goal": "maybe"})  # not on the scale: left out
    _respond("csat", {"csat": "4"})  # as text: on the scale all the same
    _respond("csat", {"csat": 4.5})  # not a whole point: left out
    changed = db.session.scalars(select(Response).order_by(Response.id)).first()
    changed.answers = {"goal": "no"}  # an edit through the ORM, as an import would make
    db.session.commit()
    overview = {i.slug: i.score for i in feedback_overview("en", utcnow())}
    assert overview["goal"].categories == {"completed": 0, "not_completed": 2}
    assert (overview["csat"].count, overview["csat"].average) == (1, 4.0)


def _invited(ticket, status=SurveyStatus.SENT) -> SurveyInvitation:
    invitation = SurveyInvitation(
        ticket_id=ticket.id, form_slug="csat", status=status, due_at=utcnow()
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation


def test_a_survey_answered_again_counts_once_with_its_latest_score(builtin_forms):
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    quality = db.session.scalar(select(Team).where(Team.slug == "product-quality"))
    tickets = []
    for team in (care, care, quality):
        ticket = make_ticket()
        ticket.team_id = team.id
        tickets.append(ticket)
    db.session.commit()
    first, second, third = (_invited(t) for t in tickets)
    surveys.record_answer(first, 2, "Took ages.")
    db.session.commit()
    surveys.record_answer(first, 5)  # the customer thought better of it
    surveys.record_answer(second, 3)
    surveys.record_answer(third, 1)
    db.session.commit()
    report = build_report(utcnow(), 30, "No team", "All teams")
    rows = {team.name: team.satisfaction for team in report.teams}
    (care_csat,) = rows["Customer Care"]
    assert (care_csat.count, care_csat.average, care_csat.categories) == (
        2,
        4.0,  # (5 + 3) / 2
        {"unsatisfied": 0, "neutral": 1, "satisfied": 1},
    )
    (quality_csat,) = rows["Product Quality"]
    assert (quality_csat.count, quality_csat.average) == (1, 1.0)
    (total,) = report.total.satisfaction
    assert (total.count, total.total) == (3, 9.0)


@pytest.mark.parametrize(
    ("timezone", "responses", "nps"),
    [
        ("UTC", (1, 2), {date(2030, 1, 7): 100, date(2030, 1, 14): 0}),
        ("Asia/Kathmandu", (0, 3), {date(2030, 1, 14): 33}),
    ],
)
def test_weekly_nps_falls_in_the_viewers_weeks(builtin_forms, timezone, responses, nps):
    """Sunday 18:30 UTC is already Monday 00:15 in Kathmandu (UTC+5:45)."""
    sunday_evening = datetime(2030, 1, 13, 18, 30, tzinfo=UTC)
    for score, moment in (
        (10, sunday_evening),
        (0, sunday_evening + timedelta(hours=6)),
        (9, sunday_evening + timedelta(days=1)),
    ):
        _respond("nps", {"score": score})
        response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
        response.started_at = response.completed_at = moment
    _respond("goal", {"goal": "yes"})  # 2 weeks ahead of the report's clock: a week of its own
    ahead = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    ahead.started_at = ahead.completed_at = datetime(2030, 1, 30, 9, 0, tzinfo=UTC)
    further = make_ticket()  # a week further still, added by the ticket
    further.created_at = datetime(2030, 2, 6, 9, 0, tzinfo=UTC)
    _respond("goal", {"goal": "no"})  # in that week
    in_it = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    in_it.started_at = in_it.completed_at = datetime(2030, 2, 5, 9, 0, tzinfo=UTC)
    db.session.commit()
    report = build_report(datetime(2030, 1, 16, 12, tzinfo=UTC), 7, "No team", "All", timezone)
    by_week = {w.start: (w.responses, w.nps.count if w.nps else 0) for w in report.weeks}
    # UTC: 10 in the first week, 0 and 9 in the second (NPS 0); Kathmandu: all three on
    # Monday or later, (2 promoters - 1 detractor) / 3 = +33.
    assert by_week == {
        date(2030, 1, 7): (responses[0], responses[0]),
        date(2030, 1, 14): (responses[1], responses[1]),
        date(2030, 1, 28): (1, 0),
        date(2030, 2, 4): (1, 0),
    }
    assert {w.start: w.nps.nps for w in report.weeks if w.nps and w.nps.count} == nps


def test_the_demo_month_scores_as_its_answers_do(app, demo_data):
    """`seed-demo` adds its responses through the ORM: they get their scores on the way."""
    now = utcnow()
    since = now - timedelta(days=30)
    definitions = {f.id: d for f, d in form_service.published_forms()}
    answers: dict[int, list] = {form_id: [] for form_id in definitions}
    for response in db.session.scalars(select(Response).where(Response.completed_at >= since)):
        answers[response.form_id].append(response.answers)
    by_hand = {form_id: summarise(d, answers[form_id]) for form_id, d in definitions.items()}
    shown = {i.slug: i.score for i in feedback_overview("en", now)}
    slugs = {f.id: f.slug for f, _ in form_service.published_forms()}
    assert shown == {slugs[form_id]: summary for form_id, summary in by_hand.items()}
    assert shown["nps"].count > 30 and shown["csat"].count > 10
