"""Language names on the agent's pages: in the agent's own language, written as that
language writes them, lower case inside a sentence in Polish, Russian and Slovenian and
capitalised where they start a label or an option; the language switcher names each
language in itself."""

from __future__ import annotations

import re

import pytest

from tests.helpers import make_ticket, text_of


@pytest.fixture
def app_config() -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com"}


def _switcher(html: str) -> list[str]:
    select = re.search(r'<select id="language-select".*?</select>', html, re.S).group(0)
    return [name.strip() for name in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.mark.parametrize(
    ("locale", "merge_offer"),
    [
        ("pl", "Powiadom klienta e-mailem, w języku: słoweński"),
        ("en", "Tell the customer by e-mail, in Slovenian"),
    ],
)
def test_mid_sentence_a_language_follows_the_readers_casing_and_the_switcher_its_own(
    client, login, post_form, create_user, locale, merge_offer
):
    first = make_ticket(customer_email="maja@example.si", customer_locale="sl")
    duplicate = make_ticket(customer_email="maja@example.si", customer_locale="sl")
    login(create_user(email="agent@example.com", locale=locale))
    page = post_form(f"/tickets/{duplicate.number}/merge", {"number": first.number})
    assert merge_offer in text_of(page)
    assert _switcher(page.get_data(as_text=True)) == ["English", "Polski", "Русский", "Slovenščina"]


def test_the_customers_language_is_named_in_the_agents_language_on_every_agent_page(
    client, login, create_user
):
    """The reply box said "Polski" where the bulk bar said "Polish": the reader's language
    names the customer's, on the card, in the list, the workspace and the reply box."""
    ticket = make_ticket(customer_locale="pl")
    login(create_user(email="sam@example.com", locale="en"))
    workspace = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Sent by e-mail in Polish and shown on the customer's status page." in workspace
    assert "Language Polish" in workspace
    assert "Polski" not in workspace.replace("English Polski Русский Slovenščina", "")
    listed = text_of(client.get("/tickets"))
    assert f"{ticket.number} Płatność nie działa Polish" in listed
    board = client.get("/board").get_data(as_text=True)
    assert '<abbr class="card-language" title="Polish">PL</abbr>' in board
    assert '<option value="pl" >Polish</option>' in board


def test_a_russian_agent_reads_it_in_lower_case_inside_the_reply_boxs_sentence(
    client, login, create_user
):
    ticket = make_ticket(customer_locale="sl")
    login(create_user(email="ivan@example.com", locale="ru"))
    workspace = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Отправляется по эл. почте (язык: словенский)" in workspace
    assert "Язык Словенский" in workspace  # a value of its own starts with a capital


@pytest.fixture
def polish_admin(client, login, create_user, builtin_forms):
    from webapp.models import Role

    admin = create_user(email="boss@example.com", name="Pani Admin", role=Role.ADMIN, locale="pl")
    login(admin)
    return admin


def test_admin_pages_name_the_agents_languages_in_the_readers_language(
    client, post_form, create_user, polish_admin
):
    """The routing tester, the staff list and the audit log named an agent's languages in
    themselves ("Русский, Slovenščina") to a Polish admin: now as the board does, in Polish."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Team, TeamMembership

    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    olga = create_user(email="olga@example.com", name="Olga", locale="ru", languages=["ru", "sl"])
    olga.working_hours = {}
    db.session.add(TeamMembership(team=care, user=olga))
    db.session.commit()

    tested = post_form(
        "/admin/workflow/routing/test",
        {"source": "typed", "form": "nps", "locale": "pl", "channel": "web", "answer-score": "2"},
        htmx=True,
    )
    said = text_of(tested)
    assert "Olga Rosyjski, Słoweński" in said
    assert "Русский" not in said and "Slovenščina" not in said

    routing = client.get("/admin/workflow/routing").get_data(as_text=True)
    tester_languages = re.search(r'<select name="locale">(.*?)</select>', routing, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", tester_languages) == [
        "Angielski",
        "Polski",
        "Rosyjski",
        "Słoweński",
    ]

    staff = text_of(client.get("/admin/"))
    assert "Rosyjski Słoweński" in staff and "Русский" not in staff.replace(
        "English Polski Русский Slovenščina", ""
    )

    edit = client.get(f"/admin/users/{olga.id}").get_data(as_text=True)
    spoken = re.findall(r'name="languages"[^>]*> <label for="languages-\d">([^<]+)</label>', edit)
    assert spoken == ["Angielski", "Polski", "Rosyjski", "Słoweński"]
    interface = re.search(r'<select[^>]*name="locale".*?</select>', edit, re.S).group(0)
    assert ">Русский</option>" in interface  # where one picks one's own: each in itself

    form = {"name": "Olga", "role": "agent", "timezone": olga.timezone, "capacity": "20"}
    post_form(f"/admin/users/{olga.id}", form | {"languages": ["ru", "pl"], "locale": "ru"})
    audit = text_of(client.get("/admin/audit"))
    assert "Rosyjski, Słoweński" in audit and "Rosyjski, Polski" in audit
    assert "Slovenščina" not in audit.replace("English Polski Русский Slovenščina", "")


def test_admin_pages_per_language_are_headed_in_the_readers_language(client, polish_admin):
    canned = text_of(client.get("/admin/canned-replies"))
    assert "Rosyjski" in canned and "Słoweński" in canned
    overview = client.get("/admin/email-templates").get_data(as_text=True)
    columns = re.findall(r'<th scope="col">([^<]+)</th>', overview)
    assert columns[:5] == ["E-mail", "Angielski", "Polski", "Rosyjski", "Słoweński"]
    email_text = text_of(client.get("/admin/email-templates/ticket_confirmation/ru"))
    assert "Rosyjski" in email_text
    branding = client.get("/admin/forms/nps/branding").get_data(as_text=True)
    bot_names = re.findall(r'<label for="branding-bot-\w+">([^<]+)</label>', branding)
    assert "Русский" not in bot_names and "Angielski" in bot_names
    for page in (canned, email_text):
        assert "Русский" not in page.replace("English Polski Русский Slovenščina", "")


def test_sent_mail_names_each_message_s_language_in_the_readers_language(client, polish_admin):
    from webapp.extensions import db
    from webapp.models import OutboxMessage, OutboxStatus

    message = OutboxMessage(
        message_key="helper-test:ru",
        channel="email",
        template="ticket_confirmation",
        locale="ru",
        to_address="olga@example.com",
        subject="[LD-1001] Мы получили Ваше обращение",
        body_text="Текст",
        body_html="<p>Текст</p>",
        status=OutboxStatus.SENT,
    )
    db.session.add(message)
    db.session.commit()
    listed = client.get("/admin/mail").get_data(as_text=True)
    row = listed[listed.index("olga@example.com") :]
    assert "Rosyjski" in row[: row.index("</tr>")]
    shown = text_of(client.get(f"/admin/mail/{message.id}"))
    assert "Język Rosyjski" in shown
    assert "Русский" not in shown.replace("English Polski Русский Slovenščina", "")


def test_the_routing_testers_recent_responses_are_named_as_the_admin_reads_them(
    client, polish_admin
):
    """The tester listed a response as "goal · en · yes": now the form's title, the
    language's name and the answer's label, in the admin's language."""
    from tests.helpers import completed_response

    completed_response("goal", {"goal": "yes"}, locale="en")
    completed_response(
        "report-problem",
        {"category": "payment", "description": "Karta odrzucona"},
        locale="sl",
    )
    routing = client.get("/admin/workflow/routing").get_data(as_text=True)
    listed = re.search(r'<select id="test-response".*?</select>', routing, re.S).group(0)
    options = [o.strip() for o in re.findall(r"<option[^>]*>([^<]+)</option>", listed)][1:]
    assert len(options) == 2
    problem, goal = options
    assert " · Zgłoś problem · " in problem and " · Słoweński · Płatność" in problem
    assert " · Czy udało Ci się znaleźć to, czego szukasz? · " in goal
    assert goal.endswith(" · Angielski · Tak")
    assert "payment" not in listed and " en " not in listed and "· yes" not in listed

    typed = re.search(r'<select name="form".*?</select>', routing, re.S).group(0)
    assert ">Zgłoś problem</option>" in typed and ">report-problem</option>" not in typed
