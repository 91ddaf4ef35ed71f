"""The dashboard's feedback and the reports over many responses: time, queries, peak memory.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch \
    BENCH_RESPONSES=100000 .venv/bin/python bench/insights.py

BENCH_DATABASE_URL: the database to fill; its public schema is reset, so use a scratch
database. Without it a SQLite file in a temporary directory is used.
BENCH_RESPONSES: how many responses to bulk-insert (default 100,000), spread over the last
90 days across the NPS (half), CSAT and goal forms, 9 in 10 completed, in the four
languages and the three channels; one response in 20 (a CSAT one) answers a
post-resolution survey of a demo ticket.
BENCH_TICKETS: how many tickets to bulk-insert besides the demo's (default 20,000), over
the last 180 days (so a 90-day report has a period before it), with 0–3 of 40 labels each.
NPS detractors and passives and every CSAT response write two sentences in their language
and a made-up word (a vocabulary of ~2,200), for the Reports' themes ("of which themes":
`report_themes.period_themes` alone, the newest 10,000 responses of the period and of the
one before). 100,000 responses on PostgreSQL, 2026-12-06, on a loaded machine (reference
loop 221 ms, about 5x slower than the 40 ms below): themes 7 days 701 ms, 30 days 1,340
ms, 90 days 529 ms (no period before it), 3 queries each, peak 1.8–2.2 MiB.
The Reports page no longer waits for them ("reports page": `with_themes=False`; they come
after it, kept five minutes per process): 100,000 responses on PostgreSQL, 2026-12-06,
reference loop 51 ms: the page 30 days 156 ms, 90 days 432 ms, 7 queries; the themes alone
7 days 256 ms, 30 days 405 ms, 90 days 240 ms.

Each figure is the best of three runs (time and the number of SQL statements), then one
more run under tracemalloc for the peak of Python allocations (tracing slows it down).
To compare with an earlier commit, run this script in a worktree of that commit too.
Prints numbers; asserts nothing. On the shared 2-core machine with 100,000 responses
(PostgreSQL): the dashboard's feedback 157 -> 42 ms, peak 10.9 -> 0.1 MiB; the 90-day
report 998 -> 118 ms, peak 24.9 -> 0.2 MiB; the same number of queries (+1 for reports).
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

RESPONSES = int(os.environ.get("BENCH_RESPONSES", "100000"))
TICKETS = int(os.environ.get("BENCH_TICKETS", "20000"))
INSERT_BATCH = 5000
FORMS = ("nps", "nps", "csat", "goal")  # half of the responses to the NPS form
LOCALES = ("en", "pl", "ru", "sl")
CHANNELS = ("web", "widget", "email")
LABELS = [f"topic {n}" for n in range(40)]


# What customers write, by language: two of these per answer, and a made-up word from a
# vocabulary of a few thousand (a product name, a typo), as real text has many rare words.
WRITTEN = {
    "en": (
        "Parcel came late, nobody called.", "The courier left it at the wrong door.",
        "Refund still not here after two weeks.", "The app crashes at checkout.",
        "Great support, quick answer.", "Delivery was late again.",
        "Prices went up without notice.", "Could not log in to my account.",
    ),
    "pl": (
        "Paczka przyszła z opóźnieniem.", "Kurier zostawił przesyłkę pod złymi drzwiami.",
        "Zwrot pieniędzy nadal nie dotarł.", "Aplikacja zawiesza się przy płatności.",
        "Świetna obsługa, szybka odpowiedź.", "Dostawa znowu spóźniona.",
        "Ceny wzrosły bez uprzedzenia.", "Nie mogę zalogować się na konto.",
    ),
    "ru": (
        "Посылка пришла с опозданием.", "Курьер оставил заказ не у той двери.",
        "Возврат денег до сих пор не пришёл.", "Приложение зависает при оплате.",
        "Отличная поддержка, быстрый ответ.", "Доставка опять задержалась.",
        "Цены выросли без предупреждения.", "Не могу войти в личный кабинет.",
    ),
    "sl": (
        "Paket je prišel z zamudo.", "Kurir je pustil pošiljko pred napačnimi vrati.",
        "Vračila denarja še vedno ni.", "Aplikacija se zatakne pri plačilu.",
        "Odlična podpora, hiter odgovor.", "Dostava je spet zamujala.",
        "Cene so se zvišale brez obvestila.", "Ne morem se prijaviti v račun.",
    ),
}  # fmt: skip
SYLLABLES = ("ka", "lo", "mi", "ne", "ro", "su", "ta", "vi", "ze", "bo", "du", "fa", "gi")


def written(n: int) -> str:
    """An answer in the language response `n` (of its form) is given in, as `fill` picks it."""
    pool = WRITTEN[LOCALES[n % len(LOCALES)]]
    word = "".join(SYLLABLES[(n // 7**k) % len(SYLLABLES)] for k in range(3))
    return f"{pool[n % len(pool)]} {pool[(n // 3) % len(pool)]} {word.capitalize()} #{n}"


def answers_of(slug: str, n: int) -> dict:
    if slug == "nps":
        score = n % 11
        if score <= 8:
            return {"score": score, "what_went_wrong": written(n)}
        return {"score": score, "testimonial": "no", "name": "Jan"}
    if slug == "csat":
        return {"csat": 1 + n % 5, "comment": written(n)}
    return {"goal": "yes" if n % 3 else "no"}


def fill(app) -> None:
    """The demo (forms, teams, tickets), then RESPONSES responses and their scores in bulk."""
    import flask_migrate
    from sqlalchemy import insert, select

    from survey_forms.scoring import score_changes
    from webapp.extensions import db
    from webapp.models import (
        Form,
        FormVersion,
        Response,
        ResponseScore,
        SurveyInvitation,
        SurveyStatus,
        Ticket,
        utcnow,
    )
    from webapp.models.forms import score_row

    flask_migrate.upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    versions = dict(
        db.session.execute(
            select(Form.slug, FormVersion.id).join(
                FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True)
            )
        ).all()
    )
    forms = dict(db.session.execute(select(Form.slug, Form.id)).all())
    tickets = db.session.scalars(select(Ticket.id)).all()
    first_id = (db.session.scalar(select(Response.id).order_by(Response.id.desc())) or 0) + 1
    now = utcnow()
    step = timedelta(days=90) / RESPONSES
    for first in range(0, RESPONSES, INSERT_BATCH):
        responses, scores, invitations = [], [], []
        for n in range(first, min(first + INSERT_BATCH, RESPONSES)):
            slug = FORMS[n % len(FORMS)]
            answers = answers_of(slug, n // len(FORMS))
            started = now - timedelta(days=90) + step * n
            completed = started + timedelta(minutes=2) if n % 10 else None
            response_id = first_id + n
            responses.append(
                {
                    "id": response_id,
                    "token": f"bench-{n}",
                    "form_id": forms[slug],
                    "form_version_id": versions[slug],
                    "answers": answers,
                    "hidden": {},
                    "meta": {"user_agent": "mobile"},
                    "locale": LOCALES[(n // len(FORMS)) % len(LOCALES)],
                    "channel": CHANNELS[n % len(CHANNELS)],
                    "started_at": started,
                    "updated_at": started,
                    "completed_at": completed,
                }
            )
            scores += [
                score_row(response_id, question_id, answer)
                for question_id, answer in score_changes({}, answers).items()
            ]
            if slug == "csat" and completed and n % 20 == 2:
                invitations.append(
                    {
                        "ticket_id": tickets[n % len(tickets)],
                        "form_slug": "csat",
                        "token": f"bench-survey-{n}",
                        "status": SurveyStatus.ANSWERED,
                        "due_at": started,
                        "created_at": started,
                        "answered_at": completed,
                        "response_id": response_id,
                    }
                )
        # Core inserts: the ORM's per-response hook would write the scores one by one.
        db.session.execute(insert(Response.__table__), responses)
        db.session.execute(insert(ResponseScore.__table__), scores)
        if invitations:
            db.session.execute(insert(SurveyInvitation.__table__), invitations)
        db.session.commit()
    fill_tickets(now)
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(
            text("SELECT setval('form_response_id_seq', (SELECT max(id) FROM form_response))")
        )
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def fill_tickets(now) -> None:
    """TICKETS tickets over 180 days, copied from a demo ticket's routing, with labels."""
    from sqlalchemy import insert, select

    from webapp.extensions import db
    from webapp.models import Ticket, TicketLabel

    demo = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    first_id = (db.session.scalar(select(Ticket.id).order_by(Ticket.id.desc())) or 0) + 1
    step = timedelta(days=180) / max(TICKETS, 1)
    for first in range(0, TICKETS, INSERT_BATCH):
        tickets, labels = [], []
        for n in range(first, min(first + INSERT_BATCH, TICKETS)):
            created = now - timedelta(days=180) + step * n
            tickets.append(
                {
                    "id": first_id + n,
                    "subject": f"Bench ticket {n}",
                    "state": "resolved" if n % 3 else "new",
                    "team_id": demo.team_id,
                    "workflow_version_id": demo.workflow_version_id,
                    "customer_locale": LOCALES[n % len(LOCALES)],
                    "status_token": f"bench-ticket-{n}",
                    "first_response_due_at": created + timedelta(hours=8),
                    "first_response_at": created + timedelta(hours=1 + n % 12),
                    "resolution_due_at": created + timedelta(days=3),
                    "resolved_at": created + timedelta(days=1) if n % 3 else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            labels += [
                {"ticket_id": first_id + n, "name": LABELS[(n * 7 + k * 13) % len(LABELS)]}
                for k in range(n % 4)
            ]
        db.session.execute(insert(Ticket.__table__), tickets)
        if labels:
            db.session.execute(insert(TicketLabel.__table__), labels)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SELECT setval('ticket_id_seq', (SELECT max(id) FROM ticket))"))
        db.session.commit()


def measure(work) -> tuple[float, int, float]:
    """(best seconds of 3, SQL statements, peak MiB of Python allocations)."""
    from sqlalchemy import event

    from webapp.extensions import db

    statements = []

    def count(*_args):
        statements.append(1)

    best = float("inf")
    for _ in range(3):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            started = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - started)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()
    queries = len(statements)
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    db.session.rollback()
    return best, queries, peak / 2**20


def pages_of(dashboard, reports, now) -> list:
    """(title, what computes it) for each figure a staff page shows."""
    from webapp.services.forms import published_forms
    from webapp.services.report_themes import period_themes

    def themes(days: int):
        return lambda: period_themes(now - timedelta(days=days), days, published_forms())

    def report(days: int, zone: str):
        """The page as served: its themes come after it (and are kept a few minutes)."""
        return lambda: reports.build_report(now, days, "-", "All", zone, with_themes=False)

    return [
        ("dashboard feedback (30 days)", lambda: dashboard.feedback_overview("en", now)),
        ("reports page, 30 days", report(30, "UTC")),
        ("reports page, 90 days", report(90, "Europe/Warsaw")),
        ("  of which themes, 7 days", themes(7)),
        ("  of which themes, 30 days", themes(30)),
        ("  of which themes, 90 days", themes(90)),
    ]


def main() -> None:
    tmp = tempfile.mkdtemp()
    url = scratch_database_url(tmp)
    os.environ["LOOPDESK_INSTANCE_PATH"] = tmp
    from webapp import create_app
    from webapp.models import utcnow

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        started = time.perf_counter()
        fill(app)
        filled = time.perf_counter() - started
        from webapp.services import dashboard, reports

        now = utcnow()
        label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(
            f"database: {label}; {RESPONSES:,} responses and {TICKETS:,} tickets inserted"
            f" in {filled:.1f} s"
        )
        print(describe_machine())
        for title, work in pages_of(dashboard, reports, now):
            seconds, queries, peak = measure(work)
            print(f"{title:30} {seconds * 1000:8.0f} ms {queries:3d} queries peak {peak:7.1f} MiB")


if __name__ == "__main__":
    main()
