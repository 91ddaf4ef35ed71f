"""Which texts of a form are not yet translated into which of its languages.

Works on the raw document (the parsed YAML mapping), not on a validated definition, so an
admin sees the gaps of a draft that does not load yet. A text is a string (in the default
language) or a mapping of language to text; an empty or blank value counts as missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey_forms.definition import LANGUAGES
from workflow.yaml_documents import line_for


@dataclass(frozen=True)
class MissingText:
    path: str  # e.g. "questions[2].choices[0].label"
    source: str  # the text in the default language (or any language), for context
    line: int | None = None


@dataclass(frozen=True)
class LanguageCompleteness:
    language: str
    translated: int
    total: int
    missing: tuple[MissingText, ...] = ()

    @property
    def percent(self) -> int:
        """Whole percent translated, rounded down so 99.6% never shows as complete."""
        return 100 if not self.total else self.translated * 100 // self.total


@dataclass(frozen=True)
class TranslationReport:
    default_language: str
    languages: tuple[LanguageCompleteness, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return all(lang.translated == lang.total for lang in self.languages)


def check_translations(
    data: Any, lines: Mapping[str, int] | None = None
) -> TranslationReport | None:
    """Per language of the form: its untranslated texts (with paths) and the share translated.

    `lines` (path → line, from the YAML reader) adds a line number to each missing text.
    Returns None when `data` is not a form document at all.
    """
    if not isinstance(data, Mapping):
        return None
    raw_languages = data.get("languages")
    if not isinstance(raw_languages, list) or not raw_languages:
        raw_languages = ["en"]
    languages = tuple(dict.fromkeys(lang for lang in raw_languages if lang in LANGUAGES)) or ("en",)
    default = data.get("default_language")
    if default not in languages:
        default = languages[0]
    return completeness(form_texts(data), languages, default, lines)


def completeness(
    texts: Iterable[tuple[str, Any]],
    languages: Sequence[str],
    default: str,
    lines: Mapping[str, int] | None = None,
) -> TranslationReport:
    """Per language, the texts (path, text or language → text) it lacks; malformed ones skipped.

    Shared with the workflow's state and transition labels, which have the same shape.
    """
    pairs = [(path, _as_mapping(raw, default)) for path, raw in texts]
    pairs = [(path, values) for path, values in pairs if values is not None]
    report = []
    for lang in languages:
        missing = [
            MissingText(
                path,
                _source_text(values, default),
                line_for(lines, path) if lines is not None else None,
            )
            for path, values in pairs
            if not _filled(values.get(lang))
        ]
        report.append(
            LanguageCompleteness(lang, len(pairs) - len(missing), len(pairs), tuple(missing))
        )
    return TranslationReport(default, tuple(report))


def form_texts(data: Mapping) -> Iterator[tuple[str, Any]]:
    """Every translatable text of a form document with its path, in document order."""
    for key in ("title", "bot_name", "intro"):
        if data.get(key) is not None:
            yield key, data[key]
    questions = data.get("questions")
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(question, Mapping):
            continue
        path = f"questions[{index}]"
        for key in ("text", "help", "placeholder"):
            if question.get(key) is not None:
                yield f"{path}.{key}", question[key]
        labels = question.get("labels")
        if isinstance(labels, Mapping):
            for end in ("low", "high"):
                if labels.get(end) is not None:
                    yield f"{path}.labels.{end}", labels[end]
        choices = question.get("choices")
        for number, choice in enumerate(choices if isinstance(choices, list) else []):
            if isinstance(choice, Mapping) and choice.get("label") is not None:
                yield f"{path}.choices[{number}].label", choice["label"]
    endings = data.get("endings")
    for index, ending in enumerate(endings if isinstance(endings, list) else []):
        if isinstance(ending, Mapping) and ending.get("text") is not None:
            yield f"endings[{index}].text", ending["text"]
    if data.get("closed_message") is not None:  # shown once the form has closed or is full
        yield "closed_message", data["closed_message"]


def _as_mapping(raw: Any, default: str) -> Mapping[str, Any] | None:
    if isinstance(raw, str):
        return {default: raw}
    if isinstance(raw, Mapping):
        return raw
    return None  # malformed: the loader reports it as a problem


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _source_text(values: Mapping[str, Any], default: str) -> str:
    if _filled(values.get(default)):
        return values[default]
    return next((v for v in values.values() if _filled(v)), "")
