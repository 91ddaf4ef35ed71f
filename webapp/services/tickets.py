"""Ticket operations: create (route, assign, start the SLA), fire a transition, reassign.

Each operation changes the rows, records the events and queues the actions
in the caller's transaction; the caller commits. A stale ticket (someone else
moved it first) raises `TicketConflict` at flush time, never overwrites.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.models import (
    Role,
    Task,
    Team,
    Ticket,
    TicketEvent,
    TicketLabel,
    User,
    WorkflowKind,
    utcnow,
)
from webapp.services import sla_clock, state_timers
from webapp.services.assignment import choose_assignee
from webapp.services.history import Integration, events_dated, record_event
from webapp.services.workflow_versions import active_version_id, machine_for
from workflow.definition import RouteTarget
from workflow.engine import Move, TransitionRefused
from workflow.routing import Note, Pick, RoutingDecision, route

SYSTEM = None  # the actor for automatic moves
CUSTOMER = "customer"
AUTO_ASSIGN_TRIGGER = "assign"  # fired by the system after routing picked an agent
OPEN_TASK_STATES = ("assigned", "accepted", "ready")


class TicketConflict(Exception):
    """The ticket changed since the caller loaded it."""

    def __init__(self, ticket_id: int, last_event: TicketEvent | None = None):
        super().__init__(f"ticket {ticket_id} was changed by someone else")
        self.ticket_id = ticket_id
        self.last_event = last_event


class MoveRefused(Exception):
    """The workflow does not allow this move for this actor now."""

    def __init__(self, code: str, message: str, detail=None):
        super().__init__(message)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class NewTicket:
    subject: str
    customer_name: str = ""
    customer_email: str | None = None
    customer_locale: str = "en"
    channel: str = "web"
    form_slug: str | None = None
    answers: dict | None = None
    score: dict | None = None  # e.g. {"type": "nps", "value": 3, "category": "detractor"}
    metadata: dict | None = None
    created_at: datetime | None = None  # imports and demo data; defaults to now
    # The customer's id in their own app (a form's hidden customer_id); verified: signed.
    customer_ref: str | None = None
    customer_ref_verified: bool = False


SEARCH_TEXT_LIMIT = 100_000  # characters kept per ticket for the board's search


def searchable(*parts: Any) -> str:
    """Lower-cased text for the board's search (answers may be lists, numbers or None)."""
    words = []
    for part in parts:
        if isinstance(part, (list, tuple)):
            words.extend(str(p) for p in part)
        elif part not in (None, ""):
            words.append(str(part))
    return " ".join(words).lower()[:SEARCH_TEXT_LIMIT]


def add_search_text(ticket: Ticket, *parts: Any) -> None:
    """Make a note or reply findable from the board's search box."""
    extra = searchable(*parts)
    if extra:
        ticket.search_text = f"{ticket.search_text or ''} {extra}"[-SEARCH_TEXT_LIMIT:]


def ticket_facts(ticket: Ticket) -> dict[str, Any]:
    """What routing, SLA and automation conditions may read about a ticket."""
    facts = dict(ticket.facts or {})
    email = ticket.customer_email or ""
    return {
        "form": ticket.form_slug,
        "locale": ticket.customer_locale,
        "channel": ticket.channel,
        "answers": facts.get("answers", {}),
        "score": facts.get("score", {}),
        "metadata": facts.get("metadata", {}),
        "customer": {
            "name": ticket.customer_name,
            "email": email,
            "email_domain": email.rpartition("@")[2].lower() if "@" in email else "",
        },
        "priority": ticket.priority,
        "team": ticket.team.slug if ticket.team else None,
        "labels": [label.name for label in ticket.labels],
        "subject": ticket.subject,
    }


class _GuardFacts(Mapping):
    """What guards may read; counts that need a query are only counted when a guard asks."""

    def __init__(self, ticket: Ticket):
        self._ticket = ticket
        self._values: dict[str, Any] = {
            "assignee_id": ticket.assignee_id,
            "team_id": ticket.team_id,
            "public_reply_count": ticket.public_reply_count,
            "customer_email": ticket.customer_email,
        }

    def __getitem__(self, key: str) -> Any:
        if key == "open_task_count" and key not in self._values:
            self._values[key] = _open_task_count(self._ticket)
        return self._values[key]

    def __iter__(self):
        return iter([*self._values, "open_task_count"])

    def __len__(self) -> int:
        return len(self._values) + 1


def _open_task_count(ticket: Ticket) -> int:
    if not ticket.id:
        return 0
    return db.session.scalar(
        select(func.count(Task.id)).where(
            Task.ticket_id == ticket.id, Task.state.in_(OPEN_TASK_STATES)
        )
    )


def guard_facts(ticket: Ticket) -> Mapping[str, Any]:
    return _GuardFacts(ticket)


# An API token is made by an admin and sees every ticket as admins do: it may make the moves
# open to agents and admins (never the customer's or Loopdesk's own), and is nobody's assignee.
INTEGRATION_ROLES = frozenset({"agent", "admin"})


def actor_roles(actor: User | Integration | str | None, ticket: Ticket) -> frozenset[str]:
    """Workflow roles of an actor on this ticket: agent/admin/assignee, customer or system."""
    if actor is SYSTEM:
        return frozenset({"system"})
    if actor == CUSTOMER:
        return frozenset({"customer"})
    if isinstance(actor, Integration):
        return INTEGRATION_ROLES
    roles = {"agent"}
    if actor.role == Role.ADMIN:
        roles.add("admin")
    if ticket.assignee_id == actor.id:
        roles.add("assignee")
    return frozenset(roles)


def _actor_user(actor: User | str | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _acting(actor: User | Integration | str | None) -> User | Integration | None:
    """Who the history and the notices name: a colleague or an integration (else nobody)."""
    return actor if isinstance(actor, (User, Integration)) else None


def _actor_kind(actor: User | str | None) -> str:
    return "customer" if actor == CUSTOMER else ("user" if isinstance(actor, User) else "system")


def unsaved_ticket(new: NewTicket, **columns: Any) -> Ticket:
    """A ticket made from a submission, in no session yet (routing tests read its facts)."""
    return Ticket(
        subject=new.subject[:300],
        priority="normal",
        customer_name=new.customer_name,
        customer_email=new.customer_email,
        customer_locale=new.customer_locale,
        channel=new.channel,
        form_slug=new.form_slug,
        customer_ref=new.customer_ref or None,
        customer_ref_verified=bool(new.customer_ref and new.customer_ref_verified),
        facts={
            "answers": new.answers or {},
            "score": new.score or {},
            "metadata": new.metadata or {},
        },
        **columns,
    )


def create_ticket(new: NewTicket, actor: User | None = None) -> Ticket:
    """Create a ticket under the active workflow: route it, assign it, start its SLA clocks.

    Everything is decided before the first INSERT (no autoflush), so a new ticket costs
    one INSERT per table instead of an INSERT followed by UPDATEs: it is on every
    submitted form's path.
    """
    version_id = active_version_id(WorkflowKind.TICKET)
    definition = machine_for(version_id).definition
    created_at = new.created_at or utcnow()
    with db.session.no_autoflush, events_dated(created_at):
        ticket = unsaved_ticket(
            new,
            state=definition.initial,
            workflow_version_id=version_id,
            sla_paused_seconds=0,
            public_reply_count=0,
            search_text=searchable(
                new.subject, new.customer_name, new.customer_email, *(new.answers or {}).values()
            ),
            created_at=created_at,
        )
        db.session.add(ticket)
        record_event(ticket, "created", actor, to_state=ticket.state, channel=new.channel)
        _apply_route(ticket, route(definition, ticket_facts(ticket)))
        sla_clock.apply_sla(ticket)
        state_timers.entered_state(ticket, created_at)
        db.session.flush()
        move = None
        if ticket.assignee_id is not None:
            move = _fire_if_possible(ticket, AUTO_ASSIGN_TRIGGER)
        from webapp.services.notifications import announce_new_ticket

        announce_new_ticket(ticket, move)  # the assignee, or the team when nobody has it
    from webapp.services.events import publish

    publish(ticket, "ticket.created")
    return ticket


def _apply_route(ticket: Ticket, decision: RoutingDecision) -> None:
    """Set team, priority, labels and assignee as routing decided, with the reasons."""
    target = decision.target
    team = db.session.scalar(select(Team).where(Team.slug == target.team)) if target.team else None
    ticket.team = team
    ticket.team_id = team.id if team else None
    if target.priority:
        ticket.priority = target.priority
    for name in target.labels:
        add_label(ticket, name, None)
    pick = None
    definition = machine_for(ticket.workflow_version_id).definition
    running = {name for name, s in definition.states.items() if s.clock == "running"}
    if team is not None:
        team, pick = _pick_in_team(ticket, team, target, running)
        ticket.team = team
        ticket.team_id = team.id
        if pick.user_id is not None:
            ticket.assignee = db.session.get(User, pick.user_id)
            ticket.assignee_id = pick.user_id
    record_event(
        ticket,
        "routed",
        None,
        **_routing_data(decision, pick),
        team=team.slug if team else None,
        priority=ticket.priority,
        assignee=ticket.assignee.name if ticket.assignee else None,
        watchers=list(target.watchers),
    )
    from webapp.services.watchers import add_route_watchers

    add_route_watchers(ticket, target.watchers)
    if ticket.assignee is not None:
        record_event(
            ticket,
            "assigned",
            None,
            assignee_id=ticket.assignee.id,
            assignee=ticket.assignee.name,
            reason=pick.reason if pick else None,
        )


def _routing_data(decision: RoutingDecision, pick: Pick | None) -> dict[str, Any]:
    """A `routed` event's reasons: English text, and the codes the timeline words in the
    reader's language (webapp/tickets/routing_reasons.py)."""
    return {
        "rule": decision.rule_name,
        "rule_index": decision.rule_index,
        "reason": decision.reason,
        "matched": decision.matched,
        # The condition itself, so the timeline says it in the reader's words.
        "when": _as_json(decision.when),
        "assignment": pick.reason if pick else None,
        "assignment_notes": [list(note) for note in pick.notes] if pick else None,
    }


def _as_json(value: Any) -> Any:
    """A condition as JSON data: YAML may have read a value as a date."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def _pick_in_team(
    ticket: Ticket, team: Team, target: RouteTarget, running: set[str]
) -> tuple[Team, Pick]:
    """The routing target's assignment in `team`, or in its overflow team when it is full."""
    pick = choose_assignee(
        team, target.assign, locale=ticket.customer_locale, now=utcnow(), running_states=running
    )
    if pick.team_full and target.overflow_team:
        overflow = db.session.scalar(select(Team).where(Team.slug == target.overflow_team))
        if overflow is not None:
            pick = choose_assignee(
                overflow,
                target.assign,
                locale=ticket.customer_locale,
                now=utcnow(),
                running_states=running,
            )
            pick = pick.overflowed_to(overflow.slug)
            return overflow, pick
    return team, pick


def reroute_ticket(
    ticket: Ticket, actor: User | None, why: str, cause: Note | None = None
) -> User | None:
    """Give the ticket to someone else by its workflow's routing (e.g. its agent left).

    The ticket stays with its team; the routing rule that matches it says how to assign
    (round-robin, least loaded, manual), so language, working hours and capacity count as
    for a new ticket. Returns the new assignee (None: left for the team to pick up).
    """
    definition = machine_for(ticket.workflow_version_id).definition
    decision = route(definition, ticket_facts(ticket))
    team = ticket.team
    if team is None and decision.target.team:
        team = db.session.scalar(select(Team).where(Team.slug == decision.target.team))
    running = {name for name, s in definition.states.items() if s.clock == "running"}
    assignee, pick = None, None
    if team is not None:
        target = decision.target
        if target.team != team.slug:  # moved by hand: the team's own strategy is unknown
            target = replace(target, team=team.slug, overflow_team=None)
        team, pick = _pick_in_team(ticket, team, target, running)
        if team.id != ticket.team_id:
            move_to_team(ticket, team, actor)
        assignee = db.session.get(User, pick.user_id) if pick.user_id is not None else None
    record_event(
        ticket,
        "routed",
        actor,
        **{
            **_routing_data(decision, pick),
            "reason": f"{why}; {decision.reason}",
            "cause": list(cause) if cause else None,  # `why` as a code, for the timeline
        },
        team=team.slug if team else None,
        priority=ticket.priority,
        assignee=assignee.name if assignee else None,
    )
    assign_to(ticket, assignee, actor)
    return assignee


def _fire_if_possible(ticket: Ticket, trigger: str) -> Move | None:
    try:
        return fire(ticket, trigger, SYSTEM)
    except MoveRefused:
        return None


def fire(
    ticket: Ticket,
    trigger: str,
    actor: User | Integration | str | None,
    *,
    expected_version: int | None = None,
    timer: Mapping[str, Any] | None = None,
) -> Move:
    """Move a ticket through its workflow: roles, guards, state, SLA, timers, history, actions.

    `timer` says which state timer made the move (the history words it: "no reply from
    the customer for 7 days").
    """
    if expected_version is not None and expected_version != ticket.version:
        raise TicketConflict(ticket.id, last_transition(ticket))
    if ticket.merged_into_id is not None:  # its conversation carries on in the other ticket
        raise MoveRefused("merged", "the ticket was merged into another", ticket.merged_into_id)
    if ticket.spam_at is not None:  # "Not spam" first: spam stays where it was put
        raise MoveRefused("spam", "the ticket was marked as spam")
    machine = machine_for(ticket.workflow_version_id)
    try:
        move = machine.fire(ticket.state, trigger, actor_roles(actor, ticket), guard_facts(ticket))
    except TransitionRefused as refused:
        raise MoveRefused(refused.code, str(refused), refused.detail) from refused
    now = utcnow()
    ticket.state = move.dest
    sla_clock.on_state_change(ticket, move.source, move.dest, now)
    if move.dest != move.source:
        state_timers.entered_state(ticket, now)
    from webapp.services.events import publish
    from webapp.services.workflow_actions import run_actions

    # A stale ticket fails here, before anything is recorded or anyone told; actions that
    # query (and so autoflush) run after the version check, never in the middle of it.
    flush_or_conflict(ticket)
    # Recorded after the check, the event is written in one INSERT with the actions' events.
    record_event(
        ticket,
        "transition",
        _acting(actor),
        actor_kind=_actor_kind(actor),
        from_state=move.source,
        to_state=move.dest,
        trigger=trigger,
        **({"timer": {**timer, "to_category": _category(ticket, move.dest)}} if timer else {}),
    )
    run_actions(ticket, move.actions, actor=_acting(actor), reason=f"transition:{trigger}")
    _tell_watchers_about_move(ticket, move, _acting(actor))
    publish(
        ticket, "ticket.transitioned", trigger=trigger, from_state=move.source, to_state=move.dest
    )
    return move


def closed_state(ticket: Ticket) -> str | None:
    """The ticket's lifecycle's state of the `closed` category, a final one first."""
    states = machine_for(ticket.workflow_version_id).definition.states
    closed = [name for name, state in states.items() if state.category == "closed"]
    final = [name for name in closed if states[name].final]
    return (final or closed or [None])[0]


def close_without_transition(
    ticket: Ticket,
    actor: User | None,
    *,
    reason: str,
    expected_version: int | None = None,
    **columns: Any,
) -> str:
    """Close a ticket outside its lifecycle's moves (a merged duplicate, spam); returns the
    state it left. No transition fires, so no action runs and nobody is e-mailed; the clocks
    stop and the state timers end as on any close; a scheduled survey is cancelled.

    `columns` are set with the state (one versioned UPDATE); a stale ticket raises
    TicketConflict before anything is recorded. The caller records why, and commits.
    """
    if expected_version is not None and expected_version != ticket.version:
        raise TicketConflict(ticket.id)
    now = utcnow()
    previous = ticket.state
    ticket.state = closed_state(ticket)
    for name, value in columns.items():
        setattr(ticket, name, value)
    sla_clock.on_state_change(ticket, previous, ticket.state, now)
    state_timers.entered_state(ticket, now)
    flush_or_conflict(ticket)
    from webapp.services.surveys import cancel_surveys

    cancel_surveys(ticket, actor, reason=reason)
    return previous


def _category(ticket: Ticket, state: str) -> str:
    return machine_for(ticket.workflow_version_id).definition.states[state].category


def _tell_watchers_about_move(ticket: Ticket, move: Move, actor: User | Integration | None) -> None:
    """Watchers hear about resolution (always) and moves (if they chose so).

    Skipped when the move's own actions already ran `notify_watchers`: one e-mail per move.
    """
    if any(action.name == "notify_watchers" for action in move.actions):
        return
    from webapp.services.watchers import notify_watchers

    states = machine_for(ticket.workflow_version_id).definition.states
    resolved = states[move.dest].category == "resolved"
    notify_watchers(ticket, "resolved" if resolved else "transition", actor)


def flush_or_conflict(ticket: Ticket) -> None:
    """Flush; a stale version (another agent moved the ticket first) becomes TicketConflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise TicketConflict(ticket.id, last_transition_by_id(ticket.id)) from exc


def last_transition(ticket: Ticket) -> TicketEvent | None:
    return last_transition_by_id(ticket.id)


def last_transition_by_id(ticket_id: int) -> TicketEvent | None:
    return db.session.scalar(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "transition")
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )


def available_triggers(ticket: Ticket, actor: User | Integration | str | None):
    """What this actor may do with the ticket now (and why not, for the rest)."""
    machine = machine_for(ticket.workflow_version_id)
    return machine.available_triggers(ticket.state, actor_roles(actor, ticket), guard_facts(ticket))


def moves_after_reply(ticket: Ticket, actor: User | Integration) -> list:
    """The moves `actor` may make once their reply to the customer is sent: the reply box
    offers them ("Send and wait for the customer"), including those a guard allows only
    after a reply (the default lifecycle's `has_public_reply`)."""
    facts = _GuardFacts(ticket)
    facts._values["public_reply_count"] = (ticket.public_reply_count or 0) + 1
    machine = machine_for(ticket.workflow_version_id)
    return [
        option
        for option in machine.available_triggers(ticket.state, actor_roles(actor, ticket), facts)
        if option.allowed
    ]


def assign_to(
    ticket: Ticket,
    assignee: User | None,
    actor: User | Integration | None,
    *,
    tell: bool = True,
) -> bool:
    """Give the ticket to an agent (or nobody); `new` becomes `assigned` if the workflow allows.

    A new assignee is told by e-mail (as their settings say), unless they took it themselves.
    Returns whether they are to be told; with `tell=False` the caller tells them (a bulk
    assignment sends one e-mail for all its tickets).
    """
    previous = ticket.assignee
    ticket.assignee = assignee
    ticket.assignee_id = assignee.id if assignee else None  # guards read it before the flush
    record_event(
        ticket,
        "assigned",
        actor,
        assignee_id=assignee.id if assignee else None,
        assignee=assignee.name if assignee else None,
        previous=previous.name if previous else None,
    )
    to_tell = False
    if assignee is not None:
        move = _fire_if_possible(ticket, AUTO_ASSIGN_TRIGGER)
        # Not when the workflow's own actions told them, nor when they took it themselves.
        to_tell = assignee != previous and assignee != actor and not _told_assignee(move)
        if to_tell and tell:
            from webapp.services.workflow_actions import notify_assignee

            notify_assignee(ticket, "ticket_assigned", actor)
    flush_or_conflict(ticket)
    if previous != assignee:
        from webapp.services.events import publish

        publish(
            ticket,
            "ticket.assigned",
            assignee=assignee.name if assignee else None,
            previous_assignee=previous.name if previous else None,
        )
    return to_tell


def _told_assignee(move: Move | None) -> bool:
    """Whether the workflow's own actions for `move` already e-mailed the assignee."""
    return move is not None and any(action.name == "notify_assignee" for action in move.actions)


def change_priority(ticket: Ticket, priority: str, actor: User | None) -> None:
    """Set the priority and recompute the SLA targets for the policy it selects."""
    if priority == ticket.priority:
        return
    previous, ticket.priority = ticket.priority, priority
    sla_clock.apply_sla(ticket)
    record_event(
        ticket, "priority", actor, previous=previous, priority=priority, policy=ticket.sla_policy
    )
    flush_or_conflict(ticket)


def move_to_team(ticket: Ticket, team: Team, actor: User | None) -> None:
    previous, ticket.team = ticket.team, team
    record_event(
        ticket, "team", actor, previous=previous.slug if previous else None, team=team.slug
    )
    sla_clock.apply_sla(ticket)
    if previous != team:
        from webapp.services.events import publish

        publish(
            ticket,
            "ticket.assigned",
            team=team.slug,
            previous_team=previous.slug if previous else None,
        )


def add_label(ticket: Ticket, name: str, actor: User | Integration | None) -> TicketLabel | None:
    """Add a label once (case-insensitive); returns None when it was already there."""
    name = " ".join(name.split())[:64]
    if not name or any(label.name.casefold() == name.casefold() for label in ticket.labels):
        return None
    added_by = actor if isinstance(actor, User) else None
    label = TicketLabel(ticket=ticket, name=name, added_by=added_by, added_at=utcnow())
    ticket.labels.append(label)
    record_event(ticket, "label_added", actor, label=name)
    if ticket.id is not None:  # routing's labels on a new ticket are part of ticket.created
        from webapp.services.events import publish

        publish(ticket, "label.added", label=name)  # an automation re-adding it gets None
    return label


def remove_label(ticket: Ticket, name: str, actor: User | None) -> bool:
    for label in list(ticket.labels):
        if label.name.casefold() == name.casefold():
            ticket.labels.remove(label)
            record_event(ticket, "label_removed", actor, label=label.name)
            return True
    return False


def find_ticket(number: str) -> Ticket | None:
    ticket_id = Ticket.id_from_number(number)
    return db.session.get(Ticket, ticket_id) if ticket_id else None


def create_task(
    ticket: Ticket,
    title: str,
    assignee: User,
    creator: User | None,
    due_at=None,
    notes: str = "",
    message_key: str | None = None,
) -> Task:
    """A task for one colleague under the active task workflow.

    `message_key` names the e-mail about it, so the history can show its delivery.
    """
    version_id = active_version_id(WorkflowKind.TASK)
    task = Task(
        ticket=ticket,
        title=title[:300],
        notes=notes,
        assignee=assignee,
        creator=creator,
        due_at=due_at,
        state=machine_for(version_id).initial,
        workflow_version_id=version_id,
    )
    db.session.add(task)
    record_event(
        ticket,
        "task_created",
        creator,
        title=task.title,
        assignee=assignee.name,
        due_at=due_at.isoformat() if due_at else None,
        message_key=message_key,
    )
    return task


def task_actor_roles(task: Task, actor: User) -> frozenset[str]:
    """Roles on a task: the assignee role belongs to the task's assignee, not the ticket's."""
    roles = set(actor_roles(actor, task.ticket)) - {"assignee"}
    if task.assignee_id == actor.id:
        roles.add("assignee")
    return frozenset(roles)


def task_facts(task: Task) -> dict[str, Any]:
    return {"assignee_id": task.assignee_id, "due_at": task.due_at}


def fire_task(
    task: Task,
    trigger: str,
    actor: User,
    *,
    expected_version: int | None = None,
    message_key: str | None = None,
) -> Move:
    """Move a task through the task workflow; the assignee role belongs to the task's assignee."""
    if expected_version is not None and expected_version != task.version:
        raise TicketConflict(task.ticket_id)
    try:
        move = machine_for(task.workflow_version_id).fire(
            task.state, trigger, task_actor_roles(task, actor), task_facts(task)
        )
    except TransitionRefused as refused:
        raise MoveRefused(refused.code, str(refused), refused.detail) from refused
    task.state = move.dest
    record_event(
        task.ticket,
        "task_transition",
        actor,
        from_state=move.source,
        to_state=move.dest,
        task_id=task.id,
        title=task.title,
        trigger=trigger,
        message_key=message_key,
    )
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise TicketConflict(task.ticket_id) from exc
    return move
