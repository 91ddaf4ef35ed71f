"""Merging a duplicate ticket into the customer's other request: one conversation, nothing lost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of, ticket_events
from webapp.extensions import db
from webapp.models import (
    OutboxMessage,
    Reminder,
    Task,
    Team,
    TeamMembership,
    Ticket,
    Watcher,
    utcnow,
)
from webapp.services.inbound_mail import receive_email
from webapp.services.reply_addresses import customer_reply_address
from webapp.services.tickets import add_label, create_task

XSS = '<script>alert("x")</script>'


@pytest.fixture
def app_config() -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com"}


@pytest.fixture
def pair(app, agent):
    """Jan wrote twice about the same payment: the form first, then again a day later."""
    first = make_ticket(subject="Płatność nie działa", created_at=utcnow() - timedelta(days=1))
    duplicate = make_ticket(subject="Nadal nie mogę zapłacić", customer_email="Jan@Example.PL")
    return duplicate, first


def _merge(post_form, source, number, **extra):
    data = {"number": number, **extra}
    return post_form(f"/tickets/{source.number}/merge", data)


def _confirm(post_form, source, target, tell_customer=True):
    data = {"confirm": "1", "version": str(source.version)}
    if tell_customer:
        data["tell_customer"] = "1"
    return _merge(post_form, source, target.number, **data)


def test_the_customer_s_other_open_requests_are_offered(client, login, agent, pair):
    duplicate, first = pair
    make_ticket(subject="Someone else's", customer_email="ktos@example.pl")
    closed = make_ticket(subject="Old and closed")
    closed.state = "closed"
    db.session.commit()
    login(agent)
    page = client.get(f"/tickets/{duplicate.number}").get_data(as_text=True)
    section = page[page.index('id="ws-merge"') :]
    assert f'value="{first.number}"' in section
    assert "Płatność nie działa" in section
    assert "Someone else" not in section and closed.number not in section


def test_an_open_request_is_offered_behind_many_closed_newer_ones(client, login, agent, pair):
    """A regular customer: forty closed requests newer than the open one still leave it offered."""
    duplicate, first = pair
    for n in range(40):
        old = make_ticket(subject=f"Closed {n}", created_at=utcnow() - timedelta(minutes=n))
        old.state = "closed"
    db.session.commit()
    login(agent)
    page = client.get(f"/tickets/{duplicate.number}").get_data(as_text=True)
    section = page[page.index('id="ws-merge"') :]
    assert f'value="{first.number}"' in section
    assert "Closed 1" not in section


def test_merging_asks_first_then_closes_the_duplicate_and_moves_what_was_waiting(
    client, login, post_form, agent, create_user, pair
):
    duplicate, first = pair
    maja = create_user(email="maja@example.com", name="Maja")
    add_label(duplicate, "payments", agent)
    db.session.add(Watcher(ticket=duplicate, user=maja, events=["resolved"], added_at=utcnow()))
    db.session.add(Reminder(ticket=duplicate, user=agent, remind_at=utcnow() + timedelta(days=1)))
    create_task(duplicate, "Check the payment gateway log", maja, agent)
    db.session.commit()
    login(agent)

    asked = _merge(post_form, duplicate, first.number)
    assert asked.status_code == 200
    words = text_of(asked)
    assert f"Merge {duplicate.number} into {first.number}?" in words
    assert f"Merged by mistake? {duplicate.number} keeps an “Undo the merge” button." in words
    db.session.expire_all()
    assert db.session.get(Ticket, duplicate.id).merged_into_id is None  # nothing done yet

    done = _confirm(post_form, duplicate, first)
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/tickets/{first.number}")
    db.session.expire_all()
    source, target = db.session.get(Ticket, duplicate.id), db.session.get(Ticket, first.id)
    assert source.merged_into_id == target.id and source.state == "closed"
    assert source.sla_paused_since is not None  # its clocks stopped
    assert "payments" in [label.name for label in target.labels]
    assert db.session.scalar(select(Watcher.user_id).where(Watcher.ticket_id == target.id)) == (
        maja.id
    )
    assert db.session.scalar(select(Task.ticket_id)) == target.id
    assert db.session.scalar(select(Reminder.ticket_id)) == target.id
    assert "nadal nie mogę zapłacić" in target.search_text  # the board's search finds it there

    page = client.get(f"/tickets/{first.number}")
    words = text_of(page)
    assert f"{duplicate.number} was merged into {first.number}." in words  # the flash
    assert f"Ada Agent merged {duplicate.number} into this ticket" in words
    assert "1 open task moved here. 1 reminder moved here." in words
    old = client.get(f"/tickets/{duplicate.number}")
    old_words = text_of(old)
    assert f"This ticket was merged into {first.number}" in old_words
    assert f"Ada Agent merged this ticket into {first.number}" in old_words
    assert 'name="trigger"' not in old.get_data(as_text=True)  # no moves offered
    assert "Send reply" not in old_words
    listed = text_of(client.get("/tickets?q=jan@example.pl"))
    assert f"{duplicate.number} Nadal nie mogę zapłacić" in listed
    assert f"Closed Merged into {first.number}" in listed


def test_the_customer_is_told_once_in_their_language_when_the_agent_chooses(
    client, login, post_form, agent, pair
):
    duplicate, first = pair
    login(agent)
    _confirm(post_form, duplicate, first)
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "jan@example.pl")
    ).all()
    merged = [m for m in mails if "Tej samej sprawy dotyczy też Twoje zgłoszenie" in m.body_text]
    assert len(merged) == 1  # one e-mail, about the request that carries on
    mail = merged[0]
    assert first.number in mail.subject
    assert f"{duplicate.number}" in mail.body_text and "Płatność nie działa" in mail.body_text
    assert f"/t/{first.status_token}" in mail.body_text
    assert ticket_events(first, "email_queued")[-1].data["template"] == "merged"


def test_without_the_tick_the_customer_gets_no_mail(client, login, post_form, agent, pair):
    duplicate, first = pair
    before = db.session.query(OutboxMessage).count()
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    assert db.session.query(OutboxMessage).count() == before
    db.session.expire_all()
    assert db.session.get(Ticket, duplicate.id).merged_into_id == first.id


@pytest.mark.parametrize(
    "case, message",
    [
        ("other_customer", "Only requests from the same customer"),
        ("itself", "A ticket cannot be merged into itself."),
        ("unknown", "There is no ticket with this number that you can open."),
        ("nothing", "requests or enter a ticket number."),
        ("closed", "That ticket is closed: reopen it first"),
    ],
)
def test_a_refused_merge_says_why_and_changes_nothing(
    client, login, post_form, agent, pair, case, message
):
    duplicate, first = pair
    other = make_ticket(subject="Inny klient", customer_email="ktos@example.pl")
    if case == "closed":
        first.state = "closed"
        db.session.commit()
    number = {
        "other_customer": other.number,
        "itself": duplicate.number,
        "unknown": "LD-999999",
        "nothing": "",
        "closed": first.number,
    }[case]
    login(agent)
    for confirm in ({}, {"confirm": "1"}):
        refused = _merge(post_form, duplicate, number, **confirm)
        assert refused.status_code == 422
        assert message in text_of(refused)
    db.session.expire_all()
    assert db.session.get(Ticket, duplicate.id).merged_into_id is None
    assert db.session.get(Ticket, duplicate.id).state != "closed"


def test_another_team_s_ticket_is_unknown_to_a_limited_agent(
    client, login, post_form, create_user, app
):
    care, billing = Team(slug="care", name="Care"), Team(slug="billing", name="Billing")
    db.session.add_all([care, billing])
    ola = create_user(email="ola@example.com", name="Ola")
    ola.ticket_access = "teams"
    db.session.add(TeamMembership(team=care, user=ola))
    db.session.commit()
    mine = make_ticket(subject="Mine")
    theirs = make_ticket(subject="Theirs")
    mine.team, theirs.team = care, billing
    db.session.commit()
    login(ola)
    page = client.get(f"/tickets/{mine.number}").get_data(as_text=True)
    assert theirs.number not in page[page.index('id="ws-merge"') :]  # not offered
    refused = _merge(post_form, mine, theirs.number, confirm="1")
    assert refused.status_code == 422
    assert "There is no ticket with this number that you can open." in text_of(refused)


def test_a_merged_ticket_cannot_be_merged_again_moved_or_replied_to(
    client, login, post_form, agent, pair
):
    duplicate, first = pair
    third = make_ticket(subject="Trzecie")
    login(agent)
    _confirm(post_form, duplicate, first)
    again = _merge(post_form, duplicate, third.number)
    assert "This ticket was already merged into another." in text_of(again)
    into_merged = _merge(post_form, third, duplicate.number)
    assert "That ticket was itself merged into another" in text_of(into_merged)
    db.session.expire_all()
    source = db.session.get(Ticket, duplicate.id)
    moved = post_form(
        f"/tickets/{duplicate.number}/move", {"trigger": "reopen", "version": source.version}
    )
    assert moved.status_code == 303
    assert f"This ticket was merged into {first.number}: carry on there." in text_of(
        client.get(f"/tickets/{duplicate.number}")
    )
    replied = post_form(f"/tickets/{duplicate.number}/reply", {"text": "Hello"})
    assert replied.status_code == 422
    assert "reply to the customer there" in text_of(replied)
    db.session.expire_all()
    assert db.session.get(Ticket, duplicate.id).state == "closed"


def test_the_old_status_link_leads_to_the_request_that_carries_on(
    client, login, post_form, agent, pair
):
    duplicate, first = pair
    page = client.get(f"/t/{duplicate.status_token}").get_data(as_text=True)
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    login(agent)
    _confirm(post_form, duplicate, first)
    client.get("/logout")

    moved = client.get(f"/t/{duplicate.status_token}")
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith(f"/t/{first.status_token}")
    words = text_of(client.get(moved.headers["Location"]))
    assert (
        f"Twoje zgłoszenie {duplicate.number} jest teraz częścią zgłoszenia {first.number}" in words
    )
    # A reply written on the old page before the merge lands on the ticket that stays.
    client.post(
        f"/t/{duplicate.status_token}/reply",
        data={"reply_token": reply_token, "message": "Czy są jakieś postępy?"},
    )
    assert [e.data["text"] for e in ticket_events(first, "customer_reply")] == [
        "Czy są jakieś postępy?"
    ]
    assert ticket_events(duplicate, "customer_reply") == []


def test_an_e_mail_reply_to_the_duplicate_joins_the_ticket_that_stays(
    client, login, post_form, agent, pair
):
    duplicate, first = pair
    to = customer_reply_address(duplicate)
    login(agent)
    _confirm(post_form, duplicate, first)
    raw = (
        f"From: Jan <jan@example.pl>\r\nTo: {to}\r\nSubject: Re: płatność\r\n"
        "Message-ID: <merge-1@example.pl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Dalej nie działa.\r\n"
    ).encode()
    db.session.expire_all()  # as a fresh worker would read them
    received = receive_email(raw)
    assert received.outcome == "added" and received.ticket_id == first.id
    assert [e.data["text"] for e in ticket_events(first, "customer_reply")] == ["Dalej nie działa."]


def test_the_api_and_webhooks_say_where_it_went_and_when_it_came_back(
    client, login, post_form, agent, pair, app
):
    from webapp.models import Webhook, WebhookDelivery

    duplicate, first = pair
    db.session.add(
        Webhook(name="CRM", url="https://crm.example.com/hook", events=["ticket.merged"])
    )
    db.session.commit()
    login(agent)
    _confirm(post_form, duplicate, first)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.event == "ticket.merged"
    assert delivery.payload["ticket"]["number"] == duplicate.number
    assert delivery.payload["data"] == {"into": first.number}
    from webapp.api.presenters import ticket_summary

    db.session.expire_all()
    with app.test_request_context():
        assert ticket_summary(db.session.get(Ticket, duplicate.id))["merged_into"] == first.number
        assert ticket_summary(db.session.get(Ticket, first.id))["merged_into"] is None

    hook = db.session.scalar(select(Webhook))
    hook.events = ["ticket.merged", "ticket.unmerged"]
    db.session.commit()
    db.session.expire_all()
    _unmerge(post_form, db.session.get(Ticket, duplicate.id))
    undone = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.event == "ticket.unmerged")
    ).one()
    assert undone.payload["ticket"]["number"] == duplicate.number
    assert undone.payload["data"] == {"from": first.number}
    db.session.expire_all()
    with app.test_request_context():
        assert ticket_summary(db.session.get(Ticket, duplicate.id))["merged_into"] is None


def test_the_confirmation_escapes_the_subject(client, login, post_form, agent):
    first = make_ticket(subject=XSS)
    duplicate = make_ticket(subject="Again")
    login(agent)
    page = _merge(post_form, duplicate, first.number).get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page


def test_both_assignees_hear_of_the_merge_but_not_the_colleague_who_merged(
    client, login, post_form, agent, pair, create_user
):
    from webapp.models import InboxNotification, StaffNotice

    duplicate, first = pair
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    bea = create_user(email="bea@example.com", name="Bea Brown")
    first.assignee_id, duplicate.assignee_id = ola.id, bea.id
    db.session.commit()
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    entries = db.session.scalars(
        select(InboxNotification).where(InboxNotification.event == "ticket_update")
    ).all()
    assert sorted((e.user_id, e.ticket_id) for e in entries) == sorted(
        [(ola.id, first.id), (bea.id, duplicate.id)]
    )
    assert agent.id not in {e.user_id for e in entries}
    # Each is e-mailed now or later, as their settings and hours say.
    mailed = {m.to_address for m in db.session.scalars(select(OutboxMessage))}
    waiting = {n.user_id for n in db.session.scalars(select(StaffNotice))}
    assert {ola.id, bea.id} <= waiting | {u.id for u in (ola, bea) if u.email in mailed}
    subjects = [m.subject for m in db.session.scalars(select(OutboxMessage))] + [
        n.summary for n in db.session.scalars(select(StaffNotice))
    ]
    assert f"[{duplicate.number}] Merged into {first.number}" in subjects
    assert f"[{first.number}] Zgłoszenie {duplicate.number} scalono z tym zgłoszeniem" in subjects

    post_form("/logout")
    login(ola)
    inbox = text_of(client.get("/notifications"))
    assert f"Ada Agent scalił(a) {duplicate.number} z {first.number}" in inbox
    post_form("/logout")
    login(bea)
    inbox = text_of(client.get("/notifications"))
    assert f"Ada Agent merged {duplicate.number} into {first.number}" in inbox


def _unmerge(post_form, source, version=None):
    return post_form(
        f"/tickets/{source.number}/unmerge",
        {"version": str(source.version if version is None else version)},
    )


def test_a_merge_made_by_mistake_is_undone_and_what_it_moved_comes_back(
    client, login, post_form, agent, create_user, pair
):
    duplicate, first = pair
    maja = create_user(email="maja@example.com", name="Maja")
    duplicate.state = "in_progress"
    add_label(duplicate, "payments", agent)
    db.session.add(Reminder(ticket=duplicate, user=agent, remind_at=utcnow() + timedelta(days=1)))
    create_task(duplicate, "Check the payment gateway log", maja, agent)
    db.session.commit()
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    create_task(first, "A task of the kept ticket", maja, agent)  # stays where it is
    db.session.commit()
    db.session.expire_all()
    source = db.session.get(Ticket, duplicate.id)
    assert "Undo the merge" in text_of(client.get(f"/tickets/{duplicate.number}"))

    undone = _unmerge(post_form, source)
    assert undone.status_code == 303
    assert undone.headers["Location"].endswith(f"/tickets/{duplicate.number}")
    db.session.expire_all()
    source, target = db.session.get(Ticket, duplicate.id), db.session.get(Ticket, first.id)
    assert source.merged_into_id is None and source.state == "in_progress"
    assert source.sla_paused_since is None  # its clocks run again
    tasks = dict(db.session.execute(select(Task.title, Task.ticket_id)).all())
    assert tasks == {
        "Check the payment gateway log": source.id,
        "A task of the kept ticket": target.id,
    }
    assert db.session.scalar(select(Reminder.ticket_id)) == source.id
    assert "payments" in [label.name for label in target.labels]  # labels stay

    page = client.get(f"/tickets/{duplicate.number}")
    words = text_of(page)
    assert (
        f"{duplicate.number} is no longer merged into {first.number}. It is now: In progress."
        in (words)
    )
    assert "1 open task came back. 1 reminder came back." in words
    assert f"Ada Agent undid the merge into {first.number}: this is a ticket of its own again." in (
        words
    )
    assert 'name="trigger"' in page.get_data(as_text=True)  # moves offered again
    assert "Send reply" in words
    kept = text_of(client.get(f"/tickets/{first.number}"))
    assert f"Ada Agent undid the merge of {duplicate.number} into this ticket" in kept
    assert "1 open task went back to it. 1 reminder went back to it." in kept

    client.get("/logout")
    own = client.get(f"/t/{duplicate.status_token}")  # the customer's old link is its own again
    assert own.status_code == 200 and "Nadal nie mogę zapłacić" in text_of(own)
    to = customer_reply_address(source)
    raw = (
        f"From: Jan <jan@example.pl>\r\nTo: {to}\r\nSubject: Re: płatność\r\n"
        "Message-ID: <unmerge-1@example.pl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Dalej nie działa.\r\n"
    ).encode()
    assert receive_email(raw).ticket_id == duplicate.id


def test_undo_tells_the_assignees_in_their_language(
    client, login, post_form, agent, create_user, pair
):
    from webapp.models import InboxNotification

    duplicate, first = pair
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    duplicate.assignee_id = ola.id
    db.session.commit()
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    db.session.expire_all()
    _unmerge(post_form, db.session.get(Ticket, duplicate.id))
    kinds = [
        e.context.get("kind")
        for e in db.session.scalars(
            select(InboxNotification).where(InboxNotification.user_id == ola.id)
        )
    ]
    assert kinds == ["merged_into", "unmerged"]
    post_form("/logout")
    login(ola)
    inbox = text_of(client.get("/notifications"))
    assert f"Ada Agent cofnął(a) scalenie {duplicate.number} z {first.number}" in inbox


@pytest.mark.parametrize("case", ["never_merged", "stale", "kept_ticket_out_of_sight"])
def test_an_undo_that_cannot_be_made_says_why_and_changes_nothing(
    client, login, post_form, agent, create_user, pair, case
):
    duplicate, first = pair
    user = agent
    if case != "never_merged":
        login(agent)
        _confirm(post_form, duplicate, first, tell_customer=False)
        post_form("/logout")
    if case == "kept_ticket_out_of_sight":
        care, billing = Team(slug="care", name="Care"), Team(slug="billing", name="Billing")
        user = create_user(email="ola@example.com", name="Ola")
        user.ticket_access = "teams"
        db.session.add_all([care, billing, TeamMembership(team=care, user=user)])
        duplicate.team, first.team = care, billing
        db.session.commit()
    db.session.expire_all()
    source = db.session.get(Ticket, duplicate.id)
    login(user)
    refused = _unmerge(post_form, source, version=source.version - 1 if case == "stale" else None)
    assert refused.status_code == 422
    message = {
        "never_merged": "This ticket is not merged into another (any more).",
        "stale": "changed",
        "kept_ticket_out_of_sight": "Only a colleague who can open the ticket it was merged "
        "into can undo this merge.",
    }[case]
    assert message in text_of(refused)
    db.session.expire_all()
    after = db.session.get(Ticket, duplicate.id)
    assert after.merged_into_id == (None if case == "never_merged" else first.id)


def test_a_limited_agent_is_not_offered_an_undo_they_may_not_make(
    client, login, post_form, agent, create_user, pair
):
    """The kept ticket is another team's: the duplicate's page says who can undo the merge
    instead of a button that could only be refused."""
    duplicate, first = pair
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    post_form("/logout")
    care, billing = Team(slug="care", name="Care"), Team(slug="billing", name="Billing")
    ola = create_user(email="ola@example.com", name="Ola")
    ola.ticket_access = "teams"
    db.session.add_all([care, billing, TeamMembership(team=care, user=ola)])
    duplicate.team, first.team = care, billing
    db.session.commit()
    login(ola)
    page = client.get(f"/tickets/{duplicate.number}")
    section = text_of(page)[text_of(page).index("Merge") :]
    assert "Only a colleague who can open the ticket it was merged into can undo" in section
    assert f"/tickets/{duplicate.number}/unmerge" not in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    notice = html[html.index("merged-notice") : html.index("</p>", html.index("merged-notice"))]
    merge = html[
        html.index('id="ws-merge"') : html.index("</section>", html.index('id="ws-merge"'))
    ]
    assert f'href="/tickets/{first.number}"' not in notice + merge  # no links to a 404
    post_form("/logout")
    login(agent)  # who sees both is offered it
    page = client.get(f"/tickets/{duplicate.number}").get_data(as_text=True)
    assert f"/tickets/{duplicate.number}/unmerge" in page
    assert f'href="/tickets/{first.number}"' in page


def test_the_undo_reads_plainly_in_english_and_polish(client, login, post_form, agent, pair):
    """Which replies stay is said as a clause ("the customer's replies since stay" read as
    if "since" were when they stay); a second undo is refused without brackets."""
    duplicate, first = pair
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    page = text_of(client.get(f"/tickets/{duplicate.number}"))
    assert (
        f"Labels, watchers and the replies the customer sent after the merge stay in "
        f"{first.number}." in page
    )
    db.session.expire_all()
    assert _unmerge(post_form, db.session.get(Ticket, duplicate.id)).status_code == 303
    agent.locale = "pl"
    db.session.commit()
    db.session.expire_all()
    again = _unmerge(post_form, db.session.get(Ticket, duplicate.id))
    assert again.status_code == 422
    assert "To zgłoszenie nie jest już scalone z innym." in text_of(again)


def _board_numbers(client, q: str) -> set[str]:
    page = client.get("/board", query_string={"q": q}).get_data(as_text=True)
    return set(re.findall(r'id="card-(LD-\d+)"', page))


def test_after_an_undo_the_board_s_search_finds_the_kept_ticket_by_its_own_words_only(
    client, login, post_form, agent, pair
):
    """The merge made the duplicate's words find the kept ticket; the undo takes them back.
    What was written in either ticket meanwhile stays findable where it was written."""
    duplicate, first = pair
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    assert first.number in _board_numbers(client, "Nadal nie mogę")
    post_form(f"/tickets/{duplicate.number}/notes", {"text": "Zduplikowane przez formularz"})
    post_form(f"/tickets/{first.number}/notes", {"text": "Bramka płatności odpowiada"})
    db.session.expire_all()

    assert _unmerge(post_form, db.session.get(Ticket, duplicate.id)).status_code == 303
    assert _board_numbers(client, "Nadal nie mogę") == {duplicate.number}
    assert _board_numbers(client, "Zduplikowane") == {duplicate.number}
    assert _board_numbers(client, "Bramka płatności") == {first.number}
    assert _board_numbers(client, "Płatność nie działa") == {first.number}
    assert _board_numbers(client, "jan@example.pl") == {first.number, duplicate.number}


def test_undoing_a_merge_after_the_kept_ticket_was_merged_on_takes_the_words_from_both(
    client, login, post_form, agent, pair
):
    """A into B, then B into C: A's words reached C inside B's. Once A is separate again the
    board's search finds A alone by them; B's words still find C until B's merge is undone,
    and that undo still takes B's words (what is left of them) out of C."""
    duplicate, first = pair
    oldest = make_ticket(subject="Karta odrzucona", created_at=utcnow() - timedelta(days=2))
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    db.session.expire_all()
    _confirm(post_form, db.session.get(Ticket, first.id), oldest, tell_customer=False)
    assert oldest.number in _board_numbers(client, "Nadal nie mogę")
    post_form(f"/tickets/{oldest.number}/notes", {"text": "Bank potwierdził blokadę"})
    db.session.expire_all()

    assert _unmerge(post_form, db.session.get(Ticket, duplicate.id)).status_code == 303
    assert _board_numbers(client, "Nadal nie mogę") == {duplicate.number}
    # B's own words: B (merged, still listed) and C, until B's merge is undone too.
    assert _board_numbers(client, "Płatność nie działa") == {first.number, oldest.number}
    assert _board_numbers(client, "Bank potwierdził") == {oldest.number}
    assert _board_numbers(client, "Karta odrzucona") == {oldest.number}

    db.session.expire_all()
    assert _unmerge(post_form, db.session.get(Ticket, first.id)).status_code == 303
    assert _board_numbers(client, "Płatność nie działa") == {first.number}
    assert _board_numbers(client, "Nadal nie mogę") == {duplicate.number}
    assert _board_numbers(client, "Karta odrzucona") == {oldest.number}
    assert _board_numbers(client, "Bank potwierdził") == {oldest.number}
    db.session.expire_all()
    assert "karta odrzucona" in db.session.get(Ticket, oldest.id).search_text


def test_the_history_links_only_to_the_tickets_a_limited_agent_can_open(
    client, login, post_form, agent, create_user, pair
):
    """The kept ticket is another team's: the duplicate's history names it, merged into and
    then undone, without an "Open LD-…" link that would lead to a 404."""
    duplicate, first = pair
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    db.session.expire_all()
    _unmerge(post_form, db.session.get(Ticket, duplicate.id))
    db.session.expire_all()
    _confirm(post_form, db.session.get(Ticket, duplicate.id), first, tell_customer=False)
    post_form("/logout")
    care, billing = Team(slug="care", name="Care"), Team(slug="billing", name="Billing")
    ola = create_user(email="ola@example.com", name="Ola")
    ola.ticket_access = "teams"
    db.session.add_all([care, billing, TeamMembership(team=care, user=ola)])
    db.session.get(Ticket, duplicate.id).team = care
    db.session.get(Ticket, first.id).team = billing
    db.session.commit()

    def history(response):
        html = response.get_data(as_text=True)
        start = html.index('id="ws-timeline"')
        return html[start : html.index("</section>", start)]

    login(ola)
    timeline = history(client.get(f"/tickets/{duplicate.number}"))
    assert timeline.count(first.number) == 3  # merged, undone, merged again
    assert f'href="/tickets/{first.number}"' not in timeline
    post_form("/logout")
    login(agent)  # who sees both has the links
    timeline = history(client.get(f"/tickets/{duplicate.number}"))
    assert timeline.count(f'href="/tickets/{first.number}"') == 3
    kept = history(client.get(f"/tickets/{first.number}"))
    assert kept.count(f'href="/tickets/{duplicate.number}"') == 3


def test_the_history_words_the_colleagues_notices_of_a_merge_and_its_undo(
    client, login, post_form, agent, create_user, pair
):
    """The assignee's notices read "E-mail queued (notice of the merge)", not the code
    "(merged_into)" / "(unmerged)"."""
    duplicate, first = pair
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    duplicate.assignee_id = ola.id
    db.session.commit()
    login(agent)
    _confirm(post_form, duplicate, first, tell_customer=False)
    db.session.expire_all()
    _unmerge(post_form, db.session.get(Ticket, duplicate.id))
    history = text_of(client.get(f"/tickets/{duplicate.number}"))
    assert "E-mail queued (notice of the merge)." in history
    assert "E-mail queued (notice that the merge was undone)." in history
    assert "(merged_into)" not in history and "(unmerged)" not in history
    agent.locale = "pl"
    db.session.commit()
    history = text_of(client.get(f"/tickets/{duplicate.number}"))
    assert "(powiadomienie o cofnięciu scalenia)" in history
