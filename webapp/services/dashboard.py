"""What the dashboard shows: the viewer's work at a glance and what customers said lately.

A fixed number of queries whatever the number of tickets, forms or responses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select, tuple_

from survey_forms.insights import ScoreSummary, scored_question, tally
from webapp.extensions import db
from webapp.models import Response, ResponseScore, Ticket, User
from webapp.models.forms import stored_answer
from webapp.services.board import sla_condition
from webapp.services.forms import published_forms
from webapp.services.ticket_access import visible_condition
from webapp.services.workflow_versions import ticket_in_open_state

INSIGHT_DAYS = 30  # "lately": long enough for a score to mean something, short enough to move


@dataclass(frozen=True)
class WorkCounts:
    """Open tickets (not resolved, not closed: `StateDef.open`) that ask for someone's
    attention. A resolved ticket waiting for its automatic close is not an agent's work."""

    mine: int
    mine_overdue: int
    unassigned: int
    overdue: int


def work_counts(viewer: User, now: datetime) -> WorkCounts:
    """One query: the viewer's open tickets, those past an SLA deadline, and the team's
    (of the tickets the viewer may see)."""
    breached = sla_condition("breached", now)
    visible = visible_condition(viewer)
    mine = Ticket.assignee_id == viewer.id

    def count(condition) -> object:
        return func.count(case((condition, 1)))

    row = db.session.execute(
        select(
            count(mine),
            count(and_(mine, breached)),
            count(Ticket.assignee_id.is_(None)),
            count(breached),
        ).where(ticket_in_open_state(), *([] if visible is None else [visible]))
    ).one()
    return WorkCounts(*(int(n or 0) for n in row))


@dataclass(frozen=True)
class FormInsight:
    """One published form over the last INSIGHT_DAYS days."""

    slug: str
    title: str
    started: int
    completed: int
    tickets: int
    score: ScoreSummary | None

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None


def feedback_overview(
    locale: str, now: datetime, days: int = INSIGHT_DAYS, viewer: User | None = None
) -> list[FormInsight]:
    """Every published form with its responses, completion, score and tickets lately.

    The tickets are those `viewer` may see (all without a viewer): the number links to the
    ticket list, which shows them. Responses and scores are the forms' own, for everyone.

    Scores read each form's live definition for which question is scored: question ids
    outlive versions, and a response whose score question was removed simply does not count.
    The database counts each answer of those questions (`response_score`), so the page
    costs the same whatever the number of responses.
    """
    since = now - timedelta(days=days)
    forms = published_forms()
    counts = {
        form_id: (started, completed)
        for form_id, started, completed in db.session.execute(
            select(Response.form_id, func.count(Response.id), func.count(Response.completed_at))
            .where(Response.started_at >= since, Response.spam.is_(False))
            .group_by(Response.form_id)
        )
    }
    questions = {form.id: scored_question(definition) for form, definition in forms}
    answered = score_counts(
        [(form_id, q.id) for form_id, q in questions.items() if q is not None], since
    )
    visible = None if viewer is None else visible_condition(viewer)
    tickets = dict(
        db.session.execute(
            select(Ticket.form_slug, func.count(Ticket.id))
            .where(
                Ticket.created_at >= since,
                Ticket.form_slug.is_not(None),
                Ticket.spam_at.is_(None),
                *([] if visible is None else [visible]),
            )
            .group_by(Ticket.form_slug)
        ).all()
    )
    overview = []
    for form, definition in forms:
        started, completed = counts.get(form.id, (0, 0))
        question = questions[form.id]
        overview.append(
            FormInsight(
                slug=form.slug,
                title=definition.text(definition.title, locale),
                started=started,
                completed=completed,
                tickets=tickets.get(form.slug, 0),
                score=tally(question, answered[form.id]) if question else None,
            )
        )
    return overview


def score_counts(
    questions: list[tuple[int, str]], since: datetime
) -> dict[int, list[tuple[int | str, int]]]:
    """Per form, how many responses completed since `since` gave each answer to its question.

    `questions` pairs a form id with the question its score reads. One query, whose rows
    are at most a dozen per form (the answers a scale has).
    """
    answered: dict[int, list[tuple[int | str, int]]] = defaultdict(list)
    if not questions:
        return answered
    rows = db.session.execute(
        select(Response.form_id, ResponseScore.value, ResponseScore.yes, func.count())
        .join(Response, Response.id == ResponseScore.response_id)
        .where(
            Response.completed_at >= since,
            Response.spam.is_(False),
            tuple_(Response.form_id, ResponseScore.question_id).in_(questions),
        )
        .group_by(Response.form_id, ResponseScore.value, ResponseScore.yes)
    )
    for form_id, value, yes, times in rows:
        answered[form_id].append((stored_answer(value, yes), times))
    return answered
