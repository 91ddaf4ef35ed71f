"""Load and validate a workflow definition (YAML) into plain, immutable data.

Every problem is reported, each with its path and, when the YAML gives one,
its line: `transitions[3].dest: unknown state 'reslved'`. Nothing in a
definition is executed; guards and actions are names checked against
`workflow.registry`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.calendars import BusinessCalendar, calendar_problems, overnight_notes
from workflow.durations import Duration, DurationError, parse_duration, wall_clock
from workflow.registry import ACTIONS, EVENTS, GUARDS, PRIORITIES, ROLES
from workflow.yaml_documents import N_, Problem, ProblemCollector, read_yaml

MAX_DEFINITION_BYTES = 256 * 1024
LANGUAGES = ("en", "pl", "ru", "sl")
CATEGORIES = ("open", "waiting", "resolved", "closed")
# Not resolved, not closed: someone still has to look after the ticket. What "open tickets"
# counts everywhere (a resolved ticket waiting for its automatic close is done for the agent).
OPEN_CATEGORIES = ("open", "waiting")
CLOCKS = ("running", "paused", "stopped")
CLOCK_BY_CATEGORY = {
    "open": "running",
    "waiting": "paused",
    "resolved": "stopped",
    "closed": "stopped",
}
STRATEGIES = ("round_robin", "least_loaded", "manual")
ROUTING_FIELDS = {
    "form",
    "locale",
    "channel",
    "answers",
    "score",
    "metadata",
    "customer",
    "priority",
    "team",
    "labels",
    "subject",
}
# Automation rules also read what happened: `event.score`, `event.to_state`, `event.label`…
AUTOMATION_FIELDS = ROUTING_FIELDS | {"event"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_LEVEL = {
    "name",
    "description",
    "initial",
    "states",
    "transitions",
    "sla",
    "routing",
    "automations",
}


@dataclass(frozen=True)
class ActionRef:
    name: str
    param: Any = None


@dataclass(frozen=True)
class StateTimer:
    """What happens once a ticket has been in a state for `after` (wall-clock time): actions,
    a transition fired as the `system` role, or both (actions first)."""

    after: Duration  # days are whole days of 24 hours here, not business days
    do: tuple[ActionRef, ...] = ()
    trigger: str | None = None


@dataclass(frozen=True)
class StateDef:
    name: str
    labels: Mapping[str, str]
    category: str
    clock: str
    on_enter: tuple[ActionRef, ...] = ()
    final: bool = False
    timers: tuple[StateTimer, ...] = ()  # in increasing `after`

    def label(self, locale: str) -> str:
        return self.labels.get(locale) or self.labels.get("en") or self.name.replace("_", " ")

    @property
    def open(self) -> bool:
        """Still someone's work: neither final nor of a resolved or closed category."""
        return not self.final and self.category in OPEN_CATEGORIES


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    after: tuple[ActionRef, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, locale: str) -> str:
        return self.labels.get(locale) or self.labels.get("en") or self.trigger.replace("_", " ")


@dataclass(frozen=True)
class SlaPolicy:
    name: str
    when: Mapping | None
    calendar: str
    first_response: Duration | None
    resolution: Duration | None
    warn_at: float  # fraction of the target, e.g. 0.75
    on_breach: tuple[ActionRef, ...] = ()


@dataclass(frozen=True)
class RouteTarget:
    team: str | None = None
    priority: str | None = None
    labels: tuple[str, ...] = ()
    assign: str = "manual"
    overflow_team: str | None = None
    watchers: tuple[str, ...] = ()


def unnamed_policy_name(index: int) -> str:
    """The name an SLA policy its admin left unnamed gets: 'policy 2' (English, for the CLI).

    Tickets store it in `sla_policy`; pages say it in the reader's language instead
    (`routing_reasons.policy_title`).
    """
    return f"policy {index + 1}"


def unnamed_rule_name(index: int) -> str:
    """The name a routing rule its admin left unnamed gets: 'rule 2' (English, for the CLI).

    Pages say it in the reader's language instead (`routing_reasons.rule_title`).
    """
    return f"rule {index + 1}"


@dataclass(frozen=True)
class RoutingRule:
    name: str
    when: Mapping | None
    target: RouteTarget


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    initial: str
    states: Mapping[str, StateDef]
    transitions: tuple[TransitionDef, ...]
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    policies: tuple[SlaPolicy, ...] = ()
    rules: tuple[RoutingRule, ...] = ()
    default_route: RouteTarget = RouteTarget()
    automations: tuple[Mapping, ...] = ()


@dataclass(frozen=True)
class LoadResult:
    definition: WorkflowDefinition | None
    problems: tuple[Problem, ...]
    # Worth a second look but valid, e.g. working hours that run past midnight.
    notes: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.problems


class WorkflowError(ValueError):
    """A definition that does not load; `problems` lists why."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_definition(text: str) -> LoadResult:
    """Parse YAML text and validate it; never raises on bad input."""
    document = read_yaml(text, MAX_DEFINITION_BYTES)
    if isinstance(document, Problem):
        return LoadResult(None, (document,))
    definition, problems = parse_definition(document.data)
    located = document.repeated_keys + document.locate(problems)
    notes = document.locate(definition_notes(document.data))
    return LoadResult(definition if not located else None, located, notes)


def definition_notes(data: Any) -> list[Problem]:
    """What a valid definition does that may not be meant: night shifts in calendars."""
    sla = data.get("sla") if isinstance(data, Mapping) else None
    calendars = sla.get("calendars") if isinstance(sla, Mapping) else None
    notes: list[Problem] = []
    for name, spec in calendars.items() if isinstance(calendars, Mapping) else ():
        for note in overnight_notes(spec):
            notes.append(
                Problem(f"sla.calendars.{name}.{note.path}", note.message, params=note.params)
            )
    return notes


def load_definition_or_raise(text: str) -> WorkflowDefinition:
    result = load_definition(text)
    if not result.ok:
        raise WorkflowError(result.problems)
    return result.definition


def parse_definition(data: Any) -> tuple[WorkflowDefinition | None, list[Problem]]:
    """Validate already-parsed data; returns the definition only when there is no problem."""
    if not isinstance(data, Mapping):
        return None, [Problem("", N_("the document must be a mapping with states and transitions"))]
    checker = _Checker()
    definition = checker.check(data)
    return (definition if not checker.problems else None), checker.problems


class _Checker(ProblemCollector):
    def __init__(self) -> None:
        super().__init__()
        # (state, path, trigger) of each timer's trigger, checked once transitions are read
        self._timer_triggers: list[tuple[str, str, str]] = []
        # every calendar written under sla.calendars, the ones with problems too
        self._calendar_names: list[str] = []

    # -- top level -------------------------------------------------------
    def check(self, data: Mapping) -> WorkflowDefinition:
        self.unknown_keys(data, "", _TOP_LEVEL, noun="section")
        states = self.states(data.get("states"))
        initial = data.get("initial") or (next(iter(states)) if states else "")
        if not _names_one(initial):
            self.add("initial", N_("must be the name of a state"))
            initial = ""
        elif states and initial not in states:
            self.add("initial", N_("unknown state '%(state)s'"), state=initial)
        transitions = self.transitions(data.get("transitions"), states)
        if states and initial in states:
            self.graph(states, transitions, initial)
        self.timer_triggers(transitions)
        sla = data.get("sla") or {}
        if not isinstance(sla, Mapping):
            self.add("sla", N_("must be a mapping with calendars and policies"))
            sla = {}
        calendars = self.calendars(sla.get("calendars"))
        policies = self.policies(sla.get("policies"), calendars)
        routing = data.get("routing") or {}
        if not isinstance(routing, Mapping):
            self.add("routing", N_("must be a mapping with rules and a default"))
            routing = {}
        rules = self.rules(routing.get("rules"))
        default = self.target(routing.get("default") or {}, "routing.default")
        automations = self.automations(data.get("automations"))
        return WorkflowDefinition(
            name=str(data.get("name") or "workflow"),
            initial=initial,
            states=states,
            transitions=tuple(transitions),
            calendars=calendars,
            policies=tuple(policies),
            rules=tuple(rules),
            default_route=default,
            automations=tuple(automations),
        )

    # -- states and transitions -----------------------------------------
    def states(self, raw: Any) -> dict[str, StateDef]:
        if not isinstance(raw, Mapping) or not raw:
            self.add("states", N_("must list at least one state"))
            return {}
        states = {}
        for name, spec in raw.items():
            path = f"states.{name}"
            if not isinstance(name, str) or not _NAME.match(name):
                self.add(path, N_("a state name uses lowercase letters, digits and _"))
                continue
            spec = spec or {}
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping (label, category, …)"))
                continue
            self.unknown_keys(
                spec, path, {"label", "category", "clock", "on_enter", "final", "timers"}
            )
            category = spec.get("category", "open")
            if category not in CATEGORIES:
                self.add(
                    f"{path}.category",
                    N_("'%(category)s' is not a category (use %(categories)s)"),
                    category=category,
                    categories=", ".join(CATEGORIES),
                )
                category = "open"
            clock = spec.get("clock", CLOCK_BY_CATEGORY[category])
            if clock not in CLOCKS:
                self.add(
                    f"{path}.clock",
                    N_("'%(clock)s' is not a clock setting (use %(clocks)s)"),
                    clock=clock,
                    clocks=", ".join(CLOCKS),
                )
                clock = CLOCK_BY_CATEGORY[category]
            states[name] = StateDef(
                name=name,
                labels=self.labels(spec.get("label"), f"{path}.label", name),
                category=category,
                clock=clock,
                on_enter=self.actions(spec.get("on_enter"), f"{path}.on_enter"),
                final=bool(spec.get("final", False)),
                timers=self.timers(spec.get("timers"), f"{path}.timers", name),
            )
        return states

    def timers(self, raw: Any, path: str, state: str) -> tuple[StateTimer, ...]:
        """A state's timers: each `after` a duration, later than the one before; `do`
        actions and/or a `trigger` (checked against the transitions in `timer_triggers`)."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.add(path, N_("must be a list of timers (after, do, trigger)"))
            return ()
        result: list[StateTimer] = []
        previous: Duration | None = None
        for index, spec in enumerate(raw):
            where = f"{path}[{index}]"
            if not isinstance(spec, Mapping):
                self.add(where, N_("a timer is a mapping with after and do or trigger"))
                continue
            self.unknown_keys(spec, where, {"after", "do", "trigger"})
            after = None
            if spec.get("after") is None:
                self.add(
                    f"{where}.after", N_("missing: how long after entering the state (e.g. 3d)")
                )
            else:
                after = self.duration(spec.get("after"), f"{where}.after")
                if after is not None and not after:
                    self.add(f"{where}.after", N_("must be longer than no time (e.g. 30m, 3d)"))
                    after = None
            trigger = spec.get("trigger")
            if trigger is not None and (not isinstance(trigger, str) or not _NAME.match(trigger)):
                self.add(f"{where}.trigger", N_("not a name (lowercase letters, digits, _)"))
                trigger = None
            if trigger is not None:
                self._timer_triggers.append((state, f"{where}.trigger", trigger))
            do = self.actions(spec.get("do"), f"{where}.do")
            if not spec.get("do") and spec.get("trigger") is None:
                self.add(where, N_("needs do: [actions] or trigger: <transition> (or both)"))
            if after is None:
                continue
            if previous is not None and wall_clock(after) <= wall_clock(previous):
                self.add(
                    f"{where}.after",
                    N_("must be later than the timer before it (%(previous)s)"),
                    previous=str(previous),
                )
            previous = after
            result.append(StateTimer(after=after, do=do, trigger=trigger))
        return tuple(result)

    def timer_triggers(self, transitions: list[TransitionDef]) -> None:
        """A timer's trigger leaves its state and may be fired by the `system` role."""
        for state, path, trigger in self._timer_triggers:
            named = [t for t in transitions if t.trigger == trigger]
            leaving = [t for t in named if state in t.sources]
            if not named:
                self.add(path, N_("unknown transition '%(trigger)s'"), trigger=trigger)
            elif not leaving:
                self.add(
                    path,
                    N_("'%(trigger)s' does not leave '%(state)s' (see its source)"),
                    trigger=trigger,
                    state=state,
                )
            elif not any("system" in t.roles for t in leaving):
                self.add(
                    path,
                    N_("'%(trigger)s' must allow the role system: timers fire as system"),
                    trigger=trigger,
                )

    def transitions(self, raw: Any, states: Mapping[str, StateDef]) -> list[TransitionDef]:
        if not isinstance(raw, list) or not raw:
            self.add("transitions", N_("must list at least one transition"))
            return []
        result, seen = [], {}
        for index, spec in enumerate(raw):
            path = f"transitions[{index}]"
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping with trigger, source and dest"))
                continue
            self.unknown_keys(
                spec, path, {"trigger", "source", "dest", "roles", "guards", "after", "label"}
            )
            trigger = spec.get("trigger")
            if not isinstance(trigger, str) or not _NAME.match(trigger):
                self.add(
                    f"{path}.trigger", N_("missing or not a name (lowercase letters, digits, _)")
                )
                continue
            raw_sources = spec.get("source")
            if raw_sources == "*":
                sources = tuple(states)
            else:
                sources = tuple(raw_sources) if isinstance(raw_sources, list) else (raw_sources,)
            for source in sources:
                if not _names_one(source):
                    self.add(f"{path}.source", N_("must be the name of a state"))
                elif source not in states:
                    self.add(f"{path}.source", N_("unknown state '%(state)s'"), state=source)
            sources = tuple(source for source in sources if _names_one(source))
            dest = spec.get("dest")
            if not _names_one(dest):
                self.add(f"{path}.dest", N_("must be the name of a state"))
                dest = ""
            elif dest not in states:
                self.add(f"{path}.dest", N_("unknown state '%(state)s'"), state=dest)
            roles = spec.get("roles", ["agent", "admin"])
            if not isinstance(roles, list) or not roles:
                self.add(f"{path}.roles", N_("must be a non-empty list"))
                roles = []
            for role in roles:
                if role not in ROLES:
                    self.add(
                        f"{path}.roles",
                        N_("unknown role '%(role)s' (use %(roles)s)"),
                        role=role,
                        roles=", ".join(ROLES),
                    )
            guards = spec.get("guards") or []
            if not isinstance(guards, list):
                self.add(f"{path}.guards", N_("must be a list of guard names"))
                guards = []
            for guard in guards:
                if not _names_one(guard) or guard not in GUARDS:
                    self.add(
                        f"{path}.guards",
                        N_("unknown guard '%(guard)s' (known: %(guards)s)"),
                        guard=guard,
                        guards=", ".join(sorted(GUARDS)),
                    )
            for source in sources:
                key = (trigger, source)
                if key in seen and seen[key][1] == tuple(guards):
                    self.add(
                        path,
                        N_("duplicates transitions[%(index)s] ('%(trigger)s' from '%(source)s')"),
                        index=seen[key][0],
                        trigger=trigger,
                        source=source,
                    )
                seen.setdefault(key, (index, tuple(guards)))
            result.append(
                TransitionDef(
                    trigger=trigger,
                    sources=sources,
                    dest=str(dest),
                    roles=frozenset(r for r in roles if r in ROLES),
                    guards=tuple(guards),
                    after=self.actions(spec.get("after"), f"{path}.after"),
                    labels=self.labels(spec.get("label"), f"{path}.label", trigger, required=False),
                )
            )
        return result

    def graph(
        self, states: Mapping[str, StateDef], transitions: list[TransitionDef], initial: str
    ) -> None:
        outgoing: dict[str, set[str]] = {name: set() for name in states}
        for t in transitions:
            for source in t.sources:
                if source in outgoing and t.dest in states:
                    outgoing[source].add(t.dest)
        reached, queue = {initial}, deque([initial])
        while queue:
            for nxt in outgoing[queue.popleft()] - reached:
                reached.add(nxt)
                queue.append(nxt)
        for name, state in states.items():
            if name not in reached:
                self.add(f"states.{name}", N_("unreachable from '%(initial)s'"), initial=initial)
            if not state.final and not (outgoing[name] - {name}):
                self.add(f"states.{name}", N_("no way out and not final"))

    # -- SLA ---------------------------------------------------------------
    def calendars(self, raw: Any) -> dict[str, BusinessCalendar]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.add("sla.calendars", N_("must map calendar names to calendars"))
            return {}
        calendars = {}
        self._calendar_names = [str(name) for name in raw]
        for name, spec in raw.items():
            path = f"sla.calendars.{name}"
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping (timezone, weekly_hours, …)"))
                continue
            problems = calendar_problems(spec)
            self.extend(problems, prefix=path)
            label = spec.get("label")
            for lang in label if isinstance(label, Mapping) else ():
                if lang not in LANGUAGES:
                    self.add(
                        f"{path}.label.{lang}",
                        N_("unknown language (use %(languages)s)"),
                        languages=", ".join(LANGUAGES),
                    )
            if not problems:
                calendars[str(name)] = BusinessCalendar.from_dict({"name": str(name), **spec})
        return calendars

    def policies(self, raw: Any, calendars: Mapping[str, BusinessCalendar]) -> list[SlaPolicy]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add("sla.policies", N_("must be a list of policies"))
            return []
        result, names = [], set()
        unknown: dict[str, list[tuple[str, str]]] = {}  # calendar -> (path, name) naming it
        for index, spec in enumerate(raw):
            path = f"sla.policies[{index}]"
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping (name, when, first_response, resolution, …)"))
                continue
            self.unknown_keys(
                spec,
                path,
                {
                    "name",
                    "when",
                    "calendar",
                    "first_response",
                    "resolution",
                    "warn_at",
                    "on_breach",
                },
            )
            name = str(spec.get("name") or unnamed_policy_name(index))
            if name in names:
                self.add(f"{path}.name", N_("'%(name)s' is used by another policy"), name=name)
            names.add(name)
            when = self.condition(spec.get("when"), f"{path}.when")
            calendar = spec.get("calendar")
            if calendar is None:  # the first calendar written
                calendar = next(iter(self._calendar_names), "")
            if not _names_one(calendar):
                self.add(f"{path}.calendar", N_("must be the name of a calendar"))
            elif str(calendar) not in calendars:
                where = f"{path}.calendar" if "calendar" in spec else path
                unknown.setdefault(str(calendar), []).append((where, name))
            first = self.duration(spec.get("first_response"), f"{path}.first_response")
            resolution = self.duration(spec.get("resolution"), f"{path}.resolution")
            if first is None and resolution is None:
                self.add(path, N_("needs first_response or resolution (or both)"))
            result.append(
                SlaPolicy(
                    name=name,
                    when=when,
                    calendar=str(calendar),
                    first_response=first,
                    resolution=resolution,
                    warn_at=self.fraction(spec.get("warn_at", "75%"), f"{path}.warn_at"),
                    on_breach=self.actions(spec.get("on_breach"), f"{path}.on_breach"),
                )
            )
        self.unknown_calendars(unknown, calendars)
        return result

    def unknown_calendars(
        self, unknown: Mapping[str, list[tuple[str, str]]], calendars: Mapping[str, Any]
    ) -> None:
        """One problem per calendar the policies cannot use, however many policies name it.

        A calendar written with problems of its own is not repeated here: those problems say
        what to fix, and fixing them mends every policy that names it.
        """
        for calendar, named_by in unknown.items():
            if calendar in self._calendar_names:
                continue
            where = named_by[0][0]
            if not calendar:
                self.add(
                    "sla.policies",
                    N_("the policies need a business calendar: add one under sla.calendars"),
                )
            elif not self._calendar_names:
                self.add(
                    where,
                    N_("unknown calendar '%(calendar)s': add it under sla.calendars"),
                    calendar=calendar,
                )
            elif len(named_by) == 1:
                self.add(
                    where,
                    N_(
                        "unknown calendar '%(calendar)s': name one of the calendars "
                        "(%(calendars)s) or add it under sla.calendars"
                    ),
                    calendar=calendar,
                    calendars=", ".join(self._calendar_names),
                )
            else:
                self.add(
                    where,
                    N_(
                        "unknown calendar '%(calendar)s', named by the policies %(policies)s: "
                        "name one of the calendars (%(calendars)s) or add it under sla.calendars"
                    ),
                    calendar=calendar,
                    policies=", ".join(name for _, name in named_by),
                    calendars=", ".join(self._calendar_names),
                )

    def duration(self, raw: Any, path: str) -> Duration | None:
        if raw is None:
            return None
        try:
            return parse_duration(str(raw))
        except DurationError as exc:
            self.add(path, exc.template, **exc.params)
            return None

    def fraction(self, raw: Any, path: str) -> float:
        text = str(raw).strip()
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            value = -1.0
        if not 0 < value < 1:
            self.add(
                path, N_("'%(value)s' is not a share of the target (use e.g. 75%%)"), value=raw
            )
            return 0.75
        return value

    # -- routing -------------------------------------------------------------
    def rules(self, raw: Any) -> list[RoutingRule]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add("routing.rules", N_("must be a list of rules"))
            return []
        result = []
        for index, spec in enumerate(raw):
            path = f"routing.rules[{index}]"
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping with when and set"))
                continue
            self.unknown_keys(spec, path, {"name", "when", "set"})
            if "when" not in spec:
                self.add(f"{path}.when", N_("missing (use routing.default for the fallback)"))
            result.append(
                RoutingRule(
                    name=str(spec.get("name") or unnamed_rule_name(index)),
                    when=self.condition(spec.get("when"), f"{path}.when"),
                    target=self.target(spec.get("set") or {}, f"{path}.set"),
                )
            )
        return result

    def target(self, spec: Any, path: str) -> RouteTarget:
        if not isinstance(spec, Mapping):
            self.add(path, N_("must be a mapping (team, priority, labels, assign)"))
            return RouteTarget()
        self.unknown_keys(
            spec, path, {"team", "priority", "labels", "assign", "overflow_team", "watchers"}
        )
        priority = spec.get("priority")
        if priority is not None and priority not in PRIORITIES:
            self.add(
                f"{path}.priority",
                N_("'%(priority)s' is not a priority (use %(priorities)s)"),
                priority=priority,
                priorities=", ".join(PRIORITIES),
            )
        assign = spec.get("assign", "manual")
        if assign not in STRATEGIES:
            self.add(
                f"{path}.assign",
                N_("'%(assign)s' is not a strategy (use %(strategies)s)"),
                assign=assign,
                strategies=", ".join(STRATEGIES),
            )
        labels = spec.get("labels") or []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            self.add(f"{path}.labels", N_("must be a list of label names"))
            labels = []
        watchers = spec.get("watchers") or []
        if not isinstance(watchers, list) or not all(isinstance(x, str) for x in watchers):
            self.add(f"{path}.watchers", N_("must be a list of e-mail addresses"))
            watchers = []
        return RouteTarget(
            team=spec.get("team"),
            priority=priority if priority in PRIORITIES else None,
            labels=tuple(labels),
            assign=assign if assign in STRATEGIES else "manual",
            overflow_team=spec.get("overflow_team"),
            watchers=tuple(watchers),
        )

    def automations(self, raw: Any) -> list[Mapping]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add("automations", N_("must be a list of rules (on, when, do)"))
            return []
        result = []
        for index, spec in enumerate(raw):
            path = f"automations[{index}]"
            if isinstance(spec, Mapping) and True in spec and "on" not in spec:
                # YAML 1.1 reads an unquoted `on:` key as the boolean true.
                spec = {("on" if key is True else key): value for key, value in spec.items()}
            if not isinstance(spec, Mapping) or not isinstance(spec.get("on"), str):
                self.add(path, N_("needs 'on: <event>' and 'do: [actions]'"))
                continue
            self.unknown_keys(spec, path, {"name", "on", "when", "do"})
            if spec["on"] not in EVENTS:
                self.add(
                    f"{path}.on",
                    N_("unknown event '%(event)s' (known: %(events)s)"),
                    event=spec["on"],
                    events=", ".join(EVENTS),
                )
            when = self.condition(spec.get("when"), f"{path}.when", AUTOMATION_FIELDS)
            actions = self.actions(spec.get("do"), f"{path}.do")
            if not actions:
                self.add(f"{path}.do", N_("must list at least one action"))
            result.append({"name": spec.get("name"), "on": spec["on"], "when": when, "do": actions})
        return result

    # -- shared pieces -------------------------------------------------------
    def condition(self, raw: Any, path: str, fields: set[str] = ROUTING_FIELDS) -> Mapping | None:
        if raw is None:
            return None
        return raw if self.condition_problems(raw, path, fields) else None

    def actions(self, raw: Any, path: str) -> tuple[ActionRef, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.add(path, N_("must be a list of actions"))
            return ()
        result = []
        for index, item in enumerate(raw):
            where = f"{path}[{index}]"
            if isinstance(item, str):
                name, param = item, None
            elif isinstance(item, Mapping) and len(item) == 1:
                name, param = next(iter(item.items()))
            else:
                self.add(where, N_("an action is a name or {name: parameter}"))
                continue
            if name not in ACTIONS:
                self.add(
                    where,
                    N_("unknown action '%(action)s' (known: %(actions)s)"),
                    action=name,
                    actions=", ".join(sorted(ACTIONS)),
                )
                continue
            problem = ACTIONS[name](param)
            if problem:
                template, params = problem
                self.add(where, template, **{**params, "action": name})
                continue
            result.append(ActionRef(str(name), _frozen(param)))
        return tuple(result)

    def labels(
        self, raw: Any, path: str, fallback: str, required: bool = True
    ) -> Mapping[str, str]:
        if raw is None:
            return {"en": fallback.replace("_", " ").capitalize()} if required else {}
        if isinstance(raw, str):
            return {"en": raw}
        if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
            self.add(path, N_("must be a text or a mapping of language to text"))
            return {}
        for lang in raw:
            if lang not in LANGUAGES:
                self.add(
                    f"{path}.{lang}",
                    N_("unknown language (use %(languages)s)"),
                    languages=", ".join(LANGUAGES),
                )
        if required and "en" not in raw:
            self.add(
                f"{path}.en", N_("missing: the English label is the fallback for other languages")
            )
        return dict(raw)


def _names_one(value: Any) -> bool:
    """Whether `value` can be a name looked up among others: a list, a mapping or a set
    written where one name belongs cannot (nor be looked up: it is not hashable)."""
    return isinstance(value, Hashable)


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def action_params(action: ActionRef) -> Any:
    """The action's parameter as plain data again (mappings were frozen for hashing)."""
    if isinstance(action.param, tuple) and all(
        isinstance(p, tuple) and len(p) == 2 for p in action.param
    ):
        return {k: v for k, v in action.param}
    return action.param
