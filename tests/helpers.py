"""Helpers for tests: CSRF tokens, visible text, service requirements."""

from __future__ import annotations

import os
import re
import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...); each gets its own
# PostgreSQL database and Redis database, since every test empties them.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(XDIST_WORKER.removeprefix("gw") or 0)


def _redis_url_of_this_worker(url: str | None) -> str | None:
    """`url` with its database number moved down by the worker's index (never onto 0,
    the database other programs use by default)."""
    if not url or not WORKER_INDEX:
        return url
    base, _, number = url.rpartition("/")
    start = int(number) if number.isdigit() else 0
    moved = start - WORKER_INDEX if start - WORKER_INDEX >= 1 else start + WORKER_INDEX
    return f"{base}/{moved}" if number.isdigit() else f"{url.rstrip('/')}/{moved}"


TEST_REDIS_URL = _redis_url_of_this_worker(os.environ.get("TEST_REDIS_URL"))
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"


def require_redis() -> str:
    """The test Redis URL; in CI a missing Redis is a failure, never a silent skip."""
    if TEST_REDIS_URL:
        return TEST_REDIS_URL
    if IN_CI:
        pytest.fail("TEST_REDIS_URL is not set in CI")
    pytest.skip("needs a real Redis: set TEST_REDIS_URL")


def csrf_token(app: Flask, client: FlaskClient) -> str:
    """A valid CSRF token for `client`'s session, as the page would embed it."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def text_of(response) -> str:
    """The visible text of an HTML response, tags stripped, whitespace folded."""
    html = response.get_data(as_text=True)
    html = html.replace("<wbr>", "")  # a place a line may break, not a space
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # A ticket number's no-wrap span is no word boundary: "on LD-1001:" reads as one.
    html = re.sub(r'<span class="ticket-number">([^<]*)</span>', r"\1", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def make_ticket(**fields):
    """A Polish detractor's committed ticket (routed by the active workflow); override any field."""
    from webapp.extensions import db
    from webapp.services.tickets import NewTicket, create_ticket

    base = {
        "subject": "Płatność nie działa",
        "customer_name": "Jan",
        "customer_email": "jan@example.pl",
        "customer_locale": "pl",
        "form_slug": "nps",
        "answers": {"nps": 2},
        "score": {"type": "nps", "value": 2, "category": "detractor"},
    }
    ticket = create_ticket(NewTicket(**{**base, **fields}))
    db.session.commit()
    return ticket


def completed_response(
    slug: str,
    answers: dict,
    *,
    ago=None,
    locale: str = "en",
    channel: str = "web",
    done: bool = True,
) -> None:
    """A committed response to the active version of form `slug`, finished `ago` (default a
    minute) or left half way (`done=False`), as the customer's path saves it."""
    from datetime import timedelta

    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Form, FormVersion, Response, utcnow

    form, version_id = db.session.execute(
        select(Form, FormVersion.id)
        .join(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.slug == slug)
    ).one()
    moment = utcnow() - (ago if ago is not None else timedelta(minutes=1))
    db.session.add(
        Response(
            form=form,
            form_version_id=version_id,
            locale=locale,
            channel=channel,
            answers=answers,
            started_at=moment - timedelta(minutes=2),
            completed_at=moment if done else None,
        )
    )
    db.session.commit()


def stored_file(app: Flask, response, filename: str, content: bytes, key: str):
    """A file the customer uploaded with `response` (to its first text question), on disk
    in the upload folder as the form stores it; its path."""
    from pathlib import Path

    from webapp.extensions import db
    from webapp.models import ResponseFile

    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(content)
    db.session.add(
        ResponseFile(
            response_id=response.id,
            question_id="what_went_wrong",
            filename=filename,
            content_type="image/png",
            size=len(content),
            storage_key=key,
        )
    )
    return folder / key


def survey_and_mail_from(ticket, email: str, subject: str) -> None:
    """A satisfaction survey scheduled for `ticket` and an e-mail its customer sent to it."""
    from datetime import timedelta

    from webapp.extensions import db
    from webapp.models import InboundEmail, SurveyInvitation, SurveyStatus, utcnow

    db.session.add(
        SurveyInvitation(
            ticket_id=ticket.id,
            form_slug="csat",
            status=SurveyStatus.SCHEDULED,
            due_at=utcnow() + timedelta(days=1),
        )
    )
    db.session.add(
        InboundEmail(
            message_id=f"<{ticket.id}@mail.example>",
            ticket_id=ticket.id,
            sender=email,
            subject=subject,
            outcome="added",
        )
    )


def ticket_events(ticket, kind: str) -> list:
    """The ticket's history events of one kind, oldest first."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import TicketEvent

    return db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        .order_by(TicketEvent.id)
    ).all()


# -- the JSON API ---------------------------------------------------------------------------


def api_token(name: str = "CRM", scope: str = "read_write") -> str:
    """A committed API token for an integration called `name` (TokenScope: "read" or
    "read_write"); its secret value."""
    from webapp.extensions import db
    from webapp.services import api_tokens

    _, value = api_tokens.create_token(name, scope, None)
    db.session.commit()
    return value


def bearer(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


def api_error(response, status: int, code: str) -> str:
    """Assert the API's JSON error (`status`, `code`, some words); its message."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]["message"]
