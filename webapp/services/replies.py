"""Public replies to the customer: canned templates, placeholders, preview and sending.

A reply is a `public_reply` event (the customer's status page shows it), an
e-mail in the customer's language when they left an address, the stop of the
first-response clock, and searchable text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import CannedReply, OutboxMessage, Ticket, TicketEvent, User, utcnow
from webapp.outbox import queue_email
from webapp.services import sla_clock, state_timers
from webapp.services.email_placeholders import fill
from webapp.services.events import publish
from webapp.services.history import Integration, record_event
from webapp.services.reply_addresses import customer_reply_address
from webapp.services.ticket_files import KeptFiles, keep_uploads
from webapp.services.tickets import add_search_text, flush_or_conflict
from webapp.services.watchers import notify_watchers

MAX_REPLY = 10_000
PLACEHOLDERS = ("name", "ticket", "status_link", "agent")
_NONCE = re.compile(r"^[0-9a-f]{32}$")


class ReplyRefused(ValueError):
    """The reply cannot be sent as written (the message says why, as a code)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SentReply:
    event: TicketEvent
    emailed: bool


def canned_replies_for(locale: str) -> list[CannedReply]:
    """Active templates in the customer's language, by title."""
    return list(
        db.session.scalars(
            select(CannedReply)
            .where(CannedReply.locale == locale, CannedReply.active.is_(True))
            .order_by(CannedReply.title)
        )
    )


def canned_body(ticket: Ticket, canned_id: int) -> str:
    """The body of a template in the customer's language ("" if there is no such template)."""
    canned = db.session.get(CannedReply, canned_id)
    if canned is None or not canned.active or canned.locale != ticket.customer_locale:
        return ""
    return canned.body


def status_link(ticket: Ticket) -> str:
    return external_url("public.ticket_status", token=ticket.status_token)


def placeholder_values(ticket: Ticket, agent: User | Integration) -> dict[str, str]:
    return {
        "name": ticket.customer_name or "",
        "ticket": ticket.number,
        "status_link": status_link(ticket),
        "agent": agent.name,
    }


def fill_placeholders(body: str, values: Mapping[str, str]) -> str:
    """Replace {name}, {ticket}, {status_link}, {agent} in one pass.

    A single pass (never str.format) means text the customer wrote, such as a name
    containing "{agent}" or "{0.__class__}", is inserted literally and never expanded. The
    same filling as own e-mail texts: "Hi {name}," to a customer without a name reads "Hi,".
    """
    return fill(body, {key: values[key] for key in PLACEHOLDERS if key in values})


def clean_reply_text(text: str | None) -> str:
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise ReplyRefused("empty")
    if len(text) > MAX_REPLY:
        raise ReplyRefused("too_long")
    return text


def new_reply_nonce() -> str:
    """Put in the reply form: a double-submitted form sends one e-mail, not two."""
    return uuid.uuid4().hex


def send_public_reply(
    ticket: Ticket,
    text: str,
    agent: User | Integration,
    nonce: str = "",
    files: list[tuple[str | None, bytes]] = (),
) -> SentReply:
    """Record the reply, e-mail it to the customer, stop the first-response clock.

    The author may be an API integration: the history reads "API: <name>", and the customer's
    e-mail is signed with the integration's name. `files` (checked by
    `ticket_files.check_uploads`) go with the e-mail and onto the customer's status page.
    """
    if ticket.merged_into_id is not None:  # the customer's conversation is in the other one
        raise ReplyRefused("merged")
    if ticket.spam_at is not None:  # nobody is there to answer
        raise ReplyRefused("spam")
    if ticket.customer_erased_at is not None:  # no address, and the status page is gone
        raise ReplyRefused("erased")
    final_text = fill_placeholders(clean_reply_text(text), placeholder_values(ticket, agent))
    nonce = nonce if _NONCE.match(nonce or "") else new_reply_nonce()
    key = f"public_reply:{ticket.id}:{nonce}"
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_key == key)):
        raise ReplyRefused("duplicate")
    now = utcnow()
    emailed = bool(ticket.customer_email)
    kept = keep_uploads(ticket, list(files), channel="agent") if files else KeptFiles()
    if emailed:
        queue_email(
            ticket.customer_email,
            "public_reply",
            ticket.customer_locale,
            {
                "ticket": ticket,
                "number": ticket.number,
                "name": ticket.customer_name,
                "text": final_text,
                "agent": agent.name,
                "status_link": status_link(ticket),
            },
            message_key=key,
            reply_to=customer_reply_address(ticket),
            attachments=[f.id for f in kept.files],
        )
    event = record_event(
        ticket,
        "public_reply",
        agent,
        text=final_text,
        to=ticket.customer_email,
        message_key=key if emailed else None,
        **kept.event_data(),
    )
    ticket.public_reply_count = (ticket.public_reply_count or 0) + 1
    sla_clock.record_first_response(ticket, now)
    add_search_text(ticket, final_text)
    flush_or_conflict(ticket)  # a stale ticket fails here, before anyone is told
    notify_watchers(ticket, "public_reply", agent)
    publish(ticket, "reply.sent", author=agent.name, text=final_text, emailed=emailed)
    return SentReply(event=event, emailed=emailed)


# The transitions a customer's reply may fire, the first that applies: the default lifecycle's
# "customer_replied" while the ticket waits on them, "reopen" once it is resolved or closed.
CUSTOMER_REPLY_TRIGGERS = ("customer_replied", "reopen")


def receive_customer_reply(ticket: Ticket, text: str, **came: object) -> str | None:
    """The customer wrote back (status page, or e-mail): the trigger it fired, if any.

    `came` is kept in the history event as said (`channel="email"`, the attachments not kept).

    A reply to a resolved ticket reopens it (it would otherwise sit unseen in a column
    nobody works). When no transition applies because the ticket is already being worked
    on, the assignee is still told, as the transition would have told them.
    """
    from webapp.services.tickets import CUSTOMER, MoveRefused, fire
    from webapp.services.workflow_actions import notify_assignee, reply_being_received

    record_event(ticket, "customer_reply", None, actor_kind="customer", text=text, **came)
    add_search_text(ticket, text)
    state_timers.restart_timers(ticket, utcnow())  # "no reply for 7 days" counts afresh
    quoted = reply_being_received.set((ticket.id, text))  # the assignee's notice quotes it
    try:
        for trigger in CUSTOMER_REPLY_TRIGGERS:
            try:
                fire(ticket, trigger, CUSTOMER)
            except MoveRefused:
                continue
            return trigger
        notify_assignee(ticket, "customer_replied", None)
        return None
    finally:
        reply_being_received.reset(quoted)
