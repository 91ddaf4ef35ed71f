"""Turn workflow data into what an agent reads, in their language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from babel.dates import get_day_names
from babel.lists import format_list
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Ticket, User, utcnow
from webapp.services import presence, public_holidays, sla_clock
from webapp.services.workflow_versions import machine_for
from webapp.timezone_choices import zone_in_words
from workflow.calendars import BusinessCalendar
from workflow.durations import Duration
from workflow.registry import EVENTS
from workflow.sla import deadlines

if TYPE_CHECKING:
    from webapp.services.tickets import TicketConflict

GUARD_REFUSALS = {
    "has_assignee": _l("Assign the ticket to someone first."),
    "has_team": _l("Give the ticket a team first."),
    "has_public_reply": _l("Reply to the customer first."),
    "has_customer_email": _l("The customer left no e-mail address."),
    "no_open_tasks": _l("Finish or decline the open tasks first."),
    "has_due_date": _l("Set a due date first."),
}
ROLE_NAMES = {
    "agent": _l("agents"),
    "admin": _l("administrators"),
    "assignee": _l("the assignee"),
    "customer": _l("the customer"),
    "system": _l("Loopdesk itself"),
}
METRIC_LABELS = {"first_response": _l("First response"), "resolution": _l("Resolution")}
SLA_STATUS_LABELS = {
    "ok": _l("on track"),
    "warned": _l("due soon"),
    "breached": _l("overdue"),
    "met": _l("met"),
    "paused": _l("paused"),
    "skipped": _l("resolved without a reply"),
    "stopped": _l("stopped"),
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def sla_status_label(status: str) -> str:
    return str(SLA_STATUS_LABELS.get(status, status))


def automation_ran(data: Mapping) -> str:
    """The history's line for an automation: by the admin's name, else by its number in the
    workflow ("Automation 2 ran."), never by the event code it listens to."""
    name, number = data.get("rule"), data.get("number")
    if "number" not in data and name in EVENTS:
        return gettext("An automation ran.")  # recorded before numbers: the name was the event
    if name:
        return gettext("Automation “%(rule)s” ran.", rule=name)
    if isinstance(number, int):
        return gettext("Automation %(n)s ran.", n=number)
    return gettext("An automation ran.")


def metric_label(metric: str | None) -> str:
    return str(METRIC_LABELS.get(metric or "", metric or ""))


def refusal_message(code: str, detail) -> str:
    """Why a move is refused, in the viewer's language."""
    if code == "guard":
        return str(GUARD_REFUSALS.get(detail, _l("This is not possible now.")))
    if code == "role":
        who = [str(ROLE_NAMES.get(role, role)) for role in (detail or ())]
        return gettext(
            "Only %(who)s can do this.", who=format_list(who, style="or", locale=get_locale())
        )
    if code == "wrong_state":
        return gettext("This move is not possible from the ticket's current state.")
    if code == "merged":
        return gettext(
            "This ticket was merged into %(number)s: carry on there.",
            number=Ticket.number_for(detail) if isinstance(detail, int) else "—",
        )
    if code == "spam":
        return gettext("This ticket was marked as spam: choose “Not spam” first.")
    return gettext("This action does not exist.")


@dataclass(frozen=True)
class Colleague:
    """A colleague who has a ticket open now (services.presence), as its mark reads."""

    initials: str
    says: str  # "Maja Novak has this ticket open" / "… is writing a reply to the customer"
    replying: bool


def colleagues_on_tickets(
    viewer_id: int, now: datetime, ticket_ids: set[int] | None = None
) -> dict[int, list[Colleague]]:
    """Who else has each ticket open (of `ticket_ids`, else any), by ticket id: one read of
    presence for the whole page, and the names in one query (none while nobody is about)."""
    found = presence.on_tickets(viewer_id, now)
    if ticket_ids is not None:
        found = {
            ticket_id: people for ticket_id, people in found.items() if ticket_id in ticket_ids
        }
    ids = {p.user_id for people in found.values() for p in people}
    if not ids:
        return {}
    staff = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    looking = gettext("%(name)s has this ticket open")
    writing = gettext("%(name)s is writing a reply to the customer")
    return {
        ticket_id: [
            Colleague(
                staff[p.user_id].initials,
                (writing if p.replying else looking) % {"name": staff[p.user_id].name},
                p.replying,
            )
            for p in people
            if p.user_id in staff
        ]
        for ticket_id, people in found.items()
    }


def state_label(ticket: Ticket, locale: str) -> str:
    return machine_for(ticket.workflow_version_id).definition.states[ticket.state].label(locale)


def describe_target(target: Duration) -> str:
    parts = []
    if target.days:
        parts.append(ngettext("%(num)d business day", "%(num)d business days", target.days))
    hours, minutes = divmod(target.minutes, 60)
    if hours:
        parts.append(ngettext("%(num)d business hour", "%(num)d business hours", hours))
    if minutes:
        parts.append(ngettext("%(num)d business minute", "%(num)d business minutes", minutes))
    return format_list(parts, locale=get_locale()) if parts else gettext("no time")


def describe_hours(calendar: BusinessCalendar) -> str:
    """e.g. 'pon.–pt. 08:00–18:00' with the viewer's weekday names; equal days grouped."""
    return "; ".join(hours_by_days(calendar))


def hours_by_days(calendar: BusinessCalendar) -> list[str]:
    """['pon.–czw. 08:00–18:00', 'pt. 08:00–16:00']: days with equal hours grouped, in the
    viewer's weekday names; closed days left out."""
    names = get_day_names("abbreviated", locale=get_locale())  # 0 = Monday
    hours = calendar.weekly_hours
    groups: list[tuple[int, int, str]] = []
    for index, day in enumerate(_WEEKDAYS):
        text = ", ".join(interval_text(start, end) for start, end in hours.get(day, []))
        if not text:
            continue
        if groups and groups[-1][1] == index - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], index, text)
        else:
            groups.append((index, index, text))
    return [
        (names[first] if first == last else f"{names[first]}–{names[last]}") + f" {text}"
        for first, last, text in groups
    ]


def interval_text(start: str, end: str) -> str:
    """ "09:00–17:00"; a night shift says where it ends: "22:00–06:00 (next day)"."""
    if end < start:  # "HH:MM" texts compare as times; an end of "24:00" is never earlier
        return gettext("%(start)s–%(end)s (next day)", start=start, end=end)
    return f"{start}–{end}"


def describe_calendar(calendar: BusinessCalendar) -> str:
    zone = zone_in_words(calendar.timezone, str(get_locale()), utcnow())  # "Warszawa, UTC+01:00"
    parts = [zone, describe_hours(calendar)]
    if calendar.holiday_country:
        country = holiday_country_name(calendar.holiday_country, calendar.holiday_subdivision)
        parts.append(gettext("public holidays: %(country)s", country=country))
    return ", ".join(p for p in parts if p)


def open_hours_in_words(calendar: BusinessCalendar) -> str:
    """'Mon–Fri 08:00–18:00 (Warsaw, UTC+01:00), public holidays: Poland'."""
    hours = gettext(
        "%(hours)s (%(zone)s)",
        hours=describe_hours(calendar),
        zone=zone_in_words(calendar.timezone, str(get_locale() or "en"), utcnow()),
    )
    if calendar.holiday_country:
        hours = f"{hours}, " + gettext(
            "public holidays: %(country)s",
            country=holiday_country_name(calendar.holiday_country, calendar.holiday_subdivision),
        )
    return hours


def holiday_country_name(code: str, region: str | None = None) -> str:
    """The country whose public holidays a calendar keeps, in the viewer's language ('Polska'),
    and its region where the calendar follows one ('Niemcy – Bayern (DE-BY)')."""
    return public_holidays.holidays_label(code, region)


def describe_pause(paused: timedelta) -> str:
    minutes = int(paused.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes or not hours:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return format_list(parts, locale=get_locale())


@dataclass(frozen=True)
class ClockView:
    metric: str
    label: str
    due_at: datetime | None
    met_at: datetime | None
    status: str  # ok | warned | breached | met | paused | skipped | stopped
    target: str
    policy: str  # the policy's name as tickets store it ("policy 2" when its admin gave none)
    policy_number: int | None  # its place (from 1) when unnamed, to read "Policy 2"; else None
    reason: str | None  # the policy's condition in words; None: the policy takes any ticket
    calendar: str
    paused: str | None


def sla_clocks(
    ticket: Ticket,
    now: datetime | None = None,
    teams: Mapping[str, str] | None = None,
    forms: Any = None,
) -> list[ClockView]:
    """Each SLA clock with its due time and the reasons behind it.

    `teams`: team names by routing name, so a policy for a team names it as agents know it;
    `forms` (a `FormNames`): form titles and question texts, loaded once per page.
    """
    now = now or utcnow()
    choice = sla_clock.policy_choice(ticket)
    if choice is None:
        return []
    from webapp.tickets.routing_reasons import condition_words, policy_named

    named = policy_named(choice.policy.name, choice.index)
    number = None if named or choice.index is None else choice.index + 1

    reason = None if choice.is_default else condition_words(choice.policy.when, teams, forms)
    # Once resolved, the clocks stop for good: the days since are no pause to explain.
    paused = sla_clock.paused_time(ticket, min(now, ticket.resolved_at or now))
    # Closed unresolved (spam, merged): nothing is owed, so no deadline runs or waits.
    stopped = sla_clock.clocks_stopped(ticket)
    views = []
    pushed_back = paused + sla_clock.calendar_shift(ticket)
    for metric, deadline in deadlines(
        choice, ticket.sla_started_at or ticket.created_at, pushed_back
    ).items():
        met = ticket.first_response_at if metric == "first_response" else ticket.resolved_at
        breached = getattr(ticket, f"{metric}_breached_at")
        warned = getattr(ticket, f"{metric}_warned_at")
        if met:
            status = "met"
        elif metric == "first_response" and ticket.resolved_at:
            status = "skipped"  # no answer was owed after all; reopening resumes the clock
        elif stopped:  # a deadline missed before the close stays missed
            status = "breached" if breached else "stopped"
        elif ticket.sla_paused_since:
            missed = breached or sla_clock.missed_before_pause(ticket, metric)
            status = "breached" if missed else "paused"
            # The deadline that was missed, not one the pause keeps pushing back.
            stored_due = getattr(ticket, f"{metric}_due_at")
            if missed and stored_due:
                deadline = replace(deadline, due_at=stored_due)
        elif breached or deadline.due_at <= now:
            status = "breached"
        elif warned or deadline.warn_at <= now:
            status = "warned"
        else:
            status = "ok"
        views.append(
            ClockView(
                metric=metric,
                label=str(METRIC_LABELS[metric]),
                due_at=deadline.due_at,
                met_at=met,
                status=status,
                target=describe_target(deadline.target),
                policy=choice.policy.name,
                policy_number=number,
                reason=reason,
                calendar=describe_calendar(choice.calendar),
                paused=describe_pause(paused) if paused > timedelta() else None,
            )
        )
    return views


def conflict_message(conflict: TicketConflict, version_id: int, locale: str) -> str:
    """Who moved the ticket where, for the agent whose move lost the race."""
    event = conflict.last_event
    if event is None or event.to_state is None:
        return gettext("Someone else changed this ticket a moment ago. Here is its current state.")
    state = machine_for(version_id).definition.states[event.to_state].label(locale)
    who = event.actor.name if event.actor else gettext("Loopdesk")
    return gettext(
        "%(who)s moved this ticket to %(state)s a moment ago. Here is its current state.",
        who=who,
        state=state,
    )
