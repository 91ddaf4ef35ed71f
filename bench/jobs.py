"""Background-job figures: e-mails per second per worker, outbox-to-inbox latency, SLA sweep.

    psql -h 127.0.0.1 -U postgres -c 'create database bench_jobs'
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_jobs \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/jobs.py

1. Throughput (issue 6 target: ≥ 100 messages per second per worker). Queues BENCH_MESSAGES
   (2,000) outbox e-mails through `queue_email`, 100 per commit (a commit's messages go 25
   per job), then runs ONE real worker process in burst mode against a local aiosmtpd sink
   and times it until all arrived, for each way of running a worker: `flask worker` (no
   fork, an app context per job), the same with one message per commit (a job each), `rq
   worker` (a fork per job, the child builds the app for every job) and `rq worker -w
   rq.worker.SimpleWorker` (no fork). The slow kinds get fewer messages. Then where the time
   goes: RQ's own cost per no-op job, and the send job called in-process, 1 and 25 per job.
2. Latency: with a worker running, commits one message at a time (BENCH_LATENCY_RATE per
   second, BENCH_LATENCY_MESSAGES of them) and times commit → arrival at the sink; p50 / p95.
3. SLA sweep (target ≤ 200 ms): seeds BENCH_SWEEP_TICKETS (100,000) open tickets with Core
   inserts, 100 of them due (warnings and breaches in four kinds), times `sla_clock.sweep`
   (find, claim, write the alerts, hand them to jobs) once with that work and once with
   nothing due, times one worker acting on the alerts (timeline, breach actions, notices),
   and prints the plan of its candidate query
   (on the 100 made due again, rolled back); where that plan reads the whole table (SQLite),
   also the plan of the same query as a UNION with one arm per partial index.

SQLite, in-process jobs: `BENCH_MESSAGES=500 .venv/bin/python bench/jobs.py`.
BENCH_FIGURES=13 runs only some figures. Prints numbers; asserts nothing. The database's
public schema is reset and the bench's RQ queues emptied: use a scratch database and Redis
db. Without BENCH_DATABASE_URL a SQLite file is used; without BENCH_REDIS_URL jobs run
in-process (the send happens inside the commit) and figures 1 and 2 are measured that way.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from board import reset_database  # noqa: E402  (bench/board.py, next to this script)

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
QUEUE_BATCH = 100  # e-mails per commit while queueing
LATENCY_MESSAGES = int(os.environ.get("BENCH_LATENCY_MESSAGES", "100"))
LATENCY_RATE = float(os.environ.get("BENCH_LATENCY_RATE", "10"))  # commits per second
SWEEP_TICKETS = int(os.environ.get("BENCH_SWEEP_TICKETS", "100000"))
DUE_TICKETS = 100
SEED_BATCH = 5000
QUEUE_NAME = "bench-jobs"
NOOP_QUEUE = "bench-jobs-noop"
WORKER_TIMEOUT = 900  # seconds before a burst worker is given up on
MESSAGE_ID = re.compile(rb"^Message-ID: <outbox-(\d+)@", re.IGNORECASE | re.MULTILINE)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def rate(per_second: float) -> str:
    return f"{per_second:.1f}" if per_second < 10 else f"{per_second:.0f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the SMTP sink -----------------------------------------------------------------------------


class ArrivalSink:
    """aiosmtpd handler noting when each outbox message (by its Message-ID) arrived."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        moment = time.perf_counter()
        match = MESSAGE_ID.search(envelope.content)
        if match:
            with self.changed:
                self.arrived.setdefault(int(match.group(1)), moment)
                self.changed.notify_all()
        return "250 OK"

    def wait_for(self, ids: set[int], timeout: float, alive=lambda: True) -> bool:
        deadline = time.perf_counter() + timeout
        with self.changed:
            while not ids <= self.arrived.keys():
                if time.perf_counter() > deadline or not alive():
                    return False
                self.changed.wait(0.2)
        return True


def start_sink():
    from aiosmtpd.controller import Controller

    sink = ArrivalSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="sink.test")
    controller.start()
    return sink, controller, port


# --- 1. throughput -----------------------------------------------------------------------------


def queue_messages(count: int, per_commit: int = QUEUE_BATCH) -> tuple[list[int], float]:
    """Queue `count` staff invitations, `per_commit` per commit; their ids and seconds taken."""
    from webapp.extensions import db
    from webapp.outbox import queue_email

    ids: list[int] = []
    started = time.perf_counter()
    for start in range(0, count, per_commit):
        batch = [
            queue_email(
                f"agent{n}@example.com",
                "staff_invitation",
                ("en", "pl", "ru", "sl")[n % 4],
                {"name": f"Agent {n}", "inviter": "Bench", "link": f"https://x.test/p/{n}"},
            )
            for n in range(start, min(count, start + per_commit))
        ]
        db.session.commit()  # after the commit each row is handed to RQ (or sent in-process)
        ids += [m.id for m in batch]
    seconds = time.perf_counter() - started
    db.session.remove()
    return ids, seconds


def worker_env(app, tmp: str, smtp_port: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "RQ_QUEUE": QUEUE_NAME,
        "SECRET_KEY": "bench",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "LOOPDESK_INSTANCE_PATH": tmp,
    }
    env.pop("LOOPDESK_IN_PROCESS_SCHEDULER", None)
    return env


def worker_kinds(redis_url: str) -> list[tuple[str, list[str], int, int]]:
    """(name, command, messages to time it on, per commit): the ways README gives to run a
    worker, and one; `flask worker` also with one message per commit (a job per message)."""
    rq = str(Path(sys.executable).with_name("rq"))
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    return [
        ("flask worker (no fork, app context per job)", flask, MESSAGES, QUEUE_BATCH),
        ("flask worker, one message per commit", flask, min(MESSAGES, 500), 1),
        ("rq worker (fork per job, app built per job)", [rq, "worker", "-u", redis_url], 100, 100),
        (
            "rq worker -w SimpleWorker (no fork)",
            [rq, "worker", "-u", redis_url, "-w", "rq.worker.SimpleWorker"],
            MESSAGES,
            QUEUE_BATCH,
        ),
    ]


def with_queue(name: str, command: list[str]) -> list[str]:
    return command if "flask" in command else [*command, name]


def empty_queue(app, name: str = QUEUE_NAME) -> None:
    from rq import Queue

    from jobs import redis_connection

    with app.app_context():
        queue = Queue(name, connection=redis_connection())
        queue.empty()
        for registry in (queue.failed_job_registry, queue.finished_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)


def run_burst(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [*command, "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def bench_worker(
    app, sink: ArrivalSink, env: dict, name: str, command: list[str], count: int, per_commit: int
):
    """Queue `count` e-mails, then time one burst worker from its start until all arrived."""
    empty_queue(app)
    with app.app_context():
        ids, queued_s = queue_messages(count, per_commit)
    wanted = set(ids)
    started = time.perf_counter()
    worker = run_burst(with_queue(QUEUE_NAME, command), env)
    complete = sink.wait_for(wanted, WORKER_TIMEOUT, alive=lambda: worker.poll() is None)
    complete = complete or sink.wait_for(wanted, 2)  # the worker may exit before we notice
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
    _, errors = worker.communicate(timeout=60)
    times = sorted(sink.arrived[i] for i in wanted if i in sink.arrived)
    if len(times) < 2:
        print(f"{name}: {len(times)} arrived; the worker said:\n{errors.decode()[-2000:]}")
        return count / queued_s
    print(
        f"{name}: {rate(len(times) / (times[-1] - started))} messages/s over {len(times):,} "
        f"({rate((len(times) - 1) / (times[-1] - times[0]))}/s from first to last arrival; "
        f"first after {times[0] - started:.2f} s)" + ("" if complete else "  INCOMPLETE")
    )
    return count / queued_s


def bench_rq_overhead(app, env: dict) -> None:
    """RQ's own cost per job: a no-op job, minus the worker's start-up (an empty burst)."""
    from rq import Queue

    from jobs import redis_connection

    rq = str(Path(sys.executable).with_name("rq"))
    url = app.config["REDIS_URL"]
    figures = []
    for label, worker_class, jobs in (
        ("SimpleWorker", "SimpleWorker", 500),
        ("fork", "Worker", 200),
    ):
        command = [rq, "worker", "-u", url, "-w", f"rq.worker.{worker_class}", NOOP_QUEUE]
        empty_queue(app, NOOP_QUEUE)
        started = time.perf_counter()
        run_burst(command, env).wait()
        startup = time.perf_counter() - started
        with app.app_context():
            queue = Queue(NOOP_QUEUE, connection=redis_connection())
            for _ in range(jobs):
                queue.enqueue("time.sleep", 0)
        started = time.perf_counter()
        run_burst(command, env).wait()
        per_job = (time.perf_counter() - started - startup) / jobs
        figures.append(f"{label} {per_job * 1000:.1f} ms")
    empty_queue(app, NOOP_QUEUE)
    print(f"RQ's own cost per job (no-op job, worker start-up excluded): {', '.join(figures)}")


def new_ids_key() -> str:
    """Where the session keeps the outbox rows to hand over after the commit."""
    from webapp import outbox

    return getattr(getattr(outbox, "HANDOVER", None), "info_key", "loopdesk_outbox_new_ids")


def bench_send_alone(app) -> None:
    """The job function itself, called in this process: what no worker can go below."""
    from sqlalchemy import func, select

    from jobs.mail import send_outbox_message
    from webapp.extensions import db
    from webapp.models import OutboxMessage
    from webapp.outbox import HANDOVER, queue_email

    count = min(MESSAGES, 500)
    for per_job in (1, HANDOVER.batch_size):
        with app.app_context():
            batch = [
                queue_email(f"solo{n}@example.com", "staff_invitation", "en", {"name": "Solo"})
                for n in range(count)
            ]
            db.session.flush()
            ids = [m.id for m in batch]
            db.session.info.pop(new_ids_key(), None)  # no hand-over: we run the job ourselves
            db.session.commit()
            started = time.perf_counter()
            for start in range(0, count, per_job):
                send_outbox_message(*ids[start : start + per_job])
            seconds = time.perf_counter() - started
            sent = db.session.scalar(
                select(func.count())
                .where(OutboxMessage.id.in_(ids))
                .where(OutboxMessage.status == "sent")
            )
            db.session.remove()
        print(
            f"send_outbox_message alone, {per_job} per job, in this process: "
            f"{seconds / count * 1000:.1f} ms/message = {count / seconds:.0f}/s, {sent} of {count} "
            f"sent (claim UPDATE + commit, rows SELECT, an SMTP session per job, status commits)"
        )


def bench_throughput(app, sink: ArrivalSink, env: dict | None) -> None:
    print(f"-- 1. e-mails per second per worker (target ≥ 100/s), {QUEUE_BATCH} per commit")
    if env is None:  # in-process: the send runs inside the commit that queued the message
        with app.app_context():
            ids, seconds = queue_messages(MESSAGES)
        arrived = sum(1 for i in ids if i in sink.arrived)
        print(
            f"in-process jobs (no Redis): {arrived / seconds:.0f} messages/s queued and sent "
            f"({arrived:,} of {len(ids):,} arrived; render + insert + SMTP in one process)"
        )
        bench_send_alone(app)
        return
    queueing = []
    for name, command, count, per_commit in worker_kinds(app.config["REDIS_URL"]):
        queueing.append(bench_worker(app, sink, env, name, command, count, per_commit))
    print(f"(queueing: {max(queueing):.0f} e-mails/s rendered, inserted and enqueued)")
    bench_rq_overhead(app, env)
    bench_send_alone(app)


# --- 2. latency --------------------------------------------------------------------------------


def bench_latency(app, sink: ArrivalSink, env: dict | None, command: list[str] | None) -> None:
    """Commit single messages at a modest rate; time commit → arrival at the sink."""
    from webapp.extensions import db
    from webapp.outbox import queue_email

    worker = None
    if command:
        empty_queue(app)
        worker = subprocess.Popen(
            with_queue(QUEUE_NAME, command),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    latencies = []
    try:
        with app.app_context():
            if worker:  # wait until the worker is up and has sent one
                first = queue_email("warm@example.com", "staff_invitation", "en", {"name": "W"})
                db.session.commit()
                sink.wait_for({first.id}, 60)
            for n in range(LATENCY_MESSAGES):
                message = queue_email(f"l{n}@example.com", "staff_invitation", "en", {"name": "L"})
                db.session.flush()
                committed = time.perf_counter()
                db.session.commit()
                if sink.wait_for({message.id}, 30):
                    latencies.append(sink.arrived[message.id] - committed)
                time.sleep(max(0.0, 1 / LATENCY_RATE - (time.perf_counter() - committed)))
            db.session.remove()
    finally:
        if worker:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    ms = [s * 1000 for s in latencies] or [float("nan")]
    print(
        f"p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms ({len(latencies)} of {LATENCY_MESSAGES} arrived)"
    )


def bench_latencies(app, sink: ArrivalSink, env: dict | None) -> None:
    print(f"-- 2. commit → arrival at the sink, one e-mail per commit, {LATENCY_RATE:g} commits/s")
    if env is None:
        print("in-process jobs (no Redis):", end=" ")
        bench_latency(app, sink, None, None)
        return
    for name, command, _ in worker_kinds(app.config["REDIS_URL"]):
        if "app built per job" not in name:
            print(f"{name}:", end=" ", flush=True)
            bench_latency(app, sink, env, command)


# --- 3. SLA sweep ------------------------------------------------------------------------------

METRICS = ("first_response", "resolution")  # the order sla_clock.sweep queries them in
DUE_KINDS = (
    "first_response warning",
    "first_response breach",
    "resolution warning",
    "resolution breach",
)


def seed_teams() -> list[int]:
    """Two teams, each with a lead (breaches e-mail the lead) and two agents."""
    from webapp.extensions import db
    from webapp.models import Team, TeamMembership, User

    teams = [Team(slug="customer-care", name="Customer Care")]
    teams.append(Team(slug="product-quality", name="Product Quality"))
    db.session.add_all(teams)
    for t, team in enumerate(teams):
        for i in range(3):
            user = User(
                email=f"t{t}u{i}@example.com",
                name=f"Team {t} user {i}",
                locale=("en", "pl", "sl")[i],
                timezone="Europe/Warsaw",
                working_hours={},
                capacity=1000,
                password_hash="!",  # noqa: S106  (no password: nobody logs in as these)
            )
            db.session.add_all([user, TeamMembership(team=team, user=user, is_lead=i == 0)])
    db.session.commit()
    return [t.id for t in teams]


def sla_ticket_row(n: int, due_kind: str | None, version_id: int, teams, now: datetime) -> dict:
    """An open ticket whose clocks all run out later, or whose `due_kind` has come."""
    rng = random.Random(n)
    created = now - timedelta(minutes=rng.randint(1, 600))
    paused = due_kind is None and n % 10 == 9  # waiting on the customer: clocks paused
    responded = (due_kind is None and n % 2 == 0) or (due_kind or "").startswith("resolution")
    fr_warn = now + timedelta(minutes=rng.randint(5, 360))
    fr_due = fr_warn + timedelta(hours=2)
    res_warn = now + timedelta(hours=rng.randint(2, 48))
    res_due = res_warn + timedelta(days=1)
    if due_kind == "first_response warning":
        fr_warn, fr_due = now - timedelta(minutes=5), now + timedelta(hours=1)
    elif due_kind == "first_response breach":
        fr_warn, fr_due = now - timedelta(hours=2), now - timedelta(minutes=1)
    elif due_kind == "resolution warning":
        res_warn, res_due = now - timedelta(minutes=5), now + timedelta(hours=6)
    elif due_kind == "resolution breach":
        res_warn, res_due = now - timedelta(hours=6), now - timedelta(minutes=1)
    return {
        "subject": f"Feedback {n}",
        "state": "waiting_on_customer" if paused else ("new", "assigned", "in_progress")[n % 3],
        "priority": "normal",
        "team_id": teams[n % len(teams)],
        "workflow_version_id": version_id,
        "customer_name": f"Customer {n}",
        "customer_email": f"c{n}@example.com",
        "customer_locale": ("en", "pl", "ru", "sl")[n % 4],
        "channel": "web",
        "form_slug": "nps",
        "facts": {"answers": {"nps": n % 11}, "metadata": {}},
        "sla_policy": "standard",
        "sla_started_at": created,
        "first_response_warn_at": fr_warn,
        "first_response_due_at": fr_due,
        "first_response_at": created + timedelta(minutes=1) if responded else None,
        "resolution_warn_at": res_warn,
        "resolution_due_at": res_due,
        "sla_paused_since": now - timedelta(minutes=30) if paused else None,
        "sla_paused_seconds": 0,
        "public_reply_count": 1 if responded else 0,
        "search_text": f"feedback {n}",
        "status_token": f"bench-{n}-{rng.getrandbits(64):x}",
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }


def seed_sla_tickets(version_id: int, teams: list[int], now: datetime) -> None:
    """SWEEP_TICKETS open tickets by Core INSERTs; DUE_TICKETS of them, spread out, are due."""
    from sqlalchemy import insert

    from webapp.extensions import db
    from webapp.models import Ticket

    step = max(1, SWEEP_TICKETS // DUE_TICKETS)
    for start in range(0, SWEEP_TICKETS, SEED_BATCH):
        rows = []
        for n in range(start, min(SWEEP_TICKETS, start + SEED_BATCH)):
            due = n % step == step // 2 and n // step < DUE_TICKETS
            kind = DUE_KINDS[(n // step) % len(DUE_KINDS)] if due else None
            rows.append(sla_ticket_row(n, kind, version_id, teams, now))
        # The table, not the entity: one executemany (the ORM splits rows whose None differ).
        db.session.execute(insert(Ticket.__table__), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # what autovacuum does on a live database
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE ticket")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def timed_sweep(now: datetime, statements: list) -> tuple[float, list]:
    """Run `sla_clock.sweep` once; `statements` collects every SQL statement it ran."""
    from sqlalchemy import event

    from webapp.extensions import db
    from webapp.services import sla_clock

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        started = time.perf_counter()
        alerts = sla_clock.sweep(now)
        seconds = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    db.session.remove()
    return seconds, alerts


def union_candidates(metric: str, now: datetime):
    """The candidate query as a UNION: one arm per partial index, each spelling out its WHERE.

    SQLite uses a partial index only when the query's top-level AND terms imply the index's
    WHERE; inside an OR they do not, so the OR form scans the table there.
    """
    from sqlalchemy import select, union

    from webapp.models import Ticket

    met = Ticket.first_response_at if metric == "first_response" else Ticket.resolved_at
    warn, due = (getattr(Ticket, f"{metric}_{column}") for column in ("warn_at", "due_at"))
    warned, breached = (getattr(Ticket, f"{metric}_{c}") for c in ("warned_at", "breached_at"))
    running = (met.is_(None), Ticket.sla_paused_since.is_(None))
    return union(
        select(Ticket.id, due <= now).where(warn <= now, warned.is_(None), *running),
        select(Ticket.id, due <= now).where(due <= now, breached.is_(None), *running),
    ).limit(500)


def print_plan(conn, statement: str, parameters) -> bool:
    """Print the plan of one statement as the driver got it and its run time; False if it
    reads the whole table."""
    postgres = conn.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
    plan = [
        row[0] if postgres else row[-1]
        for row in conn.exec_driver_sql(prefix + statement, parameters)
    ]
    for line in plan:
        print(f"    {line}")
    started = time.perf_counter()
    conn.exec_driver_sql(statement, parameters).all()
    print(f"  → {(time.perf_counter() - started) * 1000:.2f} ms")
    return not any("Seq Scan on ticket" in line or line.startswith("SCAN ticket") for line in plan)


def as_sent(conn, query) -> tuple[str, object]:
    """The SQL text and parameters the driver receives for `query`."""
    from sqlalchemy import event

    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", before)
    try:
        conn.execute(query).all()
    finally:
        event.remove(conn, "before_cursor_execute", before)
    return sent[0]


def explain_candidates(statements: list, fired_ids: list[int], now: datetime) -> None:
    """The sweep's candidate queries and the UNION form, on the 100 made due again (rolled back)."""
    from sqlalchemy import bindparam, update

    from webapp.extensions import db
    from webapp.models import Ticket

    candidates = [(s, p) for s, p in statements if "_warned_at IS NULL" in s and "SELECT" in s]
    with db.engine.connect() as conn:
        conn.execute(
            update(Ticket)
            .where(Ticket.id.in_(bindparam("ids", expanding=True)))
            .values(
                first_response_warned_at=None,
                first_response_breached_at=None,
                resolution_warned_at=None,
                resolution_breached_at=None,
            ),
            {"ids": fired_ids},
        )
        for (statement, parameters), metric in zip(candidates, METRICS, strict=False):
            print(f"candidate query of the sweep ({metric}): {' '.join(statement.split())}")
            if print_plan(conn, statement, parameters):
                continue
            statement, parameters = as_sent(conn, union_candidates(metric, now))
            print(f"the same as a UNION, which can use them ({metric}):")
            print(f"  {' '.join(statement.split())}")
            print_plan(conn, statement, parameters)
        conn.rollback()


def bench_sla_sweep(app, env: dict | None) -> None:
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import OutboxMessage, SlaAlert, TicketEvent, WorkflowKind
    from webapp.services.workflow_versions import active_version

    print(f"-- 3. SLA sweep over {SWEEP_TICKETS:,} open tickets (target ≤ 200 ms)")
    now = datetime.now(UTC)
    with app.app_context():
        teams = seed_teams()
        version_id = active_version(WorkflowKind.TICKET).id
        db.session.commit()
        started = time.perf_counter()
        seed_sla_tickets(version_id, teams, now)
        print(f"seeded in {time.perf_counter() - started:.1f} s, {DUE_TICKETS} of them due")
        outbox_before = db.session.scalar(select(func.count(OutboxMessage.id)))
        db.session.remove()
        statements: list = []
        empty_queue(app)
        seconds, _ = timed_sweep(now, statements)
        alerts = db.session.execute(
            select(SlaAlert.ticket_id, SlaAlert.metric, SlaAlert.kind)
        ).all()
        counts = ", ".join(
            f"{sum(f'{a.metric} {a.kind}' == k for a in alerts)} {k}" for k in DUE_KINDS
        )
        db.session.remove()
        where = "handed to workers" if env else "acted on in-process, inside the sweep"
        print(
            f"sweep with work: {seconds * 1000:.0f} ms for {len(alerts)} alerts ({counts}), "
            f"claimed and {where}; {len(statements)} SQL statements"
        )
        if env:  # one worker acts on them: timeline events, breach actions, notices, e-mails
            flask = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
            started = time.perf_counter()
            worker = run_burst(flask, env)
            worker.communicate(timeout=WORKER_TIMEOUT)
            print(
                f"one flask worker acted on them in {time.perf_counter() - started:.2f} s "
                "(start-up included)"
            )
        events = db.session.scalar(
            select(func.count(TicketEvent.id)).where(TicketEvent.kind.like("sla_%"))
        )
        emails = db.session.scalar(select(func.count(OutboxMessage.id))) - outbox_before
        print(f"timeline events: {events}; e-mails queued: {emails}")
        db.session.remove()
        explain_candidates(statements, sorted({a.ticket_id for a in alerts}), now)


def run(database_url: str, redis_url: str | None) -> None:
    from webapp import create_app

    tmp = tempfile.mkdtemp()
    os.environ["LOOPDESK_INSTANCE_PATH"] = tmp
    reset_database(database_url)
    sink, controller, smtp_port = start_sink()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "RQ_QUEUE": QUEUE_NAME,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "IN_PROCESS_SCHEDULER": False,
        }
    )
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade()
    label = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    jobs = "RQ on Redis" if redis_url else "in-process (no Redis)"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {label}; jobs: {jobs}; {os.cpu_count()} CPUs, load average {load}")
    env = worker_env(app, tmp, smtp_port) if redis_url else None
    figures = os.environ.get("BENCH_FIGURES", "123")
    try:
        if "1" in figures:
            bench_throughput(app, sink, env)
        if "2" in figures:
            bench_latencies(app, sink, env)
        if "3" in figures:
            bench_sla_sweep(app, env)
    finally:
        controller.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    url = os.environ.get("BENCH_DATABASE_URL")
    redis = os.environ.get("BENCH_REDIS_URL")
    if url:
        run(url.replace("postgresql://", "postgresql+psycopg://", 1), redis)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", redis)
