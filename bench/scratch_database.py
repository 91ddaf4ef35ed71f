"""The database a bench fills: BENCH_DATABASE_URL with its public schema reset, or a SQLite
file in a temporary directory."""

from __future__ import annotations

import os


def scratch_database_url(tmp: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp}/bench.db"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url
