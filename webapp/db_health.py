"""Detect dead database connections without a round trip on every request.

`pool_pre_ping` pings each connection at every checkout: about half a millisecond on
each public form step, for a failure that only happens after the database restarted or
a firewall dropped an idle connection. We ping only connections that sat idle in the
pool for a while; a busy connection was proven alive moments ago. A failed ping raises
`DisconnectionError`, which makes the pool discard the connection and retry with a
fresh one (SQLAlchemy's documented pessimistic-disconnect recipe), so the request
never sees the dead connection.
"""

from __future__ import annotations

import contextlib
import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_SECONDS_BEFORE_PING = 10.0


def ping_idle_connections(engine: Engine, idle_seconds: float = IDLE_SECONDS_BEFORE_PING) -> None:
    pool = engine.pool

    @event.listens_for(pool, "checkin")
    def _remember_when_idle(dbapi_connection, record) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle_long(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        except Exception as error:  # the driver's own error type varies
            raise exc.DisconnectionError("idle connection is gone") from error
        finally:
            with contextlib.suppress(Exception):  # a dead connection's cursor may not close
                cursor.close()
