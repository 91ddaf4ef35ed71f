"""Translation completeness: which texts are missing in which language, with paths and lines."""

from pathlib import Path

import yaml

from survey_forms.definition import MAX_FORM_BYTES
from survey_forms.translation_check import LanguageCompleteness, check_translations
from workflow.yaml_documents import read_yaml

FORM = """\
slug: shop
title: {en: "Feedback", pl: "Opinia"}
languages: [en, pl, sl]
bot_name: "Robin"
intro: {en: "Hi!", pl: "Cześć!", sl: "Živjo!"}
questions:
  - id: score
    type: csat
    text: {en: "How was it?", pl: "Jak było?", sl: "  "}
    help: {en: "Be honest"}
    labels: {low: {en: "Bad", pl: "Źle", sl: "Slabo"}}
  - id: topic
    type: single_choice
    text: {en: "About?", pl: "O czym?", sl: "O čem?"}
    choices:
      - {value: a, label: {en: "Delivery", pl: "Dostawa", sl: "Dostava"}}
      - {value: b, label: {en: "Price", sl: "Cena"}}
endings:
  - text: {en: "Thanks!", pl: "Dzięki!"}
"""


def _by_language(report):
    return {lang.language: lang for lang in report.languages}


def test_each_language_lists_its_missing_texts_with_paths_and_a_percentage():
    langs = _by_language(check_translations(yaml.safe_load(FORM)))
    assert list(langs) == ["en", "pl", "sl"]
    # 10 texts: title, bot_name, intro, 2 question texts, help, labels.low, 2 labels, ending
    assert {lang.total for lang in langs.values()} == {10}
    assert langs["en"].missing == () and langs["en"].percent == 100
    assert [m.path for m in langs["pl"].missing] == [
        "bot_name",
        "questions[0].help",
        "questions[1].choices[1].label",
    ]
    assert langs["pl"].percent == 70 and langs["sl"].percent == 50
    assert [m.path for m in langs["sl"].missing] == [
        "title",
        "bot_name",
        "questions[0].text",  # blank counts as missing
        "questions[0].help",
        "endings[0].text",
    ]
    assert langs["sl"].missing[0].source == "Feedback"  # shown in the default language


def test_a_plain_string_is_the_default_language_only():
    report = check_translations({"languages": ["pl", "en"], "title": "Opinia"})
    langs = _by_language(report)
    assert report.default_language == "pl"
    assert langs["pl"].percent == 100 and [m.path for m in langs["en"].missing] == ["title"]
    assert not report.complete


def test_lines_come_from_the_yaml_reader():
    document = read_yaml(FORM, MAX_FORM_BYTES)
    langs = _by_language(check_translations(document.data, document.lines))
    assert {m.path: m.line for m in langs["pl"].missing}["questions[0].help"] == 10


def test_malformed_parts_are_skipped_and_a_non_form_gives_none():
    assert check_translations(["not", "a", "form"]) is None
    report = check_translations({"questions": ["oops", {"text": 3}], "endings": "x"})
    assert _by_language(report)["en"].total == 0 and report.complete
    assert _by_language(report)["en"].percent == 100


def test_the_built_in_forms_are_completely_translated_except_optional_placeholders():
    for path in Path("survey_forms/templates").glob("*.yaml"):
        report = check_translations(yaml.safe_load(path.read_text(encoding="utf-8")))
        for lang in report.languages:
            assert all(".placeholder" in m.path for m in lang.missing), (path, lang)


def test_the_percentage_is_rounded_down_so_almost_is_not_complete():
    assert LanguageCompleteness("pl", 199, 200).percent == 99
    assert LanguageCompleteness("pl", 0, 0).percent == 100
