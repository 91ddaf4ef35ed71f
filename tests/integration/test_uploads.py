"""Screenshots: checked by content, stored outside static/, served to staff only."""

import io

import pytest
import yaml
from sqlalchemy import select

from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import Response, ResponseFile, Team
from webapp.services.forms import publish_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {
    "slug": "shots",
    "languages": ["en"],
    "title": {"en": "Shots"},
    "creates_ticket": True,
    "questions": [
        {"id": "screenshot", "type": "file", "required": False, "text": {"en": "A screenshot?"}},
        {"id": "email", "type": "email", "text": {"en": "E-mail?"}},
    ],
}


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0, "UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def shots(app):
    db.session.add_all(
        [Team(slug="customer-care", name="Care"), Team(slug="product-quality", name="Q")]
    )
    publish_form("shots", yaml.safe_dump(FORM))
    db.session.commit()


def upload(customer, data: bytes, name: str):
    reply = customer.client.post(
        "/f/shots/answer",
        data={
            "step": customer.field("step"),
            "question": "screenshot",
            "lang": "en",
            "value": (io.BytesIO(data), name),
        },
        headers={"HX-Request": "true"},
        content_type="multipart/form-data",
    )
    # Werkzeug's test client spools a large body to a temporary file it never closes.
    reply.request.environ["wsgi.input"].close()
    return reply


def test_a_png_is_stored_and_only_staff_can_open_it(app, client, shots, login, agent, tmp_path):
    customer = Respondent(client, "shots", True)
    reply = upload(customer, PNG, "../../etc/passwd.png")
    assert reply.status_code == 200
    stored = db.session.scalar(select(ResponseFile))
    assert stored.content_type == "image/png" and stored.filename == "passwd.png"  # no folders
    assert (tmp_path / "uploads" / stored.storage_key).read_bytes() == PNG
    anonymous = app.test_client().get(f"/files/{stored.id}")
    assert anonymous.status_code == 302
    login(agent)
    served = client.get(f"/files/{stored.id}")
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    served.close()


def test_type_is_checked_by_content_not_by_name(client, shots):
    customer = Respondent(client, "shots", True)
    reply = upload(customer, b"<html><script>alert(1)</script></html>", "innocent.png")
    assert reply.status_code == 422
    assert "Please upload an image" in reply.get_data(as_text=True)
    assert db.session.scalar(select(ResponseFile)) is None


def test_files_over_5_mb_are_refused(client, shots):
    customer = Respondent(client, "shots", True)
    reply = upload(customer, PNG + b"\x00" * (5 * 1024 * 1024), "big.png")
    assert reply.status_code in (413, 422)
    assert db.session.scalar(select(ResponseFile)) is None


def test_skip_never_keeps_a_file_chosen_meanwhile(client, shots):
    customer = Respondent(client, "shots", True)
    reply = customer.client.post(
        "/f/shots/answer",
        data={
            "step": customer.field("step"),
            "question": "screenshot",
            "lang": "en",
            "skip": "1",  # the Skip button; the file input still holds a picture
            "value": (io.BytesIO(PNG), "private.png"),
        },
        headers={"HX-Request": "true"},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 200 and "E-mail?" in reply.get_data(as_text=True)
    assert db.session.scalar(select(ResponseFile)) is None
    assert db.session.scalar(select(Response)).answers == {"screenshot": None}


def send_too_large(app, customer, htmx: bool):
    """A screenshot over the request limit (lowered to 4 KB), as the customer's browser sends it."""
    app.config["MAX_CONTENT_LENGTH"] = 4096
    reply = customer.client.post(
        "/f/report-problem/answer",
        data={
            "step": customer.field("step"),
            "question": "screenshot",
            "lang": "pl",
            "value": (io.BytesIO(PNG + b"\x00" * 8192), "zrzut.png"),
        },
        headers={"HX-Request": "true"} if htmx else {},
        content_type="multipart/form-data",
    )
    reply.request.environ["wsgi.input"].close()  # the test client spools the body to a file
    return reply


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_file_too_large_to_read_is_refused_at_its_question(app, client, builtin_forms, htmx):
    """Over the request limit the body cannot be read: the cookie finds the conversation."""
    customer = Respondent(client, "report-problem", htmx, lang="pl")
    customer.answer("payment")
    customer.answer("Karta odrzucona")
    customer.answer("")  # no page address
    assert customer.question == "screenshot"
    reply = send_too_large(app, customer, htmx)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Plik jest większy niż 5 MB." in html
    assert 'name="question" value="screenshot"' in html
    assert db.session.scalar(select(Response)).answers["description"] == "Karta odrzucona"


def test_an_agent_limited_to_their_teams_opens_only_their_tickets_files(
    app, client, shots, login, create_user, post_form
):
    from webapp.models import TeamMembership, Ticket, TicketAccess

    customer = Respondent(app.test_client(), "shots", True)
    customer.html = upload(customer, PNG, "shot.png").get_data(as_text=True)
    customer.answer("jan@example.com")  # the last question: the ticket is created
    stored = db.session.scalar(select(ResponseFile))
    ticket_id = db.session.get(Response, stored.response_id).ticket_id
    assert ticket_id is not None
    ticket = db.session.get(Ticket, ticket_id)
    other_team = Team(slug="billing", name="Billing")
    limited = create_user(email="lim@example.com", name="Lim")
    limited.ticket_access = TicketAccess.TEAMS
    db.session.add_all([other_team, TeamMembership(team=other_team, user=limited)])
    db.session.commit()
    login(limited)
    assert client.get(f"/files/{stored.id}").status_code == 404
    ticket.team_id = other_team.id
    db.session.commit()
    served = client.get(f"/files/{stored.id}")
    assert served.status_code == 200 and served.data == PNG
    served.close()
