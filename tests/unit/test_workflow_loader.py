"""The loader reports every problem with its path, and the shipped definitions are valid."""

import copy
from pathlib import Path

import pytest
import yaml

from workflow.definition import load_definition, parse_definition
from workflow.team_references import teams_written

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflow" / "definitions"
DEFAULT_TEXT = (DEFINITIONS / "default.yaml").read_text(encoding="utf-8")
DEFAULT = yaml.safe_load(DEFAULT_TEXT)


def problems_of(data) -> list[str]:
    definition, problems = parse_definition(data)
    assert definition is None or not problems
    return [str(p) for p in problems]


def test_shipped_definitions_load_cleanly():
    for name in ("default.yaml", "tasks.yaml"):
        result = load_definition((DEFINITIONS / name).read_text(encoding="utf-8"))
        assert result.problems == ()
        assert result.ok


def test_default_lifecycle_shape():
    definition = load_definition(DEFAULT_TEXT).definition
    assert list(definition.states) == [
        "new",
        "assigned",
        "in_progress",
        "waiting_on_customer",
        "resolved",
        "closed",
    ]
    assert definition.states["waiting_on_customer"].clock == "paused"
    assert definition.states["resolved"].clock == "stopped"
    assert definition.states["in_progress"].label("pl") == "W toku"
    assert definition.states["closed"].final
    reopen = next(t for t in definition.transitions if t.trigger == "reopen")
    assert set(reopen.sources) == {"resolved", "closed"}
    assert {p.name for p in definition.policies} >= {"urgent", "high", "standard"}
    assert {slug for _, slug in teams_written(DEFAULT)} == {"customer-care", "product-quality"}


def edit(change) -> dict:
    data = copy.deepcopy(DEFAULT)
    change(data)
    return data


def test_unknown_destination_state():
    data = edit(lambda d: d["transitions"][3].update(dest="reslved"))
    assert "transitions[3].dest: unknown state 'reslved'" in problems_of(data)


def test_unreachable_state():
    data = edit(lambda d: d["states"].update(archived={"label": {"en": "Archived"}, "final": True}))
    assert "states.archived: unreachable from 'new'" in problems_of(data)


def test_dead_end_state():
    def change(d):
        d["transitions"] = [
            t
            for t in d["transitions"]
            if "in_progress"
            not in (t["source"] if isinstance(t["source"], list) else [t["source"]])
        ]

    assert "states.in_progress: no way out and not final" in problems_of(edit(change))


def test_bad_duration():
    data = edit(lambda d: d["sla"]["policies"][1].update(resolution="4 hours"))
    assert (
        "sla.policies[1].resolution: '4 hours' is not a duration (use 30m, 4h, 2d)"
        in problems_of(data)
    )


def test_unknown_guard_and_action_and_role():
    def change(d):
        d["transitions"][0]["guards"] = ["is_vip"]
        d["transitions"][0]["after"] = [{"send_fax": "x"}]
        d["transitions"][0]["roles"] = ["agent", "boss"]

    problems = problems_of(edit(change))
    assert any(p.startswith("transitions[0].guards: unknown guard 'is_vip'") for p in problems)
    assert any(p.startswith("transitions[0].after[0]: unknown action 'send_fax'") for p in problems)
    assert any(p.startswith("transitions[0].roles: unknown role 'boss'") for p in problems)


def test_action_parameters_are_checked():
    data = edit(
        lambda d: d["states"]["resolved"].update(
            on_enter=[{"schedule_survey": {"form": "csat", "after": "soon"}}]
        )
    )
    assert any("schedule_survey after: 'soon' is not a duration" in p for p in problems_of(data))


def test_calendar_without_working_hours():
    data = edit(
        lambda d: d["sla"]["calendars"].update(
            empty={"timezone": "Europe/Warsaw", "weekly_hours": {}}
        )
    )
    assert any(
        p.startswith("sla.calendars.empty.weekly_hours: no working hours")
        for p in problems_of(data)
    )


def test_shipped_calendars_have_labels_and_a_label_in_an_unknown_language_is_a_problem():
    definition = load_definition(DEFAULT_TEXT).definition
    assert definition.calendars["warsaw_office"].label("pl") == "Biuro w Warszawie"
    assert definition.calendars["ljubljana_office"].label("sl") == "Pisarna v Ljubljani"
    data = edit(lambda d: d["sla"]["calendars"]["warsaw_office"].update(label={"de": "Büro"}))
    assert any(
        p.startswith("sla.calendars.warsaw_office.label.de: unknown language")
        for p in problems_of(data)
    )


def test_unknown_calendar_and_bad_warn_at():
    def change(d):
        d["sla"]["policies"][0]["calendar"] = "moon_base"
        d["sla"]["policies"][0]["warn_at"] = "150%"

    problems = problems_of(edit(change))
    assert (
        "sla.policies[0].calendar: unknown calendar 'moon_base': name one of the calendars "
        "(warsaw_office, ljubljana_office, around_the_clock) or add it under sla.calendars"
    ) in problems
    assert "sla.policies[0].warn_at: '150%' is not a share of the target (use e.g. 75%)" in problems


def test_a_calendar_is_named_once_however_many_policies_use_it():
    # renamed under sla.calendars, not in the policies: one problem, naming every policy
    problems = problems_of(
        edit(
            lambda d: d["sla"]["calendars"].update(
                office=d["sla"]["calendars"].pop("warsaw_office")
            )
        )
    )
    calendar_problems = [p for p in problems if "calendar" in p]
    assert calendar_problems == [
        "sla.policies[1].calendar: unknown calendar 'warsaw_office', named by the policies "
        "high, standard: name one of the calendars (ljubljana_office, around_the_clock, office) "
        "or add it under sla.calendars"
    ]


def test_a_calendar_with_problems_is_not_called_unknown_by_its_policies():
    data = edit(lambda d: d["sla"]["calendars"]["warsaw_office"].update(timezone="Mars/Base"))
    assert [p for p in problems_of(data) if "calendar" in p] == [
        "sla.calendars.warsaw_office.timezone: unknown timezone 'Mars/Base'"
    ]


def test_policies_without_any_calendar_are_told_once_to_add_one():
    def change(d):
        del d["sla"]["calendars"]
        for policy in d["sla"]["policies"]:
            policy.pop("calendar", None)

    assert [p for p in problems_of(edit(change)) if "calendar" in p] == [
        "sla.policies: the policies need a business calendar: add one under sla.calendars"
    ]


def test_routing_problems():
    def change(d):
        d["routing"]["rules"][0]["set"]["priority"] = "asap"
        d["routing"]["rules"][0]["set"]["assign"] = "coin_flip"
        d["routing"]["rules"][1]["when"] = {"field": "form", "op": "like", "value": "x"}

    problems = problems_of(edit(change))
    assert any(
        p.startswith("routing.rules[0].set.priority: 'asap' is not a priority") for p in problems
    )
    assert any(
        p.startswith("routing.rules[0].set.assign: 'coin_flip' is not a strategy") for p in problems
    )
    assert any(
        p.startswith("routing.rules[1].when.op: 'like' is not an operator") for p in problems
    )


def test_every_problem_is_reported_at_once():
    def change(d):
        d["transitions"][3]["dest"] = "reslved"
        d["sla"]["policies"][1]["resolution"] = "4 hours"
        d["transitions"][0]["guards"] = ["is_vip"]

    assert len(problems_of(edit(change))) >= 3


def test_yaml_syntax_error_gives_line_and_column():
    result = load_definition("states:\n  new: {label: [unclosed\ntransitions: []\n")
    assert not result.ok
    assert "YAML syntax error at line" in str(result.problems[0])
    assert "column" in str(result.problems[0])


def test_problems_carry_their_yaml_line():
    text = DEFAULT_TEXT.replace("dest: resolved", "dest: reslved", 1)
    result = load_definition(text)
    problem = next(p for p in result.problems if "reslved" in p.text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "dest: reslved" in row)
    assert problem.line == line
    assert str(problem).endswith(f"(line {line})")


def test_yaml_aliases_and_oversized_documents_are_refused():
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nstates: *c\n'
    assert "aliases" in str(load_definition(bomb).problems[0])
    huge = "name: x\n" + "# padding\n" * 40000
    assert "larger than" in str(load_definition(huge).problems[0])


@pytest.mark.parametrize("text", ["", "just a string", "- a\n- list"])
def test_documents_that_are_not_mappings(text):
    assert not load_definition(text).ok


def test_overnight_hours_load_and_are_noted_with_their_line():
    text = DEFAULT_TEXT.replace('fri: [["08:00", "16:00"]]', 'fri: [["17:00", "09:00"]]')
    result = load_definition(text)
    assert result.ok  # a night shift is supported, not refused
    [note] = result.notes
    line = text.splitlines().index('        fri: [["17:00", "09:00"]]') + 1
    assert str(note) == (
        "sla.calendars.warsaw_office.weekly_hours.fri[0]: 17:00–09:00 runs past midnight,"
        f" until 09:00 on sat (line {line})"
    )
    assert load_definition(DEFAULT_TEXT).notes == ()
