"""Shared fixtures: a migrated database (PostgreSQL or SQLite), the app, clients and people.

Set TEST_DATABASE_URL / TEST_REDIS_URL to run against real PostgreSQL and Redis
(`.ci/run` does); otherwise a SQLite file and in-process jobs are used.
"""

from __future__ import annotations

import contextvars
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import Engine

from tests.demo_snapshot import seed_or_restore_demo
from tests.helpers import PASSWORD, TEST_REDIS_URL, XDIST_WORKER, csrf_token
from webapp import create_app
from webapp.extensions import db
from webapp.models import Form, FormVersion, Role, Team, User
from webapp.services.forms import forget_definitions
from webapp.services.presence import forget as forget_presence
from webapp.services.workflow_versions import forget_compiled

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _share_url_builders() -> None:
    """Compile each route's URL builder once per test process, not once per test's app.

    Every test builds a new app, and werkzeug generates and compiles Python source for two
    URL builders of each of its ~170 routes: nine tenths of `create_app`'s time, about
    0.1 s per test. A builder's code follows from the route's parsed pattern, the defaults
    it resolves ahead and whether it appends unknown arguments; that is the key here. The
    function is bound to each app's own rule, so it reads that rule's converters.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    built: dict = {}

    def shared_builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        resolved = tuple(
            (data, self._converters[data].to_url(defaults[data]))
            for dynamic, data in self._trace
            if dynamic and data in defaults
        )
        key = (self.rule, tuple(self._trace), tuple(defaults), resolved, append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared_builder


_share_url_builders()


def _sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist, a database of its own per worker ("test_gw1"), created on demand."""
    if not XDIST_WORKER:
        return url
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        name = f"{conn.execute(text('SELECT current_database()')).scalar()}_{XDIST_WORKER}"
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.scalar() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return engine.url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return _database_of_this_worker(_sqlalchemy_url(TEST_DATABASE_URL))
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "loopdesk-test.db")


def base_config(database_url: str, instance_path: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "RQ_QUEUE": "loopdesk-test",
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL or "memory://",
        "MAIL_SERVER": None,
        "LOOPDESK_BASE_URL": "http://loopdesk.test",
        "SERVER_NAME": None,
        # One round instead of scrypt's work factor: hashing took a fifth of the suite's time.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "SQLALCHEMY_ENGINE_OPTIONS": _commits_without_waiting_for_the_disk(database_url),
    }


def _commits_without_waiting_for_the_disk(database_url: str) -> dict:
    """Engine options under which a commit does not wait for the disk to flush.

    A test commits a dozen times, and each commit waited for an fsync (9 ms on PostgreSQL,
    18 ms on SQLite's file on a busy CI disk). What a commit makes visible to other
    connections, and when, is unchanged; only a crash of the machine could lose the last
    commits, and a test database is thrown away anyway.
    """
    if database_url.startswith("postgresql"):
        return {"connect_args": {"options": "-c synchronous_commit=off"}}
    return {}


@event.listens_for(Engine, "connect")
def _sqlite_commits_without_fsync(dbapi_connection, _record) -> None:
    """SQLite's share of `_commits_without_waiting_for_the_disk`, set on each connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture(scope="session")
def _migrated_database(database_url: str, tmp_path_factory) -> str:
    """Reset the test database once per session and migrate it to head."""
    import flask_migrate

    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(base_config(database_url, str(tmp_path_factory.mktemp("instance"))))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    """Delete every row and restart the ids, as a new installation has them.

    On PostgreSQL, DELETE on tables this small takes a tenth of TRUNCATE's time (which
    cost 70 ms twice per test), and all of them go in one round trip, not one per table;
    then only the sequences that moved are restarted.
    """
    tables = list(reversed(db.metadata.sorted_tables))  # children before their parents
    if db.engine.dialect.name != "postgresql":
        for table in tables:
            db.session.execute(table.delete())
        db.session.commit()
        return
    quote = db.engine.dialect.identifier_preparer.format_table
    connection = db.session.connection()
    connection.exec_driver_sql("; ".join(f"DELETE FROM {quote(table)}" for table in tables))
    moved = connection.exec_driver_sql(
        "SELECT quote_ident(sequencename) FROM pg_sequences"
        " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    ).scalars()
    restarts = [f"ALTER SEQUENCE {sequence} RESTART" for sequence in moved]
    if restarts:
        connection.exec_driver_sql("; ".join(restarts))
    db.session.commit()


@pytest.fixture
def app_config() -> dict:
    """Per-test config overrides; override this fixture in a module to change settings."""
    return {}


@pytest.fixture
def app(_migrated_database: str, app_config: dict, tmp_path) -> Iterator[Flask]:
    config = {**base_config(_migrated_database, str(tmp_path)), **app_config}
    os.environ["LOOPDESK_INSTANCE_PATH"] = str(tmp_path / "instance")
    app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    forget_compiled()  # ids restart after the tables are emptied: cached versions are stale
    forget_definitions()
    forget_presence()  # who had a ticket open: ticket ids restart too
    if app.config.get("REDIS_URL"):
        from jobs import redis_connection

        with app.app_context():
            redis_connection().flushdb()
    with app.app_context():
        _empty_all_tables()  # here, not after the test: the next test empties them anyway
        yield app
        db.session.remove()
        db.engine.dispose()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept across the suite's apps: each test builds a new app, and
    recompiling every template it renders took a tenth of the suite's time."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Without this, requests would reuse the test's app context and share its
    `g` (cached locale) and database session, hiding real bugs. A streamed body is read
    inside that context too, as a server does before the next request.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def post_form(app: Flask, client: FlaskClient) -> Callable:
    """POST a form the way a browser does, with the page's CSRF token."""

    def post(url: str, data: dict | None = None, htmx: bool = False, **kwargs):
        data = dict(data or {})
        headers = dict(kwargs.pop("headers", {}))
        token = csrf_token(app, client)
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": token})
        else:
            data.setdefault("csrf_token", token)
        return client.post(url, data=data, headers=headers, **kwargs)

    return post


@pytest.fixture
def demo_data(app: Flask) -> None:
    """The demo data, as `flask seed-demo` loads it into an empty database: seeded once per
    test process, copied for later tests (tests/demo_snapshot.py). Ask for it before any
    fixture that adds rows."""
    seed_or_restore_demo(app)


@pytest.fixture
def create_user(app: Flask) -> Callable[..., User]:
    def create(
        email: str = "agent@example.com",
        name: str = "Ada Agent",
        role: Role = Role.AGENT,
        locale: str = "en",
        timezone: str = "Europe/Warsaw",
        languages: list[str] | None = None,
        password: str = PASSWORD,
        active: bool = True,
        working_hours: dict | None = None,
    ) -> User:
        user = User(
            email=email,
            name=name,
            role=role,
            locale=locale,
            timezone=timezone,
            languages=languages or [locale],
            active=active,
            # No hours: always on duty, so routing and staff e-mails do not depend on the
            # time of day the tests run; tests about working hours pass their own.
            working_hours=working_hours or {},
        )
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return create


@pytest.fixture
def agent(create_user) -> User:
    return create_user()


@pytest.fixture
def admin(create_user) -> User:
    return create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)


@pytest.fixture
def team(app: Flask) -> Team:
    team = Team(slug="care", name="Customer Care")
    db.session.add(team)
    db.session.commit()
    return team


@pytest.fixture
def login(post_form) -> Callable:
    def do_login(user: User, password: str = PASSWORD, **kwargs):
        return post_form("/login", {"email": user.email, "password": password}, **kwargs)

    return do_login


@pytest.fixture
def run_jobs(app: Flask) -> Callable[[], int]:
    """Run queued jobs to completion: a real RQ worker in burst mode, or nothing in-process."""

    def run() -> int:
        if not app.config.get("REDIS_URL"):
            return 0
        from rq import SimpleWorker

        from jobs import get_queue, redis_connection

        worker = SimpleWorker([get_queue()], connection=redis_connection())
        worker.work(burst=True)
        return worker.successful_job_count

    return run


class RecordingSMTPHandler:
    """aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse = 0  # refuse this many deliveries with a temporary error first

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        if self.refuse > 0:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def running_smtp_server(handler: RecordingSMTPHandler) -> Iterator[RecordingSMTPHandler]:
    """Serve `handler` as a real SMTP server on a free local port (its `.port`)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[RecordingSMTPHandler]:
    """A real SMTP server on a free local port; `.messages` holds what arrived."""
    with running_smtp_server(RecordingSMTPHandler()) as handler:
        yield handler


@pytest.fixture
def smtp_config(smtp_server) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


@pytest.fixture
def one_minute(monkeypatch):
    """Pages that poll (a ticket, the board) change their tag every minute, for their SLA
    times: a test whose page and poll fell either side of a minute got a 200 where it
    expected a 304. Here every tag is taken in one fixed minute."""
    from webapp.board import views as board_views
    from webapp.services.board import change_fingerprint
    from webapp.services.ticket_changes import change_tag
    from webapp.tickets import live_views, workspace

    minute = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def ticket_tag(ticket_id, mark, locale, now, *rest):
        return change_tag(ticket_id, mark, locale, minute, *rest)

    def board_tag(filters, locale, now, *rest):
        return change_fingerprint(filters, locale, minute, *rest)

    monkeypatch.setattr(workspace, "change_tag", ticket_tag)
    monkeypatch.setattr(live_views, "change_tag", ticket_tag)
    monkeypatch.setattr(board_views, "change_fingerprint", board_tag)


@pytest.fixture
def count_queries(app):
    """Count SQL statements run while the returned context manager is open."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def builtin_forms(app, create_user):
    """The shipped forms, the two teams the default routing names, and one agent on duty."""
    from webapp.models import TeamMembership

    care = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([care, Team(slug="product-quality", name="Product Quality")])
    agent = create_user(email="ola@example.com", name="Ola", languages=["pl", "ru", "en"])
    agent.working_hours = {}
    db.session.add(TeamMembership(team=care, user=agent))
    _install_builtin_forms()
    db.session.commit()
    return agent


# The rows `install_builtin_forms` wrote into a database without forms: each form's own
# columns, and its versions'.
_SHIPPED_FORMS: list[tuple[dict, list[dict]]] | None = None


def _install_builtin_forms() -> None:
    """The shipped forms, as `install_builtin_forms` publishes them.

    Publishing validates each form and costs about ten queries a form: 0.05 s per test on
    PostgreSQL, 0.15 s on SQLite, in a few hundred tests. The first test of the process
    installs them for real and keeps the rows it wrote; later tests insert those rows again
    (two statements), with new ids, secrets and times as the real install gives them. A
    database that already has a form gets the real install, which leaves that form alone.
    """
    global _SHIPPED_FORMS
    from webapp.services.forms import install_builtin_forms

    without_forms = db.session.scalar(select(Form.id).limit(1)) is None
    if _SHIPPED_FORMS is None or not without_forms:
        install_builtin_forms()
        if _SHIPPED_FORMS is None and without_forms:
            _SHIPPED_FORMS = [
                (
                    {"slug": form.slug, "archived": form.archived},
                    [
                        {
                            "number": version.number,
                            "yaml_text": version.yaml_text,
                            "active": version.active,
                            "author_id": version.author_id,
                        }
                        for version in form.versions
                    ],
                )
                for form in db.session.scalars(select(Form).order_by(Form.id))
            ]
        return
    forms = Form.__table__
    connection = db.session.connection()
    ids = connection.scalars(
        insert(forms).returning(forms.c.id, sort_by_parameter_order=True),
        [form for form, _ in _SHIPPED_FORMS],
    ).all()
    versions = [
        {**version, "form_id": form_id}
        for form_id, (_, form_versions) in zip(ids, _SHIPPED_FORMS, strict=True)
        for version in form_versions
    ]
    connection.execute(insert(FormVersion.__table__), versions)
