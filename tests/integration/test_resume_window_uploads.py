"""A file too large to read, sent in a conversation left longer than the resume window:
it starts over with the note, like any other answer sent to it, not at the old question."""

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_conversation_pages import Respondent
from tests.integration.test_resume_window import last_answered
from tests.integration.test_uploads import send_too_large
from webapp.extensions import db
from webapp.models import Response


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def at_the_screenshot(client, htmx: bool) -> Respondent:
    customer = Respondent(client, "report-problem", htmx, lang="pl")
    customer.answer("payment")
    customer.answer("Karta odrzucona")
    customer.answer("")  # no page address
    assert customer.question == "screenshot"
    return customer


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_too_large_file_after_the_resume_window_starts_over_with_the_note(
    app, client, builtin_forms, htmx
):
    customer = at_the_screenshot(client, htmx)
    last_answered(31)
    reply = send_too_large(app, customer, htmx)
    if htmx:
        assert reply.status_code == 204
        target = reply.headers["HX-Redirect"]
    else:
        assert reply.status_code == 303
        target = reply.headers["Location"]
    assert "resume=expired" in target and "new=1" in target
    assert "ld_r_report-problem=;" in reply.headers["Set-Cookie"]  # the old one is let go
    page = client.get(target + "&lang=pl")
    assert "Witamy ponownie!" in text_of(page) and "Plik jest większy" not in text_of(page)
    response = db.session.scalar(select(Response))
    assert response.completed_at is None  # kept as the partial response it is
    assert response.answers["description"] == "Karta odrzucona"


def test_within_the_window_the_file_is_still_refused_at_its_question(app, client, builtin_forms):
    customer = at_the_screenshot(client, True)
    last_answered(29)
    reply = send_too_large(app, customer, True)
    assert reply.status_code == 422
    assert "Plik jest większy niż 5 MB." in reply.get_data(as_text=True)
