"""A form's responses, one by one: newest first, filtered, paged, and exported as CSV."""

from __future__ import annotations

import contextvars
import csv
import io

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_dashboard import _respond
from webapp.extensions import db
from webapp.models import Response

XSS = '<script>alert("x")</script>'


def _respond_many(count: int) -> None:
    for n in range(count):
        _respond("nps", {"score": n % 11}, days_ago=1)


def test_responses_newest_first_with_the_conversation_and_the_ticket(
    client, login, builtin_forms, admin
):
    _respond("nps", {"score": 9, "testimonial": "no"}, days_ago=3)
    _respond("nps", {"score": 2, "what_went_wrong": XSS}, days_ago=2)
    _respond("nps", {"score": 7}, days_ago=1, completed=False)
    detractor = db.session.scalars(select(Response).order_by(Response.id)).all()[1]
    ticket = make_ticket()
    detractor.ticket_id, detractor.locale = ticket.id, "pl"
    db.session.commit()
    login(admin)
    response = client.get("/admin/forms/nps/responses")
    html, page = response.get_data(as_text=True), text_of(response)
    assert response.status_code == 200
    # Newest first; each says how far it got, its score and its ticket.
    assert page.index("Unfinished NPS 7") < page.index("NPS 2") < page.index("NPS 9")
    assert f'href="/tickets/{ticket.number}"' in html
    # The conversation as the customer had it, in their language, their text escaped.
    assert "Dziękujemy za szczerość. Co możemy poprawić?" in page
    assert "&lt;script&gt;" in html and XSS not in html


def test_filters_by_status_score_group_and_language_and_ignore_bad_values(
    client, login, builtin_forms, admin
):
    _respond("nps", {"score": 10}, days_ago=2)
    _respond("nps", {"score": 3}, days_ago=1)
    _respond("nps", {"score": 8}, completed=False)
    login(admin)

    def scores(query: str) -> list[str]:
        page = text_of(client.get(f"/admin/forms/nps/responses?{query}"))
        return [word for word in ("NPS 10", "NPS 3", "NPS 8") if word in page]

    assert scores("group=detractor") == ["NPS 3"]
    assert scores("group=promoter") == ["NPS 10"]
    assert scores("status=unfinished") == ["NPS 8"]
    assert scores("status=completed&group=passive") == []
    assert "No response matches these filters." in text_of(
        client.get("/admin/forms/nps/responses?status=completed&group=passive")
    )
    for bad in ("group=nonsense", "status=%00", "language=xx", "before=abc", "before=9" * 30):
        reply = client.get(f"/admin/forms/nps/responses?{bad}")
        assert reply.status_code == 200, bad
    assert scores("group=nonsense") == ["NPS 10", "NPS 3", "NPS 8"]


def test_older_responses_come_a_page_at_a_time_in_a_fixed_number_of_queries(
    client, login, builtin_forms, admin, count_queries
):
    _respond_many(5)
    login(admin)
    with count_queries() as few:
        client.get("/admin/forms/nps/responses")
    _respond_many(40)
    with count_queries() as many:
        first = client.get("/admin/forms/nps/responses")
    assert len(many) <= len(few)
    html = first.get_data(as_text=True)
    assert html.count('<li id="response-') == 25
    older = html.split('class="response-more" hx-get="')[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(older, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert rest.count('<li id="response-') == 20 and "<html" not in rest
    assert "response-more" not in rest  # nothing older


def test_csv_export_has_a_column_per_question_and_never_a_formula(
    client, login, builtin_forms, admin
):
    _respond("nps", {"score": 4, "what_went_wrong": '=HYPERLINK("http://evil")'}, days_ago=2)
    _respond("nps", {"score": 10, "testimonial": "yes", "testimonial_text": "Świetnie!"})
    login(admin)
    reply = client.get("/admin/forms/nps/responses.csv")
    assert reply.status_code == 200
    assert reply.mimetype == "text/csv"
    assert 'attachment; filename="nps-responses-' in reply.headers["Content-Disposition"]
    body = reply.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["score"] for r in rows] == ["4", "10"]  # oldest first, as a spreadsheet grows
    assert rows[0]["score_group"] == "detractor"
    assert rows[0]["what_went_wrong"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["testimonial"] == "Sure, happy to"  # the choice as worded, not its value
    assert rows[1]["testimonial_text"] == "Świetnie!"
    only_detractors = client.get("/admin/forms/nps/responses.csv?group=detractor")
    assert len(list(csv.DictReader(io.StringIO(only_detractors.get_data(as_text=True))))) == 1


def test_only_admins_read_responses(client, login, builtin_forms):
    login(builtin_forms)  # an agent
    assert client.get("/admin/forms/nps/responses").status_code == 403
    assert client.get("/admin/forms/nps/responses.csv").status_code == 403


def test_a_stored_answer_that_is_not_a_number_never_breaks_the_score_filter(
    client, login, builtin_forms, admin
):
    """Imported or hand-edited rows may hold anything; the filter leaves them out."""
    _respond("nps", {"score": "abc"})
    _respond("nps", {"score": 7.5})
    _respond("nps", {"score": [3]})
    _respond("nps", {"score": 3})
    login(admin)
    reply = client.get("/admin/forms/nps/responses?group=detractor")
    assert reply.status_code == 200
    assert reply.get_data(as_text=True).count('<li id="response-') == 1


def test_csv_header_names_each_column_once(client, login, builtin_forms, admin):
    """The built-in NPS form's question is called `score`, like the score column of every
    export: a spreadsheet or pandas would read the two as one."""
    _respond("nps", {"score": 3, "what_went_wrong": "Late"})
    login(admin)
    body = client.get("/admin/forms/nps/responses.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(header) == len(set(header))
    row = _csv_rows(client.get("/admin/forms/nps/responses.csv"))[0]
    assert row["score"] == row["answers.score"] == "3"
    assert row["what_went_wrong"] == "Late"  # a question named like no column keeps its id


def _csv_rows(reply) -> list[dict]:
    return list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_is_streamed_in_batches_in_the_admins_language_with_every_response_once(
    client, login, builtin_forms, admin, monkeypatch
):
    from webapp.services import csv_export

    monkeypatch.setattr(csv_export, "BATCH", 2)  # 5 responses: three batches
    for score in (1, 2, 3, 9, 10):
        _respond(
            "nps", {"score": score, "what_went_wrong": None} if score < 7 else {"score": score}
        )
    admin.locale = "pl"
    db.session.commit()
    login(admin)

    def download_as_a_server_does():
        """The body read chunk by chunk after the view has returned, in one context (the
        test client would give the request a context of its own, apart from the reading)."""
        reply = FlaskClient.open(client, "/admin/forms/nps/responses.csv")
        return reply.is_streamed, reply.get_data(as_text=True)

    streamed, body = contextvars.Context().run(download_as_a_server_does)
    assert streamed  # not built whole in memory first
    assert body.count("\ufeff") == 1 and body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["score"] for r in rows] == ["1", "2", "3", "9", "10"]
    assert len({r["response"] for r in rows}) == 5
    # Worded in the admin's language although the body is written after the view returned.
    assert {r["what_went_wrong"] for r in rows[:3]} == {"Pominięto"}


def test_csv_reads_a_fixed_number_of_queries_whatever_the_number_of_responses(
    client, login, builtin_forms, admin, count_queries
):
    _respond_many(3)
    login(admin)
    with count_queries() as few:
        assert len(_csv_rows(client.get("/admin/forms/nps/responses.csv"))) == 3
    _respond_many(40)
    with count_queries() as many:
        assert len(_csv_rows(client.get("/admin/forms/nps/responses.csv"))) == 43
    assert len(many) <= len(few)


def _open_ticket(client, response_id: int, slug: str = "nps", **data):
    from tests.helpers import csrf_token

    form = {"csrf_token": csrf_token(client.application, client), **data}
    return client.post(f"/admin/forms/{slug}/responses/{response_id}/ticket", data=form)


def test_a_passive_s_suggestion_becomes_a_ticket_when_an_admin_follows_it_up(
    client, login, builtin_forms, admin
):
    """The NPS form makes tickets for detractors only; a passive's idea is worth a reply."""
    from webapp.models import OutboxMessage, Ticket, TicketEvent

    _respond(
        "nps",
        {"score": 8, "what_went_wrong": "Dodajcie BLIK.", "email": "ewa@example.pl"},
        days_ago=1,
    )
    passive = db.session.scalar(select(Response))
    passive.locale = "pl"
    db.session.commit()
    login(admin)
    page = client.get("/admin/forms/nps/responses").get_data(as_text=True)
    assert "Open a ticket for this response" in page
    assert "Tell the customer by e-mail (ewa@example.pl)" in page

    opened = _open_ticket(client, passive.id, tell_customer="1")
    assert opened.status_code == 303
    ticket = db.session.scalar(select(Ticket))
    assert opened.headers["Location"].endswith(f"/tickets/{ticket.number}")
    assert ticket.customer_email == "ewa@example.pl" and ticket.customer_locale == "pl"
    assert ticket.first_response_due_at is not None  # routed and on the SLA clock
    db.session.expire_all()
    assert db.session.get(Response, passive.id).ticket_id == ticket.id
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_key == f"ticket_confirmation:{ticket.id}")
    )
    assert confirmation.to_address == "ewa@example.pl" and confirmation.locale == "pl"
    words = text_of(client.get(f"/tickets/{ticket.number}"))
    assert f"{ticket.number} was opened from this response." in words
    assert (
        "Ann Admin opened this ticket from the customer's form response; the form's rule had"
        " not asked for one. The customer was told by e-mail." in words
    )
    assert "Dodajcie BLIK." in words

    again = _open_ticket(client, passive.id)  # a second click, or a colleague's
    assert again.status_code == 303
    assert "This response has a ticket already." in text_of(
        client.get("/admin/forms/nps/responses")
    )
    assert db.session.query(Ticket).count() == 1
    assert db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "opened_from_response"))


def test_without_the_tick_the_customer_hears_nothing_and_unfinished_ones_stay(
    client, login, builtin_forms, admin
):
    from webapp.models import OutboxMessage, Ticket

    _respond("nps", {"score": 9, "email": "ola@example.pl"}, days_ago=2)
    _respond("nps", {"score": 7}, days_ago=1, completed=False)
    done, unfinished = db.session.scalars(select(Response).order_by(Response.id)).all()
    login(admin)
    assert _open_ticket(client, done.id).status_code == 303
    to_customer = select(OutboxMessage).where(OutboxMessage.to_address == "ola@example.pl")
    assert db.session.scalar(to_customer) is None
    _open_ticket(client, unfinished.id)
    assert "Only a completed response can become a ticket." in text_of(
        client.get("/admin/forms/nps/responses")
    )
    assert db.session.query(Ticket).count() == 1
    assert _open_ticket(client, done.id, slug="csat").status_code == 404  # another form's


def test_a_blocked_sender_s_response_gets_no_ticket_and_no_mail(
    client, login, builtin_forms, admin
):
    """The rule let the passive's response pass, so nobody looked at the block list then: a
    follow-up must, or the spammer would get a ticket and our confirmation e-mail."""
    from webapp.models import BlockedSender, OutboxMessage, Ticket

    _respond("nps", {"score": 8, "email": "bot@spam.example"}, days_ago=1)
    db.session.add(BlockedSender(email="bot@spam.example", note="known"))
    db.session.commit()
    passive = db.session.scalar(select(Response))
    login(admin)
    refused = _open_ticket(client, passive.id, tell_customer="1")
    assert refused.status_code == 303
    assert "This response was marked as spam (or its sender is blocked)." in text_of(
        client.get("/admin/forms/nps/responses")
    )
    assert db.session.query(Ticket).count() == 0
    assert db.session.query(OutboxMessage).count() == 0
    db.session.expire_all()
    assert db.session.get(Response, passive.id).ticket_id is None


def test_each_response_s_language_is_named_in_the_reader_s_language(
    client, login, builtin_forms, admin
):
    """A Russian admin reads "Английский", not "English", beside an English response."""
    _respond("nps", {"score": 9, "testimonial": "no"}, days_ago=2)
    _respond("nps", {"score": 3}, days_ago=1)
    polish = db.session.scalars(select(Response).order_by(Response.id)).all()[1]
    polish.locale = "pl"
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    page = text_of(client.get("/admin/forms/nps/responses"))
    responses = page[page.index("Скачать эти ответы в CSV") :]
    assert "· Польский ·" in responses and "· Английский ·" in responses
    assert "English" not in responses and "Polski" not in responses
    # The language filter names them alike.
    assert "Любой язык Английский Польский Русский Словенский" in page
