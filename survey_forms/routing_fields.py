"""What a routing rule's condition row can test, and which operators and values fit each.

Routing reads the facts `ticket_facts` builds for a new ticket (the form, the customer's
language, the channel, the score, the answers, the customer, the metadata). The rule
builder offers them by name: the web layer words them and lists the forms, questions and
metadata keys there are; here is which kind of value each field holds, which comparisons
the builder offers for it, and which value picker a comparison uses. Plain data, no Flask.

A row is stored exactly as the evaluator reads it (`routing_rules.Clause`): two
builder-only choices map onto it, "is empty" (`exists` with the value `no`) and the score
group of one score type (`score.category`, whose groups depend on the type; a group that
two types share, CES's and CSAT's "neutral", is tied to its type, see `Clause.score_type`).
A score group "filled in" or "empty" is tied to its type always (no group says which).
"Is one of" on a field with a known list ticks the values, which are stored as the list
the text box stored before; the list travels as its text, values with commas in quotes
(`routing_rules.list_text`), so every value comes back exactly as ticked.

It lives beside the forms because it needs their score scales and groups: `survey_forms`
reads `workflow` (the condition evaluator), never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from survey_forms.definition import SCALES
from survey_forms.scoring import CATEGORY_ANSWERS
from workflow.conditions import OPERATORS
from workflow.routing_rules import SCORE_GROUP_TYPES, Clause, list_items, list_text

OTHER = "__other__"  # "Other field…": the field is typed
SCORE_CATEGORY = "score.category"
SCORE_TYPES = SCORE_GROUP_TYPES  # a rating's groups are CSAT's
MISSING = "missing"  # "is empty": stored as {op: exists, value: false}
# The facts of the response and the customer routing reads (metadata and answers vary).
RESPONSE_FIELDS = ("form", "locale", "channel", "score.value", "score.type")
CUSTOMER_FIELDS = ("customer.email", "customer.email_domain", "customer.name", "subject")
METADATA_FIELDS = ("page_url", "referrer", "user_agent", "country")
# Fields whose value is one of a known list, picked by name.
PICKED_FIELDS = {
    "form": "form",
    "locale": "language",
    "channel": "channel",
    "score.type": "score_type",
    "metadata.user_agent": "device",
}
_PICK_OPS = ("=", "!=", "in", "not_in", "exists", MISSING)
LIST_OPS = ("in", "not_in")
OPERATORS_BY_KIND = {
    "pick": _PICK_OPS,
    "category": _PICK_OPS,
    "yes_no": ("=", "!=", "exists", MISSING),
    "number": ("=", "!=", "<", "<=", ">", ">=", "exists", MISSING),
    "multi_choice": ("contains", "exists", MISSING),
    "text": (*OPERATORS, MISSING),
}


@dataclass(frozen=True)
class FieldChoice:
    """One entry of the field picker: `key` is what the picker posts (the field's path, or
    `score.category:<type>`), `kind` which values it holds, `options` (value, label) for
    a value picked from a list."""

    key: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    low: int | None = None  # a scale's bounds, for the number box
    high: int | None = None

    @property
    def path(self) -> str:
        return field_path(self.key)


def field_path(key: str) -> str:
    """The stored field of a picker's key: `score.category:nps` → `score.category`."""
    return SCORE_CATEGORY if key.startswith(SCORE_CATEGORY + ":") else key


def category_key(score_type: str) -> str:
    return f"{SCORE_CATEGORY}:{score_type}"


def score_type_of(values: Iterable[str]) -> str | None:
    """The first score type whose groups include every value (`detractor` → nps)."""
    picked = [value for value in values if value]
    for score_type in SCORE_TYPES:
        if picked and all(value in CATEGORY_ANSWERS[score_type] for value in picked):
            return score_type
    return None


def listed(text: str) -> list[str]:
    """The values of a list as its text holds them (`pl, "a, b"` → pl, a, b as one value)."""
    return [item for item, _quoted in list_items(text)]


def ticked_text(shown: str, ticked: Iterable[str]) -> str:
    """A list's text from the boxes ticked: `shown` (the text the row was shown with) when
    the same values are ticked, so that a rule saved untouched stays as it was; otherwise
    the values still ticked in their stored order, then those newly ticked."""
    picked = list(dict.fromkeys(value for value in ticked if value.strip()))
    before = listed(shown)
    if set(picked) == set(before):
        return shown
    kept = [value for value in dict.fromkeys(before) if value in picked]
    return list_text(kept + [value for value in picked if value not in kept])


def score_type_tie(key: str, value: str) -> str:
    """The score type a score group row is tied to: its picker's, when the groups it picks
    would read back as another type's (CES's "neutral" as CSAT's); "" otherwise."""
    if not key.startswith(SCORE_CATEGORY + ":"):
        return ""
    score_type = key.partition(":")[2]
    values = listed(value)
    if score_type not in SCORE_TYPES or not values:
        return ""
    return "" if score_type_of(values) == score_type else score_type


def key_of(clause: Clause, keys: Iterable[str]) -> str:
    """Which picker entry shows a stored row; OTHER when none does (the field is typed)."""
    if clause.other:
        return OTHER
    if not clause.field.strip():
        return ""  # a spare row: nothing chosen yet
    known = set(keys)
    if clause.picked in known and field_path(clause.picked) == clause.field:
        return clause.picked
    if clause.field == SCORE_CATEGORY and clause.score_type:
        key = category_key(clause.score_type)
        return key if key in known else OTHER
    if clause.field == SCORE_CATEGORY and clause.op == "exists":
        return OTHER  # any score's group, of no one type: said as the field it is
    if clause.field == SCORE_CATEGORY:
        score_type = score_type_of(listed(clause.value)) if clause.value else SCORE_TYPES[0]
        key = category_key(score_type) if score_type else OTHER
        return key if key in known else OTHER
    return clause.field if clause.field in known else OTHER


def row_op(clause: Clause) -> str:
    """The operator the picker shows: "is empty" for `exists` with the value no."""
    if clause.op == "exists" and clause.value.strip().casefold() in ("no", "false"):
        return MISSING
    return clause.op


def clause_of(key: str, typed: str, op: str, value: str) -> Clause:
    """The row as stored, from what the pickers sent: the field picker's `key` (OTHER for
    the `typed` field), the operator and the value."""
    other = key == OTHER
    field = typed.strip() if other else field_path(key)
    picked = "" if other else key
    # A score group filled in (or empty) names no group, so it is tied to its type always.
    tie = picked.partition(":")[2] if picked.startswith(SCORE_CATEGORY + ":") else ""
    tie = tie if tie in SCORE_TYPES else ""
    if op == MISSING or (op == "exists" and value.strip().casefold() in ("no", "false")):
        return Clause(field, "exists", "no", other, picked, tie)  # "no": pages before "is empty"
    if op == "exists":
        return Clause(field, "exists", "", other, picked, tie)
    return Clause(field, op, value, other, picked, score_type_tie(picked, value))


def operators_for(kind: str, current: str = "") -> tuple[str, ...]:
    """The comparisons offered for a field of `kind`; a stored rule's own operator is kept
    among them, so that every rule stays editable as it is."""
    offered = OPERATORS_BY_KIND.get(kind, OPERATORS_BY_KIND["text"])
    if current and current not in offered and (current in OPERATORS or current == MISSING):
        return (*offered, current)
    return offered


def value_widget(kind: str, op: str) -> str:
    """Which value control a row shows: none, select, checkboxes (is one of / is none of a
    known list), number or text (a list typed with commas on any other field)."""
    if op in ("exists", MISSING):
        return "none"
    if op in LIST_OPS:
        return "checkboxes" if kind in ("pick", "category") else "text"
    if kind == "category":
        return "select"
    if kind in ("pick", "yes_no", "multi_choice"):
        return "select"
    if kind == "number" and op in ("=", "!=", "<", "<=", ">", ">="):
        return "number"
    return "text"


def category_values(score_type: str) -> tuple[str, ...]:
    """The score groups a row picks (or ticks) from, in scale order."""
    return tuple(CATEGORY_ANSWERS.get(score_type, {}))


def answer_kind(types: Iterable[str]) -> str:
    """The kind of an `answers.<id>` field from the types its question has in the published
    forms; a question two forms ask as different types is typed as text."""
    found = set(types)
    if len(found) != 1:
        return "text"
    (qtype,) = found
    if qtype in SCALES or qtype == "number":
        return "number"
    if qtype == "single_choice":
        return "pick"
    if qtype == "multi_choice":
        return "multi_choice"
    if qtype in ("goal", "consent"):
        return "yes_no"
    return "text"


def scale_of(types: Iterable[str]) -> tuple[int, int] | None:
    found = set(types)
    return SCALES.get(next(iter(found))) if len(found) == 1 else None


def with_current(
    options: Iterable[tuple[str, str]], current: str, unknown_label: str
) -> list[tuple[str, str]]:
    """A picker's options, with the stored value added when it is none of them (said as
    `unknown_label`, which may name it as %(value)s), so a saved rule stays as it is."""
    return with_all_current(options, [current] if current else [], unknown_label)


def with_all_current(
    options: Iterable[tuple[str, str]], current: Iterable[str], unknown_label: str
) -> list[tuple[str, str]]:
    """`with_current` for a list: each stored value that is none of the options is added."""
    shown = list(options)
    known = {value for value, _label in shown}
    for value in dict.fromkeys(current):
        if value not in known:
            shown.append((value, unknown_label % {"value": value}))
    return shown


def value_after_op_change(before: str, after: str, value: str) -> str:
    """A row whose operator was just changed from a list (is one of) to one value (is): the
    first value ticked is picked, not the whole list as one value nobody has; the other
    way, the value becomes a list of one (whatever commas it holds)."""
    if before in LIST_OPS and after not in LIST_OPS and after not in ("exists", MISSING):
        values = listed(value)
        return values[0] if values else ""
    if before not in LIST_OPS and after in LIST_OPS:
        # The one value as a list of one: "S, M" stays one value, "007" stays text.
        return list_text([value.strip()]) if value.strip() else ""
    return value


def after_switch(clause: Clause, kind: str, first_value: Callable[[str], str]) -> Clause:
    """A row whose field was just changed: the value picked for the old field no longer
    applies (a list's first value, `first_value(op)`, is taken instead), the operator
    only if the new field offers it."""
    op = row_op(clause)
    offered = OPERATORS_BY_KIND.get(kind, OPERATORS_BY_KIND["text"])
    op = op if op in offered else offered[0]
    value = first_value(op) if value_widget(kind, op) in ("select", "checkboxes") else ""
    key = OTHER if clause.other else clause.picked or clause.field
    return clause_of(key, clause.field, op, value)
