"""Workflow engine figures: fire+commit per second, routing over 50 rules, SLA due computation.

    .venv/bin/python bench/workflow.py                       # SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/workflow.py

Targets (issue 3): fire+commit p50 ≤ 5 ms on PostgreSQL; a routing decision over 50 rules
≤ 0.2 ms; an SLA due computation ≤ 0.1 ms. Prints numbers; asserts nothing.
The PostgreSQL database is reset (its public schema is dropped) — use a scratch database.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

from workflow.definition import load_definition_or_raise, parse_definition  # noqa: E402
from workflow.routing import route  # noqa: E402
from workflow.sla import choose_policy, deadlines  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[1] / "workflow" / "definitions" / "default.yaml"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def bench_routing(rounds: int = 20000) -> None:
    data = yaml.safe_load(DEFAULT.read_text())
    rules = []
    for i in range(49):
        rules.append(
            {
                "name": f"rule {i}",
                "when": {
                    "all": [
                        {"field": "answers.q1", "op": "=", "value": f"x{i}"},
                        {"field": "locale", "op": "in", "value": ["pl", "ru"]},
                    ]
                },
                "set": {"team": "customer-care", "assign": "manual"},
            }
        )
    rules.append(
        {
            "name": "last",
            "when": {"field": "score.category", "op": "=", "value": "detractor"},
            "set": {"team": "customer-care", "priority": "high", "assign": "manual"},
        }
    )
    data["routing"]["rules"] = rules
    definition, problems = parse_definition(data)
    assert not problems, problems
    facts = {"locale": "sl", "answers": {"q1": "zzz"}, "score": {"category": "detractor"}}
    start = time.perf_counter()
    for _ in range(rounds):
        decision = route(definition, facts)
    per = (time.perf_counter() - start) / rounds * 1000
    assert decision.rule_name == "last"
    print(f"routing, 50 rules, last one matches: {per:.4f} ms per decision (target ≤ 0.2 ms)")


def bench_sla(rounds: int = 10000) -> None:
    definition = load_definition_or_raise(DEFAULT.read_text())
    choice = choose_policy(definition, {"priority": "high"})
    base = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    instants = [base + timedelta(minutes=37 * i) for i in range(rounds)]
    start = time.perf_counter()
    for instant in instants:
        deadlines(choice, instant)
    per = (time.perf_counter() - start) / rounds * 1000
    print(
        f"SLA due computation (first response 2h + resolution 1d, warn times): "
        f"{per:.4f} ms per ticket (target ≤ 0.1 ms for one due time; this computes four)"
    )


def bench_fire(database_url: str, tickets: int = 300) -> None:
    from sqlalchemy import create_engine, text

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Team, TeamMembership, User
    from webapp.services.tickets import NewTicket, create_ticket, fire

    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade()
        team = Team(slug="customer-care", name="Care")
        db.session.add_all([team, Team(slug="product-quality", name="Quality")])
        agent = User(
            email="bench@example.com",
            name="Bench",
            password_hash="!",  # noqa: S106  (no login: an unusable hash)
            working_hours={},
            capacity=100000,
        )
        db.session.add_all([agent, TeamMembership(team=team, user=agent)])
        db.session.commit()
        ids = []
        for i in range(tickets):
            ticket = create_ticket(NewTicket(subject=f"bench {i}", customer_locale="en"))
            db.session.commit()
            ids.append(ticket.id)
        from webapp.models import Ticket

        timings = []
        for ticket_id in ids:
            db.session.expire_all()
            ticket = db.session.get(Ticket, ticket_id)
            start = time.perf_counter()
            fire(ticket, "start", agent)
            db.session.commit()
            timings.append((time.perf_counter() - start) * 1000)
        label = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        print(
            f"fire+commit on {label}: p50 {statistics.median(timings):.2f} ms, "
            f"p95 {percentile(timings, 0.95):.2f} ms, "
            f"{1000 / statistics.mean(timings):.0f} per second "
            f"(target p50 ≤ 5 ms on PostgreSQL)"
        )
        db.engine.dispose()


if __name__ == "__main__":
    bench_routing()
    bench_sla()
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        bench_fire(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with tempfile.TemporaryDirectory() as tmp:
        bench_fire(f"sqlite:///{tmp}/bench.db")
