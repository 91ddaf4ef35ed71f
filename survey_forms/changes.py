"""What a draft changes against the live version, part by part, for the publish review.

A line diff of the YAML says what changed to someone who reads YAML; this says it the way
the builder shows a form: questions added, removed or moved, each text per language,
conditions, endings, the ticket rule and the settings. Both sides are read through
`builder.outline`, so a text written as a plain string and the same text written as
{en: ...} are not a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from survey_forms import builder

# Top-level keys the review names one by one; any other key that differs is listed by name.
_SHOWN_KEYS = {
    "slug",
    "title",
    "intro",
    "bot_name",
    "languages",
    "default_language",
    "questions",
    "endings",
    "creates_ticket",
    "allowed_origins",
    "opens_at",
    "closes_at",
    "timezone",
    "max_responses",
    "closed_message",
}


@dataclass(frozen=True)
class TextChange:
    part: str  # "title", "text", "help", "labels.low", "choice", "ending"…
    lang: str
    before: str  # "" when the text is new in this language
    after: str  # "" when it was removed
    choice: str = ""  # the choice's stored value, for a choice label


@dataclass(frozen=True)
class SettingChange:
    """One of opens_at, closes_at, timezone, max_responses: as text, "" when not set."""

    key: str
    before: str
    after: str


@dataclass(frozen=True)
class ConditionChange:
    before: Any  # None: always (or no rule); True/False for the ticket rule
    after: Any


@dataclass
class QuestionChange:
    id: str
    type: tuple[str, str] | None = None
    required: tuple[bool, bool] | None = None
    validation: tuple[dict, dict] | None = None
    texts: list[TextChange] = field(default_factory=list)
    choices_added: list[str] = field(default_factory=list)
    choices_removed: list[str] = field(default_factory=list)
    condition: ConditionChange | None = None


@dataclass
class EndingChange:
    number: int  # 1-based, as the builder shows it (a removed one's: in the live version)
    kind: str  # "added", "removed" or "changed"
    texts: list[TextChange] = field(default_factory=list)
    condition: ConditionChange | None = None
    before_number: int | None = None  # a changed ending's number in the live version
    moved: bool = False  # its place among the endings kept changed (order matters)


@dataclass
class FormChanges:
    languages_added: list[str] = field(default_factory=list)
    languages_removed: list[str] = field(default_factory=list)
    default_language: tuple[str, str] | None = None
    texts: list[TextChange] = field(default_factory=list)  # title, intro, bot name
    schedule: list[SettingChange] = field(default_factory=list)  # when it opens, closes, limit
    closed_message: list[TextChange] = field(default_factory=list)
    questions_added: list[str] = field(default_factory=list)
    questions_removed: list[str] = field(default_factory=list)
    order: tuple[list[str], list[str]] | None = None  # kept questions, before and after
    questions: list[QuestionChange] = field(default_factory=list)
    endings: list[EndingChange] = field(default_factory=list)
    ticket: ConditionChange | None = None
    origins_added: list[str] = field(default_factory=list)
    origins_removed: list[str] = field(default_factory=list)
    other_settings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.languages_added,
                self.languages_removed,
                self.default_language,
                self.texts,
                self.questions_added,
                self.questions_removed,
                self.order,
                self.questions,
                self.endings,
                self.ticket,
                self.origins_added,
                self.origins_removed,
                self.other_settings,
                self.schedule,
                self.closed_message,
            )
        )


def form_changes(before: Mapping, after: Mapping) -> FormChanges:
    """Every change from `before` (the live version's data) to `after` (the draft's)."""
    old, new = builder.outline(before), builder.outline(after)
    changes = FormChanges(
        languages_added=[lang for lang in new.languages if lang not in old.languages],
        languages_removed=[lang for lang in old.languages if lang not in new.languages],
        default_language=(
            (old.default_language, new.default_language)
            if old.default_language != new.default_language
            else None
        ),
        origins_added=[o for o in new.allowed_origins if o not in old.allowed_origins],
        origins_removed=[o for o in old.allowed_origins if o not in new.allowed_origins],
    )
    for part in ("title", "intro", "bot_name"):
        changes.texts += _text_changes(part, getattr(old, part), getattr(new, part))
    changes.schedule = [
        SettingChange(key, old.schedule.get(key, ""), new.schedule.get(key, ""))
        for key in builder.SCHEDULE_KEYS
        if old.schedule.get(key, "") != new.schedule.get(key, "")
    ]
    changes.closed_message = _text_changes("closed_message", old.closed_message, new.closed_message)
    _compare_questions(old, new, changes)
    _compare_endings(old, new, changes)
    if _normal(old.creates_ticket) != _normal(new.creates_ticket):
        changes.ticket = ConditionChange(old.creates_ticket, new.creates_ticket)
    keys = (set(before) | set(after)) - _SHOWN_KEYS
    changes.other_settings = sorted(
        str(key) for key in keys if _normal(before.get(key)) != _normal(after.get(key))
    )
    return changes


def _compare_questions(old: builder.Outline, new: builder.Outline, changes: FormChanges) -> None:
    old_ids = [q.id for q in old.questions]
    new_ids = [q.id for q in new.questions]
    changes.questions_added = [qid for qid in new_ids if qid not in old_ids]
    changes.questions_removed = [qid for qid in old_ids if qid not in new_ids]
    kept_before = [qid for qid in old_ids if qid in new_ids]
    kept_after = [qid for qid in new_ids if qid in old_ids]
    if kept_before != kept_after:
        changes.order = (kept_before, kept_after)
    by_id = {q.id: q for q in old.questions}
    for question in new.questions:
        if question.id in by_id:
            change = _question_change(by_id[question.id], question)
            if change is not None:
                changes.questions.append(change)


def _question_change(old: builder.QuestionView, new: builder.QuestionView) -> QuestionChange | None:
    change = QuestionChange(new.id)
    if old.type != new.type:
        change.type = (old.type, new.type)
    if old.required != new.required:
        change.required = (old.required, new.required)
    if _normal(old.validation) != _normal(new.validation):
        change.validation = (old.validation, new.validation)
    for part in builder.QUESTION_TEXT_PARTS:
        change.texts += _text_changes(part, old.texts.get(part, {}), new.texts.get(part, {}))
    old_choices = {c.value: c for c in old.choices}
    new_choices = {c.value: c for c in new.choices}
    change.choices_added = [value for value in new_choices if value not in old_choices]
    change.choices_removed = [value for value in old_choices if value not in new_choices]
    for value, choice in new_choices.items():
        if value in old_choices:
            change.texts += [
                TextChange("choice", t.lang, t.before, t.after, choice=value)
                for t in _text_changes("choice", old_choices[value].label, choice.label)
            ]
    if _normal(old.show_if) != _normal(new.show_if):
        change.condition = ConditionChange(old.show_if, new.show_if)
    unchanged = QuestionChange(new.id)
    return None if change == unchanged else change


def _compare_endings(old: builder.Outline, new: builder.Outline, changes: FormChanges) -> None:
    """Endings paired by what they are, not where they stand.

    Endings have no id, so a pair is found by the same condition and text, then the same
    condition (its text edited), then the same text (its condition edited); what is left
    pairs in order. Removing the middle ending of three thus reads "Ending 2 removed",
    not "Ending 2 changed, ending 3 removed".
    """
    pairs = _pair_endings(old.endings, new.endings)
    paired_old = {i for i, _j in pairs}
    paired_new = {j for _i, j in pairs}
    by_new = sorted(pairs, key=lambda pair: pair[1])
    ranks_before = sorted(i for i, _j in pairs)
    found = []
    for index in range(len(old.endings)):
        if index not in paired_old:
            found.append((index, EndingChange(index + 1, "removed")))
    for rank, (i, j) in enumerate(by_new):
        before, after = old.endings[i], new.endings[j]
        ending = EndingChange(j + 1, "changed", before_number=i + 1)
        ending.moved = ranks_before[rank] != i  # its place among the kept endings changed
        ending.texts = _text_changes("ending", before.text, after.text)
        if _normal(before.when) != _normal(after.when):
            ending.condition = ConditionChange(before.when, after.when)
        if ending.texts or ending.condition or ending.moved:
            found.append((j, ending))
    for index in range(len(new.endings)):
        if index not in paired_new:
            found.append((index, EndingChange(index + 1, "added")))
    changes.endings += [change for _index, change in sorted(found, key=lambda f: f[0])]


def _pair_endings(
    old: list[builder.EndingView], new: list[builder.EndingView]
) -> list[tuple[int, int]]:
    """(old index, new index) of the endings that are the same one before and after."""
    left, right = list(range(len(old))), list(range(len(new)))
    pairs: list[tuple[int, int]] = []
    keys = (
        lambda e: (_key(e.when), _key(_stripped(e.text))),
        lambda e: _key(e.when),
        lambda e: _key(_stripped(e.text)),
    )
    for key in keys:
        for i in list(left):
            match = next((j for j in right if key(new[j]) == key(old[i])), None)
            if match is not None:
                pairs.append((i, match))
                left.remove(i)
                right.remove(match)
    pairs += list(zip(left, right, strict=False))
    return pairs


def _stripped(texts: Mapping) -> dict:
    return {lang: text.strip() for lang, text in texts.items() if text.strip()}


def _key(value: Any) -> str:
    return repr(_normal(value))


def _text_changes(part: str, before: Mapping, after: Mapping) -> list[TextChange]:
    langs = list(dict.fromkeys([*after, *before]))
    return [
        TextChange(part, lang, before.get(lang, ""), after.get(lang, ""))
        for lang in langs
        if before.get(lang, "").strip() != after.get(lang, "").strip()
    ]


def _normal(value: Any) -> Any:
    """Plain dicts and lists, so equal data read in different ways compares equal."""
    if isinstance(value, Mapping):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value
