"""SLA clocks on tickets: start, pause/resume with the lifecycle, first response, sweep.

Warnings and breaches are claimed with a conditional UPDATE (`… WHERE
warned_at IS NULL`), so each fires exactly once per ticket and metric even
when several sweeps overlap, a policy changes or the clock was paused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, union, update

from webapp.extensions import db
from webapp.models import Ticket, utcnow
from webapp.services.events import publish
from webapp.services.history import record_event
from workflow.definition import WorkflowDefinition
from workflow.sla import PolicyChoice, choose_policy, deadlines, explain_deadline

log = logging.getLogger(__name__)


def _definition(ticket: Ticket) -> WorkflowDefinition:
    from webapp.services.workflow_versions import machine_for

    return machine_for(ticket.workflow_version_id).definition


def _choice(ticket: Ticket) -> PolicyChoice | None:
    from webapp.services.tickets import ticket_facts

    return choose_policy(_definition(ticket), ticket_facts(ticket))


def paused_time(ticket: Ticket, now: datetime | None = None) -> timedelta:
    """Business time the clock has been paused, including a pause still running."""
    total = timedelta(seconds=ticket.sla_paused_seconds or 0)
    if ticket.sla_paused_since and now:
        choice = _choice(ticket)
        if choice:
            total += choice.calendar.business_time_between(ticket.sla_paused_since, now)
    return total


def apply_sla(ticket: Ticket) -> PolicyChoice | None:
    """(Re)compute the policy and due times from the ticket's facts; keeps warned/breached marks."""
    choice = _choice(ticket)
    ticket.sla_started_at = ticket.sla_started_at or ticket.created_at or utcnow()
    if choice is None:
        ticket.sla_policy = None
        ticket.first_response_due_at = ticket.first_response_warn_at = None
        ticket.resolution_due_at = ticket.resolution_warn_at = None
        return None
    ticket.sla_policy = choice.policy.name
    due = deadlines(
        choice, ticket.sla_started_at, timedelta(seconds=ticket.sla_paused_seconds or 0)
    )
    first, resolution = due.get("first_response"), due.get("resolution")
    ticket.first_response_due_at = first.due_at if first else None
    ticket.first_response_warn_at = first.warn_at if first else None
    ticket.resolution_due_at = resolution.due_at if resolution else None
    ticket.resolution_warn_at = resolution.warn_at if resolution else None
    return choice


def on_state_change(ticket: Ticket, old_state: str, new_state: str, now: datetime) -> None:
    """Pause, resume or stop the clocks as the lifecycle says."""
    states = _definition(ticket).states
    old, new = states[old_state], states[new_state]
    if new.category == "resolved" and ticket.resolved_at is None:
        ticket.resolved_at = now
    if new.category == "open" and old.category in ("resolved", "closed"):
        ticket.resolved_at = None  # reopened: the resolution clock runs again
    was_running, runs = old.clock == "running", new.clock == "running"
    if was_running and not runs:
        ticket.sla_paused_since = now
    elif runs and not was_running and ticket.sla_paused_since:
        ticket.sla_paused_seconds = int(paused_time(ticket, now).total_seconds())
        ticket.sla_paused_since = None
        apply_sla(ticket)


def record_first_response(ticket: Ticket, now: datetime) -> bool:
    """The first public reply stops the first-response clock; True if this was it."""
    if ticket.first_response_at is not None:
        return False
    ticket.first_response_at = now
    return True


def explain(ticket: Ticket, now: datetime | None = None) -> list[str]:
    """One line per clock saying why it is due when it is (policy, target, calendar, pauses)."""
    choice = _choice(ticket)
    if choice is None:
        return ["no SLA policy applies"]
    paused = paused_time(ticket, now or utcnow())
    started = ticket.sla_started_at or ticket.created_at
    lines = []
    for metric, deadline in deadlines(choice, started, paused).items():
        line = explain_deadline(choice, deadline, paused)
        met = ticket.first_response_at if metric == "first_response" else ticket.resolved_at
        if met:
            line += f"; met {met.astimezone(ZoneInfo(choice.calendar.timezone)):%a %-d %b %H:%M}"
        lines.append(line)
    return lines


def _fire_alert(
    ticket_id: int,
    metric: str,
    is_breach: bool,
    due_key: str,
    warned_attr: str,
    breached_attr: str,
    now: datetime,
) -> SlaAlert | None:
    """Claim one warning or breach (once per ticket and metric), record it, act on it."""
    from webapp.services.notifications import warn_about_sla
    from webapp.services.workflow_actions import run_actions

    kind, column = ("breach", breached_attr) if is_breach else ("warning", warned_attr)
    claimed = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, getattr(Ticket, column).is_(None))
        .values({column: now, **({warned_attr: now} if is_breach else {})})
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
    record_event(ticket, f"sla_{kind}", metric=metric, policy=ticket.sla_policy)
    if is_breach:
        choice = _choice(ticket)
        if choice:
            run_actions(ticket, choice.policy.on_breach, actor=None, reason=f"sla_{metric}_breach")
    else:
        warn_about_sla(ticket, metric, getattr(ticket, due_key))
    publish(ticket, "sla.breached" if is_breach else "sla.warning", metric=metric)
    return SlaAlert(ticket_id, metric, kind)


@dataclass(frozen=True)
class SlaAlert:
    ticket_id: int
    metric: str  # first_response | resolution
    kind: str  # warning | breach


_METRIC_COLUMNS = {
    "first_response": (
        Ticket.first_response_warn_at,
        Ticket.first_response_due_at,
        Ticket.first_response_at,
        "first_response_warned_at",
        "first_response_breached_at",
    ),
    "resolution": (
        Ticket.resolution_warn_at,
        Ticket.resolution_due_at,
        Ticket.resolved_at,
        "resolution_warned_at",
        "resolution_breached_at",
    ),
}


def sweep(now: datetime | None = None, limit: int = 500) -> list[SlaAlert]:
    """Fire each due warning and breach once; cost grows with what is due, not with open tickets."""
    now = now or utcnow()
    alerts: list[SlaAlert] = []
    for metric, (warn_col, due_col, met_col, warned_attr, breached_attr) in _METRIC_COLUMNS.items():
        warned_col, breached_col = getattr(Ticket, warned_attr), getattr(Ticket, breached_attr)
        running = (met_col.is_(None), Ticket.sla_paused_since.is_(None))
        # One arm per partial index (ix_ticket_sla_*), each spelling out the index's
        # condition: SQLite uses a partial index only then, PostgreSQL either way.
        due_ids = union(
            select(Ticket.id).where(warn_col <= now, warned_col.is_(None), *running),
            select(Ticket.id).where(due_col <= now, breached_col.is_(None), *running),
        ).subquery()
        candidates = db.session.execute(
            select(Ticket.id, due_col <= now)
            .where(Ticket.id.in_(select(due_ids.c.id)))
            .order_by(Ticket.id)
            .limit(limit)
        ).all()
        for ticket_id, is_breach in candidates:
            try:
                with db.session.begin_nested():  # one failing alert must not block the others
                    alert = _fire_alert(
                        ticket_id,
                        metric,
                        bool(is_breach),
                        due_col.key,
                        warned_attr,
                        breached_attr,
                        now,
                    )
            except Exception:
                log.exception(
                    "SLA %s on ticket %s failed; the next sweep retries", metric, ticket_id
                )
                continue
            if alert:
                alerts.append(alert)
    db.session.commit()
    return alerts
