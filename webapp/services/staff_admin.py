"""Admin operations on agents and teams: edit an agent, working hours, teams, deactivation.

Each operation changes the rows and records the audit entry in the caller's transaction;
the caller commits. Working hours keep the shape routing and notifications read
(`User.working_hours`: weekday → list of ["HH:MM", "HH:MM"] spans, `{}` = always on duty),
checked by the same calendar code that later uses them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    Role,
    Team,
    TeamMembership,
    TeamRoutingState,
    Ticket,
    TicketAccess,
    User,
    WorkflowKind,
    utcnow,
)
from webapp.problem_text import problem_message
from webapp.services import audit, away, public_holidays
from webapp.services.tickets import reroute_ticket
from webapp.services.workflow_versions import active_version, machine_for
from workflow.calendars import WEEKDAY_NAMES, calendar_problems, overnight_notes
from workflow.definition import OPEN_CATEGORIES, WorkflowDefinition, load_definition
from workflow.team_references import TeamReference, team_references

USER_FIELDS = (
    "name",
    "role",
    "locale",
    "timezone",
    "languages",
    "capacity",
    "ticket_access",
    "working_hours",
    "public_holidays",
    "active",
)
MAX_CAPACITY = 1000
_SPAN = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})\s*[-–]\s*([0-9]{1,2}):([0-9]{2})\s*$")


class StaffChangeRefused(ValueError):
    """The change cannot be made; `errors` maps a field name to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class AgentChanges:
    name: str
    role: Role
    locale: str  # the interface language: pages and e-mails for the agent
    timezone: str
    languages: Sequence[str]
    capacity: int
    hours_text: Mapping[str, str]  # weekday → "09:00-12:00, 13:00-17:00" ("" = day off)
    team_ids: Sequence[int]
    ticket_access: str = TicketAccess.ALL  # every ticket, or only their teams' (ticket_access)
    # (first day, last day, note) as typed, days in the agent's zone; None: leave as it is
    away: tuple[str, str, str] | None = None
    # "" none, "PL", "DE-BY" as posted (services.public_holidays); None: leave as it is
    public_holidays: str | None = None


def hours_as_text(working_hours: Mapping | None) -> dict[str, str]:
    """The stored spans as the edit form shows them, one line per weekday."""
    hours = working_hours or {}
    return {
        day: ", ".join(f"{start}-{end}" for start, end in hours.get(day, []))
        for day in WEEKDAY_NAMES
    }


def parse_working_hours(texts: Mapping[str, str], timezone: str) -> tuple[dict, dict[str, str]]:
    """Read "09:00-17:00, 18:00-20:00" per weekday; return (working_hours, errors by field).

    All days empty means no hours (always on duty), which routing already understands.
    """
    errors: dict[str, str] = {}
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAY_NAMES:
        text = (texts.get(day) or "").strip()
        if not text:
            continue
        spans = []
        for part in text.split(","):
            match = _SPAN.match(part)
            if (
                not match
                or not _valid_clock(*match.group(1, 2))
                or not _valid_clock(*match.group(3, 4))
            ):
                errors[f"hours_{day}"] = _(
                    "“%(text)s” is not a time span. Write it as 09:00-17:00; separate "
                    "several spans with commas.",
                    text=part.strip(),
                )
                break
            start = f"{int(match.group(1)):02d}:{match.group(2)}"
            end = f"{int(match.group(3)):02d}:{match.group(4)}"
            if start == end:
                errors[f"hours_{day}"] = _("A span must not start and end at the same time.")
                break
            spans.append([start, end])
        else:
            hours[day] = spans
    if not valid_timezone(timezone):
        errors["timezone"] = _("“%(zone)s” is not a known time zone.", zone=timezone)
    if errors or not hours:
        return hours, errors
    problems = calendar_problems({"timezone": timezone, "weekly_hours": hours})
    for problem in problems:
        day = next((d for d in WEEKDAY_NAMES if f".{d}" in problem.path), None)
        key = f"hours_{day}" if day else "hours"
        errors.setdefault(key, _hours_problem_text(problem))
    return hours, errors


def working_hours_notes(texts: Mapping[str, str]) -> dict[str, str]:
    """A note per weekday field whose hours run past midnight ("17:00-09:00").

    Such a span is a night shift (on duty until 09:00 the next day), and the form keeps it;
    it is also what swapped daytime hours look like, so the form says it in words under the
    day instead of accepting it silently. Fields that do not parse get no note (they get
    their error from `parse_working_hours`).
    """
    hours, _errors = parse_working_hours(texts, "UTC")  # the zone does not change the clock
    if not hours:
        return {}
    days = get_day_names("wide", locale=get_locale())
    notes: dict[str, list[str]] = {}
    for note in overnight_notes({"timezone": "UTC", "weekly_hours": hours}):
        params = note.params or {}
        notes.setdefault(f"hours_{params['day']}", []).append(
            _(
                "%(interval)s runs past midnight: on duty until %(end)s the next day, "
                "%(next_day)s. If you meant daytime hours, write the earlier time first.",
                interval=params["interval"],
                end=params["end"],
                next_day=days[WEEKDAY_NAMES.index(params["next_day"])],
            )
        )
    return {field: " ".join(texts) for field, texts in notes.items()}


def _hours_problem_text(problem) -> str:
    """A calendar problem as the working-hours form says it: weekdays in words, no YAML paths."""
    params = problem.params or {}
    if "other_day" in params:
        day_names = get_day_names("wide", locale=get_locale())
        return _(
            "%(interval)s overlaps %(other)s (%(day)s).",
            interval=params["interval"],
            other=params["other_interval"],
            day=day_names[WEEKDAY_NAMES.index(params["other_day"])],
        )
    return _("These working hours cannot be used: %(why)s", why=problem_message(problem))


def _valid_clock(hours: str, minutes: str) -> bool:
    return (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59) or (hours, minutes) == ("24", "00")


def valid_timezone(name: str) -> bool:
    if not name or "/" not in name and name != "UTC":
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _snapshot(user: User) -> dict:
    teams = sorted(m.team.name for m in user.memberships)
    return audit.snapshot(user, USER_FIELDS, teams=teams, **away.audit_values(user))


def _typed_away(
    user: User, changes: AgentChanges, errors: dict[str, str]
) -> tuple[away.AwayDays | None, bool]:
    """The away period the form asks for, and whether to leave the stored one as it is
    (not on the form, or empty while the stored one has already ended)."""
    if changes.away is None:
        return None, True
    now = utcnow()
    zone = changes.timezone if valid_timezone(changes.timezone) else user.timezone
    today = now.astimezone(ZoneInfo(zone or "UTC")).date()
    try:
        days = away.read_days(*changes.away, today=today)
    except away.AwayRefused as refused:
        errors.update(refused.errors)
        return None, True
    return days, days is None and away.upcoming(user, now) is None


def read_public_holidays(typed: str | None, user: User, errors: dict[str, str]) -> str:
    """The stored form of the chosen public holidays (None typed: the user's as they are);
    a code the holidays list does not know is refused in words under the field."""
    if typed is None:
        return user.public_holidays or ""
    choice = public_holidays.normalise(typed)
    if choice is None:
        errors["public_holidays"] = _(
            "“%(code)s” is not a country whose public holidays Loopdesk knows. "
            "Choose one from the list.",
            code=typed.strip()[:40],
        )
        return user.public_holidays or ""
    return choice


def update_agent(user: User, changes: AgentChanges, actor: User) -> None:
    """Apply the edit form; nothing changes unless every field is valid."""
    hours, errors = parse_working_hours(changes.hours_text, changes.timezone)
    if not 1 <= changes.capacity <= MAX_CAPACITY:
        errors["capacity"] = _(
            "Capacity must be between 1 and %(max)d open tickets.", max=MAX_CAPACITY
        )
    if user.id == actor.id and changes.role != user.role:
        errors["role"] = _("You cannot change your own role.")
    if changes.ticket_access not in set(TicketAccess):
        errors["ticket_access"] = _("Choose which tickets they see.")
    typed_days, keep_away = _typed_away(user, changes, errors)
    holiday_choice = read_public_holidays(changes.public_holidays, user, errors)
    if errors:
        raise StaffChangeRefused(errors)
    before = _snapshot(user)
    user.name = changes.name.strip()
    user.role = changes.role
    user.locale = changes.locale
    user.timezone = changes.timezone
    user.languages = list(changes.languages)
    user.capacity = changes.capacity
    user.ticket_access = changes.ticket_access
    user.working_hours = hours
    user.public_holidays = holiday_choice
    if not keep_away:
        away.set_away(user, typed_days)  # after the zone: the days are the agent's own
        away.bring_back_held_notices(user)
    _set_teams(user, changes.team_ids)
    db.session.flush()
    after = _snapshot(user)
    if after != before:
        audit.record("user.updated", user, user.name, before=before, after=after)


def _set_teams(user: User, team_ids: Sequence[int]) -> None:
    wanted = set(team_ids)
    for membership in list(user.memberships):
        if membership.team_id not in wanted:
            user.memberships.remove(membership)  # delete-orphan removes the row
    have = {m.team_id for m in user.memberships}
    for team in db.session.scalars(select(Team).where(Team.id.in_(wanted - have))):
        user.memberships.append(TeamMembership(team=team))


def open_tickets_of(user: User) -> list[Ticket]:
    """Tickets assigned to `user` that are not resolved or closed, oldest first."""
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.assignee_id == user.id).order_by(Ticket.id)
    ).all()
    return [
        t
        for t in tickets
        if machine_for(t.workflow_version_id).definition.states[t.state].category in OPEN_CATEGORIES
    ]


def deactivate_agent(user: User, actor: User) -> int:
    """Stop `user` logging in and hand each of their open tickets on by the workflow's routing.

    The account is switched off (and flushed) first, so routing no longer sees them as a
    candidate. Returns how many tickets were re-routed.
    """
    if user.id == actor.id:
        raise StaffChangeRefused({"active": _("You cannot deactivate your own account.")})
    user.active = False
    db.session.flush()
    why = f"{user.name} was deactivated by {actor.name}"
    tickets = open_tickets_of(user)
    for ticket in tickets:
        reroute_ticket(ticket, actor, why, ("deactivated", {"name": user.name, "by": actor.name}))
    after = {"active": False}
    if tickets:
        after["rerouted_tickets"] = [t.number for t in tickets]
    audit.record("user.deactivated", user, user.name, before={"active": True}, after=after)
    return len(tickets)


def reactivate_agent(user: User) -> None:
    user.active = True
    audit.record(
        "user.reactivated", user, user.name, before={"active": False}, after={"active": True}
    )


# --- teams ---------------------------------------------------------------------------------


def _team_snapshot(team: Team) -> dict:
    return {"name": team.name, "members": sorted(m.user.name for m in team.memberships)}


def slug_for(name: str) -> str:
    """A unique URL-safe slug from a team name ("Obsługa klienta" → "obsluga-klienta")."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().lower())
    base = base.strip("-")[:56] or "team"
    slug, n = base, 2
    while db.session.scalar(select(Team.id).where(Team.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_team_name(name: str, team: Team | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise StaffChangeRefused({"name": _("Enter a team name.")})
    if len(name) > 120:
        raise StaffChangeRefused({"name": _("A team name has at most 120 characters.")})
    clash = db.session.scalar(select(Team).where(Team.name == name))
    if clash is not None and clash is not team:
        raise StaffChangeRefused({"name": _("A team with this name already exists.")})
    return name


def create_team(name: str, description: str = "") -> Team:
    name = _check_team_name(name)
    team = Team(name=name, slug=slug_for(name), description=(description or "").strip()[:500])
    db.session.add(team)
    db.session.flush()
    audit.record("team.created", team, team.name, after={"name": team.name, "slug": team.slug})
    return team


def rename_team(team: Team, name: str) -> None:
    """Change the name people see; the slug that routing rules name stays as it was."""
    name = _check_team_name(name, team)
    if name == team.name:
        return
    before, team.name = team.name, name
    audit.record("team.renamed", team, team.name, before={"name": before}, after={"name": name})


def add_member(team: Team, user: User) -> bool:
    if any(m.user_id == user.id for m in team.memberships):
        return False
    before = _team_snapshot(team)
    team.memberships.append(TeamMembership(team=team, user=user))
    db.session.flush()
    audit.record("team.member_added", team, team.name, before=before, after=_team_snapshot(team))
    return True


def remove_member(team: Team, user: User) -> bool:
    membership = next((m for m in team.memberships if m.user_id == user.id), None)
    if membership is None:
        return False
    before = _team_snapshot(team)
    team.memberships.remove(membership)
    db.session.flush()
    audit.record("team.member_removed", team, team.name, before=before, after=_team_snapshot(team))
    return True


# --- deleting a team -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamUse:
    """What a team's deletion would leave behind: open tickets and workflow references.

    `references` come from the published workflow, `draft_references` from the unpublished
    draft (only those the published version does not have too), with the definitions they
    were found in, so that states and transitions can be named in the reader's language.
    """

    open_tickets: int
    closed_tickets: int
    references: list[TeamReference]
    draft_references: list[TeamReference]
    published: WorkflowDefinition | None = None
    draft: WorkflowDefinition | None = None

    @property
    def in_use(self) -> bool:
        return bool(self.open_tickets or self.references or self.draft_references)


class TeamInUse(ValueError):
    """The team cannot be deleted; `use` says what still depends on it."""

    def __init__(self, use: TeamUse):
        super().__init__("team in use")
        self.use = use


def team_use(team: Team) -> TeamUse:
    """Count the team's open and finished tickets and find where the workflow names it.

    Finished (resolved or closed) tickets do not hold a team back: they stay, without a team.
    """
    open_count = closed_count = 0
    rows = db.session.execute(
        select(Ticket.workflow_version_id, Ticket.state, func.count())
        .where(Ticket.team_id == team.id)
        .group_by(Ticket.workflow_version_id, Ticket.state)
    )
    for version_id, state, count in rows:
        if _is_open(version_id, state):
            open_count += count
        else:
            closed_count += count
    published = machine_for(active_version(WorkflowKind.TICKET).id).definition
    references = team_references(published, team.slug)
    draft, draft_references = _draft_definition(), []
    if draft is not None:
        draft_references = [r for r in team_references(draft, team.slug) if r not in references]
    return TeamUse(open_count, closed_count, references, draft_references, published, draft)


def _draft_definition() -> WorkflowDefinition | None:
    """The unpublished workflow draft, when it loads (one that does not cannot be published)."""
    from webapp.services import drafts
    from webapp.services.workflow_studio import DRAFT_KEY, DRAFT_KIND

    draft = drafts.current(DRAFT_KIND, DRAFT_KEY)
    if draft is None:
        return None
    result = load_definition(draft.yaml_text)
    return result.definition if result.ok else None


def delete_team(team: Team) -> int:
    """Delete a team nothing depends on any more; returns how many finished tickets it had.

    Those tickets stay readable with their history (which names teams by routing name); they
    are left without a team, since a ticket's team must exist. Memberships and the team's
    round-robin pointer go with it. Raises TeamInUse when open tickets or the workflow still
    need the team, and TeamChanged when a ticket joined it meanwhile.
    """
    use = team_use(team)
    if use.in_use:
        raise TeamInUse(use)
    before = {**_team_snapshot(team), "slug": team.slug}
    rows = db.session.execute(
        select(Ticket.id, Ticket.workflow_version_id, Ticket.state)
        .where(Ticket.team_id == team.id)
        .order_by(Ticket.id)
    ).all()
    if any(_is_open(version_id, state) for _, version_id, state in rows):
        raise TeamChanged()  # a ticket arrived or was reopened since the count
    finished = [ticket_id for ticket_id, _, _ in rows]
    if finished:
        # Only the tickets just read: one that joins the team from now on is not swept
        # along; it keeps the team row, and deleting it fails below.
        db.session.execute(
            update(Ticket)
            .where(Ticket.id.in_(finished), Ticket.team_id == team.id)
            .values(team_id=None, version=Ticket.version + 1)
            .execution_options(synchronize_session=False)
        )
    if db.session.scalar(select(func.count()).where(Ticket.team_id == team.id)):
        raise TeamChanged()
    db.session.execute(delete(TeamRoutingState).where(TeamRoutingState.team_id == team.id))
    after = {"tickets_without_team": [Ticket.number_for(i) for i in finished]} if finished else None
    audit.record("team.deleted", team, team.name, before=before, after=after)
    db.session.delete(team)
    try:
        db.session.flush()
    except IntegrityError as error:  # PostgreSQL: a ticket joined the team after the check
        raise TeamChanged() from error
    return len(finished)


def _is_open(version_id: int, state: str) -> bool:
    states = machine_for(version_id).definition.states
    return state not in states or states[state].category in OPEN_CATEGORIES


class TeamChanged(RuntimeError):
    """A ticket joined the team while it was being deleted: nothing was deleted."""
