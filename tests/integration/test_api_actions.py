"""The API acts on tickets as an agent would: transitions, replies, assignment; and lists agents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import api_error, api_token, bearer, make_ticket, text_of, ticket_events
from webapp.extensions import db
from webapp.models import (
    InboxNotification,
    OutboxMessage,
    Team,
    TeamMembership,
    TokenScope,
    WebhookDelivery,
    WorkflowKind,
    utcnow,
)
from webapp.services import webhooks
from webapp.services.watchers import follow
from webapp.services.workflow_versions import SHIPPED, publish_version


@pytest.fixture
def app_config() -> dict:
    return {"API_RATE_LIMIT": "10000 per minute", "WEBHOOK_LOCAL_NETWORK": True}


@pytest.fixture
def people(app, create_user):
    """Customer Care (Anna, who speaks Polish and leads it, and Boris) and Ann, an admin."""
    care = Team(slug="customer-care", name="Customer Care")
    quality = Team(slug="product-quality", name="Product Quality")
    db.session.add_all([care, quality])
    anna = create_user(email="anna@example.com", name="Anna", languages=["pl", "en"])
    boris = create_user(email="boris@example.com", name="Boris", languages=["ru", "en"])
    admin = create_user(email="admin@example.com", name="Ann Admin", role="admin")
    db.session.add(TeamMembership(team=care, user=anna, is_lead=True))
    db.session.add(TeamMembership(team=care, user=boris))
    db.session.commit()
    return {"anna": anna, "boris": boris, "admin": admin, "care": care, "quality": quality}


def _history(client, login, admin, ticket) -> str:
    login(admin)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    client.post("/logout")
    return page


def _hooks(receiver, *events: str) -> None:
    webhooks.create_webhook("Hooks", receiver.url, list(events), None)
    db.session.commit()


def _deliveries(event: str) -> list[WebhookDelivery]:
    return db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == event)).all()


# -- transitions ------------------------------------------------------------------------------


def test_the_ticket_lists_the_transitions_available_now(client, people):
    ticket = make_ticket()  # routed to Customer Care, assigned to Anna
    assert ticket.state == "assigned"
    body = client.get(f"/api/v1/tickets/{ticket.number}", headers=bearer(api_token())).get_json()
    assert body["assignee_email"] == "anna@example.com"
    assert {(t["id"], t["label"], t["to_state"]) for t in body["transitions"]} == {
        ("start", "Start work", "in_progress"),
        ("resolve", "Resolve", "resolved"),
    }
    assert all(t["to_state_label"] for t in body["transitions"])


def test_a_transition_through_the_api_acts_like_the_workspace(
    client, login, people, receiver, create_user
):
    ticket = make_ticket()
    watcher = create_user(email="bea@example.com", name="Bea")
    follow(ticket, watcher, ["transition"], None)
    _hooks(receiver, "ticket.transitioned")
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/transitions",
        json={"transition": "start", "version": ticket.version},
        headers=bearer(api_token("CRM")),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["from_state"], body["to_state"]) == ("assigned", "in_progress")
    assert body["ticket"]["state"] == "in_progress" and body["ticket"]["state_label"]
    assert body["ticket"]["version"] > ticket.version - 1

    # The customer is told in Polish, as when an agent starts work.
    mail = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == "jan@example.pl")
        .order_by(OutboxMessage.id.desc())
    )
    assert mail.locale == "pl" and "W toku" in mail.subject
    (transition,) = ticket_events(ticket, "transition")[-1:]
    assert transition.actor_kind == "api" and transition.data["integration"] == "CRM"
    notified = ticket_events(ticket, "watchers_notified")
    assert notified and notified[-1].data["to"] == ["Bea"]
    assert [d.event for d in _deliveries("ticket.transitioned")] == ["ticket.transitioned"]
    page = _history(client, login, people["admin"], ticket)
    assert "API: CRM moved the ticket from Assigned to In progress." in page


def test_resolving_through_the_api_stops_the_resolution_clock(client, people):
    ticket = make_ticket()
    value = api_token()
    url = f"/api/v1/tickets/{ticket.number}/transitions"
    assert (
        client.post(url, json={"transition": "resolve"}, headers=bearer(value)).status_code == 200
    )
    body = client.get(f"/api/v1/tickets/{ticket.number}", headers=bearer(value)).get_json()
    assert body["state"] == "resolved"
    assert body["sla"]["resolution"]["met_at"] is not None
    assert {t["id"] for t in body["transitions"]} == {"close", "reopen"}


def test_transitions_the_workspace_would_refuse_are_refused_in_words(client, people):
    ticket = make_ticket()
    value = api_token()
    url = f"/api/v1/tickets/{ticket.number}/transitions"

    message = api_error(
        client.post(url, json={"transition": "close"}, headers=bearer(value)),
        409,
        "transition_not_available",
    )
    assert message == "This move is not possible from the ticket's current state."
    api_error(
        client.post(url, json={"transition": "fly"}, headers=bearer(value)),
        400,
        "unknown_transition",
    )
    client.post(url, json={"transition": "start"}, headers=bearer(value))
    message = api_error(
        client.post(url, json={"transition": "ask_customer"}, headers=bearer(value)),
        409,
        "transition_guard_failed",
    )
    assert message == "Reply to the customer first."
    db.session.expire_all()
    assert ticket.state == "in_progress"  # nothing moved on a refusal


def test_a_transition_only_other_roles_may_make_is_refused(client, people):
    text = (
        SHIPPED[WorkflowKind.TICKET]
        .read_text()
        .replace("roles: [assignee, admin]", "roles: [assignee]", 1)
    )
    publish_version(WorkflowKind.TICKET, text, None)
    db.session.commit()
    ticket = make_ticket()
    value = api_token()
    detail = client.get(f"/api/v1/tickets/{ticket.number}", headers=bearer(value)).get_json()
    assert "start" not in {t["id"] for t in detail["transitions"]}
    message = api_error(
        client.post(
            f"/api/v1/tickets/{ticket.number}/transitions",
            json={"transition": "start"},
            headers=bearer(value),
        ),
        409,
        "transition_not_allowed",
    )
    assert message == "Only the assignee can do this."


def test_merged_and_spam_tickets_do_not_move(client, people):
    kept, duplicate, spam = make_ticket(), make_ticket(), make_ticket()
    duplicate.merged_into_id = kept.id
    spam.spam_at = utcnow()
    db.session.commit()
    value = api_token()
    for ticket, code in ((duplicate, "ticket_merged"), (spam, "ticket_spam")):
        detail = client.get(f"/api/v1/tickets/{ticket.number}", headers=bearer(value)).get_json()
        assert detail["transitions"] == []
        message = api_error(
            client.post(
                f"/api/v1/tickets/{ticket.number}/transitions",
                json={"transition": "start"},
                headers=bearer(value),
            ),
            409,
            code,
        )
        if ticket is duplicate:
            assert kept.number in message


def test_a_stale_version_is_a_409_for_every_new_write(client, people):
    ticket = make_ticket()
    stale = ticket.version + 7
    value = api_token()
    base = f"/api/v1/tickets/{ticket.number}"
    for method, path, body in (
        ("POST", "/transitions", {"transition": "start"}),
        ("POST", "/replies", {"text": "Hi"}),
        ("PUT", "/assignee", {"assignee": "boris@example.com"}),
    ):
        response = client.open(
            base + path, method=method, json={**body, "version": stale}, headers=bearer(value)
        )
        api_error(response, 409, "conflict")
    db.session.expire_all()
    assert ticket.state == "assigned" and ticket.assignee.name == "Anna"
    assert ticket_events(ticket, "public_reply") == []


# -- replies ----------------------------------------------------------------------------------


def test_a_reply_through_the_api_reaches_the_customer_like_the_workspaces(
    client, login, people, receiver
):
    ticket = make_ticket()
    assert ticket.first_response_at is None
    _hooks(receiver, "reply.sent")
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        json={"text": "Dzień dobry {name}, naprawiliśmy płatności.", "version": ticket.version},
        headers=bearer(api_token("CRM")),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["author"] == "API: CRM" and body["kind"] == "public_reply"
    assert body["text"] == "Dzień dobry Jan, naprawiliśmy płatności."
    assert body["emailed"] is True

    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.to_address == "jan@example.pl",
            OutboxMessage.message_key.like("public_reply:%"),
        )
    )
    assert mail.locale == "pl"
    assert "Dzień dobry Jan, naprawiliśmy płatności." in mail.body_text
    assert "CRM" in mail.body_text  # signed with the integration's name
    db.session.expire_all()
    assert ticket.first_response_at is not None  # the first-response clock stopped
    status = text_of(client.get(f"/t/{ticket.status_token}"))
    assert "Dzień dobry Jan, naprawiliśmy płatności." in status
    assert [d.event for d in _deliveries("reply.sent")] == ["reply.sent"]
    page = _history(client, login, people["admin"], ticket)
    assert "API: CRM replied to the customer:" in page


def test_a_nonce_sends_a_retried_reply_once(client, people):
    ticket = make_ticket()
    value, nonce = api_token(), "0123456789abcdef0123456789abcdef"
    url = f"/api/v1/tickets/{ticket.number}/replies"
    first = client.post(url, json={"text": "Hello", "nonce": nonce}, headers=bearer(value))
    assert first.status_code == 201
    again = client.post(url, json={"text": "Hello", "nonce": nonce}, headers=bearer(value))
    api_error(again, 409, "duplicate_reply")
    assert len(ticket_events(ticket, "public_reply")) == 1


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_files_sent_with_an_api_reply_go_with_the_e_mail_and_onto_the_status_page(client, people):
    import base64

    ticket = make_ticket()
    url = f"/api/v1/tickets/{ticket.number}/replies"
    encoded = base64.b64encode(PNG).decode()
    response = client.post(
        url,
        json={
            "text": "Zrzut ekranu poprawki.",
            "files": [{"name": "poprawka.png", "content_base64": encoded}],
        },
        headers=bearer(api_token("CRM")),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    (sent,) = response.get_json()["files"]
    assert sent["name"] == "poprawka.png" and sent["content_type"] == "image/png"
    assert client.get(sent["url"], headers=bearer(api_token())).data == PNG
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_key.like("public_reply:%"))
    )
    assert mail.attachments == [sent["id"]]  # attached when the e-mail is sent
    status = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert "poprawka.png" in status


@pytest.mark.parametrize(
    "files, status, code",
    [
        ({"name": "x.png"}, 400, "bad_files"),
        ([{"name": "x.png", "content_base64": "%%%"}], 400, "bad_files"),
        ([{"name": "x.exe", "content_base64": "TVqQAAMAAAAEAAAA"}], 415, "file_type"),
        ([{"name": "big.png", "content_base64": "A" * 7_000_004}], 413, "file_too_large"),
        (
            [{"name": f"{n}.png", "content_base64": "iVBORw0KGgo="} for n in range(6)],
            400,
            "bad_files",
        ),
    ],
)
def test_a_refused_file_sends_nothing_and_says_why(client, people, files, status, code):
    ticket = make_ticket()
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        json={"text": "Hello", "files": files},
        headers=bearer(api_token()),
    )
    api_error(response, status, code)
    assert ticket_events(ticket, "public_reply") == []


@pytest.mark.parametrize("state", ["merged", "spam", "erased"])
def test_replies_the_workspace_refuses_are_refused(client, people, state):
    kept, ticket = make_ticket(), make_ticket()
    if state == "merged":
        ticket.merged_into_id = kept.id
    elif state == "spam":
        ticket.spam_at = utcnow()
    else:
        ticket.customer_erased_at, ticket.customer_email = utcnow(), None
    db.session.commit()
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        json={"text": "Hello"},
        headers=bearer(api_token()),
    )
    code = {"merged": "ticket_merged", "spam": "ticket_spam", "erased": "customer_erased"}
    api_error(response, 409, code[state])
    assert ticket_events(ticket, "public_reply") == []
    assert (
        db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_key.like("public_reply:%"))
        )
        is None
    )


def test_the_workspace_refuses_a_reply_to_an_erased_customer(client, login, post_form, people):
    ticket = make_ticket()
    ticket.customer_erased_at, ticket.customer_email = utcnow(), None
    db.session.commit()
    login(people["anna"])
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    erased = "The customer's data was erased on request: there is no address or status page"
    assert erased in page
    response = post_form(f"/tickets/{ticket.number}/reply", {"text": "Hello"}, htmx=True)
    assert erased in text_of(response)
    assert ticket_events(ticket, "public_reply") == []


# -- assignment -------------------------------------------------------------------------------


def test_assigning_through_the_api_acts_like_the_workspace(client, login, people, receiver):
    ticket = make_ticket()
    _hooks(receiver, "ticket.assigned")
    value = api_token("CRM")
    url = f"/api/v1/tickets/{ticket.number}/assignee"
    response = client.put(url, json={"assignee": "BORIS@example.com"}, headers=bearer(value))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["changed"] is True
    assert (body["ticket"]["assignee"], body["ticket"]["assignee_email"]) == (
        "Boris",
        "boris@example.com",
    )
    # Boris is told, and his inbox names the integration as the history does.
    assert db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "boris@example.com")
    )
    entry = db.session.scalar(
        select(InboxNotification).where(InboxNotification.user_id == people["boris"].id)
    )
    assert entry.context.get("actor_name") == "API: CRM"
    assert len(_deliveries("ticket.assigned")) == 1

    same = client.put(url, json={"assignee": "boris@example.com"}, headers=bearer(value))
    assert same.status_code == 200 and same.get_json()["changed"] is False
    nobody = client.put(url, json={"assignee": None}, headers=bearer(value))
    assert nobody.get_json()["changed"] is True
    assert nobody.get_json()["ticket"]["assignee"] is None
    page = _history(client, login, people["admin"], ticket)
    assert "API: CRM assigned the ticket to Boris." in page
    assert "API: CRM unassigned the ticket." in page
    assert len(ticket_events(ticket, "assigned")) == 3  # routing's, Boris, nobody


def test_assigning_a_new_ticket_moves_it_to_assigned(client, create_user):
    anna = create_user(email="anna@example.com", name="Anna")
    ticket = make_ticket()  # no team exists: routing leaves it new, with nobody
    assert (ticket.state, ticket.assignee_id) == ("new", None)
    response = client.put(
        f"/api/v1/tickets/{ticket.number}/assignee",
        json={"assignee": "anna@example.com"},
        headers=bearer(api_token()),
    )
    assert response.get_json()["ticket"]["state"] == "assigned"
    # The workflow's own `assign` move tells Anna (once).
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == anna.email)
    ).all()
    assert len(mails) == 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, "bad_assignee"),
        ({"assignee": 5}, "bad_assignee"),
        ({"assignee": ["anna@example.com"]}, "bad_assignee"),
        ({"assignee": "  "}, "bad_assignee"),
        ({"assignee": "nobody@example.com"}, "unknown_agent"),
        ({"assignee": "gone@example.com"}, "unknown_agent"),
        ({"assignee": "x" * 100_000 + "@example.com"}, "unknown_agent"),
        ({"assignee": "anna@example.com", "version": "7"}, "bad_version"),
    ],
)
def test_bad_assignees_are_a_400_that_says_what(client, people, create_user, body, code):
    create_user(email="gone@example.com", name="Gone", active=False)
    ticket = make_ticket()
    response = client.put(
        f"/api/v1/tickets/{ticket.number}/assignee", json=body, headers=bearer(api_token())
    )
    api_error(response, 400, code)
    db.session.expire_all()
    assert ticket.assignee.name == "Anna"


# -- agents -----------------------------------------------------------------------------------


def test_agents_with_teams_languages_and_who_is_away(client, people, create_user):
    anna = people["anna"]
    now = utcnow()
    anna.away_from, anna.away_until = now - timedelta(days=1), now + timedelta(days=3)
    anna.away_note = "At a conference"
    boris = people["boris"]  # away later only: colleagues are not shown that yet
    boris.away_from, boris.away_until = now + timedelta(days=10), now + timedelta(days=12)
    create_user(email="gone@example.com", name="Gone", active=False)
    db.session.commit()
    body = client.get("/api/v1/agents", headers=bearer(api_token("BI", TokenScope.READ))).get_json()
    by_email = {a["email"]: a for a in body["data"]}
    assert set(by_email) == {"anna@example.com", "boris@example.com", "admin@example.com"}
    assert by_email["anna@example.com"]["teams"] == [
        {"slug": "customer-care", "name": "Customer Care", "lead": True}
    ]
    assert by_email["anna@example.com"]["languages"] == ["pl", "en"]
    away = by_email["anna@example.com"]["away"]
    assert away["note"] == "At a conference" and away["last_day"] and away["back_at"]
    assert by_email["boris@example.com"]["away"] is None
    assert by_email["admin@example.com"]["role"] == "admin"
    assert body["next"] is None


def test_agents_page_on_and_their_query_count_is_flat(client, people, create_user, count_queries):
    for n in range(12):
        user = create_user(email=f"agent{n}@example.com", name=f"Agent {n}")
        db.session.add(TeamMembership(team=people["care" if n % 2 else "quality"], user=user))
    db.session.commit()
    value = api_token(scope=TokenScope.READ)
    seen, url = [], "/api/v1/agents?limit=4"
    while url:
        body = client.get(url, headers=bearer(value)).get_json()
        seen += [a["email"] for a in body["data"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 15
    counts = []
    for size in (2, 12):
        with count_queries() as statements:
            response = client.get(f"/api/v1/agents?limit={size}", headers=bearer(value))
        assert len(response.get_json()["data"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1]
    api_error(client.get("/api/v1/agents?limit=0", headers=bearer(value)), 400, "bad_limit")
    api_error(client.get("/api/v1/agents", headers=bearer("ldk_nope")), 401, "invalid_token")


# -- tokens and junk --------------------------------------------------------------------------


def test_a_read_only_token_may_not_act(client, people):
    ticket = make_ticket()
    value = api_token("BI", TokenScope.READ)
    base = f"/api/v1/tickets/{ticket.number}"
    for method, path, body in (
        ("POST", "/transitions", {"transition": "start"}),
        ("POST", "/replies", {"text": "Hi"}),
        ("PUT", "/assignee", {"assignee": "boris@example.com"}),
    ):
        response = client.open(base + path, method=method, json=body, headers=bearer(value))
        api_error(response, 403, "read_only_token")
        api_error(client.open(base + path, method=method, json=body), 401, "invalid_token")
    db.session.expire_all()
    assert ticket.state == "assigned" and ticket.assignee.name == "Anna"


JUNK_VALUES = [None, True, 0, -1, 1.5, 10**30, "", " ", "x" * 200_000, [], {}, ["a"], {"a": 1}]


def test_junk_bodies_are_never_a_server_error(client, people):
    ticket = make_ticket()
    value = api_token()
    base = f"/api/v1/tickets/{ticket.number}"
    failures = []
    for method, path, key in (
        ("POST", "/transitions", "transition"),
        ("POST", "/replies", "text"),
        ("PUT", "/assignee", "assignee"),
    ):
        raw_bodies = [b"", b"not json", b"[1,2]", b'"text"', b"\xff\xfe", b"{" * 5000]
        for raw in raw_bodies:
            response = client.open(
                base + path,
                method=method,
                data=raw,
                content_type="application/json",
                headers=bearer(value),
            )
            if response.status_code != 400 or not response.is_json:
                failures.append(f"{method} {path} {raw[:20]!r} -> {response.status_code}")
        for junk in JUNK_VALUES:
            for body in ({key: junk}, {key: "x", "version": junk}, {key: "x", "nonce": junk}):
                response = client.open(base + path, method=method, json=body, headers=bearer(value))
                if response.status_code >= 500 or not response.is_json:
                    failures.append(f"{method} {path} {body!r:.60} -> {response.status_code}")
    assert not failures, "\n".join(failures[:20])


def test_automations_react_to_what_the_api_does(client, login, people):
    """An admin's automations listen to the API's moves, replies and assignments as to an
    agent's: the same events."""
    text = SHIPPED[WorkflowKind.TICKET].read_text() + (
        "  - name: Started\n"
        "    on: ticket.transitioned\n"
        "    when: {field: event.to_state, op: '=', value: in_progress}\n"
        "    do: [add_label: started]\n"
        "  - name: Answered\n"
        "    on: reply.sent\n"
        "    do: [add_label: answered]\n"
        "  - name: Handed over\n"
        "    on: ticket.assigned\n"
        "    do: [add_label: handed-over]\n"
    )
    publish_version(WorkflowKind.TICKET, text, None)
    db.session.commit()
    ticket = make_ticket()
    value = api_token()
    base = f"/api/v1/tickets/{ticket.number}"
    client.post(base + "/transitions", json={"transition": "start"}, headers=bearer(value))
    client.post(base + "/replies", json={"text": "On it"}, headers=bearer(value))
    body = client.put(
        base + "/assignee", json={"assignee": "boris@example.com"}, headers=bearer(value)
    ).get_json()
    assert {"started", "answered", "handed-over"} <= set(body["ticket"]["labels"])
    page = _history(client, login, people["admin"], ticket)
    assert "Automation “Answered” ran." in page


class TestRateLimit:
    @pytest.fixture
    def app_config(self) -> dict:
        return {
            "API_RATE_LIMIT": "2 per minute",
            "API_FAILED_TOKEN_LIMIT": "2 per minute",
            "RATELIMIT_ENABLED": True,
        }

    def test_one_bucket_per_token_across_every_endpoint(self, client, people):
        """Per-endpoint buckets would give a token the limit once per endpoint."""
        ticket = make_ticket()
        busy, quiet = api_token("Busy"), api_token("Quiet")
        base = f"/api/v1/tickets/{ticket.number}"
        assert client.get("/api/v1/agents", headers=bearer(busy)).status_code == 200
        response = client.put(base + "/assignee", json={"assignee": None}, headers=bearer(busy))
        assert response.status_code == 200
        limited = client.post(base + "/replies", json={"text": "Hi"}, headers=bearer(busy))
        api_error(limited, 429, "rate_limited")
        assert 0 < int(limited.headers["Retry-After"]) <= 61  # about a minute
        assert ticket_events(ticket, "public_reply") == []
        moved = client.post(
            base + "/transitions", json={"transition": "start"}, headers=bearer(quiet)
        )
        assert moved.status_code == 200

    def test_refused_tokens_count_across_every_endpoint(self, client, people):
        ticket = make_ticket()
        base = f"/api/v1/tickets/{ticket.number}"
        guesses = [
            client.get("/api/v1/agents", headers=bearer("ldk_guess1")).status_code,
            client.put(base + "/assignee", json={}, headers=bearer("ldk_guess2")).status_code,
            client.post(base + "/replies", json={}, headers=bearer("ldk_guess3")).status_code,
        ]
        assert guesses == [401, 401, 429]
