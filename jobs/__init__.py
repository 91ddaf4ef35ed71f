"""Background jobs: `enqueue` runs them on RQ when REDIS_URL is set, in-process otherwise."""

from jobs.queue import enqueue, enqueue_many, get_queue, redis_connection

__all__ = ["enqueue", "enqueue_many", "get_queue", "redis_connection"]
