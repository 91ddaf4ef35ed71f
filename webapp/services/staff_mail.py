"""E-mails to colleagues about a ticket, through the outbox, in each colleague's language.

Every message gets a `message_key` that the caller stores in the ticket event, so the
timeline can show each e-mail's delivery status (one query for all events).
"""

from __future__ import annotations

import uuid
from typing import Any

from webapp.external_urls import external_url
from webapp.models import Ticket, User
from webapp.outbox import queue_email


def new_message_key(purpose: str, ticket: Ticket) -> str:
    """A unique outbox key that says what the message is for and which ticket it is about."""
    return f"{purpose}:{ticket.id}:{uuid.uuid4().hex}"


def workspace_link(ticket: Ticket) -> str:
    """The staff link to the ticket (login required), never the customer's status link."""
    return external_url("tickets.show", number=ticket.number)


def state_label(ticket: Ticket, locale: str) -> str:
    from webapp.services.workflow_versions import machine_for

    return machine_for(ticket.workflow_version_id).definition.states[ticket.state].label(locale)


def email_colleague(
    user: User,
    template: str,
    ticket: Ticket,
    purpose: str,
    *,
    key: str | None = None,
    **context: Any,
) -> str:
    """Queue `email/<template>.*` for a colleague in their locale; returns the message key."""
    key = key or new_message_key(purpose, ticket)
    queue_email(
        user.email,
        template,
        user.locale,
        {
            "ticket": ticket,
            "number": ticket.number,
            "name": user.name,
            "link": workspace_link(ticket),
            "state_label": state_label(ticket, user.locale),
            **context,
        },
        message_key=key,
    )
    return key
