"""An open ticket page stays current: it polls, gets 304 while nothing changed, and otherwise
the sections that show the change, with new messages announced and the reply guard moved on."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from tests.helpers import make_ticket, text_of
from tests.integration.test_workspace_conversation import add_people
from webapp.extensions import db
from webapp.models import Role, Ticket, utcnow
from webapp.services.notes import add_note
from webapp.services.replies import receive_customer_reply, send_public_reply
from webapp.services.tickets import fire

HTMX = {"HX-Request": "true"}
pytestmark = pytest.mark.usefixtures("one_minute")


@pytest.fixture
def people(app, create_user) -> dict:
    return add_people(create_user)


class OpenPage:
    """What the agent's open ticket page polls with, moved on by each answer as htmx does."""

    def __init__(self, client, page_html: str) -> None:
        self.client = client
        self.seen = _seen(page_html)
        self._take_poll(page_html)

    def _take_poll(self, page_html: str) -> None:
        poll = re.search(r'<div id="ws-live"[^>]*>', page_html).group(0)
        self.url = html.unescape(re.search(r'hx-get="([^"]+)"', poll).group(1))
        self.headers = json.loads(html.unescape(re.search(r"hx-headers='([^']+)'", poll).group(1)))

    def poll(self):
        # With the reply form's `seen`, as the page's poll includes it (hx-include).
        url = f"{self.url}&seen={self.seen}"
        answer = self.client.get(url, headers={**HTMX, **self.headers})
        if answer.status_code == 200:
            body = answer.get_data(as_text=True)
            self._take_poll(body)
            if 'id="ws-reply-seen"' in body:
                self.seen = _seen(body)
        return answer

    def act(self, post_form, url: str, data: dict):
        """The agent's own htmx action, telling what the page shows as ticket_live.js does
        (the poll's query); a poll in its answer replaces the page's, as htmx swaps it."""
        shown = {"X-Live-Shown": urlsplit(self.url).query}
        answer = post_form(url, data, htmx=True, headers=shown)
        body = answer.get_data(as_text=True)
        if 'id="ws-live"' in body:
            self._take_poll(body)
        if 'id="ws-reply-seen"' in body:
            self.seen = _seen(body)
        return answer


def _seen(page_html: str) -> str:
    return re.search(r'id="ws-reply-seen" value="(\d+)"', page_html).group(1)


def _open(client, login, user, ticket) -> OpenPage:
    login(user)
    return OpenPage(client, client.get(f"/tickets/{ticket.number}").get_data(as_text=True))


def _customer_writes_on_the_status_page(app, ticket, message: str) -> None:
    customer = app.test_client()  # another browser: no staff session
    page = customer.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    sent = customer.post(
        f"/t/{ticket.status_token}/reply", data={"reply_token": token, "message": message}
    )
    assert sent.status_code == 303


def test_nothing_changed_answers_304_without_a_body(client, login, people):
    page = _open(client, login, people["ola"], make_ticket())
    answer = page.poll()
    assert answer.status_code == 304
    assert answer.get_data() == b""
    assert answer.headers["Cache-Control"] == "no-store"
    assert page.poll().status_code == 304


def test_a_customer_reply_on_the_status_page_appears_escaped_and_announced(
    app, client, login, post_form, people
):
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    _customer_writes_on_the_status_page(app, ticket, "<script>alert(1)</script> Gdzie paczka?")

    answer = page.poll()
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Gdzie paczka?" in body
    assert "<script>alert(1)" not in body
    assert 'id="ws-conversation"' in body and 'id="ws-timeline"' in body
    # What the agent is typing is never redrawn.
    assert 'id="ws-reply"' not in body and 'id="ws-notes"' not in body
    # Announced in Ola's language, in the live region by the reply box.
    notice = re.search(r'<div id="ws-live-notice" hx-swap-oob="innerHTML">(.*?)</div>', body, re.S)
    assert "Nowa wiadomość od klienta" in notice.group(1)
    assert page.poll().status_code == 304  # once shown, the page is current again

    # The message is on her screen: sending now is not held back.
    sent = post_form(
        f"/tickets/{ticket.number}/reply", {"text": "Paczka jest w drodze.", "seen": page.seen}
    )
    assert sent.status_code == 303


def test_a_message_after_the_last_poll_still_holds_the_reply_back(
    app, client, login, post_form, people
):
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    receive_customer_reply(ticket, "Pierwsza wiadomość.")
    db.session.commit()
    assert page.poll().status_code == 200
    receive_customer_reply(ticket, "Druga wiadomość, jeszcze nie widziana.")
    db.session.commit()
    held = post_form(f"/tickets/{ticket.number}/reply", {"text": "Już.", "seen": page.seen})
    assert held.status_code == 422
    assert "Druga wiadomość, jeszcze nie widziana." in text_of(held)


def test_a_colleagues_reply_is_announced_by_name_my_own_is_not(client, login, post_form, people):
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    send_public_reply(ticket, "Zwrot jest już w drodze.", people["bea"])
    db.session.commit()
    body = page.poll().get_data(as_text=True)
    assert "Zwrot jest już w drodze." in body
    assert "Bea Brown odpowiedział(a) klientowi" in body

    post_form(f"/tickets/{ticket.number}/reply", {"text": "Moja odpowiedź.", "seen": page.seen})
    body = page.poll().get_data(as_text=True)
    assert "Moja odpowiedź." in body
    assert "ws-live-notice" not in body  # the earlier notice stays; nothing new to announce


def test_a_colleagues_note_and_move_show_in_history_and_header(client, login, people, create_user):
    ticket = make_ticket()
    lead = create_user(email="lead@example.com", name="Team Lead", role=Role.ADMIN)
    page = _open(client, login, people["ola"], ticket)
    add_note(ticket, "Klient dzwonił <b>dwa razy</b>.", people["bea"])
    fire(ticket, "start", lead)
    db.session.commit()
    answer = page.poll()
    body = answer.get_data(as_text=True)
    assert "Klient dzwonił &lt;b&gt;dwa razy&lt;/b&gt;." in body
    assert "W toku" in text_of(answer)  # the header's new state, in Polish
    header = re.search(r'<section id="ws-header".*?</section>', body, re.S).group(0)
    assert 'hx-swap-oob="true"' in header
    assert f'name="version" value="{db.session.get(Ticket, ticket.id).version}"' in header
    assert "ws-live-notice" not in body  # notes and moves are in the history, not announced


def test_only_staff_get_the_changes(app, client, login, people, create_user):
    ticket = make_ticket()
    url = f"/tickets/{ticket.number}/changes"
    anonymous = client.get(url, headers=HTMX)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    leaver = create_user(email="leaver@example.com", name="Leaver")
    login(leaver)
    assert client.get(url, headers=HTMX).status_code == 200  # any agent may see any ticket
    leaver.active = False
    db.session.commit()
    gone = client.get(url, headers=HTMX)
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    assert "Jan" not in gone.get_data(as_text=True)


def test_a_plain_browser_visit_goes_to_the_ticket_page(client, login, people):
    ticket = make_ticket()
    login(people["ola"])
    answer = client.get(f"/tickets/{ticket.number}/changes")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/tickets/{ticket.number}")


@pytest.mark.parametrize("number", ["LD-999999", "nonsense", "LD-99999999999999999999999"])
def test_a_ticket_that_is_gone_stops_the_polling_with_a_notice(client, login, people, number):
    login(people["ola"])
    answer = client.get(f"/tickets/{number}/changes", headers=HTMX)
    assert answer.status_code == 286  # htmx stops polling
    assert "To zgłoszenie usunięto albo trafiło poza zgłoszenia, które widzisz." in text_of(answer)


def test_bad_marks_in_the_address_redraw_without_announcing_old_messages(client, login, people):
    ticket = make_ticket()
    receive_customer_reply(ticket, "Stara wiadomość.")
    db.session.commit()
    login(people["ola"])
    url = f"/tickets/{ticket.number}/changes?since=%C2%B2&version=-1"
    answer = client.get(url, headers=HTMX)
    assert answer.status_code == 200
    assert "ws-live-notice" not in answer.get_data(as_text=True)


def test_the_poll_costs_the_same_queries_whatever_the_history(client, login, people, count_queries):
    def costs(ticket) -> tuple[int, int]:
        page = _open(client, login, people["ola"], ticket)
        with count_queries() as unchanged:
            assert page.poll().status_code == 304
        receive_customer_reply(ticket, "Jeszcze jedno.")
        add_note(ticket, "Notatka.", people["bea"])
        db.session.commit()
        with count_queries() as changed:
            assert page.poll().status_code == 200
        return len(unchanged), len(changed)

    short_ticket = make_ticket()
    # A reply's e-mail still on its way (with a queue) is watched by one query, in both.
    send_public_reply(short_ticket, "Odpowiedź.", people["bea"])
    db.session.commit()
    short = costs(short_ticket)
    long = make_ticket()
    for n in range(25):
        add_note(long, f"Notatka {n}.", people["bea"])
        send_public_reply(long, f"Odpowiedź {n}.", people["bea"])
        receive_customer_reply(long, f"Wiadomość {n}.")
    db.session.commit()
    assert costs(long) == short
    assert short[0] <= 4  # the session's user, the ticket's mark, the e-mails on their way


def _sections(body: str) -> list[str]:
    return re.findall(r'<section id="ws-([a-z]+)"', body)


def _notice(body: str) -> str:
    found = re.search(r'<div id="ws-live-notice" hx-swap-oob="innerHTML">(.*?)</div>', body, re.S)
    return found.group(1) if found else ""


def test_a_full_redraw_for_held_sections_still_announces_what_just_arrived(client, login, people):
    """A section the agent was working in was held back; once they leave it the page asks
    for every section (`full`), with its real `since`: a message that arrived meanwhile is
    announced, and one the page already announced is not announced again."""
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    receive_customer_reply(ticket, "Pierwsza wiadomość.")
    db.session.commit()
    assert "Nowa wiadomość od klienta" in _notice(page.poll().get_data(as_text=True))

    # What ticket_live.js asks once a held section is free again, without the page's tag.
    full = page.url + "&full=1"
    body = client.get(full, headers=HTMX).get_data(as_text=True)
    assert {"header", "conversation", "labels", "tasks"} <= set(_sections(body))
    assert "ws-live-notice" not in body  # already announced with the poll that showed it

    receive_customer_reply(ticket, "Druga wiadomość.")
    db.session.commit()
    body = client.get(full, headers=HTMX).get_data(as_text=True)
    assert "Druga wiadomość." in body
    assert _notice(body).count("Nowa wiadomość od klienta") == 1


@pytest.mark.parametrize("action", ["priority", "assignee", "team"])
def test_the_agents_own_priority_or_assignment_leaves_the_next_poll_nothing_to_redraw(
    client, login, post_form, people, action
):
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    url, data, shown = {
        "priority": ("priority", {"priority": "urgent"}, "Pilny"),
        "assignee": ("assign", {"assignee": str(people["ivan"].id)}, "Ivan Petrov"),
        "team": ("assign", {"team": str(_team("product-quality").id)}, "Product Quality"),
    }[action]
    answer = page.act(post_form, f"/tickets/{ticket.number}/{url}", data)
    assert answer.status_code == 200
    assert shown in text_of(answer)
    assert set(_sections(answer.get_data(as_text=True))) >= {"header", "sla", "timeline"}
    # The answer drew what changed and moved the poll on with it: nothing left to redraw.
    assert page.poll().status_code == 304


def test_what_arrived_before_the_agents_action_still_comes_with_the_next_poll(
    client, login, post_form, people
):
    """The answer to a priority change draws the header, SLA and history only: when the page
    was behind (a customer's message, a colleague's label since its last poll), its poll
    keeps the old mark, and the next poll draws and announces what it had not shown."""
    from webapp.services.tickets import add_label

    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    receive_customer_reply(ticket, "Gdzie jest moja paczka?")
    add_label(ticket, "kurier", people["bea"])
    db.session.commit()
    answer = page.act(post_form, f"/tickets/{ticket.number}/priority", {"priority": "urgent"})
    assert answer.status_code == 200
    assert 'id="ws-live"' not in answer.get_data(as_text=True)  # the poll keeps its mark

    body = page.poll().get_data(as_text=True)
    assert {"conversation", "labels"} <= set(_sections(body))
    assert "Gdzie jest moja paczka?" in body and "kurier" in body
    assert _notice(body).count("Nowa wiadomość od klienta") == 1
    assert page.poll().status_code == 304


def _team(slug: str):
    from webapp.models import Team

    return db.session.query(Team).filter_by(slug=slug).one()


def _teamwork(people, ticket) -> dict:
    """Each label, task, reminder and watcher action: (address, form, what it shows)."""
    from webapp.services.reminders import create_reminder
    from webapp.services.tasks import assign_task
    from webapp.services.tickets import add_label
    from webapp.services.watchers import follow

    ola, ivan = people["ola"], people["ivan"]
    month_ahead = f"{utcnow() + timedelta(days=30):%Y-%m-%d}"
    add_label(ticket, "stara", ola)
    task = assign_task(ticket, "Sprawdzić zwrot", ola, ola)
    reminder = create_reminder(ticket, ola, f"{month_ahead}T10:00", "Oddzwonić")
    follow(ticket, ivan, ["note"], ola)
    db.session.commit()
    return {
        "label_add": ("labels", {"name": "kurier"}, "kurier"),
        "label_remove": ("labels/remove", {"name": "stara"}, "Usunięto etykietę"),
        "task": ("tasks", {"title": "Zadzwonić", "assignee": str(ivan.id)}, "Zadzwonić"),
        "task_move": (f"tasks/{task.id}/move", {"trigger": "accept", "version": task.version}, ""),
        "reminder": ("reminders", {"remind_at": f"{month_ahead}T09:00"}, ""),
        "reminder_cancel": (f"reminders/{reminder.id}/cancel", {}, ""),
        "watcher": ("watchers", {"user": str(people["bea"].id)}, "Bea Brown"),
        "watcher_remove": (f"watchers/{ivan.id}/remove", {}, ""),
    }


TEAMWORK = [
    "label_add",
    "label_remove",
    "task",
    "task_move",
    "reminder",
    "reminder_cancel",
    "watcher",
    "watcher_remove",
]


@pytest.mark.parametrize("action", TEAMWORK)
def test_the_agents_own_label_task_reminder_or_watcher_leaves_the_next_poll_nothing_to_redraw(
    client, login, post_form, people, action
):
    ticket = make_ticket()
    url, data, shown = _teamwork(people, ticket)[action]
    page = _open(client, login, people["ola"], ticket)
    answer = page.act(post_form, f"/tickets/{ticket.number}/{url}", data)
    assert answer.status_code == 200
    assert shown in text_of(answer)
    assert page.poll().status_code == 304
    assert "sla" in _sections(answer.get_data(as_text=True))  # its times as of the new mark


@pytest.mark.parametrize("then", ["", "resolve"])
def test_the_agents_own_reply_leaves_the_next_poll_nothing_to_redraw(
    client, login, post_form, people, then
):
    """Sent (and the ticket moved with it, when asked): the answer draws the conversation
    with the reply's e-mail on its way, the header, SLA and history, and moves the poll on."""
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    data = {"text": "Paczka jest w drodze.", "seen": page.seen, "then": then}
    answer = page.act(post_form, f"/tickets/{ticket.number}/reply", data)
    assert answer.status_code == 200
    assert "Paczka jest w drodze." in text_of(answer)
    assert page.poll().status_code == 304


def test_a_reply_refused_as_the_conversation_moved_on_leaves_nothing_to_announce(
    client, login, post_form, people
):
    """The refusal shows the customer's new message (and says so): the next poll has
    nothing to redraw, and does not announce that message as if it had just arrived."""
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    receive_customer_reply(ticket, "Gdzie jest moja paczka?")
    db.session.commit()
    data = {"text": "Już wysłana.", "seen": page.seen}
    answer = page.act(post_form, f"/tickets/{ticket.number}/reply", data)
    assert answer.status_code == 422
    assert "Gdzie jest moja paczka?" in text_of(answer)
    assert page.poll().status_code == 304


def test_a_reply_refused_on_a_page_that_was_behind_announces_nothing_it_showed(
    client, login, post_form, people
):
    """A colleague's label came too: the next poll draws it, but the message the refusal
    already showed is not announced; one arriving after it is."""
    from webapp.services.tickets import add_label

    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    receive_customer_reply(ticket, "Gdzie jest moja paczka?")
    add_label(ticket, "kurier", people["bea"])
    db.session.commit()
    data = {"text": "Już wysłana.", "seen": page.seen}
    assert page.act(post_form, f"/tickets/{ticket.number}/reply", data).status_code == 422

    body = page.poll().get_data(as_text=True)
    assert "labels" in _sections(body) and "kurier" in body
    assert "ws-live-notice" not in body

    receive_customer_reply(ticket, "Halo?")
    db.session.commit()
    assert _notice(page.poll().get_data(as_text=True)).count("Nowa wiadomość od klienta") == 1


@pytest.mark.parametrize(
    ("url", "data", "drawn"),
    [
        ("reply/preview", {"text": "Dzień dobry {{ name }}"}, ["reply"]),
        ("labels", {"name": " "}, ["labels"]),  # refused: nothing changed
    ],
)
def test_an_action_that_changed_nothing_leaves_the_poll_and_the_sla_alone(
    client, login, post_form, people, url, data, drawn
):
    ticket = make_ticket()
    page = _open(client, login, people["ola"], ticket)
    before = page.url
    answer = page.act(post_form, f"/tickets/{ticket.number}/{url}", data)
    assert _sections(answer.get_data(as_text=True)) == drawn
    assert page.url == before
    assert page.poll().status_code == 304
