"""Admin routing studio: the workflow draft's routing rules as a list, and test routing.

Every change reads the shared ticket-workflow draft (the YAML editor edits the same one),
changes its data with `workflow.routing_rules`, and saves it back naming the revision the
page was opened at: a save over another admin's newer draft is refused and their change
shown, never overwritten. Testing routing writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from survey_forms import routing_fields as rf
from survey_forms.definition import CHANNELS
from webapp.admin import bp
from webapp.admin import routing_fields as pickers
from webapp.admin.form_builder_views import TYPE_LABELS as QUESTION_TYPE_LABELS
from webapp.admin.form_words import FormNames, describe_condition
from webapp.extensions import db
from webapp.htmx_responses import fragment_only, render_page_or_partial
from webapp.models import Team, WorkflowKind
from webapp.problem_text import problem_line, problem_message
from webapp.record_ids import optional_id
from webapp.security import admin_required
from webapp.services import audit, drafts, routing_tester
from webapp.services.workflow_studio import DRAFT_KEY, DRAFT_KIND, editor_text, save_draft
from webapp.services.workflow_versions import validate_for_publish
from webapp.tickets.presenters import describe_calendar, describe_target
from webapp.tickets.routing_reasons import condition_words, facts_in_words, rule_title
from workflow import condition_groups
from workflow import routing_rules as rr
from workflow.definition import STRATEGIES, load_definition
from workflow.registry import PRIORITIES

PAGE = "admin/workflow_routing.html"
BODY = "admin/_workflow_routing_body.html"
RESULT = "admin/_workflow_routing_test_result.html"
QUESTIONS = "admin/_workflow_routing_test_questions.html"
MAX_SEEN_CHARS = 256 * 1024
MAX_ROWS_SHOWN = rr.MAX_CLAUSES
LOCALES = ("en", "pl", "ru", "sl")

OPERATOR_LABELS = {
    "=": _l("is (=)"),
    "!=": _l("is not (≠)"),
    "<": _l("less than (<)"),
    "<=": _l("at most (≤)"),
    ">": _l("more than (>)"),
    ">=": _l("at least (≥)"),
    "in": _l("is one of (comma-separated)"),  # typed (ticked: routing_fields.LIST_OPERATOR_LABELS)
    "not_in": _l("is none of (comma-separated)"),
    "contains": _l("contains"),
    "exists": _l("is filled in"),
    "missing": _l("is empty"),
}
STRATEGY_LABELS = {
    "round_robin": _l("Round-robin (speakers of the language on duty first)"),
    "least_loaded": _l("Least loaded, within capacity"),
    "manual": _l("Manual: the team picks it up"),
}
INPUT_MESSAGES = {
    "no_name": _l("Give the rule a name."),
    "name_too_long": _l("The name is too long (at most %(limit)s characters)."),
    "bad_mode": _l("Choose whether all or any of the conditions must hold."),
    "no_condition": _l("A rule needs at least one condition; the default route takes the rest."),
    "too_many_clauses": _l("At most %(limit)s conditions per rule."),
    "too_many_groups": _l("At most %(limit)s groups per rule."),
    "empty_group": _l("Group %(n)s has no conditions: add one to it or remove the group."),
    "no_field": _l("Choose what the condition tests."),
    "bad_field": _l("“%(field)s” is not a field name (e.g. answers.score, locale)."),
    "bad_operator": _l("“%(op)s” is not an operator."),
    "value_too_long": _l("The value is too long (at most %(limit)s characters)."),
    "no_value": _l("Type the value to compare with."),
    "not_a_number": _l(
        "“%(value)s” is not a number: less than, at most, more than and at least compare "
        "numbers (or dates written like 2025-01-31). Write the number, e.g. 6."
    ),
    "no_list": _l("List the values, separated by commas."),
    "no_ticks": _l("Tick at least one value."),
    "list_too_long": _l("At most %(limit)s values in a list."),
    "list_value_too_long": _l(
        "“%(value)s…” is too long: each value has at most %(limit)s characters."
    ),
    "unknown_team": _l("There is no team “%(team)s”."),
    "bad_priority": _l("“%(priority)s” is not a priority."),
    "bad_labels": _l("At most %(limit)s labels of %(chars)s characters each."),
    "bad_strategy": _l("“%(assign)s” is not an assignment strategy."),
    "bad_watchers": _l("“%(address)s” is not an e-mail address (at most 20 watchers)."),
}
ANSWER_MESSAGES = {
    "too_long": _l("too long"),
    "scale": _l("out of the scale"),
    "choice": _l("not one of the choices"),
}


# -- the draft the page edits -------------------------------------------------------------


@dataclass
class Editing:
    """The draft as the page shows it, or why it cannot be edited here."""

    text: str
    revision: int | None
    base_number: int | None
    data: dict | None
    problem: str | None  # why the YAML cannot be edited as data, in the admin's language


def _editing() -> Editing:
    opened = editor_text()
    try:
        data = rr.read_document(opened.text)
        problem = None
    except rr.DocumentError as error:
        data, problem = None, problem_line(error.problem)
    return Editing(opened.text, opened.revision, opened.base_number, data, problem)


def _teams() -> list[Team]:
    return db.session.scalars(select(Team).order_by(Team.name, Team.slug)).all()


def _catalogue(forms, data: Mapping | None) -> pickers.Catalogue:
    """The field picker: what routing reads, named; metadata keys seen in responses and in
    the draft's rules among them."""
    used = [
        row.field
        for rule in (rr.rules_of(data) if data is not None else [])
        if isinstance(rule, Mapping)
        for row in rr.condition_form(rule.get("when")).flat()
    ]
    keys = routing_tester.metadata_keys_seen() + [
        name.split(".", 1)[1] for name in used if name.startswith("metadata.") and "." in name
    ]
    return pickers.catalogue(forms, list(dict.fromkeys(keys)))


def _question_ids(forms) -> set[str]:
    """The question ids of the published forms: what an `answers.<id>` field can read."""
    return {question.id for _slug, definition in forms for question in definition.questions}


def _row_warnings(clauses, question_ids: set[str]) -> dict[str, list[str]]:
    """The builder's rows that read an answer no form asks, keyed like the row errors."""
    warnings: dict[str, list[str]] = {}
    for index, clause in enumerate(condition_groups.flat(clauses)):
        for problem in rr.unknown_questions({"field": clause.field.strip()}, question_ids):
            warnings.setdefault(f"clauses[{index}].field", []).append(problem_message(problem))
    return warnings


def _seen_json(data: Mapping | None) -> str:
    return json.dumps(rr.routing_section(data), default=str) if data is not None else ""


def _summary(rule: Any, index: int, team_names: Mapping[str, str]) -> str:
    """One rule for the audit log: name, condition and team.

    The team by its name ("Customer Care"), as admins know it, on both sides of the entry;
    a slug no team has any more as it is written, no team as "—". An unnamed rule by its
    place ("Rule 2").
    """
    if not isinstance(rule, Mapping):
        return str(rule)
    team = (rule.get("set") or {}).get("team") if isinstance(rule.get("set"), Mapping) else None
    if not team:
        team_text = "—"
    else:  # a team written as a list or a mapping is shown as written, not looked up
        team_text = team_names.get(team, str(team)) if isinstance(team, Hashable) else str(team)
    name = rule_title(rule.get("name"), index)
    return f"{name}: {rr.describe_condition(rule.get('when'))} → {team_text}"


def _target_shown(target: Mapping) -> dict:
    """A rule's `set` for the page: a team, priority or strategy written as a list or a
    mapping is shown as written (the draft's problems say what is wrong), not looked up."""
    return {
        key: value if isinstance(value, Hashable) else json.dumps(value, default=str)
        for key, value in target.items()
    } | {key: target[key] for key in ("labels", "watchers") if key in target}


def _routing_audit(
    old: Mapping, new: Mapping, team_names: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit entry's two sides: only the rules the save added, removed or changed
    (before → after, in words), and the order of the rules when it moved them."""
    old_rules, new_rules = rr.rules_of(old), rr.rules_of(new)
    delta = rr.rule_changes(old_rules, new_rules)
    was = [_summary(rule, index, team_names) for index, rule in enumerate(old_rules)]
    now = [_summary(rule, index, team_names) for index, rule in enumerate(new_rules)]
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if delta.removed:
        before["rules_removed"] = [was[index] for index in delta.removed]
    if delta.added:
        after["rules_added"] = [now[index] for index in delta.added]
    # Changes the summary does not show (a rule's priority, say) leave the words alone.
    changed = [(i, j) for i, j in delta.changed if was[i] != now[j]]
    if changed:
        before["rules_changed"] = [was[i] for i, _j in changed]
        after["rules_changed"] = [now[j] for _i, j in changed]
    if delta.reordered:
        before["rule_order"] = [
            rule_title(_rule_name(old_rules[i]), i) for i, _j in sorted(delta.kept)
        ]
        after["rule_order"] = [rule_title(_rule_name(new_rules[j]), j) for _i, j in delta.kept]
    return before, after


def _rule_name(rule: Any) -> Any:
    return rule.get("name") if isinstance(rule, Mapping) else None


def _problems(text: str):
    return validate_for_publish(WorkflowKind.TICKET, text).problems


def _context(editing: Editing, **extra) -> dict:
    forms = routing_tester.testable_forms()
    question_ids = _question_ids(forms)
    rules = []
    teams = _teams()
    team_names = {team.slug: team.name for team in teams}
    form_names = FormNames(lambda: forms)  # the forms already loaded: no second query
    catalogue = _catalogue(forms, editing.data)
    if editing.data is not None:
        for index, rule in enumerate(rr.rules_of(editing.data)):
            rule = rule if isinstance(rule, Mapping) else {}
            target = _target_shown(rule.get("set") if isinstance(rule.get("set"), Mapping) else {})
            warnings = rr.unknown_questions(rule.get("when"), question_ids)
            rules.append(
                {
                    "index": index,
                    "name": rule_title(rule.get("name"), index),
                    "condition": describe_condition(rule.get("when"), None, team_names, form_names)
                    if rule.get("when") is not None
                    else _("always"),
                    "target": target,
                    "warnings": list(dict.fromkeys(problem_message(w) for w in warnings)),
                }
            )
    values = {
        "editing": editing,
        "rules": rules,
        "default": _target_shown(rr.default_of(editing.data)) if editing.data is not None else {},
        "problems": _problems(editing.text),
        "seen": _seen_json(editing.data),
        "teams": teams,
        "priorities": PRIORITIES,
        "strategies": STRATEGIES,
        "strategy_labels": STRATEGY_LABELS,
        "operator_labels": OPERATOR_LABELS,
        "field_groups": catalogue.groups,
        "other_field": rf.OTHER,
        "row_view": lambda clause: pickers.row_view(clause, catalogue, OPERATOR_LABELS),
        "max_rows": rr.MAX_CLAUSES,
        "max_list_chars": rr.MAX_LIST_CHARS,
        "max_groups": rr.MAX_GROUPS,
        "editor": None,
        "conflict": None,
        "errors": {},
    }
    values["team_names"] = team_names
    values.update(extra)
    if values["editor"] is None and editing.data is not None:
        values["editor"] = _editor_for(editing, request.args.get("edit", ""))
    editor = values["editor"]
    values["warnings"] = _row_warnings(editor.get("clauses") or [], question_ids) if editor else {}
    values.update(_dropped_comments(editing, editor))
    return values


def _dropped_comments(editing: Editing, editor: dict | None) -> dict[str, list[int]]:
    """The lines of the comments a save would drop, said before saving: by any save
    (`dropped_comments`: the section cannot be rewritten rule by rule) and by the editor's
    (`editor_dropped_comments`: also those inside the rule or default route it saves)."""
    if editing.data is None:
        return {"dropped_comments": [], "editor_dropped_comments": []}
    kind = editor["kind"] if editor is not None else ""
    rule = editor.get("index") if kind == "rule" else None
    every, mine = rr.comments_at_risk(editing.text, rule, default=kind == "default")
    return {"dropped_comments": every, "editor_dropped_comments": mine if editor else []}


def _editor_for(editing: Editing, which: str) -> dict:
    """The builder's fields: a new rule, rule `which`, or the default route."""
    if which == "default":
        return {
            "kind": "default",
            "target": rr.target_input(rr.default_of(editing.data)),
        }
    rules = rr.rules_of(editing.data)
    if which.isdigit() and int(which) < len(rules):
        entry, form = rr.rule_input(rules[int(which)])
        return {
            "kind": "rule",
            "index": int(which),
            "entry": entry,
            "clauses": _rows(entry.clauses),
            "complex": form.complex,
            "complex_yaml": rr.dump_document({"when": rules[int(which)].get("when")})
            if form.complex
            else "",
            "replace_condition": False,
        }
    return {
        "kind": "rule",
        "index": None,
        "entry": rr.RuleInput(),
        "clauses": _rows(()),
        "complex": False,
        "complex_yaml": "",
        "replace_condition": False,
    }


def _rows(clauses, extra: int = 1) -> list:
    """The rows and groups to show, and `extra` spare rows at the end (ignored if left
    empty), as many as the limit leaves room for."""
    rows = list(clauses)[:MAX_ROWS_SHOWN]
    room = MAX_ROWS_SHOWN - len(condition_groups.flat(rows))
    return rows + [rr.Clause()] * max(0, min(extra, room))


def _render_body(editing: Editing, status: int = 200, **extra):
    context = _context(editing, **extra)
    if request.htmx:
        response = make_response(render_template(BODY, **context), status)
    else:
        response = make_response(render_template(PAGE, **_page_context(context)), status)
    response.headers.add("Vary", "HX-Request")
    return response


def _page_context(context: dict) -> dict:
    slug = (request.args.get("form") or "")[:100]  # no JavaScript: "show the form's questions"
    test = _test_defaults() | ({"source": "typed", "form": slug} if slug else {})
    return {
        **context,
        "responses": routing_tester.recent_responses(),
        "test_forms": [  # by title in the admin's language, as the forms list names them
            (slug, definition.text(definition.title, str(get_locale() or "")) or slug)
            for slug, definition in routing_tester.testable_forms()
        ],
        "locales": LOCALES,  # the typed test's language and channel choices
        "channels": CHANNELS,
        "test": test,
        "result": None,
        "error": None,
        "questions": _questions(slug),
    }


# -- the page -----------------------------------------------------------------------------


@bp.get("/workflow/routing")
@admin_required
def workflow_routing():
    editing = _editing()
    context = _context(editing)
    return render_page_or_partial(PAGE, BODY, **_page_context(context))


# -- changes ------------------------------------------------------------------------------


def _form_revision() -> int | None | str:
    raw = (request.form.get("revision") or "").strip()
    if not raw:
        return None
    return optional_id(raw) or "bad"


def _seen_section() -> dict | None:
    raw = request.form.get("seen") or ""
    if not raw or len(raw) > MAX_SEEN_CHARS:
        return None
    try:
        seen = json.loads(raw)
    except ValueError:
        return None
    return seen if isinstance(seen, dict) else None


def _change(
    apply: Callable[[dict], dict], message: str, ticked: set[str] = frozenset(), **editor_state
):
    """Apply one change to the draft's data and save it, refusing stale pages as conflicts;
    `ticked`: the rows whose values are ticked (see `_input_errors`)."""
    editing = _editing()
    if editing.data is None:
        flash(_("The draft is not readable as data; fix it in the YAML editor first."), "error")
        return _render_body(editing, 422)
    revision = _form_revision()
    if revision != editing.revision:
        return _conflict(editing, apply)
    try:
        changed = apply(editing.data)
    except rr.RuleInputError as error:
        return _render_body(editing, 422, errors=_input_errors(error, ticked), **editor_state)
    except (IndexError, ValueError):
        flash(_("That rule is no longer there; the list below is the current one."), "error")
        return _render_body(editing, 422)
    text = rr.write_routing(editing.text, changed)  # the admin's comments elsewhere stay
    try:
        # One audit entry per save: the one below says the rules' conditions and teams; the
        # draft's own ("Saved a workflow draft") would list the same rules by name only.
        draft = save_draft(text, revision, editing.base_number, current_user, audited=False)
    except drafts.DraftRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _render_body(editing, 422, **editor_state)
    except drafts.EditConflict:
        db.session.rollback()
        return _conflict(_editing(), apply)
    team_names = {team.slug: team.name for team in _teams()}
    before, after = _routing_audit(editing.data, changed, team_names)
    audit.record(
        "workflow.routing_changed",
        draft,
        _("Ticket workflow draft"),
        before={"revision": revision, **before},
        after={"revision": draft.revision, **after},
    )
    db.session.commit()
    flash(message, "success")
    if not request.htmx:
        return redirect(url_for("admin.workflow_routing"), code=303)
    return _render_body(_editing())


def _conflict(current_editing: Editing, apply: Callable[[dict], dict]):
    """Someone saved the draft after this page was opened: show theirs and what yours was."""
    draft = drafts.current(DRAFT_KIND, DRAFT_KEY)
    seen = _seen_section()
    diff = []
    if seen is not None and current_editing.data is not None:
        theirs = {"routing": rr.routing_section(current_editing.data)}
        try:
            yours_data = apply(rr.with_routing_section(current_editing.data, seen))
            yours = {"routing": rr.routing_section(yours_data)}
            diff = drafts.line_diff(rr.dump_document(theirs), rr.dump_document(yours))
        except (rr.RuleInputError, IndexError, ValueError, TypeError, AttributeError):
            diff = []  # what the page sent cannot be replayed: their draft is shown alone
    conflict = {
        "who": draft.updated_by.name if draft and draft.updated_by else None,
        "when": draft.updated_at if draft else None,
        "gone": draft is None,
        "diff": diff,
    }
    return _render_body(current_editing, 409 if not request.htmx else 422, conflict=conflict)


def _input_errors(error: rr.RuleInputError, ticked: set[str] = frozenset()) -> dict[str, list[str]]:
    """The problems in the admin's words, by where they are; `ticked` are the rows whose
    values are ticked, where an empty list is "tick at least one"."""
    errors: dict[str, list[str]] = {}
    for where, code, params in error.problems:
        if code == "no_list" and where.removesuffix(".value") in ticked:
            code = "no_ticks"
        text = INPUT_MESSAGES.get(code)
        message = str(text) % params if text is not None and params else str(text or code)
        errors.setdefault(where, []).append(message)
    return errors


@dataclass
class PostedRows:
    """The condition rows and groups as posted, and whether a row's field was changed since
    the page showed it (its value was then picked for another field)."""

    items: list
    switched: bool
    ticked: set[str] = field(default_factory=set)  # clauses[i] of rows whose values are ticked


def _posted_rows(catalogue: pickers.Catalogue) -> PostedRows:
    """The rows and groups as posted. Each row sends its field picker's choice (`field`, or
    "Other field…" and the typed `field_other`), `op`, `value`, its `place` among the top
    rows and groups, and the picker choice and operator it was shown with (`shown`,
    `shown_op`); a row whose values are ticked names its boxes (`ticks`: `tick-<n>`), and
    its `value` is then the list it was shown with. A group sends its place (`group`) and
    all/any (`group_mode`). Spare rows left empty at the top are dropped; rows left empty
    in a group stay until saved (the group may need them)."""
    form = request.form
    keys = form.getlist("field")[: rr.MAX_CLAUSES + 1]
    count = len(keys)

    def column(name: str, limit: int, default: str = "") -> list[str]:
        values = [value[:limit] for value in form.getlist(name)[:count]]
        return values + [default] * (count - len(values))

    typed = column("field_other", 200)
    ops, values = column("op", 20, "="), column("value", rr.MAX_LIST_CHARS + 1)
    places, shown = column("place", 4), column("shown", 200, None)
    shown_ops, ticks = column("shown_op", 20), column("ticks", 4)
    switched = False
    rows = []
    for i in range(count):
        key = keys[i][:200]
        value = values[i]
        if ticks[i].isdigit():
            boxes = form.getlist(f"tick-{ticks[i]}")[: rr.MAX_LIST_ITEMS + 1]
            value = rf.ticked_text(value, [box[: rr.MAX_VALUE_CHARS + 1] for box in boxes])
        if shown_ops[i] and shown_ops[i] != ops[i]:
            value = rf.value_after_op_change(shown_ops[i], ops[i], value)
        clause = rf.clause_of(key, typed[i], ops[i], value)
        if shown[i] is not None and shown[i] != key:
            switched = True
            choice = catalogue.by_key.get(key)
            clause = rf.after_switch(
                clause,
                choice.kind if choice else "text",
                lambda op, choice=choice: pickers.first_value(choice, op),
            )
        rows.append((places[i], clause))
    group_places = form.getlist("group")[: rr.MAX_GROUPS + 1]
    modes = form.getlist("group_mode")[: len(group_places)]
    modes += ["all"] * (len(group_places) - len(modes))
    items = condition_groups.arrange(rows, list(zip(group_places, modes, strict=True)))
    kept = [item for item in items if item.is_group or not item.blank]  # spares
    ticked = {
        f"clauses[{index}]"  # counted as the rule's problems are
        for index, row in enumerate(condition_groups.flat(kept))
        if pickers.ticks_values(row, catalogue)
    }
    return PostedRows(kept, switched, ticked)


def _target_from_form() -> rr.TargetInput:
    def text(name: str, limit: int = 2000) -> str:
        return (request.form.get(name) or "")[:limit]

    return rr.TargetInput(
        team=text("team", 100),
        priority=text("priority", 40),
        labels=text("labels"),
        assign=text("assign", 40) or "manual",
        overflow_team=text("overflow_team", 100),
        watchers=text("watchers"),
    )


def _rule_entry(posted: PostedRows) -> rr.RuleInput:
    return rr.RuleInput(
        name=(request.form.get("name") or "")[:500],
        mode=request.form.get("mode", "all"),
        clauses=tuple(posted.items),
        target=_target_from_form(),
    )


def _posted_rule() -> tuple[rr.RuleInput, PostedRows, str]:
    """The rule as posted, its rows, and the builder button pressed: `refresh` (a field or
    an operator changed, or "Update the choices"), `add_row`, `add_group`, `add_to:<n>`,
    `remove:<i>`, `remove_group:<n>`; "" to save."""
    posted = _posted_rows(_catalogue(routing_tester.testable_forms(), None))
    action = (request.form.get("action") or "")[:20]
    if request.form.get("add_row"):
        action = "add_row"
    if posted.switched and not action:
        action = "refresh"  # a value picked for another field: shown again, not saved
    return _rule_entry(posted), posted, action


def _known_teams(*extra: str | None) -> set[str]:
    return {team.slug for team in _teams()} | {slug for slug in extra if slug}


def _rule_editor_state(
    index: int | None, entry: rr.RuleInput, complex_yaml: str = "", action: str = ""
) -> dict:
    """The editor as posted, after the builder button `action` (nothing is saved)."""
    keep = bool(complex_yaml) and not request.form.get("replace_condition")
    items = list(entry.clauses)
    if action not in ("", "refresh", "add_row"):
        items = condition_groups.edit(
            entry.mode,
            items,
            action,
            rr.Clause(),
            max_rows=rr.MAX_CLAUSES,
            max_groups=rr.MAX_GROUPS,
        )
        items = [item for item in items if item.is_group or not item.blank]
    return {
        "editor": {
            "kind": "rule",
            "index": index,
            "entry": replace(entry, clauses=tuple(items)),
            "clauses": _rows(items, extra=2 if action == "add_row" else 1),
            "complex": bool(complex_yaml),
            "complex_yaml": complex_yaml,
            "replace_condition": not keep and bool(complex_yaml),
            "switched": action == "refresh" and request.form.get("action") != "refresh",
        }
    }


@bp.post("/workflow/routing/rules")
@admin_required
def workflow_routing_add():
    entry, posted, action = _posted_rule()
    state = _rule_editor_state(None, entry, action=action)
    if action:  # a builder button: the rule shown again, nothing saved
        return _render_body(_editing(), **state)
    teams = _known_teams()

    def apply(data: dict) -> dict:
        return rr.add_rule(data, rr.build_rule(entry, teams))

    message = _("Rule “%(name)s” added.", name=" ".join(entry.name.split()))
    return _change(apply, message, posted.ticked, **state)


@bp.post("/workflow/routing/rules/<int:index>")
@admin_required
def workflow_routing_update(index: int):
    entry, posted, action = _posted_rule()
    editing = _editing()
    rules = rr.rules_of(editing.data) if editing.data is not None else []
    old = rules[index] if index < len(rules) and isinstance(rules[index], Mapping) else {}
    complex_yaml = ""
    if old and rr.condition_form(old.get("when")).complex:
        complex_yaml = rr.dump_document({"when": old.get("when")})
    state = _rule_editor_state(index, entry, complex_yaml, action)
    if action:
        return _render_body(editing, **state)
    old_set = old.get("set") if isinstance(old.get("set"), Mapping) else {}
    teams = _known_teams(old_set.get("team"), old_set.get("overflow_team"))
    keep = old.get("when") if complex_yaml and not request.form.get("replace_condition") else None

    def apply(data: dict) -> dict:
        rule = rr.build_rule(entry, teams, keep_condition=keep, original_condition=old.get("when"))
        return rr.replace_rule(data, index, rule)

    message = _("Rule “%(name)s” saved.", name=" ".join(entry.name.split()))
    return _change(apply, message, posted.ticked, **state)


@bp.post("/workflow/routing/rules/<int:index>/remove")
@admin_required
def workflow_routing_remove(index: int):
    return _change(lambda data: rr.remove_rule(data, index), _("Rule removed."))


@bp.post("/workflow/routing/rules/<int:index>/move")
@admin_required
def workflow_routing_move(index: int):
    offset = -1 if request.form.get("direction") == "up" else 1
    return _change(lambda data: rr.move_rule(data, index, offset), _("Rule moved."))


@bp.post("/workflow/routing/reorder")
@admin_required
def workflow_routing_reorder():
    raw = request.form.getlist("order")[:10_000]
    order = [int(x) for x in raw if x.isdigit() and len(x) < 7]
    if len(order) != len(raw):
        order = [-1]  # refused by reorder_rules as not naming every rule once
    return _change(lambda data: rr.reorder_rules(data, order), _("Rules reordered."))


@bp.post("/workflow/routing/default")
@admin_required
def workflow_routing_default():
    target = _target_from_form()
    editing = _editing()
    old = rr.default_of(editing.data) if editing.data is not None else {}
    teams = _known_teams(old.get("team"), old.get("overflow_team"))
    state = {"editor": {"kind": "default", "target": target}}

    def apply(data: dict) -> dict:
        return rr.set_default(data, rr.build_target(target, teams))

    return _change(apply, _("Default route saved."), **state)


# -- test routing -------------------------------------------------------------------------


def _test_defaults() -> dict:
    return {
        "source": "response",
        "response_id": "",
        "form": "",
        "locale": "en",
        "channel": "web",
        "email": "",
        "metadata": "",
        "answers": {},
        "compare": True,
    }


def _questions(slug: str):
    definition = routing_tester.form_definition(slug) if slug else None
    if definition is None:
        return None
    return {"slug": slug, "definition": definition, "type_labels": QUESTION_TYPE_LABELS}


def _routing_test_page() -> str:
    """Without htmx, the routing page shows the chosen form's questions itself."""
    form = request.args.get("form", "")[:100] or None
    return url_for("admin.workflow_routing", form=form, _anchor="routing-test")


@bp.get("/workflow/routing/test/questions")
@admin_required
@fragment_only(_routing_test_page)
def workflow_routing_test_questions():
    """The typed-answer fields of the chosen form (htmx swaps them in when the form changes)."""
    return render_template(
        QUESTIONS,
        questions=_questions(request.args.get("form", "")[:100]),
        test=_test_defaults(),
    )


def _metadata_from_text(text: str) -> dict[str, str]:
    result = {}
    for line in text.splitlines()[: routing_tester.MAX_METADATA_ITEMS]:
        key, sep, value = line.partition(":")
        if sep and key.strip():
            result[key.strip()[:64]] = value.strip()[:500]
    return result


@bp.post("/workflow/routing/test")
@admin_required
def workflow_routing_test():
    form = request.form
    test = _test_defaults() | {
        "source": "typed" if form.get("source") == "typed" else "response",
        "response_id": (form.get("response_id") or "")[:12],
        "form": (form.get("form") or "")[:100],
        "locale": form.get("locale") if form.get("locale") in LOCALES else "en",
        "channel": form.get("channel") if form.get("channel") in CHANNELS else "web",
        "email": (form.get("email") or "")[:254],
        "metadata": (form.get("metadata") or "")[:5000],
        "answers": {
            key[len("answer-") :]: (
                form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key)
            )
            for key in list(form.keys())[:200]
            if key.startswith("answer-")
        },
        "compare": bool(form.get("compare")),
    }
    result, error, status = None, None, 200
    sample = None
    if test["source"] == "response":
        if (response_id := optional_id(test["response_id"])) is not None:
            sample = routing_tester.sample_from_response(response_id)
        if sample is None:
            error, status = _("Choose one of the recent responses."), 422
    else:
        try:
            sample = routing_tester.sample_from_answers(
                test["form"],
                test["answers"],
                locale=test["locale"],
                channel=test["channel"],
                email=test["email"],
                metadata=_metadata_from_text(test["metadata"]),
            )
        except routing_tester.SampleRefused:
            error, status = _("Choose a form to type answers for."), 422
    if sample is not None:
        result = _trials(sample, test["compare"])
    db.session.rollback()  # nothing here is meant to be written, whatever happened
    team_names = {team.slug: team.name for team in _teams()}
    form_names = FormNames()  # form titles and question texts, loaded once if a rule names one
    context = {
        "result": result,
        "error": error,
        "test": test,
        "due_reason": _due_reason,
        "team_names": team_names,
        "form_names": form_names,
        # Conditions and the facts they read, as the admin words them ("the team is “Care”").
        "say": lambda condition: condition_words(condition, team_names, form_names),
        "say_facts": lambda condition, facts: facts_in_words(
            condition, facts, team_names, form_names
        ),
    }
    if request.htmx:
        return make_response(render_template(RESULT, **context), status)
    editing = _editing()
    page = _page_context(_context(editing))
    page.update(context, questions=_questions(test["form"]))
    return make_response(render_template(PAGE, **page), status)


def _due_reason(due: routing_tester.DueTime) -> str:
    """Why a test due time is what it is, in the admin's language: the target and the calendar."""
    if due.target is None or due.calendar is None:
        return due.explanation
    return _(
        "%(target)s by the calendar %(calendar)s (%(hours)s)",
        target=describe_target(due.target),
        calendar=due.calendar.label(str(get_locale() or "en")),
        hours=describe_calendar(due.calendar),
    )


def _trials(sample: routing_tester.Sample, compare: bool) -> dict:
    """The draft's trial (and the active version's), with the real routing when there is one."""
    draft = drafts.current(DRAFT_KIND, DRAFT_KEY)
    version, active_definition = routing_tester.active_definition()
    columns = []
    if draft is not None:
        loaded = load_definition(draft.yaml_text)
        trial = routing_tester.try_routing(
            loaded.definition, sample.new_ticket, problems=loaded.problems
        )
        columns.append({"title": _("Draft (revision %(n)s)", n=draft.revision), "trial": trial})
    if draft is None or compare:
        trial = routing_tester.try_routing(active_definition, sample.new_ticket)
        title = _("Active version %(n)s", n=version.number) if version else _("Shipped default")
        columns.append({"title": title, "trial": trial, "active": True})
    real = None
    if sample.ticket is not None:
        event = routing_tester.real_routing(sample.ticket)
        if event is not None:
            real = {"ticket": sample.ticket, "data": event.data or {}, "at": event.created_at}
    return {
        "columns": columns,
        "real": real,
        "sample": sample,
        "facts": json.dumps(
            routing_tester.facts_of(sample.new_ticket), ensure_ascii=False, indent=2, default=str
        ),
        "rejected": [
            (question, str(ANSWER_MESSAGES.get(code, code))) for question, code in sample.rejected
        ],
        "no_draft": draft is None,
    }
