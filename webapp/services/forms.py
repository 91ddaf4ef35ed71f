"""Forms and responses: built-in forms, versions, saving answers step by step, submission.

A response is saved after every answer and is tied to the exact form version
it started on; publishing a new version never changes an in-flight
conversation. Completing a response whose `creates_ticket` rule holds creates
the ticket (routing, SLA) and the confirmation e-mail in the same transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from survey_forms import conversation
from survey_forms.definition import FormDefinition, load_form
from survey_forms.scoring import score_changes
from webapp.erased_text import ERASED
from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import Form, FormVersion, Response, Ticket, User, utcnow
from webapp.models.forms import save_score_changes
from webapp.outbox import queue_email
from webapp.services.customer_timezone import customer_timezone, response_timezone
from webapp.services.reply_addresses import customer_reply_address
from webapp.services.spam import is_blocked
from webapp.services.tickets import NewTicket, create_ticket

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "survey_forms" / "templates"
# The hidden field that names the customer in the customer's own app (a ticket keeps it).
CUSTOMER_ID_FIELD = "customer_id"

_definitions: dict[int, FormDefinition] = {}
_definitions_lock = threading.Lock()


class FormPublishRefused(ValueError):
    def __init__(self, problems):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def definition_for(version_id: int) -> FormDefinition:
    """The parsed definition of a published version (cached: versions never change)."""
    definition = _definitions.get(version_id)
    if definition is None:
        with _definitions_lock:
            definition = _definitions.get(version_id)
            if definition is None:
                result = load_form(db.session.get(FormVersion, version_id).yaml_text)
                if not result.ok:
                    raise FormPublishRefused(result.problems)
                definition = result.definition
                _definitions[version_id] = definition
    return definition


def definition_of(version: FormVersion) -> FormDefinition | None:
    """The parsed definition of a version row already loaded (no query; None if invalid)."""
    definition = _definitions.get(version.id)
    if definition is None:
        result = load_form(version.yaml_text)
        if not result.ok:
            return None
        with _definitions_lock:
            definition = _definitions.setdefault(version.id, result.definition)
    return definition


def forget_definitions() -> None:
    with _definitions_lock:
        _definitions.clear()


def active_version(form: Form) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.active.is_(True))
    )


def form_titles(locale: str) -> list[tuple[str, str]]:
    """(slug, title) of every form in use, titled in `locale` or the form's default language.

    One query for all forms with their active version; a form without a valid one keeps its slug.
    """
    rows = db.session.execute(
        select(Form.slug, FormVersion)
        .outerjoin(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.archived.is_(False))
    ).all()
    titles = []
    for slug, version in rows:
        definition = definition_of(version) if version is not None else None
        title = definition.text(definition.title, locale) if definition else ""
        titles.append((slug, title or slug))
    return sorted(titles, key=lambda pair: (pair[1].casefold(), pair[0]))


def published_forms() -> list[tuple[Form, FormDefinition]]:
    """Every form in use that has a valid live version, by slug, with its definition.

    One query whatever the number of forms (definitions come from the cache).
    """
    rows = db.session.execute(
        select(Form, FormVersion)
        .join(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.archived.is_(False))
        .order_by(Form.slug)
    ).all()
    published = []
    for form, version in rows:
        definition = definition_of(version)
        if definition is not None:
            published.append((form, definition))
    return published


def find_form(slug: str) -> Form | None:
    return db.session.scalar(select(Form).where(Form.slug == slug))


def find_form_and_active_version(slug: str) -> tuple[Form | None, int | None]:
    """The form and its active version's id in one query (every public page needs both)."""
    row = db.session.execute(
        select(Form, FormVersion.id)
        .outerjoin(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.slug == slug)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def find_response(slug: str, token: str) -> Response | None:
    """A conversation by its token, with its form loaded in the same query."""
    return db.session.scalar(
        select(Response)
        .join(Response.form)
        .options(contains_eager(Response.form))
        .where(Form.slug == slug, Response.token == token)
    )


def publish_form(slug: str, yaml_text: str, author: User | None = None) -> FormVersion:
    """Validate and publish a new version; responses already started keep theirs."""
    result = load_form(yaml_text)
    if not result.ok:
        raise FormPublishRefused(result.problems)
    if result.definition.slug != slug:
        raise FormPublishRefused([f"slug: the form is '{slug}', not '{result.definition.slug}'"])
    form = find_form(slug)
    if form is None:
        form = Form(slug=slug)
        db.session.add(form)
        db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(FormVersion.number)).where(FormVersion.form_id == form.id)
        )
        or 0
    ) + 1
    db.session.execute(
        update(FormVersion).where(FormVersion.form_id == form.id).values(active=False)
    )
    version = FormVersion(form=form, number=number, yaml_text=yaml_text, active=True, author=author)
    db.session.add(version)
    db.session.flush()
    return version


def install_builtin_forms() -> list[str]:
    """Publish each shipped form whose slug does not exist yet; returns the slugs added."""
    added = []
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        slug = path.stem
        if find_form(slug) is not None:
            continue
        try:
            with db.session.begin_nested():
                publish_form(slug, path.read_text(encoding="utf-8"))
        except IntegrityError:  # installed concurrently
            continue
        added.append(slug)
    return added


def signature(form: Form, name: str, value: str) -> str:
    """HMAC-SHA256 of one hidden field, for links that must not be edited (customer_id)."""
    return hmac.new(form.secret.encode(), f"{name}={value}".encode(), hashlib.sha256).hexdigest()


def hidden_from_query(
    form: Form, definition: FormDefinition, args: Mapping[str, str]
) -> tuple[dict, list[str]]:
    """Hidden fields from URL parameters; a signed field with a bad signature is dropped.

    Returns the fields and the names of those dropped (kept in the response's metadata).
    """
    hidden, rejected = {}, []
    for field in definition.hidden_fields:
        value = args.get(field.name)
        if value is None:
            continue
        value = str(value)[:500]
        if field.signed:
            given = str(args.get(f"{field.name}_sig", ""))
            if not hmac.compare_digest(given, signature(form, field.name, value)):
                rejected.append(field.name)
                continue
        hidden[field.name] = value
    return hidden, rejected


def hidden_query(
    form: Form, definition: FormDefinition, hidden: Mapping[str, Any]
) -> dict[str, str]:
    """URL parameters that give a new conversation the hidden fields of this one ("Answer
    again"): a signed field with its signature, checked when this conversation started."""
    args = {}
    for field in definition.hidden_fields:
        value = hidden.get(field.name)
        if not isinstance(value, str) or value == ERASED or field.name in _NOT_HIDDEN_PARAMS:
            continue
        args[field.name] = value
        if field.signed:
            args[f"{field.name}_sig"] = signature(form, field.name, value)
    return args


# The form page's own parameters: a hidden field of that name cannot travel in a link.
_NOT_HIDDEN_PARAMS = frozenset({"slug", "lang", "new", "edit", "resume", "embed", "channel"})


def new_response(
    form: Form,
    version_id: int,
    *,
    locale: str,
    channel: str,
    hidden: Mapping[str, Any],
    meta: Mapping[str, Any],
) -> Response:
    response = Response(
        form=form,
        form_version_id=version_id,
        locale=locale,
        channel=channel,
        answers={},
        hidden=dict(hidden),
        meta=dict(meta),
    )
    db.session.add(response)
    return response


def context_of(response: Response) -> dict:
    return {"hidden": response.hidden, "locale": response.locale, "channel": response.channel}


def record_answer(response: Response, question_id: str, raw: Any) -> None:
    """Validate and store one answer, dropping later answers that no longer apply.

    Raises `conversation.AnswerError` for an answer the question does not accept.
    """
    definition = definition_for(response.form_version_id)
    question = definition.question(question_id)
    visible = {
        q.id
        for q in conversation.visible_questions(
            definition, response.answers, **context_of(response)
        )
    }
    if question is None or question.id not in visible or response.completed_at is not None:
        raise conversation.AnswerError("not_asked")
    value = conversation.parse_answer(question, raw)
    answers = dict(response.answers)
    answers[question.id] = value
    _save_answers(response, conversation.prune(definition, answers, **context_of(response)))


def _save_answers(response: Response, answers: dict) -> None:
    """Store the answers with one UPDATE instead of a unit-of-work flush.

    Every step of every conversation comes through here; the ORM's flush costs more
    than the statement itself. The loaded object is told the new values are saved.
    Answers whose score changed (given, edited, pruned) go to `response_score` as well.
    """
    now = utcnow()
    if response.id is None:  # the first answer: the response is inserted with it
        response.answers, response.updated_at = answers, now
        return
    table = Response.__table__
    db.session.execute(
        update(table).where(table.c.id == response.id).values(answers=answers, updated_at=now)
    )
    # Insights count scores in SQL: a step that changes one writes it (a single statement).
    changes = score_changes(response.answers or {}, answers)
    if changes:
        save_score_changes(db.session.connection(), response.id, changes)
    set_committed_value(response, "answers", answers)
    set_committed_value(response, "updated_at", now)


def _save_completion(response: Response, completed_at: datetime, ticket_id: int) -> None:
    """Mark the response complete and tie it to its ticket in one UPDATE (see _save_answers).

    Set on the ORM object instead, the completion would be flushed as soon as routing the
    ticket runs its first query, and the ticket id in a second UPDATE at the commit.
    """
    if response.id is None:  # answered in one step: inserted with these values
        response.completed_at, response.ticket_id = completed_at, ticket_id
        return
    table = Response.__table__
    now = utcnow()
    db.session.execute(
        update(table)
        .where(table.c.id == response.id)
        .values(completed_at=completed_at, ticket_id=ticket_id, updated_at=now)
    )
    for name, value in (
        ("completed_at", completed_at),
        ("ticket_id", ticket_id),
        ("updated_at", now),
    ):
        set_committed_value(response, name, value)


def finish_if_done(response: Response) -> Ticket | None:
    """Complete the response when no question is left; create its ticket if the form says so."""
    definition = definition_for(response.form_version_id)
    context = context_of(response)
    if response.completed_at is not None or conversation.next_question(
        definition, response.answers, **context
    ):
        return None
    completed_at = utcnow()
    if not conversation.creates_ticket(definition, response.answers, **context):
        response.completed_at = completed_at
        return None
    new = _new_ticket(definition, response)
    if isinstance(new.customer_email, str) and is_blocked(new.customer_email):
        # A blocked sender (spam): the answers are kept, no ticket, no confirmation.
        response.completed_at = completed_at
        response.meta = {**(response.meta or {}), "blocked_sender": True}
        response.spam = True
        return None
    ticket = create_ticket(new)
    _save_completion(response, completed_at, ticket.id)
    if ticket.customer_email:
        _confirm(ticket)
    return ticket


def _confirm(ticket: Ticket) -> None:
    """The customer's confirmation: the ticket's number, when to expect a reply, the status
    link (through the outbox, in their language)."""
    queue_email(
        ticket.customer_email,
        "ticket_confirmation",
        ticket.customer_locale,
        {
            "ticket": ticket,
            "number": ticket.number,
            "name": ticket.customer_name,
            "status_link": external_url("public.ticket_status", token=ticket.status_token),
            "first_response_due": ticket.first_response_due_at,
            "customer_timezone": customer_timezone(ticket),  # None: shown in UTC, named
        },
        message_key=f"ticket_confirmation:{ticket.id}",
        reply_to=customer_reply_address(ticket),
    )


class TicketRefused(ValueError):
    """No ticket can be opened for the response (the code says why; the view words it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_ticket_for(response: Response) -> None:
    from webapp.services.customer_data import is_erased

    if response.ticket_id is not None:
        raise TicketRefused("has_ticket")
    if response.completed_at is None:
        raise TicketRefused("unfinished")
    if response.spam:
        raise TicketRefused("spam")
    if is_erased(response):
        raise TicketRefused("erased")


def open_ticket_for(response: Response, actor, *, tell_customer: bool = False) -> Ticket:
    """A ticket for a completed response the form's `creates_ticket` rule let pass (a
    passive's suggestion worth following up), made as the rule would have made it: routed,
    on the SLA clock, with the answers; the customer is told only if `tell_customer`.
    In the caller's transaction (the caller commits)."""
    check_ticket_for(response)
    definition = definition_for(response.form_version_id)
    new = _new_ticket(definition, response)
    if isinstance(new.customer_email, str) and is_blocked(new.customer_email):
        # Blocked since, or the rule let the response pass before the block was looked at:
        # no ticket, and above all no confirmation to a spammer's address.
        raise TicketRefused("spam")
    ticket = create_ticket(new)
    table = Response.__table__
    tied = db.session.execute(
        update(table)
        .where(table.c.id == response.id, table.c.ticket_id.is_(None))
        .values(ticket_id=ticket.id)
    ).rowcount
    if tied != 1:  # a colleague opened one for it a moment ago: the caller rolls back
        raise TicketRefused("has_ticket")
    set_committed_value(response, "ticket_id", ticket.id)
    from webapp.services.history import record_event

    record_event(ticket, "opened_from_response", actor, told=bool(tell_customer))
    if tell_customer and ticket.customer_email:
        _confirm(ticket)
    return ticket


# How many responses one "Open tickets" step takes: each ticket is routed and committed on
# its own, and the request must end in reasonable time.
MAX_TICKETS_AT_ONCE = 50


@dataclass
class OpenedTickets:
    """What opening tickets for several responses did: the tickets opened (their numbers,
    and how many customers were told), and the responses skipped, by why (TicketRefused's
    codes), with the number of the ticket a response has already."""

    opened: list[str] = dataclasses.field(default_factory=list)
    told: int = 0
    skipped: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    existing: list[str] = dataclasses.field(default_factory=list)  # of those with a ticket


def open_tickets_for(
    form: Form, response_ids: list[int], actor: User, *, tell_customer: bool = False
) -> OpenedTickets:
    """`open_ticket_for` each of these responses of `form` (others' ids are left out), oldest
    first, each in a transaction of its own (committed here): a refused or failing one
    undoes only itself, the tickets opened before it stay, and routing's lock on a team's
    round-robin pointer is held for one ticket, not the whole batch. The responses are read
    in one query; the ones that cannot become a ticket are skipped with the reason why."""
    done = OpenedTickets()
    ids = sorted(set(response_ids))[:MAX_TICKETS_AT_ONCE]
    if not ids:
        return done
    responses = db.session.scalars(
        select(Response).where(Response.form_id == form.id, Response.id.in_(ids))
    ).all()
    # Read before the first commit expires them (no query per response for what is known).
    chosen = [(response, response.id, response.ticket_id) for response in responses]
    for response, response_id, ticket_id in sorted(chosen, key=lambda row: row[1]):
        try:
            ticket = open_ticket_for(response, actor, tell_customer=tell_customer)
            number, told = ticket.number, bool(tell_customer and ticket.customer_email)
            db.session.commit()
        except TicketRefused as refusal:
            db.session.rollback()
            done.skipped.setdefault(refusal.code, []).append(response_id)
            if refusal.code == "has_ticket":
                tied = ticket_id or db.session.scalar(
                    select(Response.ticket_id).where(Response.id == response_id)
                )
                if tied:
                    done.existing.append(Ticket.number_for(tied))
            continue
        done.opened.append(number)
        done.told += told
    return done


def _new_ticket(definition: FormDefinition, response: Response) -> NewTicket:
    answers = response.answers
    email_question = next(
        (q.id for q in definition.questions if q.type == "email" and answers.get(q.id)), None
    )
    name = answers.get("name") if isinstance(answers.get("name"), str) else ""
    subject = answers.get(definition.subject_question) if definition.subject_question else None
    if not isinstance(subject, str) or not subject.strip():
        subject = definition.text(definition.title, response.locale)
    return NewTicket(
        subject=" ".join(subject.split())[:120],
        customer_name=(name or "")[:200],  # the column holds 200; a form may allow more
        customer_email=answers.get(email_question) if email_question else None,
        customer_locale=response.locale,
        channel=response.channel,
        form_slug=definition.slug,
        answers=dict(answers),
        score=conversation.score_of(definition, answers),
        metadata={**response.meta, **response.hidden, **response_timezone(response)},
        **customer_ref_of(definition, response.hidden),
    )


def customer_ref_of(definition: FormDefinition, hidden: Mapping[str, Any]) -> dict[str, Any]:
    """The hidden customer_id as a ticket keeps it, and whether it is verified: the form
    signs the field, so `hidden_from_query` kept it only with a good signature."""
    value = hidden.get(CUSTOMER_ID_FIELD)
    if not isinstance(value, str) or not value.strip() or value == ERASED:
        return {}
    signed = any(f.name == CUSTOMER_ID_FIELD and f.signed for f in definition.hidden_fields)
    return {"customer_ref": value[:500], "customer_ref_verified": signed}
