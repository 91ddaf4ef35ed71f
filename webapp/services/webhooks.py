"""Webhooks: signed JSON POSTs to integrations (being built: see jobs/webhooks.py)."""

from __future__ import annotations

from typing import Any

from webapp.models import Ticket


def queue_deliveries(ticket: Ticket, event: str, context: dict[str, Any]) -> None:
    """Add a delivery row for every active webhook subscribed to `event` (no commit)."""
