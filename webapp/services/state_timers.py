"""State timers: what the workflow does once a ticket has sat in a state for a while.

A state's `timers` (workflow/definition.py) run actions and/or fire a transition as the
`system` role, after wall-clock time in the state: "remind the customer after 3 days,
resolve after 7". The ticket keeps when its timers started counting, how many fired and
when the next is due (reset by every state change and by the customer's reply), so the
periodic sweep reads only the due tickets through a partial index.

Each due timer is claimed with a conditional UPDATE (`… WHERE state_timers_fired = k AND
state_timer_due_at = <as read>`) in the same transaction as what it does, so it fires
once even when several workers sweep at the same moment. Actions run through the same
executors as a manual move's, a trigger through `tickets.fire`: on-enter actions,
notifications, webhooks, SLA and surveys follow as for an agent's move.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Row, select, update

from webapp.extensions import db
from webapp.models import Ticket, utcnow
from webapp.services.history import record_event
from workflow.definition import StateDef, StateTimer, WorkflowDefinition
from workflow.timers import timer_due_at, timers_since

log = logging.getLogger(__name__)

BATCH = 200  # tickets per sweep; the rest wait for the next run a minute later


def _state(ticket: Ticket) -> StateDef | None:
    from webapp.services.workflow_versions import machine_for

    return machine_for(ticket.workflow_version_id).definition.states.get(ticket.state)


def restart_timers(ticket: Ticket, since: datetime) -> None:
    """The current state's timers count from `since`; none has fired."""
    state = _state(ticket)
    ticket.state_timers_fired = 0
    ticket.state_timer_due_at = timer_due_at(state.timers if state else (), since, 0)


def entered_state(ticket: Ticket, now: datetime) -> None:
    """The ticket is in a new state (or was just created): its timers start from now."""
    ticket.state_entered_at = now
    restart_timers(ticket, now)


def sweep(now: datetime | None = None, limit: int = BATCH) -> int:
    """Fire every due timer once; returns how many fired (skipped ones included)."""
    return fire_due_timers(due_timer_rows(now or utcnow(), limit))


def due_timer_rows(now: datetime, limit: int = BATCH) -> list[Row]:
    """The tickets with a timer due at `now`, as read (one query on the partial index)."""
    rows = db.session.execute(
        select(
            Ticket.id,
            Ticket.state,
            Ticket.workflow_version_id,
            Ticket.state_timers_fired,
            Ticket.state_timer_due_at,
        )
        .where(Ticket.state_timer_due_at <= now, Ticket.state_timer_due_at.is_not(None))
        .order_by(Ticket.state_timer_due_at, Ticket.id)
        .limit(limit)
    ).all()
    db.session.commit()
    return list(rows)


def fire_due_timers(rows: list[Row]) -> int:
    """Claim and fire each row's timer, unless another sweep did since the rows were read.

    Each ticket is its own transaction: one that fails is rolled back, claim included,
    and tried again by the next sweep, without holding up the others.
    """
    from webapp.services.tickets import TicketConflict

    fired = 0
    for row in rows:
        try:
            fired += _fire_due_timer(row)
            db.session.commit()
        except TicketConflict:  # moved by someone meanwhile: its timers restarted
            db.session.rollback()
        except Exception:
            log.exception("state timer of ticket %s failed", row.id)
            db.session.rollback()
    return fired


def _fire_due_timer(row) -> int:
    """Claim the ticket's next timer and do what it says; 0 if another sweep had it."""
    from webapp.services.workflow_versions import machine_for

    states = machine_for(row.workflow_version_id).definition.states
    timers = states[row.state].timers if row.state in states else ()
    index = row.state_timers_fired
    if index < len(timers):
        since = timers_since(timers, row.state_timer_due_at, index)
        next_due = timer_due_at(timers, since, index + 1)
    else:  # nothing left to fire here (should not happen): stop looking at the ticket
        next_due = None
    claimed = db.session.execute(
        update(Ticket)
        .where(
            Ticket.id == row.id,
            Ticket.state == row.state,
            Ticket.state_timers_fired == index,
            Ticket.state_timer_due_at == row.state_timer_due_at,
        )
        .values(
            state_timers_fired=index + 1,
            state_timer_due_at=next_due,
            updated_at=Ticket.updated_at,  # bookkeeping, not a change anyone made
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed or index >= len(timers):
        return 0
    ticket = db.session.get(Ticket, row.id, populate_existing=True)
    _run_timer(ticket, machine_for(row.workflow_version_id).definition, row.state, timers[index])
    return 1


def _run_timer(
    ticket: Ticket, definition: WorkflowDefinition, state_name: str, timer: StateTimer
) -> None:
    """The timer's actions, then its transition as `system`; an impossible one is noted."""
    from webapp.services.tickets import SYSTEM, MoveRefused, fire
    from webapp.services.workflow_actions import run_actions

    state = definition.states[state_name]
    # What the history says: how long, in which kind of state ("no reply from the customer").
    what = {"state": state.name, "category": state.category, "after": str(timer.after)}
    if timer.do:
        record_event(ticket, "state_timer", None, **what)
        run_actions(ticket, timer.do, actor=None, reason=f"timer:{state.name}:{timer.after}")
    if timer.trigger is None:
        return
    try:
        fire(ticket, timer.trigger, SYSTEM, timer=what)
    except MoveRefused as refused:
        detail = refused.detail
        record_event(
            ticket,
            "state_timer_skipped",
            None,
            **what,
            trigger=timer.trigger,
            transition_labels=next(
                (dict(t.labels) for t in definition.transitions if t.trigger == timer.trigger),
                {},
            ),
            code=refused.code,
            detail=list(detail) if isinstance(detail, tuple) else detail,
        )
