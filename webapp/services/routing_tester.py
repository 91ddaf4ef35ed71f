"""Test routing without routing anything: which rule, team, agent and SLA a response would get.

The facts are built exactly as for a real ticket (the same `NewTicket` a submitted form
makes, read through `ticket_facts` on a ticket that is never added to the session), and
the agent is chosen by the same `pick_assignee` over the team's real members, loads and
working hours. Nothing is written: the round-robin pointer is only read, never locked
or moved, and no row is added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from flask_babel import get_locale, gettext
from sqlalchemy import select

from survey_forms import conversation
from survey_forms.definition import FormDefinition
from webapp.extensions import db
from webapp.models import (
    Form,
    Response,
    Team,
    TeamRoutingState,
    Ticket,
    TicketEvent,
    WorkflowKind,
    WorkflowVersion,
    utcnow,
)
from webapp.services import forms as form_service
from webapp.services.assignment import team_candidates
from webapp.services.tickets import NewTicket, ticket_facts, unsaved_ticket
from webapp.services.workflow_versions import SHIPPED
from webapp.shortened import shortened
from workflow.calendars import BusinessCalendar
from workflow.conditions import evaluate, explain
from workflow.definition import RouteTarget, WorkflowDefinition, load_definition
from workflow.durations import Duration
from workflow.routing import Pick, RoutingDecision, pick_assignee, route
from workflow.sla import choose_policy, deadlines, explain_deadline
from workflow.yaml_documents import N_, Problem

RECENT_RESPONSES = 50
MAX_TYPED_CHARS = 5000  # per answer; the public form allows no more
MAX_METADATA_ITEMS = 20
_METADATA_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what a rule's field path can name
_INTERNAL = {"rejected_signed_fields"}  # kept for the staff, no fact a customer gave


class SampleRefused(ValueError):
    """The typed sample cannot be used (unknown form); `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResponseChoice:
    id: int
    form_slug: str
    at: datetime
    excerpt: str
    locale: str
    ticket_number: str | None
    form_title: str = ""  # in the reader's language where the form has it


@dataclass(frozen=True)
class Sample:
    """What a ticket would be made from, and where it came from."""

    new_ticket: NewTicket
    response_id: int | None = None
    ticket: Ticket | None = None  # the real ticket a past response created
    rejected: tuple[tuple[str, str], ...] = ()  # typed answers not accepted: (question, code)


@dataclass(frozen=True)
class RuleCheck:
    number: int  # 1-based, as the list shows it
    name: str
    matched: bool
    why: str  # in English, as the CLI says it; the page words `when` and the facts
    when: Mapping | None = None


@dataclass(frozen=True)
class MemberLoad:
    name: str
    languages: tuple[str, ...]
    on_duty: bool
    open_load: int
    capacity: int
    away_until: date | None = None  # their last day away, when away now: never picked
    holiday: str | None = None  # the public holiday that keeps them off duty now, named


@dataclass(frozen=True)
class DueTime:
    metric: str
    due_at: datetime
    warn_at: datetime
    explanation: str  # in English, as the CLI says it; the page words it from the fields below
    target: Duration | None = None
    calendar: BusinessCalendar | None = None


@dataclass(frozen=True)
class Trial:
    """What routing would do with one sample under one definition."""

    problems: tuple[Problem, ...] = ()  # the definition does not load: nothing else is set
    decision: RoutingDecision | None = None
    checks: tuple[RuleCheck, ...] = ()
    team_slug: str | None = None
    team_name: str | None = None
    missing_team: str | None = None  # the target names a team that does not exist
    overflowed_from: str | None = None
    overflowed_because: str | None = None  # "at_capacity" or "everyone_away"
    pick: Pick | None = None
    assignee_name: str | None = None
    members: tuple[MemberLoad, ...] = ()
    priority: str = "normal"
    labels: tuple[str, ...] = ()
    watchers: tuple[str, ...] = ()
    policy_name: str | None = None  # as tickets store it: "policy 2" when its admin gave none
    policy_index: int | None = None  # its place in the policies, from 0
    policy_reason: str | None = None
    policy_when: Mapping | None = None  # the policy's condition
    policy_is_default: bool = False  # the policy has no condition: it takes any ticket
    due: tuple[DueTime, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)
    now: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.decision is not None


# -- what can be tested -------------------------------------------------------------------


def recent_responses(limit: int = RECENT_RESPONSES) -> list[ResponseChoice]:
    """Completed responses, newest first, with a short excerpt to recognise them by: the
    form's title and the choices' labels in the reader's language, not their codes."""
    rows = db.session.execute(
        select(Response, Form.slug)
        .join(Form, Form.id == Response.form_id)
        .where(Response.completed_at.is_not(None))
        .order_by(Response.completed_at.desc(), Response.id.desc())
        .limit(limit)
    ).all()
    tickets = {
        t.id: t.number
        for t in db.session.scalars(
            select(Ticket).where(Ticket.id.in_([r.ticket_id for r, _ in rows if r.ticket_id]))
        )
    }
    reader = str(get_locale() or "")
    definitions: dict[int, FormDefinition | None] = {}
    for response, _slug in rows:
        if response.form_version_id not in definitions:
            definitions[response.form_version_id] = _definition_or_none(response.form_version_id)
    choices = []
    for response, slug in rows:
        definition = definitions[response.form_version_id]
        choices.append(
            ResponseChoice(
                id=response.id,
                form_slug=slug,
                at=response.completed_at,
                excerpt=_excerpt(response.answers or {}, definition, reader),
                locale=response.locale,
                ticket_number=tickets.get(response.ticket_id),
                form_title=(definition.text(definition.title, reader) if definition else "")
                or slug,
            )
        )
    return choices


def _definition_or_none(version_id: int) -> FormDefinition | None:
    try:
        return form_service.definition_for(version_id)
    except form_service.FormPublishRefused:
        return None


def _answer_words(
    definition: FormDefinition | None, question_id: str, value: Any, reader: str
) -> str:
    """An answer as the reader says it: "Yes" for a goal's `yes`, "Payment" for `payment`."""
    question = definition.question(question_id) if definition else None
    values = value if isinstance(value, list) else [value]
    if question is not None and question.type == "goal":
        words = {"yes": gettext("Yes"), "no": gettext("No")}
    elif question is not None and definition is not None:
        words = {c.value: definition.text(c.label, reader) or c.value for c in question.choices}
    else:
        words = {}
    return ", ".join(words.get(str(v), str(v)) for v in values)


def _excerpt(
    answers: Mapping[str, Any],
    definition: FormDefinition | None = None,
    reader: str = "",
    limit: int = 60,
) -> str:
    texts = [
        _answer_words(definition, k, v, reader)
        for k, v in answers.items()
        if (isinstance(v, str) and v.strip())
        or (isinstance(v, list) and v and all(isinstance(item, str) for item in v))
    ]
    numbers = [f"{k}={v}" for k, v in answers.items() if isinstance(v, int | float)]
    text = " · ".join([*numbers[:2], *texts[:1]])
    text = " ".join(text.split())
    return shortened(text, limit)


def testable_forms() -> list[tuple[str, FormDefinition]]:
    """Forms with an active version, by slug, with their definitions (for typed answers)."""
    return [(form.slug, definition) for form, definition in form_service.published_forms()]


def metadata_keys_seen(limit: int = RECENT_RESPONSES) -> list[str]:
    """The metadata and hidden-field keys of the latest responses, for the rule builder's
    field picker (one query): what a `metadata.<key>` condition can find."""
    rows = db.session.execute(
        select(Response.meta, Response.hidden).order_by(Response.id.desc()).limit(limit)
    ).all()
    keys: dict[str, None] = {}
    for meta, hidden in rows:
        for found in (meta, hidden):
            for key in found if isinstance(found, Mapping) else ():
                if isinstance(key, str) and _METADATA_KEY.match(key) and key not in _INTERNAL:
                    keys[key] = None
    return sorted(keys)


def form_definition(slug: str) -> FormDefinition | None:
    return dict(testable_forms()).get(slug)


# -- samples ------------------------------------------------------------------------------


def sample_from_response(response_id: int) -> Sample | None:
    """The ticket a past response made (or would make), as the submission built it."""
    response = db.session.get(Response, response_id)
    if response is None:
        return None
    try:
        definition = form_service.definition_for(response.form_version_id)
    except form_service.FormPublishRefused:  # a tampered version: nothing to test with
        return None
    ticket = db.session.get(Ticket, response.ticket_id) if response.ticket_id else None
    return Sample(
        form_service._new_ticket(definition, response),  # the same NewTicket a submission makes
        response_id=response.id,
        ticket=ticket,
    )


def sample_from_answers(
    form_slug: str,
    raw_answers: Mapping[str, Any],
    *,
    locale: str,
    channel: str,
    email: str = "",
    metadata: Mapping[str, str] | None = None,
) -> Sample:
    """A ticket from typed answers, each parsed as the public form would parse it."""
    definition = form_definition(form_slug)
    if definition is None:
        raise SampleRefused("unknown_form")
    answers: dict[str, Any] = {}
    rejected = []
    for question in definition.questions:
        raw = raw_answers.get(question.id)
        if question.type == "file" or raw in (None, "", []):
            continue
        if isinstance(raw, str) and len(raw) > MAX_TYPED_CHARS:
            rejected.append((question.id, "too_long"))
            continue
        try:
            value = conversation.parse_answer(question, raw)
        except conversation.AnswerError as error:
            rejected.append((question.id, error.code))
            continue
        if value is not None:
            answers[question.id] = value
    email = (email or "").strip()[:254]
    email_question = next((q.id for q in definition.questions if q.type == "email"), None)
    if email and email_question and email_question not in answers:
        answers[email_question] = email
    response = SimpleNamespace(
        answers=answers,
        locale=locale if locale in definition.languages else definition.default_language,
        channel=channel,
        meta=dict(list((metadata or {}).items())[:MAX_METADATA_ITEMS]),
        hidden={},
    )
    new = form_service._new_ticket(definition, response)
    if email and not new.customer_email:
        new = replace(new, customer_email=email)
    return Sample(new, rejected=tuple(rejected))


def facts_of(new: NewTicket) -> dict[str, Any]:
    """The facts routing reads for this new ticket: `ticket_facts` on an unsaved ticket."""
    unsaved = unsaved_ticket(new)  # never added to the session: nothing can be flushed
    return ticket_facts(unsaved)


# -- definitions ---------------------------------------------------------------------------


def active_definition() -> tuple[WorkflowVersion | None, WorkflowDefinition]:
    """The active ticket workflow (the shipped default before any is installed), read only."""
    version = db.session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.kind == WorkflowKind.TICKET, WorkflowVersion.active.is_(True)
        )
    )
    if version is not None:
        from webapp.services.workflow_versions import machine_for

        return version, machine_for(version.id).definition
    text = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
    return None, load_definition(text).definition


# -- the trial ----------------------------------------------------------------------------


def try_routing(
    definition: WorkflowDefinition | None,
    new: NewTicket,
    *,
    now: datetime | None = None,
    problems: tuple[Problem, ...] = (),
) -> Trial:
    """Route `new` under `definition` as `create_ticket` would, writing nothing."""
    if definition is None:
        return Trial(problems=problems or (Problem("", N_("the definition does not load")),))
    now = now or utcnow()
    facts = facts_of(new)
    decision = route(definition, facts)
    checks = tuple(
        RuleCheck(
            i + 1, rule.name, evaluate(rule.when, facts), explain(rule.when, facts), rule.when
        )
        for i, rule in enumerate(definition.rules)
    )
    target = decision.target
    running = {name for name, s in definition.states.items() if s.clock == "running"}
    team = _team(target.team)
    pick, overflowed, members = None, None, ()
    if team is not None:
        team, pick, overflowed, members = _dry_pick(team, target, new, now, running)
    priority = target.priority or "normal"
    labels = _labels(target.labels)
    after_routing = {
        **facts,
        "priority": priority,
        "team": team.slug if team else None,
        "labels": list(labels),
    }
    choice = choose_policy(definition, after_routing)
    due: tuple[DueTime, ...] = ()
    if choice is not None:
        due = tuple(
            DueTime(
                metric, d.due_at, d.warn_at, explain_deadline(choice, d), d.target, choice.calendar
            )
            for metric, d in deadlines(choice, now).items()
        )
    assignee = None
    if pick is not None and pick.user_id is not None:
        assignee = next((m for m in members if m[0] == pick.user_id), None)
    return Trial(
        decision=decision,
        checks=checks,
        team_slug=team.slug if team else None,
        team_name=team.name if team else None,
        missing_team=target.team if target.team and team is None else None,
        overflowed_from=overflowed[0] if overflowed else None,
        overflowed_because=overflowed[1] if overflowed else None,
        pick=pick,
        assignee_name=assignee[1].name if assignee else None,
        members=tuple(m[1] for m in members),
        priority=priority,
        labels=labels,
        watchers=tuple(target.watchers),
        policy_name=choice.policy.name if choice else None,
        policy_index=choice.index if choice else None,
        policy_reason=choice.reason if choice else None,
        policy_when=choice.policy.when if choice else None,
        policy_is_default=choice.is_default if choice else False,
        due=due,
        facts=after_routing,
        now=now,
    )


def _team(slug: str | None) -> Team | None:
    return db.session.scalar(select(Team).where(Team.slug == slug)) if slug else None


def _labels(names: tuple[str, ...]) -> tuple[str, ...]:
    """Labels as `add_label` keeps them: spaces folded, 64 characters, once each."""
    kept: list[str] = []
    for name in names:
        name = " ".join(name.split())[:64]
        if name and all(k.casefold() != name.casefold() for k in kept):
            kept.append(name)
    return tuple(kept)


def _dry_pick(team: Team, target: RouteTarget, new: NewTicket, now: datetime, running: set[str]):
    """`_pick_in_team` without the lock and without moving the round-robin pointer."""
    pick, members = _dry_choose(team, target.assign, new.customer_locale, now, running)
    if pick.team_full and target.overflow_team:
        overflow = _team(target.overflow_team)
        if overflow is not None:
            because = pick.notes[0][0]
            pick, members = _dry_choose(overflow, target.assign, new.customer_locale, now, running)
            pick = pick.overflowed_to(overflow.slug)
            return overflow, pick, (team.slug, because), members
    return team, pick, None, members


def _dry_choose(team: Team, strategy: str, locale: str, now: datetime, running: set[str]):
    candidates = team_candidates(team, running)
    members = tuple(
        (
            c.user_id,
            MemberLoad(
                c.name,
                c.languages,
                c.working_hours is None or c.working_hours.is_open(now),
                c.open_load,
                c.capacity,
                date.fromisoformat(c.away_last_day) if c.is_away(now) and c.away_last_day else None,
                _holiday_off(c.working_hours, now),
            ),
        )
        for c in candidates
    )
    if strategy == "manual":
        return pick_assignee("manual", [], locale=locale, now=now), members
    last = None
    if strategy == "round_robin":
        last = db.session.scalar(
            select(TeamRoutingState.last_user_id).where(TeamRoutingState.team_id == team.id)
        )
    return pick_assignee(strategy, candidates, locale=locale, now=now, last_user_id=last), members


def _holiday_off(hours: BusinessCalendar | None, now: datetime) -> str | None:
    """The public holiday an off-duty member has now, in the reader's language (the table
    then says why "no", as the History of a real ticket does)."""
    if hours is None or hours.is_open(now):
        return None
    return hours.public_holiday(now, str(get_locale() or "en"))


def real_routing(ticket: Ticket) -> TicketEvent | None:
    """The routing event recorded when the ticket was created (its first `routed`)."""
    return db.session.scalar(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "routed")
        .order_by(TicketEvent.id)
        .limit(1)
    )
