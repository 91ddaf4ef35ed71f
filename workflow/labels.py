"""What the states, transitions and calendars of a workflow document are called, read from the
raw YAML.

Works on the parsed mapping rather than a validated definition, so the editor can name the
state a problem is about, and list untranslated labels, while the draft does not load yet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from workflow.calendars import humanise_calendar_id


def label_texts(data: Any) -> Iterator[tuple[str, Any]]:
    """(path of the label, its text or language → text mapping) for every state and transition.

    A state or transition without a label yields an empty mapping: it is missing in every
    language (agents see a name made from its id).
    """
    if not isinstance(data, Mapping):
        return
    states = data.get("states")
    for name, spec in (states if isinstance(states, Mapping) else {}).items():
        if spec is None or isinstance(spec, Mapping):
            yield f"states.{name}.label", _raw_label(spec)
    transitions = data.get("transitions")
    for index, spec in enumerate(transitions if isinstance(transitions, list) else []):
        if isinstance(spec, Mapping):
            yield f"transitions[{index}].label", _raw_label(spec)
    for name, spec in _calendars(data).items():
        # Only a calendar given a label is listed: without one, its id in words is its name.
        if isinstance(spec, Mapping) and spec.get("label") is not None:
            yield f"sla.calendars.{name}.label", _raw_label(spec)


def subject_names(data: Any, locale: str) -> dict[str, str]:
    """Path of each state and transition ("states.resolved", "transitions[3]") → its label.

    The label in `locale`, else in English, else made from the id, as agents would see it.
    """
    names: dict[str, str] = {}
    if not isinstance(data, Mapping):
        return names
    states = data.get("states")
    for name, spec in (states if isinstance(states, Mapping) else {}).items():
        fallback = _humanise(name).capitalize()  # as the loader names an unlabelled state
        names[f"states.{name}"] = _in_locale(_raw_label(spec), locale) or fallback
    transitions = data.get("transitions")
    for index, spec in enumerate(transitions if isinstance(transitions, list) else []):
        if isinstance(spec, Mapping):
            trigger = spec.get("trigger")
            fallback = _humanise(trigger) if isinstance(trigger, str) else ""
            label = _in_locale(_raw_label(spec), locale) or fallback
            if label:
                names[f"transitions[{index}]"] = label
    for name, spec in _calendars(data).items():
        names[f"sla.calendars.{name}"] = _in_locale(_raw_label(spec), locale) or (
            humanise_calendar_id(name)
        )
    return names


def _calendars(data: Mapping) -> Mapping:
    sla = data.get("sla")
    calendars = sla.get("calendars") if isinstance(sla, Mapping) else None
    return calendars if isinstance(calendars, Mapping) else {}


def subject_of(path: str, names: Mapping[str, str]) -> str | None:
    """The name of the state or transition that `path` is inside, if any."""
    for end in range(len(path), 0, -1):
        prefix = path[:end]
        if prefix in names and (end == len(path) or path[end] in ".["):
            return names[prefix]
    return None


def _raw_label(spec: Any) -> Any:
    return spec.get("label", {}) if isinstance(spec, Mapping) else {}


def _in_locale(raw: Any, locale: str) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, Mapping):
        for lang in (locale, "en"):
            value = raw.get(lang)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _humanise(name: Any) -> str:
    return str(name).replace("_", " ")
