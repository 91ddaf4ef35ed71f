"""The delivery log says when a waiting delivery is tried next, and 'Retry now' sends it once."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from tests.helpers import require_redis, text_of
from tests.integration.test_webhooks import _deliver_everything, _deliveries, _webhook
from webapp.extensions import db
from webapp.models import AuditEntry, Role


@pytest.fixture
def app_config() -> dict:
    # A failed attempt waits ten minutes; the receiver listens on 127.0.0.1.
    return {"JOB_RETRY_INTERVALS": [600, 3600], "WEBHOOK_LOCAL_NETWORK": True}


def _text(response) -> str:
    return html.unescape(text_of(response))


def _failing_ping(app, client, post_form, hook, receiver, run_jobs):
    """A test ping the receiver refuses once: it then waits for its next attempt."""
    receiver.answers = [503]
    assert post_form(f"/admin/webhooks/{hook.id}/ping").status_code == 303
    run_jobs()
    (ping,) = _deliveries()
    assert (ping.status, ping.attempts) == ("retrying", 1)
    return ping


def test_a_waiting_delivery_says_when_it_is_tried_next_in_the_admins_zone_and_language(
    app, client, login, post_form, create_user, receiver, run_jobs
):
    admin = create_user(
        email="szef@example.com", name="Szef", role=Role.ADMIN, locale="pl", timezone="Asia/Tokyo"
    )
    hook = _webhook(receiver.url, ["ticket.created"])
    login(admin)
    ping = _failing_ping(app, client, post_form, hook, receiver, run_jobs)

    text = _text(client.get(f"/admin/webhooks/{hook.id}/deliveries"))

    due = format_datetime(
        ping.attempted_at + timedelta(minutes=10),
        "short",
        tzinfo=ZoneInfo("Asia/Tokyo"),
        locale="pl",
    )
    assert f"Następna próba {due}" in text
    assert "Ponów teraz" in text


def test_retry_now_sends_a_waiting_delivery_at_once_and_says_so_in_a_toast(
    app, client, login, post_form, admin, receiver, run_jobs
):
    hook = _webhook(receiver.url, ["ticket.created"])
    login(admin)
    ping = _failing_ping(app, client, post_form, hook, receiver, run_jobs)
    assert "Next attempt at" in _text(client.get(f"/admin/webhooks/{hook.id}/deliveries"))

    response = post_form(f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry", htmx=True)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith(f'<tr id="delivery-{ping.id}"')  # only the row is swapped
    assert "The delivery was queued again; its result appears in the log." in _text(response)
    run_jobs()
    (ping,) = _deliveries()
    assert (ping.status, ping.attempts, ping.response_code) == ("delivered", 2, 200)
    assert [r["answered"] for r in receiver.requests] == [503, 200]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "webhook.delivery_retried")
    )
    assert entry.before == {"status": "retrying", "attempts": 1}
    log = _text(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    assert "Delivered" in log and "Next attempt" not in log and "Retry now" not in log


def test_a_given_up_delivery_retried_twice_quickly_is_sent_once_through_a_real_rq_worker(
    app, client, login, post_form, admin, receiver, run_jobs
):
    require_redis()
    app.config["JOB_RETRY_INTERVALS"] = [0]
    hook = _webhook(receiver.url, ["ticket.created"])
    receiver.answers = [503, 503]
    login(admin)
    post_form(f"/admin/webhooks/{hook.id}/ping")
    run_jobs()
    (ping,) = _deliveries()
    assert ping.status == "failed"
    assert "Retry now" in _text(client.get(f"/admin/webhooks/{hook.id}/deliveries"))

    first = post_form(f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry", htmx=True)
    second = post_form(f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry", htmx=True)

    assert "Queued" in _text(first)
    assert "This delivery is already queued, being sent or delivered." in _text(second)
    run_jobs()
    (ping,) = _deliveries()
    assert (ping.status, ping.response_code) == ("delivered", 200)
    assert [r["answered"] for r in receiver.requests] == [503, 503, 200]


def test_retrying_twice_without_javascript_sends_once(
    app, client, login, post_form, admin, receiver, run_jobs
):
    hook = _webhook(receiver.url, ["ticket.created"])
    login(admin)
    ping = _failing_ping(app, client, post_form, hook, receiver, run_jobs)
    url = f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry"

    first, second = post_form(url), post_form(url)

    assert first.status_code == second.status_code == 303
    _deliver_everything(app, run_jobs)
    assert [r["answered"] for r in receiver.requests] == [503, 200]
    log = _text(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    assert "This delivery is already queued, being sent or delivered." in log


def test_a_switched_off_webhook_offers_no_retry_and_refuses_one(
    app, client, login, post_form, admin, receiver, run_jobs
):
    hook = _webhook(receiver.url, ["ticket.created"])
    login(admin)
    ping = _failing_ping(app, client, post_form, hook, receiver, run_jobs)
    hook.active = False
    db.session.commit()
    assert "Retry now" not in _text(client.get(f"/admin/webhooks/{hook.id}/deliveries"))
    response = post_form(f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry", htmx=True)
    assert "Switch the webhook on before sending a delivery again." in _text(response)
    (ping,) = _deliveries()
    assert ping.status == "retrying" and len(receiver.requests) == 1


def test_only_admins_retry_and_only_with_the_csrf_token(
    app, client, login, post_form, admin, agent, receiver, run_jobs
):
    hook = _webhook(receiver.url, ["ticket.created"])
    login(admin)
    ping = _failing_ping(app, client, post_form, hook, receiver, run_jobs)
    url = f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry"
    assert client.post(url).status_code == 400
    assert post_form(f"/admin/webhooks/{hook.id + 1}/deliveries/{ping.id}/retry").status_code == 404
    post_form("/logout")
    login(agent)
    assert post_form(url).status_code == 403
    (ping,) = _deliveries()
    assert ping.status == "retrying" and len(receiver.requests) == 1


def test_retrying_a_given_up_delivery_gives_it_a_fresh_set_of_automatic_retries(
    app, client, login, post_form, admin, receiver, run_jobs
):
    """The receiver was fixed but hiccups once more: the delivery is retried again
    automatically, instead of giving up after that single failure."""
    app.config["JOB_RETRY_INTERVALS"] = [0]  # two attempts in a series
    hook = _webhook(receiver.url, ["ticket.created"])
    receiver.answers = [503, 503]
    login(admin)
    post_form(f"/admin/webhooks/{hook.id}/ping")
    _deliver_everything(app, run_jobs)
    (ping,) = _deliveries()
    assert (ping.status, ping.attempts) == ("failed", 2)

    receiver.answers = [503]  # one more hiccup after the admin's retry
    response = post_form(f"/admin/webhooks/{hook.id}/deliveries/{ping.id}/retry", htmx=True)
    assert "queued again, with a fresh set of automatic retries" in _text(response)
    _deliver_everything(app, run_jobs)

    (ping,) = _deliveries()
    assert (ping.status, ping.attempts, ping.response_code) == ("delivered", 2, 200)
    assert [r["answered"] for r in receiver.requests] == [503, 503, 503, 200]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "webhook.delivery_retried")
    )
    assert entry.before == {"status": "failed", "attempts": 2}
    assert entry.after == {"status": "pending", "attempts": 0}
