"""The agent board: filters → one SQL query, columns loaded page by page, moves, bulk actions,
and the change fingerprint that keeps open boards live.

Live updates are database polling, not Redis pub/sub + SSE, on purpose:
- every change that matters to a board (a move, a new ticket, an SLA warning or breach
  from the sweep job, a reply) already writes `ticket` and `ticket_event` rows, so the
  database *is* the change feed; a second feed in Redis could miss a writer (a job, a
  migration script, another gunicorn worker) and drift from the truth;
- an SSE stream keeps one connection (and under gunicorn's sync workers, one worker)
  busy per open board; polling costs one short request per board every 3 s (by default;
  BOARD_REFRESH_SECONDS), which a sync worker answers in about a millisecond with 304 Not
  Modified;
- it works unchanged on SQLite (`make run`), behind any proxy, and across workers and
  machines, since nothing is held in process memory.
The cost is up to one poll interval of latency (the brief asks for ≤ 5 s) and one tiny
query per poll (`change_fingerprint`: three index-friendly aggregates).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import String, and_, bindparam, case, exists, func, not_, or_, select, union_all
from sqlalchemy.orm import defer, joinedload, selectinload

from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    SavedView,
    Task,
    Team,
    Ticket,
    TicketEvent,
    TicketLabel,
    User,
    WorkflowKind,
    WorkflowVersion,
)
from webapp.record_ids import optional_id, record_id
from webapp.services.same_customer import customer_of_ticket_condition
from webapp.services.ticket_access import can_see, visible_condition
from webapp.services.tickets import (
    OPEN_TASK_STATES,
    MoveRefused,
    TicketConflict,
    actor_roles,
    add_label,
    assign_to,
    available_triggers,
    fire,
    flush_or_conflict,
    last_transition,
)
from webapp.services.workflow_versions import machine_for, ticket_in_open_state
from workflow.definition import StateDef
from workflow.engine import Move, TriggerOption
from workflow.registry import PRIORITIES

PAGE_SIZE = 15
COUNT_CAP = 1000  # a column's count is exact up to here, then "1,000+"
BULK_LIMIT = 200  # tickets per bulk action: one commit each, so keep a request bounded
SLA_STATES = ("ok", "warned", "breached")
_SEARCH_LIMIT = 200
_TEXT_LIMIT = 100


# ---------------------------------------------------------------- filters


def clean_text(value: Any, limit: int = _TEXT_LIMIT) -> str:
    """One line of text from a request: whitespace folded, NUL bytes (PostgreSQL refuses
    them) dropped, cut to `limit`."""
    return " ".join(str(value).replace("\x00", "").split())[:limit] if value else ""


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows, as read from (and written back to) the URL's query string.

    Bad values are dropped, never an error: a shared link with a typo still opens a board.
    """

    team: str = ""
    assignee: str = ""  # an agent's id, "me" or "none"
    priority: str = ""
    label: str = ""
    language: str = ""
    form: str = ""
    sla: str = ""  # ok | warned | breached
    status: str = ""  # "open": not resolved, not closed (`StateDef.open`), as the dashboard counts
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""
    # A ticket number: that ticket's customer's requests (same e-mail or verified id).
    customer: str = ""

    # URL parameter names; `from` is a Python keyword, hence the field names.
    _PARAMS: ClassVar[dict[str, str]] = {"created_from": "from", "created_to": "to"}

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> BoardFilters:
        def text(name: str, limit: int = _TEXT_LIMIT) -> str:
            return clean_text(args.get(name), limit)

        assignee = text("assignee").lower()
        if assignee not in ("me", "none") and optional_id(assignee) is None:
            assignee = ""
        language = text("language", 8).lower()
        return cls(
            team=text("team", 64),
            assignee=assignee[:12],
            priority=p if (p := text("priority").lower()) in PRIORITIES else "",
            label=text("label", 64),
            language=language if language.replace("-", "").isalpha() else "",
            form=text("form", 100),
            sla=s if (s := text("sla").lower()) in SLA_STATES else "",
            status="open" if text("status").lower() == "open" else "",
            created_from=_parse_date(args.get("from")),
            created_to=_parse_date(args.get("to")),
            q=text("q", _SEARCH_LIMIT),
            customer=_ticket_number(text("customer", 40)),
        )

    @classmethod
    def from_query_string(cls, query: str) -> BoardFilters:
        return cls.from_args(dict(parse_qsl(query or "")))

    def as_args(self) -> dict[str, str]:
        """The non-empty filters under their URL names, in a fixed order."""
        args = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                args[self._PARAMS.get(f.name, f.name)] = (
                    value.isoformat() if isinstance(value, date) else str(value)
                )
        return args

    def args_without(self, name: str) -> dict[str, str]:
        """`as_args` with one filter taken off (a filter chip's remove link)."""
        return {k: v for k, v in self.as_args().items() if k != name}

    @property
    def query_string(self) -> str:
        return urlencode(self.as_args())

    def __bool__(self) -> bool:
        return bool(self.as_args())

    @property
    def dates_reversed(self) -> bool:
        """Whether the from date is later than the to date: no ticket can match (the board
        says so at the dates rather than silently showing empty columns)."""
        return bool(self.created_from and self.created_to and self.created_from > self.created_to)

    @property
    def more_active(self) -> bool:
        """Whether a filter beyond search, team and assignee is set (folded away on a phone)."""
        return any(
            (
                self.priority,
                self.label,
                self.language,
                self.form,
                self.sla,
                self.status,
                self.created_from,
                self.created_to,
            )
        )


def _ticket_number(value: str) -> str:
    """A ticket number as the board writes it (`ld-1042` → `LD-1042`); "" when it is none."""
    ticket_id = Ticket.id_from_number(value) if value else None
    return Ticket.number_for(ticket_id) if ticket_id else ""


def _parse_date(value: Any) -> date | None:
    try:
        day = date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 9000 else None  # no overflow at the day's edges


def missing_team(filters: BoardFilters) -> str | None:
    """The team slug `filters` name when no team has it (any more), else None.

    A saved view or a bookmark can outlive its team (teams can be deleted): filtering by
    it would silently show an empty board.
    """
    if not filters.team:
        return None
    found = db.session.scalar(select(Team.id).where(Team.slug == filters.team))
    return None if found is not None else filters.team


def deleted_team_name(team_slug: str) -> str:
    """What a deleted team was called, as its deletion's audit entry recorded it; the slug
    when nothing did (a team deleted before the audit log, a slug that never existed).

    One query, by the audit log's (target_type, target_id) index, on the rare path only.
    """
    name = db.session.scalar(
        select(AuditEntry.target_label)
        .where(
            AuditEntry.target_type == "team",
            AuditEntry.action == "team.deleted",
            AuditEntry.before["slug"].as_string() == team_slug,
        )
        .order_by(AuditEntry.id.desc())  # a slug reused by a later, also deleted team
        .limit(1)
    )
    return name or team_slug


def drop_team_from_saved_views(user_id: int, team_slug: str) -> list[str]:
    """Remove the filter by `team_slug` from `user_id`'s saved views; the names of those
    changed, in order. The caller commits."""
    changed = []
    views = db.session.scalars(
        select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name)
    )
    for view in views:
        filters = BoardFilters.from_query_string(view.query)
        if filters.team == team_slug:
            view.query = replace(filters, team="").query_string
            changed.append(view.name)
    return changed


def _start_of_day(day: date, timezone: str) -> datetime:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, time(), zone).astimezone(UTC)


def sla_condition(status: str, now: datetime):
    """SQL for 'the ticket's worst running SLA clock is `status`' (paused clocks excluded)."""
    clocks = (
        (
            Ticket.first_response_due_at,
            Ticket.first_response_warn_at,
            Ticket.first_response_at,
            Ticket.first_response_warned_at,
            Ticket.first_response_breached_at,
        ),
        (
            Ticket.resolution_due_at,
            Ticket.resolution_warn_at,
            Ticket.resolved_at,
            Ticket.resolution_warned_at,
            Ticket.resolution_breached_at,
        ),
    )
    unmet = [and_(due.is_not(None), met.is_(None)) for due, _, met, _, _ in clocks]
    breached = or_(
        *(
            and_(u, or_(breached_at.is_not(None), due <= now))
            for u, (due, _, _, _, breached_at) in zip(unmet, clocks, strict=True)
        )
    )
    warned = or_(
        *(
            and_(u, or_(warned_at.is_not(None), and_(warn.is_not(None), warn <= now)))
            for u, (_, warn, _, warned_at, _) in zip(unmet, clocks, strict=True)
        )
    )
    running = Ticket.sla_paused_since.is_(None)
    if status == "breached":
        return and_(running, breached)
    if status == "warned":
        return and_(running, not_(breached), warned)
    return and_(running, or_(*unmet), not_(breached), not_(warned))


def filter_conditions(filters: BoardFilters, viewer: User, now: datetime) -> list:
    """The WHERE clauses for `filters`, as `viewer` sees them (`me`, their timezone, and
    only the tickets they may see)."""
    visible = visible_condition(viewer)
    conditions = [] if visible is None else [visible]
    if filters.team:
        conditions.append(
            Ticket.team_id == select(Team.id).where(Team.slug == filters.team).scalar_subquery()
        )
    if filters.assignee == "me":
        conditions.append(Ticket.assignee_id == viewer.id)
    elif filters.assignee == "none":
        conditions.append(Ticket.assignee_id.is_(None))
    elif filters.assignee:
        conditions.append(Ticket.assignee_id == record_id(filters.assignee))
    if filters.priority:
        conditions.append(Ticket.priority == filters.priority)
    if filters.label:
        conditions.append(
            exists().where(
                TicketLabel.ticket_id == Ticket.id,
                func.lower(TicketLabel.name) == filters.label.lower(),
            )
        )
    if filters.language:
        conditions.append(Ticket.customer_locale == filters.language)
    if filters.form:
        conditions.append(Ticket.form_slug == filters.form)
    if filters.sla:
        conditions.append(sla_condition(filters.sla, now))
    if filters.status == "open":
        conditions.append(ticket_in_open_state())
    timezone = viewer.timezone or "UTC"
    if filters.created_from:
        conditions.append(Ticket.created_at >= _start_of_day(filters.created_from, timezone))
    if filters.created_to:
        next_day = filters.created_to + timedelta(days=1)
        conditions.append(Ticket.created_at < _start_of_day(next_day, timezone))
    if filters.q:
        conditions.append(_search_condition(filters.q))
    if filters.customer:
        conditions.append(
            customer_of_ticket_condition(Ticket.id_from_number(filters.customer), viewer)
        )
    return conditions


def _search_condition(q: str):
    """Answers, notes and replies (`search_text` is lower-cased), a ticket number, or the
    customer id a form's link carried, as the customer's app has it (exactly, any case kept;
    verified or not: agents paste it from their CRM)."""
    matches = or_(
        Ticket.search_text.contains(q.lower(), autoescape=True), Ticket.customer_ref == q.strip()
    )
    ticket_id = Ticket.id_from_number(q)
    return or_(matches, Ticket.id == ticket_id) if ticket_id else matches


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class TaskFlags:
    open_count: int = 0
    overdue: bool = False


@dataclass
class ColumnPage:
    state: str
    tickets: list[Ticket]
    has_more: bool
    count: int = 0
    tasks: dict[int, TaskFlags] = field(default_factory=dict)

    @property
    def next_before(self) -> int | None:
        return self.tickets[-1].id if self.has_more and self.tickets else None


def state_counts(
    states: Sequence[str], conditions: Sequence, cap: int = COUNT_CAP
) -> dict[str, int]:
    """Tickets per state under the filters, each count stopping at `cap + 1`, in one query.

    A plain GROUP BY reads every row (100,000 closed tickets: ~50 ms on PostgreSQL, on
    every render and every move); counting at most `cap + 1` rows per state through the
    state index costs the same however big the backlog grows. Above `cap` the board
    shows "1,000+".
    """
    if not states:
        return {}
    if conditions:
        query = _count_query(len(states), cap, tuple(conditions))
    else:
        query = _unfiltered_count_query(len(states), cap)
    params = {f"count_state_{i}": state for i, state in enumerate(states)}
    found = dict(db.session.execute(query, params).all())
    return {state: found.get(state, 0) for state in states}  # in the order asked


def _count_query(columns: int, cap: int, conditions: tuple = ()):
    """One capped count per column; the states are parameters `count_state_0`, `_1`, …"""
    branches = []
    for i in range(columns):
        state = bindparam(f"count_state_{i}", type_=String)
        ids = select(Ticket.id).where(Ticket.state == state, *conditions).limit(cap + 1)
        branches.append(
            select(state.label("state"), func.count().label("n")).select_from(ids.subquery())
        )
    return union_all(*branches) if columns > 1 else branches[0]


# Built once: building and hashing a fresh statement costs about as much as the counting
# itself, on every move (two columns) and every unfiltered board (all of them).
_unfiltered_count_query = functools.cache(_count_query)


def _cards_query(ids_query) -> list[Ticket]:
    """Tickets for cards, newest first, with team and assignee joined and labels in one more."""
    query = (
        select(Ticket)
        .options(
            joinedload(Ticket.team),
            joinedload(Ticket.assignee),
            selectinload(Ticket.labels),
            defer(Ticket.search_text),  # up to 100,000 characters a ticket, never on a card
        )
        .where(Ticket.id.in_(ids_query))
        .order_by(Ticket.id.desc())
    )
    return list(db.session.scalars(query).unique())


def _page_ids(state: str, conditions: Sequence, before_id: int | None, limit: int):
    query = select(Ticket.id).where(Ticket.state == state, *conditions)
    if before_id is not None:
        query = query.where(Ticket.id < before_id)
    return query.order_by(Ticket.id.desc()).limit(limit + 1)


def column_pages(
    states: Sequence[str], conditions: Sequence, limit: int = PAGE_SIZE
) -> dict[str, tuple[list[Ticket], bool]]:
    """The first page of every column in three queries, however many columns and tickets.

    One UNION ALL picks each column's newest `limit + 1` ids (each branch an index range
    scan), one query loads those tickets with team and assignee, one more their labels.
    Keyset paging (`before`) keeps deep pages as cheap as the first.
    """
    branches = [_page_ids(s, conditions, None, limit).subquery().select() for s in states]
    if not branches:
        return {}
    ids = union_all(*branches) if len(branches) > 1 else branches[0]
    by_state: dict[str, list[Ticket]] = {state: [] for state in states}
    for ticket in _cards_query(ids):
        by_state[ticket.state].append(ticket)
    return {state: (rows[:limit], len(rows) > limit) for state, rows in by_state.items()}


def column_tickets(
    state: str, conditions: Sequence, before_id: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Ticket], bool]:
    """One more page of one column (the sentinel at its end asks for it)."""
    rows = _cards_query(_page_ids(state, conditions, before_id, limit))
    return rows[:limit], len(rows) > limit


def task_flags(ticket_ids: Sequence[int], now: datetime) -> dict[int, TaskFlags]:
    """Open and overdue task counts for many tickets in one query (guards and card flags)."""
    if not ticket_ids:
        return {}
    overdue = func.sum(case((Task.due_at < now, 1), else_=0))
    rows = db.session.execute(
        select(Task.ticket_id, func.count(Task.id), overdue)
        .where(Task.ticket_id.in_(ticket_ids), Task.state.in_(OPEN_TASK_STATES))
        .group_by(Task.ticket_id)
    ).all()
    return {ticket_id: TaskFlags(count, bool(late)) for ticket_id, count, late in rows}


def states_where_clocks_run() -> frozenset[str]:
    """States in which some ticket workflow version runs the SLA clocks (one tiny query)."""
    return _states_where(lambda state: state.clock == "running")


def states_open_somewhere() -> frozenset[str]:
    """States that are open (`StateDef.open`) in some ticket workflow version."""
    return _states_where(lambda state: state.open)


def _states_where(chosen: Callable[[StateDef], bool]) -> frozenset[str]:
    version_ids = db.session.scalars(
        select(WorkflowVersion.id).where(WorkflowVersion.kind == WorkflowKind.TICKET)
    ).all()
    return frozenset(
        name
        for version_id in version_ids
        for name, state in machine_for(version_id).definition.states.items()
        if chosen(state)
    )


def states_to_query(states: Sequence[str], filters: BoardFilters) -> list[str]:
    """The columns whose tickets can match `filters`; the others are empty without SQL.

    An SLA filter matches running clocks only, and moving a ticket into a state where its
    clocks pause or stop pauses them (`sla_clock.on_state_change`). Asking the database
    anyway would read every closed ticket to find none: the planner cannot know that no
    closed ticket has a running clock, and walks the primary key (100,000 closed tickets:
    ~70 ms per render). Open tickets only, likewise, are never in a resolved or closed column.
    """
    if filters.sla:
        running = states_where_clocks_run()
        states = [state for state in states if state in running]
    if filters.status == "open":
        still_open = states_open_somewhere()
        states = [state for state in states if state in still_open]
    return list(states)


def filtered_counts(
    states: Sequence[str], filters: BoardFilters, viewer: User, now: datetime
) -> dict[str, int]:
    """Each column's count under the filters, in the order of `states`."""
    counts = state_counts(states_to_query(states, filters), filter_conditions(filters, viewer, now))
    return {state: counts.get(state, 0) for state in states}


def load_columns(
    states: Sequence[str], filters: BoardFilters, viewer: User, now: datetime
) -> list[ColumnPage]:
    """Every column's first page, its count, and the task flags of the cards shown."""
    conditions = filter_conditions(filters, viewer, now)
    queried = states_to_query(states, filters)
    counts = state_counts(queried, conditions)
    loaded = column_pages(queried, conditions)
    pages = [
        ColumnPage(state, *loaded.get(state, ([], False)), counts.get(state, 0)) for state in states
    ]
    flags = task_flags([t.id for page in pages for t in page.tickets], now)
    for page in pages:
        page.tasks = flags
    return pages


def load_column_page(
    state: str, filters: BoardFilters, viewer: User, now: datetime, before_id: int | None
) -> ColumnPage:
    if state not in states_to_query([state], filters):
        return ColumnPage(state, [], False)
    tickets, has_more = column_tickets(
        state, filter_conditions(filters, viewer, now), before_id=before_id
    )
    return ColumnPage(state, tickets, has_more, tasks=task_flags([t.id for t in tickets], now))


def guard_facts_for(ticket: Ticket, open_tasks: int) -> dict[str, Any]:
    """What guards read (as `services.tickets.guard_facts`), with the task count precomputed."""
    return {
        "assignee_id": ticket.assignee_id,
        "team_id": ticket.team_id,
        "public_reply_count": ticket.public_reply_count,
        "customer_email": ticket.customer_email,
        "open_task_count": open_tasks,
    }


def card_triggers(ticket: Ticket, viewer: User, open_tasks: int) -> list[TriggerOption]:
    """Every move from the card's state, allowed or not, without a query per card."""
    machine = machine_for(ticket.workflow_version_id)
    return machine.available_triggers(
        ticket.state, actor_roles(viewer, ticket), guard_facts_for(ticket, open_tasks)
    )


# ---------------------------------------------------------------- live updates


def change_fingerprint(filters: BoardFilters, locale: str, now: datetime, present: str = "") -> str:
    """A short token that changes when any ticket changes, and every minute (SLA badges).

    Every change to a ticket is an event in its history (moves, assignments, labels, notes,
    replies, SLA warnings and breaches from the sweep), so `max(ticket_event.id)` moves with
    each of them, and `max(ticket.id)` with each new ticket. Both are read from primary-key
    indexes: the poll costs the same with 100 or 1,000,000 tickets. (`count(*)` or
    `max(updated_at)` would read the whole table on every poll of every open board.) The
    filters and the viewer's language are in it because they change what the board shows,
    and `present` (presence.board_fingerprint) as colleagues open and leave tickets.
    """
    row = db.session.execute(
        select(
            select(func.max(Ticket.id)).scalar_subquery(),
            select(func.max(TicketEvent.id)).scalar_subquery(),
        )
    ).one()
    raw = "|".join(
        map(str, (*row, now.strftime("%Y%m%d%H%M"), filters.query_string, locale, present))
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


# ---------------------------------------------------------------- moves


def move_ticket(
    ticket: Ticket,
    viewer: User,
    *,
    dest: str | None = None,
    trigger: str | None = None,
    expected_version: int | None = None,
) -> Move:
    """Move a card to a column (or by trigger); the workflow service decides and records it.

    A stale card is a conflict before anything else: telling the agent "not possible" about
    a ticket someone else already moved would be wrong. A destination is mapped to the first
    trigger the agent may use to reach it.
    """
    if expected_version is not None and expected_version != ticket.version:
        raise TicketConflict(ticket.id, last_transition(ticket))
    if not trigger:
        trigger = trigger_for_destination(ticket, viewer, dest or "")
    return fire(ticket, trigger, viewer, expected_version=expected_version)


def trigger_for_destination(ticket: Ticket, viewer: User, dest: str) -> str:
    """The first allowed trigger leading to `dest`, or MoveRefused saying why there is none."""
    machine = machine_for(ticket.workflow_version_id)
    if dest == ticket.state or dest not in machine.definition.states:
        raise MoveRefused("wrong_state", f"cannot move to '{dest}'")
    options = [o for o in available_triggers(ticket, viewer) if o.dest == dest]
    allowed = next((o for o in options if o.allowed), None)
    if allowed:
        return allowed.trigger
    if options and options[0].refused:
        refused = options[0].refused
        raise MoveRefused(refused.code, str(refused), refused.detail)
    raise MoveRefused("wrong_state", f"'{ticket.state}' has no move to '{dest}'")


# ---------------------------------------------------------------- bulk actions


_MAX_ID = 2**31 - 1  # ticket.id is a 32-bit integer on PostgreSQL


def _id_of_number(number: str) -> int | None:
    ticket_id = Ticket.id_from_number(str(number or "")[:20])
    return ticket_id if ticket_id and 0 < ticket_id <= _MAX_ID else None


def ticket_by_number(number: str) -> Ticket | None:
    """The ticket called `number` (LD-1234), or None for anything else, however malformed."""
    ticket_id = _id_of_number(number)
    return db.session.get(Ticket, ticket_id) if ticket_id else None


def ticket_to_move(number: str, now: datetime) -> tuple[Ticket, TaskFlags] | None:
    """The ticket called `number` with its labels and task flags, in one query (or None).

    The card drawn after a move shows both and a move changes neither: loaded here, they
    save the two round trips a lazy load of the labels and `task_flags` would cost later.
    """
    ticket_id = _id_of_number(number)
    if ticket_id is None:
        return None
    query = _ticket_to_move_query()
    row = db.session.execute(query, {"ticket_id": ticket_id, "now": now}).unique().first()
    return None if row is None else (row[0], TaskFlags(row[1], bool(row[2])))


@functools.cache
def _ticket_to_move_query():
    """Built once (with parameters `ticket_id` and `now`): a move is the board's hot path."""
    open_task = and_(Task.ticket_id == Ticket.id, Task.state.in_(OPEN_TASK_STATES))
    return (
        select(
            Ticket,
            select(func.count(Task.id)).where(open_task).scalar_subquery(),
            exists().where(open_task, Task.due_at < bindparam("now", type_=Task.due_at.type)),
        )
        .options(joinedload(Ticket.labels), defer(Ticket.search_text))
        .where(Ticket.id == bindparam("ticket_id"))
    )


class NoTemplate(LookupError):
    """A bulk reply had no template in this ticket's customer's language."""

    def __init__(self, locale: str):
        super().__init__(locale)
        self.locale = locale


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    ok: bool
    # MoveRefused | TicketConflict | ReplyRefused | NoTemplate | LookupError
    error: Exception | None = None


def apply_to_each(numbers: Sequence[str], change, viewer: User) -> list[BulkOutcome]:
    """Run `change(ticket)` on each ticket, one commit per ticket: one refusal undoes no other.

    A ticket `viewer` may not see is "no such ticket", as everywhere else.
    """
    from webapp.services.replies import ReplyRefused

    outcomes = []
    for number in list(dict.fromkeys(numbers))[:BULK_LIMIT]:
        ticket = ticket_by_number(number)
        if ticket is None or not can_see(viewer, ticket):
            outcomes.append(BulkOutcome(number, False, LookupError(number)))
            continue
        try:
            change(ticket)
            db.session.commit()
        except (MoveRefused, TicketConflict, ReplyRefused, NoTemplate) as refused:
            db.session.rollback()
            outcomes.append(BulkOutcome(number, False, refused))
        else:
            outcomes.append(BulkOutcome(ticket.number, True))
    return outcomes


def bulk_assign(numbers: Sequence[str], assignee: User | None, viewer: User) -> list[BulkOutcome]:
    """Assign each ticket, then tell the new assignee once about all of them.

    The notice is its own transaction after the tickets' commits: a refused ticket is in
    no e-mail, and thirty tickets make one message, not thirty.
    """
    to_tell: dict[str, int] = {}  # number → id, read before each commit expires the ticket

    def assign_one(ticket: Ticket) -> None:
        if assign_to(ticket, assignee, viewer, tell=False):
            to_tell[ticket.number] = ticket.id

    outcomes = apply_to_each(numbers, assign_one, viewer)
    ids = [to_tell[o.number] for o in outcomes if o.ok and o.number in to_tell]
    if assignee is not None and ids:
        # One query reloads them all (each commit expired its ticket).
        told = list(
            db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id))
        )
        from webapp.services.notifications import announce_assignments

        announce_assignments(assignee, told, viewer)
        db.session.commit()
    return outcomes


def bulk_label(numbers: Sequence[str], label: str, viewer: User) -> list[BulkOutcome]:
    def label_one(ticket: Ticket) -> None:
        add_label(ticket, label, viewer)
        flush_or_conflict(ticket)

    return apply_to_each(numbers, label_one, viewer)


def bulk_move(numbers: Sequence[str], dest: str, viewer: User) -> list[BulkOutcome]:
    return apply_to_each(numbers, lambda ticket: move_ticket(ticket, viewer, dest=dest), viewer)


@dataclass(frozen=True)
class LanguageReply:
    """What the bulk reply sends in one language: how many selected tickets, and the text
    one of those customers reads (None: no template chosen, those customers are skipped)."""

    locale: str
    tickets: int
    example_number: str
    example_text: str | None


def bulk_reply_preview(
    numbers: Sequence[str], templates: Mapping[str, str], viewer: User
) -> list[LanguageReply]:
    """Per language of the selected tickets (visible to `viewer`): the template filled in
    for the first of them, as it will be sent. One query for the tickets."""
    from webapp.services.replies import (
        ReplyRefused,
        clean_reply_text,
        fill_placeholders,
        placeholder_values,
    )

    ids = [i for i in (Ticket.id_from_number(n) for n in list(numbers)[:BULK_LIMIT]) if i]
    if not ids:
        return []
    visible = visible_condition(viewer)
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.id.in_(ids), *([] if visible is None else [visible]))
        .order_by(Ticket.id)
    ).all()
    by_locale: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        by_locale.setdefault(ticket.customer_locale, []).append(ticket)
    previews = []
    for locale, chosen in sorted(by_locale.items()):
        first, body = chosen[0], templates.get(locale)
        text = None
        if body is not None:
            try:
                text = fill_placeholders(clean_reply_text(body), placeholder_values(first, viewer))
            except ReplyRefused:
                text = None
        previews.append(LanguageReply(locale, len(chosen), first.number, text))
    return previews


def bulk_reply(
    numbers: Sequence[str], templates: Mapping[str, str], viewer: User, nonce: str
) -> list[BulkOutcome]:
    """Reply to each ticket's customer with the template of their language (`templates`:
    locale → body), placeholders filled per ticket, as one agent's reply would be.

    The same `nonce` for the whole batch: a second click sends nothing twice.
    """
    from webapp.services.replies import send_public_reply

    def reply_one(ticket: Ticket) -> None:
        body = templates.get(ticket.customer_locale)
        if body is None:
            raise NoTemplate(ticket.customer_locale)
        send_public_reply(ticket, body, viewer, nonce)

    return apply_to_each(numbers, reply_one, viewer)
