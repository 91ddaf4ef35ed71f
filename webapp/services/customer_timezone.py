"""The customer's time zone, as their browser names it (`Europe/Warsaw`), so the times we
write to them (the first reply's due time in the confirmation, the status page) are theirs.

The conversation page, the widget and the status page's reply box send it in a hidden
field app.js fills; without JavaScript it is never sent and times stay in UTC, named.
The response keeps it in its metadata, and its ticket in `facts["metadata"]`, beside the
other facts about the customer (routing conditions may read it as `metadata.timezone`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from webapp.models import Response, Ticket

FIELD = "timezone"  # the hidden field's name, and the metadata key
_LONGEST = 64  # IANA names are at most about 30 characters


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def known_timezone(value: Any) -> str | None:
    """The IANA zone name when zoneinfo knows it; None for anything else (never an error)."""
    if not isinstance(value, str) or not value or len(value) > _LONGEST:
        return None
    return value if value in _known_zones() else None


def note_response_timezone(response: Response, value: Any) -> None:
    """Keep the browser's zone on the response (unknown names are ignored)."""
    zone = known_timezone(value)
    if zone and (response.meta or {}).get(FIELD) != zone:
        response.meta = {**(response.meta or {}), FIELD: zone}


def response_timezone(response: Response) -> dict[str, str]:
    """`{"timezone": zone}` for a ticket's metadata when the browser told us one, else {}.
    Merged after the form's hidden fields: what the browser says wins over a link's value."""
    zone = known_timezone((response.meta or {}).get(FIELD))
    return {FIELD: zone} if zone else {}


def customer_timezone(ticket: Ticket | None) -> str | None:
    """The zone the customer's browser is in, when we know it."""
    metadata = ((getattr(ticket, "facts", None) or {}).get("metadata")) or {}
    return known_timezone(metadata.get(FIELD)) if isinstance(metadata, dict) else None


def note_ticket_timezone(ticket: Ticket, value: Any) -> None:
    """The customer wrote back from the status page: keep their browser's zone (it may have
    travelled, or the ticket came without one)."""
    zone = known_timezone(value)
    if zone is None or zone == customer_timezone(ticket):
        return
    facts = dict(ticket.facts or {})
    facts["metadata"] = {**(facts.get("metadata") or {}), FIELD: zone}
    ticket.facts = facts
