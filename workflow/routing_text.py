"""The routing section's text rule by rule, to rewrite only what a save changed.

PyYAML reads no comments, so whatever is written from data has none. `routing_rules`
keeps the text outside the routing section as it is; with the layout here it also keeps,
inside the section, the text of every rule a save left alone (its comments included), the
comment lines above each rule and the lines around the list: only a changed or new rule,
and a changed default, are written from data. A section laid out otherwise (rules in flow
style or none, a rule not on its own `- ` line, other lines between rules) has no layout,
and the caller writes the whole section from data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from workflow.yaml_documents import lines_of, top_level_span

KEEP = object()  # the default as it is written


@dataclass(frozen=True)
class RuleText:
    """One rule's lines: the comment and blank lines above it from `lead`, then its own
    from `start` (its `- ` line) to `end` (past its last line)."""

    lead: int
    start: int
    end: int


@dataclass(frozen=True)
class SectionLayout:
    start: int  # the routing section in the document
    end: int
    rules_line: tuple[int, int]  # the `rules:` line
    rules: tuple[RuleText, ...]
    indent: int  # the column of the rules' dashes
    key_indent: int  # the column of `rules:` and `default:`
    default: tuple[int, int] | None  # the lines of `default:` when written after the rules
    default_written: bool  # whether the section has a `default:` at all


@dataclass(frozen=True)
class Step:
    """A rule of the new list: old rule `old` kept as written (`rule` None), or written
    from `rule` below old rule `old`'s comment lines, or new (`old` None)."""

    old: int | None
    rule: Any = None


def section_layout(text: str, span: tuple[int, int] | None = None) -> SectionLayout | None:
    """The routing section's rules by their lines; None when it is not laid out so.
    `span`: where the section is, when the caller has found it already."""
    span = span or top_level_span(text, "routing")
    if span is None:
        return None
    section = text[span[0] : span[1]]  # a mapping of its own: read alone, it reads faster
    try:
        root = yaml.compose(section, Loader=yaml.SafeLoader)  # marks count characters
    except yaml.YAMLError:
        return None
    routing = _entry(root, "routing")
    if routing is None or not _block(routing[1], yaml.MappingNode):
        return None
    found = _entry(routing[1], "rules")
    if found is None or not _block(found[1], yaml.SequenceNode) or not found[1].value:
        return None
    rules_key, sequence = found
    rules_line = lines_of(section, rules_key, rules_key)
    previous, rules, indent = rules_line[1], [], None
    for item in sequence.value:
        start, end = lines_of(section, item, item)
        dash = section[start : item.start_mark.index]
        column = len(dash) - len(dash.lstrip())
        if (
            dash.strip() != "-"
            or indent not in (None, column)
            or not _only_comments(section[previous:start])
        ):
            return None
        indent = column
        rules.append(RuleText(span[0] + previous, span[0] + start, span[0] + end))
        previous = end
    default = _entry(routing[1], "default")
    default_lines = lines_of(section, *default) if default is not None else None
    if default_lines is not None and default_lines[0] < previous:
        default_lines = None  # written before the rules: kept only if unchanged
    return SectionLayout(
        start=span[0],
        end=span[1],
        rules_line=(span[0] + rules_line[0], span[0] + rules_line[1]),
        rules=tuple(rules),
        indent=indent or 0,
        key_indent=rules_key.start_mark.column,
        default=(span[0] + default_lines[0], span[0] + default_lines[1]) if default_lines else None,
        default_written=default is not None,
    )


def _entry(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    found = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    return found[0] if len(found) == 1 else None


def _block(node: yaml.Node, kind: type) -> bool:
    return isinstance(node, kind) and not node.flow_style


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def rewritten(text: str, layout: SectionLayout, steps: Sequence[Step], default: Any = KEEP) -> str:
    """The routing section with the rules `steps` lists and `default` (KEEP: as written);
    raises ValueError when a changed default cannot be put in its place."""
    newline = "\r\n" if "\r\n" in text else "\n"
    parts = [text[layout.start : layout.rules[0].lead]]
    if not steps:  # every rule removed: an empty list, its comment lines with them
        parts = [text[layout.start : layout.rules_line[0]]]
        parts.append(" " * layout.key_indent + "rules: []" + newline)
    for step in steps:
        if step.old is None:
            written = _dumped([step.rule], layout.indent, newline)
        else:
            old = layout.rules[step.old]
            above = text[old.lead : old.start]
            mine = text[old.start : old.end]
            written = above + (
                mine if step.rule is None else _dumped([step.rule], layout.indent, newline)
            )
        if not parts[-1].endswith(("\n", "\r")):
            parts[-1] += newline
        parts.append(written)
    tail = text[layout.rules[-1].end : layout.end]
    if default is not KEEP:
        entry = _dumped({"default": default}, layout.key_indent, newline)
        if layout.default is not None:
            start, end = layout.default
            tail = text[layout.rules[-1].end : start] + entry + text[end : layout.end]
        elif layout.default_written:
            raise ValueError("the default is written before the rules")
        else:
            tail = tail + ("" if not tail or tail.endswith(("\n", "\r")) else newline) + entry
    if tail and not parts[-1].endswith(("\n", "\r")):
        parts[-1] += newline
    return "".join(parts) + tail


def _dumped(value: Any, indent: int, newline: str) -> str:
    body = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)
    lines = body.splitlines(keepends=True)
    shifted = "".join(" " * indent + line if line.strip() else line for line in lines)
    return shifted.replace("\n", newline) if newline != "\n" else shifted
