"""The one path for staff notifications: preferences, quiet hours, digests.

Every notification to a colleague about a ticket goes through `notify`. It always lands
in the colleague's in-app inbox (`services.inbox`); for the e-mail, `notify` asks the
colleague's settings what to do with it:

- a category set to "off" sends nothing, not even urgent notices: the colleague chose
  silence explicitly (an urgent breach still reaches every other lead who did not);
- "digest" keeps a StaffNotice for the next full hour, when `jobs.notices.send_digests`
  mails all of them in one message (not before their next working period starts);
- "immediate" (the default) queues the e-mail now when the colleague is at work, and
  otherwise keeps a held StaffNotice until their next working period
  (`jobs.notices.release_held_notices`); a colleague who is away (`services.away`) is not
  at work until their first working hours after the period.

Urgent notices (an SLA breach of an urgent ticket, or whatever a caller marks urgent)
ignore working hours and digest mode. A colleague without working hours is always at
work. A notice stores plain values only; its e-mail is rebuilt from them when it goes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    NoticeStatus,
    StaffNotice,
    TeamMembership,
    Ticket,
    User,
    utcnow,
)
from webapp.outbox import fit_subject, queue_email
from webapp.services import away
from webapp.services.assignment import working_hours_calendar
from webapp.services.history import record_event
from webapp.services.inbox import record_notification
from webapp.services.staff_mail import (
    colleague_context,
    email_colleague,
    new_message_key,
    workspace_link,
)
from webapp.services.ticket_access import can_see

IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
MODES = {
    IMMEDIATE: _l("At once"),
    DIGEST: _l("Hourly digest"),
    OFF: _l("Off"),
}

# What a colleague can choose about, in the order the settings page lists it.
CATEGORIES = {
    "new_tickets": _l("New tickets for you or your team"),
    "mentions": _l("Mentions in internal notes"),
    "tasks": _l("Tasks given to you, and changes to tasks you gave"),
    "sla": _l("SLA warnings and breaches"),
    "reminders": _l("Your reminders"),
    "ticket_updates": _l("Updates on your tickets and on tickets you follow"),
}

# Every kind of staff notification and the category that decides about it.
EVENTS = {
    "ticket_routed": "new_tickets",  # a new ticket routed to you or (unassigned) your team
    "ticket_assigned": "new_tickets",
    "mention": "mentions",
    "task": "tasks",  # assigned to you, or a task you gave changed
    "sla_warning": "sla",
    "sla_breach": "sla",
    "reminder": "reminders",
    "customer_replied": "ticket_updates",
    "ticket_reopened": "ticket_updates",
    "watched": "ticket_updates",  # a ticket you follow: resolved, replied, noted, moved
    "ticket_update": "ticket_updates",  # any other notice a workflow action asks for
}

# The kinds the workflow's notify_assignee / notify_team / notify_team_lead actions name.
_WORKFLOW_KINDS = {
    "ticket_assigned": "ticket_assigned",
    "customer_replied": "customer_replied",
    "ticket_reopened": "ticket_reopened",
    "sla_breached": "sla_breach",
    "sla_warning": "sla_warning",
}
URGENT_PRIORITY = "urgent"


def event_for_workflow_kind(kind: str) -> str:
    """The notification event behind a workflow notice kind (`sla_breached` → `sla_breach`)."""
    return _WORKFLOW_KINDS.get(kind, "ticket_update")


def preference(user: User, category: str) -> str:
    """What this colleague chose for a category; anything unknown counts as immediate."""
    chosen = (user.notification_settings or {}).get(category)
    return chosen if chosen in MODES else IMMEDIATE


def preferences(user: User) -> dict[str, str]:
    return {category: preference(user, category) for category in CATEGORIES}


def on_duty(user: User, now: datetime) -> bool:
    """Whether the colleague is inside their working hours (no hours: always) and not away."""
    if away.is_away(user, now):
        return False
    calendar = working_hours_calendar(user)
    return calendar is None or calendar.is_open(now)


def next_working_start(user: User, now: datetime) -> datetime:
    """When the colleague next starts work (`now` if they are at work): after an away
    period, their first working hours from the day they are back."""
    start = user.away_until if away.is_away(user, now) else now
    calendar = working_hours_calendar(user)
    if calendar is None:
        return start
    try:
        return calendar.next_open(start)
    except ValueError:  # hours that never open: do not hold notices forever
        return start


def next_full_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def is_urgent(event: str, ticket: Ticket) -> bool:
    """Urgent notices pass quiet hours and digests: a breach of an urgent ticket."""
    return event == "sla_breach" and ticket.priority == URGENT_PRIORITY


def _plain(context: Mapping[str, Any] | None) -> dict[str, Any]:
    """The context as stored JSON: ids and strings, never ORM objects (they cannot wait)."""
    values = dict(context or {})
    try:
        json.dumps(values)
    except TypeError as exc:
        raise TypeError(f"notification context must hold plain values: {exc}") from exc
    return values


def notice_summary(user: User, ticket: Ticket, template: str, context: Mapping[str, Any]) -> str:
    """One line for a digest: the e-mail's own subject, in the colleague's language."""
    values = colleague_context(user, ticket, context)
    with force_locale(user.locale):
        subject = render_template(
            f"email/{template}.subject.txt",
            **values,
            base_url=current_app.config["LOOPDESK_BASE_URL"],
        )
    return fit_subject(subject)  # cut as the e-mail's own subject line is


def notify(
    user: User | None,
    event: str,
    ticket: Ticket,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    urgent: bool = False,
    summary: str | None = None,
    key: str | None = None,
    now: datetime | None = None,
    actor: User | None = None,
) -> str | None:
    """Tell a colleague about `event` on `ticket` as they chose; returns the message key.

    The in-app inbox gets it whatever the e-mail settings, unless the colleague may not see
    the ticket (a reminder or a task they gave on a ticket that has since gone to another
    team): then nothing is said, in the inbox or by e-mail. None when no e-mail will be
    sent (that case, inactive colleague, their own action, category off). Otherwise the
    e-mail is in the outbox now, or a StaffNotice will send it (under the same key,
    so the ticket's timeline shows its delivery once it goes).
    """
    if user is None or not user.active:
        return None
    if actor is not None and actor.id == user.id:  # nobody is told about what they did
        return None
    if ticket.id is not None and not can_see(user, ticket):  # (unsaved: routing chose them)
        return None
    values = _plain(context)
    values.setdefault("state", ticket.state)  # the state when it happened, not when sent
    now = now or utcnow()
    record_notification(user, event, ticket, values, actor=actor, now=now)
    category = EVENTS[event]
    mode = preference(user, category)
    if mode == OFF:  # even urgent: the colleague turned this category off
        return None
    key = key or new_message_key(event, ticket)
    urgent = urgent or is_urgent(event, ticket)
    if urgent or (mode == IMMEDIATE and on_duty(user, now)):
        return email_colleague(user, template, ticket, event, key=key, **values)
    if mode == DIGEST:
        status, deliver_after = NoticeStatus.DIGEST, next_full_hour(now)
    else:
        status, deliver_after = NoticeStatus.HELD, next_working_start(user, now)
    db.session.add(
        StaffNotice(
            user=user,
            ticket=ticket,
            event=event,
            template=template,
            context=values,
            summary=(summary or notice_summary(user, ticket, template, values))[:300],
            status=status,
            deliver_after=deliver_after,
            created_at=now,
            message_key=key,
        )
    )
    return key


def team_members(team_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(TeamMembership, TeamMembership.user_id == User.id)
            .where(TeamMembership.team_id == team_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def team_leads(team_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(TeamMembership, TeamMembership.user_id == User.id)
            .where(
                TeamMembership.team_id == team_id,
                TeamMembership.is_lead.is_(True),
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def _record_notices(ticket: Ticket, template: str, users: list[User], keys: list[str]) -> None:
    if keys:
        record_event(
            ticket,
            "email_queued",
            None,
            to=[user.name for user in users],
            template=template,
            message_keys=keys,
        )


def announce_new_ticket(ticket: Ticket, move: Any = None) -> list[str]:
    """Tell the agent routing picked, or (unassigned) the team's members, about a new ticket.

    `move` is the automatic assignment; when its own actions already told the assignee
    (the default workflow's `notify_assignee: ticket_assigned`), they are not told twice.
    """
    if ticket.assignee is not None:
        if move is not None and any(a.name == "notify_assignee" for a in move.actions):
            return []
        recipients, for_team = [ticket.assignee], False
    elif ticket.team_id is not None:
        recipients, for_team = team_members(ticket.team_id), True
    else:
        return []
    context = {"for_team": for_team, "team": ticket.team.name if ticket.team else ""}
    told, keys = [], []
    for user in recipients:
        key = notify(user, "ticket_routed", ticket, "ticket_routed", context)
        if key:
            told.append(user)
            keys.append(key)
    _record_notices(ticket, "ticket_routed", told, keys)
    return keys


def warn_about_sla(ticket: Ticket, metric: str, due_at: datetime | None) -> list[str]:
    """An SLA deadline is close: tell the assignee (unassigned: the team's leads)."""
    if ticket.assignee is not None:
        recipients = [ticket.assignee]
    elif ticket.team_id is not None:
        recipients = team_leads(ticket.team_id)
    else:
        return []
    from webapp.services.tasks import format_for

    # The inbox writes the moment when shown (the reader's words then); the e-mail, now.
    due_iso = due_at.isoformat() if due_at else None
    told, keys = [], []
    for user in recipients:
        context = {"metric": metric, "due_text": format_for(user, due_at), "due_at": due_iso}
        key = notify(user, "sla_warning", ticket, "sla_warning", context)
        if key:
            told.append(user)
            keys.append(key)
    _record_notices(ticket, "sla_warning", told, keys)
    return keys


class BadSetting(ValueError):
    """A settings form value that is not one of the offered choices."""


def read_settings(form: Mapping[str, str], current: Mapping[str, str]) -> dict[str, str]:
    """The chosen mode per category from a submitted form; raises BadSetting on bogus values.

    A category missing from the form keeps its current choice.
    """
    chosen = {}
    for category in CATEGORIES:
        value = form.get(category)
        if value is None:
            value = current.get(category, IMMEDIATE)
        if value not in MODES:
            raise BadSetting(category)
        chosen[category] = value
    return chosen


def save_settings(user: User, chosen: Mapping[str, str]) -> None:
    # A new dict: SQLAlchemy does not see changes made inside a JSON value.
    user.notification_settings = {**(user.notification_settings or {}), **chosen}


def announce_assignments(user: User, tickets: list[Ticket], actor: User | None) -> str | None:
    """Tell a colleague about several tickets given to them at once, in one e-mail.

    Their settings still rule: off sends nothing; a digest, or hours off duty, keeps one
    notice per ticket (the digest lists them together). Each ticket's timeline gets the
    e-mail with its delivery status. Returns the message key of the e-mail sent now.
    """
    from webapp.services.workflow_actions import notify_assignee

    if len(tickets) == 1:
        notify_assignee(tickets[0], "ticket_assigned", actor)
        return None
    if not user.active or (actor is not None and actor.id == user.id):
        return None
    mode = preference(user, EVENTS["ticket_assigned"])
    if mode != IMMEDIATE or not on_duty(user, utcnow()):
        for ticket in tickets:  # the inbox gets each one; the e-mail waits or never goes
            notify_assignee(ticket, "ticket_assigned", actor)
        return None
    now = utcnow()
    for ticket in tickets:
        record_notification(
            user, "ticket_assigned", ticket, {"kind": "ticket_assigned"}, actor=actor, now=now
        )
    key = new_message_key("tickets_assigned", tickets[0])
    queue_email(
        user.email,
        "staff_tickets_assigned",
        user.locale,
        {
            "name": user.name,
            "by": actor.name if actor else "",
            "count": len(tickets),
            "tickets": [
                {
                    "number": t.number,
                    "subject": t.subject,
                    "priority": t.priority,
                    "link": workspace_link(t),
                }
                for t in tickets
            ],
        },
        message_key=key,
    )
    for ticket in tickets:
        record_event(
            ticket, "email_queued", None, to=user.email, template="ticket_assigned", message_key=key
        )
    return key
