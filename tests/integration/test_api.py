"""The JSON API for integrations: bearer tokens, tickets, notes, labels, form responses."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import api_error, api_token, bearer, make_ticket, text_of
from webapp.extensions import db
from webapp.models import (
    ApiToken,
    Form,
    FormVersion,
    OutboxMessage,
    Response,
    TicketEvent,
    TokenScope,
    WebhookDelivery,
    utcnow,
)
from webapp.services import api_tokens, webhooks
from webapp.services.notes import add_note
from webapp.services.replies import receive_customer_reply, send_public_reply
from webapp.services.watchers import follow


@pytest.fixture
def app_config() -> dict:
    # The limit is tested on its own below; the sweeps here send more than a minute's worth.
    return {
        "JOB_RETRY_INTERVALS": [0, 0, 0],
        "API_RATE_LIMIT": "10000 per minute",
        "WEBHOOK_LOCAL_NETWORK": True,  # the webhook receiver listens on 127.0.0.1
    }


# -- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ", "Bearer ldk_not-a-real-token", "Basic dXNlcjpwYXNz", "ldk_x"],
)
def test_a_missing_or_unknown_token_is_401_with_a_bearer_challenge(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/tickets", headers=headers)
    api_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in response.headers


def test_a_revoked_token_stops_working_at_once(client, app):
    value = api_token()
    assert client.get("/api/v1/tickets", headers=bearer(value)).status_code == 200
    token = db.session.scalar(select(ApiToken))
    api_tokens.revoke_token(token, None)
    db.session.commit()
    api_error(client.get("/api/v1/tickets", headers=bearer(value)), 401, "invalid_token")


def test_a_session_cookie_is_not_an_api_login(client, login, admin):
    login(admin)
    api_error(client.get("/api/v1/tickets"), 401, "invalid_token")


def _varies_by_cookie(response) -> bool:
    return "cookie" in {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/openapi.json"])
def test_a_token_request_leaves_the_session_alone(client, login, admin, path):
    """The answer depends on the token only: no Vary: Cookie (a cache may share it) and no
    cookie handed out, even to a client that also carries a logged-in session cookie."""
    value = api_token()
    response = client.get(path, headers=bearer(value))
    assert response.status_code == 200
    assert not _varies_by_cookie(response)
    assert "Set-Cookie" not in response.headers

    login(admin)
    response = client.get(path, headers=bearer(value))
    assert response.status_code == 200
    assert not _varies_by_cookie(response)
    assert "Set-Cookie" not in response.headers
    unknown = client.get(path, headers=bearer("ldk_not-a-real-token"))
    assert not _varies_by_cookie(unknown) and "Set-Cookie" not in unknown.headers
    # The pages still vary by the session cookie that says who is logged in.
    assert _varies_by_cookie(client.get("/dashboard"))


def test_use_is_recorded_as_the_tokens_last_use(client):
    value = api_token()
    client.get("/api/v1/tickets", headers=bearer(value))
    db.session.expire_all()
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is not None
    assert utcnow() - token.last_used_at < timedelta(minutes=1)


# -- tickets ----------------------------------------------------------------------------------


def test_tickets_page_newest_first_without_duplicates(client):
    made = [make_ticket(subject=f"Ticket {n}") for n in range(7)]
    value = api_token(scope=TokenScope.READ)
    seen, url, pages = [], "/api/v1/tickets?limit=3", 0
    while url:
        response = client.get(url, headers=bearer(value))
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["data"]) <= 3
        seen += [t["number"] for t in body["data"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert seen == [t.number for t in reversed(made)]


def test_ticket_list_takes_the_boards_filters(client):
    make_ticket(subject="Polish", customer_locale="pl")
    english = make_ticket(subject="English", customer_locale="en")
    value = api_token(scope=TokenScope.READ)
    body = client.get("/api/v1/tickets?language=en", headers=bearer(value)).get_json()
    assert [t["number"] for t in body["data"]] == [english.number]
    assert body["next"] is None
    english.state = "resolved"
    db.session.commit()
    body = client.get("/api/v1/tickets?status=open", headers=bearer(value)).get_json()
    assert [t["subject"] for t in body["data"]] == ["Polish"]  # the dashboard's "open"


@pytest.mark.parametrize(
    "query, code",
    [
        ("limit=0", "bad_limit"),
        ("limit=101", "bad_limit"),
        ("limit=ten", "bad_limit"),
        ("before=-3", "bad_before"),
        ("before=99999999999999999999", "bad_before"),
        ("priority=whenever", "bad_filter"),
        ("sla=maybe", "bad_filter"),
        ("from=yesterday", "bad_filter"),
        ("assignee=me", "bad_filter"),
        ("status=whatever", "bad_filter"),
    ],
)
def test_bad_list_input_is_a_400_that_says_what(client, query, code):
    value = api_token(scope=TokenScope.READ)
    api_error(client.get(f"/api/v1/tickets?{query}", headers=bearer(value)), 400, code)


def test_list_query_count_does_not_grow_with_the_page(client, count_queries):
    for n in range(12):
        ticket = make_ticket(subject=f"T{n}")
        ticket.labels  # noqa: B018
        from webapp.services.tickets import add_label

        add_label(ticket, f"label {n}", None)
        db.session.commit()
    value = api_token(scope=TokenScope.READ)
    client.get("/api/v1/tickets?limit=1", headers=bearer(value))  # warm caches (machines)
    counts = []
    for size in (2, 10):
        with count_queries() as statements:
            response = client.get(f"/api/v1/tickets?limit={size}", headers=bearer(value))
        assert len(response.get_json()["data"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_one_ticket_with_sla_conversation_and_notes_for_read_write(client, agent):
    ticket = make_ticket()
    send_public_reply(ticket, "We are looking into it", agent)
    db.session.commit()
    receive_customer_reply(ticket, "Thanks!")
    db.session.commit()
    add_note(ticket, "Refund pending", agent)
    db.session.commit()

    writer = client.get(f"/api/v1/tickets/{ticket.number}", headers=bearer(api_token()))
    body = writer.get_json()
    assert body["number"] == ticket.number
    assert body["state"] == ticket.state and body["state_label"]
    assert set(body["sla"]) >= {"first_response", "resolution", "policy"}
    assert body["sla"]["first_response"]["met_at"] is not None  # the reply met it
    assert body["sla"]["resolution"]["due_at"] is not None
    assert [(e["kind"], e["text"]) for e in body["conversation"]] == [
        ("public_reply", "We are looking into it"),
        ("customer_reply", "Thanks!"),
    ]
    assert [(e["author"], e["text"]) for e in body["notes"]] == [("Ada Agent", "Refund pending")]
    assert body["answers"] == {"nps": 2}

    reader = client.get(
        f"/api/v1/tickets/{ticket.number}", headers=bearer(api_token("BI", TokenScope.READ))
    ).get_json()
    assert "notes" not in reader  # internal talk only for read_write tokens
    assert len(reader["conversation"]) == 2


@pytest.mark.parametrize("number", ["LD-999999", "nonsense", "LD-1", "LD-99999999999999999999"])
def test_an_unknown_ticket_is_404(client, number):
    response = client.get(f"/api/v1/tickets/{number}", headers=bearer(api_token()))
    api_error(response, 404, "ticket_not_found")


# -- writes -----------------------------------------------------------------------------------


def test_a_note_through_the_api_acts_like_a_workspace_note(
    app, client, login, admin, create_user, receiver, run_jobs
):
    watcher = create_user(email="bea@example.com", name="Bea")
    ticket = make_ticket()
    follow(ticket, watcher, ["note"], None)
    webhooks.create_webhook("Hooks", receiver.url, ["note.added"], None)
    db.session.commit()

    response = client.post(
        f"/api/v1/tickets/{ticket.number}/notes",
        json={"text": "Customer is a VIP in the CRM"},
        headers=bearer(api_token("CRM")),
    )
    assert response.status_code == 201
    assert response.get_json()["author"] == "API: CRM"

    login(admin)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "API: CRM wrote an internal note: Customer is a VIP in the CRM" in page
    notified = db.session.scalar(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "watchers_notified"
        )
    )
    assert notified.data["to"] == ["Bea"] and notified.data["event"] == "note"
    # Bea's notice names the integration as the history does, not as if a person wrote it.
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "bea@example.com")
    )
    assert "API: CRM" in mail.body_text
    (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
    assert delivery.event == "note.added"
    _deliver(app, run_jobs)
    (payload,) = receiver.payloads()
    assert payload["data"] == {"author": "CRM", "text": "Customer is a VIP in the CRM"}


def test_a_colleague_mentioned_in_an_api_note_is_told_it_came_from_the_integration(
    client, create_user
):
    from webapp.models import InboxNotification

    ola = create_user(email="ola@example.com", name="Ola")
    ticket = make_ticket()
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/notes",
        json={"text": "@ola please call them back"},
        headers=bearer(api_token("CRM")),
    )
    assert response.status_code == 201
    entry = db.session.scalar(select(InboxNotification).where(InboxNotification.user_id == ola.id))
    assert entry.event == "mention" and entry.context["actor_name"] == "API: CRM"
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "ola@example.com")
    )
    assert mail is None or "API: CRM" in mail.body_text


def _deliver(app, run_jobs) -> None:
    from jobs.webhooks import relay_pending_deliveries

    if app.config.get("REDIS_URL"):
        run_jobs()
        return
    later = (utcnow() + timedelta(days=1)).isoformat()
    for _ in range(5):
        if not relay_pending_deliveries(later):
            return


def test_a_label_through_the_api_is_in_the_history_once(client, login, admin):
    ticket = make_ticket()
    value = api_token()
    url = f"/api/v1/tickets/{ticket.number}/labels"
    first = client.post(url, json={"label": "VIP"}, headers=bearer(value))
    assert first.status_code == 201 and first.get_json()["added"] is True
    again = client.post(url, json={"label": "vip"}, headers=bearer(value))
    assert again.status_code == 200 and again.get_json()["added"] is False
    assert again.get_json()["labels"].count("VIP") == 1
    login(admin)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert page.count("API: CRM added the label “VIP”.") == 1


def test_a_stale_version_is_a_409_and_changes_nothing(client):
    ticket = make_ticket()
    value = api_token()
    stale = ticket.version - 1 if ticket.version > 1 else ticket.version + 5
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/notes",
        json={"text": "late", "version": stale},
        headers=bearer(value),
    )
    api_error(response, 409, "conflict")
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/labels",
        json={"label": "late", "version": stale},
        headers=bearer(value),
    )
    api_error(response, 409, "conflict")
    db.session.expire_all()
    kinds = db.session.scalars(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
    ).all()
    assert "note" not in kinds and "late" not in [label.name for label in ticket.labels]
    ok = client.post(
        f"/api/v1/tickets/{ticket.number}/notes",
        json={"text": "on time", "version": ticket.version},
        headers=bearer(value),
    )
    assert ok.status_code == 201


def test_a_read_only_token_may_not_write(client):
    ticket = make_ticket()
    value = api_token("BI", TokenScope.READ)
    for path, body in (("notes", {"text": "hi"}), ("labels", {"label": "x"})):
        response = client.post(
            f"/api/v1/tickets/{ticket.number}/{path}", json=body, headers=bearer(value)
        )
        api_error(response, 403, "read_only_token")


@pytest.mark.parametrize(
    "path, body, code",
    [
        ("notes", None, "bad_json"),
        ("notes", [], "bad_json"),
        ("notes", {}, "empty_note"),
        ("notes", {"text": "   "}, "empty_note"),
        ("notes", {"text": 5}, "empty_note"),
        ("notes", {"text": "x" * 10_001}, "note_too_long"),
        ("notes", {"text": "ok", "version": "3"}, "bad_version"),
        ("notes", {"text": "ok", "version": True}, "bad_version"),
        ("notes", {"text": "@nobody-here hi", "mentions": "x"}, None),
        ("labels", {}, "empty_label"),
        ("labels", {"label": ["a"]}, "empty_label"),
        ("labels", {"label": "x" * 65}, "label_too_long"),
    ],
)
def test_bad_write_input_is_a_400_that_says_what(client, path, body, code):
    ticket = make_ticket()
    kwargs = {"data": "not json", "content_type": "application/json"} if body is None else {}
    if body is not None:
        kwargs["json"] = body
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/{path}", headers=bearer(api_token()), **kwargs
    )
    if code is None:
        assert response.status_code == 201
    else:
        api_error(response, 400, code)


@pytest.mark.parametrize(
    "method, path, status, code",
    [
        ("GET", "/api/v1/nothing-here", 404, "not_found"),
        ("GET", "/api/v1/tickets/LD-1001/notes", 405, "method_not_allowed"),
        ("DELETE", "/api/v1/tickets", 405, "method_not_allowed"),
    ],
)
def test_unknown_api_addresses_and_methods_answer_in_json(client, method, path, status, code):
    api_error(client.open(path, method=method, headers=bearer(api_token())), status, code)


def test_writes_need_no_csrf_token_but_a_bearer_token(client):
    ticket = make_ticket()
    response = client.post(f"/api/v1/tickets/{ticket.number}/labels", json={"label": "x"})
    api_error(response, 401, "invalid_token")


# -- form responses ---------------------------------------------------------------------------


@pytest.fixture
def nps_responses(builtin_forms):
    form = db.session.scalar(select(Form).where(Form.slug == "nps"))
    version = db.session.scalar(
        select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.active.is_(True))
    )
    now = utcnow()
    rows = []
    for n in range(5):
        rows.append(
            Response(
                form_id=form.id,
                form_version_id=version.id,
                locale="en",
                answers={"score": n * 2},
                completed_at=now if n != 2 else None,
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return form, rows


def test_form_responses_page_with_answers_score_and_status(client, nps_responses):
    form, rows = nps_responses
    value = api_token(scope=TokenScope.READ)
    seen, url = [], f"/api/v1/forms/{form.slug}/responses?limit=2"
    while url:
        body = client.get(url, headers=bearer(value)).get_json()
        seen += body["data"]
        url = body["next"]
    assert [r["id"] for r in seen] == [r.id for r in reversed(rows)]
    newest = seen[0]
    assert newest["answers"] == {"score": 8} and newest["completed"] is True
    assert newest["score"]["type"] == "nps" and newest["score"]["value"] == 8
    assert newest["spam"] is False

    unfinished = client.get(
        f"/api/v1/forms/{form.slug}/responses?status=unfinished", headers=bearer(value)
    ).get_json()
    assert [r["id"] for r in unfinished["data"]] == [rows[2].id]
    api_error(
        client.get(f"/api/v1/forms/{form.slug}/responses?status=half", headers=bearer(value)),
        400,
        "bad_filter",
    )
    api_error(
        client.get("/api/v1/forms/nope/responses", headers=bearer(value)), 404, "form_not_found"
    )


# -- description, rate limit --------------------------------------------------------------------


def _described(rule: str) -> str:
    """A Flask rule as OpenAPI writes its path: /tickets/<int:file_id> is /tickets/{file_id}."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_the_openapi_description_lists_every_endpoint(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {
        "/tickets",
        "/tickets/{number}",
        "/tickets/{number}/notes",
        "/tickets/{number}/labels",
        "/tickets/{number}/transitions",
        "/tickets/{number}/replies",
        "/tickets/{number}/assignee",
        "/tickets/{number}/files/{file_id}",
        "/agents",
        "/forms/{slug}/responses",
        "/openapi.json",
    }
    schemas = spec["components"]["schemas"]
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(spec))
    assert refs and all(name in schemas for name in refs)
    routes = {
        _described(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(spec["paths"])
    # Each route's methods are the ones described, each with its errors.
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = _described(rule.rule)
        methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
        assert set(spec["paths"][path]) == methods, path
        for method in methods:
            if method in ("post", "put"):
                operation = spec["paths"][path][method]
                assert operation["requestBody"]["required"] is True
                assert {"400", "401", "403", "404", "409"} <= set(operation["responses"])


class TestRateLimit:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"API_RATE_LIMIT": "3 per minute", "RATELIMIT_ENABLED": True}

    def test_each_token_has_its_own_limit(self, client):
        busy, quiet = api_token("Busy"), api_token("Quiet")
        codes = [client.get("/api/v1/tickets", headers=bearer(busy)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/tickets", headers=bearer(busy))
        api_error(limited, 429, "rate_limited")
        assert client.get("/api/v1/tickets", headers=bearer(quiet)).status_code == 200


class TestRefusedTokens:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"API_FAILED_TOKEN_LIMIT": "3 per minute", "RATELIMIT_ENABLED": True}

    def test_guessing_tokens_is_throttled_per_address(self, client):
        valid = api_token("CRM")
        ok = client.get("/api/v1/tickets", headers=bearer(valid))
        assert ok.status_code == 200  # good requests do not count
        guesses = [
            client.get("/api/v1/tickets", headers=bearer(f"ldk_guess{n}")).status_code
            for n in range(4)
        ]
        assert guesses == [401, 401, 401, 429]
        # Another address may still try; this one waits out the minute.
        other = client.get(
            "/api/v1/tickets", headers=bearer(valid), environ_base={"REMOTE_ADDR": "10.0.0.9"}
        )
        assert other.status_code == 200


JUNK = ["x", "0", "-1", "LD-0", "99999999999999999999", "%00", "<script>", "ł", "a" * 500]


def test_junk_in_every_api_route_is_never_a_server_error(app, client):
    make_ticket()
    value = api_token()
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for junk in JUNK:
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<{arg}>", junk)
            for method in rule.methods & {"GET", "POST"}:
                for query in ("", f"?before={junk}&limit={junk}&status={junk}&q={junk}"):
                    response = client.open(
                        url + query,
                        method=method,
                        headers=bearer(value),
                        json={"text": junk, "label": junk, "version": junk},
                    )
                    if response.status_code >= 500 or not response.is_json:
                        failures.append(f"{method} {url}{query} -> {response.status_code}")
    assert not failures, "\n".join(failures[:20])
