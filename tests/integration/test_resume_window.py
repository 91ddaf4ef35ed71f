"""A partly answered conversation resumes for FORM_RESUME_DAYS; later it starts over, saying so."""

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from tests.helpers import text_of
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import OutboxMessage, Response
from webapp.models.types import utcnow

NOTE_EN = "Welcome back! Your earlier conversation was left unanswered for more than 30 days"


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def last_answered(days_ago: float) -> None:
    """The customer's last answer was that long ago."""
    db.session.execute(update(Response).values(updated_at=utcnow() - timedelta(days=days_ago)))
    db.session.commit()


def test_a_conversation_left_for_two_weeks_picks_up_where_it_stopped(client, builtin_forms):
    customer = Respondent(client, "nps", True)
    customer.answer("6")
    cookie = customer.last.headers["Set-Cookie"]
    assert re.search(r"Max-Age=(\d+)", cookie).group(1) == str(60 * 24 * 3600)
    last_answered(14)
    again = Respondent(client, "nps", False)
    assert again.question == "what_went_wrong" and NOTE_EN not in text_of(again.page)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_conversation_left_too_long_starts_over_with_a_note_and_keeps_its_answers(
    client, builtin_forms, htmx
):
    customer = Respondent(client, "nps", htmx)
    customer.answer("6")
    last_answered(31)
    again = Respondent(client, "nps", htmx)
    assert again.question == "score"
    assert NOTE_EN in text_of(again.page)
    assert "ld_r_nps=;" in again.page.headers["Set-Cookie"]  # the old one is let go
    again.answer("9")
    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [r.answers.get("score") for r in responses] == [6, 9]
    assert responses[0].completed_at is None  # still counted as the partial response it is
    # Coming back once more: the new conversation, no note.
    later = Respondent(client, "nps", htmx)
    assert later.question != "score" and NOTE_EN not in text_of(later.page)


def test_a_page_left_open_too_long_starts_over_with_a_note(client, builtin_forms):
    customer = Respondent(client, "nps", True, lang="pl")
    customer.answer("6")
    last_answered(31)
    reply = client.post(
        "/f/nps/answer",
        data={"step": customer.field("step"), "question": "what_went_wrong", "value": "Wolno"},
        headers={"HX-Request": "true"},
    )
    assert reply.status_code == 204 and "resume=expired" in reply.headers["HX-Redirect"]
    page = client.get(reply.headers["HX-Redirect"] + "&lang=pl")
    assert "Witamy ponownie!" in text_of(page) and "ponad 30 dni" in text_of(page)
    response = db.session.scalar(select(Response))
    assert response.answers == {"score": 6}  # the late answer did not land in the old one


def test_a_finished_conversation_seen_again_after_the_window_is_a_fresh_start(
    client, builtin_forms
):
    customer = Respondent(client, "goal", True)
    customer.answer("yes")
    assert db.session.scalar(select(Response)).completed_at is not None
    last_answered(40)
    again = Respondent(client, "goal", True)
    assert again.question == "goal" and "Welcome back" not in text_of(again.page)


def resume_link_sent(client, days_ago: float) -> str:
    """The link a continue-later e-mail carried, as if sent `days_ago`."""
    sent = db.session.scalar(select(OutboxMessage))
    link = re.search(r"http\S+/resume/(\S+)", sent.body_text)
    token = link.group(1)
    serializer = URLSafeTimedSerializer(client.application.secret_key, salt="loopdesk-resume")
    then = time.time() - days_ago * 86400
    signer = serializer.make_signer()
    signer.get_timestamp = lambda: int(then)
    return signer.sign(serializer.dump_payload(serializer.loads(token))).decode()


def test_the_continue_later_link_works_for_30_days(app, client, builtin_forms):
    customer = Respondent(client, "nps", True)
    customer.answer("6")
    client.post(
        "/f/nps/continue-later",
        data={"step": customer.field("step"), "lang": "en", "email": "jan@example.com"},
    )
    mail = db.session.scalar(select(OutboxMessage))
    assert "It works for 30 days." in mail.body_text
    elsewhere = app.test_client()  # another device, opening the link
    opened = elsewhere.get(f"/f/nps/resume/{resume_link_sent(client, 29)}")
    assert opened.status_code == 303
    assert Respondent(elsewhere, "nps", False).question == "what_went_wrong"
    late = app.test_client()
    opened = late.get(f"/f/nps/resume/{resume_link_sent(client, 31)}")
    page = late.get(opened.headers["Location"])
    assert NOTE_EN in text_of(page) and 'value="score"' in page.get_data(as_text=True)
    assert db.session.scalar(select(Response)).answers == {"score": 6}


@pytest.mark.parametrize(
    "app_config", [{"FORM_MIN_SECONDS_FIRST_ANSWER": 0, "FORM_RESUME_DAYS": 3}]
)
def test_the_window_is_configurable(client, builtin_forms, app_config):
    customer = Respondent(client, "nps", True, lang="sl")
    customer.answer("6")
    assert "Velja 3 dni." in text_of(customer.last)
    last_answered(4)
    again = Respondent(client, "nps", True, lang="sl")
    assert again.question == "score" and "več kot 3 dni" in text_of(again.page)
