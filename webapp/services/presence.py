"""Who else has a ticket open right now, and whether they are writing to the customer.

Two agents answering one customer differently is the classic help-desk collision. The open
ticket page (and the board's drawer) already polls every LIVE_REFRESH_SECONDS; each poll
says "I am here", and "I am writing a reply" while the reply box holds a draft, and hears
who else is. Someone counts as present for three polls after their last one.

Kept in Redis when the app has it (a hash per ticket, gone a minute after the last poll,
and one hash of everyone on any ticket, which the board reads in one command to mark its
cards), so every web worker sees the same; else in this process's memory (`make run` is
one process). Presence is a courtesy: if Redis fails, the page just shows nobody.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

KEY = "loopdesk:presence:{ticket_id}"
EVERYONE_KEY = "loopdesk:presence:all"  # "<ticket id>:<user id>" -> "<moment>|<replying>"
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
        value = f"{moment:.0f}|{int(replying)}"
        pipe.hset(key, str(user_id), value)
        pipe.expire(key, KEY_LIFETIME)
        pipe.hset(EVERYONE_KEY, f"{ticket_id}:{user_id}", value)
        pipe.expire(EVERYONE_KEY, KEY_LIFETIME)
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


def on_tickets(viewer_id: int, now: datetime) -> dict[int, list[Present]]:
    """Everyone but `viewer_id` present on any ticket now, by ticket id (the board's cards):
    one Redis command, or a look at this process's memory."""
    oldest = now.timestamp() - _window()
    if current_app.config.get("REDIS_URL"):
        pairs = _everyone_in_redis(now.timestamp())
    else:
        with _memory_lock:
            pairs = [
                (ticket_id, user_id, at, replying)
                for ticket_id, on_ticket in _memory.items()
                for user_id, (at, replying) in on_ticket.items()
            ]
    found: dict[int, list[Present]] = {}
    for ticket_id, user_id, at, replying in sorted(pairs):
        if user_id != viewer_id and at >= oldest:
            found.setdefault(ticket_id, []).append(Present(user_id, replying))
    return found


def board_fingerprint(found: dict[int, list[Present]]) -> str:
    """`fingerprint` over every ticket: part of the board poll's ETag."""
    said = ";".join(f"{ticket_id}={fingerprint(found[ticket_id])}" for ticket_id in sorted(found))
    return hashlib.sha256(said.encode()).hexdigest()[:8] if said else ""


def _everyone_in_redis(moment: float) -> list[tuple[int, int, float, bool]]:
    from jobs.queue import redis_connection

    try:
        connection = redis_connection()
        raw = connection.hgetall(EVERYONE_KEY)
    except Exception:  # noqa: BLE001 (any Redis failure: the board shows nobody)
        current_app.logger.warning("presence: Redis unavailable", exc_info=True)
        return []
    pairs, gone = [], []
    for field, value in raw.items():
        try:
            ticket_id, user_id = (int(part) for part in field.decode().split(":"))
            at, flag = value.decode().split("|")
        except ValueError:
            gone.append(field)
            continue
        if float(at) < moment - KEY_LIFETIME:
            gone.append(field)  # left long ago: the hash stays as small as who is here
        else:
            pairs.append((ticket_id, user_id, float(at), flag == "1"))
    if gone:
        try:
            connection.hdel(EVERYONE_KEY, *gone)
        except Exception:  # noqa: BLE001
            current_app.logger.warning("presence: Redis unavailable", exc_info=True)
    return pairs


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
