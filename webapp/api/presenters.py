"""Tickets and responses as the API's JSON: plain values, ISO 8601 UTC times, English labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from webapp.models import Ticket, TicketEvent, User
from webapp.services import away
from webapp.services.form_responses import ResponseRow
from webapp.services.sla_clock import clocks_stopped
from webapp.services.workflow_versions import machine_for
from webapp.tickets.presenters import state_label
from workflow.engine import TriggerOption

# Conversation events the customer sees on their status page, and the staff-only notes.
PUBLIC_KINDS = ("public_reply", "customer_reply")
NOTE_KINDS = ("note",)
LABEL_LOCALE = "en"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _clock(due: datetime | None, met: datetime | None, breached: datetime | None) -> dict:
    return {"due_at": iso(due), "met_at": iso(met), "breached_at": iso(breached)}


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    """What a list row says about a ticket; reads only what the list query loaded."""
    stopped = clocks_stopped(ticket)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "state": ticket.state,
        "state_label": state_label(ticket, LABEL_LOCALE),
        "priority": ticket.priority,
        "team": ticket.team.slug if ticket.team else None,
        "assignee": ticket.assignee.name if ticket.assignee else None,
        "assignee_email": ticket.assignee.email if ticket.assignee else None,
        "customer_name": ticket.customer_name,
        "customer_email": ticket.customer_email,
        "customer_locale": ticket.customer_locale,
        # The customer's id in your app (a form link's customer_id); verified: it was signed.
        "customer_id": ticket.customer_ref,
        "customer_id_verified": bool(ticket.customer_ref and ticket.customer_ref_verified),
        "channel": ticket.channel,
        "form": ticket.form_slug,
        "labels": [label.name for label in ticket.labels],
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "version": ticket.version,
        # A duplicate merged into another ticket: that ticket's number (else null).
        "merged_into": Ticket.number_for(ticket.merged_into_id) if ticket.merged_into_id else None,
        "spam": ticket.spam_at is not None,  # an agent marked it as spam (it is closed)
        "sla": {
            "policy": ticket.sla_policy,
            "paused": ticket.sla_paused_since is not None and not stopped,
            "stopped": stopped,
            "first_response": _clock(
                ticket.first_response_due_at,
                ticket.first_response_at,
                ticket.first_response_breached_at,
            ),
            "resolution": _clock(
                ticket.resolution_due_at, ticket.resolved_at, ticket.resolution_breached_at
            ),
        },
        "url": url_for("api.ticket_detail", number=ticket.number, _external=True),
    }


def _who(event: TicketEvent) -> str:
    if event.actor is not None:
        return event.actor.name
    if event.actor_kind == "customer":
        return "customer"
    if event.actor_kind == "api":
        return f"API: {(event.data or {}).get('integration', '')}"
    return "Loopdesk"


def conversation_entry(event: TicketEvent) -> dict[str, Any]:
    data = event.data or {}
    entry = {
        "id": event.id,
        "kind": event.kind,
        "author": _who(event),
        "author_kind": event.actor_kind,
        "text": data.get("text", ""),
        "created_at": iso(event.created_at),
    }
    if data.get("files"):  # a reply with files (either way): each one downloadable
        number = Ticket.number_for(event.ticket_id)
        entry["files"] = [
            {
                "id": f["id"],
                "name": f["name"],
                "size_bytes": f["size"],
                "content_type": f["type"],
                "url": url_for("api.ticket_file", number=number, file_id=f["id"], _external=True),
            }
            for f in data["files"]
        ]
    return entry


def ticket_detail(
    ticket: Ticket, public: list[TicketEvent], notes: list[TicketEvent] | None
) -> dict[str, Any]:
    """A ticket with its form answers, public conversation and (when allowed) internal notes."""
    facts = ticket.facts or {}
    detail = ticket_summary(ticket) | {
        "answers": facts.get("answers", {}),
        "score": facts.get("score", {}),
        "conversation": [conversation_entry(event) for event in public],
    }
    if notes is not None:
        detail["notes"] = [conversation_entry(event) for event in notes]
    return detail


def response_json(row: ResponseRow) -> dict[str, Any]:
    response = row.response
    return {
        "id": response.id,
        "form_version": row.version_number,
        "locale": response.locale,
        "channel": response.channel,
        "completed": response.completed_at is not None,
        "started_at": iso(response.started_at),
        "completed_at": iso(response.completed_at),
        "answers": response.answers or {},
        "score": row.score or None,
        "ticket": row.ticket_number,
        # Its ticket was marked as spam, or a blocked sender sent it: left out of scores.
        "spam": response.spam,
    }


def transition_json(ticket: Ticket, option: TriggerOption) -> dict[str, Any]:
    """A move the ticket's workflow allows now: its id (what to POST) and English labels."""
    states = machine_for(ticket.workflow_version_id).definition.states
    return {
        "id": option.trigger,
        "label": option.transition.label(LABEL_LOCALE),
        "to_state": option.dest,
        "to_state_label": states[option.dest].label(LABEL_LOCALE),
    }


def agent_json(user: User, now: datetime) -> dict[str, Any]:
    """An active colleague as the workspace's pickers show them to colleagues: teams,
    languages and, while away now, the last day away with the agent's own note."""
    last_day = away.last_day_away(user, now)
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": str(user.role),
        "teams": [
            {"slug": m.team.slug, "name": m.team.name, "lead": bool(m.is_lead)}
            for m in sorted(user.memberships, key=lambda m: m.team.slug)
        ],
        "languages": list(user.languages or ()),
        "timezone": user.timezone,
        "away": None
        if last_day is None
        else {
            "last_day": last_day.isoformat(),
            "back_at": iso(user.away_until),
            "note": user.away_note or "",
        },
    }
