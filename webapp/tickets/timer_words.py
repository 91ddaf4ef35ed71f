"""State timers in words: the history's lines and the workflow studio's list.

"Loopdesk resolved the ticket: no reply from the customer for 7 days." A timer's event
keeps codes (the state, its category, the duration as written); the words are chosen here
in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from workflow.definition import ActionRef, StateDef, StateTimer, WorkflowDefinition
from workflow.durations import Duration, DurationError, parse_duration


def elapsed_words(after: Duration | str | None) -> str:
    """'7 days', '1 day and 4 hours' ('7 dni', '1 dzień i 4 godziny'): wall-clock time."""
    if isinstance(after, str):
        try:
            after = parse_duration(after)
        except DurationError:
            return after
    if not isinstance(after, Duration):
        return "—"
    hours, minutes = divmod(after.minutes, 60)
    days, hours = after.days + hours // 24, hours % 24
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes or not parts:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return format_list(parts, locale=get_locale())


def _label(labels: Any, fallback: str) -> str:
    labels = labels if isinstance(labels, Mapping) else {}
    return labels.get(str(get_locale())) or labels.get("en") or fallback.replace("_", " ")


def _why(timer: Mapping[str, Any], state_labels: Mapping[str, str]) -> str:
    time = elapsed_words(timer.get("after"))
    if timer.get("category") == "waiting":
        return gettext("no reply from the customer for %(time)s", time=time)
    state = timer.get("state") or ""
    return gettext(
        "it was in “%(state)s” for %(time)s", state=state_labels.get(state, state), time=time
    )


def timer_moved(event: Any, state_labels: Mapping[str, str]) -> str:
    """The line for a move a timer made: 'Loopdesk closed the ticket: it was in “Resolved”
    for 7 days.'"""
    timer = event.data.get("timer") or {}
    why = _why(timer, state_labels)
    category = timer.get("to_category")
    if category == "resolved":
        return gettext("Loopdesk resolved the ticket: %(why)s.", why=why)
    if category == "closed":
        return gettext("Loopdesk closed the ticket: %(why)s.", why=why)
    new = state_labels.get(event.to_state, event.to_state)
    return gettext("Loopdesk moved the ticket to %(new)s: %(why)s.", new=new, why=why)


def timer_ran(data: Mapping[str, Any], state_labels: Mapping[str, str]) -> str:
    """The line before a timer's actions: 'No reply from the customer for 3 days.'"""
    time = elapsed_words(data.get("after"))
    if data.get("category") == "waiting":
        return gettext("No reply from the customer for %(time)s.", time=time)
    state = data.get("state") or ""
    return gettext(
        "The ticket has been in “%(state)s” for %(time)s.",
        state=state_labels.get(state, state),
        time=time,
    )


def timer_skipped(data: Mapping[str, Any], state_labels: Mapping[str, str]) -> str:
    """A timer whose transition was no longer possible: said, not an error."""
    from webapp.tickets.presenters import refusal_message

    move = _label(data.get("transition_labels"), str(data.get("trigger") or ""))
    return gettext(
        "Loopdesk skipped “%(move)s” (%(why)s): %(reason)s",
        move=move,
        why=_why(data, state_labels),
        reason=refusal_message(str(data.get("code") or ""), data.get("detail")),
    )


# --- the workflow studio ------------------------------------------------------------------


_NOTICES = {
    "notify_customer": _l("e-mail the customer (%(mail)s)"),
    "notify_assignee": _l("e-mail the assignee (%(mail)s)"),
    "notify_team": _l("e-mail the team (%(mail)s)"),
    "notify_team_lead": _l("e-mail the team lead (%(mail)s)"),
    "notify_watchers": _l("e-mail the watchers (%(mail)s)"),
}


def _action_words(action: ActionRef) -> str:
    """A notice in words; other actions as written in the YAML (`add_label: promoter`)."""
    from webapp.tickets.codes import mail_label

    if action.name in _NOTICES:
        return str(_NOTICES[action.name]) % {"mail": mail_label(action.param)}
    return action.name if action.param is None else f"{action.name}: {action.param}"


def timer_words(definition: WorkflowDefinition, state: StateDef, timer: StateTimer) -> str:
    """'After 3 days: e-mail the customer (reminder …)'; 'After 7 days: Resolve'."""
    locale = str(get_locale() or "en")
    what = [_action_words(action) for action in timer.do]
    if timer.trigger:
        transition = next(
            (
                t
                for t in definition.transitions
                if t.trigger == timer.trigger and state.name in t.sources
            ),
            None,
        )
        what.append(transition.label(locale) if transition else timer.trigger)
    return gettext(
        "after %(time)s: %(what)s",
        time=elapsed_words(timer.after),
        what=format_list(what, locale=get_locale()),
    )
