"""Own e-mail texts read naturally when a value such as the customer's name is missing."""

import pytest

from webapp.services.email_placeholders import drop_sentences_without, fill, missing_placeholders

SAMPLE = {"name": "Ana", "number": "LD-7", "agent": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello {name},", "Hello,"),  # en: the space before the comma goes
        ("Dzień dobry, {name},", "Dzień dobry,"),  # pl: no double comma
        ("Здравствуйте, {name}!", "Здравствуйте!"),  # ru: no ", !"
        ("Pozdravljeni, {name},", "Pozdravljeni,"),  # sl
        ("Hi {name}!", "Hi!"),
        ("Thanks, {name}.", "Thanks."),
        ("Dear {name}\nthanks", "Dear\nthanks"),  # line end
        ("Hello {name}", "Hello"),  # end of text
        ("Hi {name} and welcome", "Hi and welcome"),  # no double space mid-sentence
        ("Hello, {name}, welcome", "Hello, welcome"),
        ("{name}, your request", "your request"),  # at the start of a line
        ("Hi\n{name} wrote:", "Hi\nwrote:"),
        ("Hello {name} ,", "Hello,"),
    ],
)
def test_an_empty_value_leaves_no_gap_before_punctuation_or_line_end(text, expected):
    assert fill(text, {**SAMPLE, "name": ""}) == expected


def test_a_blank_value_counts_as_missing():
    assert fill("Hello {name},", {"name": "   "}) == "Hello,"


def test_present_values_and_unknown_tokens_are_untouched():
    assert fill("Hello {name}, {number} {other}", SAMPLE) == "Hello Ana, LD-7 {other}"
    assert fill("Hello {name},", {"name": "{number}"}) == "Hello {number},"  # never re-read


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks.\nYou can expect a reply by {due}.\nBye", "Thanks.\nBye"),
        ("Thanks. We reply by {due}. Bye!", "Thanks. Bye!"),
        ("It reached our team; we reply by {due}.", "It reached our team."),
        ("Hi {name}, we reply by {due}!", ""),  # one sentence: nothing left of the line
    ],
)
def test_only_the_sentence_about_a_missing_value_is_left_out(text, expected):
    assert drop_sentences_without(text, {"due": "", "name": "Ana"}, ["due"]) == expected


def test_sentences_stay_when_the_value_is_there():
    text = "Thanks. We reply by {due}."
    assert drop_sentences_without(text, {"due": "12 May"}, ["due"]) == text


def test_missing_required_placeholders_in_order():
    assert missing_placeholders("Hi {name}", ["link"]) == ["link"]
    assert missing_placeholders("Go: {link}", ["link"]) == []
