"""The Responses CSV download of a form with many responses: time and peak memory.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch \
    BENCH_RESPONSES=50000 .venv/bin/python bench/form_responses_csv.py

The database's public schema is reset: use a scratch database. Without BENCH_DATABASE_URL a
SQLite file in a temporary directory is used. The download goes through the Flask test
client as an admin, the body read chunk by chunk as a browser would. Time is measured on
one run, the peak of Python allocations (tracemalloc) on another (tracing slows it down).
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine_speed import describe_machine  # noqa: E402
from bench.scratch_database import scratch_database_url  # noqa: E402

RESPONSES = int(os.environ.get("BENCH_RESPONSES", "50000"))
INSERT_BATCH = 5000


def fill(app) -> None:
    """The built-in forms, an admin, and RESPONSES answers to the NPS form."""
    import flask_migrate
    from sqlalchemy import insert, select

    from webapp.extensions import db
    from webapp.models import Form, FormVersion, Response, Role, User, utcnow
    from webapp.services.forms import install_builtin_forms

    flask_migrate.upgrade()
    install_builtin_forms()
    admin = User(email="admin@bench.test", name="Admin", role=Role.ADMIN, locale="pl")
    admin.set_password("bench-password-1")
    db.session.add(admin)
    db.session.commit()
    form_id, version_id = db.session.execute(
        select(Form.id, FormVersion.id)
        .join(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.slug == "nps")
    ).one()
    start = utcnow() - timedelta(days=30)
    for first in range(0, RESPONSES, INSERT_BATCH):
        rows = []
        for n in range(first, min(first + INSERT_BATCH, RESPONSES)):
            score = n % 11
            answers = {"score": score}
            if score <= 6:
                answers["what_went_wrong"] = f"Delivery {n} was late, the courier never called."
            elif score >= 9:
                answers["testimonial"] = "yes" if n % 2 else "no"
            started = start + timedelta(seconds=n * 30)
            rows.append(
                {
                    "form_id": form_id,
                    "form_version_id": version_id,
                    "locale": ("en", "pl", "ru", "sl")[n % 4],
                    "answers": answers,
                    "hidden": {},
                    "meta": {"page_url": "https://shop.example/checkout", "country": "PL"},
                    "started_at": started,
                    "updated_at": started,
                    "completed_at": started + timedelta(minutes=1),
                }
            )
        db.session.execute(insert(Response), rows)
        db.session.commit()


def download(app) -> tuple[int, int]:
    """Log in as the admin and read the CSV; returns (bytes, rows)."""
    client = app.test_client()
    login = client.post(
        "/login", data={"email": "admin@bench.test", "password": "bench-password-1"}
    )
    assert login.status_code in (302, 303), login.status_code
    reply = client.get("/admin/forms/nps/responses.csv", buffered=False)
    assert reply.status_code == 200, reply.status_code
    size = lines = 0
    for chunk in reply.response:
        chunk = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(chunk)
        lines += chunk.count(b"\n")
    reply.close()
    return size, lines - 1


def main() -> None:
    from webapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_database_url(tmp)
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
            }
        )
        app.instance_path = tmp
        started = time.perf_counter()
        with app.app_context():
            fill(app)
        print(f"{describe_machine()}")
        print(f"database: {url.split(':', 1)[0]}; {RESPONSES} responses to the NPS form")
        print(f"filled in {time.perf_counter() - started:.1f} s")

        download(app)  # warm: definitions parsed, catalogs loaded
        started = time.perf_counter()
        size, rows = download(app)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        download(app)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"CSV: {rows} rows, {size / 1e6:.1f} MB")
        print(f"time: {elapsed:.2f} s ({elapsed / max(rows, 1) * 1e6:.0f} µs per row)")
        print(f"peak Python memory while downloading: {peak / 1e6:.1f} MB")
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()


if __name__ == "__main__":
    main()
