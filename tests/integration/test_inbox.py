"""The in-app inbox: every notification lands there whatever the e-mail settings, the bell
counts the unread ones, opening one marks it read, and nobody sees another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import InboxNotification, OutboxMessage, Team, TeamMembership, utcnow
from webapp.services import inbox
from webapp.services.notifications import announce_assignments, warn_about_sla
from webapp.services.reminders import create_reminder, deliver_due_reminders
from webapp.services.tasks import assign_task, move_task
from webapp.services.workflow_actions import notify_team_lead


@pytest.fixture
def people(app, create_user) -> dict:
    team = Team(slug="night-shift", name="Night Shift")  # routing sends tickets elsewhere
    db.session.add(team)
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    bea = create_user(email="bea@example.com", name="Bea Brown")
    dan = create_user(email="dan@example.com", name="Dan Digest")
    db.session.add(TeamMembership(team=team, user=dan, is_lead=True))
    db.session.commit()
    return {"team": team, "ola": ola, "bea": bea, "dan": dan}


def entries_of(user) -> list[InboxNotification]:
    query = select(InboxNotification).where(InboxNotification.user_id == user.id)
    query = query.order_by(InboxNotification.id).execution_options(populate_existing=True)
    return list(db.session.scalars(query))  # as the requests left them


def mails_to(address: str) -> int:
    query = select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address == address)
    return db.session.scalar(query)


def bell(client) -> str:
    return text_of(client.get("/notifications/bell", headers={"HX-Request": "true"}))


def test_a_mention_lands_in_the_inbox_even_with_e_mail_off(client, login, post_form, people):
    dan = people["dan"]
    dan.notification_settings = {"mentions": "off"}
    db.session.commit()
    ticket = make_ticket(subject="Card <b>declined</b>")
    login(people["bea"])
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@dan could you call Jan back?"})
    assert mails_to(dan.email) == 0  # off: no e-mail
    post_form("/logout")

    login(dan)
    page = client.get("/notifications")
    html = page.get_data(as_text=True)
    text = text_of(page)
    assert f"Unread Bea Brown mentioned you in a note on {ticket.number}" in text
    assert "could you call Jan back?" in text
    assert "Card &lt;b&gt;declined&lt;/b&gt;" in html  # the subject is escaped
    assert "1 unread notification" in text_of(client.get("/board"))  # the bell, on every page
    assert "Mark all as read" in text


def test_the_bell_counts_with_plural_forms_and_hides_at_zero(client, login, people):
    ola, ticket = people["ola"], make_ticket()
    login(ola)
    client.get("/notifications")  # shows the welcome message
    assert bell(client) == "Powiadomienia"  # nothing unread: no number, just the bell's name
    assert 'class="inbox-count"' not in client.get("/board").get_data(as_text=True)
    for count, words in (
        (1, "nieprzeczytane powiadomienie"),
        (3, "nieprzeczytane powiadomienia"),
        (5, "nieprzeczytanych powiadomień"),
    ):
        while len(entries_of(ola)) < count:
            inbox.record_notification(ola, "sla_breach", ticket)
            db.session.commit()
        assert bell(client) == f"{count} {count} {words}"  # the badge, then its words


def test_the_bell_fragment_is_for_htmx_and_stops_polling_when_signed_out(
    client, login, post_form, people
):
    login(people["bea"])
    page = client.get("/notifications/bell")  # typed into the address bar
    assert page.status_code == 303 and page.headers["Location"].endswith("/notifications")
    post_form("/logout")
    assert client.get("/notifications/bell", headers={"HX-Request": "true"}).status_code == 286
    assert "/login" in client.get("/notifications/bell").headers["Location"]


def test_opening_one_marks_it_read_and_shows_the_ticket(client, login, people):
    bea, ticket = people["bea"], make_ticket()
    entry = inbox.record_notification(bea, "customer_replied", ticket, {"kind": "customer_replied"})
    db.session.commit()
    login(bea)
    assert f"The customer replied on {ticket.number}" in text_of(client.get("/notifications"))
    opened = client.get(f"/notifications/{entry.id}")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/tickets/{ticket.number}")
    db.session.refresh(entry)
    assert entry.read_at is not None
    text = text_of(client.get("/notifications"))
    assert "Unread" not in text and "Mark all as read" not in text and "Nothing unread." in text


def test_another_colleagues_notification_does_not_exist(client, login, people):
    ticket = make_ticket()
    theirs = inbox.record_notification(people["dan"], "sla_breach", ticket)
    db.session.commit()
    login(people["bea"])
    assert client.get(f"/notifications/{theirs.id}").status_code == 404
    assert client.get("/notifications/99999999999999999999").status_code == 404
    assert "SLA breached" not in text_of(client.get("/notifications"))
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_mark_all_read_leaves_what_arrived_after_the_page(client, login, post_form, people):
    bea, ticket = people["bea"], make_ticket()
    seen = [inbox.record_notification(bea, "sla_breach", ticket) for _ in range(2)]
    db.session.commit()
    login(bea)
    client.get("/notifications")
    later = inbox.record_notification(bea, "customer_replied", ticket)
    db.session.commit()
    reply = post_form("/notifications/read", {"up_to": str(seen[-1].id)})
    assert reply.status_code == 303
    assert "All notifications are marked as read." in text_of(client.get("/notifications"))
    assert [e.read_at is None for e in entries_of(bea)] == [False, False, True]
    assert later.id == entries_of(bea)[-1].id
    post_form("/notifications/read", {"up_to": "nonsense"})  # no 500: marks everything
    client.get("/notifications")
    assert bell(client) == "Notifications"
    other = post_form("/notifications/read", {"up_to": str(later.id)})
    assert other.status_code == 303  # nothing left to mark: no message, no error


def test_every_event_says_what_happened(client, login, people):
    bea, dan, ticket = people["bea"], people["dan"], make_ticket()
    n = ticket.number
    task = assign_task(ticket, "Call the courier", bea, dan)
    later = (utcnow() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    create_reminder(ticket, bea, later, "Ask Jan again")
    db.session.commit()
    deliver_due_reminders(now=utcnow() + timedelta(days=1))
    cases = [
        ("ticket_routed", {"for_team": True, "team": "Customer Care"}, None),
        ("ticket_routed", {"for_team": False}, None),
        ("ticket_assigned", {"kind": "ticket_assigned"}, dan),
        ("ticket_assigned", {"kind": "ticket_assigned"}, None),
        ("sla_warning", {"metric": "first_response", "due_text": "today at 14:00"}, None),
        ("sla_breach", {"kind": "sla_breached"}, None),
        ("ticket_reopened", {"kind": "ticket_reopened"}, None),
        ("watched", {"kind": "resolved"}, None),
        ("watched", {"kind": "public_reply", "actor_name": "Dan Digest"}, None),
        ("watched", {"kind": "note", "actor_name": "Dan Digest"}, None),
        ("watched", {"kind": "transition"}, None),
        ("ticket_update", {"kind": "whatever"}, None),
    ]
    for event, context, actor in cases:
        inbox.record_notification(bea, event, ticket, context, actor=actor)
    db.session.commit()
    login(bea)
    text = text_of(client.get("/notifications"))
    for expected in (
        f"Dan Digest gave you a task on {n}",
        "Call the courier",
        f"Your reminder on {n} is due",
        "Ask Jan again",
        f"New ticket {n} for Customer Care",
        f"New ticket {n} was routed to you",
        f"Dan Digest assigned {n} to you",
        f"{n} was assigned to you",
        f"SLA warning on {n}: First response due today at 14:00",
        f"SLA breached on {n}",
        f"{n} was reopened",
        f"{n}, which you follow, was resolved",
        f"Dan Digest answered the customer on {n}, which you follow",
        f"Dan Digest added an internal note on {n}, which you follow",
        f"{n}, which you follow, is now:",
        f"{n} is now:",
    ):
        assert expected in text, expected
    assert task.id


def test_nobody_is_told_about_their_own_actions(client, login, post_form, people):
    dan, ticket = people["dan"], make_ticket()
    ticket.team_id = people["team"].id
    db.session.commit()
    login(dan)
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@dan note to self"})
    notify_team_lead(ticket, "sla_breached", dan)  # a lead's own move
    other = make_ticket(subject="Second")
    announce_assignments(dan, [ticket, other], dan)  # taking two tickets at once
    db.session.commit()
    assert entries_of(dan) == []
    assert mails_to(dan.email) == 0
    notify_team_lead(ticket, "sla_breached", None)  # the SLA clock: the lead is told
    db.session.commit()
    assert [e.event for e in entries_of(dan)] == ["sla_breach"]


def test_bulk_assignment_puts_each_ticket_in_the_inbox(people):
    dan, bea = people["dan"], people["bea"]
    tickets = [make_ticket(subject=f"T{i}") for i in range(2)]
    announce_assignments(dan, tickets, bea)
    db.session.commit()
    assert [(e.event, e.ticket_id) for e in entries_of(dan)] == [
        ("ticket_assigned", t.id) for t in tickets
    ]
    assert entries_of(dan)[0].context["actor_name"] == "Bea Brown"
    assert mails_to(dan.email) == 1  # one e-mail for both, as before


def test_sla_warning_reaches_the_inbox_with_sla_e_mail_off(people):
    dan, ticket = people["dan"], make_ticket()
    dan.notification_settings = {"sla": "off"}
    ticket.assignee_id = dan.id
    db.session.commit()
    warn_about_sla(ticket, "resolution", utcnow() + timedelta(hours=1))
    db.session.commit()
    [entry] = entries_of(dan)
    assert entry.event == "sla_warning" and entry.context["metric"] == "resolution"
    assert mails_to(dan.email) == 0


def test_the_list_pages_on_and_its_query_count_does_not_grow(client, login, people, count_queries):
    bea, ticket = people["bea"], make_ticket()
    others = [make_ticket(subject=f"Other {i}") for i in range(3)]

    def add(count: int) -> None:
        for i in range(count):
            inbox.record_notification(bea, "watched", others[i % 3], {"kind": "transition"})
        db.session.commit()

    add(2)
    login(bea)
    client.get("/notifications")  # warm the caches
    with count_queries() as few:
        client.get("/notifications")
    add(inbox.PAGE_SIZE + 3)
    with count_queries() as many:
        page = client.get("/notifications")
    assert len(many) <= len(few), (len(few), len(many))
    html = page.get_data(as_text=True)
    assert html.count('class="inbox-item') == inbox.PAGE_SIZE
    assert "Older notifications" in html
    older = [e.id for e in entries_of(bea)][-inbox.PAGE_SIZE]  # the last one shown
    assert f"/notifications?before={older}" in html
    rest = client.get(f"/notifications?before={older}", headers={"HX-Request": "true"})
    assert rest.get_data(as_text=True).count('class="inbox-item') == 5
    assert "<html" not in rest.get_data(as_text=True)
    assert "Older notifications" not in rest.get_data(as_text=True)
    assert ticket.id


def test_the_settings_page_says_the_inbox_always_gets_them(client, login, people):
    login(people["bea"])
    text = text_of(client.get("/account/notifications"))
    assert "every notification is always kept in your inbox" in text


def test_opening_a_ticket_reads_its_entries_and_the_bell_follows(
    client, login, people, count_queries
):
    bea, dan = people["bea"], people["dan"]
    first, second = make_ticket(subject="First"), make_ticket(subject="Second")
    for event in ("customer_replied", "sla_breach"):
        inbox.record_notification(bea, event, first, {"kind": event})
    inbox.record_notification(bea, "customer_replied", second, {"kind": "customer_replied"})
    inbox.record_notification(dan, "sla_breach", first)  # another colleague's stays unread
    db.session.commit()
    login(bea)
    assert "3 unread notifications" in text_of(client.get("/notifications"))

    page = client.get(f"/tickets/{first.number}")  # its page, e.g. a link from an e-mail

    assert "1 unread notification" in text_of(page)  # this very page's bell
    assert [e.read_at is None for e in entries_of(bea)] == [False, False, True]
    assert [e.read_at is None for e in entries_of(dan)] == [True]

    drawer = client.get(
        f"/tickets/{second.number}", headers={"HX-Request": "true", "HX-Target": "drawer"}
    )  # the board's drawer: the bell is asked to count again
    assert drawer.headers["HX-Trigger"] == "inboxRead"
    assert bell(client) == "Notifications"
    assert all(e.read_at is not None for e in entries_of(bea))

    with count_queries() as statements:  # nothing unread: the bell's count, no UPDATE
        again = client.get(f"/tickets/{first.number}")
    assert again.status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    drawer = client.get(
        f"/tickets/{second.number}", headers={"HX-Request": "true", "HX-Target": "drawer"}
    )
    assert "HX-Trigger" not in drawer.headers
    assert client.get("/tickets/LD-99999999999999999999").status_code == 404


def test_an_sla_warning_names_its_deadline_as_the_reader_now_reads_dates(client, login, people):
    """The deadline is written when the list is shown, in the reader's language and time
    zone of today: a colleague who switched from English to Polish and moved from Warsaw
    to Moscow read "Dec 9, 2026, 2:00 PM" (their old words and clock) in a Polish line."""
    dan, ticket = people["dan"], make_ticket()
    dan.locale, dan.timezone = "en", "Europe/Warsaw"
    ticket.assignee_id = dan.id
    db.session.commit()
    warn_about_sla(ticket, "resolution", datetime(2026, 12, 9, 13, 0, tzinfo=UTC))
    db.session.commit()
    dan.locale, dan.timezone = "pl", "Europe/Moscow"
    db.session.commit()
    login(dan)
    text = text_of(client.get("/notifications"))
    assert f"Ostrzeżenie SLA w zgłoszeniu {ticket.number}: Rozwiązanie do 9.12.2026, 16:00" in text


def test_a_moved_task_names_its_state_in_the_readers_language_of_today(client, login, people):
    """A task's new state is named when the list is shown: its creator, who read Polish when
    it moved and Russian now, read "Przyjęte" in a Russian line."""
    ola, bea, ticket = people["ola"], people["bea"], make_ticket()
    task = assign_task(ticket, "Call the courier", bea, ola)  # Ola (Polish) gives Bea a task
    move_task(task, "accept", bea)
    db.session.commit()
    ola.locale = "ru"
    db.session.commit()
    login(ola)
    text = text_of(client.get("/notifications"))
    assert f"Bea Brown: Ваша задача в обращении {ticket.number} теперь в статусе «Принята»" in text
    assert "Przyjęte" not in text
