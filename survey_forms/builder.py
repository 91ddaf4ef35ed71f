"""Structured edits of a form definition's data, for the admin's form builder.

The builder and the YAML editor change the same draft: the builder reads the draft's
YAML into plain data, applies one operation from here and writes it back. Operations
refuse what cannot be stored sensibly (an unknown question, a type that does not exist,
a condition over a later question) with a `BuilderError` whose `code` the web layer
turns into a translated message; anything the loader would merely flag (a missing
translation, a choice question with one choice) is allowed and left to `load_form`.
Conditions are built from rows of (question, operator, value) into the same data the
one evaluator (`workflow.conditions`) reads; nothing typed is ever parsed as syntax.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from survey_forms.definition import (
    LANGUAGES,
    MAX_FORM_BYTES,
    MAX_RESPONSES_LIMIT,
    QUESTION_TYPES,
    SCALES,
    is_time_zone,
    schedule_moment,
)
from survey_forms.scoring import CATEGORY_ANSWERS
from workflow import condition_groups
from workflow.conditions import exists_tests_presence
from workflow.yaml_documents import Problem, read_yaml

CHOICE_TYPES = ("single_choice", "multi_choice")
LENGTH_TYPES = ("short_text", "long_text", "email")
NUMBER_TYPES = ("number",)
DATE_TYPES = ("date",)
MAX_TEXT_LENGTH = 2000
MAX_QUESTIONS = 100
MAX_CHOICES = 50
MAX_CONDITION_ROWS = 10  # comparisons in one condition, those inside groups included
MAX_CONDITION_GROUPS = condition_groups.MAX_GROUPS
MAX_ORIGINS = 50
QUESTION_TEXT_PARTS = ("text", "help", "placeholder", "labels.low", "labels.high")
# Operators the builder offers; "missing" is stored as {op: exists, value: false} and
# "category" (a scored answer falls in a group) as {field: score.category, op: = | in} on
# the form's score question, and as {field: answers.<id>, op: in, value: [its answers]} on
# any later scored question (`score.category` reads only the first one).
BUILDER_OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "contains", "exists", "missing")
SCORE_CATEGORY = "score.category"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ORIGIN = re.compile(r"^https://[a-z0-9.-]+(:[0-9]{1,5})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BuilderError(ValueError):
    """An edit that cannot be applied; `code` names the reason, `params` fill the message.

    A refused condition also says where: `row` (its rows counted from 0, groups opened)
    or `group` (its groups counted from 1), so the page can mark that field.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        self.row: int | None = None
        self.group: int | None = None


# ---- reading and writing ----------------------------------------------------------------


def read(text: str) -> dict:
    """The draft's data; BuilderError("unreadable") when it is not a YAML mapping."""
    document = read_yaml(text, MAX_FORM_BYTES, "form")
    if isinstance(document, Problem) or not isinstance(document.data, dict):
        raise BuilderError("unreadable")
    return document.data


def dump(data: Mapping) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)


def languages_of(data: Mapping) -> list[str]:
    raw = data.get("languages")
    langs = [lang for lang in raw if lang in LANGUAGES] if isinstance(raw, list) else []
    return langs or ["en"]


def default_language_of(data: Mapping) -> str:
    langs = languages_of(data)
    default = data.get("default_language")
    return default if default in langs else langs[0]


def texts_of(raw: Any, default: str) -> dict[str, str]:
    """A text field as {language: text}; a plain string is the default language's text."""
    if isinstance(raw, str):
        return {default: raw}
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items() if isinstance(v, str)}
    return {}


# ---- what the page shows ----------------------------------------------------------------


@dataclass(frozen=True)
class ConditionRow:
    question: str
    op: str
    value: Any = None

    is_group = False


# Rows inside a condition that hold together (all) or as alternatives (any); the routing
# builder's groups are the same.
ConditionGroup = condition_groups.Group


@dataclass(frozen=True)
class ConditionRows:
    """A condition the builder can show: one comparison, or all/any of several, where each
    may instead be a group of its own all/any of comparisons (one level, no deeper)."""

    combine: str = "all"
    rows: tuple[ConditionRow | ConditionGroup, ...] = ()

    def flat(self) -> list[ConditionRow]:
        """Every comparison, groups opened, in the order the page shows them."""
        return condition_groups.flat(self.rows)


@dataclass
class ChoiceView:
    value: str
    label: dict[str, str]


@dataclass
class QuestionView:
    id: str
    type: str
    required: bool
    texts: dict[str, dict[str, str]]  # part ("text", "help"…) → language → text
    choices: list[ChoiceView]
    validation: dict[str, Any]
    show_if: Any
    show_if_rows: ConditionRows | None  # None: a condition the builder cannot show


@dataclass
class EndingView:
    text: dict[str, str]
    when: Any
    when_rows: ConditionRows | None


@dataclass
class Outline:
    languages: list[str]
    default_language: str
    title: dict[str, str]
    intro: dict[str, str]
    bot_name: dict[str, str]
    questions: list[QuestionView]
    endings: list[EndingView]
    creates_ticket: Any
    creates_ticket_rows: ConditionRows | None
    allowed_origins: list[str]
    unreadable_parts: list[str] = field(default_factory=list)
    score_question: str | None = None  # whose answer `score.category` is about
    schedule: dict[str, str] = field(default_factory=dict)  # opens_at, closes_at, … as text
    closed_message: dict[str, str] = field(default_factory=dict)

    def text_for(self, texts: Mapping[str, str], reader: str) -> str:
        """A text as the admin reads it: in their language where the form has that text,
        else in the form's default language ("" when neither has it)."""
        return texts.get(reader) or texts.get(self.default_language) or ""


def outline(data: Mapping) -> Outline:
    """Everything the builder page shows, normalised (texts as mappings, ids as text)."""
    default = default_language_of(data)
    score = score_question(data)
    types = question_types(data)
    broken: list[str] = []
    questions = []
    raw_questions = data.get("questions")
    if raw_questions is not None and not isinstance(raw_questions, list):
        broken.append("questions")
    for index, spec in enumerate(raw_questions if isinstance(raw_questions, list) else []):
        if not isinstance(spec, Mapping):
            broken.append(f"questions[{index}]")
            continue
        labels = spec.get("labels") if isinstance(spec.get("labels"), Mapping) else {}
        texts = {
            "text": texts_of(spec.get("text"), default),
            "help": texts_of(spec.get("help"), default),
            "placeholder": texts_of(spec.get("placeholder"), default),
            "labels.low": texts_of(labels.get("low"), default),
            "labels.high": texts_of(labels.get("high"), default),
        }
        choices = [
            ChoiceView(_choice_value(item), texts_of(item.get("label"), default))
            for item in (spec.get("choices") if isinstance(spec.get("choices"), list) else [])
            if isinstance(item, Mapping)
        ]
        validation = spec.get("validation") if isinstance(spec.get("validation"), Mapping) else {}
        questions.append(
            QuestionView(
                id=str(spec.get("id", "")),
                type=str(spec.get("type", "")),
                required=spec.get("required", True) is not False,
                texts=texts,
                choices=choices,
                validation=dict(validation),
                show_if=spec.get("show_if"),
                show_if_rows=read_condition(spec.get("show_if"), score, types),
            )
        )
    endings = []
    raw_endings = data.get("endings")
    for spec in raw_endings if isinstance(raw_endings, list) else []:
        if isinstance(spec, Mapping):
            endings.append(
                EndingView(
                    texts_of(spec.get("text"), default),
                    spec.get("when"),
                    read_condition(spec.get("when"), score, types),
                )
            )
    rule = data.get("creates_ticket", False)
    origins = data.get("allowed_origins")
    return Outline(
        languages=languages_of(data),
        default_language=default,
        title=texts_of(data.get("title"), default),
        intro=texts_of(data.get("intro"), default),
        bot_name=texts_of(data.get("bot_name"), default),
        questions=questions,
        endings=endings,
        creates_ticket=rule,
        creates_ticket_rows=None if isinstance(rule, bool) else read_condition(rule, score, types),
        allowed_origins=[str(o) for o in origins] if isinstance(origins, list) else [],
        unreadable_parts=broken,
        score_question=score[0] if score else None,
        schedule=schedule_of(data),
        closed_message=texts_of(data.get("closed_message"), default),
    )


# ---- schedule and limit -------------------------------------------------------------------

SCHEDULE_KEYS = ("opens_at", "closes_at", "timezone", "max_responses")


def moment_text(raw: Any) -> str:
    """A stored opens_at/closes_at as the builder's field shows it: `2026-12-01`,
    `2026-12-01 09:00` (in the form's zone) or `2026-12-01T09:00+01:00`; unreadable as is."""
    moment = schedule_moment(raw)
    if moment is None:
        return "" if raw is None else str(raw)
    if not isinstance(moment, datetime):
        return moment.isoformat()
    text = moment.isoformat(timespec="minutes" if moment.second == 0 else "seconds")
    return text.replace("T", " ") if moment.tzinfo is None else text


def schedule_of(data: Mapping) -> dict[str, str]:
    """opens_at, closes_at, timezone and max_responses as text, "" where not set."""
    values = {key: moment_text(data.get(key)) for key in ("opens_at", "closes_at")}
    values["timezone"] = "" if data.get("timezone") is None else str(data.get("timezone"))
    limit = data.get("max_responses")
    values["max_responses"] = "" if limit is None else str(limit)
    return values


def _stored_moment(raw: str, name: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    moment = schedule_moment(text)
    if moment is None:
        raise BuilderError("bad_moment", name=name, value=text[:40])
    if not isinstance(moment, datetime):
        return moment.isoformat()
    return moment.isoformat(timespec="minutes" if moment.second == 0 else "seconds")


def set_schedule(data: dict, values: Mapping[str, str]) -> None:
    """Set (or, when empty, remove) opens_at, closes_at, timezone and max_responses.

    Moments are stored as text (`2026-12-01`, `2026-12-01T09:00`); whether closes_at
    follows opens_at is the loader's to say, like any other problem.
    """
    changed: dict[str, Any] = {
        "opens_at": _stored_moment(str(values.get("opens_at", "")), "opens_at"),
        "closes_at": _stored_moment(str(values.get("closes_at", "")), "closes_at"),
    }
    zone = str(values.get("timezone", "")).strip()
    if zone and not is_time_zone(zone):
        raise BuilderError("bad_timezone", value=zone[:64])
    changed["timezone"] = zone or None
    limit = str(values.get("max_responses", "")).strip()
    changed["max_responses"] = (
        _whole_number(limit, "max_responses", 1, MAX_RESPONSES_LIMIT) if limit else None
    )
    for key, value in changed.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value


def _choice_value(item: Mapping) -> str:
    value = item.get("value")
    if isinstance(value, bool):  # an unquoted yes/no in YAML; the answer is the word
        return "yes" if value else "no"
    return "" if value is None else str(value)


# ---- questions ----------------------------------------------------------------------------


def _questions(data: dict) -> list:
    questions = data.setdefault("questions", [])
    if questions is None:
        questions = data["questions"] = []
    if not isinstance(questions, list):
        raise BuilderError("unreadable")
    return questions


def _ids(data: dict) -> list[str]:
    return [str(q.get("id")) for q in _questions(data) if isinstance(q, Mapping)]


def _index(data: dict, question_id: str) -> int:
    for index, spec in enumerate(_questions(data)):
        if isinstance(spec, Mapping) and str(spec.get("id")) == question_id:
            return index
    raise BuilderError("unknown_question", id=str(question_id)[:80])


def question(data: dict, question_id: str) -> dict:
    return _questions(data)[_index(data, question_id)]


def _check_type(qtype: str) -> None:
    if qtype not in QUESTION_TYPES:
        raise BuilderError("unknown_type", type=str(qtype)[:40])


def _new_id(data: dict, qtype: str) -> str:
    taken = set(_ids(data))
    number = 1
    while f"{qtype}_{number}" in taken:
        number += 1
    return f"{qtype}_{number}"


def _default_choices() -> list[dict]:
    return [{"value": "option_1", "label": {}}, {"value": "option_2", "label": {}}]


def add_question(data: dict, qtype: str) -> str:
    """Append a question of `qtype` with no texts yet (flagged until translated); its id."""
    _check_type(qtype)
    questions = _questions(data)
    if len(questions) >= MAX_QUESTIONS:
        raise BuilderError("too_many", limit=MAX_QUESTIONS)
    qid = _new_id(data, qtype)
    spec: dict[str, Any] = {"id": qid, "type": qtype, "text": {}}
    if qtype in CHOICE_TYPES:
        spec["choices"] = _default_choices()
    questions.append(spec)
    return qid


def remove_question(data: dict, question_id: str) -> None:
    """Remove a question; conditions still naming it are left for the loader to flag."""
    del _questions(data)[_index(data, question_id)]
    if data.get("subject") == question_id:
        del data["subject"]


def move_question(data: dict, question_id: str, offset: int) -> None:
    """Move a question up (-1) or down (+1); at either end it stays where it is."""
    questions = _questions(data)
    index = _index(data, question_id)
    target = max(0, min(len(questions) - 1, index + offset))
    questions.insert(target, questions.pop(index))


def reorder_questions(data: dict, order: Sequence[str]) -> None:
    """Put the questions in `order` (every id exactly once, as after a drag)."""
    questions = _questions(data)
    ids = _ids(data)
    if len(ids) != len(questions) or sorted(order) != sorted(ids) or len(set(ids)) != len(ids):
        raise BuilderError("bad_order")
    by_id = {str(q.get("id")): q for q in questions}
    questions[:] = [by_id[qid] for qid in order]


def rename_question(data: dict, question_id: str, new_id: str) -> None:
    """Change a question's id and every condition and subject that names it."""
    new_id = new_id.strip()
    if new_id == question_id:
        return
    if not _ID.match(new_id) or len(new_id) > 60:
        raise BuilderError("bad_id", id=new_id[:80])
    if new_id in _ids(data):
        raise BuilderError("duplicate_id", id=new_id)
    question(data, question_id)["id"] = new_id
    old_field, new_field = f"answers.{question_id}", f"answers.{new_id}"
    for spec in _questions(data):
        if isinstance(spec, dict) and spec.get("show_if") is not None:
            spec["show_if"] = _rename_field(spec["show_if"], old_field, new_field)
    for ending in data.get("endings") if isinstance(data.get("endings"), list) else []:
        if isinstance(ending, dict) and ending.get("when") is not None:
            ending["when"] = _rename_field(ending["when"], old_field, new_field)
    if isinstance(data.get("creates_ticket"), Mapping):
        data["creates_ticket"] = _rename_field(data["creates_ticket"], old_field, new_field)
    if data.get("subject") == question_id:
        data["subject"] = new_id


def _rename_field(condition: Any, old: str, new: str) -> Any:
    if isinstance(condition, list):
        return [_rename_field(item, old, new) for item in condition]
    if not isinstance(condition, Mapping):
        return condition
    renamed = {key: _rename_field(value, old, new) for key, value in condition.items()}
    name = condition.get("field")
    if isinstance(name, str) and (name == old or name.startswith(old + ".")):
        renamed["field"] = new + name[len(old) :]
    return renamed


def change_type(data: dict, question_id: str, qtype: str) -> None:
    """Change a question's type, dropping the choices and limits the new type cannot have."""
    _check_type(qtype)
    spec = question(data, question_id)
    if spec.get("type") == qtype:
        return
    spec["type"] = qtype
    if qtype in CHOICE_TYPES:
        if not isinstance(spec.get("choices"), list) or not spec["choices"]:
            spec["choices"] = _default_choices()
    else:
        spec.pop("choices", None)
    if qtype not in SCALES:
        spec.pop("labels", None)
    validation = spec.get("validation")
    if isinstance(validation, dict):
        allowed = set(validation_fields(qtype))
        for key in list(validation):
            if key not in allowed:
                del validation[key]
        if not validation:
            del spec["validation"]


def set_required(data: dict, question_id: str, required: bool) -> None:
    spec = question(data, question_id)
    if required:
        spec.pop("required", None)  # required is the default
    else:
        spec["required"] = False


def validation_fields(qtype: str) -> tuple[str, ...]:
    """Which limits a question of `qtype` takes."""
    if qtype in NUMBER_TYPES or qtype in DATE_TYPES:
        return ("min", "max")
    if qtype in LENGTH_TYPES:
        return ("max_length",)
    return ()


def set_validation(data: dict, question_id: str, values: Mapping[str, str]) -> None:
    """Set the limits the question's type allows from form text; blank removes a limit."""
    spec = question(data, question_id)
    qtype = spec.get("type")
    validation = dict(spec["validation"]) if isinstance(spec.get("validation"), Mapping) else {}
    for key in validation_fields(str(qtype)):
        raw = str(values.get(key) or "").strip()
        if not raw:
            validation.pop(key, None)
        elif key == "max_length":
            validation[key] = _whole_number(raw, key, 1, 20000)
        elif qtype in DATE_TYPES:
            if not _DATE.match(raw):
                raise BuilderError("bad_date", field=key)
            validation[key] = raw
        else:
            validation[key] = _number(raw, key)
    if validation:
        spec["validation"] = validation
    else:
        spec.pop("validation", None)


def _whole_number(raw: str, name: str, low: int, high: int) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise BuilderError("bad_number", field=name) from None
    if not low <= number <= high:
        raise BuilderError("out_of_range", field=name, low=low, high=high)
    return number


def _number(raw: str, name: str) -> int | float:
    if len(raw) > 30:
        raise BuilderError("bad_number", field=name)
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        raise BuilderError("bad_number", field=name) from None
    if number != number or abs(number) > 1e15:
        raise BuilderError("bad_number", field=name)
    return int(number) if number.is_integer() else number


# ---- choices ------------------------------------------------------------------------------


def _choices(data: dict, question_id: str) -> list:
    spec = question(data, question_id)
    if spec.get("type") not in CHOICE_TYPES:
        raise BuilderError("no_choices")
    if not isinstance(spec.get("choices"), list):
        spec["choices"] = []
    return spec["choices"]


def _choice(data: dict, question_id: str, index: int) -> dict:
    choices = _choices(data, question_id)
    if not 0 <= index < len(choices) or not isinstance(choices[index], dict):
        raise BuilderError("unknown_choice")
    return choices[index]


def add_choice(data: dict, question_id: str) -> None:
    choices = _choices(data, question_id)
    if len(choices) >= MAX_CHOICES:
        raise BuilderError("too_many", limit=MAX_CHOICES)
    taken = {_choice_value(c) for c in choices if isinstance(c, Mapping)}
    number = len(choices) + 1
    while f"option_{number}" in taken:
        number += 1
    choices.append({"value": f"option_{number}", "label": {}})


def remove_choice(data: dict, question_id: str, index: int) -> None:
    _choice(data, question_id, index)
    del _choices(data, question_id)[index]


def set_choice_value(data: dict, question_id: str, index: int, value: str) -> None:
    """Rename the stored value of a choice (what answers and conditions compare with)."""
    value = value.strip()
    if not value or len(value) > 100:
        raise BuilderError("bad_choice_value")
    choice = _choice(data, question_id, index)
    others = [c for i, c in enumerate(_choices(data, question_id)) if i != index]
    if value in {_choice_value(c) for c in others if isinstance(c, Mapping)}:
        raise BuilderError("duplicate_choice", value=value)
    old = _choice_value(choice)
    choice["value"] = value
    _rename_value(data, f"answers.{question_id}", old, value)


def _rename_value(data: dict, name: str, old: str, new: str) -> None:
    """Conditions comparing `name` with the old choice value now compare with the new one."""

    def walk(condition: Any) -> Any:
        if isinstance(condition, list):
            return [walk(item) for item in condition]
        if not isinstance(condition, Mapping):
            return condition
        changed = {key: walk(item) for key, item in condition.items()}
        if condition.get("field") == name and "value" in condition:
            value = condition["value"]
            if isinstance(value, list):
                changed["value"] = [new if str(v) == old else v for v in value]
            elif _choice_value({"value": value}) == old:
                changed["value"] = new
        return changed

    for spec in _questions(data):
        if isinstance(spec, dict) and spec.get("show_if") is not None:
            spec["show_if"] = walk(spec["show_if"])
    for ending in data.get("endings") if isinstance(data.get("endings"), list) else []:
        if isinstance(ending, dict) and ending.get("when") is not None:
            ending["when"] = walk(ending["when"])
    if isinstance(data.get("creates_ticket"), Mapping):
        data["creates_ticket"] = walk(data["creates_ticket"])


# ---- texts --------------------------------------------------------------------------------


def set_text(data: dict, target: str, lang: str, value: str) -> None:
    """Set one language of one text; an empty value removes that translation.

    `target`: "title", "intro", "bot_name", "closed_message", "questions/<id>/<part>" (part:
    text, help, placeholder, labels.low, labels.high), "questions/<id>/choices/<n>" or
    "endings/<n>".
    """
    if lang not in LANGUAGES:
        raise BuilderError("unknown_language", lang=str(lang)[:10])
    value = value.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(value) > MAX_TEXT_LENGTH:
        raise BuilderError("too_long", limit=MAX_TEXT_LENGTH)
    owner, key = _text_owner(data, target)
    texts = texts_of(owner.get(key), default_language_of(data))
    if value:
        texts[lang] = value
    else:
        texts.pop(lang, None)
    if texts or key in ("text", "title", "label"):
        owner[key] = texts
    else:
        owner.pop(key, None)
    if isinstance(owner.get("labels"), dict) and not owner["labels"]:
        del owner["labels"]


def text_at(data: Mapping, target: str) -> dict[str, str]:
    """The texts of `target` (see `set_text`) by language; empty when it does not exist."""
    try:
        owner, key = _text_owner(copy.deepcopy(dict(data)), target)
    except BuilderError:
        return {}
    return texts_of(owner.get(key), default_language_of(data))


def text_required(target: str) -> bool:
    """Whether the loader insists on this text in every language."""
    parts = str(target).split("/")
    if parts[0] == "questions":
        return (len(parts) == 3 and parts[2] == "text") or (
            len(parts) == 4 and parts[2] == "choices"
        )
    return parts[0] in ("title", "endings")


def _text_owner(data: dict, target: str) -> tuple[dict, str]:
    parts = str(target).split("/")
    if parts[0] in ("title", "intro", "bot_name", "closed_message") and len(parts) == 1:
        return data, parts[0]
    if parts[0] == "endings" and len(parts) == 2:
        return _ending(data, _position(parts[1])), "text"
    if parts[0] == "questions" and len(parts) >= 3:
        spec = question(data, parts[1])
        if len(parts) == 4 and parts[2] == "choices":
            return _choice(data, parts[1], _position(parts[3])), "label"
        if len(parts) == 3 and parts[2] in ("text", "help", "placeholder"):
            return spec, parts[2]
        if len(parts) == 3 and parts[2] in ("labels.low", "labels.high"):
            if not isinstance(spec.get("type"), str) or spec["type"] not in SCALES:
                raise BuilderError("unknown_target")
            if not isinstance(spec.get("labels"), dict):
                spec["labels"] = {}
            return spec["labels"], parts[2].split(".")[1]
    raise BuilderError("unknown_target")


def _position(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 4:
        raise BuilderError("unknown_target")
    return int(raw)


# ---- conditions ---------------------------------------------------------------------------


def score_question(data: Mapping) -> tuple[str, str] | None:
    """(id, type) of the form's first scored question: the answer `score.category` reads."""
    raw = data.get("questions")
    for spec in raw if isinstance(raw, list) else []:
        qtype = spec.get("type") if isinstance(spec, Mapping) else None
        if isinstance(qtype, str) and qtype in CATEGORY_ANSWERS:  # a list is no type
            return str(spec.get("id", "")), str(spec["type"])
    return None


def question_types(data: Mapping) -> dict[str, str]:
    """Each question's type by its id."""
    raw = data.get("questions")
    specs = [spec for spec in (raw if isinstance(raw, list) else []) if isinstance(spec, Mapping)]
    return {str(spec.get("id", "")): str(spec.get("type", "")) for spec in specs}


def category_groups(qtype: str) -> tuple[str, ...]:
    """The groups of categories a condition on `qtype`'s score may pick, as "a" or "a,b".

    Each category alone, then (for three categories) the neighbouring pairs, then the
    outer pair: "detractor", "passive", "promoter", "detractor,passive", "passive,promoter",
    "detractor,promoter".
    """
    names = list(CATEGORY_ANSWERS.get(qtype, {}))
    groups = list(names)
    if len(names) == 3:
        groups += [f"{names[0]},{names[1]}", f"{names[1]},{names[2]}", f"{names[0]},{names[2]}"]
    return tuple(groups)


def group_answers(qtype: str, group: str) -> list:
    """The answers in a group of `qtype`'s categories, in scale order: "passive" → [7, 8]."""
    bands = CATEGORY_ANSWERS.get(qtype, {})
    answers: list = []
    for name, band in bands.items():
        if name in group.split(","):
            answers += list(band) if qtype == "goal" else list(range(band[0], band[-1] + 1))
    return answers


def operators_for(qtype: str) -> tuple[str, ...]:
    """The comparisons that make sense for answers to a question of `qtype`.

    Every scored question (NPS, CSAT, CES, rating, goal) can be tested by its category.
    """
    category = ("category",) if qtype in CATEGORY_ANSWERS else ()
    if qtype in SCALES or qtype in NUMBER_TYPES:
        return (*category, "=", "!=", "<", "<=", ">", ">=", "exists", "missing")
    if qtype in ("single_choice", "goal"):
        return ("=", "!=", *category, "exists", "missing")
    if qtype == "multi_choice":
        return ("contains", "exists", "missing")
    if qtype in ("short_text", "long_text"):
        return ("contains", "exists", "missing")
    return ("exists", "missing")


def value_kind(qtype: str, op: str = "") -> str:
    """Which value picker a condition uses: category, scale, number, choice, yes_no, text."""
    if op == "category":
        return "category"
    if qtype in SCALES:
        return "scale"
    if qtype in NUMBER_TYPES:
        return "number"
    if qtype in CHOICE_TYPES:
        return "choice"
    if qtype == "goal":
        return "yes_no"
    return "text"


def read_condition(
    raw: Any,
    score: tuple[str, str] | None = None,
    types: Mapping[str, str] | None = None,
) -> ConditionRows | None:
    """The rows the builder shows for a stored condition; None if it cannot show it.

    `score` is the form's score question (see `score_question`): a test of
    `score.category` shows as a row on that question. `types` (question id → type) lets
    `answers.<id> in [...]` listing exactly a group's answers show as that group's row.
    """
    if raw is None:
        return ConditionRows()
    read = condition_groups.read_items(raw, lambda item: _read_row(item, score, types or {}))
    if read is None:
        return None  # a part that is no row, an empty group, or one nesting further
    combine, rows = read
    return ConditionRows(combine, tuple(rows))


def _read_row(
    item: Any, score: tuple[str, str] | None, types: Mapping[str, str]
) -> ConditionRow | None:
    if not isinstance(item, Mapping) or set(item) - {"field", "op", "value"}:
        return None
    name, op = item.get("field"), item.get("op")
    if name == SCORE_CATEGORY:
        return _read_category_row(op, item.get("value"), score)
    if not isinstance(name, str) or not name.startswith("answers.") or name.count(".") != 1:
        return None
    qid = name.split(".", 1)[1]
    if op == "exists":
        present = exists_tests_presence(item.get("value"))
        return ConditionRow(qid, "exists" if present else "missing")
    if op == "in":
        group = group_of(types.get(qid, ""), item.get("value"))
        return ConditionRow(qid, "category", group) if group else None
    if op not in BUILDER_OPERATORS or isinstance(item.get("value"), list | Mapping):
        return None
    value = item.get("value")
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return ConditionRow(qid, op, value)


def _read_category_row(op: Any, value: Any, score: tuple[str, str] | None) -> ConditionRow | None:
    """`score.category = x` or `in [x, y]` as a group row on the score question."""
    if score is None:
        return None
    if op == "=" and isinstance(value, str):
        picked = {value}
    elif op == "in" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        picked = set(value)
    else:
        return None
    qid, qtype = score
    group = ",".join(name for name in CATEGORY_ANSWERS[qtype] if name in picked)
    if group not in category_groups(qtype) or len(group.split(",")) != len(picked):
        return None
    return ConditionRow(qid, "category", group)


def group_of(qtype: str, value: Any) -> str | None:
    """The group of `qtype`'s categories whose answers `value` lists exactly (any order)."""
    if not isinstance(value, list) or qtype not in CATEGORY_ANSWERS:
        return None
    # An unquoted yes/no in YAML arrives as a boolean while the answer is the word.
    listed = [
        ("yes" if v else "no") if isinstance(v, bool) and qtype == "goal" else v for v in value
    ]
    listed = [v.casefold() if isinstance(v, str) else v for v in listed]
    if qtype != "goal" and not all(isinstance(v, int) and not isinstance(v, bool) for v in listed):
        return None
    for group in category_groups(qtype):
        answers = group_answers(qtype, group)
        if len(listed) == len(answers) and set(listed) == set(answers):
            return group
    return None


def build_condition(
    data: dict,
    combine: str,
    rows: Sequence[tuple[str, str, str] | ConditionRow | ConditionGroup],
    *,
    before: str | None = None,
) -> dict | None:
    """The condition for rows of (question id, operator, value text) as picked in the builder.

    A row may instead be a `ConditionGroup` of `ConditionRow`s: stored as its own
    {all: [...]} or {any: [...]} inside the top one, a group of one row as that row.
    Only questions before `before` may be used (all questions when None). No row: None
    (always). One row: a single comparison; several: {all: [...]} or {any: [...]}.
    A refusal about one row or group says which in `error.row` (counting every row in
    page order, groups opened) or `error.group` (counting groups from 1).
    """
    if combine not in ("all", "any"):
        raise BuilderError("bad_condition")
    groups = [item for item in rows if isinstance(item, ConditionGroup)]
    if len(groups) > MAX_CONDITION_GROUPS:
        raise BuilderError("too_many", limit=MAX_CONDITION_GROUPS)
    counted = len(rows) - len(groups) + sum(len(group.rows) for group in groups)
    if counted > MAX_CONDITION_ROWS:
        raise BuilderError("too_many", limit=MAX_CONDITION_ROWS)
    available = _questions(data)
    if before is not None:
        available = available[: _index(data, before)]
    by_id = {str(q.get("id")): q for q in available if isinstance(q, Mapping)}
    score = score_question(data)
    position = 0

    def built_row(qid: str, op: str, raw: str) -> dict:
        nonlocal position
        position += 1
        try:
            spec = by_id.get(qid)
            if spec is None:
                later = qid in _ids(data)
                raise BuilderError("later_question" if later else "unknown_question", id=qid[:80])
            return _build_row(spec, qid, op, raw, scored=score is not None and score[0] == qid)
        except BuilderError as error:
            error.row = position - 1
            raise

    built: list[dict] = []
    number = 0
    for item in rows:
        if isinstance(item, ConditionRow):
            built.append(built_row(item.question, item.op, _text(item.value)))
            continue
        if not isinstance(item, ConditionGroup):
            built.append(built_row(*item))
            continue
        number += 1
        if item.combine not in ("all", "any"):
            error = BuilderError("bad_condition")
            error.group = number
            raise error
        if not item.rows:
            error = BuilderError("empty_group", n=number)
            error.group = number
            raise error
        inner = [built_row(r.question, r.op, _text(r.value)) for r in item.rows]
        built.append(inner[0] if len(inner) == 1 else {item.combine: inner})
    if not built:
        return None
    return built[0] if len(built) == 1 else {combine: built}


def edit_rows(rows: ConditionRows, action: str) -> ConditionRows:
    """The rows after one button of the editor, before anything is saved (see
    `condition_groups.edit`: add, add_group, add_to:<n>, remove:<i>, remove_group:<n>)."""
    items = condition_groups.edit(
        rows.combine,
        rows.rows,
        action,
        ConditionRow("", "", ""),
        max_rows=MAX_CONDITION_ROWS,
        max_groups=MAX_CONDITION_GROUPS,
    )
    return ConditionRows(rows.combine, tuple(items))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _build_row(spec: Mapping, qid: str, op: str, raw: str, *, scored: bool = False) -> dict:
    qtype = str(spec.get("type"))
    if op not in operators_for(qtype):
        raise BuilderError("bad_operator", op=str(op)[:20])
    name = f"answers.{qid}"
    if op == "exists":
        return {"field": name, "op": "exists"}
    if op == "missing":
        return {"field": name, "op": "exists", "value": False}
    raw = str(raw or "").strip()
    kind = value_kind(qtype, op)
    if kind == "category":
        if raw not in category_groups(qtype):
            raise BuilderError("bad_value")
        if not scored:  # `score.category` reads the first scored answer only
            return {"field": name, "op": "in", "value": group_answers(qtype, raw)}
        picked = raw.split(",")
        if len(picked) == 1:
            return {"field": SCORE_CATEGORY, "op": "=", "value": picked[0]}
        return {"field": SCORE_CATEGORY, "op": "in", "value": picked}
    if kind == "scale":
        low, high = SCALES[qtype]
        value: Any = _whole_number(raw, "value", low, high)
    elif kind == "number":
        value = _number(raw, "value")
    elif kind == "choice":
        choices = spec.get("choices") if isinstance(spec.get("choices"), list) else []
        if raw not in {_choice_value(c) for c in choices if isinstance(c, Mapping)}:
            raise BuilderError("bad_value")
        value = raw
    elif kind == "yes_no":
        if raw not in ("yes", "no"):
            raise BuilderError("bad_value")
        value = raw
    else:
        if not raw or len(raw) > 200:
            raise BuilderError("bad_value")
        value = raw
    return {"field": name, "op": op, "value": value}


def set_show_if(data: dict, question_id: str, condition: dict | None) -> None:
    spec = question(data, question_id)
    if condition is None:
        spec.pop("show_if", None)
    else:
        spec["show_if"] = condition


# ---- endings, ticket rule, origins, languages -------------------------------------------


def _endings(data: dict) -> list:
    endings = data.get("endings")
    if endings is None:
        endings = data["endings"] = []
    if not isinstance(endings, list):
        raise BuilderError("unreadable")
    return endings


def _ending(data: dict, index: int) -> dict:
    endings = _endings(data)
    if not 0 <= index < len(endings) or not isinstance(endings[index], dict):
        raise BuilderError("unknown_ending")
    return endings[index]


def add_ending(data: dict) -> int:
    """Add an ending before the last unconditional one (that one catches everything else)."""
    endings = _endings(data)
    if len(endings) >= MAX_CHOICES:
        raise BuilderError("too_many", limit=MAX_CHOICES)
    position = len(endings)
    if endings and isinstance(endings[-1], Mapping) and endings[-1].get("when") is None:
        position -= 1
    endings.insert(position, {"text": {}})
    return position


def remove_ending(data: dict, index: int) -> None:
    _ending(data, index)
    del _endings(data)[index]
    if not data["endings"]:
        del data["endings"]


def set_ending_when(data: dict, index: int, condition: dict | None) -> None:
    ending = _ending(data, index)
    if condition is None:
        ending.pop("when", None)
    else:
        ending["when"] = condition
    # keep `when` first, as people write it
    data["endings"][index] = {
        **({"when": ending["when"]} if "when" in ending else {}),
        **{k: v for k, v in ending.items() if k != "when"},
    }


def set_creates_ticket(data: dict, rule: bool | dict) -> None:
    data["creates_ticket"] = rule


def normalise_origin(raw: str) -> str:
    """`https://Shop.example.com/` → `https://shop.example.com`; BuilderError if not https."""
    origin = str(raw).strip().rstrip("/").lower()
    if len(origin) > 200 or not _ORIGIN.match(origin):
        raise BuilderError("bad_origin")
    return origin


def add_origin(data: dict, raw: str) -> None:
    origin = normalise_origin(raw)
    origins = data.get("allowed_origins")
    if not isinstance(origins, list):
        origins = data["allowed_origins"] = []
    if len(origins) >= MAX_ORIGINS:
        raise BuilderError("too_many", limit=MAX_ORIGINS)
    if origin not in origins:
        origins.append(origin)


def remove_origin(data: dict, origin: str) -> None:
    origins = data.get("allowed_origins")
    if isinstance(origins, list) and origin in origins:
        origins.remove(origin)
        if not origins:
            del data["allowed_origins"]


def add_language(data: dict, lang: str) -> None:
    if lang not in LANGUAGES:
        raise BuilderError("unknown_language", lang=str(lang)[:10])
    langs = languages_of(data)
    if lang not in langs:
        data["languages"] = [*langs, lang]


def remove_language(data: dict, lang: str) -> None:
    """Stop offering a language; its texts stay in the draft in case it comes back."""
    langs = languages_of(data)
    if lang not in langs:
        raise BuilderError("unknown_language", lang=str(lang)[:10])
    if lang == default_language_of(data) or len(langs) == 1:
        raise BuilderError("default_language")
    data["languages"] = [other for other in langs if other != lang]


def set_default_language(data: dict, lang: str) -> None:
    if lang not in languages_of(data):
        raise BuilderError("unknown_language", lang=str(lang)[:10])
    data["languages"] = languages_of(data)
    data["default_language"] = lang


def edited(data: Mapping, change) -> dict:
    """A changed deep copy of `data` (the original stays as it was if `change` raises)."""
    copied = copy.deepcopy(dict(data))
    change(copied)
    return copied
