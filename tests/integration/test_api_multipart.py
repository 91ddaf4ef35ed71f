"""A reply's files through the API as multipart/form-data, as help-desk APIs take attachments:
the same reply, limits, error codes and statuses as the JSON body with base64, the same token
auth, no CSRF token (a bearer token is no cookie a forged form could carry)."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select

from tests.helpers import api_error, api_token, bearer, make_ticket, text_of, ticket_events
from webapp.extensions import db
from webapp.models import OutboxMessage, TokenScope
from webapp.services.uploads import MAX_FILE_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def app_config() -> dict:
    return {"API_RATE_LIMIT": "10000 per minute"}


def _reply(client, ticket, fields: dict, headers: dict | None = None):
    """POST a multipart reply, as curl -F or requests' files= send it."""
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        data=fields,
        content_type="multipart/form-data",
        headers=headers if headers is not None else bearer(api_token()),
    )
    # Werkzeug's test client spools a large body to a temporary file it never closes.
    response.request.environ["wsgi.input"].close()
    return response


def test_files_sent_as_form_parts_go_with_the_e_mail_and_onto_the_status_page(client, app):
    assert app.config["WTF_CSRF_ENABLED"] is not False  # no CSRF token is sent: exempt
    ticket = make_ticket()
    response = _reply(
        client,
        ticket,
        {
            "text": "Dzień dobry {name}, w załączniku paragon.",
            "files": [(BytesIO(PNG), "zrzut ekranu.png"), (BytesIO(PDF), "paragon.pdf")],
            "nonce": "0123456789abcdef0123456789abcdef",
            "version": str(ticket.version),
        },
        bearer(api_token("CRM")),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["author"] == "API: CRM" and body["emailed"] is True
    assert body["text"] == "Dzień dobry Jan, w załączniku paragon."
    assert [(f["name"], f["content_type"]) for f in body["files"]] == [
        ("zrzut ekranu.png", "image/png"),
        ("paragon.pdf", "application/pdf"),
    ]
    assert client.get(body["files"][1]["url"], headers=bearer(api_token())).data == PDF
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_key.like("public_reply:%"))
    )
    assert mail.attachments == [f["id"] for f in body["files"]]
    status = text_of(client.get(f"/t/{ticket.status_token}"))
    assert "zrzut ekranu.png" in status and "paragon.pdf" in status

    again = _reply(  # the same nonce: sent once, as in JSON
        client,
        ticket,
        {"text": "Dzień dobry", "nonce": "0123456789abcdef0123456789abcdef"},
    )
    api_error(again, 409, "duplicate_reply")


def test_files_may_come_as_files_brackets_and_the_text_alone_is_a_reply(client):
    ticket = make_ticket()
    response = _reply(client, ticket, {"text": "Hi", "files[]": [(BytesIO(PNG), "a.png")]})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert [f["name"] for f in response.get_json()["files"]] == ["a.png"]
    plain = _reply(client, ticket, {"text": "Anything else?"})
    assert plain.status_code == 201 and "files" not in plain.get_json()


def _png(name: str = "a.png"):
    return (BytesIO(PNG), name)


@pytest.mark.parametrize(
    "fields, status, code",
    [
        ({"text": "Hi", "files": [(BytesIO(b"MZ\x90\x00" * 8), "setup.png")]}, 415, "file_type"),
        (
            {"text": "Hi", "files": [(BytesIO(b"\x89PNG" + b"0" * MAX_FILE_BYTES), "big.png")]},
            413,
            "file_too_large",
        ),
        ({"text": "Hi", "files": [_png(f"{n}.png") for n in range(6)]}, 400, "bad_files"),
        ({"text": "Hi", "files": [(BytesIO(b""), "empty.png")]}, 400, "empty_file"),
        ({"text": "Hi", "files": "iVBORw0KGgo="}, 400, "bad_files"),  # text, not a file
        ({"text": "Hi", "attachment": [_png()]}, 400, "bad_files"),  # a name we do not read
        ({"files": [_png()]}, 400, "empty_reply"),
        ({"files": [(BytesIO(b"MZ"), "x.exe")]}, 400, "empty_reply"),  # checked in JSON's order
        ({"text": "   ", "files": [_png()]}, 400, "empty_reply"),
        ({"text": "Hi", "files": [_png()], "version": "seven"}, 400, "bad_version"),
        ({"text": "Hi", "files": [_png()], "version": "9" * 5000}, 400, "bad_version"),
        ({"text": "Hi", "files": [_png()], "version": "999"}, 409, "conflict"),
        ({"text": "Hi", "files": [_png()], "nonce": "x"}, 400, "bad_nonce"),
    ],
)
def test_a_refused_form_reply_sends_nothing_and_says_why_as_json_would(
    client, fields, status, code
):
    ticket = make_ticket()
    api_error(_reply(client, ticket, fields), status, code)
    assert ticket_events(ticket, "public_reply") == []
    assert not db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.message_key.like("public_reply:%"))
    ).all()


def test_a_form_reply_needs_a_read_write_token_and_never_a_cookie(client, login, create_user):
    ticket = make_ticket()
    fields = {"text": "Hi", "files": [_png()]}
    api_error(_reply(client, ticket, fields, headers={}), 401, "invalid_token")
    read_only = bearer(api_token("BI", TokenScope.READ))
    api_error(
        _reply(client, ticket, fields | {"files": [_png()]}, read_only), 403, "read_only_token"
    )
    # A signed-in admin's browser (its cookie, no token): the API does not know it.
    login(create_user(email="root@example.com", role="admin"))
    api_error(_reply(client, ticket, {"text": "Hi", "files": [_png()]}, {}), 401, "invalid_token")
    assert ticket_events(ticket, "public_reply") == []


def test_a_body_over_the_limit_or_broken_is_a_json_error_not_a_crash(client):
    ticket = make_ticket()
    url = f"/api/v1/tickets/{ticket.number}/replies"
    headers = bearer(api_token())
    for content_type, raw in (
        ("multipart/form-data", b"--x\r\n"),  # no boundary said
        ("multipart/form-data; boundary=x", b"garbage"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="te'),
    ):
        response = client.post(url, data=raw, content_type=content_type, headers=headers)
        assert response.is_json and 400 <= response.status_code < 500, (raw, response.status)
    huge = [(BytesIO(b"\x89PNG" + b"0" * (MAX_FILE_BYTES - 8)), f"{n}.png") for n in range(7)]
    api_error(_reply(client, ticket, {"text": "Hi", "files": huge}), 413, "too_large")
    assert ticket_events(ticket, "public_reply") == []


def test_the_openapi_description_offers_the_form_with_file_parts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    body = spec["paths"]["/tickets/{number}/replies"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    form = body["multipart/form-data"]["schema"]
    assert form["required"] == ["text"]
    assert form["properties"]["files"]["items"]["contentMediaType"] == "application/octet-stream"
