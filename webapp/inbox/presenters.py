"""What an inbox entry says, in the reader's language, from the plain values it keeps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from webapp.erased_text import ERASED, erased_text
from webapp.models import InboxNotification
from webapp.services.staff_mail import state_label
from webapp.services.workflow_versions import machine_for
from webapp.tickets.presenters import metric_label


@dataclass(frozen=True)
class InboxLine:
    id: int
    headline: str  # "Anna Kowalska mentioned you in a note on LD-12"
    detail: str  # the note, the task, the reminder: what it is about, if anything
    subject: str  # the ticket's subject
    number: str
    created_at: datetime
    unread: bool
    visible: bool = True  # False: the ticket went where the reader may not follow it


def _state(entry: InboxNotification) -> str:
    return state_label(entry.ticket, str(get_locale()), entry.context.get("state"))


def _headline(entry: InboxNotification) -> str:
    values = entry.context or {}
    number = entry.ticket.number
    actor = values.get("actor_name") or ""
    kind = values.get("kind")
    event = entry.event
    if event == "ticket_routed":
        if values.get("for_team"):
            return _("New ticket %(number)s for %(team)s", number=number, team=values.get("team"))
        return _("New ticket %(number)s was routed to you", number=number)
    if event == "ticket_assigned":
        if actor:
            return _("%(actor)s assigned %(number)s to you", actor=actor, number=number)
        return _("%(number)s was assigned to you", number=number)
    if event == "mention":
        return _("%(actor)s mentioned you in a note on %(number)s", actor=actor, number=number)
    if event == "task":
        if kind == "assigned":
            return _("%(actor)s gave you a task on %(number)s", actor=actor, number=number)
        return _(
            "%(actor)s moved your task on %(number)s to “%(state)s”",
            actor=actor,
            number=number,
            state=_task_state(values),
        )
    if event == "sla_warning":
        return _(
            "SLA warning on %(number)s: %(metric)s due %(when)s",
            number=number,
            metric=metric_label(values.get("metric")),
            when=_deadline(values),
        )
    if event == "sla_breach" or (event == "watched" and _is_breach(values)):
        # Watchers told by the `notify_watchers` action read the same deadline as assignees.
        if values.get("metric") == "first_response":
            return _("SLA breached on %(number)s: first response overdue", number=number)
        if values.get("metric") == "resolution":
            return _("SLA breached on %(number)s: resolution overdue", number=number)
        return _("SLA breached on %(number)s", number=number)
    if event == "reminder":
        return _("Your reminder on %(number)s is due", number=number)
    if event == "customer_replied":
        return _("The customer replied on %(number)s", number=number)
    if event == "ticket_reopened":
        return _("%(number)s was reopened", number=number)
    if event == "watched":
        if kind == "resolved":
            return _("%(number)s, which you follow, was resolved", number=number)
        if kind == "public_reply" and actor:
            return _(
                "%(actor)s answered the customer on %(number)s, which you follow",
                actor=actor,
                number=number,
            )
        if kind == "note" and actor:
            return _(
                "%(actor)s added an internal note on %(number)s, which you follow",
                actor=actor,
                number=number,
            )
        return _(
            "%(number)s, which you follow, is now: %(state)s", number=number, state=_state(entry)
        )
    if kind in _TWO_TICKET_NOTICES:  # a merge, or its undo: this ticket and the other
        return _TWO_TICKET_NOTICES[kind](
            actor=actor or _("Someone"), other=values.get("other_number", ""), number=number
        )
    return _("%(number)s is now: %(state)s", number=number, state=_state(entry))


# What a merge, or its undo, did to the reader's ticket (`number`) and the other one.
_TWO_TICKET_NOTICES = {
    "merged_from": lambda **v: _("%(actor)s merged %(other)s into %(number)s", **v),
    "merged_into": lambda **v: _("%(actor)s merged %(number)s into %(other)s", **v),
    "unmerged_from": lambda **v: _("%(actor)s undid the merge of %(other)s into %(number)s", **v),
    "unmerged": lambda **v: _("%(actor)s undid the merge of %(number)s into %(other)s", **v),
}


def _deadline(values: Mapping[str, Any]) -> str:
    """An SLA warning's deadline in the reader's language and time zone of today; an entry
    from before it kept the moment ("due_text" only) as its reader wrote dates then."""
    try:
        return format_datetime(datetime.fromisoformat(values["due_at"]), "short")
    except (KeyError, TypeError, ValueError):
        return values.get("due_text", "")


def _task_state(values: Mapping[str, Any]) -> str:
    """The state a task moved to, named in the reader's language of today."""
    name, version_id = values.get("task_state_name"), values.get("task_workflow_version_id")
    if name and version_id:
        state = machine_for(version_id).definition.states.get(name)
        if state is not None:
            return state.label(str(get_locale()))
    return values.get("task_state", "")


def _is_breach(values: Mapping[str, Any]) -> bool:
    """A watcher's entry about a missed SLA deadline: the breach's details came with it."""
    return values.get("kind") == "sla_breached" or values.get("metric") in (
        "first_response",
        "resolution",
    )


def _detail(entry: InboxNotification) -> str:
    values = entry.context or {}
    detail = values.get("task_title", "") if entry.event == "task" else values.get("excerpt", "")
    # A customer's words the entry quoted were erased (services.staff_copies).
    return str(detail).replace(ERASED, _("[erased]"))


def inbox_line(entry: InboxNotification, visible: bool = True) -> InboxLine:
    """One entry as the list shows it (the ticket must be loaded with it).

    About a ticket the reader may no longer see, it keeps only what it said (the headline):
    not the ticket's subject now, nor the note or task it quoted, and it is not unread.
    """
    return InboxLine(
        id=entry.id,
        headline=_headline(entry),
        detail=_detail(entry) if visible else "",
        subject=erased_text(entry.ticket.subject) if visible else "",
        number=entry.ticket.number,
        created_at=entry.created_at,
        unread=visible and entry.read_at is None,
        visible=visible,
    )
