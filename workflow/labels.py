"""What the states, transitions and calendars of a workflow document are called, read from the
raw YAML.

Works on the parsed mapping rather than a validated definition, so the editor can name the
state a problem is about, and list untranslated labels, while the draft does not load yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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


# -- which part of the document a line is in --------------------------------------------------

_PART_PATTERNS = (
    # (kind, path pattern): the part a line belongs to, most specific first
    ("state", re.compile(r"^states\.([^.\[]+)")),
    ("transition", re.compile(r"^transitions\[(\d+)\]")),
    ("calendar", re.compile(r"^sla\.calendars\.([^.\[]+)")),
    ("sla_policy", re.compile(r"^sla\.policies\[(\d+)\]")),
    ("routing_rule", re.compile(r"^routing\.rules\[(\d+)\]")),
    ("routing_default", re.compile(r"^routing\.default()")),
    ("automation", re.compile(r"^automations\[(\d+)\]")),
    ("section", re.compile(r"^([^.\[]+)")),
)


@dataclass(frozen=True)
class DocumentPart:
    """A part of a workflow document an admin thinks in: the SLA policy “high”, a state…"""

    kind: str  # state | transition | calendar | sla_policy | routing_rule | routing_default |
    #            automation | section (a top-level key such as `name` or `initial`)
    name: str  # the part's name as admins read it in `locale` ("" for the default route
    #            and for a policy, rule or automation its admin left unnamed)
    key: str = ""  # which part, whatever its name: "states.resolved", "sla.policies[1]"
    number: int | None = None  # a policy's, rule's or automation's place in its list, from 1


def part_at_line(
    data: Any, lines: Mapping[str, int], line: int, locale: str
) -> DocumentPart | None:
    """The part of the document that line `line` (1-based) is in, None before the first key.

    `lines` is the document's path → first line index (`YamlDocument.lines`); the part is
    the one of the path starting last at or before the line.
    """
    path = max(
        ((start, len(key), key) for key, start in lines.items() if key and start <= line),
        default=None,
    )
    if path is None:
        return None
    key = path[2]
    names = subject_names(data, locale)
    for kind, pattern in _PART_PATTERNS:
        match = pattern.match(key)
        if match is None:
            continue
        where = match.group(0)
        if kind == "state":
            return DocumentPart(kind, names.get(where, match.group(1)), where)
        if kind == "transition":
            return DocumentPart(kind, names.get(where, where), where)
        if kind == "calendar":
            fallback = humanise_calendar_id(match.group(1))
            return DocumentPart(kind, names.get(where, fallback), where)
        if kind in ("sla_policy", "routing_rule", "automation"):
            index = int(match.group(1))
            return DocumentPart(kind, _entry_name(data, key, index), where, index + 1)
        return DocumentPart(kind, match.group(1), where)
    return None


def _entry_name(data: Any, key: str, index: int) -> str:
    """The `name` of a policy, rule or automation; "" when its admin gave it none."""
    entries: Any = data
    for part in key.split("[", 1)[0].split("."):
        entries = entries.get(part) if isinstance(entries, Mapping) else None
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return str(name) if name not in (None, "") else ""
