"""The routing rule builder picks fields and values by name, and edits one level of groups.

An admin builds "the form is Report a problem and (the language is Polish or the score
group is Detractors)" with pickers only, with htmx and without JavaScript, and tickets then
go where the rule says; a stored rule nesting a group is edited as a group; a field the
pickers do not know stays editable as "Other field…".
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import Role, Team
from webapp.services import drafts
from webapp.services.tickets import NewTicket, create_ticket
from webapp.services.workflow_versions import active_version
from workflow import routing_rules as rr

PAGE = "/admin/workflow/routing"
TARGET = {"form": "report-problem", "locale": "pl"}


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


class RuleEditor(HTMLParser):
    """The rule editor's form as a browser holds it: its controls in page order, each with
    its value (a select's chosen option), its accessible name and a select's options; a
    checkbox with its label, whether it is ticked and the named group it is in."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.controls: list[dict] = []
        self.buttons: list[dict] = []
        self.action = ""
        self._inside = False
        self._select: dict | None = None
        self._option: dict | None = None
        self._button: dict | None = None
        self._box: dict | None = None
        self._boxes = ""  # the accessible name of the group of boxes being read
        start = page.index('id="rule-editor"')
        self.feed(page[start:])

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.action:
            self._inside, self.action = True, attrs.get("action", "")
        if not self._inside:
            return
        if tag == "fieldset" and "clause-ticks" in attrs.get("class", ""):
            self._boxes = attrs.get("aria-label", "")
        if tag == "input" and attrs.get("type") == "checkbox" and "name" in attrs:
            self._box = {**attrs, "tag": "checkbox", "label": "", "group": self._boxes}
            self._box["ticked"] = "checked" in attrs
            self._box["value"] = attrs.get("value", "on")
            self.controls.append(self._box)
        elif tag == "input" and "name" in attrs:
            self.controls.append({**attrs, "tag": "input", "value": attrs.get("value", "")})
        elif tag == "select":
            self._select = {**attrs, "tag": "select", "options": [], "value": None}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value", ""), "label": ""}
            self._select["options"].append(self._option)
            if "selected" in attrs or self._select["value"] is None:
                self._select["value"] = self._option["value"]
        elif tag == "button":
            self._button = {**attrs, "label": ""}
            self.buttons.append(self._button)

    def handle_data(self, data):
        if self._box is not None:
            self._box["label"] += data
        if self._option is not None:
            self._option["label"] += data
        if self._button is not None:
            self._button["label"] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "button":
            self._button = None
        elif tag == "form":
            self._inside = False
        elif tag == "label":
            self._box = None
        elif tag == "fieldset":
            self._boxes = ""

    def control(self, name: str) -> dict:
        (found,) = [c for c in self.controls if c.get("aria-label") == name]
        return found

    def boxes(self, group: str) -> list[str]:
        """The labels of the checkboxes in the group named `group`, in page order."""
        return [c["label"].strip() for c in self.controls if c.get("group") == group]

    def ticked(self, group: str) -> list[str]:
        return [c["value"] for c in self.controls if c.get("group") == group and c["ticked"]]

    def tick(self, group: str, label: str, ticked: bool = True) -> None:
        (box,) = [
            c for c in self.controls if c.get("group") == group and c["label"].strip() == label
        ]
        box["ticked"] = ticked

    def named(self, name: str) -> dict:
        (found,) = [c for c in self.controls if c.get("name") == name]
        return found

    def options(self, name: str) -> list[str]:
        return [option["label"].strip() for option in self.control(name)["options"]]

    def choose(self, name: str, label: str) -> None:
        control = self.control(name)
        (option,) = [o for o in control["options"] if o["label"].strip() == label]
        control["value"] = option["value"]

    def fill(self, name: str, value: str) -> None:
        self.control(name)["value"] = value

    def posted(self, button: str | None = None, **extra: str) -> dict:
        """The form data a browser sends: every control in order, the button pressed."""
        data: dict[str, list[str]] = {}
        for control in self.controls:
            if control["tag"] != "checkbox" or control["ticked"]:
                data.setdefault(control["name"], []).append(control["value"])
        if button is not None:
            (pressed,) = [
                b for b in self.buttons if (b.get("aria-label") or b["label"].strip()) == button
            ]
            if pressed.get("name"):
                data.setdefault(pressed["name"], []).append(pressed.get("value", ""))
        for key, value in extra.items():
            data[key] = [value]
        return data


def words(page: str) -> str:
    """The visible text of a page or fragment, its quotation marks unescaped."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def draft_rules() -> list:
    db.session.expire_all()
    return rr.rules_of(rr.read_document(drafts.current("workflow", "ticket").yaml_text))


def draft_text() -> str:
    db.session.expire_all()
    return drafts.current("workflow", "ticket").yaml_text


def change(post_form, editor: RuleEditor, htmx: bool, button: str | None = None, **extra):
    """Change a picker (htmx asks for a refresh; without JavaScript "Update the choices")
    or press a builder button: the editor comes back, nothing is saved."""
    if button is None and not htmx:
        button = "Update the choices"
    data = editor.posted(button, **extra)
    if button is None:
        data["action"] = ["refresh"]  # the picker's hx-vals
    reply = post_form(editor.action, data, htmx=htmx)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200, words(page)
    assert ("<html" in page) is (not htmx)  # the fragment with htmx, else the same page
    return RuleEditor(page)


WANTED = {
    "all": [
        {"field": "form", "op": "=", "value": "report-problem"},
        {
            "any": [
                {"field": "locale", "op": "=", "value": "pl"},
                {"field": "score.category", "op": "=", "value": "detractor"},
            ]
        },
    ]
}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_rule_with_a_group_is_built_with_pickers_and_routes_tickets(
    routing_admin, client, post_form, htmx
):
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    field_names = editor.options("Field of condition 1")
    # Fields by name, in the admin's words; questions by their text and form, no codes.
    for name in ("Form", "Customer's language", "Channel", "Score group (NPS)", "Score value"):
        assert name in field_names
    assert "“How likely are you to recommend…” (Your feedback)" in field_names
    assert "Customer's e-mail address" in field_names and field_names[-1] == "Other field…"
    assert not any(name in field_names for name in ("locale", "answers.score", "score.category"))

    editor.named("name")["value"] = "Polish or unhappy problem reports"
    editor.choose("Field of condition 1", "Form")
    editor = change(post_form, editor, htmx)
    assert editor.options("Value of condition 1") == [
        "Feedback on our support",
        "Did you find what you came for?",
        "Your feedback",
        "Report a problem",
    ]
    assert drafts.current("workflow", "ticket") is None  # changing a picker saves nothing
    editor.choose("Value of condition 1", "Report a problem")
    editor = change(post_form, editor, htmx, "Add a group")
    assert "Group 1: any of these holds" in words(editor.page)

    editor.choose("Field of condition 2", "Customer's language")
    editor.choose("Field of condition 3", "Score group (NPS)")
    editor = change(post_form, editor, htmx)
    assert "Polish" in editor.options("Value of condition 2")
    assert editor.options("Value of condition 3") == [
        "Detractors (0–6)",
        "Passives (7–8)",
        "Promoters (9–10)",
    ]
    assert editor.control("Value of condition 1")["value"] == "report-problem"  # kept
    editor.choose("Value of condition 2", "Polish")
    editor.choose("Value of condition 3", "Detractors (0–6)")
    data = editor.posted(team="polish-desk", assign="manual")
    saved = post_form(editor.action, data, htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), text_of(saved)
    rule = draft_rules()[-1]
    assert rule["name"] == "Polish or unhappy problem reports"
    assert rule["when"] == WANTED and rule["set"]["team"] == "polish-desk"
    listed = html.unescape(text_of(client.get(PAGE)))
    assert (
        "the form is “Report a problem” and (the language is “Polish” or the score is in the "
        "group “Detractors (0–6)”)" in listed
    )

    # First in the list, the rule decides before the shipped ones, in the tester…
    post_form(
        f"{PAGE}/reorder",
        {"order": ["3", "0", "1", "2"], **state_of(client)},
        htmx=True,
    )
    tested = post_form(
        f"{PAGE}/test",
        {"source": "typed", "locale": "pl", "channel": "web", "answer-category": "bug", **TARGET},
        htmx=True,
    )
    draft_column = text_of(tested).split("Active version 1")[0]
    assert "rule 1 “Polish or unhappy problem reports”" in draft_column
    assert "Polish Desk" in draft_column

    # …and for real tickets once the draft is published.
    revision = str(drafts.current("workflow", "ticket").revision)
    assert post_form("/admin/workflow/publish", {"revision": revision}).status_code == 303
    polish = create_ticket(
        NewTicket(subject="Nie działa", customer_locale="pl", form_slug="report-problem")
    )
    unhappy = create_ticket(
        NewTicket(
            subject="Broken",
            customer_locale="en",
            form_slug="report-problem",
            score={"type": "nps", "value": 2, "category": "detractor"},
        )
    )
    english = create_ticket(
        NewTicket(subject="Broken", customer_locale="en", form_slug="report-problem")
    )
    db.session.commit()
    assert polish.team.slug == unhappy.team.slug == "polish-desk"
    assert english.team.slug == "product-quality"  # the shipped rule for problem reports


def state_of(client) -> dict:
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    data = editor.posted()
    return {"revision": data["revision"][0], "seen": data["seen"][0]}


def publish_in_order(client, post_form, order: list[str]) -> None:
    """Reorder the draft's rules (their indexes, the new first one first) and publish it."""
    reordered = post_form(f"{PAGE}/reorder", {"order": order, **state_of(client)}, htmx=True)
    assert reordered.status_code == 200
    revision = str(drafts.current("workflow", "ticket").revision)
    assert post_form("/admin/workflow/publish", {"revision": revision}).status_code == 303


NESTED = """\
    - name: Slovenian or unhappy
      when:
        any:
          - {field: locale, op: "=", value: sl}
          - all:
              - {field: form, op: "=", value: nps}
              - {field: score.category, op: in, value: [detractor, passive]}
      set: {team: polish-desk, assign: manual}
    - name: Deeply nested
      when:
        any:
          - all:
              - {field: locale, op: "=", value: ru}
              - any:
                  - {field: channel, op: "=", value: widget}
                  - {field: subject, op: contains, value: x}
      set: {team: polish-desk, assign: manual}
    - name: A plan nobody knows
      when: {field: customer.plan, op: "=", value: gold}
      set: {team: polish-desk, assign: manual}
"""


@pytest.fixture
def nested_draft(routing_admin) -> str:
    """The shipped rules after three written in the YAML editor (rules 4, 5 and 6)."""
    version = active_version("ticket")
    text = version.yaml_text.replace("  default: {team", NESTED + "  default: {team", 1)
    assert text != version.yaml_text
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=routing_admin)
    db.session.commit()
    return text


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_stored_rule_with_a_group_is_edited_as_a_group(nested_draft, client, post_form, htmx):
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    shown = words(editor.page)
    assert "Group 1: all of these hold" in shown and "is nested" not in shown
    assert editor.control("Field of condition 1")["value"] == "locale"
    assert editor.control("Field of condition 2")["value"] == "form"
    assert editor.control("Value of condition 2")["value"] == "nps"
    assert editor.control("Field of condition 3")["value"] == "score.category:nps"
    assert editor.control("Operator of condition 3")["value"] == "in"
    assert editor.boxes("Value of condition 3") == [
        "Detractors (0–6)",
        "Passives (7–8)",
        "Promoters (9–10)",
    ]
    assert editor.ticked("Value of condition 3") == ["detractor", "passive"]

    # Saved untouched, the draft stays byte for byte as it was.
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_text() == nested_draft

    # A third condition in the group, which then holds when any of them does.
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    editor = change(post_form, editor, htmx, "Add a condition to group 1")
    editor.choose("Field of condition 4", "Channel")
    editor.named("group_mode")["value"] = "any"
    editor = change(post_form, editor, htmx)
    assert editor.options("Value of condition 4") == [
        "Form on our page",
        "Widget on a website",
        "Link in an e-mail",
    ]
    editor.choose("Value of condition 4", "Widget on a website")
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_rules()[3]["when"] == {
        "any": [
            {"field": "locale", "op": "=", "value": "sl"},
            {
                "any": [
                    {"field": "form", "op": "=", "value": "nps"},
                    {"field": "score.category", "op": "in", "value": ["detractor", "passive"]},
                    {"field": "channel", "op": "=", "value": "widget"},
                ]
            },
        ]
    }
    # Removing the group leaves the one row outside it.
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    editor = change(post_form, editor, htmx, "Remove group 1")
    assert "Group 1" not in words(editor.page)
    post_form(editor.action, editor.posted(), htmx=htmx)
    assert draft_rules()[3]["when"] == {"field": "locale", "op": "=", "value": "sl"}


def test_deeper_nesting_is_shown_as_yaml_and_kept(nested_draft, client, post_form):
    editor = RuleEditor(client.get(f"{PAGE}?edit=4").get_data(as_text=True))
    shown = words(editor.page)
    assert "This rule's condition is nested, which the builder cannot show" in shown
    assert "value: widget" in shown
    data = editor.posted()
    data["name"] = ["Deeply nested, renamed"]
    assert post_form(editor.action, data, htmx=True).status_code == 200
    rule = draft_rules()[4]
    assert rule["name"] == "Deeply nested, renamed"
    assert rule["when"] == rr.read_document(nested_draft)["routing"]["rules"][4]["when"]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_field_the_pickers_do_not_know_stays_editable_as_other_field(
    nested_draft, client, post_form, htmx
):
    editor = RuleEditor(client.get(f"{PAGE}?edit=5").get_data(as_text=True))
    assert editor.control("Field of condition 1")["value"] == "__other__"
    assert editor.control("Name of the field of condition 1")["value"] == "customer.plan"
    assert editor.control("Value of condition 1")["value"] == "gold"
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code in (200, 303) and draft_text() == nested_draft

    # Picking "Other field…" on a new row shows the box to type its name in.
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Gold plans"
    editor.choose("Field of condition 1", "Other field…")
    editor = change(post_form, editor, htmx)
    editor.fill("Name of the field of condition 1", "metadata.plan")
    editor.fill("Value of condition 1", "gold")
    saved = post_form(editor.action, editor.posted(team="polish-desk"), htmx=htmx)
    assert saved.status_code in (200, 303)
    assert draft_rules()[-1]["when"] == {"field": "metadata.plan", "op": "=", "value": "gold"}
    # Seen in a rule now, the key is offered by name.
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    assert "Metadata “plan”" in editor.options("Field of condition 1")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_an_empty_group_is_refused_at_the_group(routing_admin, client, post_form, htmx):
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Half built"
    editor.choose("Field of condition 1", "Channel")
    editor = change(post_form, editor, htmx, "Add a group")
    refused = post_form(editor.action, editor.posted(team="polish-desk"), htmx=htmx)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    message = "Group 1 has no conditions: add one to it or remove the group."
    assert message in words(page)
    group = re.search(r'<fieldset class="clause-group"([^>]*)>', page).group(1)
    assert 'aria-invalid="true"' in group
    described = re.search(r'aria-describedby="([^"]+)"', group).group(1)
    assert re.search(rf'id="{described}"[^>]*>{re.escape(message)}<', page)
    assert drafts.current("workflow", "ticket") is None
    # The rows sent are kept: the channel row and the empty group are still there.
    again = RuleEditor(page)
    assert again.control("Field of condition 1")["value"] == "channel"
    assert "Group 1" in words(page)


def test_a_polish_admin_picks_fields_and_values_in_polish(
    builtin_forms, create_user, login, client
):
    active_version()
    admin = create_user(email="olga@example.com", name="Olga", role=Role.ADMIN, locale="pl")
    login(admin)
    editor = RuleEditor(client.get(f"{PAGE}?edit=2").get_data(as_text=True))
    fields = editor.options("Pole warunku 1")
    assert "Język klienta" in fields and "Inne pole…" in fields
    assert "Grupa wyniku (NPS)" in fields
    assert editor.control("Pole warunku 1")["value"] == "locale"
    assert "słoweński" in [option.casefold() for option in editor.options("Wartość warunku 1")]


def test_without_javascript_a_field_changed_then_saved_shows_its_choices_first(
    routing_admin, client, post_form
):
    """The value sent was picked for the field before: it is not saved under the new one."""
    editor = RuleEditor(client.get(f"{PAGE}?edit=2").get_data(as_text=True))
    assert editor.control("Value of condition 1")["value"] == "sl"
    editor.choose("Field of condition 1", "Form")
    reply = post_form(editor.action, editor.posted())
    assert reply.status_code == 200 and drafts.current("workflow", "ticket") is None
    shown = words(reply.get_data(as_text=True))
    assert "The choices now follow the field you picked: check the value, then save." in shown
    again = RuleEditor(reply.get_data(as_text=True))
    assert again.control("Value of condition 1")["value"] == "csat"  # the first form
    again.choose("Value of condition 1", "Report a problem")
    assert post_form(again.action, again.posted()).status_code == 303
    assert draft_rules()[2]["when"] == {"field": "form", "op": "=", "value": "report-problem"}


def test_a_list_typed_on_a_field_without_choices_still_says_it_is_comma_separated(
    routing_admin, client, post_form
):
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.choose("Field of condition 1", "Ticket subject")
    editor = change(post_form, editor, True)
    editor.choose("Operator of condition 1", "is one of (comma-separated)")
    editor = change(post_form, editor, True)
    assert editor.control("Value of condition 1")["type"] == "text"


@pytest.mark.parametrize(
    "junk",
    [
        {"field": ["score.category:nonsense"], "op": ["="], "value": ["x"], "shown": ["form"]},
        {"field": ["__other__"], "op": ["missing"], "value": [""], "place": ["1"]},
        {"field": ["locale"] * 40, "op": ["="] * 3, "place": ["0", "x", "9999999"]},
        {"field": ["form"], "group": ["0", "0", "a"], "group_mode": ["sideways"]},
        {"field": ["form"], "action": "remove_group:99999999"},
        {"field": ["form"], "action": "add_to:-1"},
        {"field": ["answers.score"], "op": ["<="], "value": ["<b>six</b>"]},
        {"field": ["locale"], "op": ["in"], "ticks": ["0"], "tick-0": ["<b>six</b>"]},
        {
            "field": ["form", "channel"],
            "op": ["in", "="],
            "ticks": ["x", "99999"],
            "shown_op": ["="],
        },
    ],
)
def test_junk_rows_and_buttons_never_give_a_500(routing_admin, client, post_form, junk):
    state = state_of(client)
    for url in (f"{PAGE}/rules", f"{PAGE}/rules/0"):
        for htmx in (True, False):
            reply = post_form(url, {"name": "Junk", **state, **junk}, htmx=htmx)
            assert reply.status_code in (200, 303, 409, 422)  # 409: an earlier junk was saved
            assert "<b>six" not in reply.get_data(as_text=True)


def test_with_no_form_published_a_form_is_typed_and_the_rows_stay_in_step(
    create_user, login, client, post_form
):
    """An empty select would send no value and shift every later row's value by one."""
    active_version()
    db.session.add(Team(slug="customer-care", name="Customer Care"))
    db.session.commit()
    login(create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN))
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Typed form"
    editor.choose("Field of condition 1", "Form")
    editor = change(post_form, editor, True, "Add a condition row")
    assert editor.control("Value of condition 1")["type"] == "text"
    editor.fill("Value of condition 1", "report-problem")
    editor.choose("Field of condition 2", "Customer's language")
    editor = change(post_form, editor, True)
    editor.choose("Value of condition 2", "Polish")
    saved = post_form(editor.action, editor.posted(team="customer-care"), htmx=True)
    assert saved.status_code == 200, words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == {
        "all": [
            {"field": "form", "op": "=", "value": "report-problem"},
            {"field": "locale", "op": "=", "value": "pl"},
        ]
    }
