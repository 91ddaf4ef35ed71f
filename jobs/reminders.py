"""Periodic job: e-mail the reminders that are due (schedule it every minute)."""

from __future__ import annotations

from datetime import datetime

from jobs.context import in_app_context


@in_app_context
def send_due_reminders(now: datetime | None = None) -> int:
    """Send every due, unsent reminder exactly once; returns how many were sent."""
    from webapp.services.reminders import deliver_due_reminders

    return deliver_due_reminders(now)
