"""Background jobs: `enqueue` runs them on RQ when REDIS_URL is set, in-process otherwise."""

from jobs.queue import enqueue, get_queue, redis_connection

__all__ = ["enqueue", "get_queue", "redis_connection"]
