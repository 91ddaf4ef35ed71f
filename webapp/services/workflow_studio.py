"""The admin workflow studio: the ticket workflow draft, checking it, publishing, rolling back.

One draft (kind "workflow", key "ticket") is shared by every editor; it starts from the active
version's YAML. Publishing takes the saved draft only after the admin saw its difference from
the active version, and only if the draft is still the revision they reviewed.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from survey_forms.translation_check import TranslationReport, completeness
from webapp.extensions import db
from webapp.i18n import supported_locales
from webapp.models import DefinitionDraft, Team, User, WorkflowKind, WorkflowVersion
from webapp.models.types import utcnow
from webapp.services import audit, drafts, sla_clock
from webapp.services.workflow_versions import (
    active_version,
    machine_for,
    publish_version,
    validate_for_publish,
)
from webapp.tickets.presenters import holiday_country_name, hours_by_days, open_hours_in_words
from webapp.timezone_choices import zone_in_words
from workflow import sla
from workflow.calendars import WEEKDAY_NAMES, BusinessCalendar
from workflow.definition import (
    LANGUAGES,
    MAX_DEFINITION_BYTES,
    Problem,
    SlaPolicy,
    WorkflowDefinition,
    definition_notes,
    load_definition,
)
from workflow.diagram import render_svg
from workflow.labels import DocumentPart, label_texts, part_at_line, subject_names, subject_of
from workflow.routing_rules import dump_document
from workflow.yaml_documents import read_yaml

DRAFT_KIND, DRAFT_KEY = "workflow", "ticket"


class StaleReview(Exception):
    """The draft changed (or went away) after the admin reviewed it for publishing."""


@dataclass(frozen=True)
class EditorText:
    text: str
    revision: int | None  # the draft's revision, None when no draft exists yet
    base_number: int  # the active version the draft started from
    draft: DefinitionDraft | None
    active: WorkflowVersion


@dataclass(frozen=True)
class Note:
    line: int | None
    subject: str | None  # the calendar's name
    text: str


@dataclass(frozen=True)
class Check:
    problems: tuple[Problem, ...]
    definition: WorkflowDefinition | None
    svg: Markup | None
    # What each state and transition is called ("states.resolved" → "Resolved"), for problems.
    subjects: Mapping[str, str] = field(default_factory=dict)
    # Labels missing per language: a warning only, publishing is still allowed.
    translations: TranslationReport | None = None
    # Valid but worth a second look (night shifts), in the admin's language.
    notes: tuple[Note, ...] = ()

    def subject(self, problem: Problem) -> str | None:
        """The label of the state or transition a problem is about, as agents read it."""
        return subject_of(problem.path, self.subjects)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def drawn(self) -> bool:
        return self.svg is not None


def category_labels() -> dict[str, str]:
    return {
        "open": _("Open"),
        "waiting": _("Waiting"),
        "resolved": _("Resolved"),
        "closed": _("Closed"),
    }


def editor_text() -> EditorText:
    """What the editor opens: the draft if there is one, otherwise the active version."""
    active = active_version(WorkflowKind.TICKET)
    draft = drafts.current(DRAFT_KIND, DRAFT_KEY)
    if draft is None:
        return EditorText(active.yaml_text, None, active.number, None, active)
    return EditorText(
        draft.yaml_text, draft.revision, draft.base_number or active.number, draft, active
    )


def check(text: str, locale: str = "en") -> Check:
    """Validate like publishing would; draw the diagram whenever the definition itself loads
    (a team missing from the database is a problem for publishing, not for the drawing)."""
    result = validate_for_publish(WorkflowKind.TICKET, text)
    loaded = result if result.definition else load_definition(text)
    svg = diagram(loaded.definition, locale) if loaded.ok else None
    document = read_yaml(text, MAX_DEFINITION_BYTES)
    if isinstance(document, Problem):  # the problems say why; nothing to name or translate
        return Check(result.problems, None, svg)
    languages = [lang for lang in supported_locales() if lang in LANGUAGES]
    subjects = subject_names(document.data, locale)
    notes = document.locate(definition_notes(document.data))
    return Check(
        result.problems,
        loaded.definition if loaded.ok else None,
        svg,
        subjects=subjects,
        translations=_named(
            completeness(label_texts(document.data), languages, "en", document.lines), subjects
        ),
        notes=tuple(
            Note(note.line, subject_of(note.path, subjects), overnight_text(note.params))
            for note in notes
        ),
    )


def overnight_text(params: Mapping[str, Any]) -> str:
    """ "Friday 17:00–09:00 runs past midnight: open until 09:00 on Saturday." """
    days = get_day_names("wide", locale=get_locale())
    return _(
        "%(day)s %(interval)s runs past midnight: open until %(end)s the next day, "
        "%(next_day)s. If you meant daytime hours, write the earlier time first.",
        day=days[WEEKDAY_NAMES.index(params["day"])].capitalize(),
        interval=params["interval"],
        end=params["end"],
        next_day=days[WEEKDAY_NAMES.index(params["next_day"])],
    )


def _named(report: TranslationReport, subjects: Mapping[str, str]) -> TranslationReport:
    """A state or transition with no label at all is listed by the name agents see instead."""
    return replace(
        report,
        languages=tuple(
            replace(
                lang,
                missing=tuple(
                    replace(m, source=m.source or subject_of(m.path, subjects) or "")
                    for m in lang.missing
                ),
            )
            for lang in report.languages
        ),
    )


def diagram(definition: WorkflowDefinition, locale: str = "en") -> Markup:
    """The SVG, marked safe here once: `render_svg` escapes every admin-written text."""
    return Markup(  # noqa: S704
        render_svg(
            definition,
            locale=locale,
            title=_("State machine of the ticket workflow"),
            category_labels=category_labels(),
        )
    )


def last_good(locale: str = "en") -> Check:
    """The active version, drawn: shown while the text being edited does not load."""
    text = active_version(WorkflowKind.TICKET).yaml_text
    result = validate_for_publish(WorkflowKind.TICKET, text, check_teams=False)
    svg = diagram(result.definition, locale) if result.ok else None
    return Check(result.problems, result.definition if result.ok else None, svg)


def save_draft(
    text: str,
    revision: int | None,
    base_number: int | None,
    actor: User,
    audited: bool = True,
):
    """Keep the text as the draft, valid or not (raises drafts.DraftRefused / EditConflict).

    The audit entry says what changed as a publish's does: the states, transitions, SLA
    policies, calendars and routing rules that differ from the text saved before (the
    active version's, for the first save of a draft). `audited` False: the caller records
    its own entry instead (the routing builder's, which says each rule's condition and team).
    """
    return drafts.save(
        DRAFT_KIND,
        DRAFT_KEY,
        text,
        revision=revision,
        base_number=base_number,
        actor=actor,
        describe=_draft_outline,
        audited=audited,
    )


def _draft_outline(text: str | None) -> dict[str, list]:
    return outline(text if text is not None else active_version(WorkflowKind.TICKET).yaml_text)


def discard_draft(actor: User) -> bool:
    draft = drafts.current(DRAFT_KIND, DRAFT_KEY)
    if draft is None:
        return False
    audit.record(
        "workflow.draft_discarded",
        draft,
        DRAFT_KEY,
        before={"revision": draft.revision},
        actor=actor,
    )
    return drafts.discard(DRAFT_KIND, DRAFT_KEY)


@dataclass(frozen=True)
class Published:
    """A version just published, and what it did to open tickets' SLA deadlines."""

    version: WorkflowVersion
    deadlines_moved: int | None  # open tickets whose deadlines moved; None: no calendar changed


def _follow_calendars(before: WorkflowVersion, version: WorkflowVersion) -> int | None:
    """Open tickets' clocks follow the calendars of the version just published."""
    # Loaded, not compiled through machine_for: that caches by id, and this transaction (and
    # with it the id) may still roll back.
    published = load_definition(version.yaml_text).definition
    return sla_clock.follow_new_calendars(
        machine_for(before.id).definition, published, version.number, utcnow()
    )


def _moved_field(moved: int | None) -> dict[str, int]:
    """For a publish's audit entry: how many open tickets' deadlines moved to the calendars
    it published (nothing when no calendar changed)."""
    return {} if moved is None else {"deadlines_moved": moved}


def publish_draft(revision: int | None, comment: str, actor: User) -> Published:
    """Publish the reviewed draft as a new active version (raises StaleReview/PublishRefused);
    open tickets' deadlines follow its business calendars."""
    draft = drafts.current(DRAFT_KIND, DRAFT_KEY)
    if draft is None or revision is None or draft.revision != revision:
        raise StaleReview()
    before = active_version(WorkflowKind.TICKET)
    version = publish_version(WorkflowKind.TICKET, draft.yaml_text, actor, comment=comment)
    moved = _follow_calendars(before, version)
    audit.record(
        "workflow.published",
        version,
        _version_label(version),
        before={"version": before.number, **outline(before.yaml_text)},
        after={
            "version": version.number,
            "comment": comment,
            **outline(version.yaml_text),
            **_moved_field(moved),
        },
        actor=actor,
    )
    drafts.discard(DRAFT_KIND, DRAFT_KEY)
    return Published(version, moved)


def roll_back(version: WorkflowVersion, comment: str, actor: User) -> Published:
    """Publish an old version's text again, as a new version; the draft is left alone.
    Open tickets' deadlines follow its business calendars, as on any publish."""
    before = active_version(WorkflowKind.TICKET)
    new = publish_version(WorkflowKind.TICKET, version.yaml_text, actor, comment=comment)
    moved = _follow_calendars(before, new)
    audit.record(
        "workflow.rolled_back",
        new,
        _version_label(new),
        before={"version": before.number, **outline(before.yaml_text)},
        after={
            "version": new.number,
            "restored": version.number,
            "comment": comment,
            **outline(new.yaml_text),
            **_moved_field(moved),
        },
        actor=actor,
    )
    return Published(new, moved)


@dataclass(frozen=True)
class TextDiff:
    lines: list[drafts.DiffLine]
    layout_ignored: bool  # the lines compare both texts re-written in one layout


def _changed_lines(lines: list[drafts.DiffLine]) -> int:
    return sum(1 for line in lines if line.kind in ("added", "removed"))


def _tidy(text: str) -> str | None:
    """The text re-written as the routing builder writes it, or None when it is not a mapping."""
    document = read_yaml(text, MAX_DEFINITION_BYTES)
    if isinstance(document, Problem) or not isinstance(document.data, Mapping):
        return None
    return dump_document(document.data)


def workflow_diff(old: str, new: str, locale: str = "en") -> TextDiff:
    """What differs between two workflow texts, without the noise of layout alone.

    The routing builder writes its section in block style, and re-writes the whole draft
    without comments when it cannot cut that section out, so a line diff against the
    hand-written active version may list nearly every line.
    When both texts read, the smaller of the two diffs is shown: the meaning diff then holds
    only what an admin really changed. Each hunk is headed by the parts it changes, in
    words ("Line 122: SLA policy “high”"), not by `@@ -120,7 +120,7 @@`.
    """
    plain = drafts.line_diff(old, new)
    old_tidy, new_tidy = _tidy(old), _tidy(new)
    if old_tidy is None or new_tidy is None:
        return TextDiff(_worded_hunks(plain, old, new, locale, with_lines=True), False)
    tidy = drafts.line_diff(old_tidy, new_tidy)
    if _changed_lines(tidy) < _changed_lines(plain):
        # the line numbers of re-written texts are not the admin's: the parts say where
        return TextDiff(_worded_hunks(tidy, old_tidy, new_tidy, locale, with_lines=False), True)
    return TextDiff(_worded_hunks(plain, old, new, locale, with_lines=True), False)


_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _worded_hunks(
    lines: list[drafts.DiffLine], old: str, new: str, locale: str, with_lines: bool
) -> list[drafts.DiffLine]:
    """The diff with each hunk header saying which states, policies, rules… it changes."""
    documents = [read_yaml(text, MAX_DEFINITION_BYTES) for text in (old, new)]
    readable = [None if isinstance(d, Problem) else d for d in documents]
    result = list(lines)
    hunk_at, numbers, first_changed = None, [0, 0], {}
    parts: dict[int, dict[str, DocumentPart]] = {}  # per hunk, by key: a rename is one part
    for index, line in enumerate(lines):
        if line.kind == "hunk":
            match = _HUNK.match(line.text)
            if match is None:
                hunk_at = None
                continue
            hunk_at, numbers = index, [int(match.group(1)), int(match.group(2))]
            parts[index] = {}
            continue
        side = {"removed": 0, "added": 1}.get(line.kind)
        if hunk_at is not None and side is not None:
            first_changed.setdefault(hunk_at, numbers[1])
            document = readable[side]
            part = (
                part_at_line(document.data, document.lines, numbers[side], locale)
                if document is not None
                else None
            )
            if part is not None and (side == 1 or part.key not in parts[hunk_at]):
                parts[hunk_at][part.key] = part  # the new text's name wins
        if line.kind in ("same", "removed"):
            numbers[0] += 1
        if line.kind in ("same", "added"):
            numbers[1] += 1
    for index, found in parts.items():
        said = ", ".join(part_in_words(part) for part in found.values())
        line_number = first_changed.get(index)
        if with_lines and line_number is not None:
            text = (
                _("Line %(line)s: %(parts)s", line=line_number, parts=said)
                if said
                else _("Line %(line)s", line=line_number)
            )
        else:
            text = said or _("Changes")
        result[index] = drafts.DiffLine("hunk", text)
    return result


def part_in_words(part: DocumentPart) -> str:
    """ "SLA policy “high”", "State “Resolved”": a part of the workflow as admins name it."""
    if not part.name and part.number is not None:  # unnamed: by its place, not a quoted "2"
        numbered = {
            "sla_policy": _("SLA policy %(n)s", n=part.number),
            "routing_rule": _("Routing rule %(n)s", n=part.number),
            "automation": _("Automation %(n)s", n=part.number),
        }
        if part.kind in numbered:
            return numbered[part.kind]
    named = {
        "state": _("State “%(name)s”", name=part.name),
        "transition": _("Transition “%(name)s”", name=part.name),
        "calendar": _("Business calendar “%(name)s”", name=part.name),
        "sla_policy": _("SLA policy “%(name)s”", name=part.name),
        "routing_rule": _("Routing rule “%(name)s”", name=part.name),
        "routing_default": _("Default route"),
        "automation": _("Automation “%(name)s”", name=part.name),
    }
    if part.kind in named:
        return named[part.kind]
    sections = {
        "name": _("Workflow name"),
        "description": _("Description"),
        "initial": _("Initial state"),
        "states": _("States"),
        "transitions": _("Transitions"),
        "sla": _("SLA policies and calendars"),
        "routing": _("Routing rules"),
        "automations": _("Automations"),
    }
    return sections.get(part.name, part.name)


def outline(text: str) -> dict[str, list]:
    """The parts of a workflow an admin changes, one entry each, for the audit log's
    before/after.

    The log shows only the parts that differ, so a publish reads e.g. "SLA policies:
    standard: 8 business hours / … (Warsaw office) → standard: 4 business hours / …" or
    "States: … → …, waiting_on_supplier". Policies and calendars are stored as data (their
    targets as written, the calendars' labels in every language) and worded by
    `audit.shown_value` in the reader's language.
    """
    document = read_yaml(text, MAX_DEFINITION_BYTES)
    data = document.data if not isinstance(document, Problem) else None
    if not isinstance(data, Mapping):
        return {}

    def mapping(value: Any) -> Mapping:
        return value if isinstance(value, Mapping) else {}

    def entries(value: Any) -> list[Mapping]:
        return (
            [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
        )

    sla_part = mapping(data.get("sla"))
    calendars = mapping(sla_part.get("calendars"))
    routing = mapping(data.get("routing"))
    return {
        "states": [str(name) for name in mapping(data.get("states"))],
        "transitions": [str(t.get("trigger")) for t in entries(data.get("transitions"))],
        # Codes and the calendars' own labels; the audit page words them for its reader.
        "sla_policies": [
            {
                "name": str(p.get("name")),
                "first_response": _text_or_none(p.get("first_response")),
                "resolution": _text_or_none(p.get("resolution")),
                "calendar": str(p.get("calendar")),
                "calendar_labels": _labels_of(_calendar_named(calendars, p.get("calendar"))),
            }
            for p in entries(sla_part.get("policies"))
        ],
        "calendars": [
            {"id": str(name), "labels": _labels_of(spec)} for name, spec in calendars.items()
        ],
        "rules": [str(rule.get("name")) for rule in entries(routing.get("rules"))],
    }


def _calendar_named(calendars: Mapping, name: Any) -> Any:
    """The calendar a policy names; none for a name written as a list or a mapping."""
    return calendars.get(name) if isinstance(name, Hashable) else None


def _text_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _labels_of(calendar: Any) -> dict[str, str]:
    """A calendar's `label` as language → text (one text is the English one)."""
    label = calendar.get("label") if isinstance(calendar, Mapping) else None
    if isinstance(label, str):
        return {"en": label} if label.strip() else {}
    if isinstance(label, Mapping):
        return {str(lang): text for lang, text in label.items() if isinstance(text, str) and text}
    return {}


def _version_label(version: WorkflowVersion) -> str:
    return f"ticket workflow v{version.number}"


def versions() -> list[WorkflowVersion]:
    active_version(WorkflowKind.TICKET)  # installs the shipped default on first use
    return list(
        db.session.scalars(
            select(WorkflowVersion)
            .where(WorkflowVersion.kind == WorkflowKind.TICKET)
            .order_by(WorkflowVersion.number.desc())
        )
    )


def version_by_number(number: int) -> WorkflowVersion | None:
    return db.session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.kind == WorkflowKind.TICKET, WorkflowVersion.number == number
        )
    )


# -- SLA overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyPreview:
    policy: SlaPolicy
    calendar_name: str  # its label in the admin's language ("Biuro w Warszawie")
    deadlines: Mapping[str, sla.Deadline]
    calendar_hours: str = ""  # when it is open, in which zone, which public holidays


@dataclass(frozen=True)
class CalendarRow:
    """A business calendar as the SLA page lists it, in the admin's language."""

    id: str
    label: str
    zone: str  # "Warszawa, UTC+01:00"
    hours: list[str]  # ["pon.–czw. 08:00–18:00", "pt. 08:00–16:00"]: closed days left out
    holidays: str  # the country's name (and region's), "" without public holidays
    calendar: BusinessCalendar


def calendar_rows(definition: WorkflowDefinition, locale: str) -> list[CalendarRow]:
    """The definition's calendars by their names in `locale`, with their hours in words."""
    now = utcnow()
    return [
        CalendarRow(
            name,
            calendar.label(locale),
            zone_in_words(calendar.timezone, locale, now),
            hours_by_days(calendar),
            holiday_country_name(calendar.holiday_country, calendar.holiday_subdivision)
            if calendar.holiday_country
            else "",
            calendar,
        )
        for name, calendar in definition.calendars.items()
    ]


def team_names() -> dict[str, str]:
    """Team names by routing name, so conditions read “Customer Care”, not customer-care."""
    return {team.slug: team.name for team in db.session.scalars(select(Team))}


def sla_preview(
    definition: WorkflowDefinition, created_at: datetime, locale: str = "en"
) -> list[PolicyPreview]:
    """Per policy, when a ticket created at `created_at` would be due (business time)."""
    result = []
    for policy in definition.policies:
        calendar = definition.calendars[policy.calendar]
        choice = sla.PolicyChoice(policy, calendar, "preview")
        result.append(
            PolicyPreview(
                policy,
                calendar.label(locale),
                sla.deadlines(choice, created_at),
                open_hours_in_words(calendar),
            )
        )
    return result


def sla_source(prefer: str = "draft") -> tuple[WorkflowDefinition | None, str, EditorText]:
    """The definition the SLA page shows: the draft when it is valid (or asked), else active."""
    current = editor_text()
    if prefer != "active" and current.draft is not None:
        result = validate_for_publish(WorkflowKind.TICKET, current.text, check_teams=False)
        if result.ok:
            return result.definition, "draft", current
    result = validate_for_publish(WorkflowKind.TICKET, current.active.yaml_text, check_teams=False)
    return (result.definition if result.ok else None), "active", current
