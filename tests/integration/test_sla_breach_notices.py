"""A ticket that misses both SLA deadlines: each notice says which deadline it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jobs.schedule import sweep_sla
from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import InboxNotification, Team, TeamMembership, WorkflowKind, utcnow


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


@pytest.fixture
def leads(app, create_user) -> dict:
    """The care team the default routing uses, with two leads told about breaches."""
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([team, Team(slug="product-quality", name="Product Quality")])
    lena = create_user(email="lena@example.com", name="Lena Lead")
    piotr = create_user(email="piotr@example.com", name="Piotr", locale="pl")
    for lead in (lena, piotr):
        db.session.add(TeamMembership(team=team, user=lead, is_lead=True))
    db.session.commit()
    return {"lena": lena, "piotr": piotr}


def test_missing_both_deadlines_gives_two_notices_that_name_the_deadline(
    client, login, leads, smtp_server, run_jobs
):
    ticket = make_ticket(subject="Site down")
    past = utcnow() - timedelta(minutes=1)
    ticket.first_response_warn_at = ticket.first_response_due_at = past
    ticket.resolution_warn_at = ticket.resolution_due_at = past
    db.session.commit()

    assert sweep_sla(now=utcnow().isoformat()) == 2
    run_jobs()
    run_jobs()

    def breach_subjects(address: str) -> list[str]:
        subjects = [m["Subject"] for m in smtp_server.messages if m["To"] == address]
        return sorted(s for s in subjects if "SLA" in s)  # routing may assign them the ticket

    n = ticket.number
    subjects = breach_subjects("lena@example.com")
    assert subjects == [
        f"[{n}] SLA breached: first response overdue",
        f"[{n}] SLA breached: resolution overdue",
    ]
    polish = breach_subjects("piotr@example.com")
    assert polish == [
        f"[{n}] Przekroczono SLA: minął termin pierwszej odpowiedzi",
        f"[{n}] Przekroczono SLA: minął termin rozwiązania",
    ]
    metrics = db.session.scalars(
        select(InboxNotification.context).where(InboxNotification.user_id == leads["lena"].id)
    ).all()
    assert sorted(c["metric"] for c in metrics) == ["first_response", "resolution"]
    login(leads["lena"])
    text = text_of(client.get("/notifications"))
    assert f"SLA breached on {n}: first response overdue" in text
    assert f"SLA breached on {n}: resolution overdue" in text


def test_watchers_told_by_the_workflow_read_which_deadline_was_missed(
    client, login, leads, create_user, smtp_server, run_jobs
):
    """`notify_watchers` on breach: the same deadline wording as the team lead's notice."""
    from webapp.services.watchers import follow
    from webapp.services.workflow_versions import SHIPPED, publish_version

    text = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
    text = text.replace("- notify_team_lead: sla_breached", "- notify_watchers: sla_breached")
    publish_version(WorkflowKind.TICKET, text, None)
    db.session.commit()
    wanda = create_user(email="wanda@example.com", name="Wanda Watcher")
    wiktor = create_user(email="wiktor@example.com", name="Wiktor", locale="pl")
    ticket = make_ticket(subject="Site down")
    for watcher in (wanda, wiktor):
        follow(ticket, watcher, ["resolved"], None)
    ticket.first_response_warn_at = ticket.first_response_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert sweep_sla(now=utcnow().isoformat()) == 1
    run_jobs()
    run_jobs()

    n = ticket.number
    mail = {m["To"]: m for m in smtp_server.messages if m["Subject"].startswith(f"[{n}] ")}
    wanda_mail = mail["wanda@example.com"]
    assert wanda_mail["Subject"] == f"[{n}] SLA breached: first response overdue"
    assert f"SLA breached on {n}: first response overdue (Site down)" in str(wanda_mail)
    assert "which you follow, is now" not in str(wanda_mail)
    polish = mail["wiktor@example.com"]["Subject"]
    assert polish == f"[{n}] Przekroczono SLA: minął termin pierwszej odpowiedzi"
    login(wanda)
    page = text_of(client.get("/notifications"))
    assert f"SLA breached on {n}: first response overdue" in page
    assert "which you follow, is now" not in page
