"""Read an admin-edited YAML document safely, and say where in it each problem is.

Shared by the workflow and the form loaders: size limit, no aliases (billion
laughs), syntax errors with line and column, and a path → line index so that
`transitions[3].dest` can be reported with its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}: {self.message}{where}" if self.path else f"{self.message}{where}"


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    lines: Mapping[str, int]

    def locate(self, problems: Iterable[Problem]) -> tuple[Problem, ...]:
        """The same problems, each with the line of its path."""
        return tuple(Problem(p.path, p.message, line_for(self.lines, p.path)) for p in problems)


def read_yaml(text: str, max_bytes: int, what: str = "document") -> YamlDocument | Problem:
    """Parse `text`, or return the one problem that stops it from being read."""
    if len(text.encode("utf-8", "ignore")) > max_bytes:
        return Problem("", f"the {what} is larger than {max_bytes // 1024} KB")
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return Problem(
                    "", "YAML aliases (*name) are not allowed", event.start_mark.line + 1
                )
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        return Problem("", f"YAML syntax error at {where}: {exc.problem}")
    except yaml.YAMLError as exc:
        return Problem("", f"YAML error: {exc}")
    return YamlDocument(data, line_index(root))


def line_index(root: yaml.Node | None) -> dict[str, int]:
    index: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        index.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = f"{path}.{key.value}" if path else str(key.value)
                index.setdefault(sub, key.start_mark.line + 1)
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    if root is not None:
        walk(root, "")
    return index


def line_for(index: Mapping[str, int], path: str) -> int | None:
    while path:
        if path in index:
            return index[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return index.get(path) if path else None


class ProblemCollector:
    """Base of the definition checkers: collect every problem, never stop at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def unknown_keys(self, spec: Mapping, path: str, allowed: set[str], noun: str = "key") -> None:
        for key in sorted(set(map(str, spec)) - allowed):
            where = f"{path}.{key}" if path else key
            self.add(where, f"unknown {noun} (expected one of {', '.join(sorted(allowed))})")

    def condition_problems(self, raw: Any, path: str, fields: set[str]) -> bool:
        """Record the problems of a condition; True when it is well-formed."""
        from workflow.conditions import validate_condition

        problems = validate_condition(raw, path, fields)
        for message in problems:
            where, _, text = message.partition(": ")
            self.add(where, text)
        return not problems
