"""When a state's timers are due: plain arithmetic over wall-clock time in the state.

A ticket keeps when its timers started counting (entering the state, or the customer's
last reply), how many of the state's timers have fired, and when the next one is due.
Timers are listed in increasing `after`, each measured from the same start, so firing
one never delays the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from workflow.definition import StateTimer
from workflow.durations import wall_clock


def timer_due_at(timers: Sequence[StateTimer], since: datetime, fired: int) -> datetime | None:
    """When the next timer is due, counting from `since`; None when all of them fired."""
    if fired < 0 or fired >= len(timers):
        return None
    return since + wall_clock(timers[fired].after)


def timers_since(timers: Sequence[StateTimer], due_at: datetime, fired: int) -> datetime:
    """The moment timers counted from, read back from the next timer's due time."""
    return due_at - wall_clock(timers[fired].after)


def due_timers(
    timers: Sequence[StateTimer], since: datetime, fired: int, now: datetime
) -> list[int]:
    """The indexes of the timers due at `now` that have not fired yet, in order."""
    return [
        index
        for index in range(max(fired, 0), len(timers))
        if since + wall_clock(timers[index].after) <= now
    ]
