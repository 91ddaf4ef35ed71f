"""Customer data requests: an admin finds, exports and erases what is held for an address."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from tests.helpers import make_ticket, stored_file, survey_and_mail_from, text_of
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    EmailOptOut,
    Form,
    FormVersion,
    InboundEmail,
    OutboxMessage,
    OutboxStatus,
    Response,
    ResponseFile,
    SurveyInvitation,
    SurveyStatus,
    Ticket,
    TicketEvent,
    utcnow,
)
from webapp.services.notes import add_note
from webapp.services.replies import receive_customer_reply, send_public_reply

ADDRESS = "Jane.Doe@Example.com"
PAGE = "/admin/customer-data"


@pytest.fixture
def app_config(tmp_path, smtp_config) -> dict:
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), **smtp_config}


def _response(answers: dict, ticket: Ticket | None = None, slug: str = "nps") -> Response:
    form, version_id = db.session.execute(
        select(Form, FormVersion.id)
        .join(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.slug == slug)
    ).one()
    moment = utcnow() - timedelta(hours=1)
    response = Response(
        form=form,
        form_version_id=version_id,
        locale="en",
        answers=answers,
        meta={"page_url": "https://shop.example/orders/jane", "user_agent": "mobile"},
        hidden={"customer_id": "C-77"},
        started_at=moment - timedelta(minutes=2),
        completed_at=moment,
        ticket_id=ticket.id if ticket else None,
    )
    db.session.add(response)
    db.session.commit()
    return response


def _customer(app, agent, email: str = ADDRESS, name: str = "Jane Doe") -> dict:
    """A detractor's response with a ticket, a reply each way, a note, a file and more."""
    answers = {
        "score": 3,
        "what_went_wrong": "Parcel lost, call me at 555-0100",
        "name": name,
        "email": email,
    }
    ticket = make_ticket(
        subject="Parcel lost",
        customer_name=name,
        customer_email=email,
        customer_locale="en",
        answers=answers,
    )
    response = _response(answers, ticket)
    send_public_reply(ticket, "Sorry Jane, we are resending it.", agent)
    add_note(ticket, "Internal: courier blamed again", agent)
    receive_customer_reply(ticket, "Thanks, my new address is Elm Street 5")
    path = stored_file(
        app, response, "jane-receipt.png", b"\x89PNG\r\n\x1a\n-jane", f"k{response.id:031d}"
    )
    survey_and_mail_from(ticket, email, "Re: Parcel lost")
    db.session.add(EmailOptOut(email=email.lower()))
    db.session.commit()
    return {"ticket": ticket, "response": response, "file": path}


@pytest.fixture
def admin_user(create_user):
    from webapp.models import Role

    return create_user(email="root@example.com", name="Rita Root", role=Role.ADMIN)


def _find(post_form, email: str):
    return post_form(PAGE, {"email": email})


def test_find_lists_what_is_held_for_a_mixed_case_address_and_nothing_of_others(
    app, client, login, post_form, builtin_forms, admin_user
):
    mine = _customer(app, builtin_forms)
    other = _customer(app, builtin_forms, email="tom@example.org", name="Tom Other")
    _response({"score": 9, "email": "JANE.doe@example.COM"})  # no ticket: found by its answer
    login(admin_user)
    reply = _find(post_form, "  jane.DOE@example.com ")
    assert reply.status_code == 200
    page = text_of(reply)
    assert "2 form responses" in page
    assert "1 ticket" in page and mine["ticket"].number in page
    assert other["ticket"].number not in page
    assert "jane-receipt.png" in page
    assert "1 e-mail received" in page and "1 survey invitation" in page
    assert "Opted out of e-mails" in page
    assert "Parcel lost" in page


def test_a_malformed_address_is_refused_with_the_form_kept(
    client, login, post_form, admin_user, builtin_forms
):
    login(admin_user)
    for path in (PAGE, f"{PAGE}/export", f"{PAGE}/erase", f"{PAGE}/erase/confirm"):
        reply = post_form(path, {"email": "jane@@example"})
        assert reply.status_code == 422
        assert "This is not an e-mail address" in text_of(reply)
        assert 'value="jane@@example"' in reply.get_data(as_text=True)
    assert post_form(PAGE, {"email": "x" * 5000}).status_code == 422


def test_export_holds_answers_and_the_public_conversation_but_no_internal_notes(
    app, client, login, post_form, builtin_forms, admin_user
):
    _customer(app, builtin_forms)
    login(admin_user)
    reply = post_form(f"{PAGE}/export", {"email": ADDRESS})
    assert reply.status_code == 200
    assert reply.mimetype == "application/json"
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="customer-data-')
    data = json.loads(reply.get_data().decode("utf-8"))
    assert data["email_address"] == ADDRESS.lower()
    (response,) = data["form_responses"]
    answers = {a["question_id"]: a for a in response["answers"]}
    assert answers["what_went_wrong"]["answer"] == "Parcel lost, call me at 555-0100"
    assert answers["score"]["question"]  # the question's text, not only its id
    assert answers["score"]["question"] != "score"
    (ticket,) = data["tickets"]
    texts = [message["text"] for message in ticket["conversation"]]
    assert "Sorry Jane, we are resending it." in texts
    assert "Thanks, my new address is Elm Street 5" in texts
    assert "courier blamed" not in json.dumps(data)
    assert data["uploaded_files"][0]["name"] == "jane-receipt.png"
    assert data["emails_sent"] and data["email_opt_out"]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "customer_data.exported")
    )
    assert entry is not None and entry.after["tickets"] == 1
    assert "jane" not in json.dumps([entry.target_label, entry.before, entry.after]).lower()


def test_export_gives_a_choice_answer_as_the_customer_saw_it(
    app, client, login, post_form, builtin_forms, admin_user
):
    _response({"score": 10, "testimonial": "yes", "email": ADDRESS})
    login(admin_user)
    data = json.loads(post_form(f"{PAGE}/export", {"email": ADDRESS}).get_data().decode())
    (response,) = data["form_responses"]
    answers = {a["question_id"]: a for a in response["answers"]}
    assert answers["testimonial"]["answer"] == "yes"
    assert answers["testimonial"]["answer_label"] == "Sure, happy to"
    assert "answer_label" not in answers["score"]  # not a choice


def _nps_row(client) -> str:
    """The week's NPS on the Reports page, e.g. "-100 (2 answers)"."""
    page = text_of(client.get("/reports?days=7"))
    return re.search(r"\S+ \(\d+ answers?\)", page).group(0)


def test_erase_takes_the_customer_out_of_the_teams_notes_tasks_and_reminders(
    app, client, login, post_form, builtin_forms, admin_user, create_user
):
    from webapp.models import Reminder, Task
    from webapp.services.reminders import create_reminder
    from webapp.services.tasks import assign_task

    agent = builtin_forms
    ticket = _customer(app, agent)["ticket"]
    add_note(ticket, "Called Jane Doe, she wants a refund to jane.doe@example.com", agent)
    assign_task(
        ticket, "Refund Jane Doe", agent, agent, notes="Said: parcel lost, call me at 555-0100"
    )
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    create_reminder(ticket, agent, tomorrow, note="Check Jane DOE got the refund")
    db.session.commit()
    login(admin_user)
    confirm = text_of(post_form(f"{PAGE}/erase", {"email": ADDRESS}))
    assert "Internal notes, tasks and reminders the team wrote on the tickets stay" in confirm
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    db.session.expire_all()

    notes = [
        e.data["text"]
        for e in db.session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "note"
            )
        )
    ]
    assert notes == [
        "Internal: courier blamed again",  # quotes nobody: as written
        "Called [erased], she wants a refund to [erased]",
    ]
    task = db.session.scalar(select(Task).where(Task.ticket_id == ticket.id))
    assert task.title == "Refund [erased]" and task.notes == "Said: [erased]"
    reminder = db.session.scalar(select(Reminder).where(Reminder.ticket_id == ticket.id))
    assert reminder.note == "Check [erased] got the refund"
    set_line = db.session.scalar(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "reminder_set"
        )
    )
    assert set_line.data["note"] == "Check [erased] got the refund"
    search = db.session.get(Ticket, ticket.id).search_text
    assert "jane" not in search.lower() and "courier blamed" in search
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Called [erased]" in page and "Jane" not in page
    # A colleague reading Polish sees the marker in Polish, inside the note too.
    post_form("/logout")
    login(create_user(email="wanda@example.com", name="Wanda", locale="pl", role="admin"))
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Called [usunięto], she wants a refund to [usunięto]" in page
    assert "Refund [usunięto]" in page and "Check [usunięto] got the refund" in page


def test_erase_removes_the_personal_data_and_keeps_the_scores(
    app, client, login, post_form, builtin_forms, admin_user, run_jobs
):
    held = _customer(app, builtin_forms)
    other = _customer(app, builtin_forms, email="tom@example.org", name="Tom Other")
    ticket, response = held["ticket"], held["response"]
    login(admin_user)
    nps_before = _nps_row(client)
    check = post_form(f"{PAGE}/erase", {"email": ADDRESS})
    page = text_of(check)
    assert check.status_code == 200
    assert "Erase the customer's data?" in page
    assert "1 form response" in page and "1 uploaded file is deleted" in page
    assert db.session.get(Ticket, ticket.id).customer_email  # nothing erased yet

    done = post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    assert done.status_code == 303
    assert "personal data was erased" in text_of(client.get(PAGE))

    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    response = db.session.get(Response, response.id)
    assert ticket.customer_email is None and ticket.customer_name == "[erased]"
    assert ticket.customer_erased_at is not None
    assert response.answers["score"] == 3
    assert response.answers["what_went_wrong"] == "[erased]"
    assert response.answers["email"] == "[erased]" and response.answers["name"] == "[erased]"
    assert "page_url" not in response.meta and response.meta["user_agent"] == "mobile"
    assert response.hidden == {"customer_id": "[erased]"}
    assert "555-0100" not in ticket.search_text and "elm street" not in ticket.search_text
    assert "courier blamed" in ticket.search_text  # the team's own notes stay searchable
    texts = [
        (e.kind, (e.data or {}).get("text"))
        for e in db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
    ]
    assert ("public_reply", "[erased]") in texts and ("customer_reply", "[erased]") in texts
    assert ("note", "Internal: courier blamed again") in texts
    assert not held["file"].exists() and other["file"].exists()
    assert (
        db.session.scalar(select(ResponseFile).where(ResponseFile.response_id == response.id))
        is None
    )
    assert (
        db.session.scalar(select(EmailOptOut).where(EmailOptOut.email == ADDRESS.lower())) is None
    )
    assert db.session.scalar(select(InboundEmail).where(InboundEmail.sender == ADDRESS)) is None
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.ticket_id == ticket.id)
    )
    assert invitation.status == SurveyStatus.SKIPPED
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "")):
        assert message.body_text == "[erased]"
        assert message.status in (OutboxStatus.FAILED, OutboxStatus.SENT, OutboxStatus.NOT_SENT)

    run_jobs()
    assert _nps_row(client) == nps_before
    assert "[erased]" not in text_of(client.get("/reports?days=7"))  # no theme of it

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer_data.erased"))
    assert entry.after["responses"] == 1 and entry.after["files"] == 1
    assert "jane" not in json.dumps([entry.target_label, entry.after]).lower()
    assert db.session.get(Ticket, other["ticket"].id).customer_email == "tom@example.org"

    again = text_of(_find(post_form, ADDRESS))
    assert "Nothing is held for this address." in again
    assert "Erased a customer" in again  # the earlier request, found by the address's digest


def test_mail_to_the_address_not_sent_yet_is_never_sent_after_erasure(
    app, client, login, post_form, builtin_forms, admin_user, run_jobs, smtp_server
):
    _customer(app, builtin_forms)
    run_jobs()
    # Written but not handed to a job yet (as after a Redis outage): a plain INSERT, so the
    # commit does not relay it at once.
    db.session.execute(
        insert(OutboxMessage).values(
            message_key="test:waiting",
            channel="email",
            template="public_reply",
            locale="en",
            to_address=ADDRESS,
            subject="Your request",
            body_text="Dear Jane, here is more",
            status=OutboxStatus.PENDING,
            attempts=0,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    waiting = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_key == "test:waiting")
    )
    assert waiting.status == OutboxStatus.PENDING
    sent_before = len(smtp_server.messages)
    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    from webapp.outbox import relay_pending

    relay_pending()
    run_jobs()
    assert len(smtp_server.messages) == sent_before
    db.session.expire_all()
    waiting = db.session.get(OutboxMessage, waiting.id)
    assert waiting.status == OutboxStatus.FAILED and waiting.to_address == ""
    assert waiting.body_text == "[erased]"
    # Nor can an admin send it again: it has no recipient any more.
    post_form(f"/admin/mail/{waiting.id}/retry")
    db.session.expire_all()
    assert db.session.get(OutboxMessage, waiting.id).status == OutboxStatus.FAILED
    assert len(smtp_server.messages) == sent_before


def test_the_customers_status_link_says_the_information_was_erased(
    app, client, login, post_form, builtin_forms, admin_user
):
    held = _customer(app, builtin_forms)
    token = held["ticket"].status_token
    assert client.get(f"/t/{token}").status_code == 200
    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    reply = client.get(f"/t/{token}")
    assert reply.status_code == 410
    page = text_of(reply)
    assert "This information was erased" in page and "Elm Street" not in page
    assert client.post(f"/t/{token}/reply", data={"message": "hello"}).status_code == 410
    polish = text_of(client.get(f"/t/{token}?lang=pl"))
    assert "This information was erased" not in polish


def test_an_answer_with_markup_is_shown_as_text_on_the_find_page(
    app, client, login, post_form, builtin_forms, admin_user
):
    make_ticket(
        subject="<script>alert(1)</script>",
        customer_email=ADDRESS,
        answers={"email": ADDRESS},
    )
    login(admin_user)
    html = _find(post_form, ADDRESS).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_agents_cannot_reach_customer_data_requests(client, login, post_form, agent):
    login(agent)
    assert client.get(PAGE).status_code == 403
    for path in (PAGE, f"{PAGE}/export", f"{PAGE}/erase", f"{PAGE}/erase/confirm"):
        assert post_form(path, {"email": ADDRESS}).status_code == 403


def test_every_step_needs_the_csrf_token(app, client, login, admin_user, builtin_forms):
    _customer(app, builtin_forms)
    login(admin_user)
    for path in (PAGE, f"{PAGE}/export", f"{PAGE}/erase", f"{PAGE}/erase/confirm"):
        assert client.post(path, data={"email": ADDRESS}).status_code == 400
    assert db.session.scalar(select(Ticket.customer_email)) == ADDRESS


def test_finding_costs_the_same_queries_for_one_or_five_responses(
    app, client, login, post_form, builtin_forms, admin_user, count_queries
):
    login(admin_user)

    def queries_for(email: str, times: int) -> int:
        for n in range(times):
            ticket = make_ticket(customer_email=email, answers={"email": email})
            _response({"score": n, "email": email, "name": f"N{n}"}, ticket)
        with count_queries() as statements:
            assert _find(post_form, email).status_code == 200
        return len(statements)

    assert queries_for("one@example.com", 1) == queries_for("five@example.com", 5)


def test_the_pages_speak_the_admins_language(client, login, post_form, create_user, builtin_forms):
    from webapp.models import Role

    for locale, heading in (
        ("pl", "Wnioski klientów o dane"),
        ("ru", "Запросы клиентов о данных"),
        ("sl", "Zahteve strank glede podatkov"),
    ):
        user = create_user(
            email=f"{locale}@example.com", name=locale, role=Role.ADMIN, locale=locale
        )
        login(user)
        assert heading in text_of(client.get(PAGE))
        assert post_form(PAGE, {"email": "bad"}).status_code == 422
        post_form("/logout")


def test_staff_pages_show_the_erased_marker_in_their_language(
    app, client, login, post_form, create_user, builtin_forms
):
    from webapp.models import Role

    answers = {
        "category": "bug",
        "description": "The checkout page shows my card number",
        "screenshot": {"file_id": 1, "name": "jane-card.png", "size": 10},
        "email": ADDRESS,
    }
    ticket = make_ticket(
        subject="The checkout page shows my card number",
        customer_email=ADDRESS,
        form_slug="report-problem",
        answers=answers,
    )
    _response(answers, ticket, slug="report-problem")
    receive_customer_reply(ticket, "Any news?")
    db.session.commit()
    polish = create_user(email="ola.admin@example.com", name="Ola", role=Role.ADMIN, locale="pl")
    login(polish)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    for path in (
        f"/tickets/{ticket.number}",
        "/tickets",
        "/board",
        "/admin/forms/report-problem/responses",
    ):
        reply = client.get(path)
        assert reply.status_code == 200, path
        page = text_of(reply)
        assert "card number" not in page and "jane-card" not in page, path
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "[usunięto]" in page and "[erased]" not in page
    assert "Any news?" not in page


def test_a_continue_later_link_stops_working_after_erasure(
    app, client, login, post_form, builtin_forms, admin_user
):
    from webapp.public.views import _resume_links

    response = _response({"score": 4, "what_went_wrong": "Half-told story", "email": ADDRESS})
    response.completed_at = None
    db.session.commit()
    link = f"/f/nps/resume/{_resume_links().dumps(response.token)}"
    assert "Half-told story" in client.get(link, follow_redirects=True).get_data(as_text=True)
    login(admin_user)
    post_form(f"{PAGE}/erase/confirm", {"email": ADDRESS})
    post_form("/logout")
    reply = client.get(link, follow_redirects=True)
    assert reply.status_code == 200
    assert "Half-told story" not in reply.get_data(as_text=True)
    assert "[erased]" not in reply.get_data(as_text=True)
