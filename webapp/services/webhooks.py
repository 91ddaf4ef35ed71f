"""Webhooks: signed JSON POSTs to integrations (CRM, issue trackers, chat).

An event published on a ticket (`services.events.publish`) adds one `WebhookDelivery` per
active webhook subscribed to it, in the caller's transaction; after the commit the rows go
to the job queue (`webapp.handover`), and `jobs.webhooks.deliver_webhook` POSTs them with
an HMAC-SHA256 signature, retrying with back-off. A webhook whose deliveries keep failing
is switched off and every admin is told.

Webhooks subscribe to the ticket events in `workflow.registry.EVENTS`, and to custom
events `workflow.<name>` that the workflow's `webhook` action sends.

The payload:
    {"event": "label.added", "id": "<event id>", "occurred_at": "<ISO 8601, UTC>",
     "ticket": {"number", "state", "priority", "team", "assignee", "customer_locale",
                "subject", "labels", "url"},
     "data": {<what the event carries, e.g. "label">}}
`team` is the team's slug, `assignee` {"name", "email"} (or null), `url` the staff link.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import defer

from webapp import handover
from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.handover import STALE_HANDOVER
from webapp.models import (
    DeliveryStatus,
    Role,
    Ticket,
    User,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from webapp.outbox import queue_email
from workflow.registry import CUSTOM_EVENT, EVENTS

PING = "ping"  # the test delivery an admin sends from the webhook's page
# Final failures in a row after which a webhook is switched off.
MAX_CONSECUTIVE_FAILURES = 5
# An attempt that has not finished within this time died with its worker (POSTs time out at 10 s).
ATTEMPT_LEASE = timedelta(minutes=2)
MAX_URL = 2000
# Why the demo's webhook is off; stored as it is, shown in the admin's language.
DEMO_OFF_REASON = "Demo: point it at your CRM's URL, then switch it on."

HANDOVER = handover.HandOver(
    WebhookDelivery, "jobs.webhooks:deliver_webhook", "attempted_at", "loopdesk_webhook_new_ids"
)


class WebhookRefused(ValueError):
    """The webhook cannot be saved as given; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# -- events ----------------------------------------------------------------------------------


def is_subscribable(event: str) -> bool:
    return event in EVENTS or bool(CUSTOM_EVENT.match(event))


def clean_events(events: Iterable[str]) -> list[str]:
    """Known events first (in registry order), then custom ones; refuses anything else."""
    wanted = [e.strip().lower() for e in events if e and e.strip()]
    unknown = [e for e in wanted if not is_subscribable(e)]
    if unknown:
        raise WebhookRefused("unknown_event")
    known = [e for e in EVENTS if e in wanted]
    custom = sorted({e for e in wanted if e not in EVENTS})
    if not known and not custom:
        raise WebhookRefused("no_events")
    return known + custom


# -- queueing --------------------------------------------------------------------------------


def queue_deliveries(ticket: Ticket, event: str, context: dict[str, Any]) -> list[WebhookDelivery]:
    """Add a delivery row for every active webhook subscribed to `event` (no commit)."""
    with db.session.no_autoflush:  # a stale ticket must fail at the caller's flush, not here
        hooks = _subscribed_webhooks(event)
        if not hooks:
            return []
        event_id = str(uuid.uuid4())
        payload = {
            "event": event,
            "id": event_id,
            "occurred_at": utcnow().isoformat(),
            "ticket": ticket_summary(ticket),
            "data": json_safe(context),
        }
    return [_add_delivery(hook, event, event_id, payload, ticket.id) for hook in hooks]


def send_ping(webhook: Webhook) -> WebhookDelivery:
    """Queue a test delivery to `webhook`, whatever it subscribes to (no commit)."""
    event_id = str(uuid.uuid4())
    payload = {
        "event": PING,
        "id": event_id,
        "occurred_at": utcnow().isoformat(),
        "ticket": None,
        "data": {"webhook": {"id": webhook.id, "name": webhook.name}},
    }
    return _add_delivery(webhook, PING, event_id, payload, None)


def _add_delivery(
    webhook: Webhook, event: str, event_id: str, payload: dict, ticket_id: int | None
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        webhook=webhook,
        delivery_key=f"{event_id}:{webhook.id}",
        event=event,
        payload=payload,
        ticket_id=ticket_id,
        status=DeliveryStatus.PENDING,  # written as `queued`, handed over after the commit
        attempts=0,
    )
    db.session.add(delivery)
    return delivery


def _subscribed_webhooks(event: str) -> list[Webhook]:
    """Active webhooks listening to `event`.

    Every ticket change asks, and most installations have no webhook for most events:
    the subscriptions are read as plain rows, and only matching hooks become objects.
    """
    ids = [
        hook_id
        for hook_id, events in db.session.execute(
            select(Webhook.id, Webhook.events).where(Webhook.active.is_(True))
        )
        if event in (events or [])
    ]
    if not ids:
        return []
    return list(db.session.scalars(select(Webhook).where(Webhook.id.in_(ids)).order_by(Webhook.id)))


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    assignee = ticket.assignee
    return {
        "number": ticket.number,
        "state": ticket.state,
        "priority": ticket.priority,
        "team": ticket.team.slug if ticket.team else None,
        "assignee": {"name": assignee.name, "email": assignee.email} if assignee else None,
        "customer_locale": ticket.customer_locale,
        "subject": ticket.subject,
        "labels": [label.name for label in ticket.labels],
        "url": external_url("tickets.show", number=ticket.number),
    }


def json_safe(value: Any) -> Any:
    """Plain JSON values: dates as ISO text, anything unknown as its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


# -- signing ---------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(
        delivery.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The X-Loopdesk-Signature value: "sha256=" + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# -- managing webhooks (admin) ---------------------------------------------------------------


def clean_url(url: str | None) -> str:
    """An absolute http(s) URL with a host; anything else is refused."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or not c.isprintable() for c in url):
        raise WebhookRefused("bad_url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError as exc:
        raise WebhookRefused("bad_url") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("bad_url")
    return url


def is_local_address(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), shared, reserved or multicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 reaches 127.0.0.1
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def literal_local_address(url: str) -> str | None:
    """The local address a URL names literally (http://10.0.0.5/, http://[::1]/, also the
    resolver's shorthands such as http://2130706433/), else None. No DNS look-up: a host
    name that resolves to a local address is refused when a delivery is sent."""
    host = urlsplit(url).hostname or ""
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return None  # a name, not an address
    for *_address_info, sockaddr in found:
        if is_local_address(sockaddr[0]):
            return sockaddr[0]
    return None


def create_webhook(name: str, url: str, events: Iterable[str], author: User | None) -> Webhook:
    """A new active webhook with a fresh secret (no commit)."""
    webhook = Webhook(
        name=_clean_name(name),
        url=clean_url(url),
        events=clean_events(events),
        secret=new_secret(),
        active=True,
        consecutive_failures=0,
        created_by_id=author.id if author else None,
    )
    db.session.add(webhook)
    return webhook


def update_webhook(webhook: Webhook, name: str, url: str, events: Iterable[str]) -> None:
    webhook.name = _clean_name(name)
    webhook.url = clean_url(url)
    webhook.events = clean_events(events)


def _clean_name(name: str | None) -> str:
    name = " ".join("".join(c for c in name or "" if c.isprintable() or c.isspace()).split())
    if not name or len(name) > 120:
        raise WebhookRefused("bad_name")
    return name


def rotate_secret(webhook: Webhook) -> str:
    """Give the webhook a new secret; deliveries not yet sent are signed with it."""
    webhook.secret = new_secret()
    return webhook.secret


def delete_webhook(webhook: Webhook) -> None:
    """Remove the webhook and its delivery log."""
    db.session.delete(webhook)


def enable(webhook: Webhook) -> None:
    """Switch a disabled webhook back on, with a clean failure count."""
    webhook.active = True
    webhook.consecutive_failures = 0
    webhook.disabled_at = None
    webhook.disabled_reason = None


# What a stored delivery error (Python's words, e.g. "URLError: <urlopen error [Errno 111]
# Connection refused>") means for the admin, by a telling part of it; None: shown as stored.
_DELIVERY_ERRORS = (
    (
        "Connection refused",
        _l("The receiver refused the connection: nothing answers at this address."),
    ),
    ("timed out", _l("The receiver did not answer in time.")),
    ("Name or service not known", _l("The receiver's host name was not found.")),
    ("Temporary failure in name resolution", _l("The receiver's host name was not found.")),
    ("No address associated with hostname", _l("The receiver's host name was not found.")),
    ("CERTIFICATE_VERIFY_FAILED", _l("The receiver's HTTPS certificate is not valid.")),
    ("Network is unreachable", _l("The receiver's network cannot be reached.")),
    ("webhook disabled", _l("Not sent: the webhook is switched off.")),
    (
        "LocalAddressRefused",  # jobs.webhooks refuses this machine and private networks
        _l(
            "Not sent: this address is on this server or a private network, and webhooks "
            "call only public addresses."
        ),
    ),
)


def delivery_error_text(error: str | None) -> str | None:
    """The admin's words for a delivery error Loopdesk itself ran into; None for others."""
    for telling, words in _DELIVERY_ERRORS:
        if error and telling in error:
            return str(words)
    return None


def disabled_reason_text(reason: str | None) -> str | None:
    """Why a webhook is off, in the admin's words where Loopdesk knows them (the demo's
    note, a delivery error it ran into); a receiver's own answer as it was."""
    if reason == DEMO_OFF_REASON:
        return _("Demo: point it at your CRM's URL, then switch it on.")
    return delivery_error_text(reason) or reason


def disable(webhook: Webhook, reason: str) -> bool:
    """Switch the webhook off and e-mail every active admin; False if it was already off.

    The switch is a conditional UPDATE, so two workers failing at once send one notice.
    """
    now = utcnow()
    switched = db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.active.is_(True))
        .values(active=False, disabled_at=now, disabled_reason=reason[:2000])
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(webhook, ["active", "disabled_at", "disabled_reason"])
    if not switched:
        return False
    link = external_url("admin.webhook_deliveries", webhook_id=webhook.id)
    admins = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    )
    for admin in admins:
        with force_locale(admin.locale):
            reason_text = disabled_reason_text(webhook.disabled_reason)
        queue_email(
            admin.email,
            "webhook_disabled",
            admin.locale,
            {
                "name": admin.name,
                "webhook": webhook.name,
                "url": webhook.url,
                "reason": reason_text,
                "failures": webhook.consecutive_failures,
                "link": link,
            },
            message_key=f"webhook_disabled:{webhook.id}:{now.isoformat()}:{admin.id}",
        )
    return True


def record_final_failure(webhook: Webhook) -> int:
    """Count a delivery that failed for good; returns the failures in a row now.

    Counted in SQL, so that deliveries failing at the same moment all count.
    """
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id)
        .values(consecutive_failures=Webhook.consecutive_failures + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(webhook, ["consecutive_failures"])
    return webhook.consecutive_failures


def record_success(webhook: Webhook) -> None:
    if webhook.consecutive_failures:
        webhook.consecutive_failures = 0


# -- delivery log ----------------------------------------------------------------------------


def last_deliveries(webhook_ids: Iterable[int]) -> dict[int, WebhookDelivery]:
    """The newest delivery of each webhook, in two queries whatever the number of webhooks."""
    ids = list(webhook_ids)
    if not ids:
        return {}
    newest = (
        select(func.max(WebhookDelivery.id))
        .where(WebhookDelivery.webhook_id.in_(ids))
        .group_by(WebhookDelivery.webhook_id)
    )
    rows = db.session.scalars(
        select(WebhookDelivery)
        .options(defer(WebhookDelivery.payload))
        .where(WebhookDelivery.id.in_(newest))
    )
    return {row.webhook_id: row for row in rows}


def deliveries_page(webhook: Webhook, page: int, size: int) -> tuple[list[WebhookDelivery], bool]:
    """One page of the webhook's deliveries, newest first, and whether older ones exist."""
    rows = db.session.scalars(
        select(WebhookDelivery)
        .options(defer(WebhookDelivery.payload))  # the log shows outcomes, not bodies
        .where(WebhookDelivery.webhook_id == webhook.id)
        .order_by(WebhookDelivery.id.desc())
        .offset((page - 1) * size)
        .limit(size + 1)
    ).all()
    return list(rows[:size]), len(rows) > size


RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.RETRYING)


def can_retry_now(delivery: WebhookDelivery) -> bool:
    """Whether an admin may send this delivery now: it failed, or waits for its next attempt."""
    return delivery.status in RETRYABLE and delivery.webhook.active


def retry_delivery(delivery: WebhookDelivery) -> bool:
    """Put a failed or waiting delivery back to `pending` for `relay_deliveries` (no commit).

    A delivery that had given up starts a fresh series of automatic retries (its attempts
    count from zero again; the audit entry keeps the old count), as an admin who fixed the
    receiver expects: one more hiccup must not give up at once. A waiting delivery is only
    sent sooner: its series goes on where it was.

    The change is one conditional UPDATE: of two retries at the same moment only one gets
    the row, and a delivery already queued or being sent is left alone (False). A retry that
    RQ scheduled earlier finds the row taken (`claim_for_work`), so nothing is sent twice at
    once.
    """
    if not delivery.webhook.active:
        return False
    model = WebhookDelivery
    taken = db.session.execute(
        update(model)
        .where(model.id == delivery.id, model.status.in_(RETRYABLE))
        .values(
            status=DeliveryStatus.PENDING,
            last_error=None,
            attempts=case((model.status == DeliveryStatus.FAILED, 0), else_=model.attempts),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(delivery, ["status", "last_error", "attempts"])
    return bool(taken)


def next_attempt_at(delivery: WebhookDelivery) -> datetime | None:
    """When a `retrying` delivery's next attempt is due (RQ's retry, or the relay in-process)."""
    if delivery.status != DeliveryStatus.RETRYING or delivery.attempted_at is None:
        return None
    from jobs.queue import retry_intervals

    intervals = retry_intervals()
    wait = intervals[min(max(delivery.attempts, 1), len(intervals)) - 1]
    return delivery.attempted_at + timedelta(seconds=wait)


def relay_deliveries(ids: list[int]) -> int:
    """Hand committed `pending` rows to the queue (admin retry, periodic relay)."""
    return HANDOVER.relay(ids)


# -- the safety net --------------------------------------------------------------------------


def retry_wait(attempts: int) -> timedelta:
    """How long after attempt number `attempts` failed the next one is due.

    With Redis, RQ's own scheduled retry runs then; the relay steps in only if that retry
    is overdue by STALE_HANDOVER (it was lost). In-process, the relay is the retry.
    """
    from jobs.queue import retry_intervals

    intervals = retry_intervals()
    wait = timedelta(seconds=intervals[min(max(attempts, 1), len(intervals)) - 1])
    return wait + STALE_HANDOVER if current_app.config.get("REDIS_URL") else wait


def relay_pending_deliveries(now: datetime | None = None, limit: int = 500) -> int:
    """Hand over rows still pending, lost hand-overs, attempts that died, and due retries.

    Each row is put back to `pending` with a conditional UPDATE that repeats the reason
    it was picked, and `relay_deliveries` claims it again: concurrent relays never
    hand one row over twice, and a row a worker touched meanwhile is left alone.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=utcnow().tzinfo)
    model = WebhookDelivery
    shortest_wait = min(retry_wait(n) for n in range(1, len(_intervals()) + 1))
    rows = db.session.execute(
        select(model.id, model.status, model.attempts, model.attempted_at)
        .where(
            or_(
                model.status == DeliveryStatus.PENDING,  # the queue was down at the hand-over
                (model.status == DeliveryStatus.QUEUED)
                & (model.attempted_at < now - STALE_HANDOVER),
                (model.status == DeliveryStatus.SENDING)
                & (model.attempted_at < now - ATTEMPT_LEASE),
                (model.status == DeliveryStatus.RETRYING)
                & (model.attempted_at <= now - shortest_wait),
            )
        )
        .order_by(model.id)
        .limit(limit)
    ).all()
    ids = []
    for row in rows:
        if row.status == DeliveryStatus.PENDING:
            ids.append(row.id)
            continue
        cutoff = {
            DeliveryStatus.QUEUED: now - STALE_HANDOVER,
            DeliveryStatus.SENDING: now - ATTEMPT_LEASE,
            DeliveryStatus.RETRYING: now - retry_wait(row.attempts),
        }[row.status]
        if db.session.execute(
            update(model)
            .where(
                model.id == row.id,
                model.status == row.status,
                model.attempts == row.attempts,
                model.attempted_at <= cutoff,
            )
            .values(status=DeliveryStatus.PENDING)
        ).rowcount:
            ids.append(row.id)
    db.session.commit()
    return relay_deliveries(ids) if ids else 0


def _intervals() -> list[int]:
    from jobs.queue import retry_intervals

    return retry_intervals()


def init_app(app) -> None:
    handover.register(HANDOVER)
    handover.init_app(app)
