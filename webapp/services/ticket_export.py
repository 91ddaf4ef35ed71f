"""The ticket list as CSV: what a team lead takes into a spreadsheet, with the list's filters.

Columns have stable names (for scripts and pivot tables); the state is also given in the
viewer's language. Streamed a batch of tickets at a time, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import joinedload, selectinload

from webapp.models import Ticket
from webapp.services.csv_export import CsvChunks, in_batches, moment
from webapp.services.workflow_versions import machine_for

COLUMNS = (
    "ticket",
    "subject",
    "state",
    "state_label",
    "priority",
    "team",
    "assignee",
    "customer_name",
    "customer_email",
    "customer_id",
    "customer_id_verified",
    "customer_language",
    "channel",
    "form",
    "score_type",
    "score",
    "score_group",
    "labels",
    "created_at",
    "sla_policy",
    "first_response_due_at",
    "first_response_at",
    "first_response_breached_at",
    "resolution_due_at",
    "resolved_at",
    "resolution_breached_at",
)


def csv_chunks(query, locale: str) -> Iterator[str]:
    """`query` (a select of Ticket, filtered) as CSV, newest first, one chunk per batch."""
    out = CsvChunks()
    out.row(COLUMNS)
    yield out.take()
    query = query.options(
        joinedload(Ticket.team), joinedload(Ticket.assignee), selectinload(Ticket.labels)
    )
    for batch in in_batches(query, Ticket.id, newest_first=True):
        for ticket in batch:
            states = machine_for(ticket.workflow_version_id).definition.states  # cached
            score = (ticket.facts or {}).get("score") or {}
            out.row(
                (
                    ticket.number,
                    ticket.subject,
                    ticket.state,
                    states[ticket.state].label(locale) if ticket.state in states else "",
                    ticket.priority,
                    ticket.team.name if ticket.team else "",
                    ticket.assignee.name if ticket.assignee else "",
                    ticket.customer_name,
                    ticket.customer_email or "",
                    ticket.customer_ref or "",
                    _verified(ticket),
                    ticket.customer_locale,
                    ticket.channel,
                    ticket.form_slug or "",
                    score.get("type", ""),
                    score.get("value", ""),
                    score.get("category", ""),
                    "; ".join(label.name for label in ticket.labels),
                    moment(ticket.created_at),
                    ticket.sla_policy or "",
                    moment(ticket.first_response_due_at),
                    moment(ticket.first_response_at),
                    moment(ticket.first_response_breached_at),
                    moment(ticket.resolution_due_at),
                    moment(ticket.resolved_at),
                    moment(ticket.resolution_breached_at),
                )
            )
        yield out.take()


def _verified(ticket: Ticket) -> str:
    """Whether the customer id was signed: true or false, empty when there is none."""
    if not ticket.customer_ref:
        return ""
    return "true" if ticket.customer_ref_verified else "false"
