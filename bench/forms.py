"""Conversation throughput under gunicorn (2 workers): completed 4-question conversations per
second and server time per step, against a bare Flask route that inserts one row.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/forms.py

The database's public schema is reset: use a scratch database. Without BENCH_DATABASE_URL a
SQLite file is used. Targets (issue 4): p50 ≤ 10 ms per step; throughput ≥ 50% of the bare route.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine_speed import describe_machine  # noqa: E402

CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "200"))
CLIENT_THREADS = 4
ANSWERS = ("3", "Slow delivery", "Jan", "")  # score, what went wrong, name, skip e-mail
# The same four steps for a promoter (score, testimonial "no", name, skip e-mail): no ticket.
# Printed beside the headline to show what the ticket's creation costs.
PROMOTER_ANSWERS = ("10", "no", "Jan", "")

BARE_APP = """
from flask import Flask
from sqlalchemy import create_engine, text
import os
url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(url)  # bench_row is created by bench/forms.py before the workers start
app = Flask(__name__)
@app.post("/row")
def row():
    with engine.begin() as c:
        c.execute(text("INSERT INTO bench_row (note) VALUES ('x')"))
    return "ok"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def gunicorn(app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=cwd,
        env=env,
        start_new_session=True,
    )


def prepare_database(url: str, env: dict) -> None:
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def one_conversation(base: str, step_times: list[float], answers=ANSWERS) -> None:
    opener = build_opener(HTTPCookieProcessor())
    html = opener.open(f"{base}/f/nps?lang=en").read().decode()
    for value in answers:
        step = re.search(r'name="step" value="([^"]+)"', html).group(1)
        question = re.search(r'name="question" value="([^"]+)"', html).group(1)
        body = urlencode(
            {"step": step, "question": question, "lang": "en", "value": value}
        ).encode()
        request = Request(f"{base}/f/nps/answer", data=body, headers={"HX-Request": "true"})
        reply = opener.open(request)
        # Server time as the app measured it (Server-Timing), without client-side queueing.
        step_times.append(float(reply.headers.get("Server-Timing", "app;dur=0").split("dur=")[1]))
        html = reply.read().decode()
    assert 'id="end"' in html, "conversation did not finish"


def create_bare_table(url: str) -> None:
    """Before the bare app's workers start: two workers racing CREATE TABLE IF NOT EXISTS
    on PostgreSQL can fail one of them, and then every request to it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        conn.execute(
            text(f"CREATE TABLE IF NOT EXISTS bench_row (id {key} PRIMARY KEY, note TEXT)")
        )
    engine.dispose()


def run_parallel(count: int, work) -> float:
    """Run `work` `count` times on CLIENT_THREADS threads; the seconds it took.

    A failed request stops the bench: a thread that died early would make the rest of the
    run look faster than it was.
    """
    started = time.perf_counter()
    queue = list(range(count))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker():
        while True:
            with lock:
                if not queue or failures:
                    return
                queue.pop()
            try:
                work()
            except BaseException as error:  # noqa: BLE001 (reported below)
                failures.append(error)
                return

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"a request failed: {failures[0]!r}") from failures[0]
    return time.perf_counter() - started


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = tempfile.mkdtemp()
    url = url or f"sqlite:///{tmp}/bench.db"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "LOOPDESK_INSTANCE_PATH": tmp,
        "RATELIMIT_ENABLED": "false",
        "FORM_MIN_SECONDS_FIRST_ANSWER": "0",
    }
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_REDIS_URL"):  # as in production: side effects queued on Redis
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    prepare_database(url, env)

    port = free_port()
    server = gunicorn("wsgi:app", port, env, ROOT)
    try:
        wait_up(port)
        base = f"http://127.0.0.1:{port}"
        # Warm both workers (imports, definitions, templates, connections) before timing;
        # the bare route below gets the same courtesy.
        run_parallel(2 * CLIENT_THREADS, lambda: one_conversation(base, []))
        steps: list[float] = []
        elapsed = run_parallel(CONVERSATIONS, lambda: one_conversation(base, steps))
        promoter_elapsed = run_parallel(
            CONVERSATIONS, lambda: one_conversation(base, [], PROMOTER_ANSWERS)
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    conversations_per_s = CONVERSATIONS / elapsed
    steps.sort()

    bare_dir = Path(tmp) / "bare"
    bare_dir.mkdir()
    (bare_dir / "bare.py").write_text(BARE_APP)
    create_bare_table(url)
    port = free_port()
    bare = gunicorn("bare:app", port, env, bare_dir)
    try:
        wait_up(port)
        opener = build_opener()

        def insert_row():
            opener.open(Request(f"http://127.0.0.1:{port}/row", data=b"")).read()

        run_parallel(10 * CLIENT_THREADS, insert_row)  # warm up, as for the conversations
        requests_count = CONVERSATIONS * len(ANSWERS)
        elapsed = run_parallel(requests_count, insert_row)
    finally:
        os.killpg(bare.pid, signal.SIGTERM)
        bare.wait()
    bare_per_s = requests_count / elapsed
    step_per_s = conversations_per_s * len(ANSWERS)
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"database: {label}; gunicorn 2 workers; {CLIENT_THREADS} client threads")
    print(describe_machine())
    print(f"completed 4-question conversations: {conversations_per_s:.1f} per second")
    print(
        f"server time per step (answer POST): p50 {statistics.median(steps):.1f} ms, "
        f"p95 {steps[int(len(steps) * 0.95)]:.1f} ms (target p50 ≤ 10 ms)"
    )
    print(f"bare Flask insert route: {bare_per_s:.0f} requests per second")
    print(
        f"answer steps per second: {step_per_s:.0f} = {step_per_s / bare_per_s:.0%} "
        f"of the bare route "
        f"(target ≥ 50%)"
    )
    requests_per_s = conversations_per_s * (len(ANSWERS) + 1)
    print(
        f"  counting the start page too: {requests_per_s:.0f} requests per second = "
        f"{requests_per_s / bare_per_s:.0%} of the bare route"
    )
    promoter_steps_per_s = CONVERSATIONS * len(PROMOTER_ANSWERS) / promoter_elapsed
    print(
        f"  the same for promoters (no ticket): {promoter_steps_per_s:.0f} answer steps per "
        f"second = {promoter_steps_per_s / bare_per_s:.0%} of the bare route"
    )


if __name__ == "__main__":
    main()
