"""Names and missing translations of workflow states and transitions, read from raw YAML."""

import pytest
import yaml

from survey_forms.translation_check import completeness
from workflow.definition import LANGUAGES, load_definition_or_raise
from workflow.diagram import render_svg
from workflow.labels import label_texts, part_at_line, subject_names, subject_of
from workflow.yaml_documents import read_yaml

DOCUMENT = yaml.safe_load(
    """
initial: new
states:
  new: {label: {en: New, pl: Nowe, ru: Новое, sl: Novo}}
  waiting_on_customer: {label: {en: Waiting on customer, pl: Czeka na klienta}}
  escalated: {label: Escalated}
  on_hold:
transitions:
  - {trigger: customer_replied, source: new, dest: waiting_on_customer,
     label: {en: Customer replied, pl: Klient odpowiedział, ru: Клиент ответил,
             sl: Stranka je odgovorila}}
  - {trigger: escalate, source: new, dest: escalated}
  - not a mapping
"""
)


def test_states_and_transitions_are_named_as_agents_read_them():
    names = subject_names(DOCUMENT, "pl")
    assert names["states.waiting_on_customer"] == "Czeka na klienta"
    assert names["states.escalated"] == "Escalated"  # a plain text is the English label
    assert names["states.on_hold"] == "On hold"  # no label: made from the id, like the loader
    assert names["transitions[0]"] == "Klient odpowiedział"
    assert names["transitions[1]"] == "escalate"
    assert subject_names(DOCUMENT, "ru")["states.waiting_on_customer"] == "Waiting on customer"


def test_a_problem_path_is_matched_to_its_state_or_transition():
    names = subject_names(DOCUMENT, "en")
    assert subject_of("transitions[0].dest", names) == "Customer replied"
    assert subject_of("states.escalated.category", names) == "Escalated"
    assert subject_of("states.escalated", names) == "Escalated"
    assert subject_of("states.escalatedx", names) is None  # a prefix of a name is not a match
    assert subject_of("transitions[10]", names) is None
    assert subject_of("sla.policies[0]", names) is None
    assert subject_names("junk", "en") == {} and list(label_texts(["junk"])) == []


def test_missing_labels_are_listed_per_language():
    report = completeness(label_texts(DOCUMENT), LANGUAGES, "en")
    missing = {lang.language: [m.path for m in lang.missing] for lang in report.languages}
    assert missing["en"] == ["states.on_hold.label", "transitions[1].label"]
    assert missing["pl"] == [
        "states.escalated.label",
        "states.on_hold.label",
        "transitions[1].label",
    ]
    assert missing["sl"] == [
        "states.waiting_on_customer.label",
        "states.escalated.label",
        "states.on_hold.label",
        "transitions[1].label",
    ]
    assert not report.complete


def test_the_diagram_labels_arrows_by_name_and_keeps_the_id_in_the_tooltip():
    definition = load_definition_or_raise(
        """
initial: new
states:
  new: {label: {en: New, pl: Nowe}}
  waiting_on_customer: {label: {en: Waiting on customer, pl: Czeka na klienta}, final: true}
transitions:
  - {trigger: customer_replied, source: new, dest: waiting_on_customer,
     label: {en: Customer replied, pl: Klient odpowiedział}}
"""
    )
    svg = render_svg(definition, locale="pl")
    assert ">Klient odpowiedział</text>" in svg
    assert "<title>Klient odpowiedział (customer_replied): Nowe → Czeka na klienta</title>" in svg
    assert ">customer_replied</text>" not in svg


CALENDARS = yaml.safe_load(
    """
sla:
  calendars:
    warsaw_office:
      label: {en: Warsaw office, pl: Biuro w Warszawie}
      timezone: Europe/Warsaw
    night_desk:
      timezone: UTC
"""
)


def test_calendars_are_named_by_their_label_or_their_id_in_words():
    names = subject_names(CALENDARS, "pl")
    assert names["sla.calendars.warsaw_office"] == "Biuro w Warszawie"
    assert names["sla.calendars.night_desk"] == "Night desk"
    assert subject_of("sla.calendars.warsaw_office.weekly_hours.mon[0]", names) == (
        "Biuro w Warszawie"
    )


def test_a_labelled_calendar_missing_a_language_is_listed_an_unlabelled_one_is_not():
    report = completeness(label_texts(CALENDARS), LANGUAGES, "en")
    missing = {lang.language: [m.path for m in lang.missing] for lang in report.languages}
    assert missing["ru"] == ["sla.calendars.warsaw_office.label"]
    assert missing.get("pl", []) == []


PARTS_TEXT = """\
name: Support
states:
  new: {label: {en: New, pl: Nowe}}
  on_hold:
    category: waiting
transitions:
  - {trigger: hold, source: new, dest: on_hold}
sla:
  calendars:
    warsaw_office:
      label: {en: Warsaw office, pl: Biuro w Warszawie}
      timezone: Europe/Warsaw
  policies:
    - name: high
      first_response: 2h
routing:
  rules:
    - name: Slovenian feedback
      when: {field: locale, op: "=", value: sl}
  default: {team: care}
"""


@pytest.mark.parametrize(
    ("line", "kind", "name"),
    [
        (1, "section", "name"),
        (3, "state", "Nowe"),
        (5, "state", "On hold"),
        (7, "transition", "hold"),
        (12, "calendar", "Biuro w Warszawie"),
        (15, "sla_policy", "high"),
        (19, "routing_rule", "Slovenian feedback"),
        (20, "routing_default", ""),
    ],
)
def test_a_line_is_placed_in_the_part_admins_think_in(line, kind, name):
    document = read_yaml(PARTS_TEXT, 10_000)
    part = part_at_line(document.data, document.lines, line, "pl")
    assert (part.kind, part.name) == (kind, name)


def test_an_unnamed_entry_is_placed_by_its_number_not_named_by_it():
    text = PARTS_TEXT.replace("    - name: Slovenian feedback\n      when:", "    - when:")
    document = read_yaml(text, 10_000)
    line = text.splitlines().index('    - when: {field: locale, op: "=", value: sl}') + 1
    part = part_at_line(document.data, document.lines, line, "pl")
    assert (part.kind, part.name, part.number) == ("routing_rule", "", 1)
