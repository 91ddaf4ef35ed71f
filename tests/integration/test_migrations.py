"""Migrations build the whole schema from nothing, and match the models exactly."""

import warnings

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from webapp import create_app
from webapp.extensions import db


def _fresh_app(tmp_path, url):
    return create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def test_upgrade_an_empty_sqlite_database_to_head_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = _fresh_app(tmp_path, url)
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "team", "team_membership", "outbox_message"} <= tables
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """The migrated test database has exactly the schema the models declare."""
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (lower(name)); PostgreSQL compares them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrated_database_is_at_head(app):
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_fresh_postgres_schema_upgrades(app, tmp_path):
    """On PostgreSQL, upgrade a brand-new database too (not just the shared test one)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    admin_url = db.engine.url.set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS loopdesk_migration_test"))
        conn.execute(text("CREATE DATABASE loopdesk_migration_test"))
    try:
        url = db.engine.url.set(database="loopdesk_migration_test").render_as_string(False)
        fresh = _fresh_app(tmp_path, url)
        with fresh.app_context():
            flask_migrate.upgrade()
            assert "outbox_message" in inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS loopdesk_migration_test"))
        admin.dispose()


def test_responses_of_spam_and_of_blocked_senders_are_flagged_on_upgrade(app, builtin_forms):
    """0026 flags what was already spam, so reports change at once for it."""
    from tests.helpers import completed_response, make_ticket
    from webapp.models import Response, utcnow

    junk, real = make_ticket(subject="Cheap watches"), make_ticket()
    junk.spam_at = utcnow()
    for _ in range(3):
        completed_response("nps", {"score": 2})
    first, second, blocked = db.session.scalars(db.select(Response).order_by(Response.id))
    first.ticket_id, second.ticket_id = junk.id, real.id
    blocked.meta = {"blocked_sender": True}
    db.session.commit()
    try:
        flask_migrate.downgrade(revision="0025")
    finally:
        flask_migrate.upgrade()
    db.session.expire_all()
    flags = db.session.execute(
        db.select(Response.ticket_id, Response.spam).order_by(Response.id)
    ).all()
    assert flags == [(junk.id, True), (real.id, False), (None, True)]


def test_tickets_get_their_customer_id_from_their_responses_on_upgrade(app, builtin_forms):
    """0032 fills ticket.customer_ref from the response that opened each ticket: verified
    where the form signs customer_id, not where it does not; nothing for an erased one."""
    import yaml

    from tests.helpers import completed_response, make_ticket
    from webapp.models import Response, utcnow
    from webapp.services.forms import publish_form

    unsigned_form = {
        "slug": "ask",
        "title": {"en": "Ask"},
        "languages": ["en"],
        "default_language": "en",
        "hidden_fields": [{"name": "customer_id"}],
        "questions": [{"id": "question", "type": "short_text", "text": {"en": "Your question?"}}],
    }
    publish_form("ask", yaml.safe_dump(unsigned_form))
    signed, unsigned, erased, without = (make_ticket() for _ in range(4))
    erased.customer_erased_at = utcnow()
    completed_response("nps", {"score": 2})
    completed_response("ask", {"question": "Where is my order?"})
    completed_response("nps", {"score": 2})
    completed_response("nps", {"score": 2})
    responses = db.session.scalars(db.select(Response).order_by(Response.id)).all()
    for response, ticket, hidden in zip(
        responses,
        (signed, unsigned, erased, without),
        ({"customer_id": "C-1"}, {"customer_id": "C-2"}, {"customer_id": "C-3"}, {"order": "7"}),
        strict=True,
    ):
        response.ticket_id, response.hidden = ticket.id, hidden
    db.session.commit()
    try:
        flask_migrate.downgrade(revision="0031")
        columns = {c["name"] for c in inspect(db.engine).get_columns("ticket")}
        assert "customer_ref" not in columns
    finally:
        flask_migrate.upgrade()
    db.session.expire_all()
    rows = db.session.execute(
        text("SELECT customer_ref, customer_ref_verified FROM ticket ORDER BY id")
    ).all()
    assert [(ref, bool(verified)) for ref, verified in rows] == [
        ("C-1", True),
        ("C-2", False),
        (None, False),
        (None, False),
    ]
