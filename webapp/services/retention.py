"""Data retention (GDPR art. 5(1)(e), storage limitation): customers' personal data is erased
a number of months after the customer's business with us ended.

An admin sets the period in the browser (off by default: an upgrade erases nothing). Once a
day `erase_expired_data` erases, with the very rules of a customer's own erasure request
(`customer_data.erase_records`):

- tickets resolved or closed (their workflow version's `resolved`/`closed` categories) more
  than the period ago, on which nothing happened since, with their form responses (the one
  that opened the ticket, survey answers), files, e-mails both ways and survey invitations,
  and the customer's words quoted in what colleagues were told (`staff_copies`);
- form responses tied to no ticket whose last activity (completion, or the last answer of a
  partial one) is older than the period;
- "continue later" e-mails and e-mails from unknown senders older than the period.

A ticket still open keeps its response whatever its age: the team still works with it.
Tickets already erased (`customer_erased_at`) and responses already erased are skipped, so
a second run erases nothing. Work goes in batches, each its own transaction, so a first run
on a large database neither holds one huge transaction nor outlives the job's timeout: what
is left when the time is up is erased on the next run.
"""

from __future__ import annotations

import calendar
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    FormVersion,
    InboundEmail,
    OutboxMessage,
    Response,
    ResponseFile,
    SurveyInvitation,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from webapp.services import audit
from webapp.services.app_settings import read_setting, write_setting
from webapp.services.customer_data import Erasure, HeldData, erase_records, form_definitions
from webapp.services.ticket_files import files_of_tickets

PERIOD_KEY = "retention_months"
LAST_RUN_KEY = "retention_last_run"
MIN_MONTHS, MAX_MONTHS = 1, 120
BATCH_SIZE = 500
# Under the periodic jobs' 300-second timeout (jobs.schedule.cron_scheduler).
RUN_SECONDS = 240.0
log = logging.getLogger(__name__)
FINISHED_CATEGORIES = ("resolved", "closed")
COUNTED = ("responses", "tickets", "files", "emails_sent", "emails_received", "survey_invitations")
# E-mails to customers that belong to no ticket: the link to finish a form later, the link
# to their list of requests.
MAIL_WITHOUT_TICKET = ("continue_later", "requests_link")


class InvalidPeriod(ValueError):
    """Not a whole number of months between MIN_MONTHS and MAX_MONTHS."""


# -- the setting -----------------------------------------------------------------------------


def retention_months() -> int | None:
    """The period in months, or None: keep personal data until a customer asks."""
    months = read_setting(PERIOD_KEY)
    return months if isinstance(months, int) and MIN_MONTHS <= months <= MAX_MONTHS else None


def parse_months(text: str | None) -> int | None:
    """What the admin typed: empty is off, else a whole number of months in range."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()) or not MIN_MONTHS <= int(text) <= MAX_MONTHS:
        raise InvalidPeriod(text)
    return int(text)


def change_retention(months: int | None, actor: User | None = None) -> bool:
    """Set the period (None: off), audited with before and after; False if it was already so."""
    before = retention_months()
    if months == before:
        return False
    write_setting(PERIOD_KEY, months)
    audit.record(
        "retention.changed",
        None,
        "Data retention",
        before={"retention_months": before},
        after={"retention_months": months},
        actor=actor,
    )
    return True


def months_before(moment: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (31 March less one month: 28/29 Feb)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


# -- what has expired ------------------------------------------------------------------------


def _finished_ticket() -> ColumnElement[bool]:
    """Tickets in a resolved or closed state of their own workflow version (one query)."""
    from webapp.services.workflow_versions import ticket_in_categories

    return ticket_in_categories(FINISHED_CATEGORIES)


def _expired_ticket(before: datetime, finished: ColumnElement[bool]) -> ColumnElement[bool]:
    """Finished before `before`, untouched since, not erased yet. A reopened ticket has no
    `resolved_at` and an open state: it is not finished."""
    return and_(
        Ticket.customer_erased_at.is_(None),
        finished,
        func.coalesce(Ticket.resolved_at, Ticket.state_entered_at, Ticket.created_at) < before,
        Ticket.updated_at < before,
    )


def _response_not_erased() -> ColumnElement[bool]:
    return Response.meta["erased_at"].as_string().is_(None)


def _survey_responses(ticket_ids: Any) -> Any:
    return select(SurveyInvitation.response_id).where(
        SurveyInvitation.ticket_id.in_(ticket_ids), SurveyInvitation.response_id.is_not(None)
    )


def _expired_response_without_ticket(before: datetime) -> ColumnElement[bool]:
    """No ticket of its own nor a survey answer of one; last activity before `before`."""
    return and_(
        Response.ticket_id.is_(None),
        Response.id.not_in(
            select(SurveyInvitation.response_id).where(SurveyInvitation.response_id.is_not(None))
        ),
        func.coalesce(Response.completed_at, Response.updated_at) < before,
        _response_not_erased(),
    )


@dataclass(frozen=True)
class Preview:
    responses: int
    tickets: int


def preview(now: datetime | None = None, months: int | None = None) -> Preview | None:
    """How many responses and tickets the job would erase now (two counts; None when off)."""
    months = months or retention_months()
    if months is None:
        return None
    before = months_before(now or utcnow(), months)
    expired_tickets = select(Ticket.id).where(_expired_ticket(before, _finished_ticket()))
    tickets = db.session.scalar(select(func.count()).select_from(expired_tickets.subquery()))
    responses = db.session.scalar(
        select(func.count(Response.id)).where(
            or_(
                _expired_response_without_ticket(before),
                and_(
                    _response_not_erased(),
                    or_(
                        Response.ticket_id.in_(expired_tickets),
                        Response.id.in_(_survey_responses(expired_tickets)),
                    ),
                ),
            )
        )
    )
    return Preview(responses=responses or 0, tickets=tickets or 0)


# -- the batches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    held: HeldData
    last_id: int
    rows: int  # rows the page query returned: fewer than asked means the last page


def _files_of(responses: list[Response]) -> list[ResponseFile]:
    ids = [response.id for response in responses]
    if not ids:
        return []
    return list(db.session.scalars(select(ResponseFile).where(ResponseFile.response_id.in_(ids))))


def _held(**records: Any) -> HeldData:
    values: dict[str, Any] = {
        "address": "",
        "tickets": [],
        "responses": [],
        "files": [],
        "emails": [],
        "inbound": [],
        "invitations": [],
        "opt_out": None,  # the opt-out list is a wish, kept: it is not the customer's business
        "webhook_deliveries": 0,
    }
    return HeldData(**(values | records))


def _customer_mail(tickets: list[Ticket], invitations: list[SurveyInvitation]) -> list:
    """E-mails to these tickets' customers about these tickets: by the message keys their
    history recorded (and the confirmation's and surveys' own), to the customer's address —
    not the colleagues' notices about the same tickets (two queries)."""
    addresses = {t.customer_email.lower() for t in tickets if t.customer_email}
    if not addresses:
        return []
    keys = {f"ticket_confirmation:{ticket.id}" for ticket in tickets}
    keys |= {f"survey_invitation:{invitation.id}" for invitation in invitations}
    keys |= {f"survey_reminder:{invitation.id}" for invitation in invitations}
    for data in db.session.scalars(
        select(TicketEvent.data).where(
            TicketEvent.ticket_id.in_([ticket.id for ticket in tickets]),
            TicketEvent.kind.in_(("email_queued", "public_reply")),
        )
    ):
        if isinstance(data, dict) and isinstance(data.get("message_key"), str):
            keys.add(data["message_key"])
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.message_key.in_(sorted(keys)),
                func.lower(OutboxMessage.to_address).in_(sorted(addresses)),
            )
        )
    )


def _ticket_batch(before: datetime, finished: ColumnElement[bool], after_id: int, size: int):
    tickets = list(
        db.session.scalars(
            select(Ticket)
            .where(_expired_ticket(before, finished), Ticket.id > after_id)
            .options(defer(Ticket.search_text))
            .order_by(Ticket.id)
            .limit(size)
        )
    )
    if not tickets:
        return None
    ids = [ticket.id for ticket in tickets]
    responses = list(
        db.session.scalars(
            select(Response)
            .where(
                _response_not_erased(),
                or_(Response.ticket_id.in_(ids), Response.id.in_(_survey_responses(ids))),
            )
            .order_by(Response.id)
        )
    )
    invitations = list(
        db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.ticket_id.in_(ids)))
    )
    held = _held(
        tickets=tickets,
        responses=responses,
        files=_files_of(responses),
        ticket_files=files_of_tickets(ids),
        invitations=invitations,
        inbound=list(
            db.session.scalars(select(InboundEmail).where(InboundEmail.ticket_id.in_(ids)))
        ),
        emails=_customer_mail(tickets, invitations),
    )
    return Batch(held, ids[-1], len(tickets))


def _response_batch(before: datetime, after_id: int, size: int):
    responses = list(
        db.session.scalars(
            select(Response)
            .where(_expired_response_without_ticket(before), Response.id > after_id)
            .order_by(Response.id)
            .limit(size)
        )
    )
    if not responses:
        return None
    held = _held(responses=responses, files=_files_of(responses))
    return Batch(held, responses[-1].id, len(responses))


def _mail_batch(before: datetime, after_id: int, size: int):
    """ "Continue later" links sent, and e-mails that reached no ticket, older than the period.

    Keyed by the outbox id; the e-mails received (few, no ticket) go with the first page."""
    emails = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.template.in_(MAIL_WITHOUT_TICKET),
                OutboxMessage.created_at < before,
                OutboxMessage.to_address != "",
                OutboxMessage.id > after_id,
            )
            .order_by(OutboxMessage.id)
            .limit(size)
        )
    )
    inbound = list(
        db.session.scalars(
            select(InboundEmail)
            .where(InboundEmail.ticket_id.is_(None), InboundEmail.received_at < before)
            .order_by(InboundEmail.id)
            .limit(size)
        )
    )
    if not emails and not inbound:
        return None
    last_id = emails[-1].id if emails else after_id
    return Batch(_held(emails=emails, inbound=inbound), last_id, max(len(emails), len(inbound)))


# -- the run ---------------------------------------------------------------------------------


@dataclass
class RetentionRun:
    months: int
    counts: Counter
    finished: bool  # False: the time was up; the rest goes on the next run

    @property
    def erased_anything(self) -> bool:
        return any(self.counts.values())


def erase_expired_data(
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    run_seconds: float = RUN_SECONDS,
) -> RetentionRun | None:
    """Erase what the retention period says has expired; None when retention is off.

    Each batch is committed on its own, with the run's one audit entry brought up to date,
    so a crash loses no erasure from the log; files leave the disk after each commit.
    """
    months = retention_months()
    if months is None:
        return None
    now = now or utcnow()
    before = months_before(now, months)
    definitions = form_definitions(db.session.scalars(select(FormVersion)))
    finished_ticket = _finished_ticket()
    run = RetentionRun(months=months, counts=Counter(dict.fromkeys(COUNTED, 0)), finished=True)
    entry: AuditEntry | None = None
    deadline = time.monotonic() + run_seconds
    pages: list[Callable[[int], Batch | None]] = [
        lambda after: _ticket_batch(before, finished_ticket, after, batch_size),
        lambda after: _response_batch(before, after, batch_size),
        lambda after: _mail_batch(before, after, batch_size),
    ]
    for next_page in pages:
        after_id = 0
        while run.finished:
            batch = next_page(after_id)
            if batch is None:
                break
            batch.held.definitions = definitions
            stored_files = erase_records(batch.held, now)
            counts = batch.held.counts()
            erased = run.counts + Counter({key: counts[key] for key in COUNTED})
            written = _record_run(entry, run.months, erased)
            try:
                db.session.commit()
            except StaleDataError:  # a colleague changed one of these tickets meanwhile
                db.session.rollback()
                log.info("data retention: a ticket changed during the run; next run goes on")
                run.finished = False
                break
            entry, run.counts = written, erased
            Erasure(counts=counts, stored_files=stored_files).after_commit()
            after_id = batch.last_id
            if batch.rows < batch_size:
                break
            if time.monotonic() > deadline:
                run.finished = False
    write_setting(LAST_RUN_KEY, {"at": now.isoformat(), "finished": run.finished})
    db.session.commit()
    return run


def _record_run(entry: AuditEntry | None, months: int, counts: Counter) -> AuditEntry:
    """The run's one audit entry: counts only, never an address."""
    after = {"retention_months": months, **{key: counts[key] for key in COUNTED}}
    if entry is None:
        return audit.record("retention.erased", None, "Data retention", after=after, actor=None)
    entry.after = after
    return entry


# -- what the page shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionStatus:
    months: int | None
    last_run_at: datetime | None
    last_run_finished: bool
    last_erasure: AuditEntry | None


def retention_status() -> RetentionStatus:
    """The period, the job's last run and the last run that erased anything (three reads)."""
    last_run = read_setting(LAST_RUN_KEY) or {}
    try:
        last_run_at = datetime.fromisoformat(last_run["at"]) if last_run.get("at") else None
    except (TypeError, ValueError):
        last_run_at = None
    return RetentionStatus(
        months=retention_months(),
        last_run_at=last_run_at,
        last_run_finished=bool(last_run.get("finished", True)),
        last_erasure=db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "retention.erased")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ),
    )
