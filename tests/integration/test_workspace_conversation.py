"""The ticket workspace: the customer's conversation, replies, notes with @mentions, sharing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import (
    CannedReply,
    OutboxMessage,
    OutboxStatus,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
)

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def people(app, create_user):
    return add_people(create_user)


def add_people(create_user) -> dict:
    """A care team with Ola (Polish, the assignee) and Ivan (Russian), and Bea outside it."""
    care = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([care, Team(slug="product-quality", name="Product Quality")])
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl", languages=["pl"])
    ivan = create_user(email="ivan@example.com", name="Ivan Petrov", locale="ru")
    bea = create_user(email="bea@example.com", name="Bea Brown", locale="en")
    ola.working_hours = {}
    db.session.add(TeamMembership(team=care, user=ola))
    db.session.commit()
    return {"ola": ola, "ivan": ivan, "bea": bea}


def field_attrs(html: str, element_id: str) -> dict:
    """The attributes of the element with `element_id` in `html`."""
    found = {}

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("id") == element_id:
                found.update(attrs)

    Finder().feed(html)
    return found


def messages_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address]


def test_agents_get_the_workspace_and_anonymous_visitors_the_login(client, login, people):
    ticket = make_ticket()
    response = client.get(f"/tickets/{ticket.number}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(people["bea"])
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    for section in ("Reply to the customer", "Internal note", "Labels", "Tasks", "Watchers"):
        assert section in page


def test_the_board_drawer_gets_only_the_workspace(client, login, people):
    ticket = make_ticket()
    login(people["bea"])
    drawer = client.get(
        f"/tickets/{ticket.number}", headers={"HX-Request": "true", "HX-Target": "drawer"}
    ).get_data(as_text=True)
    assert 'class="workspace"' in drawer and "<html" not in drawer
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "<html" in page and 'class="workspace"' in page


def test_the_form_conversation_shows_as_bubbles_with_customer_text_escaped(
    app, client, login, people
):
    from webapp.services.forms import install_builtin_forms

    install_builtin_forms()
    db.session.commit()
    customer = Respondent(client, "nps", False, lang="pl")
    for value in ("1", XSS, XSS, "olga@example.pl"):
        customer.answer(value)
    ticket = db.session.scalar(select(Ticket))
    login(people["bea"])
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'class="bubble customer"' in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "olga@example.pl" in html


def test_answers_stored_on_a_ticket_read_as_the_form_words_them(app, client, login, people):
    """A ticket made without a conversation (import, API, demo) still shows choice labels in
    the agent's language, never the values stored behind them."""
    from webapp.services.forms import install_builtin_forms

    install_builtin_forms()
    db.session.commit()
    ticket = make_ticket(
        form_slug="report-problem",
        answers={"category": "bug", "description": "Ko pritisnem »Plačaj«, se aplikacija zapre."},
        score=None,
    )
    login(people["ola"])
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Czego dotyczy problem? Coś nie działa" in page
    assert "Ko pritisnem »Plačaj«, se aplikacija zapre." in page


def test_reply_reaches_the_customer_stops_the_clock_and_shows_on_the_status_page(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()
    assert ticket.first_response_at is None
    login(people["ola"])
    response = post_form(f"/tickets/{ticket.number}/reply", {"text": "Sprawdzamy, {name}."})
    assert response.status_code == 303
    run_jobs()
    db.session.refresh(ticket)
    assert ticket.first_response_at is not None
    assert ticket.public_reply_count == 1
    assert "sprawdzamy" in ticket.search_text
    [mail] = messages_to(smtp_server, "jan@example.pl")
    assert mail["Content-Language"] == "pl"
    assert "Sprawdzamy, Jan." in mail.get_body(("plain",)).get_content()
    status_page = text_of(client.get(f"/t/{ticket.status_token}"))
    assert "Sprawdzamy, Jan." in status_page
    workspace = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "odpowiedział klientowi" in workspace or "Sprawdzamy, Jan." in workspace
    assert "Wysłano" in workspace or "Sent" in workspace  # the e-mail's delivery status


def test_a_double_submitted_reply_is_sent_once(client, login, post_form, people, run_jobs):
    ticket = make_ticket()
    login(people["ola"])
    form = {"text": "Hello", "nonce": "a" * 32}
    assert post_form(f"/tickets/{ticket.number}/reply", form).status_code == 303
    again = post_form(f"/tickets/{ticket.number}/reply", form)
    assert again.status_code == 422
    assert "already sent" in text_of(again) or "już wysłana" in text_of(again).lower()
    kinds = db.session.scalars(
        select(TicketEvent.kind).where(TicketEvent.kind == "public_reply")
    ).all()
    assert len(kinds) == 1


def test_reply_without_customer_email_is_kept_for_the_status_page(client, login, post_form, people):
    ticket = make_ticket(customer_email=None)
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/reply", {"text": "We are on it"})
    page = text_of(client.get(response.headers["Location"]))
    assert "no e-mail address" in page
    assert "We are on it" in text_of(client.get(f"/t/{ticket.status_token}"))
    assert (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "public_reply"))
        is None
    )


def test_empty_reply_is_refused_with_a_message_and_nothing_sent(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/reply", {"text": "   "}, htmx=True)
    assert response.status_code == 422
    assert "Please write something first." in text_of(response)
    db.session.refresh(ticket)
    assert ticket.public_reply_count == 0


def test_canned_reply_in_the_customers_language_with_placeholders_and_preview(
    client, login, post_form, people
):
    ticket = make_ticket(customer_name="{agent} <b>Jan</b>")
    polish = CannedReply(
        title="Przeprosiny",
        locale="pl",
        body="Dzień dobry {name}, {ticket}: {status_link} — {agent}",
    )
    db.session.add_all([polish, CannedReply(title="Sorry", locale="en", body="Hi {name}")])
    db.session.commit()
    login(people["bea"])
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Przeprosiny" in page and "Sorry" not in page  # only the customer's language
    filled = client.get(
        f"/tickets/{ticket.number}/reply?canned={polish.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Dzień dobry {name}, {ticket}" in filled  # the template goes into the box as is
    typed = client.get(
        f"/tickets/{ticket.number}/reply?canned={polish.id}&text=Witam%2C+sprawdzi%C5%82em.",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Witam, sprawdziłem.\n\nDzień dobry {name}, {ticket}" in typed  # a draft is kept
    preview = post_form(f"/tickets/{ticket.number}/reply/preview", {"text": polish.body}, htmx=True)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Dzień dobry {agent} &lt;b&gt;Jan&lt;/b&gt;, " + ticket.number in html
    assert f"/t/{ticket.status_token}" in html and "— Bea Brown" in html
    db.session.refresh(ticket)
    assert ticket.public_reply_count == 0  # a preview sends nothing


def test_note_mentions_a_colleague_by_mail_and_stays_off_the_status_page(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()
    login(people["bea"])
    people_list = client.get("/staff/people?q=iva", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "Ivan Petrov" in people_list and "Ola Nowak" not in people_list
    response = post_form(
        f"/tickets/{ticket.number}/notes",
        {"text": "Secret: refund approved " + XSS, "mention": [str(people["ivan"].id)]},
        htmx=True,
    )
    assert response.status_code == 200
    assert 'id="ws-timeline"' in response.get_data(as_text=True)
    run_jobs()
    [mail] = messages_to(smtp_server, "ivan@example.com")
    assert mail["Content-Language"] == "ru"
    assert f"/tickets/{ticket.number}" in mail.get_body(("plain",)).get_content()
    assert "<script>" not in mail.get_body(("html",)).get_content()
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "note"))
    assert event.data["mentions"] == [people["ivan"].id]
    assert "Secret" not in text_of(client.get(f"/t/{ticket.status_token}"))
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "refund approved" in html and "<script>alert" not in html
    db.session.refresh(ticket)
    assert "refund approved" in ticket.search_text


def test_note_mentions_by_at_handle_without_javascript(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@ola please call him"})
    run_jobs()
    mentions = [m for m in messages_to(smtp_server, "ola@example.com") if "Bea" in m["Subject"]]
    assert len(mentions) == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"text": ""}, "Please write something first."),
        ({"text": "hi", "mention": ["99999"]}, "does not exist"),
        ({"text": "hi", "mention": ["abc"]}, "does not exist"),
    ],
)
def test_bad_notes_are_refused_and_what_was_typed_is_kept(
    client, login, post_form, people, form, message
):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/notes", form)
    assert response.status_code == 422
    assert message in text_of(response)
    if form["text"]:
        assert ">hi</textarea>" in response.get_data(as_text=True)
    assert db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "note")) is None


def test_share_with_an_outside_address_never_leaks_the_status_link(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket(answers={"nps": 2, "comment": XSS})
    login(people["bea"])
    response = post_form(
        f"/tickets/{ticket.number}/share",
        {"email": "partner@example.org", "note": "Can you check?", "scope": "ticket"},
    )
    assert response.status_code == 303
    run_jobs()
    [mail] = messages_to(smtp_server, "partner@example.org")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Can you check?" in text and "comment" in text
    assert ticket.status_token not in text and ticket.status_token not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "partner@example.org" in text_of(client.get(f"/tickets/{ticket.number}"))
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "shared"))
    assert event.actor_id == people["bea"].id


def test_an_answer_to_a_shared_ticket_goes_to_the_colleague_who_shared_it(
    client, login, post_form, people, smtp_server, run_jobs
):
    """The partner's Reply went to Loopdesk's own sender address, which nobody reads."""
    ticket = make_ticket()
    login(people["bea"])
    post_form(
        f"/tickets/{ticket.number}/share",
        {"email": "partner@example.org", "note": "Can you check?", "scope": "ticket"},
    )
    run_jobs()
    [mail] = messages_to(smtp_server, "partner@example.org")
    assert mail["Reply-To"] == "bea@example.com"
    assert "Bea Brown" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "\n\nCan you check?\n\n" in text and "\n\n\n" not in text  # one blank line apart


def test_share_with_a_bad_address_says_so(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/share", {"email": "not-an-address"})
    assert response.status_code == 422
    assert "does not look right" in text_of(response)


@pytest.mark.parametrize(
    "typed, refused_fields",
    [
        ({"email": "not-an-address"}, {"ws-share-email"}),
        ({"colleague": "999999"}, {"ws-share-colleague"}),
        ({}, {"ws-share-colleague", "ws-share-email"}),  # nobody to send it to: either will do
    ],
)
def test_a_refused_share_field_is_marked_and_points_at_the_message(
    client, login, post_form, people, typed, refused_fields
):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/share", typed, htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_attrs(html, "share-error").get("role") == "alert"
    for field in ("ws-share-colleague", "ws-share-email"):
        attrs = field_attrs(html, field)
        if field in refused_fields:
            assert attrs.get("aria-invalid") == "true"
            assert attrs.get("aria-describedby") == "share-error"
        else:
            assert "aria-invalid" not in attrs, field


def test_timeline_queries_do_not_grow_with_events(client, login, post_form, people, count_queries):
    ticket = make_ticket()
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/notes", {"text": "first @ivan"})
    with count_queries() as few:
        assert client.get(f"/tickets/{ticket.number}").status_code == 200
    for n in range(12):
        post_form(f"/tickets/{ticket.number}/notes", {"text": f"note {n} @ivan @ola"})
        post_form(f"/tickets/{ticket.number}/labels", {"name": f"label {n}"})
    with count_queries() as many:
        assert client.get(f"/tickets/{ticket.number}").status_code == 200
    assert len(many) == len(few)


def test_delivery_status_of_each_mail_is_on_the_timeline(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@ivan look"})
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "note_mention")
    )
    assert message.status in (OutboxStatus.SENT, OutboxStatus.QUEUED)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "status-" + message.status in page


def test_finding_a_colleague_to_mention_matches_what_was_typed(client, login, people, create_user):
    """An underscore in an address is a character to find, and "%" finds nobody by that."""
    create_user(email="jan_kowalski@example.com", name="Jan Kowalski")
    create_user(email="janek@example.com", name="Janek Nowy")
    login(people["bea"])

    def found(q: str) -> str:
        return text_of(
            client.get("/staff/people", query_string={"q": q}, headers={"HX-Request": "true"})
        )

    underscore = found("jan_k")
    assert "jan_kowalski@example.com" in underscore and "janek@example.com" not in underscore
    assert "No colleague matches" in found("%")


CONSENT_FORM = """\
slug: callback
title: {en: Callback, ru: Обратный звонок}
languages: [en, ru]
questions:
  - id: found
    type: goal
    text: {en: "Did you find it?", ru: "Вы нашли то, что искали?"}
  - id: topic
    type: single_choice
    text: {en: "About what?", ru: "По какому вопросу?"}
    choices:
      - {value: bill, label: {en: "A bill", ru: "Счёт"}}
      - {value: order, label: {en: "An order", ru: "Заказ"}}
  - id: call_me
    type: consent
    text: {en: "May we call you?", ru: "Можно Вам позвонить?"}
  - id: note
    type: short_text
    required: false
    text: {en: "Anything else?", ru: "Что-нибудь ещё?"}
endings:
  - text: {en: Thanks, ru: Спасибо}
creates_ticket: true
"""


def customer_bubbles(html: str) -> list[tuple[str, str]]:
    """(lang, text) of each of the customer's bubbles in the staff transcript."""
    bubble = (
        r'<div class="bubble customer" lang="([^"]*)"><span class="answer"[^>]*>(.*?)</span></div>'
    )
    found = re.findall(bubble, html, re.S)
    return [(lang, re.sub(r"<[^>]+>", "", text).strip()) for lang, text in found]


def test_a_russian_customers_yes_no_and_consent_read_in_russian_as_their_bubbles_say(
    client, login, people
):
    """A Polish agent read "Tak" and "Zgadzam się" in bubbles marked Russian, beside the
    question and the choice in Russian: the words and the lang attribute now agree."""
    from webapp.services.forms import publish_form

    publish_form("callback", CONSENT_FORM)
    db.session.commit()
    customer = Respondent(client, "callback", False, lang="ru")
    for value in ("yes", "bill", "1"):
        customer.answer(value)
    customer.answer("", skip="1")
    ticket = db.session.scalar(select(Ticket))
    login(people["ola"])
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert customer_bubbles(html) == [
        ("ru", "Да"),
        ("ru", "Счёт"),
        ("ru", "Я даю согласие"),
        ("ru", "Пропущено"),
    ]
    # A ticket made without the conversation (import, API) keeps only the answers: read alike
    stored = make_ticket(
        form_slug="callback", customer_locale="ru", answers={"found": "no", "topic": "order"}
    )
    html = client.get(f"/tickets/{stored.number}").get_data(as_text=True)
    assert '<dd lang="ru">Нет</dd>' in html and '<dd lang="ru">Заказ</dd>' in html
