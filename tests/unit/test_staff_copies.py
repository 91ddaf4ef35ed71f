"""Finding a customer's words in a colleague's copy: whole words, any case, escaped HTML."""

from __future__ import annotations

from webapp.erased_text import ERASED
from webapp.services.staff_copies import CustomerWords, Scrubber


def scrubber(*values: str) -> Scrubber:
    words = CustomerWords()
    words.add(*values)
    return Scrubber(words)


def test_whole_words_in_any_case_are_replaced_and_others_stay():
    scrub = scrubber("Ann Lee", "ann.lee@example.com").scrub
    assert scrub("From: ann lee <ANN.LEE@example.com>") == f"From: {ERASED} <{ERASED}>"
    assert scrub("Annual report for Ann Leeds") == "Annual report for Ann Leeds"


def test_a_multi_line_text_is_found_whole_folded_or_line_by_line():
    scrub = scrubber("The box was wet.\nThe shoes are ruined").scrub
    assert scrub("Quote: The box was wet. The shoes are ruined") == f"Quote: {ERASED}"
    assert scrub("<p>The box was wet.<br>\nThe shoes are ruined</p>") == (
        f"<p>{ERASED}<br>\n{ERASED}</p>"
    )


def test_html_is_searched_as_jinja_escapes_it_and_gets_an_escaped_marker():
    scrubber_ = scrubber('Tom "O\'Brien" & Co')
    assert (
        scrubber_.scrub_html("<p>From: Tom &#34;O&#39;Brien&#34; &amp; Co</p>", "<erased>")
        == "<p>From: &lt;erased&gt;</p>"
    )


def test_single_letters_the_marker_and_non_text_are_not_looked_for():
    scrub = scrubber("x", ERASED, "", "  ").scrub
    assert not scrubber("x", ERASED)
    assert scrub("x marks [erased]") == "x marks [erased]"
    words = CustomerWords()
    words.add(None, 5, ["list"])
    assert words.words == set()


def test_json_contexts_are_scrubbed_inside_lists_and_dicts_and_keep_other_values():
    scrubber_ = scrubber("Jane Doe")
    context = {"text": "Call Jane Doe", "to": ["Jane Doe", "Ola"], "n": 3, "d": {"a": "jane doe"}}
    assert scrubber_.scrub_values(context) == {
        "text": f"Call {ERASED}",
        "to": [ERASED, "Ola"],
        "n": 3,
        "d": {"a": ERASED},
    }
