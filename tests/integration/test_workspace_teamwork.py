"""The ticket workspace: labels, tasks, reminders, watchers, assignment and priority."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from jobs.reminders import send_due_reminders
from tests.helpers import text_of
from tests.integration.test_workspace_conversation import (
    add_people,
    field_attrs,
    make_ticket,
    messages_to,
)
from webapp.extensions import db
from webapp.models import (
    OutboxMessage,
    Reminder,
    Task,
    TicketEvent,
    Watcher,
    WorkflowKind,
    utcnow,
)
from webapp.services.tickets import fire
from webapp.services.workflow_versions import SHIPPED, publish_version


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


@pytest.fixture
def people(app, create_user) -> dict:
    return add_people(create_user)


def test_labels_show_who_added_them_when_and_link_to_the_board(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/labels", {"name": "refund"})
    post_form(f"/tickets/{ticket.number}/labels", {"name": "vip"})
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "/board?label=refund" in html and "/board?label=vip" in html
    assert "added by Bea Brown" in text_of(client.get(f"/tickets/{ticket.number}"))
    assert "added by Loopdesk" in text_of(client.get(f"/tickets/{ticket.number}"))  # routing
    post_form(f"/tickets/{ticket.number}/labels/remove", {"name": "vip"})
    db.session.refresh(ticket)
    assert sorted(label.name for label in ticket.labels) == ["detractor", "refund"]
    assert post_form(f"/tickets/{ticket.number}/labels", {"name": " "}).status_code == 422


def test_adding_and_removing_a_label_is_confirmed(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    added = post_form(f"/tickets/{ticket.number}/labels", {"name": " refund  now "}, htmx=True)
    toast = 'hx-swap-oob="beforeend:#toasts"'
    assert toast in added.text and "Label “refund now” added." in text_of(added)
    again = post_form(f"/tickets/{ticket.number}/labels", {"name": "REFUND now"}, htmx=True)
    assert "already has the label" in text_of(again) and "added." not in text_of(again)
    removed = post_form(
        f"/tickets/{ticket.number}/labels/remove", {"name": "refund now"}, htmx=True
    )
    assert "Label “refund now” removed." in text_of(removed)
    twice = post_form(f"/tickets/{ticket.number}/labels/remove", {"name": "refund now"}, htmx=True)
    assert "The ticket has no label “refund now” any more." in text_of(twice)
    # Without JavaScript the page after the redirect says it.
    post_form(f"/tickets/{ticket.number}/labels", {"name": "vip"})
    assert "Label “vip” added." in text_of(client.get(f"/tickets/{ticket.number}"))


@pytest.mark.parametrize(
    "typed, refused_field",
    [
        ({"title": "Call the courier", "assignee": ""}, "ws-task-assignee"),
        ({"title": "Call the courier", "due": "next week"}, "ws-task-due"),
        ({"title": "Call the courier", "due": "2020-01-02T10:00"}, "ws-task-due"),
        ({"title": "  "}, "ws-task-title"),
    ],
)
def test_a_refused_task_field_is_marked_and_points_at_the_message(
    client, login, post_form, people, typed, refused_field
):
    ticket = make_ticket()
    login(people["bea"])
    typed = {"assignee": people["ivan"].id, **typed}
    response = post_form(f"/tickets/{ticket.number}/tasks", typed, htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = field_attrs(html, "task-error")
    assert message.get("role") == "alert"
    for field in ("ws-task-title", "ws-task-assignee", "ws-task-due"):
        attrs = field_attrs(html, field)
        if field == refused_field:
            assert attrs.get("aria-invalid") == "true"
            assert attrs.get("aria-describedby") == "task-error"
        else:
            assert "aria-invalid" not in attrs, field


@pytest.mark.parametrize(
    "action, typed, refused_field, message",
    [
        ("assign", {"assignee": "999999"}, "ws-assignee", "assign-error"),
        ("assign", {"team": "999999"}, "ws-team", "assign-error"),
        ("priority", {"priority": "whenever"}, "ws-priority", "priority-error"),
        ("watchers", {"user": "999999"}, "ws-watcher-user", "watcher-error"),
    ],
)
def test_a_refused_header_or_watcher_field_points_at_its_message(
    client, login, post_form, people, action, typed, refused_field, message
):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/{action}", typed, htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_attrs(html, message).get("role") == "alert"
    attrs = field_attrs(html, refused_field)
    assert attrs.get("aria-invalid") == "true" and attrs.get("aria-describedby") == message


def test_task_lifecycle_with_mails_to_the_creator(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(
        f"/tickets/{ticket.number}/tasks",
        {"title": "Call the courier", "assignee": people["ivan"].id, "due": "2030-01-02T10:00"},
    )
    assert response.status_code == 303
    task = db.session.scalar(select(Task))
    assert task.due_at == datetime(2030, 1, 2, 9, 0, tzinfo=UTC)  # Bea is in Europe/Warsaw
    # Bea is not the assignee: no accept button for her, and the workflow refuses her
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Call the courier" in page and "Accept" not in page
    refused = post_form(
        f"/tickets/{ticket.number}/tasks/{task.id}/move", {"trigger": "accept"}, htmx=True
    )
    assert refused.status_code == 422
    db.session.refresh(task)
    assert task.state == "assigned"

    post_form("/logout")
    login(people["ivan"])
    assert "Принять" in text_of(client.get(f"/tickets/{ticket.number}"))  # Accept, in Russian
    for trigger in ("accept", "mark_ready", "complete"):
        db.session.refresh(task)
        reply = post_form(
            f"/tickets/{ticket.number}/tasks/{task.id}/move",
            {"trigger": trigger, "version": task.version},
        )
        assert reply.status_code == 303
    db.session.refresh(task)
    assert task.state == "completed"
    run_jobs()
    assert len(messages_to(smtp_server, "ivan@example.com")) == 1  # the new task
    creator_mails = messages_to(smtp_server, "bea@example.com")
    assert len(creator_mails) == 3
    assert "Completed" in creator_mails[-1]["Subject"]


def test_overdue_tasks_are_flagged(client, login, people):
    from webapp.services.tasks import assign_task

    ticket = make_ticket()
    assign_task(ticket, "Late one", people["ivan"], people["bea"], utcnow() - timedelta(hours=1))
    db.session.commit()
    login(people["bea"])
    assert "Overdue" in text_of(client.get(f"/tickets/{ticket.number}"))


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": "x", "assignee": ""}, "Please choose a colleague."),
        ({"title": "x", "assignee": "424242"}, "Please choose a colleague."),
        ({"title": "", "assignee": "ivan"}, "Please give the task a title."),
        ({"title": "x", "assignee": "ivan", "due": "tomorrow-ish"}, "valid date"),
    ],
)
def test_bad_task_input_is_refused_and_kept(client, login, post_form, people, form, message):
    ticket = make_ticket()
    login(people["bea"])
    if form["assignee"] == "ivan":
        form = {**form, "assignee": str(people["ivan"].id)}
    response = post_form(f"/tickets/{ticket.number}/tasks", form)
    assert response.status_code == 422
    assert message in text_of(response)
    assert db.session.scalar(select(Task)) is None


def next_day(month: int, day: int) -> datetime:
    """The next `day`.`month` after today: always less than a year ahead, as reminders must be."""
    today = utcnow().date()
    this_year = today.replace(month=month, day=day)
    return datetime.combine(
        this_year if this_year > today else this_year.replace(year=today.year + 1),
        datetime.min.time(),
    )


def test_reminder_in_the_agents_timezone_fires_once_when_due(
    app, client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()
    login(people["bea"])  # Europe/Warsaw: UTC+1 in January
    winter, summer = next_day(1, 15), next_day(6, 1)
    post_form(
        f"/tickets/{ticket.number}/reminders",
        {"remind_at": f"{winter:%Y-%m-%d}T09:30", "note": "Check the refund"},
    )
    post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": f"{summer:%Y-%m-%d}T08:00"})
    reminders = db.session.scalars(select(Reminder).order_by(Reminder.id)).all()
    first, later = reminders
    assert first.remind_at == winter.replace(hour=8, minute=30, tzinfo=UTC)
    assert later.remind_at == summer.replace(hour=6, tzinfo=UTC)  # summer time: UTC+2

    assert send_due_reminders(now=winter.replace(hour=8, minute=29, tzinfo=UTC)) == 0
    moment = winter.replace(hour=8, minute=31, tzinfo=UTC)
    assert send_due_reminders(now=moment) == 1
    assert send_due_reminders(now=moment) == 0  # exactly once, even when run twice
    run_jobs()
    [mail] = messages_to(smtp_server, "bea@example.com")
    assert "Check the refund" in mail.get_body(("plain",)).get_content()
    db.session.expire_all()
    assert db.session.get(Reminder, later.id).sent_at is None
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.kind == "reminder")).all()
    assert len(events) == 1
    assert "Reminder sent to Bea Brown" in text_of(client.get(f"/tickets/{ticket.number}"))


def test_a_task_due_before_today_is_refused_in_the_agents_language(
    client, login, post_form, people
):
    ticket = make_ticket()
    login(people["ola"])  # Polish interface, Europe/Warsaw
    typed = {"title": "Zadzwoń", "assignee": people["ivan"].id, "due": "2020-01-02T10:00"}
    response = post_form(f"/tickets/{ticket.number}/tasks", typed)
    assert response.status_code == 422
    assert "Ten dzień już minął" in text_of(response)
    html = response.get_data(as_text=True)
    assert field_attrs(html, "ws-task-due")["value"] == "2020-01-02T10:00"  # kept to correct
    assert field_attrs(html, "ws-task-title")["value"] == "Zadzwoń"
    assert db.session.scalar(select(Task)) is None
    today = datetime.now(ZoneInfo("Europe/Warsaw")).strftime("%Y-%m-%dT00:00")
    accepted = post_form(f"/tickets/{ticket.number}/tasks", {**typed, "due": today})
    assert accepted.status_code in (200, 303)
    assert db.session.scalar(select(Task)).title == "Zadzwoń"


def test_bad_reminder_date_says_so(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": "31/02/2030"})
    assert response.status_code == 422
    assert "Please enter a valid date and time." in text_of(response)
    assert db.session.scalar(select(Reminder)) is None


def test_a_reminder_in_the_past_is_refused_in_the_agents_language(client, login, post_form, people):
    ticket = make_ticket()
    login(people["ola"])  # Polish interface
    response = post_form(
        f"/tickets/{ticket.number}/reminders", {"remind_at": "2020-01-15T09:30", "note": "Call"}
    )
    assert response.status_code == 422
    assert "Ta chwila już minęła" in text_of(response)
    assert 'value="2020-01-15T09:30"' in response.get_data(as_text=True)  # kept to correct
    assert db.session.scalar(select(Reminder)) is None


@pytest.mark.parametrize("typed", ["2090-03-01T09:30", "9999-12-31T23:59"])
def test_a_reminder_years_ahead_is_refused_at_the_field_keeping_what_was_typed(
    client, login, post_form, people, typed
):
    """A typo in the year (the date picker offers 9999) would be a reminder that never comes."""
    ticket = make_ticket()
    login(people["ola"])  # Polish interface, Europe/Warsaw
    response = post_form(
        f"/tickets/{ticket.number}/reminders", {"remind_at": typed, "note": "Zadzwoń do Jana"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    latest = (utcnow() + timedelta(days=366)).astimezone(ZoneInfo("Europe/Warsaw"))
    assert f"To ponad rok od teraz: wybierz chwilę nie później niż {latest.day} " in text_of(
        response
    )
    field = field_attrs(html, "ws-remind-at")
    assert field["value"] == typed and field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "reminder-error"
    assert field_attrs(html, "ws-remind-note")["value"] == "Zadzwoń do Jana"
    assert db.session.scalar(select(Reminder)) is None


def test_the_last_minute_of_9999_west_of_greenwich_is_too_far_not_an_error(
    client, login, post_form, create_user
):
    """In Chicago it is already year 10000 in UTC, past what a date can hold."""
    ticket = make_ticket()
    login(create_user(email="sam@example.com", timezone="America/Chicago"))
    response = post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": "9999-12-31T23:59"})
    assert response.status_code == 422
    assert "That is more than a year away" in text_of(response)


def test_a_reminder_within_a_year_is_kept(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    soon = (utcnow() + timedelta(days=360)).strftime("%Y-%m-%dT%H:%M")
    assert post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": soon}).status_code in (
        200,
        303,
    )
    assert db.session.scalar(select(Reminder)) is not None


def test_reminders_cli_sends_due_ones(app, people):
    ticket = make_ticket()
    db.session.add(
        Reminder(ticket=ticket, user=people["bea"], remind_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert "1 reminder(s) sent" in result.output


def test_watchers_hear_about_resolution_and_the_events_they_chose(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/watchers", {"user": people["bea"].id, "events": ["note"]})
    post_form(f"/tickets/{ticket.number}/watchers", {"user": people["ivan"].id})
    assert "Ivan Petrov" in text_of(client.get(f"/tickets/{ticket.number}"))
    post_form("/logout")
    login(people["ola"])  # the assignee writes a note and resolves
    post_form(f"/tickets/{ticket.number}/notes", {"text": "Refund sent"})
    db.session.refresh(ticket)
    fire(ticket, "start", people["ola"])
    db.session.commit()
    response = post_form(
        f"/tickets/{ticket.number}/move", {"trigger": "resolve", "version": ticket.version}
    )
    assert response.status_code == 303
    run_jobs()
    bea = [m["Subject"] for m in messages_to(smtp_server, "bea@example.com")]
    ivan = [m["Subject"] for m in messages_to(smtp_server, "ivan@example.com")]
    assert len(bea) == 2 and any("note" in s for s in bea) and any("Resolved" in s for s in bea)
    assert len(ivan) == 1 and "Решено" in ivan[0]  # in Ivan's Russian; he did not choose notes
    post_form(f"/tickets/{ticket.number}/watchers/{people['bea'].id}/remove")
    assert db.session.scalar(select(Watcher).where(Watcher.user_id == people["bea"].id)) is None


def test_routing_rule_watchers_follow_new_tickets(app, people):
    text = (
        SHIPPED[WorkflowKind.TICKET]
        .read_text()
        .replace(
            "labels: [detractor], assign: least_loaded}",
            "labels: [detractor], assign: least_loaded, watchers: [ivan@example.com]}",
        )
    )
    publish_version(WorkflowKind.TICKET, text, None)
    db.session.commit()
    ticket = make_ticket()
    [watcher] = db.session.scalars(select(Watcher).where(Watcher.ticket_id == ticket.id)).all()
    assert watcher.user_id == people["ivan"].id


def test_assign_and_priority_recompute_the_sla_and_are_in_the_history(
    client, login, post_form, people, team
):
    ticket = make_ticket(score={}, answers={"comment": "ok"})
    due_before = ticket.first_response_due_at
    login(people["bea"])
    response = post_form(f"/tickets/{ticket.number}/priority", {"priority": "urgent"})
    assert response.status_code == 303
    db.session.refresh(ticket)
    assert ticket.priority == "urgent"
    assert ticket.first_response_due_at != due_before
    post_form(f"/tickets/{ticket.number}/assign", {"assignee": people["ivan"].id, "team": team.id})
    db.session.refresh(ticket)
    assert (ticket.assignee_id, ticket.team_id) == (people["ivan"].id, team.id)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "changed the priority from Normal to Urgent" in page
    assert "assigned the ticket to Ivan Petrov" in page
    bad = post_form(f"/tickets/{ticket.number}/priority", {"priority": "whenever"})
    assert bad.status_code == 422


def test_a_colleague_given_a_ticket_is_told_but_not_who_took_it_themselves(
    client, login, post_form, people, smtp_server, run_jobs
):
    ticket = make_ticket()  # routed to Ola, already assigned
    people["ivan"].working_hours = {}  # on duty now: the e-mail goes at once
    db.session.commit()
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/assign", {"assignee": people["ivan"].id})
    post_form(f"/tickets/{ticket.number}/assign", {"assignee": people["bea"].id})
    run_jobs()
    [mail] = messages_to(smtp_server, "ivan@example.com")
    assert ticket.number in mail["Subject"]
    assert messages_to(smtp_server, "bea@example.com") == []


def test_a_bulk_assignment_is_one_e_mail_in_the_colleagues_language(
    client, login, post_form, people, smtp_server, run_jobs
):
    tickets = [make_ticket(subject=f"Parcel {n} <b>lost</b>") for n in range(3)]
    people["ivan"].working_hours = {}  # on duty now: the e-mail goes at once
    db.session.commit()
    login(people["bea"])
    response = post_form(
        "/board/bulk",
        {
            "operation": "assign",
            "assign_to": str(people["ivan"].id),
            "numbers": [t.number for t in tickets] + ["LD-999999"],
        },  # one that does not exist: in no e-mail
        htmx=True,
    )
    assert response.status_code == 200
    run_jobs()
    [mail] = messages_to(smtp_server, "ivan@example.com")
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == "Bea Brown назначил(а) Вам 3 обращения"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for ticket in tickets:
        assert ticket.number in text and f"/tickets/{ticket.number}" in html
    assert "&lt;b&gt;lost&lt;/b&gt;" in html and "<b>lost" not in html
    # Each ticket's timeline shows the e-mail and its delivery.
    page = text_of(client.get(f"/tickets/{tickets[0].number}"))
    assert "✉ Sent" in page


def test_every_post_needs_the_csrf_token(client, login, people):
    ticket = make_ticket()
    login(people["bea"])
    response = client.post(f"/tickets/{ticket.number}/notes", data={"text": "no token"})
    assert response.status_code == 400
    assert db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "note")) is None
    assert (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "note_mention"))
        is None
    )


def test_cancelling_a_reminder_is_confirmed_in_the_agents_language(
    client, login, post_form, people
):
    ticket = make_ticket()
    login(people["ola"])  # Polish interface, Europe/Warsaw
    day = next_day(1, 15)
    post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": f"{day:%Y-%m-%d}T09:30"})
    reminder = db.session.scalar(select(Reminder))
    response = post_form(f"/tickets/{ticket.number}/reminders/{reminder.id}/cancel", {}, htmx=True)
    assert response.status_code == 200
    assert f"Przypomnienie na {day:%d.%m.%Y}, 09:30 anulowano." in text_of(response)
    db.session.expire_all()
    assert db.session.scalar(select(Reminder)) is None


def test_cancelling_a_reminder_gone_in_another_tab_says_so_in_the_agents_language(
    client, login, post_form, people
):
    ticket = make_ticket()
    login(people["ola"])  # Polish interface
    day = next_day(1, 15)
    post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": f"{day:%Y-%m-%d}T09:30"})
    reminder = db.session.scalar(select(Reminder))
    cancel = f"/tickets/{ticket.number}/reminders/{reminder.id}/cancel"
    post_form(cancel, {}, htmx=True)  # the first tab

    stale = post_form(cancel, {}, htmx=True)  # the second tab, still listing it
    assert stale.status_code == 422
    page = stale.get_data(as_text=True)
    assert 'id="reminder_cancel-error"' in page
    assert "To przypomnienie zostało już anulowane, być może w innej karcie." in text_of(stale)
    assert "anulowano" not in text_of(stale)  # no second "cancelled" confirmation


def test_cancelling_a_reminder_already_sent_says_it_was_sent(client, login, post_form, people):
    from webapp.services.reminders import deliver_due_reminders

    ticket = make_ticket()
    login(people["ola"])
    day = next_day(1, 15)
    post_form(f"/tickets/{ticket.number}/reminders", {"remind_at": f"{day:%Y-%m-%d}T09:30"})
    reminder = db.session.scalar(select(Reminder))
    assert deliver_due_reminders(now=reminder.remind_at) == 1

    stale = post_form(f"/tickets/{ticket.number}/reminders/{reminder.id}/cancel", {}, htmx=True)
    assert stale.status_code == 422
    assert (
        f"Przypomnienie na {day:%d.%m.%Y}, 09:30 zostało już wysłane, więc nie ma czego anulować."
        in text_of(stale)
    )
    db.session.expire_all()
    assert db.session.get(Reminder, reminder.id).sent_at is not None  # kept, as sent


def test_a_reminder_sent_while_the_cancel_is_on_its_way_is_not_cancelled(people):
    """The sweep claims the reminder after the cancel read it: the e-mail went, so the
    reminder stays as sent and the history says nothing was cancelled."""
    from sqlalchemy import update

    from tests.helpers import ticket_events
    from webapp.services.reminders import cancel_reminder, create_reminder

    ticket = make_ticket()
    day = next_day(1, 15)
    reminder = create_reminder(ticket, people["ola"], f"{day:%Y-%m-%d}T09:30")
    db.session.commit()
    assert reminder.sent_at is None  # what the cancel read
    db.session.execute(
        update(Reminder)
        .where(Reminder.id == reminder.id)
        .values(sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # the sweep, in between

    assert cancel_reminder(reminder, people["ola"]) is False
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Reminder, reminder.id).sent_at is not None
    assert len(ticket_events(ticket, "reminder_set")) == 1
    assert ticket_events(ticket, "reminder_cancelled") == []
