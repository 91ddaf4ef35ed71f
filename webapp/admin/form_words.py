"""Conditions in the admin's words: "score is in the group “Promoters (9–10)”".

The form builder's condition editor, its one-line summaries and the publish review all say a
condition the same way, and so do the routing rules and the SLA policies of the workflow
(`the priority is “Urgent”`, `the team is “Customer Care”`). Any condition the evaluator
reads can be said, including nested groups and fields the row editor cannot edit (hidden
fields, the language).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_forms import builder
from survey_forms.scoring import CATEGORY_ANSWERS
from webapp.i18n import PRIORITY_LABELS
from webapp.tickets.codes import CHANNELS, DEVICES
from workflow.conditions import exists_tests_presence
from workflow.routing_rules import typed_score_group

if TYPE_CHECKING:
    from survey_forms.definition import FormDefinition

QUESTION_WORDS = 6  # a question is named by its first words: "How likely are you to…"
QUESTION_CHARS = 48

OPERATOR_LABELS = {
    "category": _l("is in the group"),
    "=": _l("is"),
    "!=": _l("is not"),
    "<": _l("is less than"),
    "<=": _l("is at most"),
    ">": _l("is more than"),
    ">=": _l("is at least"),
    "contains": _l("contains"),
    "exists": _l("is answered"),
    "missing": _l("is not answered"),
}
# A comparison as one sentence per operator, so that each language can say it without an
# operator word that would have to agree with the subject's gender or number (Russian
# "приоритет — «Срочный»", not "приоритет равно «Срочный»"). The operator words above are
# the builder's choices; sentences are only ever built from these.
_SENTENCES = {
    "=": _l("%(subject)s is %(value)s"),
    "!=": _l("%(subject)s is not %(value)s"),
    "<": _l("%(subject)s is less than %(value)s"),
    "<=": _l("%(subject)s is at most %(value)s"),
    ">": _l("%(subject)s is more than %(value)s"),
    ">=": _l("%(subject)s is at least %(value)s"),
    "contains": _l("%(subject)s contains %(value)s"),
    "in": _l("%(subject)s is one of %(value)s"),
    "not_in": _l("%(subject)s is none of %(value)s"),
}
# What a ticket's labels are tested for ("the labels include “vip”").
_LABEL_SENTENCES = {
    "=": _l("the labels include %(value)s"),
    "contains": _l("the labels include %(value)s"),
    "in": _l("the labels include %(value)s"),
    "!=": _l("the labels do not include %(value)s"),
    "not_in": _l("the labels do not include %(value)s"),
}
# Whether a field has a value: an answer for a question, any value for a ticket's field.
_PRESENCE_SENTENCES = {
    (True, True): _l("%(subject)s is answered"),
    (True, False): _l("%(subject)s is not answered"),
    (False, True): _l("%(subject)s is filled in"),
    (False, False): _l("%(subject)s is empty"),
}
# Lowercase plural names, so two read as one group: "detractors or passives (0–8)".
CATEGORY_NAMES = {
    "nps": {
        "detractor": lazy_pgettext("nps group", "detractors"),
        "passive": lazy_pgettext("nps group", "passives"),
        "promoter": lazy_pgettext("nps group", "promoters"),
    },
    "csat": {
        "unsatisfied": lazy_pgettext("satisfaction group", "unsatisfied"),
        "neutral": lazy_pgettext("satisfaction group", "neutral"),
        "satisfied": lazy_pgettext("satisfaction group", "satisfied"),
    },
    "ces": {
        "difficult": lazy_pgettext("effort group", "difficult"),
        "neutral": lazy_pgettext("effort group", "neutral"),
        "easy": lazy_pgettext("effort group", "easy"),
    },
    "goal": {
        "completed": lazy_pgettext("goal group", "goal reached"),
        "not_completed": lazy_pgettext("goal group", "goal not reached"),
    },
}
CATEGORY_NAMES["rating"] = CATEGORY_NAMES["csat"]


def group_label(qtype: str, group: str) -> str:
    """ "Detractors or passives (0–8)" for the group "detractor,passive" of an NPS score."""
    names = CATEGORY_NAMES.get(qtype, {})
    picked = [name for name in group.split(",") if name]
    words = [str(names.get(name, name)) for name in picked]
    said = (
        words[0]
        if len(words) == 1
        else _("%(first)s or %(second)s", first=words[0], second=words[-1])
    )
    answers = _answers_of(qtype, picked)
    label = f"{said} ({answers})" if answers else said
    return label[:1].upper() + label[1:]


def _answers_of(qtype: str, picked: list[str]) -> str:
    """The answers a group covers: "0–8", "0–6, 9–10", "yes"."""
    bounds = CATEGORY_ANSWERS.get(qtype, {})
    if qtype == "goal":
        return ", ".join(
            _("yes") if bounds[n] == ("yes",) else _("no") for n in picked if n in bounds
        )
    spans: list[list[int]] = []
    for name in bounds:
        if name not in picked:
            continue
        low, high = bounds[name]
        if spans and spans[-1][1] + 1 == low:
            spans[-1][1] = high
        else:
            spans.append([low, high])
    return ", ".join(f"{low}–{high}" if low != high else str(low) for low, high in spans)


# What a ticket's facts are called when a routing rule or an SLA policy tests them.
TICKET_FIELDS = {
    "priority": _l("the priority"),
    "team": _l("the team"),
    "form": _l("the form"),
    "labels": _l("the labels"),
    "subject": _l("the ticket's subject"),
    "score.type": _l("the kind of score"),
    "customer.email": _l("the customer's e-mail address"),
    "customer.email_domain": _l("the domain of the customer's e-mail address"),
    "customer.name": _l("the customer's name"),
    "metadata.page_url": _l("the page the form was on"),
    "metadata.referrer": _l("the page the customer came from"),
    "metadata.user_agent": _l("the customer's device"),
    "metadata.country": _l("the customer's country"),
}


def short_text(text: str) -> str:
    """A question named by its first words, ellipsised: "How likely are you to…"."""
    words = text.split()
    short = " ".join(words[:QUESTION_WORDS])
    if len(short) > QUESTION_CHARS:
        short = short[: QUESTION_CHARS - 1].rstrip()
    return short if short == " ".join(words) else f"{short.rstrip(' ,.;:?!…')}…"


class FormNames:
    """Forms by their titles and questions by their first words, for conditions that name
    them by slug and id (`form = report-problem`, `answers.csat`), in the reader's language.

    Routing rules and SLA policies read any form: the published forms are loaded once, on
    the first name asked for, so one instance per page costs at most one query.
    """

    def __init__(
        self, load: Callable[[], Iterable[tuple[str, FormDefinition]]] | None = None
    ) -> None:
        self._load = load or _published_forms
        self._titles: dict[str, str] | None = None
        self._questions: dict[str, str] = {}
        self._choices: dict[str, dict[str, str]] = {}

    def _loaded(self) -> dict[str, str]:
        if self._titles is None:
            language = str(get_locale() or "")
            self._titles = {}
            texts: dict[str, set[str]] = {}
            labels: dict[tuple[str, str], set[str]] = {}
            for slug, definition in self._load():
                self._titles[slug] = definition.text(definition.title, language)
                for question in definition.questions:
                    text = definition.text(question.text, language)
                    texts.setdefault(question.id, set()).add(short_text(text) if text else "")
                    for choice in question.choices:
                        label = definition.text(choice.label, language) if choice.label else ""
                        labels.setdefault((question.id, choice.value), set()).add(label)
            # An id two forms ask differently ("email") stays an id: either text would mislead.
            self._questions = {
                qid: said.pop() for qid, said in texts.items() if len(said) == 1 and "" not in said
            }
            # So does a choice two forms label differently: the stored value is then said.
            for (qid, value), said in labels.items():
                if len(said) == 1 and "" not in said:
                    self._choices.setdefault(qid, {})[value] = said.pop()
        return self._titles

    def get(self, slug: str) -> str | None:
        """The form's title (the mapping `_field_value_text` reads for `form`)."""
        return self._loaded().get(slug) or None

    def question(self, question_id: str) -> str | None:
        self._loaded()
        return self._questions.get(question_id)

    def choice(self, question_id: str, value: str) -> str | None:
        """The label of a choice ("bug" → "Something isn't working"), None if not a choice."""
        self._loaded()
        return self._choices.get(question_id, {}).get(value)


def _published_forms() -> list[tuple[str, FormDefinition]]:
    from webapp.services import forms as form_service

    return [(form.slug, definition) for form, definition in form_service.published_forms()]


def describe_condition(
    condition: Any,
    outline: builder.Outline | None,
    teams: Mapping[str, str] | None = None,
    forms: FormNames | None = None,
) -> str:
    """The condition as a phrase ("“How likely…” is at most 6 and “Anything else…” is answered").

    `outline`: the form the condition is in (question texts, choices, the score question);
    None for a workflow's routing rule or SLA policy, which reads any form's answers.
    `teams`: team names by routing name, so `team = customer-care` reads “Customer Care”.
    `forms`: form titles and question texts for a routing rule or an SLA policy (one per
    page); without it forms are named by slug and questions by id.
    """
    words = _Words(outline, teams or {}, forms)
    return _describe(condition, words, nested=False)


class _Words:
    """What the values and subjects of one condition are called."""

    def __init__(
        self, outline: builder.Outline | None, teams: Mapping[str, str], forms: FormNames | None
    ) -> None:
        self.outline = outline
        self.teams = teams
        self.forms = forms
        self.questions = {q.id: q for q in outline.questions} if outline else {}

    def question_name(self, question_id: str) -> str:
        """A question by its first words in quotation marks; its id when it has no text."""
        text = None
        view = self.questions.get(question_id)
        if view is not None:
            texts = view.texts.get("text") or {}
            said = self.outline.text_for(texts, str(get_locale() or ""))
            text = short_text(said) if said.strip() else None
        elif self.forms is not None and self.outline is None:
            text = self.forms.question(question_id)
        return quoted(text) if text else question_id


SCORE_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "goal": _l("goal completion")}


def _describe(condition: Any, words: _Words, nested: bool) -> str:
    if not isinstance(condition, Mapping):
        return condition_json(condition)
    score_type, comparison = typed_score_group(condition)
    if comparison is not None and words.outline is None:  # the routing builder's one row
        return _category_comparison(comparison["op"], comparison.get("value"), words, score_type)
    for key, joiner in (("all", _("and")), ("any", _("or"))):
        items = condition.get(key)
        if isinstance(items, list) and items and len(condition) == 1:
            parts = [_describe(item, words, True) for item in items]
            said = f" {joiner} ".join(parts)
            return f"({said})" if nested and len(parts) > 1 else said
    if "not" in condition and len(condition) == 1:
        inner = condition["not"]
        if isinstance(inner, Mapping) and inner.get("op") == "exists" and "field" in inner:
            flipped = not exists_tests_presence(inner.get("value"))
            return _comparison({"field": inner["field"], "op": "exists", "value": flipped}, words)
        return _("not (%(condition)s)", condition=_describe(inner, words, False))
    return _comparison(condition, words)


def _comparison(condition: Mapping, words: _Words) -> str:
    name, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if not isinstance(name, str) or not isinstance(op, str):
        return condition_json(condition)
    outline, teams, questions = words.outline, words.teams, words.questions
    if name == builder.SCORE_CATEGORY:
        return _category_comparison(op, value, words)
    head, _dot, rest = name.partition(".")
    question = questions.get(rest) if head == "answers" else None
    group = builder.group_of(question.type, value) if question and op == "in" else None
    if group:  # a later scored question's group, stored as the answers it holds
        label = group_label(question.type, group)
        return _(
            "%(subject)s is in the group “%(group)s”",
            subject=words.question_name(rest),
            group=label,
        )
    if head == "answers" and rest:
        subject = words.question_name(rest)
    elif name in TICKET_FIELDS:
        subject = str(TICKET_FIELDS[name])
    elif head in ("hidden", "metadata") and rest:  # routing reads hidden fields as metadata
        subject = _("the hidden field “%(name)s”", name=rest)
    elif name == "locale":
        subject = _("the language")
    elif name == "channel":
        subject = _("the channel")
    elif head == "score":
        subject = _("the score")
    else:
        subject = name
    if op == "exists":
        present = exists_tests_presence(value)
        return str(_PRESENCE_SENTENCES[(head == "answers", present)]) % {"subject": subject}
    if head == "answers" and rest and question is None and outline is None and words.forms:
        said = _answer_value_text(value, rest, words.forms)
    else:
        said = _field_value_text(name, value, question, outline, teams, words.forms)
    if name == "labels" and op in _LABEL_SENTENCES:
        return str(_LABEL_SENTENCES[op]) % {"value": said}
    if op in _SENTENCES:
        return str(_SENTENCES[op]) % {"subject": subject, "value": said}
    return _("%(subject)s %(operator)s %(value)s", subject=subject, operator=op, value=said)


def _field_value_text(
    name: str, value: Any, question, outline, teams: Mapping[str, str], forms=None
) -> str:
    """A compared value as the admin knows it: “Urgent”, “Customer Care”, “Slovenian”,
    “Report a problem”."""
    words = {
        "priority": PRIORITY_LABELS,
        "team": teams,
        "channel": CHANNELS,
        "metadata.user_agent": DEVICES,
        "locale": _LanguageNames(),
        "form": forms,
    }.get(name)
    if words is None:
        return _value_text(value, question, outline)
    if isinstance(value, list):
        return ", ".join(
            _field_value_text(name, item, question, outline, teams, forms) for item in value
        )
    said = words.get(value) if isinstance(value, str) else None
    return quoted(str(said)) if said else _value_text(value, question, outline)


def _answer_value_text(value: Any, question_id: str, forms: FormNames) -> str:
    """An answer a routing rule or an SLA policy compares, by its choice's label in the
    reader's language (“Coś nie działa” for `bug`); any other value as stored."""
    if isinstance(value, list):
        return ", ".join(_answer_value_text(item, question_id, forms) for item in value)
    label = forms.choice(question_id, value) if isinstance(value, str) else None
    return quoted(label) if label else _value_text(value, None, None)


def quoted(text: str) -> str:
    """Text in the reader's quotation marks: “Pilny” in English, „Pilny” in Polish, «Срочный»
    in Russian, »Nujna« in Slovenian (each catalog uses only its language's pair)."""
    return _("“%(text)s”", text=text)


class _LanguageNames:
    """Language codes as the admin calls them ('sl' → 'słoweński' for a Polish admin)."""

    def get(self, code: str) -> str | None:
        try:
            return Locale.parse(code).get_display_name(get_locale()) or None
        except (UnknownLocaleError, ValueError, TypeError):
            return None


def _category_comparison(op: str, value: Any, words: _Words, score_type: str = "") -> str:
    """A score group test; `score_type`: the rule ties it to that type's scores."""
    if op == "exists" and words.outline is None:  # "the CES score group is filled in"
        subject = (
            _("the %(kind)s score group", kind=SCORE_NAMES.get(score_type, score_type))
            if score_type
            else _("the score group")
        )
        return str(_PRESENCE_SENTENCES[(False, exists_tests_presence(value))]) % {
            "subject": subject
        }
    outline, questions = words.outline, words.questions
    qid = outline.score_question if outline else None
    picked = value if isinstance(value, list) else [value]
    if not picked:  # no group at all (value: []): said as written
        return condition_json({"field": builder.SCORE_CATEGORY, "op": op, "value": value})
    qtype = score_type or (questions[qid].type if qid in questions else _scale_of(picked))
    order = list(CATEGORY_ANSWERS.get(qtype, {}))
    picked = sorted((str(v) for v in picked), key=lambda v: order.index(v) if v in order else 99)
    if len(picked) > 2 or any(v not in order for v in picked):
        group = ", ".join(picked)
    else:
        group = group_label(qtype, ",".join(picked))
    subject = words.question_name(qid) if qid else _("the score")
    if score_type:
        subject = _("the %(kind)s score", kind=SCORE_NAMES.get(score_type, score_type))
    if op in ("=", "in"):
        return _("%(subject)s is in the group “%(group)s”", subject=subject, group=group)
    if op in ("!=", "not_in"):
        return _("%(subject)s is not in the group “%(group)s”", subject=subject, group=group)
    return condition_json({"field": builder.SCORE_CATEGORY, "op": op, "value": value})


def _scale_of(groups: list) -> str:
    """Outside a form (routing, SLA), the one scale whose groups these are: detractor → nps."""
    scales = [
        qtype
        for qtype, bounds in CATEGORY_ANSWERS.items()
        if qtype != "rating" and all(str(group) in bounds for group in groups)
    ]
    return scales[0] if len(scales) == 1 else ""


def _value_text(value: Any, question, outline) -> str:
    if isinstance(value, list):
        return ", ".join(_value_text(item, question, outline) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if question is not None and question.type == "goal" and value in ("yes", "no"):
        return _("yes") if value == "yes" else _("no")
    if question is not None and question.choices:
        for choice in question.choices:
            if choice.value == str(value):
                # the reader's language as for the question's own text, else the form's
                label = outline.text_for(choice.label, str(get_locale() or "")) if outline else ""
                return quoted(label or choice.value)
    if isinstance(value, int | float):
        return str(value)
    return quoted(str(value))


def condition_json(condition) -> str:
    """A condition as compact text (escaped by the template), for what cannot be said."""
    return json.dumps(condition, ensure_ascii=False, default=str)[:2000]
