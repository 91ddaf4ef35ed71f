"""Webhooks reach a real local HTTP receiver, signed, retried, logged and switched off."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from tests.helpers import csrf_token, make_ticket, require_redis, text_of
from webapp.extensions import db
from webapp.models import (
    DeliveryStatus,
    OutboxMessage,
    Role,
    Team,
    Webhook,
    WebhookDelivery,
    WorkflowKind,
    utcnow,
)
from webapp.services import webhooks
from webapp.services.tickets import add_label, assign_to, move_to_team
from webapp.services.workflow_versions import SHIPPED, publish_version


@pytest.fixture
def app_config(request) -> dict:
    config = {"JOB_RETRY_INTERVALS": [0, 0, 0]}  # RQ retries at once, in the same burst
    config["WEBHOOK_LOCAL_NETWORK"] = True  # the receiver listens on 127.0.0.1
    if "smtp_server" in request.fixturenames:
        config.update(request.getfixturevalue("smtp_config"))
    return config


def _webhook(url: str, events: list[str], **fields) -> Webhook:
    hook = webhooks.create_webhook(fields.pop("name", "CRM"), url, events, None)
    for key, value in fields.items():
        setattr(hook, key, value)
    db.session.commit()
    return hook


def _deliver_everything(app, run_jobs) -> None:
    """What the workers and the periodic relay do over time, run to the end now."""
    from jobs.webhooks import relay_pending_deliveries

    if app.config.get("REDIS_URL"):
        run_jobs()
        return
    later = (utcnow() + timedelta(days=1)).isoformat()
    for _ in range(10):
        if not relay_pending_deliveries(later):
            return


def _deliveries(**where) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    for key, value in where.items():
        query = query.where(getattr(WebhookDelivery, key) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def _signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _publish_automations(*rules: dict) -> None:
    data = yaml.safe_load(SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8"))
    data["automations"] = [*(data.get("automations") or []), *rules]
    publish_version(WorkflowKind.TICKET, yaml.safe_dump(data), None, check_teams=False)
    db.session.commit()


# -- delivery --------------------------------------------------------------------------------


def test_a_new_ticket_is_posted_signed_to_the_receiver(app, receiver, run_jobs):
    hook = _webhook(receiver.url, ["ticket.created"])
    ticket = make_ticket(subject="Checkout breaks")
    run_jobs()

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Loopdesk-Webhooks"
    assert headers["X-Loopdesk-Event"] == "ticket.created"
    payload = json.loads(body)
    assert headers["X-Loopdesk-Delivery"] == f"{payload['id']}:{hook.id}"
    # The receiver checks the HMAC of the raw body with its copy of the secret.
    assert hmac.compare_digest(headers["X-Loopdesk-Signature"], _signature(hook.secret, body))
    assert headers["X-Loopdesk-Signature"] != _signature("not-the-secret", body)
    assert headers["X-Loopdesk-Signature"] != _signature(hook.secret, body + b" ")
    assert payload["event"] == "ticket.created"
    assert payload["ticket"]["number"] == ticket.number
    assert payload["ticket"]["subject"] == "Checkout breaks"
    assert payload["ticket"]["customer_locale"] == "pl"
    assert payload["ticket"]["url"] == f"http://loopdesk.test/tickets/{ticket.number}"
    assert "detractor" in payload["ticket"]["labels"]  # routing's label is part of the ticket
    assert "jan@example.pl" not in body.decode()  # no customer address leaves for integrations

    (delivery,) = _deliveries()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)
    assert delivery.delivered_at is not None


def test_a_label_added_is_posted_once_and_a_repeated_label_is_not(app, receiver, run_jobs, agent):
    _webhook(receiver.url, ["label.added"])
    ticket = make_ticket()
    assert _deliveries() == []  # not subscribed to ticket.created
    add_label(ticket, "VIP customer", agent)
    db.session.commit()
    assert add_label(ticket, "vip customer", agent) is None  # already there: no event
    db.session.commit()
    run_jobs()

    (payload,) = receiver.payloads()
    assert payload["event"] == "label.added"
    assert payload["data"] == {"label": "VIP customer"}
    assert "VIP customer" in payload["ticket"]["labels"]


def test_ticket_events_from_the_services_reach_subscribed_webhooks(
    app, receiver, run_jobs, agent, create_user
):
    from webapp.services import sla_clock
    from webapp.services.notes import add_note
    from webapp.services.replies import send_public_reply

    _webhook(receiver.url, ["ticket.assigned", "note.added", "reply.sent", "sla.breached"])
    ticket = make_ticket()
    colleague = create_user(email="ola@example.com", name="Ola")
    assign_to(ticket, colleague, agent)
    db.session.commit()
    team = Team(slug="billing", name="Billing")
    db.session.add(team)
    move_to_team(ticket, team, agent)
    db.session.commit()
    add_note(ticket, "Customer called twice", agent)
    db.session.commit()
    send_public_reply(ticket, "We are on it", agent)
    db.session.commit()
    sla_clock.sweep(utcnow() + timedelta(days=30))
    run_jobs()

    by_event = {}
    for payload in receiver.payloads():
        by_event.setdefault(payload["event"], []).append(payload["data"])
    assert by_event["ticket.assigned"] == [
        {"assignee": "Ola", "previous_assignee": None},
        {"team": "billing", "previous_team": None},
    ]
    assert by_event["note.added"] == [{"author": "Ada Agent", "text": "Customer called twice"}]
    assert by_event["reply.sent"] == [
        {"author": "Ada Agent", "text": "We are on it", "emailed": True}
    ]
    assert by_event["sla.breached"] == [{"metric": "resolution"}]
    json.dumps(receiver.payloads())  # everything JSON-safe


def test_a_receiver_failing_twice_is_retried_by_rq_and_gets_the_event_once(app, receiver, run_jobs):
    require_redis()
    receiver.answers = [500, 500]
    _webhook(receiver.url, ["ticket.created"])
    make_ticket()
    run_jobs()  # attempt, retry, retry: RQ's Retry re-enqueues each failure

    assert [r["answered"] for r in receiver.requests] == [500, 500, 200]
    assert len({r["headers"]["X-Loopdesk-Delivery"] for r in receiver.requests}) == 1
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)

    from jobs.webhooks import relay_pending_deliveries

    assert relay_pending_deliveries((utcnow() + timedelta(days=1)).isoformat()) == 0
    run_jobs()
    assert len(receiver.delivered()) == 1


def test_without_redis_failures_are_recorded_and_the_relay_retries_after_the_back_off(
    app, receiver
):
    from jobs.webhooks import relay_pending_deliveries

    app.config["REDIS_URL"] = None  # in-process jobs, as in `make run`
    app.config["JOB_RETRY_INTERVALS"] = [10, 60]
    receiver.answers = [500, 502]
    _webhook(receiver.url, ["ticket.created"])
    make_ticket()  # the commit hands the delivery over: the first attempt runs now

    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
    assert "HTTP 500" in delivery.last_error and "receiver is sad" in delivery.last_error
    start = delivery.attempted_at
    assert relay_pending_deliveries((start + timedelta(seconds=5)).isoformat()) == 0  # not due
    assert relay_pending_deliveries((start + timedelta(seconds=11)).isoformat()) == 1
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 2, 502)
    later = delivery.attempted_at + timedelta(seconds=61)
    assert relay_pending_deliveries(later.isoformat()) == 1
    assert relay_pending_deliveries(later.isoformat()) == 0
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)
    assert delivery.last_error is None
    assert [r["answered"] for r in receiver.requests] == [500, 502, 200]


def test_deliveries_made_while_redis_is_down_go_out_once_it_is_back(app, receiver, run_jobs):
    from jobs.webhooks import relay_pending_deliveries

    redis_url = require_redis()
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # Redis "stopped": nothing listens
    app.extensions.pop("loopdesk_redis", None)
    _webhook(receiver.url, ["ticket.created"])
    make_ticket()
    assert [d.status for d in _deliveries()] == ["pending"]  # kept, not lost

    app.config["REDIS_URL"] = redis_url
    app.extensions.pop("loopdesk_redis", None)
    assert relay_pending_deliveries() == 1
    assert relay_pending_deliveries() == 0
    run_jobs()
    assert len(receiver.requests) == 1
    assert [d.status for d in _deliveries()] == ["delivered"]


def test_a_delivery_is_never_posted_twice(app, receiver, run_jobs):
    from jobs.webhooks import deliver_webhook

    _webhook(receiver.url, ["ticket.created"])
    make_ticket()
    run_jobs()
    (delivery,) = _deliveries()
    assert deliver_webhook(delivery.id) == "skipped"
    assert len(receiver.requests) == 1


def test_five_failed_deliveries_in_a_row_switch_the_webhook_off_and_tell_the_admins(
    app, receiver, run_jobs, smtp_server, create_user, admin
):
    app.config["JOB_RETRY_INTERVALS"] = [0]  # two attempts per delivery
    polish = create_user(email="ola@example.pl", name="Ola", role=Role.ADMIN, locale="pl")
    create_user(email="gone@example.com", name="Gone", role=Role.ADMIN, active=False)
    create_user(email="agent@example.com", name="Ada Agent")
    hook = _webhook(receiver.url, ["ticket.created"])
    receiver.answers = [500] * 8 + [200]
    for _ in range(4):
        make_ticket()
    _deliver_everything(app, run_jobs)
    db.session.refresh(hook)
    assert (hook.active, hook.consecutive_failures) == (True, 4)
    assert [d.status for d in _deliveries()] == ["failed"] * 4

    make_ticket()  # a success in between starts the count again
    _deliver_everything(app, run_jobs)
    db.session.refresh(hook)
    assert hook.consecutive_failures == 0

    receiver.answers = [500] * 10
    for _ in range(5):
        make_ticket()
    _deliver_everything(app, run_jobs)
    run_jobs()  # the notices to the admins
    db.session.refresh(hook)
    assert hook.active is False
    assert hook.consecutive_failures == 5
    assert "HTTP 500" in hook.disabled_reason
    notices = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "webhook_disabled")
        )
    )
    assert sorted(m.to_address for m in notices) == [admin.email, polish.email]  # active admins
    assert {m.to_address: m.locale for m in notices}[polish.email] == "pl"
    assert {m.status for m in notices} == {"sent"}
    (received,) = [
        m for m in smtp_server.messages if m["To"] == admin.email and "CRM" in m["Subject"]
    ]
    body = received.get_body(("plain",)).get_content()
    assert receiver.url in body and "HTTP 500" in body and "/admin/webhooks/" in body
    assert "after 5 deliveries in a row failed" in body

    posts = len(receiver.requests)
    make_ticket()  # a switched-off webhook gets nothing
    _deliver_everything(app, run_jobs)
    assert len(receiver.requests) == posts


# -- automations -----------------------------------------------------------------------------


def test_an_automation_adding_a_label_on_label_added_terminates(app, receiver, run_jobs, agent):
    _publish_automations(
        {"name": "Every label escalates", "on": "label.added", "do": [{"add_label": "escalated"}]}
    )
    _webhook(receiver.url, ["label.added"])
    ticket = make_ticket()
    add_label(ticket, "bug", agent)
    db.session.commit()
    run_jobs()

    labels = [label.name for label in ticket.labels]
    assert labels.count("escalated") == 1 and "bug" in labels
    assert sorted(p["data"]["label"] for p in receiver.payloads()) == ["bug", "escalated"]


def test_automations_that_answer_each_other_are_cut_off(app, agent):
    _publish_automations(
        {
            "on": "ticket.assigned",
            "when": {"field": "team", "op": "=", "value": "a"},
            "do": [{"assign_team": "b"}],
        },
        {
            "on": "ticket.assigned",
            "when": {"field": "team", "op": "=", "value": "b"},
            "do": [{"assign_team": "a"}],
        },
    )
    team_a, team_b = Team(slug="a", name="A"), Team(slug="b", name="B")
    db.session.add_all([team_a, team_b])
    ticket = make_ticket()
    move_to_team(ticket, team_a, agent)  # would bounce between a and b forever
    db.session.commit()
    assert ticket.team.slug in ("a", "b")


def test_the_workflow_webhook_action_sends_a_custom_event(app, receiver, run_jobs, agent):
    _publish_automations(
        {
            "on": "label.added",
            "when": {"field": "event.label", "op": "=", "value": "urgent"},
            "do": [{"webhook": "escalated"}, "webhook"],
        }
    )
    _webhook(receiver.url, ["workflow.escalated"], name="Chat")
    _webhook(receiver.url, ["workflow.action"], name="Tracker")
    ticket = make_ticket()
    add_label(ticket, "urgent", agent)
    db.session.commit()
    run_jobs()

    assert sorted(r["headers"]["X-Loopdesk-Event"] for r in receiver.requests) == [
        "workflow.action",
        "workflow.escalated",
    ]
    assert receiver.payloads()[0]["ticket"]["number"] == ticket.number


def test_a_webhook_action_with_a_bad_event_name_is_refused_when_the_workflow_is_checked():
    from workflow.definition import load_definition

    data = yaml.safe_load(SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8"))
    data["automations"] = [{"on": "label.added", "do": [{"webhook": "Not a name!"}]}]
    result = load_definition(yaml.safe_dump(data))
    assert not result.ok
    assert any("webhook" in str(problem) for problem in result.problems)


# -- admin pages -----------------------------------------------------------------------------


def _post(app, client, url: str, data: dict | None = None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(app, client)})


def test_admins_create_edit_rotate_and_delete_webhooks(app, client, login, admin):
    login(admin)
    assert "No webhooks yet" in text_of(client.get("/admin/webhooks"))
    form = {
        "name": "Issue tracker",
        "url": "https://tracker.example.com/hooks/loopdesk",
        "events": ["ticket.created", "label.added"],
        "custom_events": "escalated\nworkflow.vip",
    }
    created = _post(app, client, "/admin/webhooks", form)
    hook = db.session.scalar(select(Webhook))
    assert created.status_code == 303
    assert created.headers["Location"] == f"/admin/webhooks/{hook.id}/secret"
    assert hook.events == ["ticket.created", "label.added", "workflow.escalated", "workflow.vip"]
    shown = client.get(created.headers["Location"])
    assert shown.headers["Cache-Control"] == "no-store"
    assert hook.secret in shown.get_data(as_text=True)  # shown once…
    assert "The webhook “Issue tracker” was created." in text_of(shown)
    edit_page = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert hook.secret not in edit_page  # …and never again
    assert "workflow.escalated" in edit_page

    listing = text_of(client.get("/admin/webhooks"))
    assert "Issue tracker" in listing and "tracker.example.com" in listing

    old_secret = hook.secret
    rotated = _post(app, client, f"/admin/webhooks/{hook.id}/secret")
    assert rotated.status_code == 303
    db.session.refresh(hook)
    assert hook.secret != old_secret
    assert hook.secret in client.get(rotated.headers["Location"]).get_data(as_text=True)

    saved = _post(app, client, f"/admin/webhooks/{hook.id}", {**form, "name": "Tracker"})
    assert saved.status_code == 303
    db.session.refresh(hook)
    assert hook.name == "Tracker"

    kept = _post(app, client, f"/admin/webhooks/{hook.id}/delete")  # not confirmed
    assert kept.status_code == 303
    assert db.session.get(Webhook, hook.id) is not None
    _post(app, client, f"/admin/webhooks/{hook.id}/delete", {"confirm": "yes"})
    db.session.expire_all()
    assert db.session.scalar(select(Webhook)) is None


BAD_INPUT = [
    {"url": "ftp://files.example.com/in"},
    {"url": "javascript:alert(1)"},
    {"url": "https://"},
    {"url": "http://example.com:99999999/"},
    {"url": "https://example.com/" + "a" * 5000},
    {"url": "https://exa\x00mple.com/in"},
    {"name": "\x00\x01"},
    {"events": ["ticket.exploded"]},
    {"events": [], "custom_events": ""},
    {"custom_events": "Not a name!"},
    {"custom_events": "x" * 100_000},
    {"name": ""},
    {"name": "n" * 100_000},
]


def test_reloading_the_page_with_a_new_secret_neither_makes_a_webhook_again_nor_shows_it(
    app, client, login, create_user
):
    polish = create_user(email="ola@example.pl", name="Ola", role=Role.ADMIN, locale="pl")
    login(polish)
    form = {"name": "CRM", "url": "https://crm.example.com/in", "events": ["ticket.created"]}
    created = client.post(
        "/admin/webhooks",
        data={**form, "csrf_token": csrf_token(app, client)},
        follow_redirects=True,
    )
    hook = db.session.scalars(select(Webhook)).one()
    assert hook.secret in created.get_data(as_text=True)
    secret_page = created.request.path
    assert secret_page == f"/admin/webhooks/{hook.id}/secret"

    reloaded = client.get(secret_page, follow_redirects=True)  # what a reload sends: a GET
    assert reloaded.request.path == f"/admin/webhooks/{hook.id}"
    assert hook.secret not in reloaded.get_data(as_text=True)
    assert (
        "Sekret webhooka jest pokazywany tylko raz, gdy powstaje. Jeśli nie został skopiowany, "
        "wygeneruj nowy sekret." in text_of(reloaded)
    )
    db.session.expire_all()
    assert db.session.scalars(select(Webhook)).all() == [hook]

    other = webhooks.create_webhook("Chat", "https://chat.example.com/in", ["note.added"], None)
    db.session.commit()
    _post(app, client, f"/admin/webhooks/{hook.id}/secret")  # a new secret for the first one…
    elsewhere = client.get(f"/admin/webhooks/{other.id}/secret", follow_redirects=True)
    assert other.secret not in elsewhere.get_data(as_text=True)  # …shows no other's secret


def test_bad_webhook_input_is_refused_without_a_server_error(app, client, login, admin):
    login(admin)
    hook = _webhook("https://crm.example.com/in", ["ticket.created"])
    form = {"name": "CRM", "url": "https://crm.example.com/in", "events": ["ticket.created"]}
    for change in BAD_INPUT:
        created = _post(app, client, "/admin/webhooks", {**form, **change})
        edited = _post(app, client, f"/admin/webhooks/{hook.id}", {**form, **change})
        assert (created.status_code, edited.status_code) == (422, 422), change
    db.session.expire_all()
    assert [(h.url, h.events) for h in db.session.scalars(select(Webhook))] == [
        ("https://crm.example.com/in", ["ticket.created"])
    ]
    for path in ("/admin/webhooks/abc", "/admin/webhooks/999999", "/admin/webhooks/0/deliveries"):
        assert client.get(path).status_code == 404


def test_agents_cannot_see_or_change_webhooks(app, client, login, agent, receiver):
    hook = _webhook(receiver.url, ["ticket.created"])
    login(agent)
    assert client.get("/admin/webhooks").status_code == 403
    assert client.get(f"/admin/webhooks/{hook.id}/deliveries").status_code == 403
    assert _post(app, client, "/admin/webhooks", {"name": "x"}).status_code == 403
    assert (
        _post(app, client, f"/admin/webhooks/{hook.id}/delete", {"confirm": "yes"}).status_code
        == 403
    )
    assert _post(app, client, f"/admin/webhooks/{hook.id}/ping").status_code == 403
    assert receiver.requests == []


def test_changes_need_the_csrf_token(app, client, login, admin, receiver):
    hook = _webhook(receiver.url, ["ticket.created"])
    login(admin)
    response = client.post(f"/admin/webhooks/{hook.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 400
    assert db.session.get(Webhook, hook.id) is not None


def test_the_delivery_log_shows_response_codes_and_retries_failed_ones(
    app, client, login, admin, receiver, run_jobs
):
    app.config["JOB_RETRY_INTERVALS"] = [0]
    hook = _webhook(receiver.url, ["ticket.created"])
    receiver.answers = [503, 503]
    login(admin)
    assert _post(app, client, f"/admin/webhooks/{hook.id}/ping").status_code == 303
    _deliver_everything(app, run_jobs)
    (ping,) = _deliveries()
    assert (ping.event, ping.status, ping.response_code) == ("ping", "failed", 503)
    assert receiver.payloads()[0]["data"] == {"webhook": {"id": hook.id, "name": "CRM"}}

    log = text_of(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    assert "ping" in log and "503" in log and "Failed" in log and "Retry now" in log

    retried = _post(app, client, f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry")
    assert retried.status_code == 303
    run_jobs()
    (ping,) = _deliveries()
    assert (ping.status, ping.response_code) == ("delivered", 200)
    log = text_of(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    assert "200" in log and "Delivered" in log
    listing = text_of(client.get("/admin/webhooks"))
    assert "Delivered" in listing


def test_the_delivery_log_says_what_a_connection_error_means(app, client, login, admin, run_jobs):
    """Python's "URLError: <urlopen error [Errno 111] Connection refused>" gets words."""
    app.config["JOB_RETRY_INTERVALS"] = [0]
    hook = _webhook("http://127.0.0.1:9/hook", ["ticket.created"])  # nothing listens there
    login(admin)
    assert _post(app, client, f"/admin/webhooks/{hook.id}/ping").status_code == 303
    _deliver_everything(app, run_jobs)
    (ping,) = _deliveries()
    assert "Connection refused" in ping.last_error
    log = text_of(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    assert "The receiver refused the connection: nothing answers at this address." in log
    assert "Connection refused" in log  # the technical text stays, smaller, for whoever debugs


def test_the_delivery_log_is_newest_first_paged_and_costs_the_same_for_more_rows(
    app, client, login, admin, receiver, count_queries
):
    hook = _webhook(receiver.url, ["ticket.created"])
    other = _webhook(receiver.url, ["ticket.created"], name="Other", active=False)

    def add(n: int) -> None:
        for i in range(n):
            db.session.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    delivery_key=f"k{i}-{utcnow().timestamp()}",
                    event="ticket.created",
                    payload={"n": i},
                    status=DeliveryStatus.FAILED,
                    attempts=2,
                    response_code=1000 + i,
                )
            )
        db.session.commit()

    login(admin)
    add(3)
    with count_queries() as few:
        client.get(f"/admin/webhooks/{hook.id}/deliveries")
        client.get("/admin/webhooks")
    add(120)
    with count_queries() as many:
        page = client.get(f"/admin/webhooks/{hook.id}/deliveries")
        client.get("/admin/webhooks")
    assert len(many) == len(few)
    html = page.get_data(as_text=True)
    assert html.count('<tr id="delivery-') == 50  # one page of 50
    assert "page=2" in html
    # Newest first (response codes, not ids or times, which vary from run to run).
    assert "<code>1119</code>" in html and "<code>1070</code>" in html
    assert "<code>1069</code>" not in html
    second = client.get(f"/admin/webhooks/{hook.id}/deliveries?page=3").get_data(as_text=True)
    assert "<code>1000</code>" in second and "<code>1119</code>" not in second  # the oldest
    assert client.get(f"/admin/webhooks/{other.id}/deliveries").status_code == 200
    for page in ("0", "-3", "abc", "9" * 40):
        assert client.get(f"/admin/webhooks/{hook.id}/deliveries?page={page}").status_code == 200
    assert client.get("/admin/webhooks/999999/deliveries").status_code == 404


def test_a_disabled_webhook_is_switched_on_again_with_a_clean_count(app, client, login, admin):
    hook = _webhook("https://crm.example.com/in", ["ticket.created"])
    hook.consecutive_failures = 5
    webhooks.disable(hook, "HTTP 500 Internal Server Error")
    db.session.commit()
    login(admin)
    listing = text_of(client.get("/admin/webhooks"))
    assert "Disabled" in listing and "HTTP 500 Internal Server Error" in listing
    _post(app, client, f"/admin/webhooks/{hook.id}/enable")
    db.session.refresh(hook)
    assert (hook.active, hook.consecutive_failures, hook.disabled_reason) == (True, 0, None)
    assert db.session.scalar(select(OutboxMessage.template)) == "webhook_disabled"


def test_the_switched_off_mail_says_the_last_error_in_the_admins_language(
    app, smtp_server, run_jobs, create_user
):
    """The pages word Python's "URLError: <urlopen error [Errno 111] Connection refused>";
    the mail to a Polish admin quoted it as it was, in English."""
    create_user(email="ola@example.pl", name="Ola", role=Role.ADMIN, locale="pl")
    hook = _webhook("https://crm.example.com/in", ["ticket.created"])
    webhooks.disable(hook, "URLError: <urlopen error [Errno 111] Connection refused>")
    db.session.commit()
    run_jobs()
    [received] = [m for m in smtp_server.messages if m["To"] == "ola@example.pl"]
    body = received.get_body(("plain",)).get_content()
    assert "Ostatni błąd: Odbiorca odrzucił połączenie: pod tym adresem nic nie odpowiada." in body
    assert "urlopen" not in body


def test_the_delivery_log_says_in_words_why_a_local_address_was_not_called(
    app, client, login, admin, run_jobs
):
    """Loopdesk's own refusal of this machine's or a private network's address read only
    as an English technical line, in a Polish admin's log too."""
    app.config.update(JOB_RETRY_INTERVALS=[0], WEBHOOK_LOCAL_NETWORK=False)
    hook = _webhook("http://127.0.0.1:9/hook", ["ticket.created"])
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    assert _post(app, client, f"/admin/webhooks/{hook.id}/ping").status_code == 303
    _deliver_everything(app, run_jobs)
    (ping,) = _deliveries()
    assert "LocalAddressRefused" in ping.last_error
    log = text_of(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    assert "Nie wysłano: ten adres należy do tego serwera lub do sieci prywatnej" in log
    assert "LocalAddressRefused" in log  # the technical text stays, smaller


def test_why_a_webhook_is_off_is_said_in_the_admins_language(app, client, login, create_user):
    refused = _webhook("https://crm.example.com/in", ["ticket.created"], name="CRM")
    demo = _webhook("https://crm.example.com/demo", ["ticket.created"], name="Demo")
    teapot = _webhook("https://crm.example.com/tea", ["ticket.created"], name="Tea")
    for hook, reason in (
        (refused, "URLError: <urlopen error [Errno 111] Connection refused>"),
        (demo, webhooks.DEMO_OFF_REASON),
        (teapot, "HTTP 418 I'm a teapot: short and stout"),  # the receiver's own words
    ):
        webhooks.disable(hook, reason)
    db.session.commit()
    login(create_user(email="dima@example.com", name="Dima", role=Role.ADMIN, locale="ru"))
    listing = text_of(client.get("/admin/webhooks"))
    assert "Демо: укажите URL Вашей CRM, затем включите вебхук." in listing
    assert "Получатель отклонил соединение: по этому адресу никто не отвечает." in listing
    assert "Connection refused" not in listing and "Demo: point" not in listing
    assert "HTTP 418 I&#39;m a teapot: short and stout" in listing
    for hook in (refused, demo):
        page = text_of(client.get(f"/admin/webhooks/{hook.id}"))
        log = text_of(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
        assert "Connection refused" not in page + log and "Demo: point" not in page + log
