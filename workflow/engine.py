"""Run a workflow definition on the `transitions` library.

One `Machine` is built per definition (per published version) and shared by
every ticket: a ticket is represented for the duration of one call by a tiny
`_Subject` carrying its state, the actor's roles and the ticket's facts.
Callbacks never have side effects: the engine only decides and returns the
move plus the *names* of the actions to run; the caller changes the row,
records the event and queues the actions, in one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from workflow.definition import ActionRef, TransitionDef, WorkflowDefinition
from workflow.registry import GUARDS


@dataclass(frozen=True)
class Move:
    trigger: str
    source: str
    dest: str
    transition: TransitionDef
    actions: tuple[ActionRef, ...]  # the transition's `after`, then the new state's `on_enter`


@dataclass(frozen=True)
class TriggerOption:
    trigger: str
    dest: str
    transition: TransitionDef
    allowed: bool
    refused: TransitionRefused | None = None  # why not, when not allowed

    @property
    def refusal(self) -> str | None:
        return str(self.refused) if self.refused else None


class TransitionRefused(Exception):
    """The move is not allowed: wrong state, role or a failing guard."""

    def __init__(self, code: str, message: str, detail: str | tuple[str, ...] | None = None):
        super().__init__(message)
        self.code = code  # "unknown_trigger" | "wrong_state" | "role" | "guard"
        self.detail = detail  # the failing guard's name, or the roles that may do it


class _Subject:
    """The machine's model for one call: state plus what the guards may read."""

    def __init__(self, state: str, roles: frozenset[str], facts: Mapping[str, Any]):
        self.state = state
        self.roles = roles
        self.facts = facts
        self.chosen: TransitionDef | None = None


class CompiledWorkflow:
    """A definition plus its `transitions` machine, built once and reused."""

    def __init__(self, definition: WorkflowDefinition):
        self.definition = definition
        self._lock = threading.Lock()
        self.machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            transitions=[self._machine_transition(t) for t in definition.transitions],
            auto_transitions=False,
            send_event=True,
        )
        self._by_trigger: dict[str, list[TransitionDef]] = {}
        for t in definition.transitions:
            self._by_trigger.setdefault(t.trigger, []).append(t)

    @staticmethod
    def _machine_transition(t: TransitionDef) -> dict:
        def allowed(event) -> bool:
            subject: _Subject = event.model
            return bool(t.roles & subject.roles) and all(
                GUARDS[name].check(subject.facts) for name in t.guards
            )

        def remember(event) -> None:
            event.model.chosen = t  # pure bookkeeping: which definition entry fired

        return {
            "trigger": t.trigger,
            "source": list(t.sources),
            "dest": t.dest,
            "conditions": [allowed],
            "before": [remember],
        }

    @property
    def initial(self) -> str:
        return self.definition.initial

    def fire(
        self, state: str, trigger: str, roles: Iterable[str], facts: Mapping[str, Any]
    ) -> Move:
        """Decide a move, or raise `TransitionRefused` saying why not."""
        roles = frozenset(roles)
        candidates = [t for t in self._by_trigger.get(trigger, []) if state in t.sources]
        if trigger not in self._by_trigger:
            raise TransitionRefused("unknown_trigger", f"there is no action '{trigger}'")
        if not candidates:
            raise TransitionRefused("wrong_state", f"'{trigger}' is not possible from '{state}'")
        subject = _Subject(state, roles, facts)
        with self._lock:
            self.machine.add_model(subject, initial=state)
            try:
                moved = subject.trigger(trigger)
            except MachineError as exc:
                raise TransitionRefused("wrong_state", str(exc)) from exc
            finally:
                self.machine.remove_model(subject)
        if not moved or subject.chosen is None:
            raise self._refusal(candidates, roles, facts)
        chosen = subject.chosen
        dest_state = self.definition.states[chosen.dest]
        actions = chosen.after + (dest_state.on_enter if chosen.dest != state else ())
        return Move(trigger, state, chosen.dest, chosen, actions)

    def available_triggers(
        self, state: str, roles: Iterable[str], facts: Mapping[str, Any]
    ) -> list[TriggerOption]:
        """Every move defined from `state`, each saying whether this actor may make it now."""
        roles = frozenset(roles)
        options: list[TriggerOption] = []
        seen: set[str] = set()
        for t in self.definition.transitions:
            if state not in t.sources or t.trigger in seen:
                continue
            group = [x for x in self._by_trigger[t.trigger] if state in x.sources]
            winner = next((x for x in group if _passes(x, roles, facts)), None)
            seen.add(t.trigger)
            if winner:
                options.append(TriggerOption(t.trigger, winner.dest, winner, True))
            else:
                options.append(
                    TriggerOption(t.trigger, t.dest, t, False, self._refusal(group, roles, facts))
                )
        return options

    def destinations(
        self, state: str, roles: Iterable[str], facts: Mapping[str, Any]
    ) -> dict[str, str]:
        """Allowed destination state → trigger (a board uses this to enable drop columns)."""
        result: dict[str, str] = {}
        for option in self.available_triggers(state, roles, facts):
            if option.allowed:
                result.setdefault(option.dest, option.trigger)
        return result

    @staticmethod
    def _refusal(
        candidates: list[TransitionDef], roles: frozenset[str], facts: Mapping[str, Any]
    ) -> TransitionRefused:
        permitted = [t for t in candidates if t.roles & roles]
        if not permitted:
            needed = sorted(set().union(*(t.roles for t in candidates)))
            # Nobody can become `system` (Loopdesk's own timers): name the people who may.
            needed = [role for role in needed if role != "system"] or needed
            return TransitionRefused(
                "role", f"only {' or '.join(needed)} may do this", tuple(needed)
            )
        for t in permitted:
            for name in t.guards:
                if not GUARDS[name].check(facts):
                    return TransitionRefused("guard", GUARDS[name].refusal, name)
        return TransitionRefused("guard", "not possible now")


def _passes(t: TransitionDef, roles: frozenset[str], facts: Mapping[str, Any]) -> bool:
    return bool(t.roles & roles) and all(GUARDS[name].check(facts) for name in t.guards)
