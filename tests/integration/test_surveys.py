"""Post-resolution surveys: resolve → scheduled → sent when due → one-click answer → labels.

Real SMTP server; with TEST_REDIS_URL the survey job and the mails run through a real RQ
worker. Time travels through the jobs' `now` argument.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jobs import enqueue
from jobs.surveys import send_due_surveys
from tests.helpers import make_ticket, require_redis, text_of
from webapp.extensions import db
from webapp.models import (
    EmailOptOut,
    Response,
    Role,
    SurveyInvitation,
    SurveyStatus,
    TicketEvent,
    WorkflowKind,
)
from webapp.services import surveys
from webapp.services.non_essential_mail import opt_out, unsubscribe_token
from webapp.services.tickets import fire
from webapp.services.workflow_versions import publish_version

DEFAULT_WORKFLOW = Path(__file__).resolve().parents[2] / "workflow/definitions/default.yaml"
LINK = re.compile(r"http://loopdesk\.test(/s/[A-Za-z0-9_-]+/\d+)")


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def resolver(app, builtin_forms, create_user):
    """An admin who may resolve and reopen any ticket."""
    return create_user(email="lead@example.com", name="Lea", role=Role.ADMIN)


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def run_survey_job(run_jobs, now: str) -> None:
    """The periodic job as the scheduler runs it: on RQ when configured, else in-process."""
    enqueue(send_due_surveys, now)
    run_jobs()  # the survey job (RQ), then the e-mails it queued
    run_jobs()


def resolved_ticket(resolver, **fields):
    """A Polish customer's ticket (no routing labels), resolved now."""
    ticket = make_ticket(**{"answers": {}, "score": {}, **fields})
    fire(ticket, "resolve", resolver)
    db.session.commit()
    return ticket


def survey_mails(smtp_server) -> list:
    return [m for m in smtp_server.messages if m["List-Unsubscribe"]]


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def invitation_of(ticket) -> SurveyInvitation:
    return db.session.scalars(
        select(SurveyInvitation)
        .where(SurveyInvitation.ticket_id == ticket.id)
        .order_by(SurveyInvitation.id.desc())
    ).first()


def labels_of(ticket) -> list[str]:
    db.session.refresh(ticket)
    return sorted(label.name for label in ticket.labels)


def event_kinds(ticket) -> list[str]:
    return list(
        db.session.scalars(
            select(TicketEvent.kind)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    )


def use_nps_surveys(resolver) -> None:
    """An admin switches the post-resolution survey to NPS."""
    text = DEFAULT_WORKFLOW.read_text(encoding="utf-8")
    text = text.replace(
        "schedule_survey: {form: csat, after: 24h}", "schedule_survey: {form: nps, after: 24h}"
    )
    publish_version(WorkflowKind.TICKET, text, resolver, check_teams=False)
    db.session.commit()


def test_resolving_schedules_a_survey_a_day_later(resolver):
    before = datetime.now(UTC)
    ticket = resolved_ticket(resolver)
    invitation = invitation_of(ticket)
    assert (invitation.status, invitation.form_slug) == (SurveyStatus.SCHEDULED, "csat")
    assert (
        timedelta(hours=23, minutes=59)
        < invitation.due_at - before
        < timedelta(hours=24, minutes=1)
    )
    assert "survey_scheduled" in event_kinds(ticket)


def test_survey_arrives_in_polish_when_due_and_its_links_record_a_click(
    resolver, client, smtp_server, run_jobs
):
    ticket = resolved_ticket(resolver)
    run_jobs()  # the resolution's own mails
    resolution_mails = len(smtp_server.messages)

    run_survey_job(run_jobs, later(23))  # not yet due
    assert survey_mails(smtp_server) == []
    assert invitation_of(ticket).status == SurveyStatus.SCHEDULED

    run_survey_job(run_jobs, later(25))
    [mail] = survey_mails(smtp_server)
    assert len(smtp_server.messages) == resolution_mails + 1
    assert mail["To"] == "jan@example.pl"
    assert mail["Content-Language"] == "pl"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ticket.number in mail["Subject"]
    body = plain(mail)
    assert "Dzień dobry, Jan," in body
    assert "Jak oceniasz otrzymaną od nas pomoc?" in body  # the csat form's question in Polish
    assert "Płatność nie działa" in body
    links = LINK.findall(body)
    assert [link.rsplit("/", 1)[1] for link in links] == ["1", "2", "3", "4", "5"]
    html = mail.get_body(("html",)).get_content()
    assert all(f'href="http://loopdesk.test{link}"' in html for link in links)
    invitation = invitation_of(ticket)
    assert invitation.status == SurveyStatus.SENT

    # A mail scanner (or the customer) opens the link: a page, nothing recorded yet.
    page = client.get(links[4])
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'lang="pl"' in html and "data-survey-autosubmit" in html
    assert re.search(r'value="5" class="scale-button chosen"[^>]*aria-pressed="true"', html)
    assert "js/survey.js" in html
    db.session.refresh(invitation)
    assert invitation.status == SurveyStatus.SENT and invitation.response_id is None

    # The page's form (auto-submitted, or the confirm button) POSTs the score.
    answered = client.post(f"/s/{invitation.token}", data={"score": "5"})
    assert answered.status_code == 303
    thanks = client.get(answered.headers["Location"])
    assert thanks.status_code == 200
    assert "Cieszymy się, że mogliśmy pomóc!" in text_of(thanks)  # the form's follow-up, in Polish

    db.session.refresh(invitation)
    assert invitation.status == SurveyStatus.ANSWERED
    response = db.session.get(Response, invitation.response_id)
    assert response.answers == {"csat": 5}
    assert (response.form.slug, response.locale, response.channel) == ("csat", "pl", "email")
    assert response.completed_at is not None
    assert response.ticket_id is None  # that link names the response the ticket came from
    assert labels_of(ticket) == ["CSAT 5"]

    # Anything to add? The comment goes into the form's follow-up question. The box is there
    # only to add one (the score is saved), so it is required and never called optional.
    thanks = client.get(f"/s/{invitation.token}").get_data(as_text=True)
    assert 'name="comment"' in thanks and "(opcjonalnie)" not in thanks
    client.post(f"/s/{invitation.token}", data={"comment": "Szybko i konkretnie"})
    db.session.refresh(response)
    assert response.answers == {"csat": 5, "comment_positive": "Szybko i konkretnie"}
    assert "Szybko i konkretnie" in text_of(client.get(f"/s/{invitation.token}"))

    # A second click with another score changes the same response and label; the comment
    # moves to the form's follow-up for that score.
    client.post(f"/s/{invitation.token}", data={"score": "2"})
    assert db.session.scalars(select(Response.id)).all() == [response.id]
    db.session.refresh(response)
    assert response.answers == {"csat": 2, "comment": "Szybko i konkretnie"}
    assert labels_of(ticket) == ["CSAT 2"]
    kinds = event_kinds(ticket)
    assert kinds.count("survey_answered") == 2 and "label_removed" in kinds


def test_running_the_job_twice_sends_once(resolver, smtp_server, run_jobs):
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    run_survey_job(run_jobs, later(26))
    assert send_due_surveys(later(27)) == 0
    assert len(survey_mails(smtp_server)) == 1
    assert invitation_of(ticket).status == SurveyStatus.SENT


def test_two_overlapping_runs_send_once(app, resolver, smtp_server, run_jobs):
    """Two schedulers (or a slow run and the next one) at the same moment: one e-mail."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers anyway)")
    ticket = resolved_ticket(resolver)
    now = datetime.now(UTC) + timedelta(hours=25)
    start, results = threading.Barrier(2), []

    def one_run() -> None:
        with app.app_context():  # its own session and connection, like another worker
            start.wait()
            results.append(surveys.send_due_surveys(now))
            db.session.remove()

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    run_jobs()
    assert sorted(results) == [0, 1]
    assert len(survey_mails(smtp_server)) == 1
    queued = db.session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "email_queued"
        )
    )
    assert [e.data["template"] for e in queued].count("survey_invitation") == 1


def test_reopening_before_the_survey_is_due_cancels_it(resolver, client, smtp_server, run_jobs):
    ticket = resolved_ticket(resolver)
    fire(ticket, "reopen", resolver)
    db.session.commit()
    invitation = invitation_of(ticket)
    assert invitation.status == SurveyStatus.CANCELLED and invitation.cancelled_at is not None
    assert "survey_cancelled" in event_kinds(ticket)

    run_survey_job(run_jobs, later(25))
    assert survey_mails(smtp_server) == []
    # A cancelled invitation's link (say, from a resolve → send → reopen ticket) is polite.
    page = client.post(f"/s/{invitation.token}", data={"score": "5"})
    assert page.status_code == 410
    assert ticket.number in text_of(page)
    assert labels_of(ticket) == []


def test_resolving_again_after_a_reopen_schedules_a_new_survey(resolver):
    ticket = resolved_ticket(resolver)
    fire(ticket, "reopen", resolver)
    fire(ticket, "resolve", resolver)
    db.session.commit()
    statuses = db.session.scalars(
        select(SurveyInvitation.status)
        .where(SurveyInvitation.ticket_id == ticket.id)
        .order_by(SurveyInvitation.id)
    ).all()
    assert statuses == [SurveyStatus.CANCELLED, SurveyStatus.SCHEDULED]


def test_nps_10_sends_the_testimonial_request_and_labels_a_promoter(
    resolver, client, smtp_server, run_jobs
):
    use_nps_surveys(resolver)
    ticket = resolved_ticket(resolver, customer_locale="en", customer_name="Jane")
    run_survey_job(run_jobs, later(25))
    [survey] = [m for m in survey_mails(smtp_server) if "How did we do?" in m["Subject"]]
    body = plain(survey)
    assert "How likely are you to recommend us to a friend or colleague?" in body
    links = LINK.findall(body)
    assert [link.rsplit("/", 1)[1] for link in links] == [str(n) for n in range(11)]

    client.get(links[10])  # records nothing
    assert labels_of(ticket) == []
    client.post(links[10].rsplit("/", 1)[0], data={"score": "10"})
    run_jobs()
    assert labels_of(ticket) == ["NPS 10", "promoter"]
    testimonial = [m for m in smtp_server.messages if "share your experience" in m["Subject"]]
    assert len(testimonial) == 1
    text = plain(testimonial[0])
    assert "Hello Jane," in text and "a sentence or two" in text
    assert testimonial[0]["List-Unsubscribe"]
    assert "automation" in event_kinds(ticket)

    # Changing 10 to 9 keeps the promoter and does not ask twice.
    client.post(links[10].rsplit("/", 1)[0], data={"score": "9"})
    run_jobs()
    assert labels_of(ticket) == ["NPS 9", "promoter"]
    assert len([m for m in smtp_server.messages if "share your experience" in m["Subject"]]) == 1


def test_a_promoter_who_unsubscribed_meanwhile_gets_no_testimonial_request(
    resolver, client, smtp_server, run_jobs
):
    use_nps_surveys(resolver)
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    opt_out("jan@example.pl")
    db.session.commit()
    client.post(f"/s/{invitation_of(ticket).token}", data={"score": "10"})
    run_jobs()
    assert labels_of(ticket) == ["NPS 10", "promoter"]
    assert not [m for m in smtp_server.messages if "share your experience" in m["Subject"]]
    assert "email_skipped" in event_kinds(ticket)


def test_the_workspace_timeline_shows_the_survey_and_its_answer(
    resolver, client, login, smtp_server, run_jobs
):
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    client.post(f"/s/{invitation_of(ticket).token}", data={"score": "4"})
    client.post(f"/s/{invitation_of(ticket).token}", data={"comment": "Dzięki!"})
    client.post(f"/s/{invitation_of(ticket).token}", data={"score": "3"})
    login(resolver)
    timeline = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "E-mail queued (satisfaction survey)" in timeline
    assert "The customer answered the survey: 4." in timeline
    assert "The customer changed their survey answer from 4 to 3." in timeline
    assert "Dzięki!" in timeline


def test_nps_8_asks_for_no_testimonial(resolver, client, smtp_server, run_jobs):
    use_nps_surveys(resolver)
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    invitation = invitation_of(ticket)
    client.post(f"/s/{invitation.token}", data={"score": "8"})
    run_jobs()
    assert labels_of(ticket) == ["NPS 8"]
    assert not [m for m in smtp_server.messages if "share your experience" in m["Subject"]]


def test_opted_out_customer_gets_status_updates_but_no_survey(resolver, smtp_server, run_jobs):
    opt_out("JAN@example.pl")
    db.session.commit()
    ticket = resolved_ticket(resolver)
    run_jobs()
    updates = [m for m in smtp_server.messages if m["To"] == "jan@example.pl"]
    assert updates and not survey_mails(smtp_server)  # the resolution mail is essential

    run_survey_job(run_jobs, later(25))
    assert not survey_mails(smtp_server)
    assert invitation_of(ticket).status == SurveyStatus.SKIPPED
    assert "survey_skipped" in event_kinds(ticket)


def test_a_ticket_without_an_address_skips_its_survey(resolver, smtp_server, run_jobs):
    ticket = resolved_ticket(resolver, customer_email=None)
    run_survey_job(run_jobs, later(25))
    assert invitation_of(ticket).status == SurveyStatus.SKIPPED
    assert survey_mails(smtp_server) == []
    assert "survey_skipped" in event_kinds(ticket)


def test_unsubscribe_link_asks_first_then_records_once(resolver, client, smtp_server, run_jobs):
    resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    [mail] = survey_mails(smtp_server)
    url = mail["List-Unsubscribe"].strip("<>")
    assert url in plain(mail)
    path = url.removeprefix("http://loopdesk.test")
    assert path.startswith("/unsubscribe/") and "lang=pl" in path

    page = client.get(path)
    assert page.status_code == 200 and "jan@example.pl" in text_of(page)
    assert db.session.scalar(select(EmailOptOut.id)) is None  # a GET is not a yes

    for _ in range(2):  # the confirm button, then the mail client's one-click POST
        done = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
    assert db.session.scalars(select(EmailOptOut.email)).all() == ["jan@example.pl"]


def test_bad_links_get_a_page_never_a_500(resolver, client, smtp_server, run_jobs):
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    token = invitation_of(ticket).token
    assert client.get("/s/not-a-token/5").status_code == 404
    assert client.post("/s/not-a-token", data={"score": "5"}).status_code == 404
    for score in ("6", "0", "abc", "-1", "99999999999999999999"):
        page = client.get(f"/s/{token}/{score}")
        assert page.status_code == 400, score
        assert "1" in text_of(page) and "5" in text_of(page)
    assert client.post(f"/s/{token}", data={"score": "11"}).status_code == 400
    assert client.post(f"/s/{token}", data={}).status_code == 400  # nothing chosen yet
    assert client.post(f"/s/{token}", data={"score": "4", "comment": "x" * 6000}).status_code == 303
    assert client.get(f"/unsubscribe/{unsubscribe_token('a@b.c')}x").status_code == 404
    assert client.post("/unsubscribe/forged").status_code == 404
    assert invitation_of(ticket).status == SurveyStatus.SENT  # the too-long comment saved nothing


def test_survey_job_runs_on_a_real_rq_worker(resolver, smtp_server, run_jobs, app):
    require_redis()
    ticket = resolved_ticket(resolver)
    job = enqueue(send_due_surveys, later(25))
    assert job is not None  # on RQ, not in-process
    run_jobs()
    run_jobs()
    assert job.get_status(refresh=True) == "finished" and job.return_value() == 1
    assert len(survey_mails(smtp_server)) == 1
    assert invitation_of(ticket).status == SurveyStatus.SENT


def test_the_status_page_asks_the_survey_too_and_one_click_answers_it(
    resolver, client, smtp_server, run_jobs
):
    """A customer who comes to the status page rather than the e-mail is asked there."""
    ticket = resolved_ticket(resolver)
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert 'class="status-survey"' not in page  # not sent yet
    assert 'class="status-due' not in page  # resolved: no "first reply by" promise any more
    run_survey_job(run_jobs, later(25))
    invitation = invitation_of(ticket)
    assert invitation.status == SurveyStatus.SENT
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert 'class="status-survey"' in page
    assert "Jak oceniasz otrzymaną od nas pomoc?" in page and "Bardzo źle" in page
    assert f'action="/s/{invitation.token}"' in page and 'name="score" value="5"' in page

    answered = client.post(f"/s/{invitation.token}", data={"score": "4"})
    assert answered.status_code == 303
    db.session.expire_all()
    assert invitation_of(ticket).status == SurveyStatus.ANSWERED
    page = text_of(client.get(f"/t/{ticket.status_token}"))
    assert "Twoja odpowiedź: 4. Dziękujemy!" in page
    assert "Zmień odpowiedź lub dodaj komentarz" in page


def test_a_survey_answered_from_a_status_page_read_in_english_stays_english(
    resolver, client, smtp_server, run_jobs
):
    """A Polish request read in English (?lang=en): its survey, the thanks and the comment
    box after it are English too, not back in Polish."""
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    token = invitation_of(ticket).token
    page = client.get(f"/t/{ticket.status_token}?lang=en").get_data(as_text=True)
    assert "How satisfied are you with the help you received?" in page
    assert f'action="/s/{token}?lang=en"' in page
    answered = client.post(f"/s/{token}?lang=en", data={"score": "2"})
    assert answered.headers["Location"] == f"/s/{token}?lang=en"
    thanks = client.get(answered.headers["Location"])
    assert '<html lang="en">' in thanks.text and "My score: 2" in text_of(thanks)
    assert thanks.text.count(f'action="/s/{token}?lang=en"') == 2  # the comment, another score
    commented = client.post(f"/s/{token}?lang=en", data={"comment": "Too slow"})
    assert "Thank you, we added your comment." in text_of(client.get(commented.headers["Location"]))
    page = text_of(client.get(f"/t/{ticket.status_token}?lang=en"))
    assert "You answered 2. Thank you!" in page
    # read in the request's own language, nothing is added to the addresses
    assert f'action="/s/{token}"' in client.get(f"/s/{token}").text
    assert "Moja ocena: 2" in text_of(client.get(f"/s/{token}"))


def test_an_empty_comment_is_refused_in_the_customers_language(
    resolver, client, smtp_server, run_jobs
):
    """The comment box leaves the check to us (the browser's bubble would be in its language)."""
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    token = invitation_of(ticket).token
    client.post(f"/s/{token}", data={"score": "4"})
    thanks = client.get(f"/s/{token}").text
    assert re.search(r'<form id="composer" [^>]*novalidate>', thanks)
    sent = client.post(f"/s/{token}", data={"score": "4", "comment": "  "})
    page = client.get(sent.headers["Location"])
    assert "Najpierw napisz wiadomość." in text_of(page)
    assert "Dziękujemy, komentarz został dodany." not in text_of(page)


def test_a_comment_with_a_nul_byte_is_kept_without_it(resolver, client, smtp_server, run_jobs):
    """PostgreSQL refuses NUL in text: the comment came back as a bare "Bad request" page and
    was lost. It is kept, without the byte nobody meant to send."""
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    token = invitation_of(ticket).token
    sent = client.post(f"/s/{token}", data={"score": "4", "comment": "Szybko\x00 i miło"})
    assert sent.status_code == 303
    page = text_of(client.get(sent.headers["Location"]))
    assert "Dziękujemy, komentarz został dodany." in page and "Szybko i miło" in page
    assert "survey_comment" in event_kinds(ticket)
