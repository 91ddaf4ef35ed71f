"""Turn board data into what an agent reads on a card, in their language and timezone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime, format_timedelta
from flask import url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from webapp.i18n import language_name_for_viewer, priority_label
from webapp.models import Ticket, User
from webapp.services.board import ColumnPage, TaskFlags, card_triggers
from webapp.services.sla_clock import clocks_stopped
from webapp.services.workflow_versions import machine_for
from webapp.tickets.presenters import (
    Colleague,
    colleagues_on_tickets,
    metric_label,
    refusal_message,
    sla_status_label,
)
from workflow.definition import WorkflowDefinition
from workflow.registry import PRIORITIES

SCORE_TONES = {
    "detractor": "bad",
    "unsatisfied": "bad",
    "difficult": "bad",
    "not_completed": "bad",
    "passive": "warn",
    "neutral": "warn",
    "promoter": "good",
    "satisfied": "good",
    "easy": "good",
    "completed": "good",
}
_SEVERITY = {"ok": 0, "warned": 1, "breached": 2}


@dataclass(frozen=True)
class MoveOption:
    trigger: str
    label: str
    dest: str
    dest_label: str


@dataclass(frozen=True)
class SlaBadge:
    status: str  # ok | warned | breached | paused
    description: str  # e.g. "First response: due soon"
    when: str  # e.g. "in 35 minutes", "2 hours ago"; empty while paused
    due: str  # the due moment in the viewer's timezone; empty while paused


@dataclass(frozen=True)
class ScoreBadge:
    text: str
    tone: str  # good | warn | bad | none


@dataclass(frozen=True)
class Card:
    ticket: Ticket
    number: str
    url: str
    select_label: str
    menu_label: str
    priority: str
    options: list[MoveOption]
    destinations: list[str]  # states this agent may drop the card into
    refusals: dict[str, str]  # state → why the card may not go there (known reasons only)
    refused_moves: list[tuple[str, str]]  # (state label, why not): the keyboard menu says so too
    sla: SlaBadge | None
    score: ScoreBadge | None
    overdue_task: bool
    language: str
    language_name: str
    present: list[Colleague]
    text: CardText


@dataclass(frozen=True)
class ColumnView:
    state: str
    label: str
    count: int
    cards: list[Card]
    has_more: bool
    next_before: int | None


def score_badge(facts: dict | None) -> ScoreBadge | None:
    """NPS/CSAT/CES badge: red for detractors and CSAT 1–2, amber in between, green above."""
    score = (facts or {}).get("score")
    if not isinstance(score, dict) or score.get("value") in (None, ""):
        return None
    kind = str(score.get("type") or "").lower()
    value = score["value"]
    tone = SCORE_TONES.get(str(score.get("category") or ""))
    if kind == "csat":
        tone = _csat_tone(value) or tone
    return ScoreBadge(f"{kind.upper()} {value}".strip(), tone or "none")


def _csat_tone(value) -> str | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return "bad" if number <= 2 else ("warn" if number == 3 else "good")


def _clock_status(due, warn, warned_at, breached_at, now: datetime) -> str:
    if breached_at or due <= now:
        return "breached"
    if warned_at or (warn and warn <= now):
        return "warned"
    return "ok"


class CardText:
    """What many cards say the same way, translated and formatted once per render.

    A board shows about 150 cards; asking Flask-Babel for the locale, timezone and catalogue
    for every string of every card costs more than all the SQL of the page.
    """

    NUMBER_SLOT = "LD-0"

    def __init__(self) -> None:
        self.locale = get_locale()
        self.locale_code = str(self.locale)
        self.timezone = get_timezone()
        self.priorities = {p: priority_label(p) for p in PRIORITIES}
        self.unassigned = _("Unassigned")
        self.move = _("Move")
        self.labels = _("Labels")
        self.overdue_task = _("Overdue task")
        self.overdue_task_title = _("A task on this ticket is overdue")
        self.spam = _("Spam")
        self._select = _("Select %(number)s")
        self._move_card = _("Move %(number)s")
        self._ticket_url = url_for("tickets.show", number=self.NUMBER_SLOT)
        self._refusals: dict[tuple, str] = {}
        self._sla: dict[tuple[str, str], str] = {}
        self._languages: dict[str, str] = {}
        self._states: dict[tuple[int, str], str] = {}
        self._present: dict[int, list[Colleague]] | None = None

    def present(self, ticket_id: int, viewer: User, now: datetime) -> list[Colleague]:
        """Who else has the ticket open: read once per render, for every card, with the
        names in one query (none while nobody is about)."""
        if self._present is None:
            self._present = colleagues_on_tickets(viewer.id, now)
        return self._present.get(ticket_id, [])

    def ticket_url(self, number: str) -> str:
        return self._ticket_url.replace(self.NUMBER_SLOT, number)

    def select(self, number: str) -> str:
        return self._select % {"number": number}

    def move_card(self, number: str) -> str:
        return self._move_card % {"number": number}

    def refusal(self, code: str, detail) -> str:
        key = (code, tuple(detail) if isinstance(detail, (list, tuple)) else detail)
        if key not in self._refusals:
            self._refusals[key] = refusal_message(code, detail)
        return self._refusals[key]

    def sla_description(self, metric: str, status: str) -> str:
        if (metric, status) not in self._sla:
            label = f"{metric_label(metric)}: " if metric else ""
            self._sla[(metric, status)] = label + sla_status_label(status)
        return self._sla[(metric, status)]

    def language(self, code: str) -> str:
        if code not in self._languages:
            self._languages[code] = language_name_for_viewer(code)
        return self._languages[code]

    def state(self, definition: WorkflowDefinition, version_id: int, state: str) -> str:
        if (version_id, state) not in self._states:
            known = definition.states.get(state)
            label = known.label(self.locale_code) if known else state.replace("_", " ")
            self._states[(version_id, state)] = label
        return self._states[(version_id, state)]

    def relative(self, delta) -> str:
        return format_timedelta(delta, granularity="minute", add_direction=True, locale=self.locale)

    def moment(self, value: datetime) -> str:
        return format_datetime(value, "short", tzinfo=self.timezone, locale=self.locale)


def sla_badge(ticket: Ticket, now: datetime, text: CardText) -> SlaBadge | None:
    """The running clock that matters most: the worst status, then the nearest due time.

    Matches `services.board.sla_condition`, so the SLA filter and the badge agree.
    """
    if ticket.resolved_at or clocks_stopped(ticket):
        # Nothing is owed on a resolved or closed ticket; "paused" read as if something were.
        return None
    if ticket.sla_paused_since:
        return SlaBadge("paused", text.sla_description("", "paused"), "", "")
    clocks = (
        (
            "first_response",
            ticket.first_response_due_at,
            ticket.first_response_warn_at,
            ticket.first_response_at,
            ticket.first_response_warned_at,
            ticket.first_response_breached_at,
        ),
        (
            "resolution",
            ticket.resolution_due_at,
            ticket.resolution_warn_at,
            ticket.resolved_at,
            ticket.resolution_warned_at,
            ticket.resolution_breached_at,
        ),
    )
    running = [
        (_clock_status(due, warn, warned, breached, now), due, metric)
        for metric, due, warn, met, warned, breached in clocks
        if due is not None and met is None
    ]
    if not running:
        return None
    status, due, metric = min(running, key=lambda c: (-_SEVERITY[c[0]], c[1]))
    return SlaBadge(
        status, text.sla_description(metric, status), text.relative(due - now), text.moment(due)
    )


def build_card(
    ticket: Ticket, viewer: User, tasks: TaskFlags, now: datetime, text: CardText | None = None
) -> Card:
    text = text or CardText()
    definition = machine_for(ticket.workflow_version_id).definition
    version = ticket.workflow_version_id
    # Spam stays where it was put until someone says "Not spam" on the ticket.
    triggers = card_triggers(ticket, viewer, tasks.open_count) if ticket.spam_at is None else []
    options = [
        MoveOption(
            o.trigger,
            o.transition.label(text.locale_code),
            o.dest,
            text.state(definition, version, o.dest),
        )
        for o in triggers
        if o.allowed
    ]
    destinations = list(dict.fromkeys(o.dest for o in options))
    refusals = {
        o.dest: text.refusal(o.refused.code, o.refused.detail)
        for o in triggers
        if not o.allowed and o.refused and o.dest not in destinations
    }
    number = ticket.number
    return Card(
        ticket=ticket,
        number=number,
        url=text.ticket_url(number),
        select_label=text.select(number),
        menu_label=text.move_card(number),
        priority=text.priorities.get(ticket.priority, ticket.priority),
        options=options,
        destinations=destinations,
        refusals=refusals,
        refused_moves=[
            (text.state(definition, version, dest), why) for dest, why in refusals.items()
        ],
        sla=sla_badge(ticket, now, text),
        score=score_badge(ticket.facts),
        overdue_task=tasks.overdue,
        language=ticket.customer_locale,
        language_name=text.language(ticket.customer_locale),
        present=text.present(ticket.id, viewer, now),
        text=text,
    )


def _state_label(definition: WorkflowDefinition, state: str) -> str:
    known = definition.states.get(state)
    return known.label(str(get_locale())) if known else state.replace("_", " ")


def build_columns(
    pages: Sequence[ColumnPage], definition: WorkflowDefinition, viewer: User, now: datetime
) -> list[ColumnView]:
    text = CardText()
    return [build_column(page, definition, viewer, now, text) for page in pages]


def build_column(
    page: ColumnPage,
    definition: WorkflowDefinition,
    viewer: User,
    now: datetime,
    text: CardText | None = None,
) -> ColumnView:
    text = text or CardText()
    cards = [
        build_card(t, viewer, page.tasks.get(t.id, TaskFlags()), now, text) for t in page.tickets
    ]
    return ColumnView(
        state=page.state,
        label=_state_label(definition, page.state),
        count=page.count,
        cards=cards,
        has_more=page.has_more,
        next_before=page.next_before,
    )


def moved_message(ticket: Ticket, state: str) -> str:
    definition = machine_for(ticket.workflow_version_id).definition
    return _(
        "%(number)s moved to %(state)s.",
        number=ticket.number,
        state=_state_label(definition, state),
    )
