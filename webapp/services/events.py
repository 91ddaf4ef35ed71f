"""One place where something that happened to a ticket fans out: automations, then webhooks.

Services call `publish(ticket, "label.added", label="bug")` inside their transaction; the
automation rules of the ticket's workflow version run at once (same transaction), and the
webhooks subscribed to the event get a delivery row (relayed to RQ after the commit).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from webapp.models import Ticket
from workflow.registry import EVENTS

__all__ = ["EVENTS", "publish"]

log = logging.getLogger(__name__)
# Automations may publish events of their own (add_label → label.added). Rules that keep
# answering each other (team a → b → a) are cut off at this depth instead of recursing forever.
MAX_AUTOMATION_DEPTH = 8
_depth: ContextVar[int] = ContextVar("automation_depth", default=0)


def publish(ticket: Ticket, event: str, **context: Any) -> None:
    """Run the automations listening to `event`, then queue it for subscribed webhooks."""
    from webapp.services.workflow_actions import run_automations

    depth = _depth.get()
    if depth < MAX_AUTOMATION_DEPTH:
        token = _depth.set(depth + 1)
        try:
            run_automations(ticket, event, **context)
        finally:
            _depth.reset(token)
    else:
        log.warning("%s on ticket %s: automations stop at depth %s", event, ticket.id, depth)
    from webapp.services import webhooks

    webhooks.queue_deliveries(ticket, event, context)
