"""Where jobs go: an RQ queue on Redis, or straight into this process.

Jobs take ids, never ORM objects, so the same function runs identically in
an RQ worker (another process, maybe another machine) and in-process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from redis import Redis
from rq import Queue, Retry

log = logging.getLogger(__name__)

# Back-off between attempts: 10 s, 1 min, 5 min, 15 min, 1 h.
DEFAULT_RETRY_INTERVALS = [10, 60, 300, 900, 3600]


def retry_intervals() -> list[int]:
    """Seconds between attempts; `JOB_RETRY_INTERVALS` overrides (tests use zeros)."""
    return list(current_app.config.get("JOB_RETRY_INTERVALS") or DEFAULT_RETRY_INTERVALS)


def max_attempts() -> int:
    """The first try plus one per retry interval."""
    return len(retry_intervals()) + 1


def redis_connection() -> Redis:
    """The app's Redis connection, made once per app."""
    connection = current_app.extensions.get("loopdesk_redis")
    if connection is None:
        connection = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        current_app.extensions["loopdesk_redis"] = connection
    return connection


def get_queue() -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=redis_connection())


def enqueue(func: Callable, *args, job_id: str | None = None, retries: bool = True):
    """Run `func(*args)` as a job: on RQ when configured, otherwise now, in-process.

    In-process, a failing job is logged and not raised: the caller's work is
    already committed and the job's own bookkeeping (e.g. the outbox status)
    records the failure for a later retry.
    """
    if current_app.config.get("REDIS_URL"):
        intervals = retry_intervals()
        retry = Retry(max=len(intervals), interval=intervals)
        return get_queue().enqueue(func, *args, job_id=job_id, retry=retry if retries else None)
    _run_in_process(func, args)
    return None


def enqueue_many(func: Callable, arg_lists: list[tuple]) -> None:
    """Run `func(*args)` once per entry: on RQ in one Redis round trip, else now, in-process.

    On RQ the jobs are queued together or not at all (one pipeline), so a caller whose
    queue is down can put all of its work back for a later relay.
    """
    if not arg_lists:
        return
    if current_app.config.get("REDIS_URL"):
        intervals = retry_intervals()
        retry = Retry(max=len(intervals), interval=intervals)
        get_queue().enqueue_many(  # one pipeline, executed once
            [Queue.prepare_data(func, args=args, retry=retry) for args in arg_lists]
        )
        return
    for args in arg_lists:
        _run_in_process(func, args)


def _run_in_process(func: Callable, args: tuple) -> None:
    try:
        func(*args)
    except Exception:
        log.exception("in-process job %s failed", getattr(func, "__name__", func))
