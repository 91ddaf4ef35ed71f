"""Act on the SLA warnings and breaches the sweep claimed; safe to run twice."""

from __future__ import annotations

import logging

from jobs.context import in_app_context
from jobs.queue import max_attempts
from webapp.extensions import db
from webapp.models import SlaAlert, SlaAlertStatus
from webapp.services import sla_clock

log = logging.getLogger(__name__)


class AlertFailed(Exception):
    """Some alerts of the batch failed; raised so that RQ retries the job."""


@in_app_context
def act_on_sla_alerts(*alert_ids: int) -> str:
    """Each alert in its own transaction: one that fails is retried, the others stay done."""
    claimed = sla_clock.ALERTS.claim_for_work(alert_ids, sla_clock.ALERT_LEASE)
    failed: list[str] = []
    for alert_id in claimed:
        alert = db.session.get(SlaAlert, alert_id)
        try:
            with db.session.begin_nested():
                sla_clock.act_on(alert)
        except Exception as exc:
            log.exception(
                "SLA %s %s on ticket %s failed", alert.metric, alert.kind, alert.ticket_id
            )
            alert.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            final = alert.attempts >= max_attempts()
            alert.status = SlaAlertStatus.FAILED if final else SlaAlertStatus.RETRYING
            failed.append(f"#{alert.id}: {alert.last_error}")
        else:
            alert.status, alert.last_error = SlaAlertStatus.DONE, None
        db.session.commit()
    if failed:
        raise AlertFailed("; ".join(failed))
    return f"{len(claimed)} acted on" if claimed else "skipped"
