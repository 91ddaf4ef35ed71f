"""Post-resolution surveys: send the ones that are due (periodic, see jobs.schedule)."""

from __future__ import annotations

from jobs.context import in_app_context
from jobs.schedule import parse_now


@in_app_context
def send_due_surveys(now: str | None = None) -> int:
    """E-mail every due survey once; returns how many were sent. Safe to run twice at once."""
    from webapp.extensions import db
    from webapp.services import surveys

    sent = surveys.send_due_surveys(parse_now(now))
    db.session.commit()
    return sent


@in_app_context
def send_survey_reminders(now: str | None = None) -> int:
    """Remind once of each survey still unanswered; returns how many. Safe to run twice."""
    from webapp.extensions import db
    from webapp.services import surveys

    sent = surveys.send_due_reminders(parse_now(now))
    db.session.commit()
    return sent
