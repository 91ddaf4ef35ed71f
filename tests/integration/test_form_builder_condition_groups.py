"""Conditions with one level of groups in the form builder: the built-in NPS ticket rule
("detractors, or passives who wrote what went wrong") is edited as rows and a group, with
htmx and without JavaScript, published, and customers' answers then make tickets by it."""

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services import drafts

NPS_TEMPLATE = Path(__file__).parents[2] / "survey_forms" / "templates" / "nps.yaml"
EDIT = "/admin/forms/nps/edit"
CONDITION = f"{EDIT}/condition"
SCORE_Q = "“How likely are you to recommend…”"
# The ticket rule as the page posts it: a detractor row, then group 1 (passive, and
# what_went_wrong answered), each row placed at the top (0) or in the group (1).
RULE = {
    "target": "creates_ticket",
    "combine": "any",
    "question": ["score", "score", "what_went_wrong"],
    "op": ["category", "category", "exists"],
    "value": ["detractor", "passive", ""],
    "place": ["0", "1", "1"],
    "group": ["1"],
    "group_combine": ["all"],
    "revision": "",
}
HTMX = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def as_admin(client, login, admin, builtin_forms):
    login(admin)
    return client


def editor(html: str, key: str = "creates_ticket") -> str:
    return re.search(rf'<form [^>]*id="condition-{key}".*?</form>', html, re.S).group(0)


def draft_rule():
    db.session.expire_all()
    return yaml.safe_load(drafts.current("form", "nps").yaml_text)["creates_ticket"]


def page_after(post_form, client, data: dict, htmx: bool):
    """The editor as the admin sees it next: the swapped part, or the page after a redirect."""
    reply = post_form(CONDITION, data, htmx=htmx)
    if reply.status_code == 303:
        reply = client.get(reply.headers["Location"])
    return reply


class Customer:
    """Someone answering the published NPS form without JavaScript."""

    def __init__(self, app):
        self.client = app.test_client()
        self.html = self.client.get("/en/f/nps").get_data(as_text=True)

    def field(self, name):
        match = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        return match.group(1) if match else None

    def answer_all(self, *values) -> None:
        for value in values:
            data = {k: self.field(k) for k in ("step", "question", "lang")} | {"value": value}
            reply = self.client.post("/f/nps/answer", data=data)
            if reply.status_code == 303:
                reply = self.client.get(reply.headers["Location"])
            assert reply.status_code == 200
            self.html = reply.get_data(as_text=True)


def tickets() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_the_nps_ticket_rule_shows_as_a_row_and_a_named_group(as_admin):
    html = as_admin.get(EDIT).get_data(as_text=True)
    rule = editor(html)
    assert "cannot edit this condition" not in rule
    assert '<select name="combine"><option value="all" >all of these hold</option>' in rule
    assert '<option value="any" selected>any of these holds</option>' in rule
    assert '<fieldset class="condition-group">' in rule
    assert "<legend>Group 1: all of these hold</legend>" in rule
    assert 'aria-label="Condition 1"' in rule and 'aria-label="Remove condition 1"' in rule
    assert 'aria-label="Condition 2 of group 1"' in rule
    assert 'aria-label="Remove condition 2 of group 1"' in rule
    assert (
        'aria-label="Remove group 1"' in rule and 'aria-label="Add a condition to group 1"' in rule
    )
    group = rule.split('<fieldset class="condition-group">')[1]
    assert '<option value="passive" selected>Passives (7–8)</option>' in group
    assert '<option value="what_went_wrong" selected>' in group
    assert (
        f"A ticket is created only when {SCORE_Q} is in the group “Detractors (0–6)” or "
        f"({SCORE_Q} is in the group “Passives (7–8)” and "
        "“Thanks for being honest. What could…” is answered)." in text_of(as_admin.get(EDIT))
    )


@HTMX
def test_a_passive_also_needs_an_email_then_the_published_form_tickets_by_it(
    app, as_admin, post_form, htmx
):
    # add a row to group 1: the rows sent so far stay, nothing is saved yet
    added = page_after(post_form, as_admin, {**RULE, "action": "add_to:1"}, htmx)
    assert added.status_code == 200
    rule = editor(added.get_data(as_text=True))
    assert 'aria-label="Condition 3 of group 1"' in rule and "Not saved yet." in rule
    assert rule.count('name="place" value="1"') == 3
    assert drafts.current("form", "nps") is None
    # the new row asks whether the e-mail was given
    with_email = {
        **RULE,
        "question": [*RULE["question"], "email"],
        "op": [*RULE["op"], "exists"],
        "value": [*RULE["value"], ""],
        "place": [*RULE["place"], "1"],
    }
    saved = page_after(post_form, as_admin, {**with_email, "action": "save"}, htmx)
    assert saved.status_code == 200, text_of(saved)
    assert draft_rule() == {
        "any": [
            {"field": "score.category", "op": "=", "value": "detractor"},
            {
                "all": [
                    {"field": "score.category", "op": "=", "value": "passive"},
                    {"field": "answers.what_went_wrong", "op": "exists"},
                    {"field": "answers.email", "op": "exists"},
                ]
            },
        ]
    }
    text = text_of(saved)
    assert (
        f"or ({SCORE_Q} is in the group “Passives (7–8)” and “Thanks for being honest. What "
        "could…” is answered and “Where can we reach you if…” is answered)." in text
    )
    assert "<legend>Group 1: all of these hold</legend>" in editor(saved.get_data(as_text=True))

    published = post_form("/admin/forms/nps/publish", {"revision": "1"})
    assert published.status_code == 303
    Customer(app).answer_all("8", "Delivery took two weeks.", "Ann", "")  # no e-mail
    assert tickets() == 0
    Customer(app).answer_all("7", "Delivery took two weeks.", "Bob", "bob@example.com")
    assert tickets() == 1
    Customer(app).answer_all("2", "", "", "")  # a detractor, as before
    assert tickets() == 2


@HTMX
def test_a_groups_all_or_any_changes_and_a_group_is_removed(as_admin, post_form, htmx):
    either = {**RULE, "group_combine": ["any"], "action": "refresh"}
    refreshed = page_after(post_form, as_admin, either, htmx)
    assert "<legend>Group 1: any of these holds</legend>" in editor(
        refreshed.get_data(as_text=True)
    )
    saved = page_after(post_form, as_admin, {**either, "action": "save"}, htmx)
    assert saved.status_code == 200
    assert draft_rule()["any"][1] == {
        "any": [
            {"field": "score.category", "op": "=", "value": "passive"},
            {"field": "answers.what_went_wrong", "op": "exists"},
        ]
    }
    removed = page_after(post_form, as_admin, {**RULE, "action": "remove_group:1"}, htmx)
    rule = editor(removed.get_data(as_text=True))
    assert "condition-group" not in rule and rule.count('name="question"') == 1
    detractors = {"question": "score", "op": "category", "value": "detractor", "place": "0"}
    only_row = {"target": "creates_ticket", "combine": "any", **detractors, "revision": "1"}
    saved = page_after(post_form, as_admin, {**only_row, "action": "save"}, htmx)
    assert saved.status_code == 200
    assert draft_rule() == {"field": "score.category", "op": "=", "value": "detractor"}


@HTMX
def test_removing_a_row_of_a_group_and_adding_a_group(as_admin, post_form, htmx):
    one_left = page_after(post_form, as_admin, {**RULE, "action": "remove:2"}, htmx)
    rule = editor(one_left.get_data(as_text=True))
    assert 'aria-label="Condition 1 of group 1"' in rule
    assert 'aria-label="Condition 2 of group 1"' not in rule
    grouped = page_after(post_form, as_admin, {**RULE, "action": "add_group"}, htmx)
    rule = editor(grouped.get_data(as_text=True))
    # a new group holds the other way than the top (any → all), with two rows to fill in
    assert "<legend>Group 2: all of these hold</legend>" in rule
    assert rule.count('name="place" value="2"') == 2


@HTMX
def test_an_empty_group_is_refused_where_it_is_and_the_rows_are_kept(as_admin, post_form, htmx):
    emptied = {**RULE, "place": ["0", "5", "5"], "group": ["1", "2"], "group_combine": ["all"] * 2}
    refused = post_form(CONDITION, {**emptied, "action": "save"}, htmx=htmx)
    assert refused.status_code == 422
    message = "Group 1 has no conditions: add one to it or remove the group."
    assert message in text_of(refused)
    rule = editor(refused.get_data(as_text=True))
    assert '<fieldset class="condition-group" aria-invalid="true" aria-describedby=' in rule
    assert f'id="condition-creates_ticket-error">{message}</p>' in rule
    assert "This group has no conditions yet." in rule
    assert rule.count('name="question"') == 3  # what was sent is still there to fix
    if htmx:  # the message where messages go; the editor marked, in place
        assert refused.headers["HX-Retarget"] == "#builder-messages"
        assert 'hx-swap-oob="true"' in rule
    assert drafts.current("form", "nps") is None


@HTMX
def test_a_bad_value_inside_a_group_marks_that_field(as_admin, post_form, htmx):
    bad = {**RULE, "op": ["category", "<=", "exists"], "value": ["detractor", "eleven", ""]}
    refused = post_form(CONDITION, {**bad, "action": "save"}, htmx=htmx)
    assert refused.status_code == 422 and "Enter a number." in text_of(refused)
    group = editor(refused.get_data(as_text=True)).split('class="condition-group"')[1]
    first = group.split('aria-label="Condition 2 of group 1"')[0]
    assert re.search(r'<select name="value" aria-label="Value" aria-invalid="true"', first)
    assert drafts.current("form", "nps") is None


def test_nesting_deeper_than_one_group_stays_unreadable(as_admin):
    data = yaml.safe_load(NPS_TEMPLATE.read_text(encoding="utf-8"))
    data["creates_ticket"] = {
        "any": [{"all": [{"any": [{"field": "answers.name", "op": "exists"}]}]}]
    }
    drafts.save("form", "nps", yaml.safe_dump(data), revision=None, base_number=1, actor=None)
    db.session.commit()
    rule = editor(as_admin.get(EDIT).get_data(as_text=True))
    assert "The builder cannot edit this condition as rows" in rule
    assert "condition-group" not in rule and 'name="question"' not in rule
