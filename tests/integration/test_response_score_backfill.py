"""Upgrading to migration 0013 gives the responses already stored their scores, in batches,
on SQLite and PostgreSQL; the dashboard then shows what it showed before the upgrade."""

from __future__ import annotations

import os
from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import MetaData, Table, create_engine, func, insert, inspect, select, text

from webapp import create_app
from webapp.extensions import db
from webapp.models import Form, FormVersion, Response, ResponseScore, utcnow
from webapp.services.dashboard import feedback_overview
from webapp.services.forms import BUILTIN_DIR, forget_definitions

# Two batches and then some: 2,050 responses (the migration reads 2,000 at a time).
ANSWERS = [
    *({"score": 10, "testimonial": "no"} for _ in range(1000)),
    *({"score": "3", "what_went_wrong": "Slow"} for _ in range(600)),
    *({"score": 8} for _ in range(400)),
    *({"score": 11} for _ in range(20)),  # off the scale: kept out
    *({} for _ in range(30)),  # nothing answered yet
]


def _upgrade_with_old_responses(url: str, tmp_path) -> None:
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade(revision="0012")
        now = utcnow()
        with db.engine.begin() as connection:
            form_id = connection.execute(
                insert(Form.__table__).values(slug="nps").returning(Form.__table__.c.id)
            ).scalar_one()
            version_id = connection.execute(
                insert(FormVersion.__table__)
                .values(
                    form_id=form_id,
                    number=1,
                    active=True,
                    yaml_text=(BUILTIN_DIR / "nps.yaml").read_text(encoding="utf-8"),
                )
                .returning(FormVersion.__table__.c.id)
            ).scalar_one()
            # The responses' table as it was at 0012 (the model's has columns added since).
            responses = Table(Response.__tablename__, MetaData(), autoload_with=connection)
            connection.execute(
                insert(responses),
                [
                    {
                        "token": f"t{n}",
                        "form_id": form_id,
                        "form_version_id": version_id,
                        "locale": "en",
                        "channel": "web",
                        "answers": answers,
                        "hidden": {},
                        "meta": {},
                        "started_at": now - timedelta(days=1),
                        "updated_at": now - timedelta(days=1),
                        "completed_at": now - timedelta(days=1) if n % 100 else None,
                    }
                    for n, answers in enumerate(ANSWERS)
                ],
            )
        flask_migrate.upgrade()
        forget_definitions()
        assert db.session.scalar(select(func.count()).select_from(ResponseScore)) == 3000
        insight = next(i for i in feedback_overview("en", utcnow()) if i.slug == "nps")
        # Every 100th response (n = 0, 100, …) is unfinished: 10 of the 1,000 promoters,
        # 6 of the 600 detractors, 4 of the 400 passives.
        assert insight.score.categories == {"detractor": 594, "passive": 396, "promoter": 990}
        assert insight.score.nps == round(100 * (990 - 594) / 1980)
        db.session.remove()  # the downgrade needs the tables the session read
        flask_migrate.downgrade(revision="0012")
        assert "response_score" not in inspect(db.engine).get_table_names()
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("form_response")}
        assert "ix_form_response_completed_at" not in indexes
        db.engine.dispose()
        forget_definitions()


def test_backfill_on_sqlite(tmp_path):
    _upgrade_with_old_responses(f"sqlite:///{tmp_path / 'old.db'}", tmp_path)


def test_backfill_on_postgresql(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    name = f"loopdesk_backfill_{os.getpid()}"
    admin = create_engine(db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        url = db.engine.url.set(database=name).render_as_string(False)
        _upgrade_with_old_responses(url, tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
