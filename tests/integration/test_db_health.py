"""A connection the database dropped while it sat idle never reaches a request."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from webapp.db_health import ping_idle_connections


def test_a_connection_killed_while_idle_is_replaced_before_use(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL to terminate a backend")
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    ping_idle_connections(engine, idle_seconds=0)
    admin = create_engine(database_url)
    try:
        with engine.connect() as conn:
            victim = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as other:  # what a database restart does to pooled connections
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != victim
    finally:
        engine.dispose()
        admin.dispose()
