"""POST one webhook delivery, signed; safe to run twice (a delivered row is never sent again)."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from jobs.context import in_app_context
from jobs.queue import max_attempts
from jobs.schedule import parse_now
from webapp.extensions import db
from webapp.models import DeliveryStatus, WebhookDelivery, utcnow
from webapp.services import webhooks

TIMEOUT_SECONDS = 10
USER_AGENT = "Loopdesk-Webhooks"
_ERROR_BODY = 300  # characters of a refusing receiver's answer kept for the log


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; raised so that RQ retries with back-off."""


@in_app_context
def deliver_webhook(delivery_id: int) -> str:
    """POST delivery `delivery_id` to its webhook and record the outcome."""
    if not webhooks.HANDOVER.claim_for_work([delivery_id], webhooks.ATTEMPT_LEASE):
        return "skipped"
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its webhook was deleted meanwhile
        return "skipped"
    webhook = delivery.webhook
    if not webhook.active:  # switched off meanwhile: an admin may retry after re-enabling
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "webhook disabled"
        db.session.commit()
        return "skipped: webhook disabled"
    body = webhooks.body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Loopdesk-Event": delivery.event,
        "X-Loopdesk-Delivery": delivery.delivery_key,
        "X-Loopdesk-Signature": webhooks.sign(webhook.secret, body),
    }
    try:
        code, error = post(webhook.url, body, headers)
    except Exception as exc:  # refused, unreachable, timed out, bad TLS…
        code, error = None, f"{type(exc).__name__}: {exc}"
    delivery.response_code = code
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = utcnow()
        delivery.last_error = None
        webhooks.record_success(webhook)
        db.session.commit()
        return "delivered"
    delivery.last_error = error[:2000]
    if delivery.attempts < max_attempts():
        delivery.status = DeliveryStatus.RETRYING
    else:
        delivery.status = DeliveryStatus.FAILED
        failures = webhooks.record_final_failure(webhook)
        if failures >= webhooks.MAX_CONSECUTIVE_FAILURES:
            webhooks.disable(webhook, delivery.last_error)
    db.session.commit()
    raise DeliveryFailed(f"webhook delivery {delivery_id}: {delivery.last_error}")


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body`; returns (status code, error text for a non-2xx answer). Never follows
    redirects and speaks only http(s), whatever the stored URL says."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError("only http and https URLs are called")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as answer:  # a non-2xx answer (3xx included: not followed)
        with answer:
            text = answer.read(_ERROR_BODY * 4).decode("utf-8", "replace")[:_ERROR_BODY]
        return answer.code, f"HTTP {answer.code} {answer.reason}: {' '.join(text.split())}"


def _opener() -> urllib.request.OpenerDirector:
    """http(s) only (no file:, ftp:, data:) and no redirect handling."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


@in_app_context
def relay_pending_deliveries(now: str | None = None) -> int:
    """Hand over deliveries a Redis outage or a crash left behind, and retries that are due."""
    return webhooks.relay_pending_deliveries(parse_now(now))
