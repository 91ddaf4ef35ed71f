"""SLA clocks on tickets: start, pause/resume with the lifecycle, first response, sweep.

Warnings and breaches are claimed with a conditional UPDATE (`… WHERE
warned_at IS NULL`), so each fires exactly once per ticket and metric even
when several sweeps overlap, a policy changes or the clock was paused. What
fired is written as `SlaAlert` rows in the same transaction and acted on by
jobs (`act_on`), so the sweep itself costs what is due.

A ticket keeps the SLA policy of the workflow version it started under (its targets are
what it was promised), but counts them on the business calendar of that id in the active
version: an admin's new holiday or opening hours apply to every open ticket from the
moment they are published (`follow_new_calendars`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, union, update
from sqlalchemy.orm import selectinload

from webapp import handover
from webapp.extensions import db
from webapp.models import SlaAlert, SlaAlertStatus, Ticket, utcnow
from webapp.services.events import publish
from webapp.services.history import events_dated, record_event
from workflow.calendars import BusinessCalendar
from workflow.definition import WorkflowDefinition
from workflow.sla import (
    METRICS,
    PolicyChoice,
    choose_policy,
    deadlines,
    explain_deadline,
    open_time_gained,
)

log = logging.getLogger(__name__)

# Alerts reach their job like outbox e-mails do: written `queued`, handed over on commit.
ALERTS = handover.HandOver(
    SlaAlert, "jobs.sla:act_on_sla_alerts", "relayed_at", "loopdesk_sla_alert_ids", batch_size=20
)
ALERT_LEASE = timedelta(minutes=5)  # an alert job silent this long died with its worker


def _definition(ticket: Ticket) -> WorkflowDefinition:
    from webapp.services.workflow_versions import machine_for

    return machine_for(ticket.workflow_version_id).definition


def live_calendars() -> dict[str, BusinessCalendar]:
    """The business calendars of the active workflow version, by id (every clock's)."""
    from webapp.services.workflow_versions import active_version_id, machine_for

    return machine_for(active_version_id()).definition.calendars


def policy_choice(ticket: Ticket) -> PolicyChoice | None:
    """The ticket's policy from its own version, on the active version's calendar."""
    from webapp.services.tickets import ticket_facts

    return choose_policy(_definition(ticket), ticket_facts(ticket), live_calendars())


def paused_time(ticket: Ticket, now: datetime | None = None) -> timedelta:
    """Business time the clock has been paused, including a pause still running."""
    total = timedelta(seconds=ticket.sla_paused_seconds or 0)
    if ticket.sla_paused_since and now:
        choice = policy_choice(ticket)
        if choice:
            total += choice.calendar.business_time_between(ticket.sla_paused_since, now)
    return total


def calendar_shift(ticket: Ticket) -> timedelta:
    """Business time calendar changes pushed the clock back (negative: forward)."""
    return timedelta(seconds=ticket.sla_calendar_shift_seconds or 0)


def clocks_stopped(ticket: Ticket) -> bool:
    """Whether the ticket sits unresolved in a state whose clocks are stopped (`clock:
    stopped`: closed as spam, merged into another ticket, or moved straight to closed).

    Nothing is owed then: no clock runs or waits to resume, so pages show no deadline and
    reports count no miss for it (unless one was missed before). The columns still say
    "paused since", which keeps it out of the sweep and, should it be reopened, does not
    count the closed days against the agent. A resolved ticket's clocks are met instead.
    """
    return stopped_unresolved(ticket.workflow_version_id, ticket.state, ticket.resolved_at)


def stopped_unresolved(version_id: int, state: str, resolved_at: datetime | None) -> bool:
    """`clocks_stopped` from the columns alone (reports read rows, not tickets)."""
    from webapp.services.workflow_versions import machine_for

    if resolved_at is not None:
        return False
    known = machine_for(version_id).definition.states.get(state)
    return known is not None and known.clock == "stopped"


def apply_sla(ticket: Ticket) -> PolicyChoice | None:
    """(Re)compute the policy and due times from the ticket's facts; keeps warned/breached marks."""
    choice = policy_choice(ticket)
    ticket.sla_started_at = ticket.sla_started_at or ticket.created_at or utcnow()
    if choice is None:
        ticket.sla_policy = None
        ticket.first_response_due_at = ticket.first_response_warn_at = None
        ticket.resolution_due_at = ticket.resolution_warn_at = None
        return None
    ticket.sla_policy = choice.policy.name
    pushed_back = timedelta(seconds=ticket.sla_paused_seconds or 0) + calendar_shift(ticket)
    due = deadlines(choice, ticket.sla_started_at, pushed_back)
    first, resolution = due.get("first_response"), due.get("resolution")
    # A clock already met keeps the deadline it was met (or missed) against: time paused
    # later, or a priority changed later, must not turn a late first reply into one in time.
    if ticket.first_response_at is None or ticket.first_response_due_at is None:
        ticket.first_response_due_at = first.due_at if first else None
        ticket.first_response_warn_at = first.warn_at if first else None
    if ticket.resolved_at is None or ticket.resolution_due_at is None:
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


# A due time that moves less than this moved by rounding, not by anything a person reads.
MOVE_WORTH_TELLING = timedelta(minutes=1)


def follow_new_calendars(
    before: WorkflowDefinition, after: WorkflowDefinition, version_number: int, now: datetime
) -> int | None:
    """Move open tickets' running deadlines onto the calendars just published; returns how
    many tickets' deadlines moved (None: no calendar changed).

    `before` was the active definition until now, `after` (version `version_number`) is
    from now on. Time spent before now, and pauses, stay as they were counted; only the time
    left is counted on the new calendar (`open_time_gained`, kept in the ticket's
    `sla_calendar_shift_seconds` so every later recount agrees). Met and breached clocks,
    resolved tickets and closed ones keep theirs. A clock already warned whose new warning
    time lies ahead again is re-armed: its agent hears again before the new deadline.

    One query reads the tickets (locked, so a move at the same moment waits), one UPDATE
    writes them all and bumps their version (an agent's stale form then hears of the
    change), and each moved ticket's history says which deadline moved from when to when.
    """
    from webapp.services.tickets import ticket_facts
    from webapp.services.workflow_versions import machine_for, ticket_in_open_state

    if before.calendars.keys() == after.calendars.keys() and all(
        calendar.counts_like(after.calendars[name]) for name, calendar in before.calendars.items()
    ):
        return None
    running = or_(*(_running_clause(metric) for metric in METRICS))
    tickets = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.resolved_at.is_(None),
            Ticket.sla_policy.is_not(None),
            ticket_in_open_state(),
            running,
        )
        .options(selectinload(Ticket.team), selectinload(Ticket.labels))
        .order_by(Ticket.id)
        .with_for_update(of=Ticket)
    ).all()
    rows, rearm, moved = [], {metric: [] for metric in METRICS}, 0
    for ticket in tickets:
        definition = machine_for(ticket.workflow_version_id).definition
        facts = ticket_facts(ticket)
        old = choose_policy(definition, facts, before.calendars)
        new = choose_policy(definition, facts, after.calendars)
        if old is None or new is None or old.calendar.counts_like(new.calendar):
            continue
        started = ticket.sla_started_at or ticket.created_at
        # A running pause counts on whichever calendar is current; the clock stood still.
        until = min(now, ticket.sla_paused_since or now)
        gained = open_time_gained(old.calendar, new.calendar, started, until)
        shift = (ticket.sla_calendar_shift_seconds or 0) + round(gained.total_seconds())
        pushed_back = timedelta(seconds=(ticket.sla_paused_seconds or 0) + shift)
        due = deadlines(new, started, pushed_back)
        row = {"b_id": ticket.id, "b_shift": shift}
        moves = []
        for metric in METRICS:
            old_due, old_warn = (getattr(ticket, f"{metric}_{kind}_at") for kind in ("due", "warn"))
            deadline = due.get(metric)
            if deadline is None or not _is_running(ticket, metric):
                row[f"b_{metric}_due"], row[f"b_{metric}_warn"] = old_due, old_warn
                continue
            row[f"b_{metric}_due"], row[f"b_{metric}_warn"] = deadline.due_at, deadline.warn_at
            if abs(deadline.due_at - old_due) >= MOVE_WORTH_TELLING:
                moves.append(
                    {
                        "metric": metric,
                        "previous": old_due.isoformat(),
                        "due": deadline.due_at.isoformat(),
                    }
                )
            if getattr(ticket, f"{metric}_warned_at") and deadline.warn_at > now:
                rearm[metric].append(ticket.id)
        rows.append(row)
        if moves:
            moved += 1
            record_event(ticket, "sla_calendar_changed", moves=moves, version=version_number)
    if not rows:
        return 0
    db.session.flush()  # the history first: the UPDATE below must be the tickets' last write
    table = Ticket.__table__
    due_type = table.c.first_response_due_at.type
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values(
            sla_calendar_shift_seconds=bindparam("b_shift"),
            version=table.c.version + 1,
            **{
                f"{metric}_{kind}_at": bindparam(f"b_{metric}_{kind}", type_=due_type)
                for metric in METRICS
                for kind in ("due", "warn")
            },
        ),
        rows,
    )
    for metric, ticket_ids in rearm.items():
        if ticket_ids:
            warn_col = getattr(Ticket, f"{metric}_warn_at")
            db.session.execute(
                update(Ticket)
                .where(Ticket.id.in_(ticket_ids), warn_col > now)
                .values({f"{metric}_warned_at": None})
                .execution_options(synchronize_session=False)
            )
    for ticket in tickets:
        db.session.expire(ticket)
    return moved


def _running_clause(metric: str):
    """SQL: the metric's clock has a deadline and is neither met nor breached."""
    _warn, due_col, met_col, _warned, breached_attr = _METRIC_COLUMNS[metric]
    return and_(met_col.is_(None), due_col.is_not(None), getattr(Ticket, breached_attr).is_(None))


def missed_before_pause(ticket: Ticket, metric: str) -> bool:
    """Whether the clock's deadline had passed when it paused (the ticket went to wait on the
    customer after it was due). A pause does not undo a miss: the ticket's page and list say
    "overdue", as they do for a breach the sweep recorded (the board, a queue of work to do
    now, shows it paused). One that paused within the sweep's minute has no `breached_at`
    until the next sweep records it; its stored due time is the one it missed.
    """
    due = getattr(ticket, f"{metric}_due_at")
    return bool(ticket.sla_paused_since and due and due <= ticket.sla_paused_since)


def _is_running(ticket: Ticket, metric: str) -> bool:
    """`_running_clause` for a loaded ticket."""
    met = ticket.first_response_at if metric == "first_response" else ticket.resolved_at
    return (
        met is None
        and getattr(ticket, f"{metric}_due_at") is not None
        and getattr(ticket, f"{metric}_breached_at") is None
    )


def explain(ticket: Ticket, now: datetime | None = None) -> list[str]:
    """One line per clock saying why it is due when it is (policy, target, calendar, pauses)."""
    choice = policy_choice(ticket)
    if choice is None:
        return ["no SLA policy applies"]
    paused = paused_time(ticket, now or utcnow())
    started = ticket.sla_started_at or ticket.created_at
    lines = []
    for metric, deadline in deadlines(choice, started, paused + calendar_shift(ticket)).items():
        line = explain_deadline(choice, deadline, paused)
        met = ticket.first_response_at if metric == "first_response" else ticket.resolved_at
        if met:
            line += f"; met {met.astimezone(ZoneInfo(choice.calendar.timezone)):%a %-d %b %H:%M}"
        lines.append(line)
    return lines


def act_on(alert: SlaAlert) -> None:
    """What a warning or breach the sweep claimed leads to (run by a job, dated when it fired).

    The timeline event; for a breach the policy's `on_breach` actions, for a warning a notice
    to the assignee; and the event for automations and webhooks.
    """
    from webapp.services.notifications import warn_about_sla
    from webapp.services.workflow_actions import run_actions

    ticket = db.session.get(Ticket, alert.ticket_id)
    with events_dated(alert.fired_at):
        record_event(ticket, f"sla_{alert.kind}", metric=alert.metric, policy=ticket.sla_policy)
        if alert.kind == "breach":
            choice = policy_choice(ticket)
            if choice:
                reason = f"sla_{alert.metric}_breach"
                # Which deadline: a ticket that misses both gets two notices that say so.
                details = {"metric": alert.metric}
                run_actions(ticket, choice.policy.on_breach, None, reason, details)
        else:
            warn_about_sla(ticket, alert.metric, getattr(ticket, f"{alert.metric}_due_at"))
        publish(
            ticket, "sla.breached" if alert.kind == "breach" else "sla.warning", metric=alert.metric
        )


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
    """Claim each due warning and breach once and hand it to a job; returns what fired.

    The cost grows with what is due, not with open tickets: one indexed query and one
    claiming UPDATE per metric and kind, then one insert of the alerts, all in one
    transaction. The consequences (`act_on`) run in jobs after the commit, each alert on
    its own, so one that fails is retried without holding up the others.
    """
    now = now or utcnow()
    alerts: list[SlaAlert] = []
    for metric, (warn_col, due_col, met_col, warned_attr, breached_attr) in _METRIC_COLUMNS.items():
        warned_col, breached_col = getattr(Ticket, warned_attr), getattr(Ticket, breached_attr)
        running = (met_col.is_(None), Ticket.sla_paused_since.is_(None))
        # A deadline that passed after the last sweep and before the clock paused (the ticket
        # went to wait on the customer within that minute) is missed all the same.
        missed_then = (
            met_col.is_(None),
            Ticket.sla_paused_since.is_not(None),
            due_col <= Ticket.sla_paused_since,
            Ticket.merged_into_id.is_(None),  # its deadlines went with its conversation
            Ticket.spam_at.is_(None),  # nobody owes spam an answer
        )
        # One arm per partial index (ix_ticket_sla_*), each spelling out the index's
        # condition: SQLite uses a partial index only then, PostgreSQL either way.
        due_ids = union(
            select(Ticket.id).where(warn_col <= now, warned_col.is_(None), *running),
            select(Ticket.id).where(due_col <= now, breached_col.is_(None), *running),
            select(Ticket.id).where(due_col <= now, breached_col.is_(None), *missed_then),
        ).subquery()
        candidates = db.session.execute(
            select(Ticket.id, due_col <= now)
            .where(Ticket.id.in_(select(due_ids.c.id)))
            .order_by(Ticket.id)
            .limit(limit)
        ).all()
        breaches = [ticket_id for ticket_id, is_breach in candidates if is_breach]
        warnings = [ticket_id for ticket_id, is_breach in candidates if not is_breach]
        for kind, ids, claim in (
            ("warning", warnings, {warned_attr: now}),
            ("breach", breaches, {breached_attr: now, warned_attr: func.coalesce(warned_col, now)}),
        ):
            column = warned_col if kind == "warning" else breached_col
            claimed = _claim(ids, column, claim) if ids else []
            alerts += [
                SlaAlert(ticket_id=t, metric=metric, kind=kind, fired_at=now) for t in claimed
            ]
    db.session.add_all(alerts)
    db.session.commit()  # the alerts are handed to jobs after this commit (webapp.handover)
    ALERTS.relay_stale(ALERT_LEASE, retry_after=_retry_after())
    return alerts


def _claim(ticket_ids: list[int], column, values: dict) -> list[int]:
    """Mark the tickets as warned or breached where no one has yet: each fires once."""
    return db.session.scalars(
        update(Ticket)
        .where(Ticket.id.in_(ticket_ids), column.is_(None))
        .values(values)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).all()


def stuck_alerts(limit: int = 200) -> list[tuple[SlaAlert, Ticket]]:
    """Warnings and breaches whose consequences failed (for good, or still being retried)."""
    rows = db.session.execute(
        select(SlaAlert, Ticket)
        .join(Ticket, Ticket.id == SlaAlert.ticket_id)
        .where(SlaAlert.status.in_((SlaAlertStatus.FAILED, SlaAlertStatus.RETRYING)))
        .order_by(SlaAlert.id.desc())
        .limit(limit)
    )
    return [(alert, ticket) for alert, ticket in rows]


def count_failed_alerts() -> int:
    return db.session.scalar(
        select(func.count(SlaAlert.id)).where(SlaAlert.status == SlaAlertStatus.FAILED)
    )


def retry_alert(alert: SlaAlert) -> bool:
    """Make a failed alert pending again, with a fresh count of attempts; the caller commits
    and then relays it (`ALERTS.relay`).

    A failed attempt left nothing behind (`jobs.sla` acts in a savepoint), so the retry
    records the event and runs the breach actions once.
    """
    if alert.status != SlaAlertStatus.FAILED:
        return False
    alert.status, alert.attempts, alert.relayed_at = SlaAlertStatus.PENDING, 0, None
    return True


def _retry_after() -> timedelta:
    """With RQ, its own retries come first; the sweep steps in only when one is long lost."""
    return handover.STALE_HANDOVER if current_app.config.get("REDIS_URL") else timedelta()


def init_app(app) -> None:
    handover.register(ALERTS)
    handover.init_app(app)
