"""Who else has a ticket open right now, and whether they are writing to the customer.

Two agents answering one customer differently is the classic help-desk collision. The open
ticket page (and the board's drawer) already polls every LIVE_REFRESH_SECONDS; each poll
says "I am here", and "I am writing a reply" while the reply box holds a draft, and hears
who else is. Someone counts as present for three polls after their last one.

Kept in Redis when the app has it (a hash per ticket, gone a minute after the last poll),
so every web worker sees the same; else in this process's memory (`make run` is one
process). Presence is a courtesy: if Redis fails, the page just shows nobody.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

KEY = "loopdesk:presence:{ticket_id}"
KEY_LIFETIME = 60  # seconds: a ticket nobody polls leaves nothing behind

_memory: dict[int, dict[int, tuple[float, bool]]] = {}
_memory_lock = threading.Lock()


@dataclass(frozen=True)
class Present:
    user_id: int
    replying: bool


def _window() -> float:
    return 3 * max(float(current_app.config.get("LIVE_REFRESH_SECONDS", 5)), 5.0)


def here(ticket_id: int, user_id: int, replying: bool, now: datetime) -> list[Present]:
    """Note `user_id` on the ticket now; the others present, by user id."""
    moment = now.timestamp()
    if current_app.config.get("REDIS_URL"):
        seen = _in_redis(ticket_id, user_id, replying, moment)
    else:
        seen = _in_memory(ticket_id, user_id, replying, moment)
    oldest = moment - _window()
    return sorted(
        (
            Present(other, was_replying)
            for other, (at, was_replying) in seen.items()
            if other != user_id and at >= oldest
        ),
        key=lambda present: present.user_id,
    )


def fingerprint(others: list[Present]) -> str:
    """A short tag of who is there and doing what: part of the live poll's ETag, so the
    page hears when a colleague arrives, leaves or starts writing."""
    said = ",".join(f"{p.user_id}:{int(p.replying)}" for p in others)
    return hashlib.sha256(said.encode()).hexdigest()[:8] if said else ""


def _in_redis(ticket_id: int, user_id: int, replying: bool, moment: float) -> dict:
    from jobs.queue import redis_connection

    key = KEY.format(ticket_id=ticket_id)
    try:
        pipe = redis_connection().pipeline()
        pipe.hset(key, str(user_id), f"{moment:.0f}|{int(replying)}")
        pipe.expire(key, KEY_LIFETIME)
        pipe.hgetall(key)
        raw = pipe.execute()[-1]
    except Exception:  # noqa: BLE001 (any Redis failure: the page shows nobody)
        current_app.logger.warning("presence: Redis unavailable", exc_info=True)
        return {}
    seen = {}
    for field, value in raw.items():
        try:
            at, flag = value.decode().split("|")
            seen[int(field)] = (float(at), flag == "1")
        except ValueError:
            continue
    return seen


def _in_memory(ticket_id: int, user_id: int, replying: bool, moment: float) -> dict:
    with _memory_lock:
        on_ticket = _memory.setdefault(ticket_id, {})
        on_ticket[user_id] = (moment, replying)
        oldest = moment - KEY_LIFETIME
        for gone in [u for u, (at, _replying) in on_ticket.items() if at < oldest]:
            del on_ticket[gone]
        return dict(on_ticket)


def forget() -> None:
    """Forget everyone held in memory (tests that reuse ticket ids after emptying tables)."""
    with _memory_lock:
        _memory.clear()
