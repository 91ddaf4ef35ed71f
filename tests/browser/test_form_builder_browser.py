"""An admin builds a two-question form in the structured editor (drag to reorder, Polish
texts side by side, a show_if picked from lists), publishes it, and customers answering in
Polish get the follow-up question only for a low score."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.staff_login import log_in
from webapp.extensions import db
from webapp.models import Role
from webapp.services import drafts, form_studio
from webapp.services.forms import active_version, find_form

pytestmark = pytest.mark.browser
EDIT = "/admin/forms/visit/edit"


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def blank_form(app, create_user):
    """A new form as the forms page creates it: a draft (not yet published) with one English
    long_text question `comment`."""
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    form_studio.create_form("visit", "blank", admin)
    db.session.commit()
    return admin


def revision(page) -> str:
    return page.locator("#form-builder .builder-revision").first.input_value()


def wait_for_save(page, before: str) -> None:
    """Every change comes back with a new revision in every form of the page."""
    page.wait_for_function(
        "before => [...document.querySelectorAll('#form-builder .builder-revision')]"
        ".every(input => input.value !== before)",
        arg=before,
    )
    wait_for_htmx(page)


def set_text(page, label: str, value: str) -> None:
    before = revision(page)
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")  # `change` saves it
    wait_for_save(page, before)
    cell = page.get_by_label(label, exact=True).locator("xpath=..")
    expect(cell).not_to_have_class("text-cell is-missing")


def drag_above(page, source_handle: str, target: str) -> None:
    """Drag by the handle onto the upper part of `target`, with real mouse events."""
    page.locator(target).evaluate("element => element.scrollIntoView()")  # both in view
    start = page.locator(source_handle).bounding_box()
    goal = page.locator(target).bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 5, start["y"] - 10, steps=5)
    page.mouse.move(goal["x"] + 40, goal["y"] + goal["height"] / 2, steps=20)
    page.mouse.move(goal["x"] + 40, goal["y"] + 10, steps=10)
    page.mouse.up()


def test_build_publish_and_answer_in_polish(page, browser, live_server, blank_form):
    page.set_viewport_size({"width": 1280, "height": 2200})  # both question cards in view
    log_in_and_edit(page, live_server)

    # Polish as a second language: every text gets a Polish field, flagged as missing
    page.get_by_label("Add a language").select_option("pl")
    page.locator("#builder-settings").get_by_role("button", name="Add", exact=True).click()
    polish_comment = page.get_by_label("Question text (pl) · comment", exact=True)
    expect(polish_comment).to_be_visible()
    expect(polish_comment).to_have_attribute("aria-invalid", "true")
    wait_for_htmx(page)

    # an NPS question, dragged above the existing one
    page.get_by_label("New question of type").select_option("nps")
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator("#question-nps_1")).to_be_visible()
    expect(page.locator(".builder-question").first).to_have_attribute("data-id", "comment")
    wait_for_htmx(page)
    before = revision(page)
    drag_above(page, "#question-nps_1 .drag-handle", "#question-comment")
    wait_for_save(page, before)
    expect(page.locator(".builder-question").first).to_have_attribute("data-id", "nps_1")

    # the texts, side by side
    set_text(page, "Title (pl)", "Twoja opinia")
    set_text(page, "Introduction (pl)", "Dzień dobry! To zajmie minutę.")
    set_text(page, "Question text (en) · nps_1", "How likely are you to recommend us?")
    set_text(page, "Question text (pl) · nps_1", "Jak chętnie polecisz nas znajomym?")
    set_text(page, "Question text (pl) · comment", "Przykro nam. Co możemy poprawić?")
    set_text(page, "Ending message (pl) · ending 1", "Dziękujemy za opinię!")

    # show the comment question only if the score is at most 6: picked, never typed
    card = page.locator("#question-comment")
    card.get_by_role("button", name="Add a condition").click()
    comparison = card.get_by_label("Comparison")
    expect(comparison).to_be_visible()
    wait_for_htmx(page)  # the new row's pickers are live only once htmx has settled it
    expect(card.get_by_label("Question", exact=True)).to_have_value("nps_1")
    drawn = card.locator("form.condition-editor").element_handle()
    comparison.select_option("<=")  # the server redraws the row's pickers: wait for that
    page.wait_for_function("form => !form.isConnected", arg=drawn)
    wait_for_htmx(page)
    expect(card.get_by_label("Comparison")).to_have_value("<=")
    card.get_by_label("Value").select_option("6")
    before = revision(page)
    card.get_by_role("button", name="Save the condition").click()
    wait_for_save(page, before)
    expect(card.get_by_role("button", name="Remove the condition")).to_be_visible()
    # the saved card replaced the card: no second copy nested inside it
    expect(page.locator("#question-comment")).to_have_count(1)
    expect(page.locator(".builder-question")).to_have_count(2)
    expect(card.locator(".builder-question")).to_have_count(0)

    draft = yaml.safe_load(drafts.current("form", "visit").yaml_text)
    assert [q["id"] for q in draft["questions"]] == ["nps_1", "comment"]
    assert draft["questions"][1]["show_if"] == {"field": "answers.nps_1", "op": "<=", "value": 6}

    expect(page.get_by_text("No problems: this draft can be published.")).to_be_visible()
    # Publish first shows, in place of the builder, what goes live; Back would bring it back
    page.locator("#builder-publish").get_by_role("button", name="Review and publish").click()
    review = page.locator("#publish-review")
    expect(review).to_contain_text("Review the form, then publish it for the first time")
    expect(review).to_contain_text(
        "shown only when “How likely are you to recommend…” is at most 6"
    )
    page.wait_for_url(f"{live_server}/admin/forms/visit/publish")
    review.get_by_role("button", name="Publish as version 1").click()
    page.wait_for_url(f"{live_server}/admin/forms/visit")
    db.session.expire_all()
    assert active_version(find_form("visit")).number == 1  # a new form is a draft until now
    assert drafts.current("form", "visit") is None

    # a detractor answering in Polish gets the Polish follow-up
    customer = browser.new_context(locale="pl-PL").new_page()
    customer.goto(f"{live_server}/pl/f/visit")
    expect(customer.locator("#current-question")).to_have_text("Jak chętnie polecisz nas znajomym?")
    customer.locator('#composer button[name=value][value="3"]').click()
    expect(customer.locator("#current-question")).to_have_text("Przykro nam. Co możemy poprawić?")
    customer.locator("#composer textarea").fill("Dostawa trwała za długo.")
    customer.locator("#composer button[type=submit]:not(.skip)").click()
    expect(customer.locator("#end")).to_contain_text("Dziękujemy za opinię!")
    customer.context.close()

    # a promoter is not asked
    promoter = browser.new_context(locale="pl-PL").new_page()
    promoter.goto(f"{live_server}/pl/f/visit")
    promoter.locator('#composer button[name=value][value="9"]').click()
    expect(promoter.locator("#end")).to_contain_text("Dziękujemy za opinię!")
    expect(promoter.locator("#composer textarea")).to_have_count(0)
    assert "Co możemy poprawić?" not in promoter.content()
    promoter.context.close()


def test_a_colleagues_save_meanwhile_is_shown_as_a_conflict(page, live_server, blank_form):
    log_in_and_edit(page, live_server)
    set_text(page, "Title (en)", "Our visit")
    mine = drafts.current("form", "visit")
    theirs = mine.yaml_text.replace("Our visit", "Their visit")
    drafts.save("form", "visit", theirs, revision=mine.revision, base_number=None, actor=None)
    db.session.commit()

    field = page.get_by_label("Title (en)", exact=True)
    field.fill("My visit")
    field.press("Tab")
    message = page.locator("#builder-messages")
    expect(message).to_contain_text("Someone else changed this form meanwhile")
    message.get_by_text("Their draft", exact=True).click()
    expect(message.locator(".builder-theirs")).to_contain_text("Their visit")
    db.session.expire_all()
    assert drafts.current("form", "visit").yaml_text == theirs


def log_in_and_edit(page, live_server) -> None:
    log_in(page, live_server, "admin@example.com", then=EDIT)


def draft_question(index: int) -> dict:
    db.session.expire_all()
    return yaml.safe_load(drafts.current("form", "visit").yaml_text)["questions"][index]


def test_question_settings_are_saved_on_change(page, live_server, blank_form):
    page.set_viewport_size({"width": 1366, "height": 1600})
    log_in_and_edit(page, live_server)
    card = page.locator("#question-comment")
    expect(card.get_by_role("button", name="Save the settings")).to_be_hidden()  # not needed

    before = revision(page)
    card.get_by_label("Required").uncheck()
    wait_for_save(page, before)
    expect(page.get_by_label("Required")).to_be_focused()  # redrawn, focus kept
    before = revision(page)
    card.get_by_label("Maximum length").fill("300")
    card.get_by_label("Maximum length").press("Tab")
    wait_for_save(page, before)
    before = revision(page)
    card.get_by_label("Id", exact=True).fill("remarks")
    card.get_by_label("Id", exact=True).press("Enter")  # change and submit: saved once
    wait_for_save(page, before)
    expect(page.locator("#question-remarks")).to_have_count(1)
    expect(page.locator("#builder-messages")).to_be_empty()  # no conflict from a second save

    page.reload()  # what the page says is what was saved
    card = page.locator("#question-remarks")
    expect(card.get_by_label("Required")).not_to_be_checked()
    expect(card.get_by_label("Maximum length")).to_have_value("300")
    question = draft_question(0)
    assert question["id"] == "remarks" and question["required"] is False
    assert question["validation"] == {"max_length": 300}

    # a type that cannot keep the length limit asks first; "no" keeps the saved type
    page.once("dialog", lambda dialog: dialog.dismiss())
    card.get_by_label("Type").select_option("nps")
    expect(card.get_by_label("Type")).to_have_value("long_text")
    assert draft_question(0)["type"] == "long_text"
    before = revision(page)
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_label("Type").select_option("nps")
    wait_for_save(page, before)
    expect(page.locator("#question-remarks")).to_have_count(1)
    expect(page.locator("#builder-questions")).to_have_count(1)
    expect(page.locator("#question-remarks").get_by_label("Type")).to_have_value("nps")
    assert draft_question(0)["type"] == "nps" and "validation" not in draft_question(0)

    # a type that drops nothing is saved without asking
    before = revision(page)
    page.locator("#question-remarks").get_by_label("Type").select_option("csat")
    wait_for_save(page, before)
    assert draft_question(0)["type"] == "csat"


def test_ticket_choice_and_condition_rows_keep_their_shape(page, live_server, blank_form):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_and_edit(page, live_server)
    ticket = page.locator("#builder-ticket")
    ticket.scroll_into_view_if_needed()
    always = ticket.get_by_label("always").bounding_box()
    assert always["width"] >= 14 and abs(always["width"] - always["height"]) < 2  # a radio
    fieldset = ticket.locator(".ticket-rule fieldset").bounding_box()
    save = ticket.get_by_role("button", name="Save", exact=True).bounding_box()
    assert save["y"] >= fieldset["y"] + fieldset["height"]  # under the choice, not beside it
    assert save["x"] <= fieldset["x"] + 1

    ticket.get_by_role("button", name="Add a condition").click()
    wait_for_htmx(page)
    row = ticket.locator(".condition-row").bounding_box()
    question = ticket.get_by_label("Question", exact=True).bounding_box()
    remove = ticket.get_by_role("button", name="Remove condition 1").bounding_box()
    assert remove["width"] < 80  # a small × button, not a stretched bar
    assert abs(remove["y"] + remove["height"] / 2 - (question["y"] + question["height"] / 2)) < 4
    assert remove["x"] + remove["width"] <= row["x"] + row["width"] + 1


def test_enter_in_a_text_saves_it_once_without_reloading(page, live_server, blank_form):
    log_in_and_edit(page, live_server)
    page_posts = []  # ordinary (page-reloading) form posts

    def record(request) -> None:
        if request.method == "POST" and not request.headers.get("hx-request"):
            page_posts.append(request.url)

    page.on("request", record)
    before = revision(page)
    field = page.get_by_label("Title (en)", exact=True)
    field.fill("Our visit")
    field.press("Enter")
    wait_for_save(page, before)
    expect(page.locator("#builder-messages")).to_be_empty()  # not a conflict with itself
    assert page_posts == [] and page.url.endswith(EDIT)
    assert yaml.safe_load(drafts.current("form", "visit").yaml_text)["title"]["en"] == "Our visit"


def test_long_texts_show_in_full_and_missing_notes_sit_under_their_field(
    page, live_server, blank_form
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_and_edit(page, live_server)
    for lang in ("pl", "ru", "sl"):
        page.get_by_label("Add a language").select_option(lang)
        page.locator("#builder-settings").get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_label(f"Question text ({lang}) · comment", exact=True)).to_be_visible()
        wait_for_htmx(page)
    long_text = (
        "We are sorry to hear that. What went wrong, and what could we have done better so "
        "that you would recommend us to your friends and colleagues next time?"
    )
    set_text(page, "Question text (en) · comment", long_text)

    english = page.get_by_label("Question text (en) · comment", exact=True)
    english.scroll_into_view_if_needed()
    expect(english).to_have_value(long_text)
    hidden = english.evaluate("field => field.scrollHeight - field.clientHeight")
    assert hidden <= 4  # nothing cut off (a pixel or two of padding at most, never a line)
    title = page.get_by_label("Title (en)", exact=True).bounding_box()
    assert english.bounding_box()["height"] > 2 * title["height"]  # it grew to show it all
    # all four languages side by side, right of the row's label
    label = page.locator(".builder-question .text-row-label").first.bounding_box()
    tops = set()
    for lang in ("en", "pl", "ru", "sl"):
        box = page.get_by_label(f"Question text ({lang}) · comment", exact=True).bounding_box()
        assert box["x"] >= label["x"] + label["width"]
        tops.add(round(box["y"]))
    assert len(tops) == 1

    polish = page.get_by_label("Question text (pl) · comment", exact=True)
    note = page.locator("#" + polish.get_attribute("aria-describedby"))
    expect(note).to_have_text("Missing translation")
    field, under = polish.bounding_box(), note.bounding_box()
    assert under["y"] >= field["y"] + field["height"]  # below the box, not across its border


def test_the_nps_ticket_rule_is_edited_with_its_group(
    page, live_server, builtin_forms, create_user
):
    """The built-in NPS rule (detractors, or passives who said what went wrong) shows as a
    row and a group; a passive must now also leave an e-mail address. An empty group is
    refused at the group, and removing it lets the rule be saved."""
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 1400})
    log_in(page, live_server, "admin@example.com", then="/admin/forms/nps/edit")
    ticket = page.locator("#builder-ticket")
    ticket.scroll_into_view_if_needed()
    group = ticket.get_by_role("group", name="Group 1: all of these hold")
    expect(group.get_by_role("group", name="Condition 2 of group 1")).to_be_visible()
    expect(ticket).not_to_contain_text("cannot edit this condition")

    group.get_by_role("button", name="Add a condition to group 1").click()
    third = group.get_by_role("group", name="Condition 3 of group 1")
    expect(third).to_be_visible()
    wait_for_htmx(page)
    drawn = ticket.locator("form.condition-editor").element_handle()
    third.get_by_label("Question", exact=True).select_option("email")
    page.wait_for_function("form => !form.isConnected", arg=drawn)  # redrawn for e-mail
    wait_for_htmx(page)
    expect(third.get_by_label("Comparison")).to_have_value("exists")

    # a new group, emptied: Save is refused at that group, and nothing is lost
    ticket.get_by_role("button", name="Add a group").click()
    second = ticket.get_by_role("group", name="Group 2: all of these hold")
    expect(second).to_be_visible()
    for _ in range(2):
        wait_for_htmx(page)
        second.get_by_role("button", name="Remove condition 1 of group 2").click()
    expect(second).to_contain_text("This group has no conditions yet.")
    wait_for_htmx(page)
    ticket.get_by_role("button", name="Save the condition").click()
    message = "Group 2 has no conditions: add one to it or remove the group."
    expect(page.locator("#builder-messages")).to_contain_text(message)
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(third.get_by_label("Question", exact=True)).to_have_value("email")
    assert drafts.current("form", "nps") is None
    wait_for_htmx(page)
    second.get_by_role("button", name="Remove group 2").click()
    expect(second).to_have_count(0)
    wait_for_htmx(page)

    before = revision(page)
    ticket.get_by_role("button", name="Save the condition").click()
    wait_for_save(page, before)
    expect(ticket).to_contain_text("and “Where can we reach you if…” is answered).")
    expect(ticket.get_by_role("group", name="Condition 3 of group 1")).to_be_visible()
    rule = yaml.safe_load(drafts.current("form", "nps").yaml_text)["creates_ticket"]
    assert rule["any"][1]["all"][2] == {"field": "answers.email", "op": "exists"}


def test_adding_a_choice_keeps_the_focus_on_the_button_not_a_missing_text(
    page, live_server, blank_form
):
    log_in_and_edit(page, live_server)
    before = revision(page)
    page.get_by_label("New question of type").select_option("single_choice")
    page.get_by_role("button", name="Add the question").click()
    wait_for_save(page, before)
    card = page.locator(".builder-question").last
    expect(card.get_by_label("Question text (en)")).to_have_attribute("aria-invalid", "true")

    before = revision(page)
    card.get_by_role("button", name="Add a choice").focus()
    page.keyboard.press("Enter")
    wait_for_save(page, before)
    # still on the button (Enter again adds another), not on the question's missing text
    expect(
        page.locator(".builder-question").last.get_by_role("button", name="Add a choice")
    ).to_be_focused()


def test_a_refused_id_says_why_instead_of_dropping_the_change(page, live_server, blank_form):
    log_in_and_edit(page, live_server)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if "/edit/questions/" in request.url else None,
    )
    field = page.locator("#question-comment").get_by_label("Id", exact=True)
    field.fill("my comment")
    field.press("Tab")  # `change` would save it; the browser refuses the space
    expect(field).to_be_focused()
    assert page.evaluate("document.activeElement.validationMessage")
    assert sent == [] and draft_question(0)["id"] == "comment"


def test_a_condition_row_added_or_removed_by_keyboard_keeps_the_focus_in_its_question(
    page, live_server, blank_form
):
    # Every question's condition editor posts to the same address: the focus went to the
    # first question's editor (or the Questions heading), not the one the admin was in.
    page.set_viewport_size({"width": 1280, "height": 1600})
    log_in_and_edit(page, live_server)
    for _ in range(2):
        before = revision(page)
        page.get_by_label("New question of type").select_option("csat")
        page.get_by_role("button", name="Add the question").click()
        wait_for_save(page, before)
    editors = page.locator("#builder-questions form.condition-editor")
    expect(editors.last.get_by_role("button", name="Add a condition")).to_be_visible()
    expect(editors.first.get_by_role("button", name="Add a condition")).to_be_visible()
    assert editors.count() >= 2
    last = page.locator(f"#{editors.last.get_attribute('id')}")

    last.get_by_role("button", name="Add a condition").focus()
    page.keyboard.press("Enter")  # a row to fill in, not saved yet
    expect(last.get_by_role("button", name="Remove condition 1")).to_be_visible()
    expect(last.get_by_role("button", name="Add a condition")).to_be_focused()

    last.get_by_role("button", name="Remove condition 1").focus()
    page.keyboard.press("Enter")
    expect(last.get_by_role("button", name="Remove condition 1")).to_have_count(0)
    expect(last.get_by_role("button", name="Add a condition")).to_be_focused()
