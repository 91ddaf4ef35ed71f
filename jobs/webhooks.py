"""POST one webhook delivery, signed; safe to run twice (a delivered row is never sent again)."""

from __future__ import annotations

import functools
import http.client
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app

from jobs.context import in_app_context
from jobs.queue import max_attempts
from jobs.schedule import parse_now
from webapp.extensions import db
from webapp.models import DeliveryStatus, WebhookDelivery, utcnow
from webapp.services import webhooks
from webapp.services.webhooks import is_local_address

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


class LocalAddressRefused(ConnectionRefusedError):
    """The webhook's host is this machine or its private network (SSRF): not called."""

    def __init__(self, address: str):
        super().__init__(
            f"{address} is a loopback, private or link-local address; webhooks call only"
            " public addresses unless LOOPDESK_WEBHOOK_LOCAL_NETWORK is set"
        )


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body`; returns (status code, error text for a non-2xx answer). Never follows
    redirects and speaks only http(s), whatever the stored URL says. Unless the config
    allows the local network, a host that is or resolves to a local address is refused."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("only http and https URLs are called")
    public_only = not current_app.config.get("WEBHOOK_LOCAL_NETWORK")
    if public_only:
        _refuse_local_host(parts.hostname or "", parts.port)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    opener = _opener(parts.hostname if public_only else None)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as answer:  # a non-2xx answer (3xx included: not followed)
        with answer:
            text = answer.read(_ERROR_BODY * 4).decode("utf-8", "replace")[:_ERROR_BODY]
        return answer.code, f"HTTP {answer.code} {answer.reason}: {' '.join(text.split())}"


def _refuse_local_host(host: str, port: int | None) -> None:
    try:
        found = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return  # unresolvable: the request fails by itself, with the resolver's words
    for *_, sockaddr in found:
        if is_local_address(sockaddr[0]):
            raise LocalAddressRefused(sockaddr[0])


class _CheckedPeer:
    """Checks the address actually connected to, after DNS resolved the host once more (a
    name that answered with a public address for the check may answer with a local one now).
    Only for a direct connection to the webhook's host; through a proxy the host was checked
    before and the proxy connects."""

    def __init__(self, *args, target: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._target = target

    def connect(self) -> None:
        super().connect()
        if self._target is not None and self.host.lower() == self._target:
            address = self.sock.getpeername()[0]
            if is_local_address(address):
                self.close()
                raise LocalAddressRefused(address)


class _CheckedHTTPConnection(_CheckedPeer, http.client.HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedPeer, http.client.HTTPSConnection):
    pass


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, target: str | None):
        super().__init__()
        self._target = target

    def http_open(self, req):
        return self.do_open(functools.partial(_CheckedHTTPConnection, target=self._target), req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, target: str | None):
        super().__init__()
        self._target = target

    def https_open(self, req):
        connection = functools.partial(_CheckedHTTPSConnection, target=self._target)
        return self.do_open(connection, req, context=self._context)


def _opener(public_only_host: str | None = None) -> urllib.request.OpenerDirector:
    """http(s) only (no file:, ftp:, data:) and no redirect handling; with a host given,
    a direct connection to it that reaches a local address is closed before sending."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _CheckedHTTPHandler(public_only_host),
        _CheckedHTTPSHandler(public_only_host),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


@in_app_context
def relay_pending_deliveries(now: str | None = None) -> int:
    """Hand over deliveries a Redis outage or a crash left behind, and retries that are due."""
    return webhooks.relay_pending_deliveries(parse_now(now))
