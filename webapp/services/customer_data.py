"""A customer's personal data, found by e-mail address: what is held, an export, erasure.

Customers are anonymous respondents, known by the e-mail address they gave: in a form's
e-mail answer, as a ticket's customer, as the recipient of our e-mails, as the sender of
replies, on the opt-out list; and by the verified customer id of those tickets (the shop's own
id, signed into a form's link), which ties on the tickets they sent without an address.
`find_held_data` gathers all of it in a fixed number of queries; `export_held_data` turns it
into plain JSON; `erase_held_data` removes the personal parts in the caller's transaction and
leaves the anonymous figures (scores, choices, ticket numbers, states, SLA history) exactly
as they were, so reports do not change.

The audit log names the customer by a keyed digest of the address (`customer_label`), never
by the address itself: the log outlives the erasure, and must not keep what was erased.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import defer, joinedload

from survey_forms.definition import FormDefinition
from webapp.email_addresses import valid_email_address
from webapp.erased_text import ERASED
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    BlockedSender,
    DeliveryStatus,
    EmailOptOut,
    FormVersion,
    InboundEmail,
    OutboxMessage,
    OutboxStatus,
    Response,
    ResponseFile,
    SurveyInvitation,
    SurveyStatus,
    Ticket,
    TicketEvent,
    TicketFile,
    User,
    WebhookDelivery,
    utcnow,
)
from webapp.models.forms import new_token
from webapp.people import normalise_email
from webapp.services import audit
from webapp.services.forms import definition_of
from webapp.services.same_customer import tickets_of_address_condition
from webapp.services.staff_copies import (
    CustomerWords,
    erase_staff_copies,
    scrub_colleagues_words,
)
from webapp.services.ticket_files import files_of_tickets
from webapp.services.ticket_files import path_of as ticket_file_path
from webapp.services.tickets import searchable
from webapp.services.uploads import file_path
from webapp.signing import keys_newest_first

# Answers that stay: scores and choices carry no identity and the reports count them.
KEPT_ANSWER_TYPES = frozenset(
    {"nps", "csat", "ces", "goal", "rating", "single_choice", "multi_choice", "consent"}
)
# Metadata that stays: the device class and country are segments in reports, not identities.
KEPT_METADATA = ("user_agent", "country")
# History events that hold what the customer wrote or what was written to them.
CUSTOMER_TEXT_EVENTS = ("customer_reply", "public_reply", "survey_comment")
# History lines that name the customer's address: the address goes, the line stays.
CUSTOMER_ADDRESS_EVENTS = ("reply_sent_again",)
KEPT_EVENT_DATA = ("channel", "message_key", "form", "type", "score", "category")
UNSENT_MAIL = (
    OutboxStatus.PENDING,
    OutboxStatus.QUEUED,
    OutboxStatus.SENDING,
    OutboxStatus.RETRYING,
)
UNDELIVERED_HOOKS = (
    DeliveryStatus.PENDING,
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.RETRYING,
)
WAITING_SURVEYS = (SurveyStatus.SCHEDULED, SurveyStatus.SENT)
ERASED_ERROR = "Not sent: the recipient's personal data was erased on request"


class InvalidAddress(ValueError):
    """The text is not an e-mail address."""


def clean_address(text: str | None) -> str:
    """The address as stored for comparison (trimmed, lower-cased), or InvalidAddress."""
    address = normalise_email(text or "")
    if not valid_email_address(address):
        raise InvalidAddress(address)
    return address


def customer_label(address: str) -> str:
    """How the audit log names a customer: a keyed digest, the same for the same address.

    Keyed with the app's secret so that nobody holding only the log can test guesses.
    """
    return customer_labels(address)[0]


def customer_labels(address: str) -> list[str]:
    """The label under SECRET_KEY, then under each fallback key: the log of requests made
    before a key change still finds them."""
    return [
        f"customer {hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]}"
        for key in keys_newest_first()
    ]


@dataclass
class HeldData:
    """Everything held for one address, loaded in a fixed number of queries."""

    address: str
    tickets: list[Ticket]
    responses: list[Response]
    files: list[ResponseFile]
    emails: list[OutboxMessage]
    inbound: list[InboundEmail]
    invitations: list[SurveyInvitation]
    opt_out: EmailOptOut | None
    webhook_deliveries: int
    definitions: dict[int, FormDefinition] = field(default_factory=dict)
    blocked: BlockedSender | None = None  # agents blocked the address as a spammer's
    ticket_files: list[TicketFile] = field(default_factory=list)  # sent with replies

    def counts(self) -> dict[str, int]:
        return {
            "responses": len(self.responses),
            "tickets": len(self.tickets),
            "files": len(self.files) + len(self.ticket_files),
            "emails_sent": len(self.emails),
            "emails_received": len(self.inbound),
            "survey_invitations": len(self.invitations),
            "opt_out": int(self.opt_out is not None),
            "blocked_sender": int(self.blocked is not None),
            "webhook_deliveries": self.webhook_deliveries,
        }

    @property
    def empty(self) -> bool:
        return not any(self.counts().values())

    def definition(self, response: Response) -> FormDefinition | None:
        return self.definitions.get(response.form_version_id)


def _email_questions(versions: Iterable[FormVersion]) -> dict[str, list[int]]:
    """The e-mail questions' ids, each with the form versions that ask it as an e-mail."""
    asked: dict[str, list[int]] = {}
    for version in versions:
        definition = definition_of(version)
        for question in definition.questions if definition else ():
            if question.type == "email":
                asked.setdefault(question.id, []).append(version.id)
    return asked


def form_definitions(versions: Iterable[FormVersion]) -> dict[int, FormDefinition]:
    """Each form version's definition by id: erasure reads which answers are scores."""
    return {
        version.id: definition
        for version in versions
        if (definition := definition_of(version)) is not None
    }


def find_held_data(address: str) -> HeldData:
    """What is held for `address` (already cleaned): eight queries however many rows."""
    versions = db.session.scalars(select(FormVersion)).all()
    definitions = form_definitions(versions)
    tickets = db.session.scalars(
        select(Ticket)
        .where(tickets_of_address_condition(address))  # and by their verified ids
        .options(defer(Ticket.search_text))
        .order_by(Ticket.id)
    ).all()
    ticket_ids = [ticket.id for ticket in tickets]
    matches = [
        and_(
            Response.form_version_id.in_(version_ids),
            func.lower(Response.answers[question_id].as_string()) == address,
        )
        for question_id, version_ids in _email_questions(versions).items()
    ]
    if ticket_ids:
        matches.append(Response.ticket_id.in_(ticket_ids))
        matches.append(
            Response.id.in_(
                select(SurveyInvitation.response_id).where(
                    SurveyInvitation.ticket_id.in_(ticket_ids)
                )
            )
        )
    responses = (
        db.session.scalars(
            select(Response)
            .where(or_(*matches))
            .options(joinedload(Response.form))
            .order_by(Response.started_at, Response.id)
        ).all()
        if matches
        else []
    )
    response_ids = [response.id for response in responses]
    files = (
        db.session.scalars(
            select(ResponseFile)
            .where(ResponseFile.response_id.in_(response_ids))
            .order_by(ResponseFile.id)
        ).all()
        if response_ids
        else []
    )
    emails = db.session.scalars(
        select(OutboxMessage)
        .where(func.lower(OutboxMessage.to_address) == address)
        .order_by(OutboxMessage.id)
    ).all()
    inbound = db.session.scalars(
        select(InboundEmail)
        .where(func.lower(InboundEmail.sender) == address)
        .order_by(InboundEmail.id)
    ).all()
    invitations = (
        db.session.scalars(
            select(SurveyInvitation)
            .where(SurveyInvitation.ticket_id.in_(ticket_ids))
            .order_by(SurveyInvitation.id)
        ).all()
        if ticket_ids
        else []
    )
    opt_out = db.session.scalar(select(EmailOptOut).where(func.lower(EmailOptOut.email) == address))
    deliveries = (
        db.session.scalar(
            select(func.count(WebhookDelivery.id)).where(WebhookDelivery.ticket_id.in_(ticket_ids))
        )
        if ticket_ids
        else 0
    )
    return HeldData(
        address=address,
        tickets=list(tickets),
        responses=list(responses),
        files=list(files),
        emails=list(emails),
        inbound=list(inbound),
        invitations=list(invitations),
        opt_out=opt_out,
        webhook_deliveries=deliveries or 0,
        definitions=definitions,
        blocked=db.session.scalar(select(BlockedSender).where(BlockedSender.email == address)),
        ticket_files=files_of_tickets(ticket_ids),
    )


def earlier_requests(address: str) -> list[AuditEntry]:
    """Exports and erasures already done for this address, newest first (one query)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == "customer_data",
                AuditEntry.target_label.in_(customer_labels(address)),
            )
            .order_by(AuditEntry.id.desc())
            .limit(20)
        )
    )


# -- export ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _answers_export(definition: FormDefinition | None, answers: dict) -> list[dict[str, Any]]:
    """Each answer with its question's text in the form's default language, in form order;
    a choice answer also as the customer saw it (its label), not only the value stored."""
    questions = {q.id: q for q in definition.questions} if definition else {}
    lang = definition.default_language if definition else "en"
    ordered = [qid for qid in questions if qid in answers] + [
        qid for qid in answers if qid not in questions
    ]
    exported = []
    for qid in ordered:
        entry = {
            "question": definition.text(questions[qid].text, lang) if qid in questions else qid,
            "question_id": qid,
            "answer": answers[qid],
        }
        choices = questions[qid].choices if qid in questions else ()
        if choices:
            labels = {c.value: definition.text(c.label, lang) or c.value for c in choices}
            value = answers[qid]
            chosen = value if isinstance(value, list) else [value]
            entry["answer_label"] = ", ".join(labels.get(str(v), str(v)) for v in chosen)
        exported.append(entry)
    return exported


def export_held_data(held: HeldData) -> dict[str, Any]:
    """Everything held, as plain JSON values (one query more: the tickets' conversations)."""
    ticket_ids = [ticket.id for ticket in held.tickets]
    messages: dict[int, list[dict[str, Any]]] = {ticket_id: [] for ticket_id in ticket_ids}
    if ticket_ids:
        for event in db.session.scalars(
            select(TicketEvent)
            .where(
                TicketEvent.ticket_id.in_(ticket_ids),
                TicketEvent.kind.in_(CUSTOMER_TEXT_EVENTS),
            )
            .order_by(TicketEvent.id)
        ):
            messages[event.ticket_id].append(
                {
                    "at": _iso(event.created_at),
                    "from": "support team" if event.kind == "public_reply" else "customer",
                    "text": (event.data or {}).get("text", ""),
                }
            )
    numbers = {ticket.id: ticket.number for ticket in held.tickets}
    responses = {response.id: response for response in held.responses}
    files = []
    for stored in held.files:
        response = responses.get(stored.response_id)
        definition = held.definition(response) if response is not None else None
        question = (
            next((q for q in definition.questions if q.id == stored.question_id), None)
            if definition
            else None
        )
        files.append(
            {
                "name": stored.filename,
                "type": stored.content_type,
                "size_bytes": stored.size,
                "uploaded_at": _iso(stored.created_at),
                "question": (
                    definition.text(question.text, definition.default_language)
                    if question and definition
                    else stored.question_id
                ),
            }
        )
    for stored in held.ticket_files:
        files.append(
            {
                "name": stored.filename,
                "type": stored.content_type,
                "size_bytes": stored.size,
                "uploaded_at": _iso(stored.created_at),
                "ticket": numbers.get(stored.ticket_id),
                "sent_with": "e-mail reply" if stored.channel == "email" else "status page reply",
            }
        )
    return {
        "format": "loopdesk-customer-data/1",
        "email_address": held.address,
        "exported_at": _iso(utcnow()),
        "form_responses": [
            {
                "form": response.form.slug,
                "form_title": _title(held.definition(response)),
                "language": response.locale,
                "channel": response.channel,
                "started_at": _iso(response.started_at),
                "completed_at": _iso(response.completed_at),
                "ticket": Ticket.number_for(response.ticket_id) if response.ticket_id else None,
                "answers": _answers_export(held.definition(response), response.answers or {}),
                "metadata": response.meta or {},
                "hidden_fields": response.hidden or {},
            }
            for response in held.responses
        ],
        "tickets": [
            {
                "number": ticket.number,
                "subject": ticket.subject,
                "state": ticket.state,
                "customer_name": ticket.customer_name,
                "customer_email": ticket.customer_email,
                "customer_id": ticket.customer_ref,
                "language": ticket.customer_locale,
                "channel": ticket.channel,
                "created_at": _iso(ticket.created_at),
                "resolved_at": _iso(ticket.resolved_at),
                "conversation": messages.get(ticket.id, []),
            }
            for ticket in held.tickets
        ],
        "uploaded_files": files,
        "emails_sent": [
            {
                "subject": message.subject,
                "text": message.body_text,
                "status": message.status,
                "written_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in held.emails
        ],
        "emails_received": [
            {
                "subject": message.subject,
                "received_at": _iso(message.received_at),
                "ticket": Ticket.number_for(message.ticket_id) if message.ticket_id else None,
            }
            for message in held.inbound
        ],
        "survey_invitations": [
            {
                "ticket": numbers.get(invitation.ticket_id),
                "form": invitation.form_slug,
                "status": invitation.status,
                "due_at": _iso(invitation.due_at),
                "sent_at": _iso(invitation.sent_at),
                "reminded_at": _iso(invitation.reminded_at),
                "answered_at": _iso(invitation.answered_at),
            }
            for invitation in held.invitations
        ],
        "email_opt_out": (
            {"since": _iso(held.opt_out.created_at)} if held.opt_out is not None else None
        ),
        "blocked_sender": (
            {"since": _iso(held.blocked.created_at)} if held.blocked is not None else None
        ),
    }


def _title(definition: FormDefinition | None) -> str:
    if definition is None:
        return ""
    return definition.text(definition.title, definition.default_language)


def record_export(held: HeldData, actor: User | None = None) -> None:
    """Audit the export (in the caller's transaction), naming the customer by digest."""
    audit.record(
        "customer_data.exported",
        None,
        customer_label(held.address),
        after=held.counts(),
        actor=actor,
    )


# -- erasure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    counts: dict[str, int]
    stored_files: list[Path]

    def after_commit(self) -> None:
        """Delete the uploaded files from disk and forget this process's counted themes at
        once (other processes see `forget_everywhere`): after the commit, so that a rollback
        loses nothing."""
        from webapp.services.report_themes_cache import themes_cache

        for path in self.stored_files:
            path.unlink(missing_ok=True)
        themes_cache().clear()


def erased_answers(definition: FormDefinition | None, answers: dict) -> dict[str, Any]:
    """The answers with every one that could identify the customer replaced by the marker."""
    types = {q.id: q.type for q in definition.questions} if definition else {}
    erased = {}
    for question_id, value in (answers or {}).items():
        kind = types.get(question_id)
        if isinstance(value, dict) and "file_id" in value:  # a file: keep the shape pages read
            erased[question_id] = {"file_id": None, "name": ERASED}
            continue
        keep = kind in KEPT_ANSWER_TYPES or (kind is None and not isinstance(value, str))
        erased[question_id] = value if keep or value in (None, "", []) else ERASED
    return erased


def _kept_metadata(meta: dict | None) -> dict[str, Any]:
    return {key: value for key, value in (meta or {}).items() if key in KEPT_METADATA}


def erase_response(response: Response, definition: FormDefinition | None, now: datetime) -> None:
    """Replace what identifies the respondent; scores, choices, dates and the device stay."""
    response.answers = erased_answers(definition, response.answers)
    response.meta = {**_kept_metadata(response.meta), "erased_at": now.isoformat()}
    response.hidden = {key: ERASED for key in (response.hidden or {})}
    response.token = new_token()  # "continue later" links and cookies stop working


def is_erased(response: Response) -> bool:
    return bool((response.meta or {}).get("erased_at"))


def erase_ticket(
    ticket: Ticket, definition: FormDefinition | None, notes: Iterable[str], now: datetime
) -> None:
    """The customer's name, address and words go; number, state, SLA and notes stay."""
    facts = dict(ticket.facts or {})
    written = {
        " ".join(value.split())[:120]
        for value in (facts.get("answers") or {}).values()
        if isinstance(value, str)
    }
    if " ".join((ticket.subject or "").split()) in written:
        ticket.subject = ERASED  # the customer's own words, made the subject
    facts["answers"] = erased_answers(definition, facts.get("answers") or {})
    facts["metadata"] = _kept_metadata(facts.get("metadata"))
    ticket.facts = facts
    ticket.customer_email = None
    ticket.customer_ref = None  # the customer's id in the customer's own app identifies them
    ticket.customer_ref_verified = False
    ticket.customer_name = ERASED if ticket.customer_name else ""
    ticket.customer_erased_at = now
    ticket.search_text = searchable(ticket.subject, *notes)


def erase_outbox_message(message: OutboxMessage) -> None:
    """The recipient and the text go; a message not sent yet is never sent. A refusal's
    reply quotes the recipient ("550 5.1.1 <ewa@example.pl>: ..."): the address goes there
    too, the server's words stay."""
    if message.to_address and message.last_error:
        message.last_error = re.sub(
            re.escape(message.to_address), ERASED, message.last_error, flags=re.IGNORECASE
        )
    message.to_address = ""
    message.reply_to = None
    message.subject = ERASED
    message.body_text = ERASED
    message.body_html = None
    message.attachments = None  # the files themselves go with the ticket's
    if message.status in UNSENT_MAIL:
        message.status = OutboxStatus.FAILED
        message.last_error = ERASED_ERROR


def stop_invitation(invitation: SurveyInvitation, now: datetime) -> None:
    """A survey still waiting is never sent, and its one-click links stop counting."""
    if invitation.status in WAITING_SURVEYS:
        invitation.status = SurveyStatus.SKIPPED
        invitation.cancelled_at = now


def _erase_ticket_texts(ticket_ids: list[int], words: dict[int, CustomerWords]) -> None:
    """Erase what the customer wrote and what was written to them on these tickets' history,
    and the address named in it, adding what the customer wrote to `words` (one query)."""
    if not ticket_ids:
        return
    for event in db.session.scalars(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id.in_(ticket_ids),
            TicketEvent.kind.in_(CUSTOMER_TEXT_EVENTS + CUSTOMER_ADDRESS_EVENTS),
        )
        .order_by(TicketEvent.id)
    ):
        data = dict(event.data or {})
        if event.kind in CUSTOMER_ADDRESS_EVENTS:
            event.data = {**data, "to": ERASED}
            continue
        if event.kind != "public_reply":
            words[event.ticket_id].add(data.get("text"))
        kept = {key: value for key, value in data.items() if key in KEPT_EVENT_DATA}
        event.data = {**kept, "text": ERASED}


def _erase_webhook_payloads(ticket_ids: list[int]) -> None:
    """Deliveries keep their event and ticket number; those not delivered yet are not sent."""
    if not ticket_ids:
        return
    for delivery in db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.ticket_id.in_(ticket_ids))
    ):
        payload = dict(delivery.payload or {})
        number = (payload.get("ticket") or {}).get("number")
        delivery.payload = {
            key: payload[key] for key in ("event", "id", "occurred_at") if key in payload
        } | {"ticket": {"number": number}, "data": {}, "erased": True}
        if delivery.status in UNDELIVERED_HOOKS:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = ERASED_ERROR


def _erased_strings(definition: FormDefinition | None, answers: dict | None) -> list[str]:
    """The written answers the erasure replaces (not scores nor choices), as given."""
    erased = erased_answers(definition, answers or {})
    return [
        value
        for key, value in (answers or {}).items()
        if isinstance(value, str) and erased.get(key) == ERASED
    ]


def _customer_words(ticket: Ticket, definition: FormDefinition | None) -> CustomerWords:
    """The ticket's customer's name and address, and the answers copied onto the ticket."""
    words = CustomerWords()
    words.add(ticket.customer_name, ticket.customer_email)
    words.add(*_erased_strings(definition, (ticket.facts or {}).get("answers")))
    return words


def erase_records(held: HeldData, now: datetime) -> list[Path]:
    """Erase the records in `held` (no commit, no audit): responses, files, tickets with
    their history and webhook deliveries, invitations, e-mails both ways, and the quotes of
    the customer in what colleagues were told about the tickets (`staff_copies`). Returns
    the uploaded files to delete from disk once the transaction is committed.

    The one eraser: a customer's request (`erase_held_data`) and the retention period
    (`services.retention`) both come here, in a fixed number of queries per call.
    """
    response_of_ticket: dict[int, Response] = {}
    for response in held.responses:
        if response.ticket_id is not None:
            response_of_ticket.setdefault(response.ticket_id, response)
    # What each ticket's customer gave, read before it goes: staff-side copies quote it.
    words = {
        ticket.id: _customer_words(
            ticket,
            held.definition(response_of_ticket[ticket.id])
            if ticket.id in response_of_ticket
            else None,
        )
        for ticket in held.tickets
    }
    for response in held.responses:
        if response.ticket_id in words:
            words[response.ticket_id].add(
                *_erased_strings(held.definition(response), response.answers)
            )
        erase_response(response, held.definition(response), now)

    stored_files = [file_path(stored) for stored in held.files]
    stored_files += [ticket_file_path(stored) for stored in held.ticket_files]
    for stored in [*held.files, *held.ticket_files]:
        db.session.delete(stored)

    ticket_ids = [ticket.id for ticket in held.tickets]
    _erase_ticket_texts(ticket_ids, words)
    from webapp.services.report_themes_cache import forget_everywhere

    forget_everywhere()  # counted themes may quote what was erased, in any process
    # Colleagues' notes, tasks and reminders stay, without the customer quoted in them.
    notes = scrub_colleagues_words(ticket_ids, words)
    for ticket in held.tickets:
        response = response_of_ticket.get(ticket.id)
        definition = held.definition(response) if response is not None else None
        subject = ticket.subject
        erase_ticket(ticket, definition, notes.get(ticket.id, []), now)
        if ticket.subject == ERASED:  # the customer's words made the subject
            words[ticket.id].add(subject)
    erase_staff_copies(list(held.tickets), words)

    for invitation in held.invitations:
        stop_invitation(invitation, now)

    for message in held.emails:
        erase_outbox_message(message)
    if held.emails:  # "Sent an e-mail again" entries are labelled with the address
        erased_mail_ids = [str(message.id) for message in held.emails]
        for entry in db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "mail.retried", AuditEntry.target_id.in_(erased_mail_ids)
            )
        ):
            entry.target_label = ERASED

    _erase_webhook_payloads(ticket_ids)

    inbound_ids = [message.id for message in held.inbound]
    if inbound_ids:
        db.session.execute(delete(InboundEmail).where(InboundEmail.id.in_(inbound_ids)))
    return stored_files


BLOCKING_ACTIONS = ("blocked_sender.created", "blocked_sender.removed")


def _unname_in_blocking_entries(address: str) -> None:
    """Audit entries of blocking and unblocking the address name it: they name the keyed
    code instead (`customer_label`), as the erasure's own entry does."""
    code = customer_label(address)
    for entry in db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action.in_(BLOCKING_ACTIONS), func.lower(AuditEntry.target_label) == address
        )
    ):
        entry.target_label = code
        entry.before = {**entry.before, "email": code} if entry.before else entry.before
        entry.after = {**entry.after, "email": code} if entry.after else entry.after


def erase_held_data(held: HeldData, actor: User | None = None) -> Erasure:
    """Remove the personal data in `held`, keeping the anonymous figures (no commit)."""
    stored_files = erase_records(held, utcnow())
    if held.opt_out is not None:
        db.session.delete(held.opt_out)
    if held.blocked is not None:  # the wish to be forgotten outweighs a spam block
        db.session.delete(held.blocked)
    _unname_in_blocking_entries(held.address)

    counts = held.counts()
    audit.record(
        "customer_data.erased", None, customer_label(held.address), after=counts, actor=actor
    )
    db.session.flush()
    return Erasure(counts=counts, stored_files=stored_files)
