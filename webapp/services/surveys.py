"""Post-resolution surveys: scheduled on resolve, sent once when due, answered in one click.

The workflow decides *when* (`schedule_survey: {form: csat, after: 24h}` on entering
`resolved`, `cancel_survey` on reopen); this module keeps the invitation rows. The periodic
job claims each due invitation with a conditional UPDATE (scheduled → sent), so overlapping
runs send it once; one still unanswered `remind_after_days` after it was sent gets one
reminder (see `send_due_reminders`). The answer is stored as a response of the survey's
form (linked from the invitation, not through `Response.ticket_id`, which names the response
a ticket came from), labels the ticket (`CSAT 5`, `NPS 10`) and publishes `survey.answered`
for automations.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from survey_forms.conversation import AnswerError, visible_questions
from survey_forms.definition import FormDefinition, Question
from survey_forms.scoring import category_for
from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import (
    Form,
    OutboxMessage,
    Response,
    SurveyInvitation,
    SurveyStatus,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from webapp.services import forms as form_service
from webapp.services.history import record_event
from webapp.services.non_essential_mail import email_customer, reason_not_to_email
from workflow.durations import parse_duration

log = logging.getLogger(__name__)

SCORED_TYPES = ("nps", "csat", "ces")
ANSWERABLE = (SurveyStatus.SENT, SurveyStatus.ANSWERED)
STILL_RESOLVED = ("resolved", "closed")  # state categories in which a survey still makes sense
BATCH = 200
COMMENT_MAX_LENGTH = 5000  # as a long answer without a limit of its own (survey_forms)
TEMPLATE = "survey_invitation"
REMINDER_TEMPLATE = "survey_reminder"


class SurveyClosed(Exception):
    """The invitation cannot be answered (cancelled, skipped, or never sent)."""


class BadScore(ValueError):
    """A score outside the form's scale."""

    def __init__(self, low: int, high: int):
        super().__init__(f"a score from {low} to {high}")
        self.low, self.high = low, high


@dataclass(frozen=True)
class SurveyForm:
    """The form version an invitation is answered with, and its score question."""

    form: Form
    version_id: int
    definition: FormDefinition
    question: Question

    @property
    def scale(self) -> tuple[int, int]:
        return self.question.scale

    def text(self, texts: Any, lang: str) -> str:
        return self.definition.text(texts, lang) if texts else ""


def schedule_survey(
    ticket: Ticket,
    form_slug: str,
    after: str,
    actor: User | None = None,
    remind_after_days: int | None = None,
) -> SurveyInvitation | None:
    """Schedule a survey `after` (e.g. "24h") from now, unless one is already waiting;
    remind once `remind_after_days` after sending it if unanswered (None: never).

    Runs inside a transition: nothing here flushes the ticket, so a stale ticket still
    fails at the transition's own flush, as a conflict.
    """
    if _scheduled_survey_exists(ticket):
        return None
    delay = parse_duration(str(after))
    # Survey delays are wall-clock time: "1d" is a day later, not a business day.
    due_at = utcnow() + timedelta(days=delay.days, minutes=delay.minutes)
    invitation = SurveyInvitation(
        ticket=ticket,
        form_slug=form_slug,
        due_at=due_at,
        status=SurveyStatus.SCHEDULED,
        remind_after_days=remind_after_days or None,
    )
    db.session.add(invitation)
    record_event(
        ticket,
        "survey_scheduled",
        actor,
        form=form_slug,
        after=str(after),
        due_at=due_at.isoformat(),
    )
    return invitation


def _scheduled_survey_exists(ticket: Ticket) -> bool:
    if any(
        isinstance(obj, SurveyInvitation)
        and obj.ticket is ticket
        and obj.status == SurveyStatus.SCHEDULED
        for obj in db.session.new
    ):
        return True
    with db.session.no_autoflush:
        waiting = db.session.scalar(
            select(SurveyInvitation.id).where(
                SurveyInvitation.ticket_id == ticket.id,
                SurveyInvitation.status == SurveyStatus.SCHEDULED,
            )
        )
    return waiting is not None


def cancel_surveys(ticket: Ticket, actor: User | None = None, reason: str = "reopened") -> int:
    """Cancel the ticket's scheduled surveys (the ticket was reopened first).

    A conditional UPDATE: a survey the job has just claimed stays sent, never both.
    """
    unsaved = [  # scheduled and reopened in one transaction: never written at all
        obj for obj in db.session.new if isinstance(obj, SurveyInvitation) and obj.ticket is ticket
    ]
    for invitation in unsaved:
        db.session.expunge(invitation)
    with db.session.no_autoflush:
        cancelled = (
            len(unsaved)
            + db.session.execute(
                update(SurveyInvitation)
                .where(
                    SurveyInvitation.ticket_id == ticket.id,
                    SurveyInvitation.status == SurveyStatus.SCHEDULED,
                )
                .values(status=SurveyStatus.CANCELLED, cancelled_at=utcnow())
                .execution_options(synchronize_session="fetch")
            ).rowcount
        )
    if cancelled:
        record_event(ticket, "survey_cancelled", actor, reason=reason)
    return cancelled


def _claim(invitation_id: int, now: datetime) -> bool:
    return bool(
        db.session.execute(
            update(SurveyInvitation)
            .where(
                SurveyInvitation.id == invitation_id,
                SurveyInvitation.status == SurveyStatus.SCHEDULED,
            )
            .values(status=SurveyStatus.SENT, sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def send_due_surveys(now: datetime | None = None, limit: int = BATCH) -> int:
    """E-mail every due survey once; returns how many were sent.

    Commits after each invitation, so a claim is held only while its e-mail is queued
    and a concurrent run waits for at most one row, then finds it taken.
    """
    now = now or utcnow()
    due_ids = db.session.scalars(
        select(SurveyInvitation.id)
        .where(SurveyInvitation.status == SurveyStatus.SCHEDULED, SurveyInvitation.due_at <= now)
        .order_by(SurveyInvitation.due_at)
        .limit(limit)
    ).all()
    sent = 0
    for invitation_id in due_ids:
        if not _claim(invitation_id, now):
            continue  # another run took it
        invitation = db.session.get(SurveyInvitation, invitation_id, populate_existing=True)
        try:
            sent += _deliver(invitation, now)
        except Exception:  # one broken survey (say, a bad template) must not block the rest
            log.exception("survey invitation %s: not sent, will retry", invitation_id)
            db.session.rollback()
            continue
        db.session.commit()
    return sent


def _state_category(ticket: Ticket) -> str:
    from webapp.services.workflow_versions import machine_for

    return machine_for(ticket.workflow_version_id).definition.states[ticket.state].category


def _deliver(invitation: SurveyInvitation, now: datetime) -> bool:
    """Queue the claimed invitation's e-mail, or mark why it is not sent."""
    ticket = invitation.ticket
    if _state_category(ticket) not in STILL_RESOLVED:
        # Moved back to work by a transition that did not cancel the survey.
        invitation.status, invitation.cancelled_at = SurveyStatus.CANCELLED, now
        invitation.sent_at = None
        record_event(ticket, "survey_cancelled", None, reason="not_resolved")
        return False
    survey = survey_form(invitation)
    reason = reason_not_to_email(ticket) or (None if survey else "no_form")
    if reason:
        invitation.status, invitation.sent_at = SurveyStatus.SKIPPED, None
        record_event(ticket, "survey_skipped", None, form=invitation.form_slug, reason=reason)
        return False
    email_customer(
        ticket, TEMPLATE, _mail_context(invitation, survey), f"{TEMPLATE}:{invitation.id}"
    )
    if invitation.remind_after_days:
        invitation.remind_at = now + timedelta(days=invitation.remind_after_days)
    return True


def _mail_context(invitation: SurveyInvitation, survey: SurveyForm) -> dict:
    """The survey e-mail's values; the reminder has the same (the same one-click links)."""
    ticket = invitation.ticket
    lang = ticket.customer_locale
    low, high = survey.scale
    question = survey.question
    return {
        "subject": ticket.subject,
        "question": survey.text(question.text, lang),
        "survey_type": question.type,
        "low_label": survey.text(question.low_label, lang),
        "high_label": survey.text(question.high_label, lang),
        "scores": [{"value": n, "url": score_link(invitation, n)} for n in range(low, high + 1)],
    }


# --- the one reminder ---------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None, limit: int = BATCH) -> int:
    """Remind each customer once of a survey still unanswered; returns how many were queued.

    Only invitations that were given a reminder when sent are due (`remind_at`, set from
    the workflow's `remind_after` as the survey went out): invitations sent before
    reminders existed have none, so the first run after an upgrade sends no burst of
    reminders for old surveys. A reminder more than `remind_after_days` late (the jobs were
    stopped meanwhile) is dropped rather than sent weeks after the survey.

    The claim is a conditional UPDATE of `reminded_at`, committed with the outbox row
    (`survey_reminder:<id>`), so a retried or overlapping run never queues it twice.
    """
    now = now or utcnow()
    due_ids = db.session.scalars(
        select(SurveyInvitation.id)
        .where(
            SurveyInvitation.status == SurveyStatus.SENT,
            SurveyInvitation.remind_at <= now,
            SurveyInvitation.reminded_at.is_(None),
        )
        .order_by(SurveyInvitation.remind_at)
        .limit(limit)
    ).all()
    sent = 0
    for invitation_id in due_ids:
        if not _claim_reminder(invitation_id, now):
            continue  # another run took it, or the customer answered meanwhile
        invitation = db.session.get(SurveyInvitation, invitation_id, populate_existing=True)
        try:
            sent += _remind(invitation, now)
        except Exception:  # one broken reminder must not block the rest
            log.exception("survey reminder %s: not sent, will retry", invitation_id)
            db.session.rollback()
            continue
        db.session.commit()
    return sent


def _claim_reminder(invitation_id: int, now: datetime) -> bool:
    return bool(
        db.session.execute(
            update(SurveyInvitation)
            .where(
                SurveyInvitation.id == invitation_id,
                SurveyInvitation.status == SurveyStatus.SENT,
                SurveyInvitation.reminded_at.is_(None),
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _remind(invitation: SurveyInvitation, now: datetime) -> bool:
    """Queue the claimed reminder, or drop it (quietly: the survey itself was sent)."""
    ticket = invitation.ticket
    key = f"{REMINDER_TEMPLATE}:{invitation.id}"
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_key == key)):
        return False  # queued before (a claim undone by hand, a restored backup): once only
    survey = survey_form(invitation)
    if survey is None or not _still_worth_reminding(invitation, ticket, now):
        invitation.reminded_at = invitation.remind_at = None
        return False
    email_customer(ticket, REMINDER_TEMPLATE, _mail_context(invitation, survey), key)
    record_event(ticket, "survey_reminded", None, form=invitation.form_slug)
    return True


def _still_worth_reminding(invitation: SurveyInvitation, ticket: Ticket, now: datetime) -> bool:
    """Resolved all along since the survey went out, the customer still reachable, and
    not so late that the reminder would come out of the blue."""
    from webapp.services.spam import is_blocked

    days = timedelta(days=invitation.remind_after_days or 0)
    if invitation.remind_at is None or now > invitation.remind_at + days:
        return False
    if ticket.spam_at is not None or ticket.customer_erased_at is not None:
        return False
    if _state_category(ticket) not in STILL_RESOLVED or _reopened_since(invitation):
        return False
    return reason_not_to_email(ticket) is None and not is_blocked(ticket.customer_email)


def _reopened_since(invitation: SurveyInvitation) -> bool:
    """Moved back to work after the survey was sent, or resolved again since (that
    resolution asks with a survey of its own)."""
    from webapp.services.workflow_versions import machine_for

    states = machine_for(invitation.ticket.workflow_version_id).definition.states
    moved_to = db.session.scalars(
        select(TicketEvent.to_state).where(
            TicketEvent.ticket_id == invitation.ticket_id,
            TicketEvent.kind == "transition",
            TicketEvent.created_at >= invitation.sent_at,
        )
    ).all()
    newer = db.session.scalar(
        select(SurveyInvitation.id)
        .where(
            SurveyInvitation.ticket_id == invitation.ticket_id,
            SurveyInvitation.id > invitation.id,
        )
        .limit(1)
    )
    return newer is not None or any(
        state not in states or states[state].category not in STILL_RESOLVED
        for state in moved_to
        if state
    )


def answerable_invitation(ticket_id: int) -> SurveyInvitation | None:
    """The ticket's survey the customer may answer now (sent, or answered and changeable):
    the status page asks it too, for a customer who comes there rather than to the e-mail."""
    return db.session.scalar(
        select(SurveyInvitation)
        .where(SurveyInvitation.ticket_id == ticket_id, SurveyInvitation.status.in_(ANSWERABLE))
        .order_by(SurveyInvitation.id.desc())
        .limit(1)
    )


def score_link(invitation: SurveyInvitation, score: int) -> str:
    return external_url("public.survey_score", token=invitation.token, score=score)


def find_invitation(token: str) -> SurveyInvitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.token == token))


def score_question(definition: FormDefinition) -> Question | None:
    """The survey's scored question: the form's first NPS, CSAT or CES question."""
    return next((q for q in definition.questions if q.type in SCORED_TYPES), None)


def survey_form(invitation: SurveyInvitation) -> SurveyForm | None:
    """The version already answered (a changed answer stays on it), else the active one."""
    response = _response_of(invitation)
    if response is not None:
        form, version_id = response.form, response.form_version_id
    else:
        form, version_id = form_service.find_form_and_active_version(invitation.form_slug)
    if form is None or version_id is None:
        return None
    definition = form_service.definition_for(version_id)
    question = score_question(definition)
    if question is None:
        return None
    return SurveyForm(form, version_id, definition, question)


def _response_of(invitation: SurveyInvitation) -> Response | None:
    return db.session.get(Response, invitation.response_id) if invitation.response_id else None


def comment_limit(follow_up: Question | None) -> int:
    """How long the comment may be: its question's own limit, else the app's."""
    return (follow_up.max_length if follow_up else None) or COMMENT_MAX_LENGTH


def follow_up_question(survey: SurveyForm, answers: dict, lang: str) -> Question | None:
    """The form's open question that applies after this score ("What could we do better?")."""
    context = {"hidden": {}, "locale": lang, "channel": "email"}
    shown = visible_questions(survey.definition, answers, **context)
    return next((q for q in shown if q.type == "long_text"), None)


@dataclass(frozen=True)
class SurveyAnswer:
    score: int | None
    comment: str


def current_answer(invitation: SurveyInvitation, survey: SurveyForm) -> SurveyAnswer:
    response = _response_of(invitation)
    if response is None:
        return SurveyAnswer(None, "")
    answers = response.answers or {}
    follow_up = follow_up_question(survey, answers, response.locale)
    comment = answers.get(follow_up.id) if follow_up else (response.meta or {}).get("comment")
    return SurveyAnswer(answers.get(survey.question.id), comment or "")


def parse_score(survey: SurveyForm, raw: Any) -> int:
    """The score as a number on the form's scale, or BadScore."""
    low, high = survey.scale
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise BadScore(low, high) from None
    if not low <= value <= high:
        raise BadScore(low, high)
    return value


def record_answer(
    invitation: SurveyInvitation, score: Any, comment: str | None = None
) -> SurveyAnswer:
    """Store the customer's score (and comment) and tell the automations.

    Answering again with another score changes the same response and label; the same
    score again changes nothing. Raises SurveyClosed, BadScore, or AnswerError (comment).
    """
    survey = survey_form(invitation) if invitation.status in ANSWERABLE else None
    if survey is None:
        raise SurveyClosed(invitation.status)
    value = parse_score(survey, score)
    ticket = invitation.ticket
    response = _response_of(invitation) or _new_response(invitation, survey)
    question = survey.question
    previous = (response.answers or {}).get(question.id)
    now = utcnow()
    if previous != value:
        earlier_comment = current_answer(invitation, survey).comment
        _store(response, question.id, value)
        if earlier_comment and not current_answer(invitation, survey).comment:
            # The form swaps the follow-up with the score ("what did you like?" → "what
            # went wrong?"); the customer's words move along instead of being dropped.
            _store_comment(response, survey, earlier_comment)
    if comment is not None:
        comment = comment.replace("\x00", "")  # PostgreSQL's text refuses NUL; nobody means one
        comment = comment.replace("\r\n", "\n")  # a line break is one character, as typed
    if comment is not None and comment.strip():
        _store_comment(response, survey, comment)  # refuses a comment over the limit, whole
        record_event(ticket, "survey_comment", None, actor_kind="customer", text=comment.strip())
        from webapp.services.tickets import add_search_text

        add_search_text(ticket, comment)
    response.completed_at = response.completed_at or now
    if previous == value:
        return current_answer(invitation, survey)
    invitation.status, invitation.answered_at = SurveyStatus.ANSWERED, now
    _relabel(ticket, question.type, value)
    category = category_for(question.type, value)
    record_event(
        ticket,
        "survey_answered",
        None,
        actor_kind="customer",
        form=invitation.form_slug,
        type=question.type,
        score=value,
        previous=previous,
        category=category,
    )
    from webapp.services.events import publish

    publish(
        ticket,
        "survey.answered",
        form=invitation.form_slug,
        score=value,
        type=question.type,
        category=category,
        previous=previous,
    )
    return current_answer(invitation, survey)


def _new_response(invitation: SurveyInvitation, survey: SurveyForm) -> Response:
    ticket = invitation.ticket
    response = form_service.new_response(
        survey.form,
        survey.version_id,
        locale=ticket.customer_locale,
        channel="email",
        hidden={"ticket": ticket.number},
        meta={"survey_invitation": invitation.id},
    )
    db.session.flush()
    invitation.response_id = response.id
    return response


def _store(response: Response, question_id: str, raw: Any) -> None:
    """Through the form service, so the form's validation and pruning apply."""
    completed_at, response.completed_at = response.completed_at, None
    try:
        form_service.record_answer(response, question_id, raw)
    finally:
        response.completed_at = completed_at


def _store_comment(response: Response, survey: SurveyForm, comment: str) -> None:
    follow_up = follow_up_question(survey, response.answers or {}, response.locale)
    if follow_up is not None:
        _store(response, follow_up.id, comment)
        return
    if len(comment.strip()) > COMMENT_MAX_LENGTH:
        raise AnswerError("too_long", max=COMMENT_MAX_LENGTH)
    response.meta = {**(response.meta or {}), "comment": comment.strip()}


def score_label(question_type: str, value: int) -> str:
    return f"{question_type.upper()} {value}"


def _relabel(ticket: Ticket, question_type: str, value: int) -> None:
    """One `CSAT n` label per ticket: the latest answer's."""
    from webapp.services.tickets import add_label, remove_label

    wanted = score_label(question_type, value)
    earlier = re.compile(rf"{question_type}\s+\d+", re.IGNORECASE)
    for label in list(ticket.labels):
        if earlier.fullmatch(label.name) and label.name != wanted:
            remove_label(ticket, label.name, None)
    add_label(ticket, wanted, None)
