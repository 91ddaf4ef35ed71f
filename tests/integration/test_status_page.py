"""The customer's private status page and the continue-later link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import OutboxMessage, Team, TeamMembership, Ticket, TicketEvent, utcnow
from webapp.services.forms import install_builtin_forms
from webapp.services.tickets import fire


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def ticket(app, client, create_user):
    care = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([care, Team(slug="product-quality", name="Product Quality")])
    agent = create_user(email="ola@example.com", name="Ola", languages=["ru", "pl", "en"])
    agent.working_hours = {}
    db.session.add(TeamMembership(team=care, user=agent))
    install_builtin_forms()
    db.session.commit()
    customer = Respondent(client, "nps", True, lang="ru")
    for value in ("1", "Курьер опоздал на три дня", "Ольга", "olga@example.ru"):
        customer.answer(value)
    return db.session.scalar(select(Ticket))


def test_status_page_speaks_the_customers_language(client, ticket):
    page = client.get(f"/t/{ticket.status_token}")
    assert page.status_code == 200
    assert '<html lang="ru">' in page.get_data(as_text=True)
    assert "Назначено" in text_of(page)  # a state reads as one ticket's status, not a column
    assert 'href="#main">Перейти к содержимому</a>' in page.get_data(as_text=True)  # no question
    # we do not know the customer's time zone: ours is named, and the browser shows theirs
    assert re.search(
        r'<time datetime="[0-9-]+T[0-9:.]+\+00:00" data-local-time>[^<]+ \(UTC\)</time>',
        page.get_data(as_text=True),
    )
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # the first-reply promise from the confirmation e-mail, until an agent answers
    assert "Срок первого ответа:" in text_of(page)
    # past the promised time, the page does not promise it as still ahead
    ticket.first_response_due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    late = text_of(client.get(f"/t/{ticket.status_token}"))
    assert "Срок первого ответа:" not in late
    assert "уже прошёл. Извините, мы ответим как можно скорее." in late
    ticket.first_response_at = ticket.created_at
    db.session.commit()
    assert "первого ответа" not in text_of(client.get(f"/t/{ticket.status_token}"))
    assert client.get("/t/not-a-real-token-but-long-enough").status_code == 404


def test_customer_reply_fires_the_customer_replied_transition(client, ticket):
    fire(ticket, "start", ticket.assignee)
    ticket.public_reply_count = 1
    fire(ticket, "ask_customer", ticket.assignee)
    db.session.commit()
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    # the customer reads that it is their turn, not the board's "Waiting on customer"
    assert "Статус: <strong>Ждём Вашего ответа</strong>" in page
    assert "Ждём клиента" not in page
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    done = client.post(
        f"/t/{ticket.status_token}/reply",
        data={"reply_token": reply_token, "message": "<b>Вот номер заказа</b>"},
    )
    assert done.status_code == 303
    db.session.refresh(ticket)
    assert ticket.state == "in_progress"
    reply = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "customer_reply"))
    assert reply.actor_kind == "customer"
    html = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert "&lt;b&gt;Вот номер заказа&lt;/b&gt;" in html


def _reply(client, ticket, message: str):
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    return client.post(
        f"/t/{ticket.status_token}/reply", data={"reply_token": reply_token, "message": message}
    )


def _told_assignee(ticket) -> list[str]:
    """The notices queued for the assignee, by kind."""
    events = db.session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "email_queued"
        )
    )
    return [e.data["template"] for e in events if e.data.get("to") == ticket.assignee.email]


def test_a_reply_to_a_resolved_ticket_reopens_it_and_calls_off_the_survey(client, ticket):
    from webapp.models import SurveyInvitation, SurveyStatus

    fire(ticket, "start", ticket.assignee)
    fire(ticket, "resolve", ticket.assignee)
    db.session.commit()
    survey = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.ticket_id == ticket.id)
    )
    assert survey.status == SurveyStatus.SCHEDULED
    assert _reply(client, ticket, "Всё ещё не работает").status_code == 303
    db.session.expire_all()
    assert ticket.state == "in_progress"  # back in a column someone works, not left unseen
    assert survey.status == SurveyStatus.CANCELLED  # no "how did we do?" on an open problem
    assert "ticket_reopened" in _told_assignee(ticket)
    assert "Всё ещё не работает" in text_of(client.get(f"/t/{ticket.status_token}"))


def test_a_reply_while_the_ticket_is_worked_on_still_reaches_the_assignee(client, ticket):
    fire(ticket, "start", ticket.assignee)
    db.session.commit()
    assert _reply(client, ticket, "Номер заказа 4711").status_code == 303
    db.session.expire_all()
    assert ticket.state == "in_progress"
    assert _told_assignee(ticket).count("customer_replied") == 1


def test_reply_needs_the_pages_token(client, ticket):
    assert client.post(f"/t/{ticket.status_token}/reply", data={"message": "hi"}).status_code == 400


def test_continue_later_link_resumes_on_another_device(app, client, ticket):
    customer = Respondent(client, "nps", True, query="?new=1")
    customer.answer("5")
    page = client.get("/f/nps").get_data(as_text=True)
    step = re.search(r'name="step" value="([^"]+)"', page).group(1)
    sent = client.post(
        "/f/nps/continue-later", data={"step": step, "email": "me@example.com", "lang": "en"}
    )
    assert sent.status_code == 303
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "me@example.com")
    )
    link = re.search(r"http://loopdesk\.test(/f/nps/resume/\S+)", mail.body_text).group(1)
    other_device = app.test_client()
    resumed = other_device.get(link, follow_redirects=True)
    assert 'name="question" value="what_went_wrong"' in resumed.get_data(as_text=True)
    assert other_device.get("/f/nps/resume/forged", follow_redirects=False).status_code == 303


def test_the_continue_later_mail_counts_its_days_in_the_customers_language(client, ticket):
    customer = Respondent(client, "nps", True, query="?new=1", lang="ru")
    customer.answer("5")
    page = client.get("/f/nps").get_data(as_text=True)
    step = re.search(r'name="step" value="([^"]+)"', page).group(1)
    client.post(
        "/f/nps/continue-later", data={"step": step, "email": "me@example.ru", "lang": "ru"}
    )
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "me@example.ru")
    )
    assert "Она действует 30 дней." in mail.body_text  # a plural form, not the abbreviation "дн."


def test_agents_see_the_customers_reply_in_the_history(client, ticket, login):
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    client.post(
        f"/t/{ticket.status_token}/reply",
        data={"reply_token": reply_token, "message": "Номер заказа 4411"},
    )
    login(ticket.assignee)
    assert "Номер заказа 4411" in text_of(client.get(f"/tickets/{ticket.number}"))


def test_the_status_page_folds_what_the_customer_told_us_in_their_words(client, ticket):
    html = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    folded = re.search(r'<details class="your-answers">.*?</details>', html, re.S).group(0)
    assert "Что Вы нам рассказали" in folded  # the formal "Вы", as in "Ваше обращение"
    assert "Курьер опоздал на три дня" in folded and "Ольга" in folded
    assert 'lang="ru"' in folded


def test_what_the_customer_told_us_is_escaped(client, ticket):
    from webapp.models import Response

    response = db.session.scalar(select(Response))
    response.answers = {**response.answers, "what_went_wrong": "<script>alert(1)</script>"}
    db.session.commit()
    html = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_closed_request_says_why_it_takes_no_more_messages(client, ticket):
    """No reply box on a closed request, and the customer is told why, in their language."""
    ticket.state = "closed"
    db.session.commit()
    page = client.get(f"/t/{ticket.status_token}")
    html = page.get_data(as_text=True)
    assert 'name="message"' not in html
    assert "Это обращение закрыто, поэтому новые сообщения в него не принимаются." in text_of(page)


def test_a_reply_keeps_the_language_the_customer_reads_the_page_in(client, ticket):
    """A Russian request read in English (?lang=en, as the list of requests links it): the
    reply, its refusal and the page after it stay English, not back to Russian."""
    page = client.get(f"/t/{ticket.status_token}?lang=en").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" class="reply-form"', page).group(1)
    assert action == f"/t/{ticket.status_token}/reply?lang=en"
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    refused = client.post(action, data={"reply_token": reply_token, "message": " "})
    assert refused.status_code == 422 and '<html lang="en">' in refused.text
    assert "Please write a message first." in text_of(refused)
    assert f'action="{action}"' in refused.text  # the next try keeps it too
    done = client.post(action, data={"reply_token": reply_token, "message": "Order 1234"})
    assert done.status_code == 303
    # back at the reply box (#reply), not at the top of the page
    assert done.headers["Location"] == f"/t/{ticket.status_token}?lang=en#reply"
    after = client.get(done.headers["Location"])
    assert '<html lang="en">' in after.text
    assert "Thank you, your message was added to your request." in text_of(after)
    # read in the request's own language, the page's address stays as it was
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert f'action="/t/{ticket.status_token}/reply"' in page
    db.session.refresh(ticket)
    assert ticket.customer_locale == "ru"  # our e-mails still speak Russian


def test_too_many_replies_are_refused_in_the_page_s_language(client, ticket):
    """The limit answers before the view knows the ticket: the reply form names its language."""
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    data = {
        "reply_token": re.search(r'name="reply_token" value="([^"]+)"', page).group(1),
        "lang": re.search(r'name="lang" value="([^"]+)"', page).group(1),
        "message": "Ещё вопрос",
    }
    english = {"Accept-Language": "en-US,en;q=0.9"}
    replies = [
        client.post(
            f"/t/{ticket.status_token}/reply",
            data=data,
            headers=english,
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        )
        for _ in range(21)
    ]
    assert [r.status_code for r in replies[:20]] == [303] * 20
    assert replies[20].status_code == 429
    assert '<html lang="ru">' in replies[20].get_data(as_text=True)


def test_a_link_in_our_reply_can_be_followed_from_the_status_page(client, ticket):
    """The e-mail of a reply links its URLs; on the status page the same reply was plain
    text, so a customer on a phone had to copy a parcel-tracking address by hand."""
    from webapp.models import User
    from webapp.services.replies import send_public_reply

    agent = db.session.scalar(select(User).where(User.email == "ola@example.com"))
    send_public_reply(
        ticket,
        "Посылку можно отследить здесь: https://track.example.com/p/123?lang=ru&a=1.\n"
        "<b>Не</b> ссылка: javascript:alert(1)",
        agent,
    )
    db.session.commit()
    html = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]*)"[^>]*>https://track[^<]*</a>', html)
    assert link, html
    assert link.group(1) == "https://track.example.com/p/123?lang=ru&amp;a=1"  # no full stop
    assert 'rel="nofollow noreferrer"' in link.group(0)
    assert "&lt;b&gt;Не&lt;/b&gt; ссылка: javascript:alert(1)" in html
    assert 'href="javascript' not in html
