"""No staff page's query count grows with the rows it shows.

Every GET page of the staff side is loaded with the demo data, then again after the
data has grown several times over: more tickets (with notes, labels, watchers, e-mails
and webhook deliveries), more colleagues in the teams, more canned replies, published forms
and audit entries. A page that loads something per row (N+1) shows up as a larger count.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from tests.helpers import csrf_token, make_ticket
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import CannedReply, Role, Team, TeamMembership, Ticket, User
from webapp.services import audit
from webapp.services.forms import publish_form
from webapp.services.notes import add_note
from webapp.services.tickets import add_label
from webapp.services.watchers import follow
from webapp.services.webhooks import create_webhook

GROWTH = 12  # more of everything: an N+1 adds at least this many queries
# What a page may legitimately add as data grows (e.g. a "more" link once a page is full).
TOLERANCE = 2
PUBLIC_BLUEPRINTS = {"public", "static"}
SKIPPED = {"main.healthz", "auth.login", "auth.set_password", "auth.reset_password"}


def _pages(app, real: dict[str, str]) -> list[str]:
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        url = rule.rule
        for name in rule.arguments:
            value = "1" if "int:" + name in rule.rule else real[name]
            url = re.sub(r"<(?:[^:<>]+:)?" + name + r">", value, url)
        urls.append(url)
    return urls


def _grow(first: Ticket) -> None:
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    teams = db.session.scalars(select(Team)).all()
    goal = (Path(__file__).parents[2] / "survey_forms/templates/goal.yaml").read_text()
    for n in range(GROWTH):
        publish_form(f"goal-{n}", goal.replace("slug: goal", f"slug: goal-{n}", 1), admin)
        colleague = User(
            email=f"extra{n}@example.com",
            name=f"Extra {n}",
            role=Role.AGENT,
            locale="pl",
            timezone="Europe/Warsaw",
            languages=["pl"],
            working_hours={},
        )
        colleague.set_password(DEMO_PASSWORD)
        db.session.add(colleague)
        for team in teams:
            db.session.add(TeamMembership(team=team, user=colleague))
        db.session.add(CannedReply(title=f"Reply {n}", locale="pl", body=f"Dzień dobry {n}"))
        db.session.flush()
        ticket = make_ticket(subject=f"Problem {n}", customer_email=f"c{n}@example.pl")
        for target in (ticket, first):
            add_note(target, f"Note {n}", admin)
            add_label(target, f"label-{n}", admin)
            follow(target, colleague, ["resolved"], admin)
        audit.record("team.renamed", teams[0], teams[0].name, actor=admin)
        db.session.commit()


def _counts(client, urls, count_queries) -> dict[str, int]:
    counts = {}
    for url in urls:
        with count_queries() as statements:
            reply = client.get(url)
        assert reply.status_code < 500, url
        counts[url] = len(statements)
    return counts


def test_no_staff_page_loads_rows_one_by_one(app, demo_data, client, count_queries):
    first = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    create_webhook("Sink", "https://hooks.example.com/x", ["ticket.created"], admin)
    make_ticket(subject="Delivered to the webhook")  # page 1 of its deliveries is not empty
    real = {
        "number": first.number,
        "state": first.state,
        "template": "ticket_confirmation",
        "locale": "pl",
        "slug": "nps",
        "question_id": "score",
        "index": "0",
    }
    client.post(
        "/login",
        data={
            "email": "admin@loopdesk.test",
            "password": DEMO_PASSWORD,
            "csrf_token": csrf_token(app, client),
        },
    )
    urls = _pages(app, real)
    _counts(client, urls, count_queries)  # warm the caches (definitions, versions)
    few = _counts(client, urls, count_queries)
    _grow(first)
    many = _counts(client, urls, count_queries)
    grown = [
        f"{url}: {few[url]} -> {many[url]} queries"
        for url in urls
        if many[url] > few[url] + TOLERANCE
    ]
    assert not grown, "\n".join(grown)
