"""The routing rules builder's data operations: what each change makes of the YAML document."""

from pathlib import Path

import pytest

from workflow import routing_rules as rr
from workflow.conditions import evaluate
from workflow.definition import load_definition

SHIPPED = Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml"


@pytest.fixture
def data():
    return rr.read_document(SHIPPED.read_text(encoding="utf-8"))


def names(data):
    return [rule["name"] for rule in rr.rules_of(data)]


def rule(name, clauses, mode="all", **target):
    entry = rr.RuleInput(
        name=name,
        mode=mode,
        clauses=tuple(rr.Clause(*c) for c in clauses),
        target=rr.TargetInput(**target),
    )
    return rr.build_rule(entry, teams={"customer-care", "product-quality"})


def test_the_shipped_document_survives_a_round_trip_and_stays_valid(data):
    text = rr.dump_document(data)
    assert load_definition(text).ok
    again = rr.read_document(text)
    assert again == data
    assert "'on': survey.answered" in text  # the word, not YAML 1.1's boolean true


def test_adding_a_rule_appends_it_in_the_evaluated_format(data):
    new = rule(
        "Enterprise customers",
        [("metadata.plan", "=", "enterprise"), ("answers.score", "<=", "6")],
        team="customer-care",
        priority="urgent",
        labels="vip, enterprise, vip",
        assign="least_loaded",
        watchers="boss@example.com",
    )
    changed = rr.add_rule(data, new)
    assert names(changed)[-1] == "Enterprise customers"
    stored = rr.rules_of(changed)[-1]
    assert stored == {
        "name": "Enterprise customers",
        "when": {
            "all": [
                {"field": "metadata.plan", "op": "=", "value": "enterprise"},
                {"field": "answers.score", "op": "<=", "value": 6},
            ]
        },
        "set": {
            "team": "customer-care",
            "priority": "urgent",
            "labels": ["vip", "enterprise"],
            "assign": "least_loaded",
            "watchers": ["boss@example.com"],
        },
    }
    assert evaluate(stored["when"], {"metadata": {"plan": "Enterprise"}, "answers": {"score": "3"}})
    result = load_definition(rr.dump_document(changed))
    assert result.ok and result.definition.rules[-1].target.priority == "urgent"
    assert names(data)[-1] != "Enterprise customers"  # the input is never changed


def test_one_comparison_is_stored_flat_and_lists_for_in(data):
    single = rule("Polish", [("locale", "in", "pl, ru")], team="customer-care")
    assert single["when"] == {"field": "locale", "op": "in", "value": ["pl", "ru"]}
    exists = rule("Has a comment", [("answers.what_went_wrong", "exists", "")])
    assert exists["when"] == {"field": "answers.what_went_wrong", "op": "exists"}
    missing = rule("No comment", [("answers.what_went_wrong", "exists", "no")])
    assert missing["when"]["value"] is False
    any_of = rule("Either", [("locale", "=", "sl"), ("channel", "=", "widget")], mode="any")
    assert list(any_of["when"]) == ["any"]


def test_move_reorder_and_remove(data):
    first, second, third = names(data)
    assert names(rr.move_rule(data, 2, -1)) == [first, third, second]
    assert names(rr.move_rule(data, 0, -1)) == [first, second, third]  # already first
    assert names(rr.move_rule(data, 0, 1)) == [second, first, third]
    assert names(rr.reorder_rules(data, [2, 0, 1])) == [third, first, second]
    assert names(rr.remove_rule(data, 1)) == [first, third]
    with pytest.raises(ValueError):
        rr.reorder_rules(data, [0, 0, 1])
    with pytest.raises(IndexError):
        rr.remove_rule(data, 7)


def test_replacing_a_rule_and_the_default(data):
    changed = rr.replace_rule(data, 1, rule("Bugs", [("form", "=", "report-problem")]))
    assert rr.rules_of(changed)[1]["set"] == {"assign": "manual"}
    default = rr.build_target(rr.TargetInput(team="product-quality", assign="round_robin"))
    changed = rr.set_default(changed, default)
    assert rr.default_of(changed) == {"team": "product-quality", "assign": "round_robin"}
    assert list(changed["routing"]) == ["rules", "default"]
    assert load_definition(rr.dump_document(changed)).ok


@pytest.mark.parametrize(
    "clauses, target, code",
    [
        ([], {}, "no_condition"),
        ([("locale", "like", "pl")], {}, "bad_operator"),
        ([("locale; drop", "=", "pl")], {}, "bad_field"),
        ([("", "=", "pl")], {}, "no_field"),
        ([("locale", "=", "")], {}, "no_value"),
        ([("locale", "in", " , ")], {}, "no_list"),
        ([("locale", "=", "x" * 600)], {}, "value_too_long"),
        ([("locale", "=", "pl")] * 25, {}, "too_many_clauses"),
        ([("answers.score", "<=", "six")], {}, "not_a_number"),
        ([("answers.visit", ">=", "2025-02-30")], {}, "not_a_number"),
        ([("locale", "=", "pl")], {"team": "nobody-here"}, "unknown_team"),
        ([("locale", "=", "pl")], {"priority": "asap"}, "bad_priority"),
        ([("locale", "=", "pl")], {"assign": "random"}, "bad_strategy"),
        ([("locale", "=", "pl")], {"watchers": "not an address"}, "bad_watchers"),
    ],
)
def test_builder_input_that_makes_no_rule_is_refused_with_a_code(clauses, target, code):
    with pytest.raises(rr.RuleInputError) as refused:
        rule("A rule", clauses, **target)
    assert code in [c for _, c, _ in refused.value.problems]


def test_a_rule_without_a_name_is_refused():
    with pytest.raises(rr.RuleInputError) as refused:
        rule("  ", [("locale", "=", "pl")])
    assert refused.value.problems[0][:2] == ("name", "no_name")


def test_stored_rules_read_back_into_the_builder(data):
    entry, form = rr.rule_input(rr.rules_of(data)[0])
    assert (entry.mode, form.complex) == ("any", False)
    assert entry.clauses == (
        rr.Clause("score.category", "=", "detractor"),
        rr.Clause("answers.csat", "<=", "2"),
    )
    assert entry.target.labels == "detractor" and entry.target.assign == "least_loaded"
    nested = {"all": [{"not": {"field": "locale", "op": "=", "value": "pl"}}]}
    assert rr.condition_form(nested).complex
    assert rr.condition_form({"field": "locale", "op": "in", "value": ["pl", "ru"]}).clauses == (
        rr.Clause("locale", "in", "pl, ru"),
    )


def test_describe_condition_reads_like_the_rule():
    condition = {
        "any": [
            {"field": "score.category", "op": "=", "value": "detractor"},
            {
                "all": [
                    {"field": "locale", "op": "in", "value": ["pl", "ru"]},
                    {"field": "x", "op": "exists"},
                ]
            },
        ]
    }
    assert rr.describe_condition(condition) == (
        "score.category = detractor or (locale in [pl, ru] and x exists)"
    )


@pytest.mark.parametrize(
    "text",
    ["routing: [1, 2]\n", "- just\n- a list\n", "a: [unclosed\n", "routing:\n  rules: nope\n"],
)
def test_documents_that_cannot_be_edited_as_data_say_why(text):
    with pytest.raises(rr.DocumentError):
        rr.read_document(text)


def test_an_empty_document_gets_a_routing_section():
    changed = rr.add_rule(rr.read_document(""), {"name": "x", "when": None, "set": {}})
    assert changed["routing"] == {"rules": [{"name": "x", "when": None, "set": {}}], "default": {}}


def test_comparisons_that_order_take_numbers_and_dates_and_still_match():
    made = rule("Unhappy", [("answers.score", "<=", "6"), ("answers.visit", ">=", "2025-01-31")])
    assert made["when"] == {
        "all": [
            {"field": "answers.score", "op": "<=", "value": 6},
            {"field": "answers.visit", "op": ">=", "value": "2025-01-31"},
        ]
    }
    assert evaluate(made["when"], {"answers": {"score": "3", "visit": "2025-03-01"}})


def test_answers_no_form_asks_are_named_with_the_nearest_real_question():
    condition = {
        "any": [
            {"field": "answers.scroe", "op": "<=", "value": 6},
            {"not": {"field": "answers.refund_reason", "op": "exists"}},
            {"field": "answers.score.value", "op": ">", "value": 1},
            {"field": "metadata.scroe", "op": "=", "value": "x"},
        ]
    }
    problems = rr.unknown_questions(condition, {"score", "email", "what_went_wrong"})
    assert [str(p) for p in problems] == [
        "when.any[0].field: no form has a question “scroe” (did you mean “score”?)",
        "when.any[1].not.field: no form has a question “refund_reason”",
    ]
    assert rr.unknown_questions({"all": "junk"}, set()) == []
    assert rr.unknown_questions(None, set()) == []


# -- writing back only the routing section ----------------------------------------------------

COMMENTED = """\
# Our lifecycle. Ask Ola before changing states.
initial: open
states:
  open: {label: Open, category: open}  # new tickets land here
  done: {label: Done, category: resolved, final: true}
# the one way out
transitions:
  - {trigger: finish, source: open, dest: done}

routing:
  # why we route this way: lost when the builder rewrites the section
  rules:
    - name: Polish
      when: {field: locale, op: "=", value: pl}
      set: {team: customer-care}
  default:
    team: customer-care

# automations come last
automations: []
# end of file
"""


def _outside_routing(text):
    start = text.index("routing:")
    return text[:start], text[text.index("\n# automations") :]


def test_a_routing_change_keeps_every_byte_outside_the_section():
    data = rr.read_document(COMMENTED)
    changed = rr.add_rule(data, rule("Slovenian", [("locale", "=", "sl")], team="product-quality"))
    text = rr.write_routing(COMMENTED, changed)
    assert _outside_routing(text) == _outside_routing(COMMENTED)
    assert rr.read_document(text) == changed
    assert load_definition(text).ok
    assert "Slovenian" in text and "ask ola" in text.lower() and "# end of file" in text


def test_the_shipped_document_keeps_its_comments_through_a_routing_change(data):
    original = SHIPPED.read_text(encoding="utf-8")
    text = rr.write_routing(original, rr.remove_rule(data, 0))
    kept = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert all(line in text.splitlines() for line in kept)
    assert names(rr.read_document(text)) == names(data)[1:]
    assert load_definition(text).ok


@pytest.mark.parametrize(
    "ending",
    [
        "  default:\n    team: customer-care",
        "  default:\n    team: customer-care\n",
        "  default:\n",
    ],
)
def test_a_section_at_the_very_end_is_replaced_whatever_its_last_line(ending):
    head = "# head\ninitial: open\nrouting:\n  rules: []\n"
    text = rr.write_routing(
        head + ending, {"initial": "open", "routing": {"rules": [], "default": {"team": "x"}}}
    )
    assert text.startswith("# head\ninitial: open\nrouting:\n")
    assert rr.read_document(text)["routing"]["default"] == {"team": "x"}


def test_windows_line_endings_stay_windows_line_endings():
    text = "a: 1\r\nrouting:\r\n  rules: []\r\n# c\r\ny: 2\r\n"
    changed = rr.set_default(rr.read_document(text), {"team": "q"})
    written = rr.write_routing(text, changed)
    assert (
        written == "a: 1\r\nrouting:\r\n  rules: []\r\n  default:\r\n    team: q\r\n# c\r\ny: 2\r\n"
    )


def test_a_document_without_routing_gets_the_section_appended():
    text = rr.write_routing("# mine\ninitial: open", {"initial": "open", "routing": {"rules": []}})
    assert text == "# mine\ninitial: open\nrouting:\n  rules: []\n"


@pytest.mark.parametrize(
    "text",
    [
        "# flow style\n{initial: open, routing: {rules: []}}\n",
        "# twice\ninitial: open\nrouting: {rules: []}\nrouting: {rules: []}\n",
        "# ends the document\ninitial: open\n...\n",
    ],
)
def test_when_the_section_cannot_be_cut_out_the_whole_document_is_written(text):
    changed = {"initial": "open", "routing": {"rules": [], "default": {"team": "x"}}}
    written = rr.write_routing(text, changed)
    assert written == rr.dump_document(changed)


def _rule(name, value="x", team="care"):
    return {
        "name": name,
        "when": {"field": "locale", "op": "=", "value": value},
        "set": {"team": team},
    }


def test_rule_changes_match_rules_by_name_then_content_then_place():
    a, b, c = _rule("A"), _rule("B"), _rule("C")
    edited = rr.rule_changes([a, b, c], [a, _rule("B", "y"), c])
    assert (edited.added, edited.removed, edited.changed) == ((), (), ((1, 1),))
    assert not edited.reordered
    removed = rr.rule_changes([a, b, c], [a, c])
    assert (removed.removed, removed.changed, removed.reordered) == ((1,), (), False)
    added = rr.rule_changes([a, b], [a, b, c])
    assert (added.added, added.changed, added.reordered) == ((2,), (), False)
    moved = rr.rule_changes([a, b, c], [a, c, b])
    assert moved.reordered and moved.changed == () and moved.kept == ((0, 0), (2, 1), (1, 2))
    renamed = rr.rule_changes([a, b, c], [a, _rule("Bee", "y"), c])
    assert (renamed.added, renamed.removed, renamed.changed) == ((), (), ((1, 1),))
    unnamed = {"when": {"field": "locale", "op": "=", "value": "sl"}, "set": {"team": "q"}}
    shifted = rr.rule_changes([unnamed, a], [a, unnamed])
    assert shifted.reordered and shifted.changed == ()


KEPT = """\
routing:
  # the order matters: first match wins
  rules:
    # Care asked for this one
    - name: Polish
      when: {field: locale, op: "=", value: pl}  # Polish only, not Slovenian
      set: {team: customer-care}

    # the product team's
    - name: Bugs
      when: {field: form, op: "=", value: report-problem}
      set: {team: product-quality}
  # everything else
  default:
    team: customer-care  # the front line
automations: []
"""


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def test_a_routing_change_keeps_the_comments_of_what_it_did_not_change():
    data = rr.read_document(KEPT)
    every = comments(KEPT)
    moved = rr.write_routing(KEPT, rr.move_rule(data, 1, -1))
    assert sorted(comments(moved)) == sorted(every)
    assert rr.read_document(moved) == rr.move_rule(data, 1, -1)
    assert (
        moved.index("# the product team's")
        < moved.index("- name: Bugs")
        < moved.index("# Care asked")
    )
    added = rr.add_rule(data, rule("Slovenian", [("locale", "=", "sl")], team="product-quality"))
    assert comments(rr.write_routing(KEPT, added)) == every
    removed = rr.write_routing(KEPT, rr.remove_rule(data, 1))
    assert comments(removed) == [c for c in every if c != "the product team's"]


def test_a_changed_rule_loses_only_the_comments_inside_it_and_they_are_said_before():
    data = rr.read_document(KEPT)
    line = KEPT.splitlines().index(
        '      when: {field: locale, op: "=", value: pl}  # Polish only, not Slovenian'
    )
    assert rr.dropped_comments(KEPT, rule=0) == [line + 1]
    assert rr.dropped_comments(KEPT, rule=1) == [] == rr.dropped_comments(KEPT)
    changed = rr.replace_rule(data, 0, rule("Polish", [("locale", "in", "pl, sl")]))
    text = rr.write_routing(KEPT, changed)
    assert rr.read_document(text) == changed
    assert comments(text) == [c for c in comments(KEPT) if c != "Polish only, not Slovenian"]
    default = rr.write_routing(KEPT, rr.set_default(data, {"team": "product-quality"}))
    assert "the front line" not in default and "# everything else" in default
    assert rr.dropped_comments(KEPT, default=True) == [len(KEPT.splitlines()) - 1]


def test_without_rules_left_the_list_is_written_empty_and_the_rest_kept():
    data = rr.read_document(KEPT)
    text = rr.write_routing(KEPT, rr.remove_rule(rr.remove_rule(data, 0), 0))
    assert "  rules: []\n" in text
    assert comments(text) == [
        "the order matters: first match wins",
        "everything else",
        "the front line",
    ]


def test_windows_line_endings_stay_when_a_rule_is_rewritten():
    text = KEPT.replace("\n", "\r\n")
    data = rr.read_document(text)
    written = rr.write_routing(text, rr.replace_rule(data, 1, rule("Bugs", [("form", "=", "x")])))
    assert "\n" not in written.replace("\r\n", "") and "# the product team's" in written


def test_the_comments_a_routing_save_drops_are_named_by_line():
    assert rr.dropped_comments(COMMENTED) == []  # rewritten rule by rule: all kept
    assert rr.dropped_comments(SHIPPED.read_text(encoding="utf-8")) == []
    hashes = 'routing:\n  rules: [{name: "#1", when: {field: a#b, op: exists}}]  # one\n'
    assert rr.dropped_comments(hashes) == [2]  # flow style: the section is written anew
    assert rr.dropped_comments("# mine\ninitial: open\n") == []  # no routing: appended


@pytest.mark.parametrize(
    "text",
    [
        "# flow style\n{initial: open, routing: {rules: []}}\n",
        "# twice\ninitial: open\nrouting: {rules: []}\nrouting: {rules: []}\n",
    ],
)
def test_when_the_whole_document_is_rewritten_all_its_comments_are_named(text):
    assert rr.dropped_comments(text) == [1]
