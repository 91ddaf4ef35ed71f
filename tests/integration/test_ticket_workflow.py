"""Tickets in the database: versioned, routed, assigned, moved, on an SLA clock."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    OutboxMessage,
    SlaAlert,
    SlaAlertStatus,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
    WorkflowKind,
)
from webapp.services import sla_clock
from webapp.services.tickets import (
    CUSTOMER,
    SYSTEM,
    MoveRefused,
    NewTicket,
    assign_to,
    available_triggers,
    change_priority,
    create_task,
    create_ticket,
    fire,
    fire_task,
)
from webapp.services.workflow_versions import (
    SHIPPED,
    PublishRefused,
    active_version,
    machine_for,
    publish_version,
)


@pytest.fixture
def teams(app, create_user):
    care = Team(slug="customer-care", name="Customer Care")
    quality = Team(slug="product-quality", name="Product Quality")
    db.session.add_all([care, quality])
    anna = create_user(email="anna@example.com", name="Anna", languages=["pl", "en"])
    boris = create_user(email="boris@example.com", name="Boris", languages=["ru", "en"])
    maja = create_user(email="maja@example.com", name="Maja", languages=["sl", "en"])
    for user in (anna, boris):
        user.working_hours = {}  # always on duty: these tests must not depend on the clock
        db.session.add(TeamMembership(team=care, user=user, is_lead=user is anna))
    maja.working_hours = {}
    db.session.add(TeamMembership(team=quality, user=maja))
    db.session.commit()
    return {"care": care, "quality": quality, "anna": anna, "boris": boris, "maja": maja}


def new_ticket(**overrides) -> Ticket:
    fields = {
        "subject": "Checkout fails",
        "customer_name": "Jan",
        "customer_email": "jan@example.pl",
        "customer_locale": "pl",
        "form_slug": "nps",
        "answers": {"nps": 3},
        "score": {"type": "nps", "value": 3, "category": "detractor"},
    }
    fields.update(overrides)
    ticket = create_ticket(NewTicket(**fields))
    db.session.commit()
    return ticket


def kinds(ticket) -> list[str]:
    return [
        e.kind
        for e in db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    ]


def test_detractor_is_routed_assigned_and_put_on_the_clock(teams):
    ticket = new_ticket()
    assert ticket.number == f"LD-{ticket.id + 1000}"
    assert (ticket.team.slug, ticket.priority, ticket.state) == (
        "customer-care",
        "high",
        "assigned",
    )
    assert ticket.assignee == teams["anna"]  # speaks Polish, least loaded
    assert [label.name for label in ticket.labels] == ["detractor"]
    assert ticket.sla_policy == "high"
    assert ticket.first_response_due_at > ticket.created_at
    routed = next(e for e in ticket.events if e.kind == "routed")
    assert routed.data["reason"] == "rule 1 matched: score.category detractor = detractor"
    assert "speaks pl" in routed.data["assignment"]
    assert kinds(ticket)[:2] == ["created", "label_added"]
    assert {"routed", "assigned", "transition"} <= set(kinds(ticket))
    assert ticket.workflow_version.number == 1


def test_round_robin_takes_turns_across_tickets(teams):
    picks = [
        new_ticket(form_slug="report-problem", score={}, customer_locale="en").assignee
        for _ in range(3)
    ]
    # report-problem goes to product quality (only Maja) — round robin stays with her
    assert {p.name for p in picks} == {"Maja"}
    teams["maja"].capacity = 1
    db.session.commit()
    overflow = new_ticket(form_slug="report-problem", score={}, customer_locale="en")
    assert overflow.team.slug == "customer-care"  # Maja is full: the rule's overflow team
    assert (
        "overflow to customer-care"
        in next(e for e in overflow.events if e.kind == "routed").data["assignment"]
    )


def test_round_robin_alternates_between_members(teams):
    db.session.execute(
        TeamMembership.__table__.delete().where(TeamMembership.user_id == teams["maja"].id)
    )
    db.session.commit()
    names = [new_ticket(score={}, customer_locale="en").assignee.name for _ in range(4)]
    assert names == ["Anna", "Boris", "Anna", "Boris"]


def test_transitions_record_history_and_follow_roles(teams):
    ticket = new_ticket()
    anna, boris = teams["anna"], teams["boris"]
    with pytest.raises(MoveRefused) as refused:
        fire(ticket, "start", boris)  # not the assignee
    assert refused.value.code == "role"
    fire(ticket, "start", anna)
    db.session.commit()
    assert ticket.state == "in_progress"
    with pytest.raises(MoveRefused, match="nobody has replied"):
        fire(ticket, "ask_customer", anna)
    ticket.public_reply_count = 1
    fire(ticket, "ask_customer", anna)
    db.session.commit()
    event = db.session.scalar(
        select(TicketEvent).where(TicketEvent.kind == "transition").order_by(TicketEvent.id.desc())
    )
    assert (event.from_state, event.to_state, event.actor, event.data["trigger"]) == (
        "in_progress",
        "waiting_on_customer",
        anna,
        "ask_customer",
    )
    fire(ticket, "customer_replied", CUSTOMER)
    db.session.commit()
    assert ticket.state == "in_progress"


def test_customer_gets_status_mail_in_their_language(teams):
    ticket = new_ticket()
    fire(ticket, "start", teams["anna"])
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "jan@example.pl")
    )
    assert mail.locale == "pl"
    assert mail.subject == f"[{ticket.number}] Twoje zgłoszenie: W toku"
    assert f"/t/{ticket.status_token}" in mail.body_text  # where the customer answers
    assert f"/t/{ticket.status_token}" in mail.body_html


def test_waiting_on_customer_pauses_the_sla_clock(teams):
    ticket = new_ticket(score={}, customer_locale="en", answers={})
    # A 24/7 policy keeps the arithmetic independent of when the test runs.
    change_priority(ticket, "urgent", teams["anna"])
    db.session.commit()
    assign_to(ticket, teams["anna"], teams["anna"])
    fire(ticket, "start", teams["anna"])
    ticket.public_reply_count = 1
    due_before = ticket.resolution_due_at
    t0 = datetime.now(UTC)
    ticket.sla_started_at = ticket.created_at
    sla_clock.on_state_change(ticket, "in_progress", "waiting_on_customer", t0)
    ticket.state = "waiting_on_customer"
    assert ticket.sla_paused_since == t0
    sla_clock.on_state_change(ticket, "waiting_on_customer", "in_progress", t0 + timedelta(hours=1))
    ticket.state = "in_progress"
    assert ticket.sla_paused_since is None
    assert ticket.sla_paused_seconds == 3600
    assert ticket.resolution_due_at - due_before == timedelta(hours=1)
    assert any("paused 1 h waiting on customer" in line for line in sla_clock.explain(ticket, t0))


def test_a_late_first_reply_stays_late_after_a_pause(teams):
    """Pausing later (waiting on the customer) moves the running clocks, not one already met:
    a first reply sent after its deadline must not turn into one in time."""
    ticket = new_ticket(score={}, customer_locale="en", answers={})
    change_priority(ticket, "urgent", teams["anna"])  # 24/7: 30 minutes to a first reply
    assign_to(ticket, teams["anna"], teams["anna"])
    fire(ticket, "start", teams["anna"])
    t0 = ticket.first_response_due_at + timedelta(hours=2)  # two hours late
    ticket.first_response_at, ticket.public_reply_count = t0, 1
    due_first, due_resolution = ticket.first_response_due_at, ticket.resolution_due_at
    sla_clock.on_state_change(ticket, "in_progress", "waiting_on_customer", t0)
    ticket.state = "waiting_on_customer"
    sla_clock.on_state_change(ticket, "waiting_on_customer", "in_progress", t0 + timedelta(hours=5))
    ticket.state = "in_progress"
    assert ticket.first_response_due_at == due_first  # met (late) before the pause: kept
    assert ticket.resolution_due_at - due_resolution == timedelta(hours=5)  # still running
    assert ticket.first_response_at > ticket.first_response_due_at
    change_priority(ticket, "low", teams["anna"])  # a later priority change keeps it too
    assert ticket.first_response_due_at == due_first


def test_priority_change_recomputes_the_targets(teams):
    ticket = new_ticket(score={}, customer_locale="en", answers={})
    assert ticket.sla_policy == "standard"
    change_priority(ticket, "urgent", teams["anna"])
    db.session.commit()
    assert ticket.sla_policy == "urgent"
    assert ticket.first_response_due_at - ticket.created_at == timedelta(minutes=30)
    assert kinds(ticket)[-1] == "priority"


def test_sla_warnings_and_breaches_fire_exactly_once(teams, run_jobs):
    ticket = new_ticket(score={}, customer_locale="en", answers={})
    change_priority(ticket, "urgent", teams["anna"])
    db.session.commit()
    created = ticket.created_at
    assert sla_clock.sweep(created + timedelta(minutes=10)) == []
    warned = sla_clock.sweep(created + timedelta(minutes=23))
    assert [(a.metric, a.kind) for a in warned] == [("first_response", "warning")]
    assert sla_clock.sweep(created + timedelta(minutes=24)) == []
    breached = sla_clock.sweep(created + timedelta(minutes=31))
    assert [(a.metric, a.kind) for a in breached] == [("first_response", "breach")]
    # A policy change afterwards does not fire the same metric again.
    change_priority(ticket, "high", teams["anna"])
    db.session.commit()
    later = sla_clock.sweep(created + timedelta(days=30))
    run_jobs()  # with RQ, a worker acts on what the sweeps handed over
    assert ("first_response", "breach") not in [(a.metric, a.kind) for a in later]
    db.session.refresh(ticket)
    assert ticket.priority == "urgent" or ticket.priority == "high"
    assert kinds(ticket).count("sla_breach") == 1 + sum(a.kind == "breach" for a in later)
    lead_mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "anna@example.com")
    ).all()
    assert any("SLA" in m.subject for m in lead_mail)


def test_one_failing_sla_alert_does_not_block_the_others(app, teams, monkeypatch, run_jobs):
    app.config["JOB_RETRY_INTERVALS"] = [0]  # with RQ: its retry runs at once, in the same burst
    broken = new_ticket(score={}, customer_locale="en", answers={})
    fine = new_ticket(score={}, customer_locale="en", answers={})
    for ticket in (broken, fine):
        change_priority(ticket, "urgent", teams["anna"])
    db.session.commit()
    real, failures = sla_clock.record_event, []

    def failing_once_for_broken(ticket, kind, *args, **kwargs):
        if ticket.id == broken.id and not failures:
            failures.append(kind)
            raise RuntimeError("a template error, say")
        return real(ticket, kind, *args, **kwargs)

    monkeypatch.setattr(sla_clock, "record_event", failing_once_for_broken)
    later = broken.created_at + timedelta(minutes=23)
    fired = sla_clock.sweep(later)
    assert sorted(a.ticket_id for a in fired) == sorted([broken.id, fine.id])
    run_jobs()  # with RQ, its retry acts on the broken alert; in-process, the next sweep does
    assert failures == ["sla_warning"]
    assert kinds(fine).count("sla_warning") == 1
    sla_clock.sweep(later + timedelta(minutes=1))
    run_jobs()
    assert kinds(broken).count("sla_warning") == 1
    assert kinds(fine).count("sla_warning") == 1
    statuses = db.session.scalars(select(SlaAlert.status)).all()
    assert statuses == [SlaAlertStatus.DONE, SlaAlertStatus.DONE]


def test_paused_and_answered_clocks_do_not_fire(teams):
    ticket = new_ticket(score={}, customer_locale="en", answers={})
    change_priority(ticket, "urgent", teams["anna"])
    ticket.first_response_at = ticket.created_at + timedelta(minutes=5)
    ticket.sla_paused_since = ticket.created_at + timedelta(minutes=5)
    db.session.commit()
    assert sla_clock.sweep(ticket.created_at + timedelta(days=2)) == []


def test_a_deadline_missed_just_before_the_wait_still_fires_its_breach(teams, run_jobs):
    """The sweep runs each minute and skips paused clocks: a ticket that went to wait on the
    customer a few seconds after its deadline passed, before the sweep got there, fired no
    breach (no notice, no escalation) until the clock ran again, perhaps never."""
    late = new_ticket(score={}, customer_locale="en", answers={})
    in_time = new_ticket(score={}, customer_locale="en", answers={})
    for ticket in (late, in_time):
        change_priority(ticket, "urgent", teams["anna"])  # 24/7: 30 minutes to a first reply
    db.session.commit()
    due = late.first_response_due_at
    assert sla_clock.sweep(due - timedelta(seconds=20)) != []  # the warnings, before the miss
    for ticket, paused_at in ((late, due + timedelta(seconds=10)), (in_time, due)):
        sla_clock.on_state_change(ticket, ticket.state, "waiting_on_customer", paused_at)
        ticket.state = "waiting_on_customer"
    in_time.first_response_due_at = due + timedelta(seconds=1)  # paused just before its deadline
    db.session.commit()
    fired = sla_clock.sweep(due + timedelta(seconds=40))
    assert [(a.ticket_id, a.metric, a.kind) for a in fired] == [
        (late.id, "first_response", "breach")
    ]
    run_jobs()
    assert kinds(late).count("sla_breach") == 1 and "sla_breach" not in kinds(in_time)
    assert sla_clock.sweep(due + timedelta(days=3)) == []  # once; the paused one owes nothing


def test_tickets_keep_the_version_they_were_created_under(teams):
    old = new_ticket()
    text = (
        SHIPPED[WorkflowKind.TICKET]
        .read_text()
        .replace("label: {en: Resolved,", "label: {en: Done,")
    )
    v2 = publish_version(WorkflowKind.TICKET, text, teams["anna"], comment="rename")
    db.session.commit()
    new = new_ticket()
    assert (old.workflow_version.number, new.workflow_version.number) == (1, 2)
    assert active_version().id == v2.id
    assert (
        machine_for(old.workflow_version_id).definition.states["resolved"].label("en") == "Resolved"
    )
    assert machine_for(new.workflow_version_id).definition.states["resolved"].label("en") == "Done"
    assert machine_for(new.workflow_version_id) is machine_for(v2.id)  # cached, built once


def test_publish_refuses_unknown_teams_and_invalid_definitions(teams):
    text = (
        SHIPPED[WorkflowKind.TICKET]
        .read_text()
        .replace("team: customer-care", "team: support-heroes")
    )
    with pytest.raises(PublishRefused, match="unknown team 'support-heroes'"):
        publish_version(WorkflowKind.TICKET, text, None)
    with pytest.raises(PublishRefused, match="unknown state 'nowhere'"):
        publish_version(
            WorkflowKind.TICKET,
            text.replace("dest: closed", "dest: nowhere"),
            None,
            check_teams=False,
        )


def test_available_triggers_for_the_ui(teams):
    ticket = new_ticket()
    options = {o.trigger: o for o in available_triggers(ticket, teams["boris"])}
    assert not options["start"].allowed
    assert {o.trigger for o in available_triggers(ticket, teams["anna"]) if o.allowed} == {
        "start",
        "resolve",
    }
    # Loopdesk itself only resolves (a state timer: no reply from the customer for 7 days).
    assert {o.trigger for o in available_triggers(ticket, SYSTEM) if o.allowed} == {"resolve"}


def test_tasks_follow_the_task_workflow(teams):
    ticket = new_ticket()
    anna, boris = teams["anna"], teams["boris"]
    first = create_task(ticket, "Call the customer", boris, anna)
    second = create_task(ticket, "Check the payment logs", teams["maja"], anna)
    db.session.commit()
    assert (first.state, second.state) == ("assigned", "assigned")
    with pytest.raises(MoveRefused):
        fire_task(first, "accept", anna)  # only Boris may accept his task
    fire_task(first, "accept", boris)
    fire_task(first, "mark_ready", boris)
    fire_task(first, "complete", anna)
    fire_task(second, "decline", teams["maja"])
    db.session.commit()
    assert (first.state, second.state) == ("completed", "declined")
    assert kinds(ticket).count("task_transition") == 4
