"""One level of groups in a condition builder's rows, shared by the form and routing builders.

A builder shows a condition as rows combined with all/any, where a row may instead be a
group: rows of its own, combined the other way ({any: [x, {all: [y, z]}]}). What a row
is (a question, a field) is the builder's own; how rows sit in groups, how the page's
buttons add and remove them and how the posted lists are put back together is the same
for both, and lives here. Plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COMBINES = ("all", "any")
MAX_GROUPS = 5


@dataclass(frozen=True)
class Group:
    """Rows inside a condition that hold together (all) or as alternatives (any)."""

    combine: str = "all"
    rows: tuple = ()

    is_group = True


def flat(items: Iterable[Any]) -> list:
    """Every row, groups opened, in the order the page shows them."""
    return [row for item in items for row in (item.rows if item.is_group else (item,))]


def read_combination(raw: Any) -> tuple[str, list] | None:
    """("all" | "any", its items) for {all: [...]} / {any: [...]}; ("", [raw]) for one
    comparison; None for anything else."""
    if not isinstance(raw, Mapping):
        return None
    if len(raw) == 1 and ("all" in raw or "any" in raw):
        combine = "all" if "all" in raw else "any"
        items = raw[combine]
        return (combine, items) if isinstance(items, list) else None
    return "", [raw]


def read_items(raw: Any, read_row: Callable[[Any], Any]) -> tuple[str, list] | None:
    """(combine, rows and groups) of a stored condition, one level of groups deep; None when
    a part cannot be shown as a row (`read_row` returned None), a group is empty or nests
    further. A part `read_row` reads is a row even when it is written as {all: [...]}
    (a builder may store one row so, e.g. a score group tied to its score type)."""
    whole = read_row(raw) if isinstance(raw, Mapping) else None
    if whole is not None:  # one row, even if it is stored as a combination of its own
        return "all", [whole]
    top = read_combination(raw)
    if top is None:
        return None
    combine, parts = top
    items: list = []
    for part in parts:
        row = read_row(part) if isinstance(part, Mapping) else None
        if row is not None:
            items.append(row)
            continue
        inner = read_combination(part)
        if inner is not None and inner[0]:
            rows = [read_row(row) for row in inner[1]]
            if not rows or None in rows:
                return None
            items.append(Group(inner[0], tuple(rows)))
            continue
        row = read_row(part)
        if row is None:
            return None
        items.append(row)
    return combine or "all", items


def edit(
    combine: str,
    items: Sequence[Any],
    action: str,
    empty: Any,
    *,
    max_rows: int,
    max_groups: int = MAX_GROUPS,
) -> list:
    """The items after one button of a builder, before anything is saved.

    `add` adds a row at the top, `add_group` a group of two rows (holding the other way
    than the top, the usual reason for a group), `add_to:<n>` a row to group n (from 1),
    `remove:<i>` row i (counting every row in page order, groups opened) and
    `remove_group:<n>` group n with its rows. Past the limits, or pointing at nothing,
    an action changes nothing.
    """
    items = list(items)
    room = max_rows - len(flat(items))
    groups = [index for index, item in enumerate(items) if item.is_group]
    verb, _sep, where = action.partition(":")
    number = int(where) if where.isdigit() and len(where) < 4 else -1
    if verb == "add" and not where and room > 0:
        items.append(empty)
    elif verb == "add_group" and room > 1 and len(groups) < max_groups:
        items.append(Group("any" if combine == "all" else "all", (empty, empty)))
    elif verb == "add_to" and 0 < number <= len(groups) and room > 0:
        group = items[groups[number - 1]]
        items[groups[number - 1]] = Group(group.combine, (*group.rows, empty))
    elif verb == "remove_group" and 0 < number <= len(groups):
        del items[groups[number - 1]]
    elif verb == "remove" and number >= 0:
        items = _without_row(items, number)
    return items


def _without_row(items: list, number: int) -> list:
    seen = 0
    for index, item in enumerate(items):
        inside = item.rows if item.is_group else (item,)
        if number < seen + len(inside):
            if not item.is_group:
                return items[:index] + items[index + 1 :]
            kept = inside[: number - seen] + inside[number - seen + 1 :]
            return [*items[:index], Group(item.combine, kept), *items[index + 1 :]]
        seen += len(inside)
    return items


def place_number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 4 else None


def arrange(rows: Sequence[tuple[str, Any]], groups: Sequence[tuple[str, str]]) -> list:
    """The items a page posted, from its rows as (place, row) and its groups as (place,
    all/any): each row's place is its position among the top rows and groups, and a
    group's rows carry the group's place. Rows without a place (older pages) go last, at
    the top, in the order sent; a group nobody's rows name stays, empty."""
    found: dict[int, tuple[str, list]] = {}
    for place, how in groups:
        at = place_number(place)
        if at is not None and at not in found:
            found[at] = (how if how in COMBINES else "all", [])
    entries: list[tuple[int, int, Any]] = [(at, -1, at) for at in found]
    for index, (place, row) in enumerate(rows):
        at = place_number(place)
        if at is not None and at in found:
            found[at][1].append(row)
        else:
            entries.append((at if at is not None else 10_000 + index, index, row))
    return [
        Group(found[item][0], tuple(found[item][1])) if isinstance(item, int) else item
        for _at, _index, item in sorted(entries, key=lambda entry: entry[:2])
    ]
