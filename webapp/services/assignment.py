"""Pick an agent for a routed ticket: load candidates, hold the team's pointer, decide.

Round-robin is safe under concurrent tickets: the team's pointer row is read
with `SELECT … FOR UPDATE` (PostgreSQL), so a second ticket routed at the same
instant waits and then sees the pointer the first one moved.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.extensions import db
from webapp.models import Team, TeamMembership, TeamRoutingState, Ticket, User
from webapp.services import public_holidays
from webapp.services.away import away_days
from workflow.calendars import WEEKDAY_NAMES, BusinessCalendar, CalendarError
from workflow.routing import Candidate, Pick, pick_assignee

# No hours but public holidays: on duty around the clock, except on those days.
_ALL_DAY = {day: [["00:00", "24:00"]] for day in WEEKDAY_NAMES}


def working_hours_calendar(user: User) -> BusinessCalendar | None:
    """The agent's own working hours in their timezone, less the public holidays they
    follow (None: no hours and no holidays, always on duty)."""
    holiday_choice = public_holidays.normalise(user.public_holidays) or ""
    if not user.working_hours and not holiday_choice:
        return None
    try:
        hours = json.dumps(user.working_hours or _ALL_DAY, sort_keys=True, default=str)
    except (TypeError, ValueError):  # not JSON (never saved like this): not on any schedule
        return None
    return _calendar(user.timezone, hours, holiday_choice)


@functools.lru_cache(maxsize=1024)
def _calendar(
    timezone: str | None, weekly_hours: str, holiday_choice: str = ""
) -> BusinessCalendar | None:
    """Built once per distinct set of hours and holidays (calendars are immutable, so they
    are shared).

    Validating hours costs more than asking a calendar whether it is open, and routing a
    ticket, announcing it and checking quiet hours ask for every member of a team.
    """
    try:
        return BusinessCalendar.from_dict(
            {
                "timezone": timezone,
                "weekly_hours": json.loads(weekly_hours),
                **public_holidays.calendar_fields(holiday_choice),
            }
        )
    except (CalendarError, ValueError):
        return None


def team_candidates(team: Team, running_states: set[str]) -> list[Candidate]:
    """Active members of `team` with their open load, in one query for the load."""
    members = db.session.scalars(
        select(User)
        .join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id == team.id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    if not members:
        return []
    loads = dict(
        db.session.execute(
            select(Ticket.assignee_id, func.count(Ticket.id))
            .where(
                Ticket.assignee_id.in_([m.id for m in members]), Ticket.state.in_(running_states)
            )
            .group_by(Ticket.assignee_id)
        ).all()
    )
    return [
        Candidate(
            user_id=m.id,
            name=m.name,
            languages=tuple(m.languages or ()),
            working_hours=working_hours_calendar(m),
            open_load=loads.get(m.id, 0),
            capacity=m.capacity,
            away_from=m.away_from,
            away_until=m.away_until,
            away_last_day=_last_day(m),
        )
        for m in members
    ]


def _last_day(user: User) -> str | None:
    days = away_days(user)
    return days.last_day.isoformat() if days else None


def _locked_pointer(team: Team) -> TeamRoutingState:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(TeamRoutingState).values(team_id=team.id).on_conflict_do_nothing())
    return db.session.scalars(
        select(TeamRoutingState)
        .where(TeamRoutingState.team_id == team.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def choose_assignee(
    team: Team, strategy: str, *, locale: str | None, now: datetime, running_states: set[str]
) -> Pick:
    """Decide who gets the ticket and move the team's round-robin pointer."""
    if strategy == "manual":
        return pick_assignee("manual", [], locale=locale, now=now)
    pointer = _locked_pointer(team) if strategy == "round_robin" else None
    pick = pick_assignee(
        strategy,
        team_candidates(team, running_states),
        locale=locale,
        now=now,
        last_user_id=pointer.last_user_id if pointer else None,
    )
    if pointer is not None and pick.user_id is not None:
        pointer.last_user_id = pick.user_id
    return pick
