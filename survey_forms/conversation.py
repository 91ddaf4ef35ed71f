"""The step engine: given a form version and the answers so far, what comes next.

Pure functions over plain data, so the web layer can replay a conversation
after an edit, a language switch or a resume on another device. An answer
of `None` means "skipped" (allowed for optional questions only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from survey_forms.definition import FormDefinition, Question
from survey_forms.scoring import SCORED_TYPES, category_for, on_scale
from workflow.conditions import evaluate

_PIPE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class AnswerError(ValueError):
    """An answer the question does not accept; `code` and `params` let the web layer translate."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def score_of(definition: FormDefinition, answers: Mapping[str, Any]) -> dict:
    """The first scored answer (NPS, CSAT, CES, rating, goal) with its category."""
    for question in definition.questions:
        if question.type not in SCORED_TYPES:
            continue
        value = on_scale(question.type, answers.get(question.id))
        if value is None:  # unanswered, or not a value its scale has
            continue
        return {
            "type": question.type,
            "question": question.id,
            "value": value,
            "category": category_for(question.type, value),
        }
    return {}


def facts(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    *,
    hidden: Mapping | None = None,
    locale: str | None = None,
    channel: str | None = None,
) -> dict:
    """What `show_if`, endings and `creates_ticket` conditions read."""
    return {
        "answers": dict(answers),
        "score": score_of(definition, answers),
        "hidden": dict(hidden or {}),
        "locale": locale,
        "channel": channel,
    }


def visible_questions(
    definition: FormDefinition, answers: Mapping[str, Any], **context
) -> list[Question]:
    """Questions that apply given the answers so far, in order."""
    shown = []
    for question in definition.questions:
        earlier = {q.id: answers[q.id] for q in shown if q.id in answers}
        if evaluate(question.show_if, facts(definition, earlier, **context)):
            shown.append(question)
    return shown


def prune(definition: FormDefinition, answers: Mapping[str, Any], **context) -> dict:
    """Drop answers to questions that no longer apply (after an earlier answer changed)."""
    keep = {q.id for q in visible_questions(definition, answers, **context)}
    return {qid: value for qid, value in answers.items() if qid in keep}


def next_question(
    definition: FormDefinition, answers: Mapping[str, Any], **context
) -> Question | None:
    """The first question that applies and has no answer yet; None when the form is done."""
    for question in visible_questions(definition, answers, **context):
        if question.id not in answers:
            return question
    return None


def progress(definition: FormDefinition, answers: Mapping[str, Any], **context) -> tuple[int, int]:
    """(answered, total) over the questions that apply now."""
    shown = visible_questions(definition, answers, **context)
    return sum(1 for q in shown if q.id in answers), len(shown)


def ending_text(
    definition: FormDefinition, answers: Mapping[str, Any], lang: str, **context
) -> str:
    """The first ending whose condition holds, piped; empty when the form has none."""
    for ending in definition.endings:
        if evaluate(ending.when, facts(definition, answers, **context)):
            return pipe(definition.text(ending.text, lang), answers)
    return ""


def creates_ticket(definition: FormDefinition, answers: Mapping[str, Any], **context) -> bool:
    rule = definition.creates_ticket
    if isinstance(rule, bool):
        return rule
    return evaluate(rule, facts(definition, answers, **context))


def pipe(text: str, answers: Mapping[str, Any]) -> str:
    """Replace `{id}` with that answer ("Thanks, {name}!"); a missing answer leaves nothing.

    The result is plain text: templates escape it when they show it.
    """

    def value(match: re.Match) -> str:
        answer = answers.get(match.group(1))
        if answer is None:
            return ""
        return ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)

    text = _PIPE.sub(value, text)
    text = re.sub(r"[ \t]+([,!?.;:…])", r"\1", text)  # "Thanks, !" once the name is gone
    text = re.sub(r",\s*(?=[,!?.;:…])", "", text)  # ",," or ", …" where a name was
    text = re.sub(r"^[\s,;:]+", "", text)  # "{name}, thanks!" without a name
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def parse_answer(question: Question, raw: Any) -> Any:
    """Turn what the browser sent into the stored answer, or raise AnswerError.

    `raw` is a string, a list of strings (multi_choice) or None/"" (skipped).
    """
    # NUL is never kept (PostgreSQL's text refuses it): dropped before asking whether
    # anything was answered, so NULs alone are no answer to a required question.
    if isinstance(raw, str):
        raw = raw.replace("\x00", "").strip()
    elif isinstance(raw, list):  # boxes ticked; "Skip" adds its own empty value
        raw = [v.replace("\x00", "") if isinstance(v, str) else v for v in raw]
        raw = [value for value in raw if not isinstance(value, str) or value.strip()]
    empty = raw in (None, "", []) or (question.type == "consent" and raw in ("0", "false", "no"))
    if empty:
        if question.required:
            raise AnswerError("consent_required" if question.type == "consent" else "required")
        return None
    parser = _PARSERS.get(question.type, _parse_text)
    return parser(question, raw)


def _parse_scale(question: Question, raw: Any) -> int:
    low, high = question.scale
    try:
        value = int(str(raw))
    except ValueError:
        raise AnswerError("scale", low=low, high=high) from None
    if not low <= value <= high:
        raise AnswerError("scale", low=low, high=high)
    return value


def _parse_goal(question: Question, raw: Any) -> str:
    if raw not in ("yes", "no"):
        raise AnswerError("choice")
    return raw


def _parse_single(question: Question, raw: Any) -> str:
    if isinstance(raw, list):
        raw = raw[0] if len(raw) == 1 else None
    if raw not in {c.value for c in question.choices}:
        raise AnswerError("choice")
    return raw


def _parse_multi(question: Question, raw: Any) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    allowed = [c.value for c in question.choices]
    if not values or any(v not in allowed for v in values):
        raise AnswerError("choice")
    return [v for v in allowed if v in values]  # the form's order, no duplicates


def _parse_text(question: Question, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerError("text")
    text = raw.replace("\r\n", "\n").replace("\x00", "")
    limit = question.max_length or 5000
    if len(text) > limit:
        raise AnswerError("too_long", max=limit)
    if question.type == "short_text":
        text = " ".join(text.split())
    return text


def _parse_email(question: Question, raw: Any) -> str:
    text = _parse_text(question, raw)
    if len(text) > 254 or not _EMAIL.match(text):  # no address is longer (RFC 5321)
        raise AnswerError("email")
    return text


def _parse_number(question: Question, raw: Any) -> int | float:
    try:
        number = float(str(raw).replace(",", "."))
    except ValueError:
        raise AnswerError("number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise AnswerError("number")
    if question.min is not None and number < question.min:
        raise AnswerError("min", min=question.min)
    if question.max is not None and number > question.max:
        raise AnswerError("max", max=question.max)
    return int(number) if number.is_integer() else number


def _parse_date(question: Question, raw: Any) -> str:
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        raise AnswerError("date") from None
    if question.min is not None and value < date.fromisoformat(str(question.min)):
        raise AnswerError("date_min", min=question.min)
    if question.max is not None and value > date.fromisoformat(str(question.max)):
        raise AnswerError("date_max", max=question.max)
    return value.isoformat()


def _parse_consent(question: Question, raw: Any) -> bool:
    if raw not in ("1", "true", "yes", "on"):
        raise AnswerError("consent_required")
    return True


def _parse_file(question: Question, raw: Any) -> Any:
    # The web layer stores the upload and passes its reference (a dict) here.
    if not isinstance(raw, Mapping) or "file_id" not in raw:
        raise AnswerError("file")
    return dict(raw)


_PARSERS = {
    "nps": _parse_scale,
    "csat": _parse_scale,
    "ces": _parse_scale,
    "rating": _parse_scale,
    "goal": _parse_goal,
    "single_choice": _parse_single,
    "multi_choice": _parse_multi,
    "short_text": _parse_text,
    "long_text": _parse_text,
    "email": _parse_email,
    "number": _parse_number,
    "date": _parse_date,
    "consent": _parse_consent,
    "file": _parse_file,
}


@dataclass(frozen=True)
class Exchange:
    """One line of the transcript: the bot's question and the customer's answer."""

    question: Question
    answer: Any


def transcript(definition: FormDefinition, answers: Mapping[str, Any], **context) -> list[Exchange]:
    """The answered questions that still apply, in order (what the chat shows)."""
    return [
        Exchange(q, answers[q.id])
        for q in visible_questions(definition, answers, **context)
        if q.id in answers
    ]
