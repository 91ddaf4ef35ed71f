"""The one condition evaluator: routing rules, SLA policies, automations and form logic.

A condition is plain data, never code:

    {"field": "answers.score", "op": "<=", "value": 6}
    {"all": [cond, ...]}   {"any": [cond, ...]}   {"not": cond}

Fields are dotted paths into a facts mapping (`answers.score`, `locale`,
`score.category`, `metadata.plan`, `customer.email_domain`). A missing
field makes every comparison false except `exists` (and `!=`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflow.yaml_documents import N_, Problem

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not_in", "contains", "exists")
_MISSING = object()


class ConditionError(ValueError):
    """A condition is not well-formed."""


def lookup(facts: Mapping[str, Any], path: str) -> Any:
    """Resolve a dotted path in nested mappings; `_MISSING` when any step is absent."""
    current: Any = facts
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        else:
            return _MISSING
    return current


def exists_tests_presence(expected: Any) -> bool:
    """Whether `exists` with this value asks for an answer (no value, true) or for none."""
    return expected in (None, True)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        present = actual is not _MISSING and actual not in (None, "", [])
        return present if exists_tests_presence(expected) else not present
    if actual is _MISSING or actual is None:
        return op in ("!=", "not_in")
    if op == "=":
        return _same(actual, expected)
    if op == "!=":
        return not _same(actual, expected)
    if op == "in":
        return any(_same(actual, item) for item in _as_list(expected))
    if op == "not_in":
        return not any(_same(actual, item) for item in _as_list(expected))
    if op == "contains":
        if isinstance(actual, str):
            return str(expected).casefold() in actual.casefold()
        if isinstance(actual, Sequence):
            return any(_same(item, expected) for item in actual)
        return False
    try:
        left, right = _ordered(actual, expected)
    except (TypeError, ValueError):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


_YAML_BOOLEAN_WORDS = {"yes": True, "no": False, "true": True, "false": False}


def _same(actual: Any, expected: Any) -> bool:
    # An unquoted yes/no in YAML arrives as a boolean while the answer is the word.
    if isinstance(expected, bool) and isinstance(actual, str):
        return _YAML_BOOLEAN_WORDS.get(actual.casefold()) is expected
    if isinstance(actual, bool) and isinstance(expected, str):
        return _YAML_BOOLEAN_WORDS.get(expected.casefold()) is actual
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    try:
        left, right = _ordered(actual, expected)
    except (TypeError, ValueError):
        return actual == expected
    return left == right


def _ordered(actual: Any, expected: Any) -> tuple[Any, Any]:
    """Compare numbers as numbers even when one side arrived as text (form answers)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        if isinstance(actual, bool) and isinstance(expected, bool):
            return actual, expected
        raise TypeError("booleans compare only with booleans")
    if isinstance(actual, int | float) or isinstance(expected, int | float):
        return float(actual), float(expected)
    if isinstance(actual, str) and isinstance(expected, str):
        return actual, expected
    raise TypeError("not comparable")


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def evaluate(condition: Mapping | None, facts: Mapping[str, Any]) -> bool:
    """True when `facts` satisfy `condition`; an absent condition always holds."""
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(c, facts) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, facts) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], facts)
    return _compare(condition["op"], lookup(facts, condition["field"]), condition.get("value"))


def explain(condition: Mapping | None, facts: Mapping[str, Any]) -> str:
    """Say why `condition` holds for `facts`, e.g. `answers.score 3 <= 6 and locale pl = pl`."""
    if condition is None:
        return "no condition"
    if "all" in condition:
        return " and ".join(_explain_part(c, facts) for c in condition["all"])
    if "any" in condition:
        matched = [c for c in condition["any"] if evaluate(c, facts)]
        return " or ".join(_explain_part(c, facts) for c in (matched or condition["any"]))
    if "not" in condition:
        return f"not ({explain(condition['not'], facts)})"
    actual = lookup(facts, condition["field"])
    shown = "missing" if actual is _MISSING else _text(actual)
    if condition["op"] == "exists":
        return (
            f"{condition['field']} exists"
            if shown != "missing"
            else f"{condition['field']} missing"
        )
    return f"{condition['field']} {shown} {condition['op']} {_text(condition.get('value'))}"


def _explain_part(condition: Mapping, facts: Mapping[str, Any]) -> str:
    text = explain(condition, facts)
    return f"({text})" if ("all" in condition or "any" in condition) else text


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def condition_problems(condition: Any, path: str, fields: set[str] | None = None) -> list[Problem]:
    """Every problem in `condition`, each with its path.

    `fields`, when given, lists the known field names; a dotted field is
    accepted when its first part (`answers`, `metadata`…) is known.
    """
    if not isinstance(condition, Mapping):
        return [
            Problem(path, N_("a condition must be a mapping with 'field' and 'op', or all/any/not"))
        ]
    groups = [key for key in ("all", "any", "not") if key in condition]
    if groups:
        if len(condition) != 1:
            return [
                Problem(
                    path,
                    N_("'%(group)s' must be the only key of its condition"),
                    params={"group": groups[0]},
                )
            ]
        key = groups[0]
        if key == "not":
            return condition_problems(condition["not"], f"{path}.not", fields)
        items = condition[key]
        if not isinstance(items, list) or not items:
            return [Problem(f"{path}.{key}", N_("must be a non-empty list of conditions"))]
        problems: list[Problem] = []
        for index, item in enumerate(items):
            problems += condition_problems(item, f"{path}.{key}[{index}]", fields)
        return problems
    problems = []
    unknown = set(condition) - {"field", "op", "value"}
    if unknown:
        problems.append(
            Problem(
                path,
                N_("unknown key(s) %(keys)s"),
                params={"keys": ", ".join(sorted(map(str, unknown)))},
            )
        )
    field = condition.get("field")
    if not isinstance(field, str) or not field:
        problems.append(
            Problem(f"{path}.field", N_("missing (name the value to test, e.g. 'locale')"))
        )
    elif fields is not None and field not in fields and field.split(".")[0] not in fields:
        problems.append(
            Problem(f"{path}.field", N_("unknown field '%(field)s'"), params={"field": field})
        )
    op = condition.get("op")
    if op not in OPERATORS:
        problems.append(
            Problem(
                f"{path}.op",
                N_("'%(op)s' is not an operator (use %(operators)s)"),
                params={"op": op, "operators": " ".join(OPERATORS)},
            )
        )
    elif op not in ("exists",) and "value" not in condition:
        problems.append(
            Problem(f"{path}.value", N_("missing for operator '%(op)s'"), params={"op": op})
        )
    elif op in ("in", "not_in") and not isinstance(condition.get("value"), list):
        problems.append(
            Problem(f"{path}.value", N_("operator '%(op)s' needs a list"), params={"op": op})
        )
    return problems


def fields_used(condition: Mapping | None) -> set[str]:
    """Every field path a condition reads (form logic checks they come earlier)."""
    if condition is None:
        return set()
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        return set().union(*(fields_used(c) for c in condition[key]))
    if "not" in condition:
        return fields_used(condition["not"])
    return {condition["field"]} if isinstance(condition.get("field"), str) else set()
