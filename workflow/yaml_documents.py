"""Read an admin-edited YAML document safely, and say where in it each problem is.

Shared by the workflow and the form loaders: size limit, no aliases (billion
laughs), syntax errors with line and column, and a path → line index so that
`transitions[3].dest` can be reported with its line.

A problem's message is an English template with named placeholders (`unknown state
'%(state)s'`) and its values apart, so the web layer can show it in the reader's language
while the CLI, logs and tests read the English text (`str(problem)`, `problem.text`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (the wheels are): about ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    """Mark `message` for translation; it is translated where it is shown (the web layer)."""
    return message


def fill(template: str, params: Mapping[str, object]) -> str:
    """`template` with `params` filled in, as gettext's `%` formatting does (none: as is)."""
    return template % dict(params) if params else template


@dataclass(frozen=True)
class Problem:
    path: str
    message: str  # an English template, marked with N_: "unknown state '%(state)s'"
    line: int | None = None
    params: Mapping[str, object] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", dict(self.params))  # a copy: the caller's may change

    @property
    def text(self) -> str:
        """The message in English with its values filled in."""
        return fill(self.message, self.params)

    # Equal and hashed by what they say (params may hold unhashable values).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.path, self.message, self.text, self.line)

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}: {self.text}{where}" if self.path else f"{self.text}{where}"


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    lines: Mapping[str, int]
    # Keys written twice in one mapping: YAML keeps the last value without a word, so a
    # loader reports these as problems (each at the line of the later key).
    repeated_keys: tuple[Problem, ...] = ()

    def locate(self, problems: Iterable[Problem]) -> tuple[Problem, ...]:
        """The same problems, each with the line of its path."""
        return tuple(
            Problem(p.path, p.message, line_for(self.lines, p.path), p.params) for p in problems
        )


_TOO_LARGE = {
    "document": N_("the document is larger than %(kb)s KB"),
    "form": N_("the form is larger than %(kb)s KB"),
}


def read_yaml(text: str, max_bytes: int, what: str = "document") -> YamlDocument | Problem:
    """Parse `text`, or return the one problem that stops it from being read."""
    if len(text.encode("utf-8", "ignore")) > max_bytes:
        too_large = _TOO_LARGE.get(what, _TOO_LARGE["document"])
        return Problem("", too_large, params={"kb": max_bytes // 1024})
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return Problem(
                    "", N_("YAML aliases (*name) are not allowed"), event.start_mark.line + 1
                )
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return syntax_problem(exc, text)
    except yaml.reader.ReaderError as exc:  # a control character stops the reader
        line, column = _position(text, exc.position)
        return Problem(
            "",
            N_(
                "YAML syntax error at line %(line)s, column %(column)s: the character "
                "%(code)s is not allowed in YAML; remove it"
            ),
            params={"line": line, "column": column, "code": f"U+{exc.character:04X}"}
            if isinstance(exc.character, int)
            else {"line": line, "column": column, "code": repr(exc.character)},
        )
    except yaml.YAMLError:
        return Problem("", N_("YAML error: the text cannot be read as YAML"))
    return YamlDocument(data, line_index(root), repeated_keys(root))


# What the parser says (libyaml's words, or PyYAML's where it runs without libyaml) → the
# admin's words, each with the line and column. The parser's own text stays out of the
# message: it is English and names parser states ("<block end>"). First match wins.
_SYNTAX_PROBLEMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("mapping values are not allowed",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a colon followed by a "
            "space starts a value here, where none may start; put text that contains “: ” "
            "in quotes, or check the indentation"
        ),
    ),
    (
        ("did not find expected key", "expected <block end>", "expected '-' indicator"),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: this line is not indented "
            "like the lines around it; the keys of one mapping, and the items of one list, "
            "start in the same column"
        ),
    ),
    (
        ("while scanning a quoted scalar", "found unexpected end of stream"),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: the quotation mark "
            "opened here is never closed"
        ),
    ),
    (
        ("',' or ']'",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a list in square brackets "
            "[ ] is not closed, or its items are not separated by commas"
        ),
    ),
    (
        ("',' or '}'",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a mapping in curly braces "
            "{ } is not closed, or its entries are not separated by commas"
        ),
    ),
    (
        ("unknown escape character",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a backslash in double "
            "quotes starts an escape YAML does not know; write \\\\ for a backslash, or "
            "use single quotes"
        ),
    ),
    (
        ("expected a single document", "but found another document"),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a second document starts "
            "here (a line with ---); keep only one"
        ),
    ),
    (
        ("expected node content", "expected the node content"),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a value is expected here; "
            "look for a stray bracket or brace, or put the value in quotes"
        ),
    ),
    (
        ("<document start>",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: more text follows where "
            "the value has ended; check the indentation, or put the whole value in quotes"
        ),
    ),
    (
        ("while scanning an anchor", "while scanning an alias"),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: & and * start names in "
            "YAML; put a value that starts with & or * in quotes"
        ),
    ),
    (
        ("constructor for the tag",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: tags such as !name are "
            "not supported; remove the tag, or put the value in quotes"
        ),
    ),
    (
        ("unhashable key",),
        N_(
            "YAML syntax error at line %(line)s, column %(column)s: a key must be a single "
            "value, not a list or a mapping"
        ),
    ),
)
_TAB = N_(
    "YAML syntax error at line %(line)s, column %(column)s: a tab indents this line; YAML "
    "indents with spaces only"
)
_CANNOT_START = N_(
    "YAML syntax error at line %(line)s, column %(column)s: a value cannot start with "
    "“%(character)s”; put the value in quotes"
)
_UNKNOWN_SYNTAX = N_(
    "YAML syntax error at line %(line)s, column %(column)s: the text cannot be read as YAML "
    "from here"
)


def syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    """The parser's complaint in the admin's words, with its line and column."""
    said = f"{exc.context or ''} {exc.problem or ''}"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Problem("", N_("YAML syntax error: the text cannot be read as YAML"))
    # Something never closed is reported where the text ends; where it opened is more use.
    if exc.context_mark is not None and not text[_offset(text, mark) :].strip():
        mark = exc.context_mark
    where = {"line": mark.line + 1, "column": mark.column + 1}
    if "cannot start any token" in said:
        character = text[_offset(text, mark) : _offset(text, mark) + 1]
        if character == "\t":
            return Problem("", _TAB, params=where)
        return Problem("", _CANNOT_START, params={**where, "character": character})
    for telling, message in _SYNTAX_PROBLEMS:
        if any(words in said for words in telling):
            return Problem("", message, params=where)
    return Problem("", _UNKNOWN_SYNTAX, params=where)


def _offset(text: str, mark: yaml.Mark) -> int:
    """Where a mark is in `text`, by its line and column (both parsers count those alike)."""
    lines = text.split("\n")
    if mark.line >= len(lines):
        return len(text)
    return sum(len(line) + 1 for line in lines[: mark.line]) + mark.column


def _position(text: str, index: int) -> tuple[int, int]:
    """(line, column), both from 1, of a character offset into `text`."""
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _children(node: yaml.Node, path: str) -> Iterator[tuple[yaml.Node | None, yaml.Node, str]]:
    """(key node or None in a list, child node, the child's path) of a mapping or a list."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key, value, f"{path}.{key.value}" if path else str(key.value)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield None, item, f"{path}[{i}]"


def line_index(root: yaml.Node | None) -> dict[str, int]:
    index: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        index.setdefault(path, node.start_mark.line + 1)
        for key, child, sub in _children(node, path):
            if key is not None:
                index.setdefault(sub, key.start_mark.line + 1)
            walk(child, sub)

    if root is not None:
        walk(root, "")
    return index


_REPEATED_KEY = N_(
    "this key is already written at line %(first)s; YAML would keep only this later value, "
    "so remove one of the two"
)


def repeated_keys(root: yaml.Node | None) -> tuple[Problem, ...]:
    """A problem for each key written again in the same mapping, at the later one's line."""
    found: list[Problem] = []

    def walk(node: yaml.Node, path: str) -> None:
        first_lines: dict[tuple[str, str], int] = {}  # of this mapping's keys
        for key, child, sub in _children(node, path):
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                first = first_lines.get((key.tag, key.value))
                if first is None:
                    first_lines[(key.tag, key.value)] = line
                else:
                    found.append(Problem(sub, _REPEATED_KEY, line, {"first": first}))
            walk(child, sub)

    if root is not None:
        walk(root, "")
    return tuple(found)


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

    def add(self, path: str, message: str, **params: object) -> None:
        """Record `message` (an N_ template) at `path`, with the values of its placeholders."""
        self.problems.append(Problem(path, message, params=params))

    def extend(self, problems: Iterable[Problem], prefix: str = "") -> None:
        """Record problems found by a helper, their paths under `prefix`."""
        for p in problems:
            where = ".".join(part for part in (prefix, p.path) if part)
            self.problems.append(Problem(where, p.message, p.line, p.params))

    def unknown_keys(self, spec: Mapping, path: str, allowed: set[str], noun: str = "key") -> None:
        message = _UNKNOWN_KEY.get(noun, _UNKNOWN_KEY["key"])
        for key in sorted(set(map(str, spec)) - allowed):
            where = f"{path}.{key}" if path else key
            self.add(where, message, allowed=", ".join(sorted(allowed)))

    def condition_problems(self, raw: Any, path: str, fields: set[str]) -> bool:
        """Record the problems of a condition; True when it is well-formed."""
        from workflow.conditions import condition_problems

        problems = condition_problems(raw, path, fields)
        self.extend(problems)
        return not problems


_UNKNOWN_KEY = {
    "key": N_("unknown key (expected one of %(allowed)s)"),
    "section": N_("unknown section (expected one of %(allowed)s)"),
}


_LINE_BREAKS = "\r\n\x85\u2028\u2029"  # what YAML counts as the end of a line


def top_level_span(text: str, key: str) -> tuple[int, int] | None:
    """Where a top-level section is written: the offsets of its first line and past its last.

    The span runs from the start of the line holding `key:` to the end of the line holding
    the section's last key or value, so comments and blank lines before the next section
    stay outside it. None when the section cannot be cut out on its own: the text does not
    read, the document is not a block mapping starting each key on a line of its own at
    column 0, or `key` is absent or written twice. Only call it on text `read_yaml` accepted.
    """
    try:
        # The pure-Python composer: its marks count characters of `text` (libyaml's may not).
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    found = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    if len(found) != 1:
        return None
    key_node, value = found[0]
    if key_node.start_mark.column != 0:
        return None
    start = key_node.start_mark.index
    end = max(key_node.end_mark.index, _last_written(value))
    if end > start and text[end - 1] in _LINE_BREAKS:
        return start, end  # the value ended its line itself (a block scalar)
    while end < len(text) and text[end] not in _LINE_BREAKS:
        end += 1
    if text.startswith("\r\n", end):
        end += 2
    elif end < len(text):
        end += 1
    return start, end


def _last_written(node: yaml.Node) -> int:
    """The offset past the last character written for `node` (its empty values have none)."""
    last, stack, seen = -1, [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, yaml.ScalarNode):
            # An empty plain value (`key:`) is marked where the next token starts, maybe lines
            # further down, past comments: it adds nothing to the span.
            if item.value or item.style:
                last = max(last, item.end_mark.index)
        elif item.flow_style:
            last = max(last, item.end_mark.index)
        elif isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                stack.extend((k, v))
        else:
            stack.extend(item.value)
    return last


def comment_lines(text: str) -> list[int]:
    """The lines (from 1) of `text` that hold a comment.

    PyYAML reads no comments, so data written back has none; this says which would go. A
    `#` is a comment where no token covers it (in `a#b`, `"#1"` or a block scalar's text it
    is part of a value). Text that does not scan has none found.
    """
    if "#" not in text:
        return []
    try:
        # The pure-Python scanner: its marks count characters of `text` (libyaml's may not).
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    spans = sorted(
        (token.start_mark.index, token.end_mark.index)
        for token in tokens
        if token.end_mark.index > token.start_mark.index
    )
    starts = [first for first, _last in spans]
    lines: list[int] = []
    at = text.find("#")
    while at >= 0:
        covering = bisect.bisect_right(starts, at) - 1
        if covering >= 0 and spans[covering][1] > at:
            at = text.find("#", at + 1)
            continue
        lines.append(text.count("\n", 0, at) + 1)
        line_end = text.find("\n", at)
        at = -1 if line_end < 0 else text.find("#", line_end)
    return lines


def lines_of(text: str, first: yaml.Node, last: yaml.Node) -> tuple[int, int]:
    """The offsets of the start of the line `first` starts on and past the end of the line
    (its line break included) on which the last character written for `last` stands."""
    start = first.start_mark.index
    while start > 0 and text[start - 1] not in _LINE_BREAKS:
        start -= 1
    end = max(_last_written(first), _last_written(last))
    if end > start and text[end - 1] in _LINE_BREAKS:
        return start, end
    while end < len(text) and text[end] not in _LINE_BREAKS:
        end += 1
    if text.startswith("\r\n", end):
        return start, end + 2
    return start, min(end + 1, len(text))
