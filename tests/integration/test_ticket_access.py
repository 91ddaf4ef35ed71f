"""An agent limited to their teams' tickets sees those, and the ones they are involved in.

Everywhere a ticket can show up for them: the board, the list and its export, a ticket's
page and everything under it, the live refresh, files, the customer's other tickets and
the dashboard counts. Another team's ticket is "not found", never "forbidden".
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jobs.notices import send_digests
from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    InboxNotification,
    NoticeStatus,
    OutboxMessage,
    Role,
    StaffNotice,
    Team,
    TeamMembership,
    Ticket,
    TicketAccess,
    User,
    Watcher,
    utcnow,
)
from webapp.services.forms import install_builtin_forms
from webapp.services.inbox import record_notification
from webapp.services.notes import add_note
from webapp.services.notifications import next_full_hour
from webapp.services.reminders import create_reminder, deliver_due_reminders
from webapp.services.tasks import assign_task, move_task
from webapp.services.tickets import assign_to, create_task


@pytest.fixture
def teams(app, create_user):
    """Ola works in Care, limited to its tickets; one ticket each for Care, Billing, nobody."""
    care = Team(slug="care", name="Customer Care")
    billing = Team(slug="billing", name="Billing")
    db.session.add_all([care, billing])
    ola = create_user(email="ola@example.com", name="Ola Limited")
    ola.ticket_access = TicketAccess.TEAMS
    piotr = create_user(email="piotr@example.com", name="Piotr Billing")
    db.session.add_all(
        [TeamMembership(team=care, user=ola), TeamMembership(team=billing, user=piotr)]
    )
    db.session.commit()
    tickets = {}
    for name, team in (("care", care), ("billing", billing), ("none", None)):
        ticket = make_ticket(
            subject=f"Subject of the {name} ticket", customer_email="jan@example.pl"
        )
        ticket.team_id = team.id if team else None
        ticket.assignee_id = None
        tickets[name] = ticket
    db.session.commit()
    return {"ola": ola, "piotr": piotr, "care": care, "billing": billing, **tickets}


def test_the_board_and_the_list_show_only_the_teams_tickets(client, login, teams):
    login(teams["ola"])
    for page in ("/board", "/tickets", "/tickets?q=subject"):
        shown = text_of(client.get(page))
        assert "Subject of the care ticket" in shown, page
        assert "Subject of the billing ticket" not in shown, page
        assert "Subject of the none ticket" not in shown, page
    exported = client.get("/tickets.csv").get_data(as_text=True)
    assert "Subject of the care ticket" in exported
    assert "billing ticket" not in exported and "none ticket" not in exported
    # Searching by another team's number finds nothing either.
    found = text_of(client.get(f"/tickets?q={teams['billing'].number}"))
    assert "Subject of the billing ticket" not in found


def test_another_teams_ticket_is_not_found_anywhere_under_it(client, login, post_form, teams):
    login(teams["ola"])
    billing = teams["billing"].number
    assert client.get(f"/tickets/{teams['care'].number}").status_code == 200
    assert client.get(f"/tickets/{billing}").status_code == 404
    assert client.get(f"/tickets/{billing}/reply").status_code == 404
    refused = post_form(f"/tickets/{billing}/notes", {"text": "sneaky"})
    assert refused.status_code == 404
    assert post_form(f"/tickets/{billing}/labels", {"label": "x"}).status_code == 404
    assert post_form(f"/tickets/{billing}/assign", {"assignee": "me"}).status_code == 404
    moved = post_form("/board/move", {"number": billing, "dest": "in_progress"}, htmx=True)
    assert moved.status_code == 404
    bulk = post_form(
        "/board/bulk", {"operation": "label", "new_label": "x", "numbers": [billing]}, htmx=True
    )
    assert "No such ticket" in text_of(bulk)
    db.session.expire_all()
    ticket = db.session.get(Ticket, teams["billing"].id)
    assert "x" not in [label.name for label in ticket.labels] and ticket.assignee_id is None


def test_involvement_lets_a_limited_agent_see_another_teams_ticket(client, login, teams):
    ola, billing = teams["ola"], teams["billing"]
    login(ola)
    assert client.get(f"/tickets/{billing.number}").status_code == 404
    db.session.add(Watcher(ticket_id=billing.id, user_id=ola.id, events=["resolved"]))
    db.session.commit()
    assert client.get(f"/tickets/{billing.number}").status_code == 200
    assert "Subject of the billing ticket" in text_of(client.get("/board"))
    db.session.query(Watcher).delete()
    create_task(billing, "Check the refund", ola, teams["piotr"])
    db.session.commit()
    assert client.get(f"/tickets/{billing.number}").status_code == 200
    none = teams["none"]
    assign_to(none, ola, teams["piotr"], tell=False)
    db.session.commit()
    assert client.get(f"/tickets/{none.number}").status_code == 200


def test_a_mention_or_a_share_lets_the_colleague_open_the_ticket(client, login, post_form, teams):
    ola, piotr, billing = teams["ola"], teams["piotr"], teams["billing"]
    login(piotr)
    post_form(
        f"/tickets/{billing.number}/notes",
        {"text": "@Ola Limited can you look?", "mention": str(ola.id)},
    )
    follows = db.session.scalar(
        select(Watcher).where(Watcher.ticket_id == billing.id, Watcher.user_id == ola.id)
    )
    assert follows is not None
    assert "Ola Limited" in text_of(client.get(f"/tickets/{billing.number}"))
    post_form("/logout")
    login(ola)
    assert client.get(f"/tickets/{billing.number}").status_code == 200


def test_everyone_else_sees_every_ticket(client, login, post_form, teams, create_user):
    admin = create_user(email="boss@example.com", name="Boss", role=Role.ADMIN)
    admin.ticket_access = TicketAccess.TEAMS  # ignored: admins see everything
    db.session.commit()
    for user in (teams["piotr"], admin):
        post_form("/logout")
        login(user)
        shown = text_of(client.get("/board"))
        assert all(f"Subject of the {n} ticket" in shown for n in ("care", "billing", "none"))
        assert client.get(f"/tickets/{teams['care'].number}").status_code == 200


def test_the_live_refresh_stops_when_the_ticket_moves_to_another_team(client, login, teams):
    login(teams["ola"])
    care = teams["care"]
    assert (
        client.get(f"/tickets/{care.number}/changes", headers={"HX-Request": "true"}).status_code
        == 200
    )
    care.team_id = teams["billing"].id
    db.session.commit()
    gone = client.get(f"/tickets/{care.number}/changes", headers={"HX-Request": "true"})
    assert gone.status_code == 286  # htmx stops polling
    assert (
        "This ticket was deleted or has moved out of the tickets you can see. "
        "The page no longer updates by itself." in text_of(gone)
    )
    assert "Subject of the care ticket" not in text_of(gone)


def _ticket_pages(app) -> list[str]:
    """Every address a browser may GET under /tickets/<number>, now and when one is added."""
    rules = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/tickets/<number>") and "GET" in rule.methods
    ]
    assert {"/tickets/<number>", "/tickets/<number>/reply", "/tickets/<number>/changes"} <= set(
        rules
    )
    return [re.sub(r"<(?:\w+:)?(?!number>)\w+>", "1", rule) for rule in rules]


def _as_seen(response, number: str) -> tuple:
    """What an agent learns from an answer: status, the headers that matter and the text,
    with the asked-for number and the per-request form tokens set aside."""
    body = response.get_data(as_text=True).replace(number, "<number>")
    body = re.sub(r'(name="csrf_token" value="|X-CSRFToken&#34;: &#34;)[^"&]*', r"\1", body)
    headers = {
        name: value.replace(number, "<number>")
        for name, value in response.headers.items()
        if name not in ("Content-Length", "Set-Cookie", "Date", "Server-Timing")
    }
    return response.status_code, headers, body


@pytest.mark.parametrize("htmx", [False, True], ids=["browser", "htmx"])
def test_another_teams_ticket_answers_as_one_that_does_not_exist(
    app, client, login, teams, htmx, count_queries
):
    """Not only "not found": the very same answer, on every page under a ticket, so that
    trying numbers tells a limited agent nothing about other teams' tickets. Nor the same
    answer after more work: the database is asked the same for both, so the time taken (and
    its Server-Timing) tells nothing either."""
    login(teams["ola"])
    client.get("/board")  # shows "Welcome back", which would stand on the first page only
    hidden = teams["billing"].number
    missing = Ticket.number_for(db.session.scalar(select(func.max(Ticket.id))) + 1)
    assert len(missing) == len(hidden)
    headers = {"HX-Request": "true"} if htmx else {}
    for page in _ticket_pages(app):
        answers, statements = [], []
        for number in (hidden, missing):
            with count_queries() as asked:
                answer = client.get(page.replace("<number>", number), headers=headers)
            answers.append(_as_seen(answer, number))
            statements.append(len(asked))
        assert answers[0] == answers[1], page
        assert statements[0] == statements[1], page
        assert answers[0][0] in (286, 303, 404), page
        assert "Subject of the billing ticket" not in answers[0][2], page


def test_the_customers_other_tickets_and_the_dashboard_count_only_visible_ones(
    client, login, post_form, teams
):
    login(teams["ola"])
    page = text_of(client.get(f"/tickets/{teams['care'].number}"))
    assert "Subject of the billing ticket" not in page
    assert "Subject of the none ticket" not in page
    dashboard = text_of(client.get("/dashboard"))
    assert "1 Not assigned to anyone" in dashboard
    assert "Past an SLA deadline, your teams" in dashboard
    post_form("/logout")
    login(teams["piotr"])
    page = text_of(client.get(f"/tickets/{teams['billing'].number}"))
    assert "Subject of the care ticket" in page  # Piotr sees every ticket
    dashboard = text_of(client.get("/dashboard"))
    assert "3 Not assigned to anyone" in dashboard
    assert "Past an SLA deadline, all teams" in dashboard


def test_an_admin_limits_an_agent_and_the_audit_log_says_so(client, login, post_form, teams, admin):
    piotr = teams["piotr"]
    login(admin)
    form = text_of(client.get(f"/admin/users/{piotr.id}"))
    assert "Tickets they see" in form and "Only their teams' tickets" in form
    data = {
        "name": piotr.name,
        "role": "agent",
        "locale": "en",
        "timezone": "Europe/Warsaw",
        "capacity": "20",
        "languages": ["en"],
        "teams": [str(teams["billing"].id)],
        "ticket_access": "teams",
    }
    saved = post_form(f"/admin/users/{piotr.id}", data)
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, piotr.id).ticket_access == "teams"
    assert "sees only these teams' tickets" in text_of(client.get("/admin/users"))
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry.before["ticket_access"] == "all" and entry.after["ticket_access"] == "teams"
    log = html.unescape(text_of(client.get("/admin/audit")))
    assert "Tickets they see" in log and "Only their teams' tickets" in log
    # A value no browser offers is refused with a message; nothing else changes.
    refused = post_form(
        f"/admin/users/{piotr.id}", {**data, "name": "Changed", "ticket_access": "x"}
    )
    assert refused.status_code == 422
    assert "Choose which tickets they see." in text_of(refused)
    db.session.expire_all()
    assert db.session.get(User, piotr.id).name == "Piotr Billing"


def test_the_board_query_count_does_not_grow_for_a_limited_agent(
    client, login, teams, count_queries
):
    login(teams["ola"])
    client.get("/board")
    with count_queries() as few:
        client.get("/board")
    for _ in range(10):
        ticket = make_ticket()
        ticket.team_id = teams["care"].id
    db.session.commit()
    with count_queries() as many:
        client.get("/board")
    assert len(many) == len(few)


def _entries_of(user) -> list[InboxNotification]:
    query = select(InboxNotification).where(InboxNotification.user_id == user.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def _mails_to(user) -> int:
    query = select(func.count(OutboxMessage.id)).where(OutboxMessage.to_address == user.email)
    return db.session.scalar(query)


def test_the_inbox_keeps_an_entry_about_a_ticket_gone_elsewhere_without_its_content(
    client, login, post_form, teams
):
    ola, piotr, care = teams["ola"], teams["piotr"], teams["care"]
    for user in (ola, piotr):
        record_notification(user, "mention", care, {"author": "Anna", "text": "Secret refund plan"})
    db.session.commit()
    login(ola)
    shown = text_of(client.get("/notifications"))
    assert "Anna mentioned you in a note on" in shown and "Subject of the care ticket" in shown
    assert "Secret refund plan" in shown and "1 unread notification" in shown

    care.team_id = teams["billing"].id  # the ticket goes to Billing, which Ola does not see
    db.session.commit()
    page = client.get("/notifications")
    shown = text_of(page)
    assert f"Anna mentioned you in a note on {care.number}" in shown  # what she was told
    assert "You can no longer open this ticket" in shown
    assert "Subject of the care ticket" not in shown and "Secret refund plan" not in shown
    [entry] = _entries_of(ola)
    assert f"/notifications/{entry.id}" not in page.get_data(as_text=True)
    assert "Nothing unread." in shown  # neither the page nor the bell counts it
    # A link from an older page explains itself instead of a bare 404.
    opened = client.get(f"/notifications/{entry.id}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/notifications")
    told = text_of(client.get("/notifications"))
    assert f"You can no longer open {care.number}" in told
    assert _entries_of(ola)[0].read_at is not None

    post_form("/logout")
    login(piotr)  # sees every ticket: the entry is as it was
    shown = text_of(client.get("/notifications"))
    assert "Subject of the care ticket" in shown and "Secret refund plan" in shown
    [entry] = _entries_of(piotr)
    opened = client.get(f"/notifications/{entry.id}")
    assert opened.headers["Location"].endswith(f"/tickets/{care.number}")


def test_the_inbox_page_query_count_does_not_grow_for_a_limited_agent(
    client, login, teams, count_queries
):
    ola = teams["ola"]
    record_notification(ola, "reminder", teams["care"], {"note": "x"})
    db.session.commit()
    login(ola)
    client.get("/notifications")
    with count_queries() as few:
        client.get("/notifications")
    for name in ("care", "billing", "none") * 3:
        record_notification(ola, "reminder", teams[name], {"note": "x"})
    db.session.commit()
    with count_queries() as many:
        client.get("/notifications")
    assert len(many) == len(few)


def test_nobody_is_told_about_a_ticket_that_went_where_they_cannot_see(app, teams, admin):
    """A reminder, a task one gave, a notice waiting for the digest: set while the ticket
    was Care's, they say nothing once it is Billing's (and still reach whoever sees it)."""
    ola, piotr, care = teams["ola"], teams["piotr"], teams["care"]
    ola.notification_settings = {"mentions": "digest"}
    piotr.notification_settings = {"mentions": "digest"}
    db.session.commit()
    later = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for user in (ola, piotr):
        create_reminder(care, user, later, "Call Jan about the refund")
    task = assign_task(care, "Check the refund", piotr, ola)  # Ola gave Piotr a task
    add_note(care, "@Ola Limited @Piotr Billing see this", admin, [ola.id, piotr.id])
    db.session.commit()
    digests = select(StaffNotice).where(StaffNotice.event == "mention")
    assert {n.user_id for n in db.session.scalars(digests)} == {ola.id, piotr.id}
    entries, mails = len(_entries_of(ola)), _mails_to(ola)

    care.team_id = teams["billing"].id
    db.session.commit()
    deliver_due_reminders(now=utcnow() + timedelta(days=1))
    move_task(task, "accept", piotr)  # Ola would hear that her task changed
    db.session.commit()
    hour = next_full_hour(utcnow()) + timedelta(hours=1)
    assert send_digests(now=hour.isoformat()) == 1  # Piotr's
    assert len(_entries_of(ola)) == entries and _mails_to(ola) == mails
    statuses = {n.user_id: n.status for n in db.session.scalars(digests)}
    assert statuses == {ola.id: NoticeStatus.DROPPED, piotr.id: NoticeStatus.SENT}
    piotr_told = {e.event for e in _entries_of(piotr)}
    assert {"reminder", "mention"} <= piotr_told


def _nps_tickets(client) -> int:
    """The dashboard's ticket count of the NPS form (it links to the list of them)."""
    page = client.get("/dashboard").get_data(as_text=True)
    return int(re.search(r'href="/tickets\?form=nps">(\d+)</a>', page).group(1))


def test_the_dashboard_counts_per_form_only_the_tickets_the_agent_sees(
    client, login, post_form, teams
):
    install_builtin_forms()  # the three tickets came from the NPS form
    db.session.commit()
    login(teams["ola"])
    assert _nps_tickets(client) == 1  # Care's, as the list it links to shows
    post_form("/logout")
    login(teams["piotr"])
    assert _nps_tickets(client) == 3


def test_an_action_that_takes_the_ticket_out_of_sight_goes_back_to_the_board(
    client, login, post_form, teams
):
    ola, care, billing = teams["ola"], teams["care"], teams["billing"]
    login(ola)
    handed = post_form(f"/tickets/{care.number}/assign", {"team": str(billing.id)})
    assert handed.status_code == 303 and handed.headers["Location"].endswith("/board")
    board = text_of(client.get("/board"))
    assert f"{care.number} has moved out of the tickets you can see." in board
    assert "Subject of the care ticket" not in board
    # From the board's drawer (htmx) too: the board reloads without the card.
    db.session.add(Watcher(ticket_id=billing.id, user_id=ola.id, events=["resolved"]))
    db.session.commit()
    stopped = post_form(f"/tickets/{billing.number}/watchers/{ola.id}/remove", htmx=True)
    assert stopped.headers["HX-Redirect"] == "/board"
    post_form("/logout")
    login(teams["piotr"])  # sees every ticket: back to the ticket, as before
    handed = post_form(f"/tickets/{care.number}/assign", {"team": str(teams["care"].id)})
    assert handed.headers["Location"].endswith(f"/tickets/{care.number}#ws-header")
