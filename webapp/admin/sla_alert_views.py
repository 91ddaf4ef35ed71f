"""SLA warnings and breaches whose consequences failed in the background, and retrying them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.admin import bp
from webapp.extensions import db
from webapp.models import SlaAlert, Ticket
from webapp.security import admin_required
from webapp.services import audit, sla_clock


@bp.get("/sla-alerts")
@admin_required
def sla_alerts():
    return render_template("admin/sla_alerts.html", rows=sla_clock.stuck_alerts())


@bp.post("/sla-alerts/<int:alert_id>/retry")
@admin_required
def retry_sla_alert(alert_id: int):
    alert = db.get_or_404(SlaAlert, alert_id)
    before = {"status": alert.status, "attempts": alert.attempts, "error": alert.last_error}
    if sla_clock.retry_alert(alert):
        audit.record(
            "sla_alert.retried",
            alert,
            f"{db.session.get(Ticket, alert.ticket_id).number}: {alert.metric} {alert.kind}",
            before=before,
            after={"status": alert.status},
        )
        db.session.commit()
        sla_clock.ALERTS.relay([alert.id])  # to RQ, or acted on now without Redis
        flash(_("The alert was handed to the background jobs again."), "success")
    else:
        flash(_("This alert is not failed: nothing to retry."), "info")
    return redirect(url_for("admin.sla_alerts"), code=303)
