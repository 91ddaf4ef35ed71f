"""The lifecycle runs on `transitions`: roles, guards, actions, and one machine per definition."""

from pathlib import Path

import pytest

from workflow.definition import load_definition_or_raise
from workflow.engine import CompiledWorkflow, TransitionRefused

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflow" / "definitions"


@pytest.fixture(scope="module")
def tickets() -> CompiledWorkflow:
    return CompiledWorkflow(load_definition_or_raise((DEFINITIONS / "default.yaml").read_text()))


@pytest.fixture(scope="module")
def tasks() -> CompiledWorkflow:
    return CompiledWorkflow(load_definition_or_raise((DEFINITIONS / "tasks.yaml").read_text()))


AGENT, ASSIGNEE, ADMIN = {"agent"}, {"agent", "assignee"}, {"agent", "admin"}
REPLIED = {"assignee_id": 7, "public_reply_count": 1}


def test_a_ticket_goes_through_the_default_lifecycle(tickets):
    state = "new"
    for trigger, roles, dest in [
        ("assign", {"system"}, "assigned"),
        ("start", ASSIGNEE, "in_progress"),
        ("ask_customer", ASSIGNEE, "waiting_on_customer"),
        ("customer_replied", {"customer"}, "in_progress"),
        ("resolve", ASSIGNEE, "resolved"),
        ("close", {"system"}, "closed"),
        ("reopen", {"customer"}, "in_progress"),
    ]:
        move = tickets.fire(state, trigger, roles, REPLIED)
        assert (move.source, move.dest) == (state, dest)
        state = move.dest


def test_moves_return_action_names_without_running_them(tickets):
    move = tickets.fire("in_progress", "resolve", ASSIGNEE, REPLIED)
    names = [a.name for a in move.actions]
    assert names == [
        "notify_customer",
        "schedule_survey",
    ]  # transition `after`, then state `on_enter`


def test_role_is_checked(tickets):
    with pytest.raises(TransitionRefused) as refused:
        tickets.fire("in_progress", "resolve", AGENT, REPLIED)  # an agent who is not the assignee
    assert refused.value.code == "role"
    assert str(refused.value) == "only admin or assignee may do this"
    assert tickets.fire("in_progress", "resolve", ADMIN, REPLIED).dest == "resolved"


def test_guard_is_checked(tickets):
    with pytest.raises(TransitionRefused) as refused:
        tickets.fire("in_progress", "ask_customer", ASSIGNEE, {"public_reply_count": 0})
    assert refused.value.code == "guard"
    assert str(refused.value) == "nobody has replied to the customer yet"
    with pytest.raises(TransitionRefused, match="no assignee"):
        tickets.fire("new", "assign", {"system"}, {})


def test_wrong_state_and_unknown_trigger(tickets):
    with pytest.raises(TransitionRefused) as wrong:
        tickets.fire("new", "close", ADMIN, {})
    assert wrong.value.code == "wrong_state"
    with pytest.raises(TransitionRefused) as unknown:
        tickets.fire("new", "explode", ADMIN, {})
    assert unknown.value.code == "unknown_trigger"


def test_available_triggers_say_what_is_possible_and_why_not(tickets):
    options = {
        o.trigger: o
        for o in tickets.available_triggers("in_progress", AGENT, {"public_reply_count": 0})
    }
    assert set(options) == {"ask_customer", "resolve"}
    assert not options["ask_customer"].allowed
    assert options["ask_customer"].refusal == "nobody has replied to the customer yet"
    assert not options["resolve"].allowed and "assignee" in options["resolve"].refusal
    assert tickets.destinations("in_progress", ASSIGNEE, REPLIED) == {
        "waiting_on_customer": "ask_customer",
        "resolved": "resolve",
    }


def test_one_machine_serves_every_ticket(tickets):
    for _ in range(200):
        tickets.fire("new", "assign", {"system"}, REPLIED)
    assert tickets.machine.models == []  # no model left attached, nothing per ticket


@pytest.mark.parametrize(
    ("state", "trigger", "roles", "dest"),
    [
        ("assigned", "accept", {"assignee"}, "accepted"),
        ("assigned", "decline", {"assignee"}, "declined"),
        ("accepted", "mark_ready", {"assignee"}, "ready"),
        ("ready", "complete", {"agent"}, "completed"),
        ("ready", "send_back", {"agent"}, "accepted"),
        ("declined", "reassign", {"agent"}, "assigned"),
    ],
)
def test_task_machine(tasks, state, trigger, roles, dest):
    assert tasks.fire(state, trigger, roles, {}).dest == dest


def test_only_the_task_assignee_accepts(tasks):
    with pytest.raises(TransitionRefused) as refused:
        tasks.fire("assigned", "accept", {"agent"}, {})
    assert refused.value.code == "role"
    assert tasks.definition.states["completed"].final
