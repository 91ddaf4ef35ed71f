"""Admins build the ticket workflow's routing rules in the browser and test routing on them."""

import html
import re

import pytest
import yaml
from sqlalchemy import func, select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    DefinitionDraft,
    OutboxMessage,
    Response,
    Role,
    Team,
    TeamMembership,
    TeamRoutingState,
    Ticket,
    TicketEvent,
    WorkflowVersion,
)
from webapp.services import drafts, routing_tester
from webapp.services.workflow_versions import active_version, validate_for_publish
from workflow import routing_rules as rr

PAGE = "/admin/workflow/routing"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def admin(builtin_forms, create_user):
    active_version()  # the shipped workflow, as after the first ticket
    db.session.commit()
    return create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)


@pytest.fixture
def as_admin(admin, login):
    login(admin)
    return admin


SCORE_Q = "“How likely are you to recommend…”"
CSAT_Q = "“How satisfied are you with the…”"


def visible(reply) -> str:
    return html.unescape(text_of(reply))


def page_state(client) -> dict:
    """The hidden revision and `seen` fields of the page, as a browser would send them."""
    page = client.get(PAGE).get_data(as_text=True)
    revision = re.search(r'name="revision" value="([^"]*)"', page).group(1)
    seen = html.unescape(re.search(r'name="seen" value="([^"]*)"', page).group(1))
    return {"revision": revision, "seen": seen}


def draft_data() -> dict:
    db.session.expire_all()
    return rr.read_document(drafts.current("workflow", "ticket").yaml_text)


def rule_names() -> list[str]:
    return [rule["name"] for rule in rr.rules_of(draft_data())]


def assert_valid_draft() -> None:
    text = drafts.current("workflow", "ticket").yaml_text
    assert validate_for_publish("ticket", text).ok


RULE = {
    "name": "Polish speakers",
    "mode": "all",
    "field": ["locale", "answers.score", ""],
    "op": ["=", "<=", "="],
    "value": ["pl", "6", ""],
    "team": "product-quality",
    "priority": "urgent",
    "labels": "polish, callback",
    "assign": "least_loaded",
    "overflow_team": "customer-care",
    "watchers": "lead@example.com",
}


def test_agents_are_refused_the_builder_and_the_tester(
    builtin_forms, agent, login, client, post_form
):
    login(agent)
    assert client.get(PAGE).status_code == 403
    assert post_form(f"{PAGE}/rules", RULE, htmx=True).status_code == 403
    assert post_form(f"{PAGE}/rules/0/remove", {}, htmx=True).status_code == 403
    assert post_form(f"{PAGE}/reorder", {"order": ["1", "0"]}, htmx=True).status_code == 403
    assert (
        post_form(f"{PAGE}/test", {"source": "typed", "form": "nps"}, htmx=True).status_code == 403
    )
    assert client.get(f"{PAGE}/test/questions?form=nps").status_code == 403
    assert drafts.current("workflow", "ticket") is None


def test_the_page_lists_the_active_rules_in_order_with_the_default(as_admin, client):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = visible(page)
    assert "There is no draft yet" in text
    first = text.index("Unhappy customers get a fast call back")
    assert (
        first < text.index("Broken pages go to product quality") < text.index("Slovenian feedback")
    )
    assert f"the score is in the group “Detractors (0–6)” or {CSAT_Q} is at most 2" in text
    # Teams by their names, as admins know them, not by their routing names.
    assert "Everything else (default route): team Customer Care" in text
    assert "team Product Quality · priority Normal" in text
    assert "overflow to Customer Care" in text and "team customer-care" not in text
    assert "data-sortable-rules" in page.get_data(as_text=True)
    assert "Add a rule" in text and "Test routing" in text
    assert "priority High" in text  # worded in the admin's language, not the code


def test_add_edit_move_reorder_and_remove_rules_save_a_valid_draft(as_admin, client, post_form):
    added = post_form(f"{PAGE}/rules", {**RULE, **page_state(client)}, htmx=True)
    assert added.status_code == 200, visible(added)
    assert "<html" not in added.get_data(as_text=True)  # the list's fragment only
    assert "Rule “Polish speakers” added." in visible(added)
    assert drafts.current("workflow", "ticket").revision == 1
    rules = rr.rules_of(draft_data())
    assert rules[-1] == {
        "name": "Polish speakers",
        "when": {
            "all": [
                {"field": "locale", "op": "=", "value": "pl"},
                {"field": "answers.score", "op": "<=", "value": 6},
            ]
        },
        "set": {
            "team": "product-quality",
            "priority": "urgent",
            "labels": ["polish", "callback"],
            "assign": "least_loaded",
            "overflow_team": "customer-care",
            "watchers": ["lead@example.com"],
        },
    }
    assert_valid_draft()
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "workflow.routing_changed")
    )
    assert entry.after["rules_added"] == [
        "Polish speakers: locale = pl and answers.score <= 6 → Product Quality"
    ]
    assert set(entry.before) == {"revision"}  # the three rules already there are not listed

    editor = client.get(f"{PAGE}?edit=3")
    assert 'value="Polish speakers"' in editor.get_data(as_text=True)
    edited = post_form(
        f"{PAGE}/rules/3",
        {
            **RULE,
            "name": "Polish, any score",
            "field": ["locale"],
            "op": ["in"],
            "value": ["pl, ru"],
            **page_state(client),
        },
        htmx=True,
    )
    assert edited.status_code == 200, visible(edited)
    assert rr.rules_of(draft_data())[3]["when"] == {
        "field": "locale",
        "op": "in",
        "value": ["pl", "ru"],
    }

    moved = post_form(f"{PAGE}/rules/3/move", {"direction": "up", **page_state(client)}, htmx=True)
    assert moved.status_code == 200
    assert rule_names() == [
        "Unhappy customers get a fast call back",
        "Broken pages go to product quality",
        "Polish, any score",
        "Slovenian feedback",
    ]
    reordered = post_form(
        f"{PAGE}/reorder", {"order": ["2", "0", "1", "3"], **page_state(client)}, htmx=True
    )
    assert reordered.status_code == 200
    assert rule_names()[0] == "Polish, any score"
    removed = post_form(f"{PAGE}/rules/3/remove", page_state(client), htmx=True)
    assert removed.status_code == 200
    assert rule_names() == [
        "Polish, any score",
        "Unhappy customers get a fast call back",
        "Broken pages go to product quality",
    ]
    default = post_form(
        f"{PAGE}/default",
        {"team": "product-quality", "assign": "manual", "priority": "low", **page_state(client)},
        htmx=True,
    )
    assert default.status_code == 200
    assert rr.default_of(draft_data()) == {
        "team": "product-quality",
        "priority": "low",
        "assign": "manual",
    }
    assert drafts.current("workflow", "ticket").revision == 6
    assert_valid_draft()
    assert "The draft is valid." in visible(client.get(PAGE))


def test_without_javascript_a_change_redirects_back_to_the_list(as_admin, client, post_form):
    moved = post_form(f"{PAGE}/rules/0/move", {"direction": "down", **page_state(client)})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(PAGE)
    assert rule_names()[1] == "Unhappy customers get a fast call back"
    assert "Rule moved." in visible(client.get(PAGE))


def test_the_add_row_button_shows_one_more_row_without_saving(as_admin, client, post_form):
    reply = post_form(f"{PAGE}/rules", {**RULE, "add_row": "1", **page_state(client)}, htmx=True)
    assert reply.status_code == 200
    assert reply.get_data(as_text=True).count('name="field"') == 4  # two filled, two spare
    assert drafts.current("workflow", "ticket") is None


def test_a_change_over_another_admins_newer_draft_is_a_conflict_and_keeps_theirs(
    as_admin, client, post_form, create_user
):
    stale = page_state(client)  # this admin opened the page before the other one saved
    other = create_user(email="bo@example.com", name="Bo Other", role=Role.ADMIN)
    theirs = rr.remove_rule(rr.read_document(active_version().yaml_text), 2)
    drafts.save(
        "workflow", "ticket", rr.dump_document(theirs), revision=None, base_number=1, actor=other
    )
    db.session.commit()
    theirs_text = drafts.current("workflow", "ticket").yaml_text

    reply = post_form(f"{PAGE}/rules", {**RULE, **stale}, htmx=True)
    assert reply.status_code == 422
    text = visible(reply)
    assert "Bo Other saved the workflow draft" in text and "your change was not saved" in text
    diff = reply.get_data(as_text=True).split('class="diff"')[1].split("</pre>")[0]
    assert "Slovenian feedback" in diff  # they removed it; the page still had it
    assert "Polish speakers" in diff  # …and what you asked for
    assert "</span>\n<span" not in diff  # each line a block: no blank line between them
    assert drafts.current("workflow", "ticket").yaml_text == theirs_text
    assert "Slovenian feedback" not in text.split("Rules, in order")[1]  # the list is theirs now

    plain = post_form(f"{PAGE}/rules/0/remove", stale)
    assert plain.status_code == 409
    assert drafts.current("workflow", "ticket").yaml_text == theirs_text
    fresh = post_form(f"{PAGE}/rules/0/remove", page_state(client), htmx=True)
    assert fresh.status_code == 200 and len(rule_names()) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"team": "no-such-team"}, "There is no team “no-such-team”."),
        ({"op": ["like", "=", "="]}, "“like” is not an operator."),
        ({"field": ["", "", ""], "value": ["", "", ""]}, "A rule needs at least one condition"),
        ({"name": "x" * 10_000}, "The name is too long"),
        ({"value": ["p" * 100_000, "6", ""]}, "The value is too long"),
        (  # typed after choosing "Other field…"
            {"field": ["__other__", "answers.score", ""], "field_other": ["locale<b>", "", ""]},
            "is not a field name",
        ),
        ({"assign": "chaos", "priority": "asap"}, "is not an assignment strategy"),
        ({"watchers": XSS}, "is not an e-mail address"),
    ],
)
def test_junk_input_is_refused_with_a_message_and_saves_nothing(
    as_admin, client, post_form, change, message
):
    reply = post_form(f"{PAGE}/rules", {**RULE, **change, **page_state(client)}, htmx=True)
    assert reply.status_code == 422
    assert message in visible(reply)
    assert drafts.current("workflow", "ticket") is None
    assert "<script>alert" not in reply.get_data(as_text=True)


def test_junk_positions_and_revisions_never_give_a_500(as_admin, client, post_form):
    state = page_state(client)
    assert post_form(f"{PAGE}/rules/99/remove", state, htmx=True).status_code == 422
    assert post_form(f"{PAGE}/rules/99/move", state, htmx=True).status_code == 422
    assert (
        post_form(f"{PAGE}/reorder", {"order": ["x", "1"], **state}, htmx=True).status_code == 422
    )
    assert (
        post_form(f"{PAGE}/reorder", {"order": ["0", "0", "1"], **state}, htmx=True).status_code
        == 422
    )
    assert (
        post_form(f"{PAGE}/rules/0/remove", {**state, "revision": "abc"}, htmx=True).status_code
        == 422
    )
    assert (
        post_form(f"{PAGE}/rules/0/remove", {**state, "seen": "{not json"}, htmx=True).status_code
        == 200
    )
    assert client.get(f"{PAGE}?edit=999999999999999999999").status_code == 200
    assert (
        post_form(
            f"{PAGE}/test", {"source": "response", "response_id": "9" * 40}, htmx=True
        ).status_code
        == 422
    )
    assert (
        post_form(f"{PAGE}/test", {"source": "typed", "form": "nope"}, htmx=True).status_code == 422
    )


def test_a_draft_that_is_not_yaml_is_left_to_the_yaml_editor(as_admin, client, post_form):
    drafts.save(
        "workflow", "ticket", "routing: [unclosed", revision=None, base_number=1, actor=as_admin
    )
    db.session.commit()
    page = client.get(PAGE)
    assert page.status_code == 200 and "The draft cannot be edited here" in visible(page)
    reply = post_form(f"{PAGE}/rules", {**RULE, "revision": "1", "seen": ""}, htmx=True)
    assert reply.status_code == 422
    assert drafts.current("workflow", "ticket").yaml_text == "routing: [unclosed"


def test_rule_names_and_test_answers_are_escaped(as_admin, client, post_form):
    reply = post_form(f"{PAGE}/rules", {**RULE, "name": XSS, **page_state(client)}, htmx=True)
    assert reply.status_code == 200
    page = client.get(PAGE).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    tested = post_form(
        f"{PAGE}/test",
        {
            "source": "typed",
            "form": "nps",
            "answer-score": "2",
            "answer-what_went_wrong": XSS,
            "metadata": f"plan: {XSS}",
        },
        htmx=True,
    )
    assert tested.status_code == 200
    body = tested.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body and "&lt;script&gt;" in body


def typed(answers: dict, **extra) -> dict:
    return {
        "source": "typed",
        "form": "nps",
        "locale": "pl",
        "channel": "web",
        "compare": "1",
        **{f"answer-{k}": v for k, v in answers.items()},
        **extra,
    }


def test_typed_answers_show_the_rule_team_agent_and_sla_for_draft_and_active(
    as_admin, client, post_form
):
    # The draft sends Polish speakers to product quality before anything else.
    post_form(f"{PAGE}/rules", {**RULE, **page_state(client)}, htmx=True)
    post_form(f"{PAGE}/reorder", {"order": ["3", "0", "1", "2"], **page_state(client)}, htmx=True)
    reply = post_form(
        f"{PAGE}/test", typed({"score": "3", "what_went_wrong": "Płatność nie działa"}), htmx=True
    )
    assert reply.status_code == 200, visible(reply)
    draft_column, active_column = visible(reply).split("Active version 1")
    assert "Draft (revision 2)" in draft_column
    assert "rule 1 “Polish speakers”" in draft_column
    # Conditions and the facts they read are said in words, not as expressions.
    assert f"Rule 1 matched: the language is “Polish” and {SCORE_Q} is at most 6" in draft_column
    assert f"This ticket: the language is “Polish”; {SCORE_Q} is 3" in draft_column
    assert "locale pl = pl" not in draft_column
    assert "Product Quality" in draft_column and "urgent" in draft_column
    assert "nobody (left for the team to pick up)" in draft_column  # no members: overflow empty
    assert "SLA policy urgent" in draft_column and "First response due" in draft_column
    assert "30 business minutes by the calendar Around the clock (24/7) (UTC" in draft_column
    assert "rule 1 “Unhappy customers get a fast call back”" in active_column
    assert f"the score is in the group “Detractors (0–6)” or {CSAT_Q} is at most 2" in active_column
    assert "SLA policy high (the priority is “High”)" in active_column
    assert "score.category" not in active_column
    assert "Customer Care" in active_column and "Ola" in active_column
    assert "least loaded (0 of 20 open)" in active_column and "speaks Polish" in active_column
    assert "SLA policy high" in active_column and "Resolution due" in active_column


def test_rule_conditions_are_joined_in_the_admins_language(admin, client, login):
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    text = visible(client.get(PAGE))
    assert (
        "wynik należy do grupy „Krytycy (0–6)” lub „Jak oceniasz otrzymaną od nas pomoc?” "
        "wynosi co najwyżej 2" in text
    )
    assert "język jest „słoweński”" in text  # the rule for Slovenian feedback
    assert " or csat" not in text and "score.category" not in text


def test_the_test_result_is_in_the_admins_language(admin, client, login, post_form):
    """A Polish admin reads the priority, the policy's reason and the due-time reasons in Polish."""
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    reply = post_form(f"{PAGE}/test", typed({"score": "10"}, locale="ru"), htmx=True)
    assert reply.status_code == 200
    text = visible(reply)
    assert "Normalny" in text and "polityka domyślna" in text
    assert "To zgłoszenie: wynik należy do grupy „Promotorzy (9–10)”" in text
    assert "To zgłoszenie: język jest „rosyjski”" in text  # the rule for Slovenian feedback
    assert "język jest „słoweński” nie jest spełniony" in text
    assert "8 godzin roboczych według kalendarza Biuro w Warszawie" in text
    for english in ("default policy", "first response due", "business hours", "normal\n"):
        assert english not in text


def test_a_score_out_of_scale_is_left_out_and_said_so(as_admin, post_form):
    reply = post_form(f"{PAGE}/test", typed({"score": "42"}, locale="sl"), htmx=True)
    assert reply.status_code == 200
    text = visible(reply)
    assert "Some answers were not accepted" in text and "score (out of the scale)" in text
    assert "rule 3 “Slovenian feedback”" in text


def test_without_javascript_the_test_result_is_on_the_full_page(as_admin, client, post_form):
    questions = client.get(f"{PAGE}?form=nps")
    assert 'name="answer-score"' in questions.get_data(as_text=True)
    fragment = client.get(f"{PAGE}/test/questions?form=csat", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'name="answer-csat"' in fragment.get_data(as_text=True)
    hints = visible(fragment)  # question kinds in words, not codes such as long_text
    assert "scale 1–5" in hints and "Long text" in hints and "long_text" not in hints
    # The same address opened as a page (history, a copied link): the page with those questions.
    opened = client.get(f"{PAGE}/test/questions?form=csat")
    assert opened.status_code == 303
    assert opened.location.endswith(f"{PAGE}?form=csat#routing-test")
    page = client.get(opened.location).get_data(as_text=True)
    assert "<html" in page and 'name="answer-csat"' in page
    reply = post_form(f"{PAGE}/test", typed({"score": "10"}, locale="en"))
    assert reply.status_code == 200
    text = visible(reply)
    assert "<html" in reply.get_data(as_text=True)
    assert "no rule — the default route" in text and "Shipped default" not in text


class Respondent:
    """A customer answering a public form without JavaScript."""

    def __init__(self, client, slug, lang):
        self.client, self.slug = client, slug
        self.html = client.get(f"/{lang}/f/{slug}").get_data(as_text=True)

    def field(self, name):
        match = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        return match.group(1) if match else None

    def answer(self, value):
        data = {k: self.field(k) for k in ("step", "question", "lang")} | {"value": value}
        reply = self.client.post(f"/f/{self.slug}/answer", data=data)
        if reply.status_code == 303:
            reply = self.client.get(reply.headers["Location"])
        self.html = reply.get_data(as_text=True)
        return reply


def submit_nps(app, lang, answers) -> Ticket:
    customer = Respondent(app.test_client(), "nps", lang)
    for value in answers:
        customer.answer(value)
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
    assert ticket is not None
    return ticket


def counts() -> dict:
    tables = (
        Ticket,
        TicketEvent,
        TeamRoutingState,
        AuditEntry,
        DefinitionDraft,
        OutboxMessage,
        Response,
        WorkflowVersion,
        TeamMembership,
    )
    db.session.expire_all()
    result = {
        table.__name__: db.session.scalar(select(func.count()).select_from(table))
        for table in tables
    }
    result["pointers"] = sorted(
        db.session.execute(select(TeamRoutingState.team_id, TeamRoutingState.last_user_id)).all()
    )
    return result


def test_testing_a_real_response_matches_what_routing_did_and_writes_nothing(
    app, as_admin, client, post_form, create_user
):
    care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    ewa = create_user(email="ewa@example.com", name="Ewa", languages=["pl"])
    db.session.add(TeamMembership(team=care, user=ewa))
    db.session.commit()
    ticket = submit_nps(app, "pl", ["8", "Szybciej proszę", "Jan", "jan@example.pl"])  # passive
    event = routing_tester.real_routing(ticket)
    assert event.data["team"] == "customer-care" and event.data["rule_index"] is None
    response = db.session.scalar(select(Response).where(Response.ticket_id == ticket.id))

    page = client.get(PAGE).get_data(as_text=True)
    assert f'<option value="{response.id}"' in page and "Szybciej proszę" in page
    before = counts()
    reply = post_form(
        f"{PAGE}/test",
        {"source": "response", "response_id": str(response.id), "compare": "1"},
        htmx=True,
    )
    assert reply.status_code == 200, visible(reply)
    text = visible(reply)
    assert f"ticket {ticket.number}" in text
    assert "Same rule and team as the real routing." in text
    assert "no rule — the default route" in text and "Customer Care" in text
    assert "team Customer Care" in text  # the real routing names the team, not customer-care
    assert "next in round-robin order" in text
    typed_reply = post_form(f"{PAGE}/test", typed({"score": "8"}), htmx=True)
    assert typed_reply.status_code == 200
    assert counts() == before  # no row, no round-robin pointer moved

    # The service agrees with the recorded routing, field by field.
    _, definition = routing_tester.active_definition()
    sample = routing_tester.sample_from_response(response.id)
    trial = routing_tester.try_routing(definition, sample.new_ticket)
    assert (trial.decision.rule_index, trial.decision.rule_name, trial.team_slug) == (
        event.data["rule_index"],
        event.data["rule"],
        event.data["team"],
    )
    assert trial.priority == ticket.priority
    assert trial.policy_name == ticket.sla_policy

    detractor = submit_nps(app, "pl", ["2", "Źle", "Ola", "ola@example.pl"])
    event = routing_tester.real_routing(detractor)
    sample = routing_tester.sample_from_response(
        db.session.scalar(select(Response.id).where(Response.ticket_id == detractor.id))
    )
    trial = routing_tester.try_routing(definition, sample.new_ticket)
    assert (
        (trial.decision.rule_index, trial.team_slug)
        == (0, "customer-care")
        == (event.data["rule_index"], event.data["team"])
    )
    assert trial.labels == tuple(label.name for label in detractor.labels)
    assert trial.policy_name == detractor.sla_policy == "high"


def test_problems_elsewhere_in_the_draft_are_shown_and_the_draft_cannot_route(
    as_admin, client, post_form
):
    broken = active_version().yaml_text.replace("dest: in_progress", "dest: in_progres", 1)
    assert broken != active_version().yaml_text
    drafts.save("workflow", "ticket", broken, revision=None, base_number=1, actor=as_admin)
    db.session.commit()
    reply = post_form(f"{PAGE}/rules", {**RULE, **page_state(client)}, htmx=True)
    assert reply.status_code == 200
    text = visible(reply)
    assert "The draft has" in text and "unknown state 'in_progres'" in text
    assert "Polish speakers" in rule_names()
    tested = post_form(f"{PAGE}/test", typed({"score": "2"}), htmx=True)
    assert tested.status_code == 200
    draft_column, active_column = visible(tested).split("Active version 1")
    assert "This definition does not load" in draft_column
    assert "rule 1 “Unhappy customers get a fast call back”" in active_column


def test_a_misspelt_question_and_a_word_for_a_number_are_flagged_in_polish(
    admin, create_user, login, client, post_form
):
    """The audit's rule: `answers.scroe` at most `six` was saved silently and never matched."""
    polish = create_user(email="olga@example.com", name="Olga", role=Role.ADMIN, locale="pl")
    login(polish)
    typo = {  # a question id typed after choosing "Other field…"
        **RULE,
        "name": "Niezadowoleni",
        "field": ["__other__", ""],
        "field_other": ["answers.scroe", ""],
        "op": ["<=", "="],
        "value": ["six", ""],
    }
    refused = post_form(f"{PAGE}/rules", {**typo, **page_state(client)}, htmx=True)
    assert refused.status_code == 422
    assert "„six” nie jest liczbą" in visible(refused)
    assert drafts.current("workflow", "ticket") is None

    # A form with that question may come later: with a number the rule is kept, and said so.
    saved = post_form(
        f"{PAGE}/rules", {**typo, "value": ["6", ""], **page_state(client)}, htmx=True
    )
    assert saved.status_code == 200
    assert "Niezadowoleni" in rule_names()
    warning = (
        "Ta reguła na razie nie może zadziałać: żaden formularz nie ma pytania „scroe” "
        "(czy chodziło o „score”?)."
    )
    assert warning in visible(saved)
    assert warning in visible(client.get(PAGE))  # on the list whenever the page is opened
    index = rule_names().index("Niezadowoleni")
    opened = client.get(f"{PAGE}?edit={index}").get_data(as_text=True)
    assert 'name="field_other" value="answers.scroe"' in opened  # still "Other field…"
    editor = visible(client.get(f"{PAGE}?edit={index}"))
    assert "Ten warunek na razie nie może być spełniony: żaden formularz nie ma pytania" in editor
    # Rules reading questions the published forms ask get no warning.
    assert visible(client.get(PAGE)).count("na razie nie może zadziałać") == 1


def test_a_rule_without_a_name_is_called_by_its_number_in_the_admins_language(
    admin, client, login, post_form
):
    """The loader's English 'rule 1' is no name: a Polish admin reads 'Reguła 1'."""
    version = active_version("ticket")
    named = "- name: Unhappy customers get a fast call back\n      "
    text = version.yaml_text.replace(named, "- ", 1)
    assert text != version.yaml_text
    drafts.save("workflow", "ticket", text, revision=None, base_number=version.number, actor=admin)
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    assert "1. Reguła 1" in visible(client.get(PAGE))
    reply = post_form(f"{PAGE}/test", typed({"score": "2"}), htmx=True)
    draft_column, active_column = visible(reply).split("Aktywna wersja")
    assert "reguła 1 " in draft_column and "Reguła 1: wynik należy do grupy" in draft_column
    assert "Pasuje reguła 1: wynik" in draft_column
    assert "rule 1" not in draft_column and "„rule 1”" not in draft_column
    assert "reguła 1 „Unhappy customers get a fast call back”" in active_column


# -- the builder rewrites only the routing section --------------------------------------------


def commented_draft(admin) -> str:
    """The active text with an admin's own comments around and inside other sections."""
    text = active_version().yaml_text
    text = "# Ann: ask the team leads before changing states\n" + text
    text = text.replace("\nstates:\n", "\nstates:\n  # keep 'new' first: the board shows it left\n")
    text = text.replace("\nsla:", "\n# SLA agreed with customers in 2025\nsla:")
    text += "# Last line: reviewed by Ann\n"
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=admin)
    db.session.commit()
    return text


def test_builder_saves_keep_the_admins_comments_outside_routing(as_admin, client, post_form):
    text = commented_draft(as_admin)
    head, tail = text[: text.index("\nrouting:")], text[text.index("\n# Rules that run") :]
    steps = [
        (f"{PAGE}/rules", RULE),
        (f"{PAGE}/rules/0/move", {"direction": "down"}),
        (f"{PAGE}/rules/1/remove", {}),
        (f"{PAGE}/default", {"team": "product-quality", "assign": "manual", "priority": "low"}),
    ]
    for url, form in steps:
        reply = post_form(url, {**form, **page_state(client)}, htmx=True)
        assert reply.status_code == 200, visible(reply)
        db.session.expire_all()
        saved = drafts.current("workflow", "ticket").yaml_text
        assert saved.startswith(head + "\nrouting:\n") and saved.endswith(tail)
    assert rule_names() == [
        "Broken pages go to product quality",
        "Slovenian feedback",
        "Polish speakers",
    ]
    assert "# keep 'new' first" in saved and "# SLA agreed" in saved
    assert_valid_draft()

    revision = str(drafts.current("workflow", "ticket").revision)
    assert "Publish as version 2" in visible(client.get("/admin/workflow/publish"))
    published = post_form("/admin/workflow/publish", {"revision": revision, "comment": "routing"})
    assert published.status_code == 303
    assert active_version().number == 2 and active_version().yaml_text == saved


def test_a_draft_whose_routing_cannot_be_cut_out_is_written_whole(as_admin, client, post_form):
    data = rr.read_document(active_version().yaml_text)
    flow = "# a comment the rewrite drops\n" + yaml.safe_dump(
        data, default_flow_style=True, sort_keys=False, width=10**6
    )
    drafts.save("workflow", "ticket", flow, revision=None, base_number=1, actor=as_admin)
    db.session.commit()
    reply = post_form(f"{PAGE}/rules", {**RULE, **page_state(client)}, htmx=True)
    assert reply.status_code == 200, visible(reply)
    db.session.expire_all()
    saved = drafts.current("workflow", "ticket").yaml_text
    assert saved == rr.dump_document(rr.add_rule(data, rr.rules_of(draft_data())[-1]))
    assert "# a comment" not in saved and rule_names()[-1] == "Polish speakers"
    assert_valid_draft()


def test_typed_answers_can_be_tested_in_every_language_and_channel(as_admin, client):
    """The test's Language and Channel lists were empty: a typed test could only be English
    on the web, so the rule for Slovenian feedback could not be tried that way."""
    page = client.get(PAGE).get_data(as_text=True)
    language = re.search(r'<select name="locale">(.*?)</select>', page, re.S).group(1)
    channel = re.search(r'<select name="channel">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="([a-z]+)"', language) == ["en", "pl", "ru", "sl"]
    assert "Slovenian" in language  # in the reader's language, as the board names it
    assert re.findall(r'value="([a-z]+)"', channel) == ["web", "widget", "email"]


def test_the_typed_answers_name_the_form_by_its_title_in_the_admins_language(admin, client, login):
    """The picker above says «Mnenje o naši podpori»: the answers under it said «csat»."""
    admin.locale = "sl"
    db.session.commit()
    login(admin)
    reply = client.get(f"{PAGE}/test/questions?form=csat", headers={"HX-Request": "true"})
    assert reply.status_code == 200
    text = visible(reply)
    assert "Odgovori na obrazec »Mnenje o naši podpori«" in text
    assert "csat (" not in text
