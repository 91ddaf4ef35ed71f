"""E-mails to colleagues about a ticket, through the outbox, in each colleague's language.

Every message gets a `message_key` that the caller stores in the ticket event, so the
timeline can show each e-mail's delivery status (one query for all events).

Callers go through `services.notifications.notify`, which honours each colleague's
preferences and working hours; `email_colleague` is the "send it now" step it ends in.
The template context is rebuilt from plain values (ids, strings), so a notice held for
hours renders exactly like one sent at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import Task, Ticket, User
from webapp.outbox import queue_email


def new_message_key(purpose: str, ticket: Ticket) -> str:
    """A unique outbox key that says what the message is for and which ticket it is about."""
    return f"{purpose}:{ticket.id}:{uuid.uuid4().hex}"


def workspace_link(ticket: Ticket) -> str:
    """The staff link to the ticket (login required), never the customer's status link."""
    return external_url("tickets.show", number=ticket.number)


def state_label(ticket: Ticket, locale: str, state: str | None = None) -> str:
    """The label of `state` (default: the ticket's current state) in `locale`."""
    from webapp.services.workflow_versions import machine_for

    states = machine_for(ticket.workflow_version_id).definition.states
    name = state if state in states else ticket.state
    return states[name].label(locale)


def colleague_context(user: User, ticket: Ticket, context: Mapping[str, Any]) -> dict[str, Any]:
    """What a staff template needs, from plain values: the ticket, its link, a task by id."""
    values = dict(context)
    state = values.pop("state", None)
    rebuilt = {
        "ticket": ticket,
        "number": ticket.number,
        "name": user.name,
        "link": workspace_link(ticket),
        "state_label": state_label(ticket, user.locale, state),
        **values,
    }
    if values.get("task_id") is not None:
        rebuilt["task"] = db.session.get(Task, values["task_id"])
    return rebuilt


def email_colleague(
    user: User,
    template: str,
    ticket: Ticket,
    purpose: str,
    *,
    key: str | None = None,
    **context: Any,
) -> str:
    """Queue `email/<template>.*` for a colleague in their locale now; returns the message key.

    No preference or working-hours check: use `notifications.notify` for that.
    """
    key = key or new_message_key(purpose, ticket)
    queue_email(
        user.email, template, user.locale, colleague_context(user, ticket, context), message_key=key
    )
    return key
