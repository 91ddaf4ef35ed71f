"""Ids and numbers from URLs and forms: only values an INTEGER column can hold.

Werkzeug's `int` converter and `str.isdigit()` accept any length of digits (and
`isdigit()` even "²"). Handed to PostgreSQL, `99999999999` fails the query with
"integer out of range"; SQLite cannot even bind it. Every id a browser sends goes
through here, so a made-up id is "not found", never a server error.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column


def record_id(value: object) -> int:
    """A positive id that fits the database; ValueError otherwise.

    Usable as `request.args.get("before", type=record_id)`, which then gives None.
    """
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        raise ValueError(f"not an id: {text[:20]!r}")
    number = int(text)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not an id: {number}")
    return number


def optional_id(value: object) -> int | None:
    """`record_id`, or None for anything that is not one (blank, text, out of range)."""
    if value is None:
        return None
    try:
        return record_id(value)
    except ValueError:
        return None


def record_ids(values: list[str]) -> list[int] | None:
    """Ids from a repeated field (blanks skipped); None when one of them is not an id."""
    ids = [optional_id(v) for v in values if str(v).strip()]
    return None if None in ids else ids  # type: ignore[return-value]


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: a number past MAX_ID does not match, so the answer is 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's parameter name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
