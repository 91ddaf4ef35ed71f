"""Data retention: an admin sets how many months customers' personal data is kept, and a
daily job erases what is older, with the rules of a customer's own erasure request."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests.helpers import make_ticket, stored_file, survey_and_mail_from
from tests.helpers import text_of as _markup_text
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    Form,
    FormVersion,
    InboundEmail,
    OutboxMessage,
    Response,
    ResponseFile,
    Role,
    SurveyInvitation,
    SurveyStatus,
    Ticket,
    utcnow,
)
from webapp.services import retention
from webapp.services.replies import receive_customer_reply, send_public_reply

PAGE = "/admin/customer-data"
SETTING = f"{PAGE}/retention"
MONTH = timedelta(days=31)


@pytest.fixture
def app_config(tmp_path, smtp_config) -> dict:
    return {"UPLOAD_FOLDER": str(tmp_path / "uploads"), **smtp_config}


@pytest.fixture
def admin_user(create_user):
    return create_user(email="root@example.com", name="Rita Root", role=Role.ADMIN)


def _response(
    app, answers: dict, ago: timedelta, *, done: bool = True, ticket: Ticket | None = None
) -> Response:
    """A response to the NPS form whose last activity was `ago`, with an uploaded file."""
    form, version_id = db.session.execute(
        select(Form, FormVersion.id)
        .join(FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True))
        .where(Form.slug == "nps")
    ).one()
    moment = utcnow() - ago
    response = Response(
        form=form,
        form_version_id=version_id,
        locale="en",
        answers=answers,
        meta={"page_url": "https://shop.example/orders/1", "user_agent": "mobile"},
        hidden={"customer_id": "C-1"},
        started_at=moment - timedelta(minutes=3),
        completed_at=moment if done else None,
        ticket_id=ticket.id if ticket else None,
    )
    db.session.add(response)
    db.session.flush()
    db.session.execute(  # the last answer's moment (the ORM would stamp "now")
        update(Response).where(Response.id == response.id).values(updated_at=moment)
    )
    stored_file(app, response, "receipt.png", b"\x89PNG\r\n\x1a\n-photo", f"r{response.id:031d}")
    db.session.commit()
    return response


def _ticket(agent, email: str, ago: timedelta, state: str) -> Ticket:
    """A customer's ticket with a reply each way, a survey invitation and an e-mail received;
    moved to `state` and left untouched since `ago`."""
    answers = {"score": 2, "what_went_wrong": f"Broken, write to {email}", "email": email}
    ticket = make_ticket(
        subject="Broken parcel",
        customer_name="Cust Omer",
        customer_email=email,
        customer_locale="en",
        answers=answers,
    )
    send_public_reply(ticket, "Sorry, a new one is on its way.", agent)
    receive_customer_reply(ticket, "Thanks, I live at Elm Street 5")
    survey_and_mail_from(ticket, email, "Re: Broken parcel")
    db.session.commit()
    moment = utcnow() - ago
    finished = state in ("resolved", "closed")
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id)
        .values(
            state=state,
            created_at=moment - timedelta(days=3),
            state_entered_at=moment,
            resolved_at=moment if finished else None,
            updated_at=moment,
        )
    )
    db.session.commit()
    return db.session.get(Ticket, ticket.id)


def text_of(reply) -> str:
    """The visible text, entities decoded ("customers' data")."""
    return html.unescape(_markup_text(reply))


def _set_months(months: int | None) -> None:
    retention.change_retention(months)
    db.session.commit()


def _nps_figures(at) -> list:
    """The Reports page's NPS by language for the 90 days before `at`."""
    from webapp.services.reports import build_report

    report = build_report(at, 90, "No team", "All", with_themes=False)
    return [(s.code, s.nps.nps if s.nps else None, s.responses) for s in report.languages]


def test_an_admin_sets_the_period_in_the_browser_audited_and_validated(
    client, login, post_form, admin_user
):
    login(admin_user)
    page = text_of(client.get(PAGE))
    assert "Data retention" in page and "Now: off." in page

    saved = post_form(SETTING, {"months": " 6 "})
    assert saved.status_code == 303
    page = text_of(client.get(PAGE))
    assert "daily job erases customers' personal data 6 months after" in page
    assert "Now: personal data is erased 6 months after" in page
    assert retention.retention_months() == 6

    for typed in ("0", "121", "abc", "1.5", "-3", "６"):
        refused = post_form(SETTING, {"months": typed})
        assert refused.status_code == 422, typed
        markup = refused.get_data(as_text=True)
        assert "Please type a whole number of months from 1 to 120" in text_of(refused)
        assert re.search(r'name="months"[^>]*value="' + re.escape(typed) + '"', markup), typed
        assert retention.retention_months() == 6

    assert post_form(SETTING, {"months": "6"}).status_code == 303  # unchanged: no entry
    assert post_form(SETTING, {"months": ""}).status_code == 303
    assert retention.retention_months() is None
    assert "Now: off." in text_of(client.get(PAGE))

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "retention.changed").order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"retention_months": None}, {"retention_months": 6}),
        ({"retention_months": 6}, {"retention_months": None}),
    ]
    assert entries[0].actor_name == "Rita Root"
    log = text_of(client.get("/admin/audit"))
    assert "Changed how long customers' personal data is kept" in log
    assert "off: kept until the customer asks" in log


def test_agents_cannot_change_the_period_and_the_form_needs_its_csrf_token(
    client, login, post_form, agent, admin_user
):
    login(agent)
    assert post_form(SETTING, {"months": "6"}).status_code == 403
    assert retention.retention_months() is None
    client.get("/logout")
    login(admin_user)
    assert client.post(SETTING, data={"months": "6"}).status_code == 400
    assert retention.retention_months() is None


def test_retention_off_erases_nothing(app, builtin_forms):
    old = _response(app, {"score": 9, "email": "old@example.com"}, ago=30 * MONTH)
    assert retention.erase_expired_data() is None
    assert retention.preview() is None
    db.session.expire_all()
    assert db.session.get(Response, old.id).answers["email"] == "old@example.com"


def test_six_months_erase_old_answers_and_finished_tickets_and_nothing_else(
    app, client, login, post_form, builtin_forms, admin_user, run_jobs
):
    agent = builtin_forms
    old_response = _response(
        app,
        {"score": 3, "what_went_wrong": "Awful, call 555-0100", "email": "a@example.com"},
        ago=7 * MONTH,
    )
    partial = _response(app, {"score": 8, "email": "half@example.com"}, ago=8 * MONTH, done=False)
    recent = _response(app, {"score": 10, "email": "new@example.com"}, ago=2 * MONTH)
    old_done = _ticket(agent, "done@example.com", ago=7 * MONTH, state="resolved")
    done_response = _response(
        app, {"score": 2, "email": "done@example.com"}, ago=7 * MONTH, ticket=old_done
    )
    old_open = _ticket(agent, "open@example.com", ago=9 * MONTH, state="in_progress")
    open_response = _response(
        app, {"score": 1, "email": "open@example.com"}, ago=9 * MONTH, ticket=old_open
    )
    recent_done = _ticket(agent, "fresh@example.com", ago=1 * MONTH, state="closed")
    run_jobs()
    files = {
        r.id: Path(app.config["UPLOAD_FOLDER"]) / r.storage_key
        for r in db.session.scalars(select(ResponseFile))
    }
    file_of = {r.response_id: files[r.id] for r in db.session.scalars(select(ResponseFile))}
    at = utcnow() - 7 * MONTH + timedelta(days=10)
    nps_before = _nps_figures(at)
    assert nps_before and nps_before[0][2] >= 2

    _set_months(6)
    login(admin_user)
    page = text_of(client.get(PAGE))
    assert "If the job ran now it would erase 3 form responses 1 ticket" in page
    assert retention.preview() == retention.Preview(responses=3, tickets=1)

    from jobs.schedule import erase_expired_personal_data

    assert erase_expired_personal_data() == 4  # 3 responses + 1 ticket, as the preview said
    db.session.expire_all()

    for erased in (old_response, partial, done_response):
        response = db.session.get(Response, erased.id)
        assert response.answers["email"] == "[erased]"
        assert "page_url" not in response.meta and response.meta["user_agent"] == "mobile"
        assert response.hidden == {"customer_id": "[erased]"}
        assert not file_of[erased.id].exists()
    assert db.session.get(Response, old_response.id).answers["score"] == 3  # scores stay
    assert db.session.get(Response, old_response.id).answers["what_went_wrong"] == "[erased]"

    ticket = db.session.get(Ticket, old_done.id)
    assert ticket.customer_email is None and ticket.customer_name == "[erased]"
    assert ticket.customer_erased_at is not None and ticket.state == "resolved"
    assert "elm street" not in ticket.search_text
    assert (
        db.session.scalar(
            select(func.count(InboundEmail.id)).where(InboundEmail.ticket_id == old_done.id)
        )
        == 0
    )
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.ticket_id == old_done.id)
    )
    assert invitation.status == SurveyStatus.SKIPPED
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_key.like(f"public_reply:{old_done.id}:%"))
    )
    assert mail.to_address == "" and mail.body_text == "[erased]"

    for kept, address in ((recent, "new@example.com"), (open_response, "open@example.com")):
        response = db.session.get(Response, kept.id)
        assert response.answers["email"] == address
        assert file_of[kept.id].exists()
    for kept, address in ((old_open, "open@example.com"), (recent_done, "fresh@example.com")):
        ticket = db.session.get(Ticket, kept.id)
        assert ticket.customer_email == address and ticket.customer_erased_at is None
        assert db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address == address)
        )

    assert _nps_figures(at) == nps_before

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "retention.erased")
    ).all()
    assert len(entries) == 1
    assert entries[0].after["responses"] == 3 and entries[0].after["tickets"] == 1
    assert entries[0].after["files"] == 3 and entries[0].after["emails_received"] == 1
    assert "@" not in str([entries[0].target_label, entries[0].after])

    page = text_of(client.get(PAGE))
    assert "The daily job last ran on" in page
    assert "It last erased something on" in page and "3 uploaded files" in page
    assert "If the job ran now it would erase 0 form responses 0 tickets" in page
    log = text_of(client.get("/admin/audit"))
    assert "daily data retention job" in log

    again = retention.erase_expired_data()
    assert not again.erased_anything
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "retention.erased")
        )
        == 1
    )


def test_a_reopened_ticket_keeps_its_data(app, builtin_forms):
    ticket = _ticket(builtin_forms, "back@example.com", ago=10 * MONTH, state="in_progress")
    db.session.execute(  # resolved long ago, then reopened: resolved_at is cleared
        update(Ticket).where(Ticket.id == ticket.id).values(resolved_at=None)
    )
    db.session.commit()
    _set_months(6)
    assert retention.preview().tickets == 0
    retention.erase_expired_data()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).customer_email == "back@example.com"


def test_the_files_a_customer_sent_with_replies_go_with_their_ticket(app, builtin_forms):
    from webapp.models import TicketFile
    from webapp.services.ticket_files import keep_attachments, path_of

    ticket = _ticket(builtin_forms, "files@example.com", ago=10 * MONTH, state="closed")
    kept = keep_attachments(ticket, [("receipt.pdf", b"%PDF-1.4 receipt")])
    db.session.commit()
    path = path_of(kept.files[0])
    assert path.exists()
    _set_months(6)
    run = retention.erase_expired_data()
    assert run.counts["files"] == 1
    assert db.session.scalars(select(TicketFile)).all() == [] and not path.exists()


def test_batches_of_two_erase_all_five_old_responses(app, builtin_forms):
    old = [
        _response(app, {"score": n, "email": f"c{n}@example.com"}, ago=12 * MONTH) for n in range(5)
    ]
    _set_months(6)
    assert retention.preview().responses == 5
    run = retention.erase_expired_data(batch_size=2)
    assert run.counts["responses"] == 5 and run.finished
    db.session.expire_all()
    assert all(db.session.get(Response, r.id).answers["email"] == "[erased]" for r in old)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retention.erased"))
    assert entry.after["responses"] == 5 and entry.after["files"] == 5


def test_a_run_whose_time_is_up_leaves_the_rest_for_the_next(app, builtin_forms):
    for n in range(3):
        _response(app, {"score": n, "email": f"late{n}@example.com"}, ago=12 * MONTH)
    _set_months(6)
    first = retention.erase_expired_data(batch_size=1, run_seconds=0)
    assert first.counts["responses"] == 1 and not first.finished
    assert retention.preview().responses == 2
    second = retention.erase_expired_data(batch_size=10)
    assert second.counts["responses"] == 2 and second.finished
    assert retention.preview().responses == 0


def test_the_job_costs_the_same_reads_for_two_or_six_records(app, builtin_forms, count_queries):
    _set_months(6)

    def statements_for(times: int) -> tuple[int, int]:
        for n in range(times):
            email = f"q{times}-{n}@example.com"
            ticket = _ticket(builtin_forms, email, ago=8 * MONTH, state="closed")
            _response(app, {"score": n, "email": email}, ago=8 * MONTH, ticket=ticket)
            _response(app, {"score": n, "email": email}, ago=8 * MONTH)
        with count_queries() as statements:
            run = retention.erase_expired_data()
        assert run.counts["tickets"] == times and run.counts["responses"] == 2 * times
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        return len(reads), len(statements)

    reads_two, all_two = statements_for(2)
    reads_six, all_six = statements_for(6)
    assert reads_six == reads_two
    # Writes: a few UPDATEs per erased row at most, never a query per row read.
    assert all_six - all_two <= 4 * 12


@pytest.mark.parametrize(
    ("locale", "heading", "now_off", "log_action"),
    [
        ("pl", "Okres przechowywania danych", "Teraz: wyłączone.", "Zmieniono, jak długo"),
        ("ru", "Срок хранения данных", "Сейчас: выключено.", "Изменён срок хранения"),
        ("sl", "Hramba podatkov", "Zdaj: izklopljeno.", "Spremenjeno, kako dolgo"),
    ],
)
def test_the_retention_section_speaks_the_admins_language(
    client, login, post_form, create_user, locale, heading, now_off, log_action
):
    admin = create_user(email=f"{locale}@example.com", role=Role.ADMIN, locale=locale)
    login(admin)
    page = text_of(client.get(PAGE))
    assert heading in page and now_off in page
    refused = text_of(post_form(SETTING, {"months": "200"}))
    assert "120" in refused and "Please type" not in refused
    post_form(SETTING, {"months": "24"})
    assert "24" in text_of(client.get(PAGE))
    assert log_action in text_of(client.get("/admin/audit"))
    assert heading in text_of(client.get("/admin/audit"))


def test_survey_answers_go_with_their_ticket_and_stay_while_it_is_open(app, builtin_forms):
    """A survey answer belongs to its ticket (through the invitation), not to no ticket."""
    answers = []
    for email, state in (("gone@example.com", "closed"), ("back@example.com", "in_progress")):
        ticket = _ticket(builtin_forms, email, ago=8 * MONTH, state=state)
        answer = _response(app, {"score": 9, "email": email}, ago=8 * MONTH)
        invitation = db.session.scalar(
            select(SurveyInvitation).where(SurveyInvitation.ticket_id == ticket.id)
        )
        invitation.response_id = answer.id
        db.session.commit()
        answers.append(answer)
    _set_months(6)
    assert retention.preview() == retention.Preview(responses=1, tickets=1)
    run = retention.erase_expired_data()
    assert run.counts["responses"] == 1 and run.counts["tickets"] == 1
    db.session.expire_all()
    gone, kept = (db.session.get(Response, answer.id) for answer in answers)
    assert gone.answers == {"score": 9, "email": "[erased]"}
    assert kept.answers["email"] == "back@example.com"


def test_old_continue_later_links_and_mail_from_unknown_senders_go(app, builtin_forms):
    from sqlalchemy import insert

    for key, ago in (("old", 8 * MONTH), ("new", MONTH)):
        db.session.execute(
            insert(OutboxMessage).values(
                message_key=f"continue_later:{key}",
                channel="email",
                template="continue_later",
                locale="en",
                to_address=f"{key}@example.com",
                subject="Finish your answers",
                body_text="Your link",
                status="sent",
                attempts=1,
                created_at=utcnow() - ago,
            )
        )
        db.session.add(
            InboundEmail(
                message_id=f"<{key}@mail.example>",
                sender=f"{key}-sender@example.com",
                subject="Hello?",
                outcome="no_ticket",
                received_at=utcnow() - ago,
            )
        )
    db.session.commit()
    _set_months(6)
    run = retention.erase_expired_data()
    assert run.counts["emails_sent"] == 1 and run.counts["emails_received"] == 1
    db.session.expire_all()
    assert db.session.scalars(
        select(OutboxMessage.to_address).order_by(OutboxMessage.id)
    ).all() == [
        "",
        "new@example.com",
    ]
    assert db.session.scalars(select(InboundEmail.sender)).all() == ["new-sender@example.com"]
    assert not retention.erase_expired_data().erased_anything
