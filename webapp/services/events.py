"""One place where something that happened to a ticket fans out: automations, then webhooks.

Services call `publish(ticket, "label.added", label="bug")` inside their transaction; the
automation rules of the ticket's workflow version run at once (same transaction), and the
webhooks subscribed to the event get a delivery row (relayed to RQ after the commit).
"""

from __future__ import annotations

from typing import Any

from webapp.models import Ticket
from workflow.registry import EVENTS

__all__ = ["EVENTS", "publish"]


def publish(ticket: Ticket, event: str, **context: Any) -> None:
    """Run the automations listening to `event`, then queue it for subscribed webhooks."""
    from webapp.services.workflow_actions import run_automations

    run_automations(ticket, event, **context)
    from webapp.services import webhooks

    webhooks.queue_deliveries(ticket, event, context)
