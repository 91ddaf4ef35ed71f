"""Workflow versions: the shipped defaults, publishing, and compiled machines cached per version."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Team, Ticket, User, WorkflowKind, WorkflowVersion
from workflow.definition import (
    MAX_DEFINITION_BYTES,
    LoadResult,
    Problem,
    StateDef,
    load_definition,
)
from workflow.engine import CompiledWorkflow
from workflow.team_references import teams_written
from workflow.yaml_documents import N_, read_yaml

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflow" / "definitions"
# The comment of a default Loopdesk installed itself (stored as is, shown in the reader's words).
SHIPPED_COMMENT = "shipped default"
SHIPPED = {
    WorkflowKind.TICKET: DEFINITIONS / "default.yaml",
    WorkflowKind.TASK: DEFINITIONS / "tasks.yaml",
}

# Versions never change once published, so a compiled machine is valid for the process's life,
# and looking one up needs no query.
_compiled: dict[int, CompiledWorkflow] = {}
_compiled_lock = threading.Lock()


class PublishRefused(ValueError):
    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def machine_for(version_id: int) -> CompiledWorkflow:
    """The machine for a published version, built on first use and then shared."""
    machine = _compiled.get(version_id)
    if machine is None:
        with _compiled_lock:
            machine = _compiled.get(version_id)
            if machine is None:
                version = db.session.get(WorkflowVersion, version_id)
                result = load_definition(version.yaml_text)
                if not result.ok:  # published versions were validated; this means tampering
                    raise PublishRefused(result.problems)
                machine = CompiledWorkflow(result.definition)
                _compiled[version_id] = machine
    return machine


def forget_compiled() -> None:
    """Drop cached machines (tests that reuse ids after emptying the tables)."""
    with _compiled_lock:
        _compiled.clear()


def ticket_in_categories(categories: tuple[str, ...]) -> ColumnElement[bool]:
    """SQL: the ticket's state is of one of `categories` in its own workflow version."""
    return _ticket_in_states(lambda state: state.category in categories)


def ticket_in_open_state() -> ColumnElement[bool]:
    """SQL: the ticket is still open in its own workflow version (`StateDef.open`: not
    resolved, not closed, not final), as the dashboard and the weekly summary count."""
    return _ticket_in_states(lambda state: state.open)


def _ticket_in_states(chosen: Callable[[StateDef], bool]) -> ColumnElement[bool]:
    """SQL: the ticket's state is one `chosen` accepts in its own workflow version.

    A state's category lives in the version's YAML, not in a column; this turns it into
    (version in …, state in …) pairs, one per distinct set of names, so one query can ask.
    """
    by_names: dict[tuple[str, ...], list[int]] = {}
    for version_id in db.session.scalars(
        select(WorkflowVersion.id).where(WorkflowVersion.kind == WorkflowKind.TICKET)
    ):
        states = machine_for(version_id).definition.states
        names = tuple(sorted(name for name, state in states.items() if chosen(state)))
        if names:
            by_names.setdefault(names, []).append(version_id)
    if not by_names:
        return false()
    return or_(
        *(
            and_(Ticket.workflow_version_id.in_(ids), Ticket.state.in_(names))
            for names, ids in by_names.items()
        )
    )


def active_version_id(kind: WorkflowKind = WorkflowKind.TICKET) -> int:
    """The id of the active version, without loading its YAML (every new ticket needs it)."""
    version_id = db.session.scalar(
        select(WorkflowVersion.id).where(
            WorkflowVersion.kind == kind, WorkflowVersion.active.is_(True)
        )
    )
    return version_id if version_id is not None else active_version(kind).id


def active_version(kind: WorkflowKind = WorkflowKind.TICKET) -> WorkflowVersion:
    """The version new tickets (or tasks) start under; installs the shipped default on first use."""
    version = db.session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.kind == kind, WorkflowVersion.active.is_(True)
        )
    )
    if version is None:
        try:
            with db.session.begin_nested():  # a savepoint: losing the race keeps our transaction
                version = publish_version(
                    kind,
                    SHIPPED[kind].read_text(encoding="utf-8"),
                    None,
                    comment=SHIPPED_COMMENT,
                    check_teams=False,
                )
        except IntegrityError:  # another request installed it at the same moment
            version = db.session.scalars(
                select(WorkflowVersion).where(
                    WorkflowVersion.kind == kind, WorkflowVersion.active.is_(True)
                )
            ).one()
    return version


def validate_for_publish(
    kind: WorkflowKind, yaml_text: str, check_teams: bool = True
) -> LoadResult:
    """Load the definition and check what only the database knows (team slugs)."""
    result = load_definition(yaml_text)
    if not result.ok or not check_teams or kind != WorkflowKind.TICKET:
        return result
    document = read_yaml(yaml_text, MAX_DEFINITION_BYTES)  # it loaded, so it reads
    known = set(db.session.scalars(select(Team.slug)))
    problems = document.locate(
        Problem(path, N_("unknown team '%(team)s'"), params={"team": slug})
        for path, slug in teams_written(document.data)
        if slug not in known
    )
    return LoadResult(None, problems) if problems else result


def publish_version(
    kind: WorkflowKind,
    yaml_text: str,
    author: User | None,
    comment: str = "",
    check_teams: bool = True,
) -> WorkflowVersion:
    """Store a new active version; tickets created earlier keep theirs."""
    result = validate_for_publish(kind, yaml_text, check_teams)
    if not result.ok:
        raise PublishRefused(result.problems)
    number = (
        db.session.scalar(
            select(func.max(WorkflowVersion.number)).where(WorkflowVersion.kind == kind)
        )
        or 0
    ) + 1
    db.session.execute(
        update(WorkflowVersion).where(WorkflowVersion.kind == kind).values(active=False)
    )
    version = WorkflowVersion(
        kind=kind, number=number, yaml_text=yaml_text, author=author, comment=comment, active=True
    )
    db.session.add(version)
    db.session.flush()
    return version
