"""Faults in the delivery path lose nothing and send nothing twice: real Redis, RQ, SMTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.helpers import require_redis
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, utcnow
from webapp.outbox import queue_email

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "JOB_RETRY_INTERVALS": [0, 0, 0]}  # retries at once, same burst


def _confirmations() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "ticket_confirmation")
        )
    )


def _submit_feedback(app, client, email: str) -> None:
    """A customer answers the NPS form to the end: a ticket and its confirmation."""
    from tests.integration.test_conversation_pages import Respondent

    customer = Respondent(client, "nps", True, lang="pl")
    for value in ("2", "Za długo czekałem", "Ewa", email):
        customer.answer(value)


def _queue_note(to: str = "kim@example.com") -> OutboxMessage:
    context = {"name": "Kim", "inviter": "Ana", "link": "http://loopdesk.test/x"}
    message = queue_email(to, "staff_invitation", "en", context)
    db.session.commit()
    return message


def test_tickets_created_while_redis_is_down_are_all_delivered_once_it_is_back(
    app, client, smtp_server, run_jobs
):
    from jobs.schedule import relay_outbox

    redis_url = require_redis()
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # Redis "stopped": nothing listens
    app.extensions.pop("loopdesk_redis", None)
    from webapp.models import Team
    from webapp.services.forms import install_builtin_forms

    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 0
    db.session.add_all([Team(slug="customer-care", name="Care")])
    install_builtin_forms()
    db.session.commit()
    for n in range(3):
        _submit_feedback(app, app.test_client(), f"c{n}@example.com")
    messages = _confirmations()
    assert len(messages) == 3
    assert {m.status for m in messages} == {OutboxStatus.PENDING}  # kept, not lost

    app.config["REDIS_URL"] = redis_url  # Redis is back; the periodic relay runs
    app.extensions.pop("loopdesk_redis", None)
    assert relay_outbox() == 3
    assert relay_outbox() == 0
    run_jobs()
    assert sorted(m["To"] for m in smtp_server.messages if m["To"].startswith("c")) == [
        "c0@example.com",
        "c1@example.com",
        "c2@example.com",
    ]


def test_smtp_refusing_is_retried_by_the_worker_and_delivered_once(app, smtp_server, run_jobs):
    require_redis()
    smtp_server.refuse = 2
    message = _queue_note()
    run_jobs()  # attempt, retry, retry: RQ's Retry re-enqueues each failure
    db.session.refresh(message)
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com"]
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 3


def test_after_the_last_try_the_message_is_failed_and_listed_for_retry(
    app, smtp_server, run_jobs, client, login, admin
):
    require_redis()
    smtp_server.refuse = 10
    message = _queue_note()
    run_jobs()
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 4  # the first try and three retries

    login(admin)
    page = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "kim@example.com" in page
    assert f"/admin/mail/{message.id}/retry" in page  # a retry button on the failed row
    smtp_server.refuse = 0
    from tests.helpers import csrf_token

    client.post(f"/admin/mail/{message.id}/retry", data={"csrf_token": csrf_token(app, client)})
    run_jobs()
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT
    assert len(smtp_server.messages) == 1


class Tarpit:
    """An SMTP port that accepts connections and never answers: a send hangs there."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = self.socket.getsockname()[1]
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(conn)
            self.connected.set()

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.socket.close()


def _worker(app, mail_port: int, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", ""),
        "REDIS_URL": app.config["REDIS_URL"],
        "RQ_QUEUE": app.config["RQ_QUEUE"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "LOOPDESK_INSTANCE_PATH": str(tmp_path),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return
        time.sleep(0.02)
    raise AssertionError("the killed worker's processes are still alive")


def test_a_worker_killed_mid_send_is_retried_without_a_duplicate(
    app, smtp_server, run_jobs, tmp_path
):
    from jobs.mail import SEND_LEASE
    from jobs.schedule import relay_outbox

    require_redis()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("a worker process shares the database: needs PostgreSQL")
    message = _queue_note()
    tarpit = Tarpit()
    worker = _worker(app, tarpit.port, tmp_path)
    try:
        assert tarpit.connected.wait(60), "the worker never started sending"
        # Mid-job: connected to SMTP, nothing sent. RQ runs the job in a forked "work horse"
        # in its own session; SIGKILL it and the worker alike, as a crash or OOM kill would.
        processes = [worker.pid, *_children(worker.pid)]
        for pid in processes:
            os.kill(pid, signal.SIGKILL)
        worker.wait(10)
        _wait_until_gone(processes)
    finally:
        tarpit.close()
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENDING  # the dead worker's claim
    assert relay_outbox() == 0  # its lease has not run out: nobody else may send it yet

    # Time passes beyond the lease; the periodic relay hands the message over again.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(relayed_at=utcnow() - SEND_LEASE - timedelta(seconds=1))
    )
    db.session.commit()
    assert relay_outbox() == 1
    run_jobs()
    deadline = time.monotonic() + 5
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    db.session.refresh(message)
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com"]
    assert message.status == OutboxStatus.SENT
    run_jobs()  # whatever RQ still holds of the dead job finds the message sent
    assert len(smtp_server.messages) == 1


def broken_job() -> None:
    """A job that dies inside its transaction (PostgreSQL then refuses every statement)."""
    from sqlalchemy import text

    from jobs.context import in_app_context

    @in_app_context
    def run() -> None:
        db.session.execute(text("SELECT 1 / 0"))

    run()


def test_a_job_failing_mid_transaction_does_not_break_the_next_one(app, smtp_server, tmp_path):
    from jobs import enqueue

    require_redis()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("a worker process shares the database: needs PostgreSQL")
    enqueue(broken_job, retries=False)
    message = _queue_note()
    worker = _worker(app, smtp_server.port, tmp_path)  # `flask worker`: jobs run in-process
    assert worker.wait(120) == 0
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com"]


class SilentPort(int):
    """The port number; `.connections` lists one entry per connection it accepted."""

    def __new__(cls, port: int, connections: list):
        number = super().__new__(cls, port)
        number.connections = connections
        return number


@pytest.fixture
def silent_smtp_port():
    """A port that accepts connections and then says nothing (a hung mail server). It hangs
    up after 15 s, so that without a timeout a send takes that long rather than for ever."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop, hang_ups = threading.Event(), []

    def accept() -> None:
        while not stop.is_set():
            try:
                connection = listener.accept()[0]
            except TimeoutError:
                continue
            hang_ups.append(threading.Timer(15, connection.close))
            hang_ups[-1].start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield SilentPort(listener.getsockname()[1], hang_ups)
    stop.set()
    thread.join(timeout=5)
    for hang_up in hang_ups:
        hang_up.cancel()
        hang_up.function()
    listener.close()


def test_a_mail_server_that_stops_answering_delays_the_mail_without_holding_the_sender(
    app, smtp_server, silent_smtp_port, run_jobs
):
    """Without Redis the send runs in the request that queued the mail: a silent server held
    it (and the customer's page) for as long as the server kept the connection open."""
    from jobs.mail import send_outbox_message

    # One try now; RQ's retry (a minute later) is the send_outbox_message call below.
    app.config.update(MAIL_TIMEOUT=1, JOB_RETRY_INTERVALS=[60])
    smtp_settings = app.extensions["mail"]  # Flask-Mail's, read from the config at start
    smtp_settings.port = int(silent_smtp_port)
    started = time.monotonic()
    message = _queue_note()  # in-process: sent (tried) on commit; with Redis: by the worker
    run_jobs()
    assert time.monotonic() - started < 8
    db.session.refresh(message)
    assert message.status == OutboxStatus.RETRYING
    assert "timed out" in message.last_error

    smtp_settings.port = smtp_server.port  # the server answers again: the retry
    assert send_outbox_message(message.id) == "sent"
    assert send_outbox_message(message.id) == "skipped"
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com"]


def test_a_batch_tries_a_server_that_cannot_be_reached_once_not_once_per_message(
    app, silent_smtp_port
):
    """Each of a batch's 25 messages opened its own connection and waited its own timeout
    for a server that was not answering, the job running 25 times as long."""
    from jobs.mail import SendFailed, send_outbox_message

    app.config.update(MAIL_TIMEOUT=1, JOB_RETRY_INTERVALS=[60])
    app.extensions["mail"].port = int(silent_smtp_port)
    context = {"name": "Kim", "inviter": "Ana", "link": "http://loopdesk.test/x"}
    messages = [
        queue_email(f"k{n}@example.com", "staff_invitation", "en", context) for n in range(3)
    ]
    db.session.flush()
    ids = [m.id for m in messages]
    db.session.info.clear()  # sent by hand below, not on commit
    db.session.commit()
    with pytest.raises(SendFailed):  # for RQ to retry the batch
        send_outbox_message(*ids)
    # One wait for the silent server, not one per message (timed by counting, not by a clock
    # that a busy machine stretches).
    assert len(silent_smtp_port.connections) == 1
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    assert {(m.status, m.attempts) for m in rows} == {(OutboxStatus.RETRYING, 1)}
    assert all("timed out" in m.last_error for m in rows)
