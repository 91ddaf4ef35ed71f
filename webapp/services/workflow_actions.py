"""Execute the actions a workflow names (after a move, on breach, in automations).

Each action name in `workflow.registry.ACTIONS` has exactly one executor
here. Executors only change rows and write outbox messages in the current
transaction; nothing leaves the process before the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import Team, TeamMembership, Ticket, User
from webapp.outbox import queue_email
from webapp.services.history import record_event
from webapp.services.reply_addresses import customer_reply_address
from workflow.conditions import evaluate
from workflow.definition import ActionRef, action_params
from workflow.registry import custom_webhook_event, raised_priority

# What happened, for the executors that tell someone about it: {"metric": "resolution"}
# when an SLA deadline was missed. Executors that do not tell anyone ignore it.
Details = Mapping[str, Any] | None
Executor = Callable[[Ticket, Any, User | None, Details], None]


def _customer_state_label(ticket: Ticket, locale: str) -> str:
    """The state as the customer reads it, as on their status page: "waiting on customer"
    is, to them, "waiting for your reply"."""
    from webapp.services.customer_requests import customer_state_label
    from webapp.services.workflow_versions import machine_for

    state = machine_for(ticket.workflow_version_id).definition.states[ticket.state]
    with force_locale(locale):
        return customer_state_label(state, locale)


# Customer e-mails a `notify_customer` action sends with their own files (admins edit them
# on the E-mail texts page); any other name is a kind of the `ticket_update` e-mail.
OWN_CUSTOMER_TEMPLATES = frozenset({"still_waiting"})


def email_customer(ticket: Ticket, template: str, actor: User | None, **extra: Any) -> bool:
    """Queue a ticket e-mail to its customer, recorded on the timeline; False without an
    address. `extra` goes to the template (the merged request's number, say)."""
    if not ticket.customer_email:
        return False
    locale = ticket.customer_locale
    message = queue_email(
        ticket.customer_email,
        template if template in OWN_CUSTOMER_TEMPLATES else "ticket_update",
        locale,
        {
            "ticket": ticket,
            "number": ticket.number,
            "kind": template,
            "state_label": _customer_state_label(ticket, locale),
            "name": ticket.customer_name,
            # "Waiting on you" asks for an answer: the status page is where they give it.
            "status_link": external_url("public.ticket_status", token=ticket.status_token),
            **extra,
        },
        reply_to=customer_reply_address(ticket),
    )
    record_event(
        ticket,
        "email_queued",
        None,
        to="customer",
        template=template,
        message_key=message.message_key,
    )
    return True


def _email_staff(
    ticket: Ticket,
    users: Iterable[User],
    template: str,
    actor: User | None = None,
    details: Details = None,
) -> None:
    """Notify each colleague once, as their settings and working hours say (never the actor)."""
    from webapp.services.notifications import event_for_workflow_kind, notify

    event = event_for_workflow_kind(template)
    context = {**(details or {}), "kind": template}
    if template in ("customer_replied", "ticket_reopened") and (
        text := _reply_just_received(ticket)
    ):
        # Whole: erasing the customer's data finds and scrubs their words by the full text.
        context["reply_text"] = text
    for user in {u.id: u for u in users if u and u.active}.values():
        key = notify(user, event, ticket, "staff_ticket_notice", context, actor=actor)
        if key:
            record_event(
                ticket, "email_queued", None, to=user.email, template=template, message_key=key
            )


# What the customer just wrote, while `replies.receive_customer_reply` moves the ticket on:
# (ticket id, text). The "customer replied" and "reopened" notices quote it; an agent moving
# a card to "Customer replied" (or reopening it) by hand has nothing to quote.
reply_being_received: ContextVar[tuple[int, str] | None] = ContextVar(
    "loopdesk_reply_being_received", default=None
)


def _reply_just_received(ticket: Ticket) -> str | None:
    received = reply_being_received.get()
    if received is None or received[0] != ticket.id or not received[1].strip():
        return None
    return received[1]


def _team_members(ticket: Ticket, leads_only: bool) -> list[User]:
    if ticket.team_id is None:
        return []
    query = (
        select(User)
        .join(TeamMembership)
        .where(TeamMembership.team_id == ticket.team_id, User.active.is_(True))
    )
    if leads_only:
        query = query.where(TeamMembership.is_lead.is_(True))
    return list(db.session.scalars(query))


def notify_customer(
    ticket: Ticket, template: Any, actor: User | None, details: Details = None
) -> None:
    email_customer(ticket, str(template), actor)


def notify_assignee(
    ticket: Ticket, template: Any, actor: User | None, details: Details = None
) -> None:
    if ticket.assignee and ticket.assignee != actor:
        _email_staff(ticket, [ticket.assignee], str(template), actor, details)


def notify_team(ticket: Ticket, template: Any, actor: User | None, details: Details = None) -> None:
    _email_staff(ticket, _team_members(ticket, False), str(template), actor, details)


def notify_team_lead(
    ticket: Ticket, template: Any, actor: User | None, details: Details = None
) -> None:
    _email_staff(ticket, _team_members(ticket, True), str(template), actor, details)


def notify_watchers(
    ticket: Ticket, template: Any, actor: User | None, details: Details = None
) -> None:
    """The definition asks to tell every watcher, whatever events they chose."""
    from webapp.services.watchers import notify_watchers as tell_watchers

    # A missed deadline reads as it does for the assignee: "first response overdue".
    tell_watchers(ticket, str(template), actor, everyone=True, details=details)


def schedule_survey(
    ticket: Ticket, params: Any, actor: User | None, details: Details = None
) -> None:
    from webapp.services import surveys
    from workflow.registry import survey_reminder_days

    surveys.schedule_survey(
        ticket,
        str(params["form"]),
        str(params.get("after", "0m")),
        actor,
        remind_after_days=survey_reminder_days(params),
    )


def cancel_survey(ticket: Ticket, params: Any, actor: User | None, details: Details = None) -> None:
    from webapp.services import surveys

    surveys.cancel_surveys(ticket, actor)


def add_label(ticket: Ticket, name: Any, actor: User | None, details: Details = None) -> None:
    from webapp.services.tickets import add_label as add

    add(ticket, str(name), actor)


def set_priority(
    ticket: Ticket, priority: Any, actor: User | None, details: Details = None
) -> None:
    from webapp.services import sla_clock

    if ticket.priority != priority:
        previous, ticket.priority = ticket.priority, str(priority)
        sla_clock.apply_sla(ticket)
        record_event(ticket, "priority", actor, previous=previous, priority=ticket.priority)


def raise_priority(
    ticket: Ticket, params: Any, actor: User | None, details: Details = None
) -> None:
    set_priority(ticket, raised_priority(ticket.priority), actor)


def assign_team(ticket: Ticket, slug: Any, actor: User | None, details: Details = None) -> None:
    from webapp.services.tickets import move_to_team

    team = db.session.scalar(select(Team).where(Team.slug == str(slug)))
    if team is not None and team.id != ticket.team_id:
        move_to_team(ticket, team, actor)


def send_template(
    ticket: Ticket, template: Any, actor: User | None, details: Details = None
) -> None:
    from webapp.services.non_essential_mail import send_dedicated_template

    # Templates with their own files (testimonial_request) honour unsubscribes;
    # any other name is a kind of the `ticket_update` e-mail.
    if not send_dedicated_template(ticket, str(template)):
        email_customer(ticket, str(template), actor)


def webhook(ticket: Ticket, event: Any, actor: User | None, details: Details = None) -> None:
    """Send the custom event `workflow.<name>` (default `workflow.action`) to the webhooks
    subscribed to it; admins tick such events on the webhook's page."""
    from webapp.services import webhooks

    name = custom_webhook_event(event)
    record_event(ticket, "webhook_requested", actor, event=name or str(event))
    if name is not None:
        webhooks.queue_deliveries(ticket, name, {"requested_by": actor.name if actor else None})


EXECUTORS: dict[str, Executor] = {
    "notify_customer": notify_customer,
    "notify_assignee": notify_assignee,
    "notify_team": notify_team,
    "notify_team_lead": notify_team_lead,
    "notify_watchers": notify_watchers,
    "schedule_survey": schedule_survey,
    "cancel_survey": cancel_survey,
    "add_label": add_label,
    "set_priority": set_priority,
    "raise_priority": raise_priority,
    "assign_team": assign_team,
    "send_template": send_template,
    "webhook": webhook,
}


def run_actions(
    ticket: Ticket,
    actions: Iterable[ActionRef],
    actor: User | None,
    reason: str,
    details: Details = None,
) -> None:
    """Run named actions in order, in the caller's transaction; `details` say what happened."""
    for action in actions:
        EXECUTORS[action.name](ticket, action_params(action), actor, details)


def run_automations(ticket: Ticket, event: str, **context: Any) -> None:
    """Run the definition's automation rules listening to `event` whose `when` holds."""
    from webapp.services.tickets import ticket_facts
    from webapp.services.workflow_versions import machine_for

    automations = machine_for(ticket.workflow_version_id).definition.automations
    # Numbered as in the workflow, so an unnamed one reads "Automation 2" on the history.
    rules = [(number, r) for number, r in enumerate(automations, start=1) if r["on"] == event]
    if not rules:
        return
    facts = {**ticket_facts(ticket), "event": context}
    for number, rule in rules:
        if evaluate(rule["when"], facts):
            name = rule.get("name")
            record_event(
                ticket,
                "automation",
                None,
                rule=str(name) if name not in (None, "") else None,
                number=number,
                on=event,
            )
            run_actions(ticket, rule["do"], actor=None, reason=f"automation:{event}")
