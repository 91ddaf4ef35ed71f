"""Customers answer the NPS form in their language, with htmx and without JavaScript."""

import re
import time

import pytest
import yaml
from sqlalchemy import select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import OutboxMessage, Response, Ticket
from webapp.services.forms import find_form, publish_form

TYPED_FIRST = {
    "slug": "ask",
    "title": {"en": "Ask"},
    "languages": ["en"],
    "default_language": "en",
    "questions": [{"id": "question", "type": "short_text", "text": {"en": "Your question?"}}],
}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


class Respondent:
    """A customer's browser: follows the conversation, with or without htmx."""

    def __init__(self, client, slug, htmx, lang=None, query=""):
        self.client, self.slug, self.htmx = client, slug, htmx
        url = f"/{lang}/f/{slug}{query}" if lang else f"/f/{slug}{query}"
        self.page = client.get(url)
        assert self.page.status_code == 200
        self.html = self.page.get_data(as_text=True)

    def field(self, name):
        match = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        return match.group(1) if match else None

    def answer(self, value, **extra):
        data = {
            "step": self.field("step"),
            "question": self.field("question"),
            "lang": self.field("lang"),
            "value": value,
            **extra,
        }
        headers = {"HX-Request": "true"} if self.htmx else {}
        reply = self.client.post(f"/f/{self.slug}/answer", data=data, headers=headers)
        if reply.status_code == 303:
            reply = self.client.get(reply.headers["Location"])
        self.last = reply
        if reply.status_code in (200, 422):
            self.html = reply.get_data(as_text=True)
        return reply

    @property
    def question(self):
        return self.field("question")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_detractor_in_polish_creates_a_routed_ticket(client, builtin_forms, htmx):
    customer = Respondent(client, "nps", htmx, lang="pl")
    assert '<html lang="pl">' in customer.html or htmx
    assert customer.question == "score"
    customer.answer("3")
    assert customer.question == "what_went_wrong"
    if htmx:
        assert (
            "<html" not in customer.html and 'hx-swap-oob="beforeend:#transcript"' in customer.html
        )
    customer.answer("Płatność kartą nie działa od tygodnia.")
    assert customer.question == "name"
    customer.answer("Jan")
    assert customer.question == "email"
    reply = customer.answer("jan@example.pl")
    assert reply.status_code == 200
    ticket = db.session.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.customer_locale, ticket.team.slug, ticket.priority) == (
        "pl",
        "customer-care",
        "high",
    )
    assert ticket.subject == "Płatność kartą nie działa od tygodnia."
    assert ticket.number in text_of(reply)
    assert f"/t/{ticket.status_token}" in customer.html
    response = db.session.scalar(select(Response))
    assert response.completed_at is not None and response.ticket_id == ticket.id
    assert response.answers["score"] == 3 and response.locale == "pl"
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "jan@example.pl")
    )
    assert confirmation.locale == "pl" and ticket.number in confirmation.subject
    # Said to anyone who wrote, a complaint or a bug report alike, not "thanks for your opinion".
    assert f"Dziękujemy za wiadomość. Utworzyliśmy zgłoszenie {ticket.number}" in (
        confirmation.body_text
    )


def test_promoter_gets_no_ticket(client, builtin_forms):
    customer = Respondent(client, "nps", True)
    customer.answer("10")
    assert customer.question == "testimonial"
    customer.answer("no")
    customer.answer("")  # skip the name
    customer.answer("")  # and the e-mail
    assert db.session.scalar(select(Ticket)) is None
    assert db.session.scalar(select(Response)).completed_at is not None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_skip_keeps_nothing_typed_before_it_was_pressed(client, builtin_forms, htmx):
    """A customer who types their name, then thinks better of it and skips, gave no name."""
    customer = Respondent(client, "nps", htmx)
    customer.answer("10")
    customer.answer("no")
    assert customer.question == "name"
    customer.answer("Jan Kowalski", skip="1")  # the field still holds the name
    assert customer.question == "email"
    assert db.session.scalar(select(Response)).answers["name"] is None
    assert "Jan Kowalski" not in text_of(client.get("/f/nps"))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_visitor_who_found_it_is_not_asked_for_an_email(client, builtin_forms, htmx):
    visitor = Respondent(client, "goal", htmx, lang="en")
    assert visitor.question == "goal"
    visitor.answer("yes")
    assert visitor.question is None
    assert "glad you found it" in visitor.html
    assert "Leave your e-mail" not in visitor.html
    assert db.session.scalar(select(Response)).completed_at is not None
    assert db.session.scalar(select(Ticket)) is None


def test_every_step_is_saved_and_the_conversation_resumes(client, builtin_forms):
    customer = Respondent(client, "nps", True)
    customer.answer("6")
    again = Respondent(client, "nps", False)  # the same browser comes back later
    assert again.question == "what_went_wrong"
    assert "6" in text_of(again.page)
    assert db.session.scalar(select(Response)).completed_at is None  # partial responses are kept


def test_switching_language_mid_way_keeps_the_answers(client, builtin_forms):
    customer = Respondent(client, "nps", True, lang="en")
    customer.answer("4")
    russian = Respondent(client, "nps", False, query="?lang=ru")
    assert '<html lang="ru">' in russian.html
    assert russian.question == "what_went_wrong"
    assert db.session.scalar(select(Response)).locale == "ru"


def test_editing_an_earlier_answer_drops_what_no_longer_applies(client, builtin_forms):
    customer = Respondent(client, "nps", True)
    customer.answer("3")
    customer.answer("Too slow")
    editing = Respondent(client, "nps", True, query="?edit=score")
    assert editing.question == "score"
    editing.answer("10")
    assert editing.question == "testimonial"
    response = db.session.scalar(select(Response))
    db.session.refresh(response)
    assert "what_went_wrong" not in response.answers


def test_an_edit_opened_by_mistake_can_be_left_keeping_the_answer(client, builtin_forms):
    customer = Respondent(client, "nps", True, lang="pl")
    customer.answer("3")
    assert "Zostaw odpowiedź bez zmian" not in customer.html  # nothing is being edited
    editing = Respondent(client, "nps", True, lang="pl", query="?edit=score")
    assert editing.question == "score"
    assert 'href="/f/nps?lang=pl#composer">Zostaw odpowiedź bez zmian</a>' in editing.html
    back = Respondent(client, "nps", True, lang="pl")
    assert back.question == "what_went_wrong"
    assert db.session.scalar(select(Response)).answers == {"score": 3}


def test_after_an_edit_the_page_shows_only_the_answers_that_still_apply(client, builtin_forms):
    """With htmx the transcript is redrawn, not appended to: the dropped answer disappears."""
    customer = Respondent(client, "nps", True)
    customer.answer("3")
    customer.answer("Too slow")
    editing = Respondent(client, "nps", True, query="?edit=score")
    reply = editing.answer("10")
    assert 'hx-swap-oob="innerHTML:#transcript"' in editing.html
    assert "Too slow" not in editing.html
    # the address bar no longer says ?edit=score, so a reload does not reopen the edit
    assert reply.headers["HX-Replace-Url"] == "/f/nps?lang=en"


def test_the_last_answer_redraws_the_transcript_without_edit_links(client, builtin_forms):
    customer = Respondent(client, "nps", True)
    for value in ("10", "no", "", ""):
        customer.answer(value)
    assert 'id="end"' in customer.html
    assert 'hx-swap-oob="innerHTML:#transcript"' in customer.html
    assert "edit-answer" not in customer.html


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_each_edit_link_names_its_answer_without_repeating_the_question(
    client, builtin_forms, htmx
):
    customer = Respondent(client, "nps", htmx)
    customer.answer("7")
    first = customer.html
    customer.answer("Too slow")
    assert 'aria-label="Edit answer 1"' in first
    if htmx:  # the new exchange is appended: its link is the second
        assert 'aria-label="Edit answer 2"' in customer.html
        assert "Edit answer 1" not in customer.html
    else:  # the whole page: one link per answer, the question written once
        assert re.findall(r'aria-label="(Edit answer \d)"', customer.html) == [
            "Edit answer 1",
            "Edit answer 2",
        ]
        assert customer.html.count("How likely are you to recommend") == 1


def test_continue_later_is_offered_from_the_first_answer_on(client, builtin_forms):
    customer = Respondent(client, "nps", True)
    assert "Continue later" not in customer.html  # nothing to come back to yet
    customer.answer("6")
    assert '<div id="continue-later" hx-swap-oob="true">' in customer.html
    assert "Continue later, on another device" in customer.html
    sent = client.post(  # the form swapped in carries this conversation's step
        "/f/nps/continue-later",
        data={"step": customer.field("step"), "lang": "en", "email": "jan@example.com"},
    )
    assert sent.status_code in (200, 303)
    assert db.session.scalar(select(OutboxMessage)).to_address == "jan@example.com"


def test_bad_answer_gets_a_message_in_the_customers_language_and_keeps_progress(
    client, builtin_forms
):
    customer = Respondent(client, "nps", True, lang="pl")
    customer.answer("3")
    customer.answer("Źle")
    customer.answer("")
    reply = customer.answer("not-an-email")
    assert reply.status_code == 422
    assert customer.question == "email"
    assert "name@example.com" in text_of(reply)
    response = db.session.scalar(select(Response))
    db.session.refresh(response)
    assert response.answers["score"] == 3


def test_answers_are_escaped_when_shown_again(client, builtin_forms, login, agent):
    customer = Respondent(client, "nps", True)
    customer.answer("2")
    customer.answer(XSS)
    customer.answer(XSS)
    html = Respondent(client, "nps", False).html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_honeypot_and_speed_trap(client, builtin_forms, app):
    customer = Respondent(client, "nps", True)
    customer.answer("3", website="http://spam.example")
    assert db.session.scalar(select(Response)) is None
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    reply = Respondent(client, "nps", True).answer("3")
    assert reply.status_code == 422
    assert "That was quick!" in text_of(reply)
    assert db.session.scalar(select(Response)) is None


def test_a_quick_score_is_not_taken_for_a_bot(client, builtin_forms, app):
    """A score takes one tap: a person who knows it may answer before a typed answer's minimum."""
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 1.0  # a tap: 0.4 s
    customer = Respondent(client, "nps", True)
    time.sleep(0.5)
    assert customer.answer("9").status_code == 200
    assert db.session.scalar(select(Response)).answers == {"score": 9}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_an_optional_multiple_choice_question_can_be_skipped(client, htmx):
    """Skip sends its own empty value beside the (unticked) boxes: skipped, not "choose one"."""
    choose = {"id": "topics", "type": "multi_choice", "required": False, "text": {"en": "Topics?"}}
    choose["choices"] = [{"value": v, "label": {"en": v.title()}} for v in ("price", "speed")]
    form = {**TYPED_FIRST, "questions": [choose, *TYPED_FIRST["questions"]]}
    publish_form("ask", yaml.safe_dump(form))
    db.session.commit()
    customer = Respondent(client, "ask", htmx)
    reply = customer.answer("")
    assert reply.status_code == 200, text_of(reply)
    assert customer.question == "question"  # on to the next one
    assert "Skipped" in text_of(reply)
    assert db.session.scalar(select(Response)).answers == {"topics": None}


def test_a_typed_first_answer_needs_the_full_minimum(client, app):
    publish_form("ask", yaml.safe_dump(TYPED_FIRST))
    db.session.commit()
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 4.0  # margins wide enough for a loaded CI machine
    customer = Respondent(client, "ask", True)
    time.sleep(2)  # past a tap's 1.6 s, short of a typed answer's 4 s
    assert customer.answer("Hello").status_code == 422
    assert db.session.scalar(select(Response)) is None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_refused_quick_answer_goes_through_on_the_next_try(client, builtin_forms, app, htmx):
    """A person can be quicker than the minimum (a score they knew, an address the browser
    filled in): they are asked once to answer again, and the next try is taken at once."""
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    customer = Respondent(client, "nps", htmx, lang="pl")
    refused = customer.answer("9")
    assert refused.status_code == 422
    assert "Szybko poszło!" in text_of(refused)
    assert db.session.scalar(select(Response)) is None
    assert customer.answer("9").status_code == 200  # straight away: the button pressed again
    assert db.session.scalar(select(Response)).answers == {"score": 9}
    assert customer.question == "testimonial"


def test_a_typed_first_answer_refused_as_quick_is_given_back_and_taken_next(client, app):
    """An autofilled first answer sent at once: kept in the field, then taken."""
    publish_form("ask", yaml.safe_dump(TYPED_FIRST))
    db.session.commit()
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    customer = Respondent(client, "ask", False)
    assert customer.answer("jan@example.pl").status_code == 422
    assert 'value="jan@example.pl"' in customer.html
    assert "That was quick!" in text_of(customer.last)
    assert customer.answer("jan@example.pl").status_code == 200
    assert db.session.scalar(select(Response)).answers == {"question": "jan@example.pl"}


def test_a_bot_that_answers_twice_is_still_caught_by_the_honeypot(client, builtin_forms, app):
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    bot = Respondent(client, "nps", True)
    assert bot.answer("3").status_code == 422
    bot.answer("3", website="http://spam.example")
    assert db.session.scalar(select(Response)) is None


def test_rate_limit_answers_429(client, builtin_forms, app):
    app.config["FORM_RATE_LIMIT"] = "3 per minute"
    customer = Respondent(client, "nps", True)
    statuses = [customer.answer("3").status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert "Too many requests" in text_of(customer.last)
    polish = Respondent(client, "nps", True, lang="pl", query="?new=1")
    assert polish.answer("3").status_code == 429
    assert "Zbyt wiele" in text_of(polish.last)


def test_expired_or_forged_step_starts_fresh(client, builtin_forms):
    reply = client.post("/f/nps/answer", data={"step": "forged", "question": "score", "value": "3"})
    assert reply.status_code == 303 and "new=1" in reply.headers["Location"]


def test_signed_hidden_fields(client, builtin_forms):
    from webapp.models import Form
    from webapp.services.forms import signature

    form = db.session.scalar(select(Form).where(Form.slug == "nps"))
    good = signature(form, "customer_id", "42")
    customer = Respondent(
        client, "nps", True, query=f"?order=A-7&customer_id=42&customer_id_sig={good}"
    )
    customer.answer("9")
    response = db.session.scalar(select(Response))
    assert response.hidden == {"order": "A-7", "customer_id": "42"}


def test_bad_signature_drops_the_field_and_says_so(client, builtin_forms):
    customer = Respondent(client, "nps", True, query="?customer_id=1&customer_id_sig=bad")
    customer.answer("9")
    response = db.session.scalar(select(Response))
    assert "customer_id" not in response.hidden
    assert response.meta["rejected_signed_fields"] == ["customer_id"]


def test_unknown_form_is_404(client, builtin_forms):
    assert client.get("/f/nope").status_code == 404


def test_an_unknown_form_at_a_language_s_address_says_so_in_that_language(client, builtin_forms):
    """A stale link to /ru/f/… or /sl/requests is read in the language its address names,
    whatever the browser prefers."""
    english = {"Accept-Language": "en-US,en;q=0.9"}
    missing = client.get("/ru/f/nope", headers=english)
    assert missing.status_code == 404
    assert "Страница не найдена" in text_of(missing)
    assert '<html lang="sl">' in client.get("/sl/requests", headers=english).get_data(True)


@pytest.mark.parametrize("path", ["/ru/f/nope", "/t/not-a-real-token-but-long-enough?lang=ru"])
def test_a_customer_s_error_page_is_a_customer_page(client, builtin_forms, path):
    """No staff header, no button "back" to the staff's sign-in: the customer's way on is
    the page that sends them links to their requests."""
    missing = client.get(path)
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert 'class="public' in html and "Страница не найдена" in text_of(missing)
    assert "/login" not in html and 'href="/"' not in html
    assert 'href="/requests?lang=ru"' in html


def test_publishing_a_new_version_keeps_conversations_in_flight(client, builtin_forms):
    from pathlib import Path

    from webapp.services.forms import publish_form

    customer = Respondent(client, "nps", True)
    customer.answer("3")
    text = (Path(__file__).resolve().parents[2] / "survey_forms/templates/nps.yaml").read_text()
    publish_form("nps", text.replace("what_went_wrong", "what_to_improve"))
    db.session.commit()
    again = Respondent(client, "nps", True)
    assert again.question == "what_went_wrong"  # still on the version it started with
    fresh = Respondent(client, "nps", True, query="?new=1")
    fresh.answer("3")
    assert fresh.question == "what_to_improve"


def test_only_allowed_origins_may_embed_the_form(client, builtin_forms):
    policy = client.get("/f/nps").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy


def test_anonymous_respondents_get_no_session_cookie(client, builtin_forms):
    page = client.get("/f/nps")
    cookies = page.headers.getlist("Set-Cookie")
    assert not any(c.startswith("session=") for c in cookies)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
@pytest.mark.parametrize("question", ["nope", ""])
def test_a_post_for_a_question_the_form_does_not_have_shows_the_current_one(
    client, builtin_forms, htmx, question
):
    customer = Respondent(client, "nps", htmx)
    reply = customer.answer("3", question=question)
    assert reply.status_code == 200
    assert customer.question == "score"
    assert db.session.scalar(select(Response)) is None  # nothing saved for a question never asked
    customer.answer("3")
    reply = customer.answer("Too slow", question=question)
    assert reply.status_code == 200 and customer.question == "what_went_wrong"
    assert db.session.scalar(select(Response)).answers == {"score": 3}


@pytest.mark.parametrize(
    ("slug", "answer", "pressed"),
    [
        ("nps", "7", ">7</button>"),
        ("goal", "no", ">No</button>"),
        ("report-problem", "payment", ">Payment</button>"),
    ],
)
def test_an_edit_tells_which_answer_is_the_current_one(
    client, builtin_forms, slug, answer, pressed
):
    customer = Respondent(client, slug, True, lang="en")
    first = customer.question
    customer.answer(answer)
    editing = Respondent(client, slug, True, lang="en", query=f"?edit={first}")
    chosen = re.findall(r'<button[^>]*aria-pressed="true"[^>]*>[^<]*</button>', editing.html)
    assert len(chosen) == 1 and chosen[0].endswith(pressed)


def test_a_refused_continue_later_address_is_kept_beside_its_field(client, builtin_forms):
    customer = Respondent(client, "goal", True, lang="pl")
    customer.answer("no")
    reply = client.post(
        "/f/goal/continue-later",
        data={"step": customer.field("step"), "lang": "pl", "email": "jan@firma"},
    )
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert '<details class="continue-later" open>' in html
    assert 'value="jan@firma" aria-invalid="true" aria-describedby="continue-email-error"' in html
    assert 'id="continue-email-error" class="field-error" role="alert">Wpisz poprawny' in html
    assert "answer-error" not in html  # the question being answered is not the one at fault
    assert db.session.scalar(select(OutboxMessage)) is None


def test_an_empty_continue_later_box_asks_for_an_address(client, builtin_forms):
    """The box leaves checking to us (novalidate): empty, it asks for an address, in Polish."""
    customer = Respondent(client, "goal", True, lang="pl")
    customer.answer("no")
    assert re.search(r'<form [^>]*class="inline-form" novalidate>', customer.html)
    reply = client.post(
        "/f/goal/continue-later",
        data={"step": customer.field("step"), "lang": "pl", "email": " "},
    )
    assert reply.status_code == 422
    assert "Wpisz poprawny adres e-mail, np. name@example.com." in text_of(reply)
    assert "Odpowiedz na to pytanie." not in text_of(reply)


def test_the_link_sent_page_is_headed_by_the_forms_title(client, builtin_forms):
    customer = Respondent(client, "goal", True, lang="pl")
    customer.answer("no")
    sent = client.post(
        "/f/goal/continue-later",
        data={"step": customer.field("step"), "lang": "pl", "email": "jan@firma.pl"},
        follow_redirects=True,
    )
    html = sent.get_data(as_text=True)
    assert "<h1>Czy udało Ci się znaleźć to, czego szukasz?</h1>" in html
    assert "Wysłaliśmy link na adres jan@firma.pl" in html


def test_an_answer_to_a_form_archived_meanwhile_lands_on_its_closed_page(client, builtin_forms):
    customer = Respondent(client, "goal", False, lang="pl")
    customer.answer("no")
    step = customer.field("step")
    find_form("goal").archived = True
    db.session.commit()
    late = client.post("/f/goal/answer", data={"step": step, "lang": "pl", "value": "Cena"})
    assert late.status_code == 303  # a reload of the closed page posts nothing again
    closed = client.get(late.headers["Location"])
    assert closed.status_code == 410 and '<html lang="pl">' in closed.text
    assert "Ten formularz nie zbiera już odpowiedzi." in text_of(closed)
    later = client.post(
        "/f/goal/continue-later", data={"step": step, "lang": "pl", "email": "jan@firma.pl"}
    )
    assert later.status_code == 303 and client.get(later.headers["Location"]).status_code == 410
    assert db.session.scalar(select(OutboxMessage)) is None


def test_a_closed_forms_page_shows_inside_the_widget_on_the_customers_site(client, builtin_forms):
    text = find_form("goal").versions[0].yaml_text
    publish_form("goal", text + "allowed_origins: [https://shop.example.com]\n")
    find_form("goal").archived = True
    db.session.commit()
    closed = client.get("/pl/f/goal")
    assert closed.status_code == 410
    policy = closed.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://shop.example.com" in policy


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_the_link_sent_page_reloads_without_sending_again_or_naming_the_address_in_its_url(
    app, client, builtin_forms, htmx
):
    customer = Respondent(client, "goal", True, lang="pl")
    customer.answer("no")
    headers = {"HX-Request": "true"} if htmx else {}
    sent = client.post(
        "/f/goal/continue-later",
        data={"step": customer.field("step"), "lang": "pl", "email": "jan@firma.pl"},
        headers=headers,
    )
    assert sent.status_code == (204 if htmx else 303)
    page_url = sent.headers["HX-Redirect" if htmx else "Location"]
    assert "jan" not in page_url and "firma" not in page_url
    for _reload in range(2):
        page = client.get(page_url)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        form_policy = client.get("/f/goal").headers["Content-Security-Policy"]
        assert page.headers["Content-Security-Policy"] == form_policy  # the widget's iframe
        assert "Wysłaliśmy link na adres jan@firma.pl" in text_of(page)
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
    # Without the customer's cookies (a widget's iframe, another browser): no address.
    elsewhere = app.test_client().get(page_url)
    assert elsewhere.status_code == 200 and "jan@firma.pl" not in text_of(elsewhere)
    assert "Wysłaliśmy Ci link e-mailem" in text_of(elsewhere)
    # An address not made by a sent link is just the form.
    forged = client.get("/f/goal/link-sent?lang=pl&sent=goal")
    assert forged.status_code == 302 and "/f/goal" in forged.headers["Location"]


@pytest.mark.parametrize(
    ("lang", "link"),
    [
        ("pl", "Śledź status zgłoszenia na jego prywatnej stronie"),
        ("ru", "Следить за обращением на его личной странице"),
        ("sl", "Stanje zahtevka spremljajte na njegovi zasebni strani"),
    ],
)
def test_the_status_link_on_the_end_screen_reads_naturally(client, builtin_forms, lang, link):
    customer = Respondent(client, "goal", True, lang=lang)
    customer.answer("no")
    customer.answer("…")
    customer.answer("")
    customer.answer("")
    assert 'id="end"' in customer.html and link in customer.html


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_stale_tab_moves_on_to_the_question_asked_now(client, builtin_forms, htmx):
    """Tab A waits at "what went wrong"; tab B changes the score to a promoter's."""
    tab_a = Respondent(client, "nps", htmx)
    tab_a.answer("3")
    tab_b = Respondent(client, "nps", htmx, query="?edit=score")
    tab_b.answer("10")
    reply = tab_a.answer("Too slow")
    assert reply.status_code == 422
    assert "that question no longer applies. Please go on from here." in text_of(reply)
    assert tab_a.question == "testimonial"  # not the same dead end again
    if htmx:
        assert 'hx-swap-oob="innerHTML:#transcript"' in tab_a.html  # the score now reads 10
    assert db.session.scalar(select(Response)).answers == {"score": 10}


def test_a_language_switch_before_the_first_answer_keeps_the_widgets_details(client, builtin_forms):
    query = "?embed=1&channel=widget&page_url=https%3A%2F%2Fshop.example%2Fcart&order=A-7"
    widget = Respondent(client, "nps", True, lang="en", query=query)
    polish_link = re.search(r'<a href="([^"]+)" lang="pl"', widget.html).group(1)
    switched = Respondent(client, "nps", True, query=polish_link.replace("&amp;", "&")[6:])
    assert '<html lang="pl"' in switched.html and "embedded" in switched.html
    switched.answer("10")
    response = db.session.scalar(select(Response))
    assert response.channel == "widget" and response.locale == "pl"
    assert response.meta["page_url"] == "https://shop.example/cart"
    assert response.hidden == {"order": "A-7"}
    # once answered, the details are stored: the links no longer carry them
    page = Respondent(client, "nps", False, query=polish_link.replace("&amp;", "&")[6:]).html
    assert "page_url" not in re.search(r'<a href="([^"]+)" lang="ru"', page).group(1)


def test_answering_again_in_the_widget_stays_in_the_widget(client, builtin_forms):
    query = "?embed=1&channel=widget&page_url=https%3A%2F%2Fshop.example%2Fcart"
    visitor = Respondent(client, "goal", True, lang="en", query=query)
    visitor.answer("yes")
    again = re.search(r'<a href="([^"]+)" class="secondary">Answer again', visitor.html).group(1)
    again = again.replace("&amp;", "&")
    assert "new=1" in again and "embed=1" in again and "channel=widget" in again
    assert "page_url=https" in again


def test_after_the_first_answer_a_reload_does_not_start_over(client, builtin_forms):
    """ "Answer again" opens ?new=1; the address bar must not keep saying so."""
    customer = Respondent(client, "goal", True, lang="en", query="?new=1")
    first = customer.answer("no")
    assert first.headers["HX-Replace-Url"] == "/f/goal?lang=en"
    assert "HX-Replace-Url" not in customer.answer("It was slow").headers
    assert Respondent(client, "goal", True, query="?lang=en").question == "looking_for"


def test_a_language_switch_after_answer_again_stays_a_fresh_start(client, builtin_forms):
    visitor = Respondent(client, "goal", True, lang="en")
    visitor.answer("yes")
    again = Respondent(client, "goal", False, query="?lang=en&new=1")
    assert again.question == "goal"
    polish_link = re.search(r'<a href="([^"]+)" lang="pl"', again.html).group(1)
    polish = Respondent(client, "goal", False, query=polish_link.replace("&amp;", "&")[7:])
    assert polish.question == "goal" and 'id="end"' not in polish.html  # not the finished one


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_refused_answer_keeps_what_the_customer_typed_to_correct_it(client, builtin_forms, htmx):
    """ "jan@example" refused: the field says "jan@example" again (escaped), not empty."""
    customer = Respondent(client, "nps", htmx, lang="pl")
    customer.answer("3")
    customer.answer("Źle")
    customer.answer("")
    reply = customer.answer('jan@example"><b>')
    assert reply.status_code == 422 and customer.question == "email"
    assert "Wpisz poprawny adres e-mail" in text_of(reply)
    assert 'value="jan@example&#34;&gt;&lt;b&gt;"' in customer.html
    assert '"><b>' not in customer.html
    # nothing was saved: the page opened again shows the field empty, as before
    page = client.get("/pl/f/nps").get_data(as_text=True)
    assert 'type="email" name="value" value=""' in page


def test_a_name_longer_than_a_ticket_holds_still_makes_the_ticket(client):
    """A form may let a name run to 1000 characters; the ticket keeps the first 200 rather
    than the last answer failing as a bad request (PostgreSQL refuses the longer value)."""
    form = {
        **TYPED_FIRST,
        "creates_ticket": True,
        "questions": [
            {
                "id": "name",
                "type": "short_text",
                "text": {"en": "Name?"},
                "validation": {"max_length": 1000},
            },
        ],
    }
    publish_form("ask", yaml.safe_dump(form))
    db.session.commit()
    reply = Respondent(client, "ask", False).answer("Jan " + "K" * 400)
    assert reply.status_code == 200, text_of(reply)
    ticket = db.session.scalar(select(Ticket))
    assert ticket.customer_name == ("Jan " + "K" * 400)[:200]
