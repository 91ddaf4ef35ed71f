"""Admins see SLA warnings and breaches whose consequences failed, and hand them over again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.helpers import text_of
from tests.integration.test_ticket_workflow import kinds, new_ticket
from webapp.extensions import db
from webapp.models import AuditEntry, Role, SlaAlert, SlaAlertStatus, Team, TeamMembership
from webapp.services import sla_clock
from webapp.services.tickets import change_priority

XSS = '<script>alert("x")</script>'


@pytest.fixture
def teams(app, create_user):
    """Customer care with Anna, always on duty, where routing sends the test tickets."""
    care = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([care, Team(slug="product-quality", name="Product Quality")])
    anna = create_user(email="anna@example.com", name="Anna", languages=["pl", "en"])
    anna.working_hours = {}
    db.session.add(TeamMembership(team=care, user=anna, is_lead=True))
    db.session.commit()
    return {"care": care, "anna": anna}


def failed_warning(app, teams, monkeypatch, run_jobs):
    """An urgent ticket's warning whose job kept failing until it gave up."""
    app.config["JOB_RETRY_INTERVALS"] = [0]
    ticket = new_ticket(score={}, customer_locale="en", answers={})
    change_priority(ticket, "urgent", teams["anna"])
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError(XSS)

    with monkeypatch.context() as patch:
        patch.setattr(sla_clock, "record_event", broken)
        [alert] = sla_clock.sweep(ticket.created_at + timedelta(minutes=23))
        run_jobs()
    # However the attempts went (RQ's retries, or in-process), this is where they end.
    db.session.execute(
        update(SlaAlert)
        .where(SlaAlert.id == alert.id)
        .values(status=SlaAlertStatus.FAILED, attempts=3, last_error=f"RuntimeError: {XSS}")
    )
    db.session.commit()
    return ticket, alert.id


def test_a_failed_alert_is_listed_and_tried_again(
    app,
    client,
    login,
    post_form,
    create_user,
    teams,
    monkeypatch,
    run_jobs,
):
    ticket, alert_id = failed_warning(app, teams, monkeypatch, run_jobs)
    assert "sla_warning" not in kinds(ticket)
    admin = create_user(email="root@example.com", name="Root", role=Role.ADMIN)
    login(admin)
    mail = text_of(client.get("/admin/mail"))
    assert "1 SLA alert failed in the background" in mail
    page = client.get("/admin/sla-alerts")
    html = page.get_data(as_text=True)
    assert ticket.number in html and "First response" in text_of(page) and "Failed" in html
    assert XSS not in html and "&lt;script&gt;" in html  # the error text is escaped
    # Without the CSRF token nothing happens.
    assert client.post(f"/admin/sla-alerts/{alert_id}/retry").status_code == 400
    reply = post_form(f"/admin/sla-alerts/{alert_id}/retry")
    assert reply.status_code == 303
    run_jobs()
    db.session.expire_all()
    alert = db.session.get(SlaAlert, alert_id)
    assert alert.status == SlaAlertStatus.DONE and alert.last_error is None
    assert kinds(ticket).count("sla_warning") == 1  # recorded once, dated when it fired
    assert "Nothing failed" in text_of(client.get("/admin/sla-alerts"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sla_alert.retried"))
    assert entry is not None and entry.before["status"] == "failed"
    # Named by the number agents know, not the internal id.
    assert entry.target_label == f"{ticket.number}: first_response warning"
    # Retrying what is not failed changes nothing.
    assert post_form(f"/admin/sla-alerts/{alert_id}/retry").status_code == 303
    assert db.session.get(SlaAlert, alert_id).status == SlaAlertStatus.DONE


def test_agents_may_not_see_or_retry_failed_alerts(
    app,
    client,
    login,
    post_form,
    teams,
    monkeypatch,
    run_jobs,
):
    _, alert_id = failed_warning(app, teams, monkeypatch, run_jobs)
    login(teams["anna"])
    assert client.get("/admin/sla-alerts").status_code == 403
    assert post_form(f"/admin/sla-alerts/{alert_id}/retry").status_code == 403
    assert db.session.get(SlaAlert, alert_id).status == SlaAlertStatus.FAILED
