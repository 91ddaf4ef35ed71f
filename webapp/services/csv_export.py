"""CSV files made to be streamed: a header, then rows a batch of records at a time.

Every cell is text: a value a customer typed that starts like a formula ("=HYPERLINK(…")
is prefixed with an apostrophe, so a spreadsheet shows it instead of running it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from webapp.extensions import db

BATCH = 500  # records per query and per chunk sent: memory stays flat however many


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")


def cell(value: Any) -> str:
    """The value as CSV text; a number stays a number ("-33", "+100", "-2.5"): a spreadsheet
    runs no formula from it, and an apostrophe would make NPS columns text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def moment(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


class CsvChunks:
    """Rows written here come out as one text chunk per `take()`."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._buffer.write("\ufeff")  # a byte-order mark: Excel then reads the file as UTF-8

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([cell(v) for v in values])

    def take(self) -> str:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def in_batches(query, id_column, *, newest_first: bool = False) -> Iterator[list]:
    """The query's records `BATCH` at a time, keyset-paged on `id_column` (an index range
    per batch, never a growing OFFSET)."""
    order = id_column.desc() if newest_first else id_column
    last = None
    while True:
        page = query.order_by(order)
        if last is not None:
            page = page.where(id_column < last if newest_first else id_column > last)
        batch = db.session.scalars(page.limit(BATCH)).unique().all()
        if batch:
            yield batch
        if len(batch) < BATCH:
            return
        last = batch[-1].id
