"""The weekly summary e-mails, written on Monday morning in each colleague's time zone."""

from __future__ import annotations

from jobs.context import in_app_context
from jobs.schedule import parse_now


@in_app_context
def send_weekly_summaries(now: str | None = None) -> int:
    """Write the summaries now due (each once, whatever runs overlap); returns how many."""
    from webapp.services.weekly_summary import send_due_summaries

    return send_due_summaries(parse_now(now))
