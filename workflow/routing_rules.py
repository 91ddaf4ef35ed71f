"""Edit a workflow document's routing rules as data: the structured editor's operations.

Plain data in, plain data out, no Flask: the web layer reads the draft's YAML with
`read_document`, applies one operation (add, replace, remove, move, reorder, set the
default) and writes back only the routing section with `write_routing`. Conditions come
out in the format `workflow.conditions` evaluates; a builder's input that cannot make one
raises `RuleInputError` with a code per problem (the web layer words them).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from workflow import condition_groups, routing_text
from workflow.conditions import OPERATORS
from workflow.definition import MAX_DEFINITION_BYTES, STRATEGIES
from workflow.registry import PRIORITIES
from workflow.yaml_documents import N_, Problem, comment_lines, read_yaml, top_level_span

MAX_CLAUSES = 20  # comparisons in one condition, those inside groups included
MAX_GROUPS = condition_groups.MAX_GROUPS
MAX_VALUE_CHARS = 500
MAX_LIST_ITEMS = 100
# A list's text: every value at its longest, each quoted with its quotes doubled.
MAX_LIST_CHARS = MAX_LIST_ITEMS * (2 * MAX_VALUE_CHARS + 4)
MAX_NAME_CHARS = 120
MAX_LABELS = 20
MAX_LABEL_CHARS = 64
MAX_WATCHERS = 20
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$")
_INTEGER = re.compile(r"^-?\d{1,15}$")
_DECIMAL = re.compile(r"^-?\d{1,15}\.\d{1,15}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ORDERING = ("<", "<=", ">", ">=")  # compare numbers (and ISO dates, which sort as text)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,63}$")
GROUPS = ("all", "any")
TARGET_KEYS = ("team", "priority", "labels", "assign", "overflow_team", "watchers")
SCORE_CATEGORY = "score.category"
SCORE_TYPE = "score.type"
# The score types whose groups a row may be tied to (see Clause.score_type).
SCORE_GROUP_TYPES = ("nps", "csat", "ces", "goal")


class DocumentError(ValueError):
    """The draft cannot be edited structurally (not YAML, not a mapping, rules not a list)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class RuleInputError(ValueError):
    """The builder's input does not make a rule; `problems` are (where, code, params)."""

    def __init__(self, problems: Sequence[tuple[str, str, dict]]):
        super().__init__("; ".join(f"{where}: {code}" for where, code, _ in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Clause:
    """One comparison as the builder shows it: a field, an operator and the value as text.

    `other`: the admin chose "Other field…" (the field is typed, maybe not yet).
    `score_type`: a score group row tied to one score type, because its groups alone do
    not say which (CES and CSAT both have "neutral"): stored as
    {all: [{field: score.type, op: =, value: ces}, {field: score.category, ...}]}, which
    also matches only that type's scores. Rows whose groups name their type keep the
    single comparison (as every rule stored before); "filled in" and "empty" name no group,
    so those rows are always tied (`score.category exists` alone is any score's group).
    """

    field: str = ""
    op: str = "="
    value: str = ""
    other: bool = False
    # The picker entry the row was shown with (score groups of which score type): a hint
    # for showing it again, not part of the condition.
    picked: str = dataclasses.field(default="", compare=False)
    score_type: str = ""

    is_group = False

    @property
    def blank(self) -> bool:
        """A spare row: nothing chosen or typed; saving ignores it."""
        return not self.field.strip() and not self.value.strip() and not self.other


# Rows inside a condition that hold together (all) or as alternatives (any), as in the
# form builder: {any: [x, {all: [y, z]}]} is a row x and a group of y and z.
ClauseGroup = condition_groups.Group


@dataclass(frozen=True)
class ConditionForm:
    """A condition the builder can show: all/any of comparisons, each of which may be a
    group of its own all/any of comparisons (one level); anything deeper is `complex`."""

    mode: str = "all"  # "all" | "any"
    clauses: tuple[Clause | ClauseGroup, ...] = ()
    complex: bool = False  # nested deeper or `not`: left as it is unless replaced

    def flat(self) -> list[Clause]:
        return condition_groups.flat(self.clauses)


@dataclass(frozen=True)
class TargetInput:
    team: str = ""
    priority: str = ""
    labels: str = ""  # comma-separated
    assign: str = "manual"
    overflow_team: str = ""
    watchers: str = ""  # comma- or line-separated e-mail addresses


@dataclass(frozen=True)
class RuleInput:
    name: str = ""
    mode: str = "all"
    clauses: tuple[Clause | ClauseGroup, ...] = ()
    target: TargetInput = field(default_factory=TargetInput)


# -- the document -------------------------------------------------------------------


def read_document(text: str) -> dict:
    """The YAML document as data; raises DocumentError when it cannot be edited as data."""
    document = read_yaml(text, MAX_DEFINITION_BYTES)
    if isinstance(document, Problem):
        raise DocumentError(document)
    data = document.data if document.data is not None else {}
    if not isinstance(data, Mapping):
        raise DocumentError(Problem("", N_("the document must be a mapping")))
    data = dict(data)
    routing = data.get("routing")
    if routing is not None and not isinstance(routing, Mapping):
        raise DocumentError(Problem("routing", N_("must be a mapping with rules and a default")))
    rules = (routing or {}).get("rules")
    if rules is not None and not isinstance(rules, list):
        raise DocumentError(Problem("routing.rules", N_("must be a list of rules")))
    return _unbooleaned_on_keys(data)


def _unbooleaned_on_keys(data: dict) -> dict:
    """YAML 1.1 reads an unquoted `on:` as True; write it back as the word the author meant."""
    automations = data.get("automations")
    if isinstance(automations, list):
        data["automations"] = [
            {("on" if key is True else key): value for key, value in item.items()}
            if isinstance(item, Mapping) and True in item and "on" not in item
            else item
            for item in automations
        ]
    return data


def dump_document(data: Mapping) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)


def write_routing(text: str, data: Mapping) -> str:
    """`text` with its routing section rewritten from `data`, the rest kept byte for byte.

    Admins comment the workflow; re-writing all of it would drop every comment. Within the
    section only the rules (and default) that changed are written from data where its
    layout allows (`_rules_rewritten`), else the whole section. When the section cannot be
    cut out on its own (see `top_level_span`), or splicing would not read back as `data`,
    the whole document is written from `data` instead.
    """
    if _reads_as(text, data):  # nothing changed (a rule saved untouched): as it was
        return text
    kept = _rules_rewritten(text, data)
    if kept is not None:
        return kept
    section = dump_document({"routing": data.get("routing")})
    if "\r\n" in text:  # written elsewhere than our editor, which sends \n: keep its endings
        section = section.replace("\n", "\r\n")
    span = top_level_span(text, "routing")
    if span is not None:
        start, end = span
        spliced = text[:start] + section + text[end:]
    elif not _has_routing(text):  # none yet: it goes last, on a line of its own
        spliced = text + ("" if not text or text.endswith("\n") else "\n") + section
    else:
        spliced = None
    if spliced is not None and _reads_as(spliced, data):
        return spliced
    return dump_document(data)


_ABSENT = object()


def _rules_rewritten(text: str, data: Mapping) -> str | None:
    """`text` with only the rules (and default) `data` changed written from data, the other
    rules' text and every comment line between them kept (see `routing_text`); None when
    the section is not laid out for that or the result would not read back as `data`."""
    layout = routing_text.section_layout(text)
    try:
        old = read_document(text) if layout is not None else None
    except DocumentError:
        old = None
    if layout is None or old is None:
        return None
    before, after = dict(old.get("routing") or {}), dict(data.get("routing") or {})
    others = {k: v for k, v in old.items() if k != "routing"}
    if others != {k: v for k, v in data.items() if k != "routing"}:
        return None
    if {k: v for k, v in before.items() if k not in ("rules", "default")} != {
        k: v for k, v in after.items() if k not in ("rules", "default")
    }:
        return None
    old_rules, new_rules = rules_of(old), rules_of(data)
    if len(old_rules) != len(layout.rules):
        return None
    placed = {new: old for old, new in rule_changes(old_rules, new_rules).kept}
    steps = [
        routing_text.Step(placed.get(j), None if old_rules[placed[j]] == rule else rule)
        if j in placed
        else routing_text.Step(None, rule)
        for j, rule in enumerate(new_rules)
    ]
    default = after.get("default", _ABSENT)
    if default == before.get("default", _ABSENT):
        default = routing_text.KEEP
    elif default is _ABSENT:
        return None
    try:
        section = routing_text.rewritten(text, layout, steps, default)
    except ValueError:
        return None
    spliced = text[: layout.start] + section + text[layout.end :]
    return spliced if _reads_as(spliced, data) else None


def dropped_comments(text: str, rule: int | None = None, default: bool = False) -> list[int]:
    """The lines (from 1) of the comments that saving rule `rule` (its index), the default
    route (`default`) or any other change through `write_routing` would drop."""
    return comments_at_risk(text, rule, default)[1]


def comments_at_risk(
    text: str, rule: int | None = None, default: bool = False
) -> tuple[list[int], list[int]]:
    """The lines of the comments any save would drop, and those the save of rule `rule`
    (or of the default route) would drop.

    Rules are rewritten one by one where the section allows (see `_rules_rewritten`): then
    no save drops a comment but those inside the rule or the default it rewrites. Otherwise
    the whole section is written from data, without any of its comments, and the whole
    document when the section cannot be cut out on its own.
    """
    span = top_level_span(text, "routing")
    if span is None:
        every = comment_lines(text) if _has_routing(text) else []
        return every, every
    before = text.count("\n", 0, span[0])
    found = [before + line for line in comment_lines(text[span[0] : span[1]])]
    layout = routing_text.section_layout(text, span) if found else None
    if layout is None:
        return found, found

    def inside(lines: tuple[int, int]) -> list[int]:
        first, last = text.count("\n", 0, lines[0]) + 1, text.count("\n", 0, lines[1] - 1) + 1
        return [line for line in found if first <= line <= last]

    if rule is not None and 0 <= rule < len(layout.rules):
        return [], inside((layout.rules[rule].start, layout.rules[rule].end))
    if default and layout.default is not None:
        return [], inside(layout.default)
    if default and layout.default_written:  # written before the rules: the section goes
        return [], found
    return [], []


def _has_routing(text: str) -> bool:
    try:
        return "routing" in read_document(text)
    except DocumentError:
        return True  # unreadable: nothing to splice into


def _reads_as(text: str, data: Mapping) -> bool:
    try:
        return read_document(text) == dict(data)
    except DocumentError:
        return False


def rules_of(data: Mapping) -> list[Any]:
    """The routing rules as stored (copies; entries may be malformed, the loader says how)."""
    routing = data.get("routing") or {}
    return copy.deepcopy(list(routing.get("rules") or []))


def default_of(data: Mapping) -> dict:
    routing = data.get("routing") or {}
    default = routing.get("default")
    return copy.deepcopy(dict(default)) if isinstance(default, Mapping) else {}


def routing_section(data: Mapping) -> dict:
    """Only the routing part (rules and default), e.g. to show what an editor was opened on."""
    return {"rules": rules_of(data), "default": default_of(data)}


def with_routing_section(data: Mapping, section: Mapping) -> dict:
    return _with(data, list(section.get("rules") or []), dict(section.get("default") or {}))


def _with(data: Mapping, rules: list, default: dict | None = None) -> dict:
    result = copy.deepcopy(dict(data))
    routing = dict(result.get("routing") or {})
    routing["rules"] = rules
    if default is not None:
        routing["default"] = default
    elif "default" not in routing:
        routing["default"] = {}
    # keep `rules` before `default`, as people write them
    result["routing"] = {"rules": routing.pop("rules"), **routing}
    return result


def _checked_index(rules: list, index: int) -> int:
    if not 0 <= index < len(rules):
        raise IndexError(f"there is no rule {index + 1}")
    return index


def add_rule(data: Mapping, rule: Mapping, position: int | None = None) -> dict:
    """A copy of `data` with `rule` inserted at `position` (default: last)."""
    rules = rules_of(data)
    where = len(rules) if position is None else max(0, min(position, len(rules)))
    rules.insert(where, dict(rule))
    return _with(data, rules)


def replace_rule(data: Mapping, index: int, rule: Mapping) -> dict:
    rules = rules_of(data)
    rules[_checked_index(rules, index)] = dict(rule)
    return _with(data, rules)


def remove_rule(data: Mapping, index: int) -> dict:
    rules = rules_of(data)
    del rules[_checked_index(rules, index)]
    return _with(data, rules)


def move_rule(data: Mapping, index: int, offset: int) -> dict:
    """Move rule `index` up (offset -1) or down (+1); at either end nothing moves."""
    rules = rules_of(data)
    _checked_index(rules, index)
    target = max(0, min(index + offset, len(rules) - 1))
    rules.insert(target, rules.pop(index))
    return _with(data, rules)


def reorder_rules(data: Mapping, order: Sequence[int]) -> dict:
    """Put the rules in `order` (their current indexes, e.g. [2, 0, 1]); must name each once."""
    rules = rules_of(data)
    if sorted(order) != list(range(len(rules))):
        raise ValueError("the new order must name every rule exactly once")
    return _with(data, [rules[i] for i in order])


def set_default(data: Mapping, target: Mapping) -> dict:
    return _with(data, rules_of(data), dict(target))


@dataclass(frozen=True)
class RuleChanges:
    """What a save did to the rules, by index: the audit log lists only these."""

    added: tuple[int, ...]  # in the new list
    removed: tuple[int, ...]  # in the old list
    kept: tuple[tuple[int, int], ...]  # (old, new) index of the same rule, in the new order
    changed: tuple[tuple[int, int], ...]  # kept rules whose content differs

    @property
    def reordered(self) -> bool:
        """Whether rules in both lists stand in another order (not just shifted by one
        added or removed)."""
        old = [before for before, _after in self.kept]
        return old != sorted(old)


def rule_changes(before: Sequence[Any], after: Sequence[Any]) -> RuleChanges:
    """Match the rules of two lists: a rule is the same rule when it keeps its name; an
    unnamed (or renamed) one when it is unchanged, else when it keeps its place."""
    pairs: dict[int, int] = {}  # new index → old index
    free = list(range(len(before)))
    names = {}
    for index, rule in enumerate(before):
        names.setdefault(_rule_name(rule), index)
    for index, rule in enumerate(after):
        old = names.get(_rule_name(rule))
        if _rule_name(rule) and old in free:
            pairs[index] = old
            free.remove(old)
    for index, rule in enumerate(after):
        same = next((i for i in free if before[i] == rule), None)
        if index not in pairs and same is not None:
            pairs[index] = same
            free.remove(same)
    for index in range(len(after)):
        if index not in pairs and index in free:
            pairs[index] = index
            free.remove(index)
    kept = tuple((pairs[index], index) for index in sorted(pairs))
    return RuleChanges(
        added=tuple(index for index in range(len(after)) if index not in pairs),
        removed=tuple(free),
        kept=kept,
        changed=tuple((old, new) for old, new in kept if before[old] != after[new]),
    )


def _rule_name(rule: Any) -> str:
    name = rule.get("name") if isinstance(rule, Mapping) else None
    return " ".join(name.split()) if isinstance(name, str) else ""


# -- conditions -------------------------------------------------------------------------


def parse_value(op: str, text: str) -> Any:
    """The value a comparison stores, from what was typed: numbers as numbers, lists for in
    (a value in double quotes stays text, exactly as written: see `list_items`)."""
    if op in ("in", "not_in"):
        return [item if quoted else _scalar(item) for item, quoted in list_items(text) if item]
    text = (text or "").strip()
    if op == "exists":
        return False if text.casefold() in ("no", "false") else None
    return _scalar(text)


def _scalar(text: str) -> Any:
    text = text.strip()
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


def list_items(text: str) -> list[tuple[str, bool]]:
    """The items of a list as the builder carries it, each with whether it was quoted:
    `pl, "a, b"` → ("pl", False), ("a, b", True).

    Items are separated by commas. One in double quotes keeps every character, commas and
    spaces at its ends included (a quote inside is written twice, as in CSV), so a ticked
    value travels exactly; unquoted ones are trimmed, and a quote left open is plain text.
    """
    text = text or ""
    items: list[tuple[str, bool]] = []
    start, end = 0, len(text)
    while start <= end:
        opening = start
        while opening < end and text[opening] in " \t":
            opening += 1
        if opening < end and text[opening] == '"':
            closed, after = _quoted_item(text, opening + 1)
            if closed is not None:
                items.append((closed, True))
                start = after + 1
                continue
        comma = text.find(",", start)
        stop = end if comma < 0 else comma
        items.append((text[start:stop].strip(), False))
        start = stop + 1
    return [(item, quoted) for item, quoted in items if item or quoted]


def _quoted_item(text: str, start: int) -> tuple[str | None, int]:
    """The quoted item from `start` (just after its opening quote) and where the comma after
    it is (or the end); (None, start) when it is not closed before the next item."""
    parts, at, end = [], start, len(text)
    while at < end:
        quote = text.find('"', at)
        if quote < 0:
            return None, start
        parts.append(text[at:quote])
        if text.startswith('""', quote):
            parts.append('"')
            at = quote + 2
            continue
        after = quote + 1
        while after < end and text[after] in " \t":
            after += 1
        if after < end and text[after] != ",":
            return None, start
        return "".join(parts), after
    return None, start


def list_text(values: Iterable[Any]) -> str:
    """A list as the builder's text (the inverse of `parse_value` for in/not_in): values
    joined with ", ", those that would not read back as themselves in double quotes."""
    return ", ".join(_item_text(value) for value in values)


def _item_text(value: Any) -> str:
    if not isinstance(value, str):
        return value_text(value)
    plain = (
        value
        and value == value.strip()
        and "," not in value
        and not value.startswith('"')
        and _scalar(value) == value
    )
    return value if plain else '"' + value.replace('"', '""') + '"'


def value_text(value: Any) -> str:
    """How a stored value is shown in the builder's text box (the inverse of parse_value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return list_text(value)
    return str(value)


def build_condition(
    mode: str, clauses: Iterable[Clause | ClauseGroup], original: Any = None
) -> dict:
    """The condition for the builder's rows and groups; spare rows are ignored.

    A group is stored as its own {all: [...]} / {any: [...]} inside the top one (a group
    of one row as that row). Problems about a row are at `clauses[i]` (every row counted
    in page order, groups opened), about a group at `groups[n]` (from 1). When the rows
    are those `original` shows as, `original` is kept as it is (a rule saved untouched
    stays byte for byte what it was, even where the text boxes cannot say it exactly).
    """
    items = [c for c in clauses if c.is_group or not c.blank]
    if original is not None and _shows_as(original, mode, items):
        return copy.deepcopy(original)
    problems: list[tuple[str, str, dict]] = []
    if mode not in GROUPS:
        problems.append(("mode", "bad_mode", {"mode": str(mode)[:20]}))
    groups = [item for item in items if item.is_group]
    counted = condition_groups.flat(items)
    if not [row for row in counted if not row.blank]:
        problems.append(("clauses", "no_condition", {}))
    if len(counted) > MAX_CLAUSES:
        problems.append(("clauses", "too_many_clauses", {"limit": MAX_CLAUSES}))
    if len(groups) > MAX_GROUPS:
        problems.append(("clauses", "too_many_groups", {"limit": MAX_GROUPS}))
    if problems and problems[-1][1].startswith("too_many"):
        raise RuleInputError(problems)
    built: list[dict] = []
    position, number = 0, 0
    for item in items:
        if not item.is_group:
            comparison = _comparison(item, position, problems)
            position += 1
            if comparison is not None:
                built.append(comparison)
            continue
        number += 1
        inner = []
        for row in item.rows:
            if not row.blank:
                comparison = _comparison(row, position, problems)
                if comparison is not None:
                    inner.append(comparison)
            position += 1
        if item.combine not in GROUPS:
            problems.append((f"groups[{number}]", "bad_mode", {"mode": str(item.combine)[:20]}))
        elif not any(not row.blank for row in item.rows):
            problems.append((f"groups[{number}]", "empty_group", {"n": number}))
        elif inner:
            built.append(inner[0] if len(inner) == 1 else {item.combine: inner})
    if problems:
        raise RuleInputError(problems)
    return built[0] if len(built) == 1 else {mode: built}


def _shows_as(original: Any, mode: str, items: list) -> bool:
    shown = condition_form(original)
    if shown.complex:
        return False
    kept = [c for c in shown.clauses if c.is_group or not c.blank]
    return kept == items and (shown.mode == mode or len(kept) == 1)


def _comparison(clause: Clause, index: int, problems: list) -> dict | None:
    """One row's comparison; its problems are added to `problems` (then None)."""
    where = f"clauses[{index}]"
    found = len(problems)
    name, op, text = (clause.field or "").strip(), clause.op, clause.value or ""
    if not name:
        problems.append((f"{where}.field", "no_field", {}))
    elif len(name) > 100 or not _FIELD.match(name):
        problems.append((f"{where}.field", "bad_field", {"field": name[:100]}))
    if op not in OPERATORS:
        problems.append((f"{where}.op", "bad_operator", {"op": str(op)[:20]}))
        return None
    listing = op in ("in", "not_in")  # the limit is per value, not on the list's text
    if len(text) > (MAX_LIST_CHARS if listing else MAX_VALUE_CHARS):
        code = "list_too_long" if listing else "value_too_long"
        limit = MAX_LIST_ITEMS if listing else MAX_VALUE_CHARS
        problems.append((f"{where}.value", code, {"limit": limit}))
        return None
    value = parse_value(op, text)
    long = [item for item in value if len(str(item)) > MAX_VALUE_CHARS] if listing else []
    if listing and not value:
        problems.append((f"{where}.value", "no_list", {}))
    elif listing and len(value) > MAX_LIST_ITEMS:
        problems.append((f"{where}.value", "list_too_long", {"limit": MAX_LIST_ITEMS}))
    elif long:
        params = {"limit": MAX_VALUE_CHARS, "value": str(long[0])[:40]}
        problems.append((f"{where}.value", "list_value_too_long", params))
    elif op not in ("exists", "in", "not_in") and value == "":
        problems.append((f"{where}.value", "no_value", {}))
    elif op in ORDERING and not _orderable(value):
        problems.append((f"{where}.value", "not_a_number", {"value": text.strip()[:100]}))
    if len(problems) > found:
        return None
    comparison: dict[str, Any] = {"field": name, "op": op}
    if value is not None:
        comparison["value"] = value
    if clause.score_type in SCORE_GROUP_TYPES and name == SCORE_CATEGORY:
        return {"all": [{"field": SCORE_TYPE, "op": "=", "value": clause.score_type}, comparison]}
    return comparison


def _orderable(value: Any) -> bool:
    """A value `<`, `<=`, `>` or `>=` can compare with: a number, or a date as 2025-01-31
    (date answers are stored so). Any other text never compares with a score: the rule
    would silently never match."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return False


def answer_fields(condition: Any) -> list[tuple[str, str]]:
    """(path, question id) of every `answers.<id>` field a condition reads, in order;
    tolerant of malformed conditions (the loader reports those)."""
    found: list[tuple[str, str]] = []

    def walk(item: Any, path: str) -> None:
        if not isinstance(item, Mapping):
            return
        for group in ("all", "any"):
            if isinstance(item.get(group), list):
                for index, part in enumerate(item[group]):
                    walk(part, f"{path}.{group}[{index}]")
        if "not" in item:
            walk(item["not"], f"{path}.not")
        name = item.get("field")
        if isinstance(name, str) and name.startswith("answers.") and len(name) > 8:
            found.append((f"{path}.field", name[len("answers.") :].split(".")[0]))

    walk(condition, "when")
    return found


def unknown_questions(condition: Any, question_ids: Collection[str]) -> list[Problem]:
    """A warning for each `answers.<id>` the condition reads that no form asks.

    Such a condition cannot hold until a form with that question is published; the rule is
    kept (the form may come later), but a misspelt id is worth saying, with the nearest
    real one when there is one.
    """
    problems = []
    for path, question in answer_fields(condition):
        if question in question_ids:
            continue
        near = difflib.get_close_matches(question, sorted(question_ids), n=1, cutoff=0.6)
        if near:
            problems.append(
                Problem(
                    path,
                    N_("no form has a question “%(question)s” (did you mean “%(suggestion)s”?)"),
                    params={"question": question, "suggestion": near[0]},
                )
            )
        else:
            problems.append(
                Problem(
                    path,
                    N_("no form has a question “%(question)s”"),
                    params={"question": question},
                )
            )
    return problems


def condition_form(condition: Any) -> ConditionForm:
    """How the builder shows a stored condition: rows and one level of groups; anything
    nested deeper (or `not`, or an empty list) is marked `complex`."""
    if condition is None:
        return ConditionForm("all", ())
    read = condition_groups.read_items(condition, _row)
    if read is None or not read[1]:
        return ConditionForm("all", (), complex=True)
    mode, items = read
    return ConditionForm(mode, tuple(items))


def _simple(condition: Any) -> bool:
    return (
        isinstance(condition, Mapping)
        and isinstance(condition.get("field"), str)
        and isinstance(condition.get("op"), str)
        and set(condition) <= {"field", "op", "value"}
    )


def _clause(condition: Mapping) -> Clause:
    return Clause(condition["field"], condition["op"], value_text(condition.get("value")))


def _row(condition: Any) -> Clause | None:
    """The row a stored part shows as: one comparison, or a score group tied to its type
    (see `Clause.score_type`); None for anything else."""
    if _simple(condition):
        return _clause(condition)
    score_type, comparison = typed_score_group(condition)
    if comparison is None:
        return None
    return dataclasses.replace(_clause(comparison), score_type=score_type)


def typed_score_group(condition: Any) -> tuple[str, Mapping | None]:
    """(score type, the score.category comparison) of {all: [score.type = t, score.category
    …]}, as the builder stores a score group tied to its type; ("", None) otherwise."""
    parts = condition.get("all") if isinstance(condition, Mapping) and len(condition) == 1 else None
    if not isinstance(parts, list) or len(parts) != 2 or not all(map(_simple, parts)):
        return "", None
    kind, comparison = parts
    if (
        kind["field"] != SCORE_TYPE
        or kind["op"] != "="
        or kind.get("value") not in SCORE_GROUP_TYPES
        or comparison["field"] != SCORE_CATEGORY
    ):
        return "", None
    return kind["value"], comparison


def describe_condition(condition: Any) -> str:
    """A one-line reading of a condition: `score.category = detractor or answers.csat <= 2`."""
    if condition is None:
        return "always"
    if not isinstance(condition, Mapping):
        return str(condition)
    for mode, joiner in (("all", " and "), ("any", " or ")):
        if mode in condition and isinstance(condition[mode], list):
            parts = [describe_condition(c) for c in condition[mode]]
            return joiner.join(f"({p})" if (" and " in p or " or " in p) else p for p in parts)
    if "not" in condition:
        return f"not ({describe_condition(condition['not'])})"
    op = condition.get("op")
    if op == "exists":
        return (
            f"{condition.get('field')} {'missing' if condition.get('value') is False else 'exists'}"
        )
    value = condition.get("value")
    shown = f"[{value_text(value)}]" if isinstance(value, list) else value_text(value)
    return f"{condition.get('field')} {op} {shown}"


# -- targets and rules ------------------------------------------------------------------


def _split(text: str, pattern: str = r"[,\n]") -> list[str]:
    return [part.strip() for part in re.split(pattern, text or "") if part.strip()]


def build_target(target: TargetInput, teams: set[str] | None = None) -> dict:
    """The `set:` mapping of a rule (or the default); only what was chosen is written."""
    problems: list[tuple[str, str, dict]] = []
    result: dict[str, Any] = {}
    for key in ("team", "overflow_team"):
        slug = (getattr(target, key) or "").strip()
        if not slug:
            continue
        if len(slug) > 64 or (teams is not None and slug not in teams):
            problems.append((key, "unknown_team", {"team": slug[:64]}))
        result[key] = slug
    if target.priority:
        if target.priority not in PRIORITIES:
            problems.append(("priority", "bad_priority", {"priority": target.priority[:20]}))
        result["priority"] = target.priority
    labels = list(dict.fromkeys(" ".join(label.split()) for label in _split(target.labels, ",")))
    if len(labels) > MAX_LABELS or any(len(label) > MAX_LABEL_CHARS for label in labels):
        problems.append(("labels", "bad_labels", {"limit": MAX_LABELS, "chars": MAX_LABEL_CHARS}))
    if labels:
        result["labels"] = labels
    assign = target.assign or "manual"
    if assign not in STRATEGIES:
        problems.append(("assign", "bad_strategy", {"assign": assign[:20]}))
    result["assign"] = assign
    watchers = list(dict.fromkeys(_split(target.watchers, r"[,;\s]+")))
    bad = [w for w in watchers if not _EMAIL.match(w)]
    if bad or len(watchers) > MAX_WATCHERS:
        problems.append(("watchers", "bad_watchers", {"address": (bad or [""])[0][:100]}))
    if watchers:
        result["watchers"] = watchers
    if problems:
        raise RuleInputError(problems)
    order = {key: i for i, key in enumerate(TARGET_KEYS)}
    return dict(sorted(result.items(), key=lambda item: order[item[0]]))


def target_input(target: Any) -> TargetInput:
    """How the builder shows a stored `set:` mapping."""
    target = target if isinstance(target, Mapping) else {}

    def text(key: str) -> str:
        value = target.get(key)
        return "" if value is None else str(value)

    def joined(key: str, sep: str) -> str:
        value = target.get(key) or []
        return sep.join(map(str, value)) if isinstance(value, list) else str(value)

    return TargetInput(
        team=text("team"),
        priority=text("priority"),
        labels=joined("labels", ", "),
        assign=text("assign") or "manual",
        overflow_team=text("overflow_team"),
        watchers=joined("watchers", ", "),
    )


def build_rule(
    entry: RuleInput,
    teams: set[str] | None = None,
    keep_condition: Any = None,
    original_condition: Any = None,
) -> dict:
    """A rule `{name, when, set}` from the builder; `keep_condition` replaces the rows;
    `original_condition` is kept when the rows are the ones it shows as."""
    problems: list[tuple[str, str, dict]] = []
    name = " ".join((entry.name or "").split())
    if not name:
        problems.append(("name", "no_name", {}))
    elif len(name) > MAX_NAME_CHARS:
        problems.append(("name", "name_too_long", {"limit": MAX_NAME_CHARS}))
    when = keep_condition
    if when is None:
        try:
            when = build_condition(entry.mode, entry.clauses, original_condition)
        except RuleInputError as error:
            problems += error.problems
    try:
        target = build_target(entry.target, teams)
    except RuleInputError as error:
        problems += [(f"set.{where}", code, params) for where, code, params in error.problems]
        target = {}
    if problems:
        raise RuleInputError(problems)
    return {"name": name, "when": when, "set": target}


def rule_input(rule: Any) -> tuple[RuleInput, ConditionForm]:
    """The builder's fields for a stored rule, and how its condition can be shown."""
    rule = rule if isinstance(rule, Mapping) else {}
    form = condition_form(rule.get("when"))
    entry = RuleInput(
        name=str(rule.get("name") or ""),
        mode=form.mode,
        clauses=form.clauses,
        target=target_input(rule.get("set")),
    )
    return entry, form
