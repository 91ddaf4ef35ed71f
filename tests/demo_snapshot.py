"""The demo data (`flask seed-demo`), seeded once per test process and copied back after.

Seeding the demo took about 3 s, in a dozen tests that only read it or build on it. The
first such test seeds it through the real command; its rows (and, on the Redis path, the
jobs that seeding queued) are kept in memory and written back into the emptied database
for each later test: the same rows, ids and sequences, as if that test had seeded it.

The copy is as old as the first seeding (minutes at most): tests that depend on seeding at
an exact "now" (the demo's own tests, a seed under `clock_at`) run the command themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import insert, select, text

from webapp.extensions import db


@dataclass
class DemoSnapshot:
    rows: dict[str, list[dict]] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    redis_keys: list[tuple[bytes, int, bytes]] = field(default_factory=list)


_SNAPSHOT: DemoSnapshot | None = None


def seed_or_restore_demo(app: Flask) -> None:
    """The demo data in the (emptied) test database: seeded the first time, copied after."""
    global _SNAPSHOT
    filled = [
        t.name
        for t in db.metadata.sorted_tables
        if db.session.scalar(select(1).select_from(t).limit(1))
    ]
    assert not filled, f"the demo goes into an empty database; already in it: {filled}"
    if _SNAPSHOT is None:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        _SNAPSHOT = _take(app)
    else:
        _restore(app, _SNAPSHOT)


def _take(app: Flask) -> DemoSnapshot:
    db.session.commit()
    snapshot = DemoSnapshot()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns)
        found = db.session.execute(select(table).order_by(*order)).mappings()
        snapshot.rows[table.name] = [dict(row) for row in found]
    snapshot.sequences = _sequences()
    if app.config.get("REDIS_URL"):
        from jobs import redis_connection

        redis = redis_connection()
        for key in redis.scan_iter(count=1000):
            ttl, dumped = redis.pttl(key), redis.dump(key)
            if dumped is not None:  # not expired meanwhile
                snapshot.redis_keys.append((key, max(ttl, 0), dumped))
    db.session.rollback()
    return snapshot


def _sequences() -> dict[str, int]:
    """Where each id sequence stands: PostgreSQL's sequences, SQLite's AUTOINCREMENT table."""
    if db.engine.dialect.name == "postgresql":
        found = db.session.execute(
            text(
                "SELECT quote_ident(sequencename), last_value FROM pg_sequences"
                " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )
        return {name: value for name, value in found}
    has_table = db.session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    ).scalar()
    if not has_table:
        return {}
    return {
        name: seq for name, seq in db.session.execute(text("SELECT name, seq FROM sqlite_sequence"))
    }


def _restore(app: Flask, snapshot: DemoSnapshot) -> None:
    for table in db.metadata.sorted_tables:  # parents before their children
        rows = snapshot.rows[table.name]
        if rows:
            db.session.execute(insert(table), rows)
    for name, value in snapshot.sequences.items():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"SELECT setval('{name}', {int(value)}, true)"))
        else:
            values = {"seq": value, "name": name}
            db.session.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), values)
            db.session.execute(text("INSERT INTO sqlite_sequence VALUES (:name, :seq)"), values)
    db.session.commit()
    if snapshot.redis_keys:
        from jobs import redis_connection

        pipe = redis_connection().pipeline()
        for key, ttl, dumped in snapshot.redis_keys:
            pipe.restore(key, ttl, dumped, replace=True)
        pipe.execute()
