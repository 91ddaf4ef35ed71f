"""Everything the ticket workspace shows, computed once per request (templates never query)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.i18n import PRIORITY_LABELS
from webapp.models import (
    Task,
    Team,
    Ticket,
    TicketEvent,
    TicketLabel,
    User,
    utcnow,
)
from webapp.services import presence
from webapp.services.forms import CUSTOMER_ID_FIELD
from webapp.services.merging import merge_candidates
from webapp.services.notes import active_staff
from webapp.services.reminders import pending_reminders
from webapp.services.replies import canned_replies_for, new_reply_nonce
from webapp.services.reply_collisions import CONVERSATION_EVENTS, last_message_id
from webapp.services.reply_deliveries import (
    MailDelivery,
    deliveries_of,
    marks_fingerprint,
    watched_marks,
)
from webapp.services.same_customer import same_customer_condition
from webapp.services.sharing import SCOPES
from webapp.services.tasks import is_overdue, task_options, tasks_of
from webapp.services.ticket_access import can_see_id, visible_condition, visible_numbers
from webapp.services.ticket_changes import change_tag, shown_mark
from webapp.services.tickets import available_triggers, moves_after_reply
from webapp.services.watchers import WATCH_EVENTS, watchers_of
from webapp.services.workflow_versions import machine_for
from webapp.tickets.conversation import conversation_of, form_wording, metadata_of
from webapp.tickets.presenters import refusal_message, sla_clocks, state_label
from webapp.timezone_choices import zone_in_words

SECTIONS = (
    "header",
    "conversation",
    "reply",
    "notes",
    "timeline",
    "sla",
    "labels",
    "tasks",
    "reminders",
    "watchers",
    "share",
    "merge",
    "spam",
)


def load_ticket(ticket_id: int) -> Ticket | None:
    """The ticket with what the workspace reads on every render, in few queries."""
    return db.session.get(
        Ticket,
        ticket_id,
        options=[
            joinedload(Ticket.team),
            joinedload(Ticket.assignee),
            selectinload(Ticket.labels).joinedload(TicketLabel.added_by),
        ],
    )


def board_url(**filters: str) -> str:
    """A link to the board with a filter (e.g. a label)."""
    return url_for("board.index", **filters)


def timeline(ticket: Ticket) -> tuple[list[TicketEvent], dict[str, MailDelivery]]:
    """Events newest first, and the delivery of every e-mail they mention, by message key.

    Two queries whatever the number of events: the events (with their actors), then
    the outbox rows of all message keys found in them.
    """
    events = db.session.scalars(
        select(TicketEvent)
        .options(joinedload(TicketEvent.actor))
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc())
    ).all()
    return list(events), deliveries_of(key for event in events for key in message_keys(event))


# Events naming another ticket (which it links to), and where they keep its number.
LINKED_TICKET = {
    "merged_into": "target",
    "merged_from": "source",
    "unmerged": "target",
    "unmerged_from": "source",
}


def linked_numbers(events: Iterable[TicketEvent]) -> set[str]:
    """The other tickets the history names (a merge's other side)."""
    return {
        str(number)
        for event in events
        if event.kind in LINKED_TICKET
        and (number := (event.data or {}).get(LINKED_TICKET[event.kind]))
    }


def message_keys(event: TicketEvent) -> list[str]:
    data = event.data or {}
    keys = [data.get("message_key")] + list(data.get("message_keys") or [])
    return [key for key in keys if isinstance(key, str)]


@dataclass(frozen=True)
class TaskView:
    task: Task
    state: str
    overdue: bool
    options: list[dict[str, str]]


def task_views(ticket: Ticket, user: User, locale: str) -> list[TaskView]:
    views = []
    for task in tasks_of(ticket):
        states = machine_for(task.workflow_version_id).definition.states
        views.append(
            TaskView(
                task=task,
                state=states[task.state].label(locale),
                overdue=is_overdue(task),
                options=[
                    {"trigger": o.trigger, "label": o.transition.label(locale)}
                    for o in task_options(task, user)
                ],
            )
        )
    return views


def task_state_labels(tasks: list[TaskView], locale: str) -> dict[str, str]:
    """Task states in the viewer's language, for task events on the timeline."""
    labels: dict[str, str] = {}
    for version_id in {view.task.workflow_version_id for view in tasks}:
        states = machine_for(version_id).definition.states
        labels.update({name: state.label(locale) for name, state in states.items()})
    return labels


def move_options(ticket: Ticket, user: User, locale: str) -> list[dict[str, Any]]:
    if ticket.merged_into_id is not None or ticket.spam_at is not None:  # it stays put
        return []
    definition = machine_for(ticket.workflow_version_id).definition
    return [
        {
            "trigger": option.trigger,
            "label": option.transition.label(locale),
            "dest": definition.states[option.dest].label(locale),
            "allowed": option.allowed,
            "refusal": refusal_message(option.refused.code, option.refused.detail)
            if option.refused
            else None,
        }
        for option in available_triggers(ticket, user)
    ]


def reply_moves(ticket: Ticket, user: User, locale: str) -> list[tuple[str, str]]:
    """(trigger, label) of the moves the reply box offers after sending: none for a ticket
    that stays put (merged, spam), as the header's buttons."""
    if ticket.merged_into_id is not None or ticket.spam_at is not None:
        return []
    return [
        (option.trigger, option.transition.label(locale))
        for option in moves_after_reply(ticket, user)
    ]


@dataclass
class FormState:
    """What the agent typed (kept on errors and previews) and the messages about it."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # The fields each error is about: they are marked invalid and point at the message.
    refused_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def value(self, form: str, name: str, default: Any = "") -> Any:
        return self.values.get(form, {}).get(name, default)

    def refused(self, form: str, name: str) -> bool:
        """Whether the field `name` of `form` is what the error is about."""
        return form in self.errors and name in self.refused_fields.get(form, ())


@dataclass(frozen=True)
class CustomerRequest:
    number: str
    subject: str
    state: str  # in the viewer's language
    created_at: Any
    merged_into: str = ""  # the number it was merged into
    spam: bool = False


@dataclass(frozen=True)
class CustomerRequests:
    """The customer's other tickets, newest first: what they asked before, or still wait for."""

    shown: list[CustomerRequest]
    total: int

    SHOWN = 5


def customer_requests(ticket: Ticket, locale: str, viewer: User) -> CustomerRequests:
    """One query (the total rides along as a window count), by the e-mail's lower case or
    the verified customer id; a ticket matching both is counted once.

    Only tickets `viewer` may see: another team's subjects stay with that team.
    """
    same_customer = same_customer_condition(ticket)
    if same_customer is None:
        return CustomerRequests([], 0)
    visible = visible_condition(viewer)
    rows = db.session.execute(
        select(
            Ticket.id,
            Ticket.subject,
            Ticket.state,
            Ticket.workflow_version_id,
            Ticket.created_at,
            Ticket.merged_into_id,
            Ticket.spam_at,
            func.count().over().label("total"),
        )
        .where(
            same_customer,
            Ticket.id != ticket.id,
            *([] if visible is None else [visible]),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(CustomerRequests.SHOWN)
    ).all()
    shown = []
    for row in rows:
        states = machine_for(row.workflow_version_id).definition.states  # cached per version
        state = states[row.state].label(locale) if row.state in states else row.state
        number = Ticket.number_for(row.id)
        merged_into = Ticket.number_for(row.merged_into_id) if row.merged_into_id else ""
        shown.append(
            CustomerRequest(
                number, row.subject, state, row.created_at, merged_into, row.spam_at is not None
            )
        )
    # "All N requests" lists them on the ticket list, filtered by the same condition.
    return CustomerRequests(shown, rows[0].total if rows else 0)


def merge_choices(ticket: Ticket, viewer: User, locale: str) -> list[CustomerRequest]:
    """The customer's other open requests this ticket may be merged into (one query)."""
    return [
        CustomerRequest(other.number, other.subject, state_label(other, locale), other.created_at)
        for other in merge_candidates(ticket, viewer)
    ]


@dataclass(frozen=True)
class Colleagues:
    """Who else has the ticket open: those writing a reply, and those only looking."""

    writing: list[str]
    looking: list[str]


def _present_names(present: list[presence.Present], staff: list[User]) -> Colleagues:
    names = {person.id: person.name for person in staff}
    shown = sorted((p for p in present if p.user_id in names), key=lambda p: names[p.user_id])
    return Colleagues(
        [names[p.user_id] for p in shown if p.replying],
        [names[p.user_id] for p in shown if not p.replying],
    )


def workspace_context(
    ticket: Ticket,
    user: User,
    forms: FormState | None = None,
    present: list[presence.Present] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The template context of the whole workspace (every section). `present`: the
    colleagues the live poll just heard of; else the page notes its viewer itself."""
    locale = str(get_locale())
    if present is None:
        present = presence.here(ticket.id, user.id, False, utcnow())
    definition = machine_for(ticket.workflow_version_id).definition
    talk = conversation_of(ticket)
    metadata, hidden = metadata_of(ticket, talk)
    if ticket.customer_ref:  # among the customer's facts, marked verified or not
        hidden.pop(CUSTOMER_ID_FIELD, None)
    wording = form_wording(ticket, talk, locale, answer_lang=ticket.customer_locale)
    events, mails = timeline(ticket)
    thread = [e for e in reversed(events) if e.kind in CONVERSATION_EVENTS]
    live = shown_mark(ticket, events)
    # The replies' e-mails still on their way (or failed): the live refresh redraws their marks.
    mail_marks = watched_marks(thread, mails)
    staff = active_staff()
    watchers = watchers_of(ticket)
    tasks = task_views(ticket, user, locale)
    teams = list(db.session.scalars(select(Team).order_by(Team.name)))
    team_names = {team.slug: team.name for team in teams}  # events and rules name the slug
    from webapp.admin.form_words import FormNames  # the one describer's names

    form_names = FormNames()  # forms and questions by title and text, loaded once if needed
    return {
        "ticket": ticket,
        "me": user,
        # "Warszawa, UTC+01:00" in the agent's language, not "Europe/Warsaw".
        "my_zone": zone_in_words(user.timezone or "UTC", locale, utcnow()),
        "state": definition.states[ticket.state].label(locale),
        "state_labels": {name: s.label(locale) for name, s in definition.states.items()},
        "options": move_options(ticket, user, locale),
        "clocks": sla_clocks(ticket, teams=team_names, forms=form_names),
        "talk": talk,
        "form_wording": wording,
        "metadata": metadata,
        "hidden_fields": hidden,
        "customer_requests": customer_requests(ticket, locale, user),
        "events": events,
        "deliveries": {key: mail.status for key, mail in mails.items()},  # the history's ✉
        "mails": mails,  # the conversation's replies: sent, on the way, or failed and why
        # The history links only to the tickets the viewer may open (another team's: a 404).
        "openable": visible_numbers(user, linked_numbers(events)),
        "canned": canned_replies_for(ticket.customer_locale),
        "reply_nonce": new_reply_nonce(),
        # "Then" beside "Send reply": the moves the agent may make once the reply is sent.
        "reply_then": reply_moves(ticket, user, locale),
        "last_message": last_message_id(events),  # what the agent sees while writing
        # What the page's live refresh asks about: "anything newer than this?"
        "live": live,
        "live_tag": change_tag(
            ticket.id,
            live,
            locale,
            utcnow(),
            presence.fingerprint(present),
            marks_fingerprint(mail_marks),
        ),
        "mail_marks": mail_marks,
        # Colleagues with the ticket open now, named from the staff list (no query).
        "colleagues": _present_names(present, staff),
        # Replies both ways after the form, oldest first: the conversation as one thread.
        "thread": thread,
        "staff": staff,
        "teams": teams,
        "team_names": team_names,
        "form_names": form_names,
        "routing_rules": definition.rules,  # what an older `routed` event's rule tested
        "priorities": list(PRIORITY_LABELS),
        "label_links": {label.name: board_url(label=label.name) for label in ticket.labels},
        "tasks": tasks,
        "task_state_labels": task_state_labels(tasks, locale),
        "reminders": pending_reminders(ticket, user),
        "watchers": watchers,
        "watching": any(w.user_id == user.id for w in watchers),
        "watch_events": WATCH_EVENTS,
        "share_scopes": SCOPES,
        "merge_candidates": merge_choices(ticket, user, locale),
        "merge_into": None,  # the ticket a merge is being confirmed into
        # Undoing a merge changes the kept ticket too: only for those who may open it (and
        # only they get links to it).
        "can_undo_merge": ticket.merged_into_id is not None
        and can_see_id(user, ticket.merged_into_id),
        "spam_confirm": False,  # the agent asked to mark it as spam: what happens, confirm
        "forms": forms or FormState(),
        "sections": SECTIONS,
        **extra,
    }


def only_sections(names: Iterable[str]) -> list[str]:
    return [name for name in names if name in SECTIONS]
