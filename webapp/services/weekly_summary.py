"""The weekly summary: a Monday e-mail to each colleague who asked for it, about last week.

Opt-in (`notification_settings["weekly_summary"]`, off unless the colleague turned it on:
an upgrade never starts mailing anyone). The week is Monday to Sunday in the colleague's
own time zone, the one before the Monday the mail goes out on (from 08:00 their time).

What it says and whose numbers they are:
- feedback and tickets opened and solved: the Reports page's row for that week
  (`reports.build_report`), for the whole organisation, as Reports shows every colleague;
  counts only, never a ticket's subject;
- tickets still open and SLA breaches: of the tickets the colleague may see
  (`ticket_access.visible_condition`), as the dashboard counts them;
- their own open tickets and those assigned to them that week, listed with subjects:
  only tickets they may see.

A quiet week (no response, no ticket opened or solved) still gets a short mail saying so:
the colleague asked for a Monday mail, and silence would look like a broken setting.
Each mail has the key `weekly_summary:<user>:<Monday>`: a second run, on this worker or
another, finds it in the outbox (or fails on the unique key) and sends nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from survey_forms.insights import ScoreSummary
from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import (
    OutboxMessage,
    Response,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from webapp.outbox import queue_email
from webapp.services import reports
from webapp.services.local_time import zone_or_utc
from webapp.services.staff_mail import workspace_link
from webapp.services.ticket_access import visible_condition
from webapp.services.workflow_versions import ticket_in_open_state

log = logging.getLogger(__name__)

SETTING = "weekly_summary"
TEMPLATE = "weekly_summary"
SEND_FROM = time(8, 0)  # on Monday, in the colleague's time zone
TICKETS_LISTED = 10  # of their own open tickets; the count says how many there are
LABELS_LISTED = 5


def wants_summary(user: User) -> bool:
    """Whether the colleague turned the weekly summary on (nobody has it by default)."""
    return (user.notification_settings or {}).get(SETTING) is True


def save_choice(user: User, wanted: bool) -> None:
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    user.notification_settings = {**(user.notification_settings or {}), SETTING: bool(wanted)}


def _zone(user: User) -> tzinfo:
    return zone_or_utc(user.timezone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def last_week(user: User, now: datetime) -> date:
    """The Monday of the last full week before `now`, in the colleague's time zone."""
    today = now.astimezone(_zone(user)).date()
    return today - timedelta(days=today.weekday() + 7)


def due_week(user: User, now: datetime) -> date | None:
    """The week to sum up when it is Monday from 08:00 in the colleague's zone, else None."""
    local = now.astimezone(_zone(user))
    if local.weekday() != 0 or local.time() < SEND_FROM:
        return None
    return local.date() - timedelta(days=7)


def message_key(user: User, week: date) -> str:
    return f"{TEMPLATE}:{user.id}:{week.isoformat()}"


@dataclass(frozen=True)
class _Weeks:
    """The Reports page's rows for a week and the week before, and the week's labels."""

    current: reports.WeekFigures
    previous: reports.WeekFigures
    labels: list[reports.LabelFigures]


def _report_weeks(week: date, zone_name: str, zone: tzinfo) -> _Weeks:
    """Two reports of seven days each, starting at the weeks' Mondays: their week rows are
    the ones the Reports page shows for the same weeks, computed the same way."""
    built = [
        (
            start,
            reports.build_report(
                _midnight(start, zone) + timedelta(days=7), 7, "", "", zone_name, with_themes=False
            ),
        )
        for start in (week, week - timedelta(days=7))
    ]
    rows = [
        next((w for w in report.weeks if w.start == start), reports.WeekFigures(start=start))
        for start, report in built
    ]
    return _Weeks(rows[0], rows[1], built[0][1].labels)  # the labels of `week`, not before


def _change(kind: str, now: ScoreSummary | None, before: ScoreSummary | None) -> float | None:
    if now is None or before is None or not now.count or not before.count:
        return None
    if kind == "nps":
        return float(now.nps - before.nps)
    return now.average - before.average


def _scores(current: reports.WeekFigures, previous: reports.WeekFigures) -> list[dict]:
    scores = []
    for kind in reports.SCORE_TYPES:
        summary = current.scores.get(kind)
        if summary is None or not summary.count:
            continue
        scores.append(
            {
                "kind": kind,
                "summary": summary,
                "change": _change(kind, summary, previous.scores.get(kind)),
            }
        )
    return scores


def _completion(start: datetime, end: datetime) -> float | None:
    """Of the responses started in the week, the share completed (as the dashboard counts)."""
    started, completed = db.session.execute(
        select(func.count(Response.id), func.count(Response.completed_at)).where(
            Response.started_at >= start, Response.started_at < end, Response.spam.is_(False)
        )
    ).one()
    return completed / started if started else None


def _work(user: User, start: datetime, end: datetime) -> dict[str, Any]:
    """The tickets the colleague may see: still open, SLA breaches in the week, their own."""
    visible = visible_condition(user)
    seen = [] if visible is None else [visible]
    still_open_now = ticket_in_open_state()  # not resolved, not closed, as on the dashboard
    still_open = db.session.scalar(select(func.count(Ticket.id)).where(still_open_now, *seen))
    breaches = db.session.scalar(
        select(func.count(Ticket.id)).where(
            or_(
                and_(
                    Ticket.first_response_breached_at >= start,
                    Ticket.first_response_breached_at < end,
                ),
                and_(Ticket.resolution_breached_at >= start, Ticket.resolution_breached_at < end),
            ),
            *seen,
        )
    )
    mine = Ticket.assignee_id == user.id
    open_mine = db.session.scalar(select(func.count(Ticket.id)).where(mine, still_open_now, *seen))
    listed = db.session.scalars(
        select(Ticket)
        .where(mine, still_open_now, *seen)
        .order_by(Ticket.created_at, Ticket.id)
        .limit(TICKETS_LISTED)
    ).all()
    assigned_events = db.session.execute(
        select(TicketEvent.ticket_id, TicketEvent.data)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.kind == "assigned",
            TicketEvent.created_at >= start,
            TicketEvent.created_at < end,
            mine,
            *seen,
        )
    ).all()
    assigned = {t for t, data in assigned_events if (data or {}).get("assignee_id") == user.id}
    return {
        "still_open": still_open or 0,
        "breaches": breaches or 0,
        "limited": visible is not None,
        "open_mine": open_mine or 0,
        "assigned_this_week": len(assigned),
        "my_tickets": [
            {"number": t.number, "subject": t.subject, "link": workspace_link(t)} for t in listed
        ],
    }


def summary_context(user: User, week: date, cache: dict | None = None) -> dict[str, Any]:
    """Everything the mail shows for `week` (a Monday), as plain values and Babel-ready
    numbers; `cache` shares the reports between colleagues in the same zone."""
    zone = _zone(user)
    zone_name = str(zone)
    cache = {} if cache is None else cache
    if (zone_name, week) not in cache:
        cache[(zone_name, week)] = _report_weeks(week, zone_name, zone)
    weeks = cache[(zone_name, week)]
    start = _midnight(week, zone)
    end = _midnight(week + timedelta(days=7), zone)
    current = weeks.current
    quiet = not (current.responses or current.tickets_created or current.tickets_resolved)
    return {
        "name": user.name,
        "week_start": week,
        "week_end": week + timedelta(days=6),
        "quiet": quiet,
        "responses": current.responses,
        "completion": _completion(start, end),
        "scores": _scores(current, weeks.previous),
        "opened": current.tickets_created,
        "solved": current.tickets_resolved,
        "labels": [
            {"name": label.name, "tickets": label.tickets} for label in weeks.labels[:LABELS_LISTED]
        ],
        "agent": not user.is_admin,
        **_work(user, start, end),
        "reports_link": external_url("main.reports", days=30),
        "board_link": external_url("board.index"),
        "settings_link": external_url("auth.notification_settings"),
    }


def queue_summary(user: User, week: date, key: str, cache: dict | None = None) -> OutboxMessage:
    """Write the colleague's summary of `week` to the outbox (no commit)."""
    return queue_email(
        user.email, TEMPLATE, user.locale, summary_context(user, week, cache), message_key=key
    )


def queue_preview(user: User, now: datetime | None = None) -> OutboxMessage:
    """The summary the colleague would get next Monday about last week, now (no commit)."""
    week = last_week(user, now or utcnow())
    return queue_summary(user, week, f"{TEMPLATE}-preview:{user.id}:{uuid.uuid4().hex}")


def send_due_summaries(now: datetime | None = None) -> int:
    """Write each opted-in colleague's summary once its Monday 08:00 has come; how many.

    Run every few minutes, on any number of workers: a summary already in the outbox is
    skipped, and one written by another run at the same moment fails on its unique key
    and is rolled back, alone.
    """
    moment = now or utcnow()
    due = [
        (user, week)
        for user in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
        if wants_summary(user) and (week := due_week(user, moment)) is not None
    ]
    if not due:
        return 0
    keys = {message_key(user, week) for user, week in due}
    written = set(
        db.session.scalars(
            select(OutboxMessage.message_key).where(OutboxMessage.message_key.in_(keys))
        )
    )
    cache: dict = {}
    sent = 0
    for user, week in due:
        key = message_key(user, week)
        if key in written:
            continue
        try:
            queue_summary(user, week, key, cache)
            db.session.commit()
        except IntegrityError:  # another run wrote it a moment ago
            db.session.rollback()
            continue
        except Exception:  # one colleague's mail must not stop everyone else's
            db.session.rollback()
            log.exception("weekly summary for user %s failed", user.id)
            continue
        sent += 1
    return sent
