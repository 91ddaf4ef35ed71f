"""Score buttons on a phone are big enough to tap (WCAG 2.2 target size): at 320 and 360 px
each 0-10 button is at least 44 px tall and 24 px wide, 0 to 10 in order, the end labels
under their ends; a desk keeps its one row of eleven."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import SurveyInvitation, SurveyStatus, utcnow
from webapp.services.forms import publish_form

pytestmark = pytest.mark.browser

BOXES = """sel => Array.from(document.querySelectorAll(sel)).map(b => {
    const r = b.getBoundingClientRect();
    return {text: b.textContent.trim(), x: r.left, y: r.top, w: r.width, h: r.height};
})"""
CES = {
    "slug": "effort",
    "title": {"en": "Effort"},
    "languages": ["en"],
    "default_language": "en",
    "questions": [
        {
            "id": "effort",
            "type": "ces",
            "text": {"en": "How easy was it?"},
            "labels": {"low": {"en": "Very difficult"}, "high": {"en": "Very easy"}},
        }
    ],
}


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def _rows(boxes: list[dict]) -> list[list[str]]:
    rows: dict[int, list[dict]] = {}
    for box in boxes:
        rows.setdefault(round(box["y"]), []).append(box)
    return [[b["text"] for b in sorted(r, key=lambda b: b["x"])] for _y, r in sorted(rows.items())]


def _check_tappable(page, selector: str, count: int) -> list[list[str]]:
    boxes = page.evaluate(BOXES, selector)
    assert len(boxes) == count
    small = [b for b in boxes if b["w"] < 24 or b["h"] < 44]
    assert not small, small
    width = page.evaluate("document.documentElement.clientWidth")
    assert all(b["x"] >= 0 and b["x"] + b["w"] <= width for b in boxes)  # nothing off screen
    order = page.evaluate(
        "sel => Array.from(document.querySelectorAll(sel)).map(b => b.textContent.trim())", selector
    )
    assert (
        order
        == [b["text"] for b in boxes]
        == [str(n) for n in range(int(order[0]), int(order[0]) + count)]
    )
    return _rows(boxes)


def _label_ends(page, scope: str) -> tuple[str, str]:
    prefixes = "els => els.map(e => getComputedStyle(e, '::before').content)"
    return tuple(page.eval_on_selector_all(f"{scope} .scale-labels span", prefixes))


@pytest.mark.parametrize("width", [320, 360])
def test_the_nps_buttons_of_the_conversation_are_big_enough_to_tap(
    page, live_server, builtin_forms, width
):
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(f"{live_server}/en/f/nps")
    rows = _check_tappable(page, "#composer .scale-button", 11)
    assert rows == [[str(n) for n in range(6)], [str(n) for n in range(6, 11)]]
    # each label says which end it belongs to, 0 first
    assert _label_ends(page, "#composer") == ('"0 – "', '"10 – "')
    # the keyboard goes 0 → 10
    page.locator("#composer .scale-button").first.focus()
    seen = [page.evaluate("document.activeElement.textContent.trim()")]
    for _ in range(10):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert seen == [str(n) for n in range(11)]


def test_on_a_desk_the_nps_scale_is_one_row(page, live_server, builtin_forms):
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server}/en/f/nps")
    assert _rows(page.evaluate(BOXES, "#composer .scale-button")) == [[str(n) for n in range(11)]]
    assert _label_ends(page, "#composer") == ("none", "none")


@pytest.mark.parametrize("width", [320, 360])
def test_the_emailed_survey_page_has_buttons_big_enough_to_tap(
    browser, live_server, builtin_forms, width
):
    survey = SurveyInvitation(
        ticket_id=make_ticket().id, form_slug="nps", status=SurveyStatus.SENT, due_at=utcnow()
    )
    db.session.add(survey)
    db.session.commit()
    # Without JavaScript the score link's page asks to confirm; with it, it sends at once and
    # the thanks page offers the scale again to change the answer.
    for javascript in (False, True):
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": 740}
        )
        page = context.new_page()
        page.goto(f"{live_server}/s/{survey.token}/3")
        if javascript:
            page.wait_for_url(f"**/s/{survey.token}")
            page.evaluate("document.querySelector('details').open = true")
        rows = _check_tappable(page, ".scale-button", 11)
        assert rows == [[str(n) for n in range(6)], [str(n) for n in range(6, 11)]]
        assert _label_ends(page, "") == ('"0 – "', '"10 – "')
        context.close()


@pytest.mark.parametrize("width", [320, 360])
def test_the_ces_buttons_are_big_enough_to_tap(page, live_server, app, admin, width):
    publish_form("effort", yaml.safe_dump(CES), admin)
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(f"{live_server}/en/f/effort")
    rows = _check_tappable(page, "#composer .scale-button", 7)
    assert rows == [[str(n) for n in range(1, 8)]]


@pytest.mark.parametrize("width", [320, 360])
def test_the_widgets_nps_buttons_are_big_enough_to_tap(page, live_server, builtin_forms, width):
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(f"{live_server}/widget/demo?lang=en")
    page.get_by_role("button", name="Feedback").click()
    frame = page.wait_for_selector("iframe[title=Feedback]").content_frame()
    frame.wait_for_selector("#composer .scale-button")
    # The buttons are in the DOM before the frame's stylesheets apply; measure once it has loaded.
    frame.wait_for_load_state("load")
    rows = _check_tappable(frame, "#composer .scale-button", 11)
    assert rows == [[str(n) for n in range(6)], [str(n) for n in range(6, 11)]]


def _survey_mail(app, count: int) -> str:
    from webapp.outbox import queue_email

    ticket = make_ticket()
    low = 0 if count == 11 else 1
    context = {
        "ticket": ticket,
        "number": ticket.number,
        "name": "Ana",
        "question": "How likely are you to recommend us?",
        "low_label": "Not at all likely",
        "high_label": "Extremely likely",
        "scores": [
            {"value": n, "url": f"http://loopdesk.test/s/x/{n}"} for n in range(low, low + count)
        ],
        "unsubscribe_url": "http://loopdesk.test/unsubscribe/x",
    }
    with app.test_request_context():
        return queue_email("ana@example.com", "survey_invitation", "en", context).body_html


@pytest.mark.parametrize("width", [320, 360])
def test_the_survey_emails_score_links_are_big_enough_to_tap(browser, app, builtin_forms, width):
    """The e-mail's 0-10 were table cells 20 px wide at 360 px (16 at 320)."""
    html = _survey_mail(app, 11)
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    page.set_content(html)
    rows = _check_tappable(page, ".scale-links a", 11)
    assert rows == [[str(n) for n in range(6)], [str(n) for n in range(6, 11)]]
    # the end labels still name their numbers
    assert "0 = Not at all likely" in page.inner_text("body")
    assert "10 = Extremely likely" in page.inner_text("body")
    page.set_viewport_size({"width": 1366, "height": 800})  # a desk: one row, as before
    assert _rows(page.evaluate(BOXES, ".scale-links a")) == [[str(n) for n in range(11)]]
    page.set_content(_survey_mail(app, 7))  # CES 1-7 on the phone
    page.set_viewport_size({"width": width, "height": 740})
    _check_tappable(page, ".scale-links a", 7)
    context.close()
