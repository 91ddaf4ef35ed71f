"""Give every job an app context, whichever process runs it."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, has_app_context

_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The app a bare `rq worker` process uses, built from the environment on first use."""
    global _worker_app
    if _worker_app is None:
        from webapp import create_app

        _worker_app = create_app()
    return _worker_app


def in_app_context(func: Callable) -> Callable:
    """Run the job inside the caller's app context, or the worker's own app."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
            return func(*args, **kwargs)

    return wrapper
