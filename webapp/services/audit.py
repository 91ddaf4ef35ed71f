"""The audit log: record each admin change in the caller's transaction; read it back as diffs.

`record` adds an entry to the session; it is committed with the change itself, so the log
never shows a change that did not happen, nor misses one that did. Values are stored as
JSON snapshots of the fields that matter, secrets masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from babel.dates import format_date, get_day_names
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.i18n import language_in_sentence, language_name_for_viewer
from webapp.models import AuditEntry, User
from webapp.services.public_holidays import choice_label
from webapp.shortened import shortened
from workflow.calendars import WEEKDAY_NAMES, humanise_calendar_id
from workflow.durations import DurationError, parse_duration

MASK = "••••••"
SECRET_FIELDS = frozenset({"secret", "password_hash"})

ACTION_LABELS = {
    "user.created": _l("Added a staff member"),
    "user.deactivated": _l("Deactivated a staff member"),
    "user.reactivated": _l("Reactivated a staff member"),
    "mail.retried": _l("Sent an e-mail again"),
    "sla_alert.retried": _l("Retried an SLA warning or breach"),
    "webhook.created": _l("Created a webhook"),
    "webhook.updated": _l("Changed a webhook"),
    "webhook.deleted": _l("Deleted a webhook"),
    "webhook.enabled": _l("Switched a webhook on again"),
    "webhook.secret_rotated": _l("Replaced a webhook's secret"),
    "webhook.delivery_retried": _l("Sent a webhook delivery again"),
    "form.draft_saved": _l("Saved a form draft"),
    "workflow.draft_saved": _l("Saved a workflow draft"),
    "workflow.routing_changed": _l("Changed the routing rules of the workflow draft"),
    "workflow.draft_discarded": _l("Discarded the workflow draft"),
    "workflow.published": _l("Published a workflow version"),
    "workflow.rolled_back": _l("Rolled the workflow back to an earlier version"),
    "form.created": _l("Created a form"),
    "form.published": _l("Published a form version"),
    "form.draft_discarded": _l("Discarded a form draft"),
    "form.rolled_back": _l("Rolled a form back to an earlier version"),
    "form.duplicated": _l("Copied a form"),
    "form.archived": _l("Archived a form"),
    "form.unarchived": _l("Opened an archived form again"),
    "user.updated": _l("Changed a staff member"),
    "user.away_changed": _l("Changed their own away period"),
    "team.created": _l("Created a team"),
    "team.renamed": _l("Renamed a team"),
    "team.member_added": _l("Added a team member"),
    "team.member_removed": _l("Removed a team member"),
    "team.deleted": _l("Deleted a team"),
    "email_text.saved": _l("Saved an own e-mail text"),
    "email_text.reverted": _l("Reverted an e-mail to the built-in text"),
    "canned_reply.created": _l("Added a canned reply"),
    "canned_reply.updated": _l("Changed a canned reply"),
    "canned_reply.deactivated": _l("Switched off a canned reply"),
    "canned_reply.reactivated": _l("Switched on a canned reply"),
    "form.branding_saved": _l("Changed the look of a form"),
    "api_token.created": _l("Created an API token"),
    "api_token.revoked": _l("Revoked an API token"),
    "blocked_sender.created": _l("Blocked a sender (spam)"),
    "blocked_sender.removed": _l("Unblocked a sender"),
    "login.throttled": _l("Paused logins to an account after repeated wrong passwords"),
    "customer_data.exported": _l("Exported a customer's personal data"),
    "customer_data.erased": _l("Erased a customer's personal data"),
    "retention.changed": _l("Changed how long customers' personal data is kept"),
    "retention.erased": _l("Erased customers' personal data past the retention period"),
    "user.two_step_on": _l("Turned on two-step sign-in"),
    "user.two_step_off": _l("Turned off two-step sign-in"),
    "user.recovery_codes_renewed": _l("Replaced their two-step sign-in recovery codes"),
    "user.two_step_reset": _l("Reset a staff member's two-step sign-in"),
    "user.recovery_code_used": _l("Logged in with a two-step sign-in recovery code"),
    "two_step.required_changed": _l("Changed whether all staff must use two-step sign-in"),
    "login.unknown_address_throttled": _l(
        "Paused logins for an address that has no account, after repeated attempts"
    ),
}
FIELD_LABELS = {
    "name": _l("Name"),
    "email": _l("E-mail"),
    "role": _l("Role"),
    "locale": _l("Language"),
    "timezone": _l("Time zone"),
    "languages": _l("Languages spoken"),
    "teams": _l("Teams"),
    "active": _l("Active"),
    "url": _l("URL"),
    "events": _l("Events"),
    "secret": _l("Secret"),
    "status": _l("Status"),
    "revision": _l("Revision"),
    "rules": _l("Routing rules"),
    "rules_added": _l("Routing rules added"),
    "rules_removed": _l("Routing rules removed"),
    "rules_changed": _l("Routing rules changed"),
    "rule_order": _l("Order of the routing rules"),
    "states": _l("States"),
    "transitions": _l("Transitions"),
    "sla_policies": _l("SLA policies (first response / resolution)"),
    "calendars": _l("Business calendars"),
    "deadlines_moved": _l("SLA deadlines moved to the new calendars"),
    "restored": _l("Restored version"),
    "comment": _l("Comment"),
    "version": _l("Version"),
    "archived": _l("Archived"),
    "template": _l("Template"),
    "copied_from": _l("Copied from"),
    "capacity": _l("Capacity"),
    "ticket_access": _l("Tickets they see"),
    "working_hours": _l("Working hours"),
    "public_holidays": _l("Public holidays"),
    "away_from": _l("First day away"),
    "away_until": _l("Last day away"),
    "away_note": _l("Note for colleagues"),
    "rerouted_tickets": _l("Re-routed tickets"),
    "tickets_without_team": _l("Finished tickets left without a team"),
    "members": _l("Members"),
    "slug": _l("Routing name"),
    "subject": _l("Subject"),
    "body": _l("Text"),
    "title": _l("Title"),
    "accent": _l("Accent colour"),
    "background": _l("Background colour"),
    "font": _l("Font"),
    "logo": _l("Logo"),
    "avatar": _l("Bot avatar"),
    "bot_name": _l("Bot name"),
    "scope": _l("What it may do"),
    "hint": _l("Starts with"),
    "failed_logins": _l("Failed logins"),
    "window_minutes": _l("Time window (minutes)"),
    "responses": _l("Form responses"),
    "tickets": _l("Tickets"),
    "files": _l("Uploaded files"),
    "emails_sent": _l("E-mails sent"),
    "emails_received": _l("E-mails received"),
    "survey_invitations": _l("Survey invitations"),
    "opt_out": _l("On the e-mail opt-out list"),
    "webhook_deliveries": _l("Webhook deliveries"),
    "retention_months": _l("Erase customers' personal data after (months)"),
    "ip_address": _l("IP address (the attempt that reached the limit)"),
    "note": _l("Note"),
    "two_step": _l("Two-step sign-in"),
    "recovery_codes": _l("New recovery codes"),
    "recovery_codes_left": _l("Recovery codes left"),
    "two_step_required": _l("Require two-step sign-in for all staff"),
    "ticket": _l("Ticket"),
}


def snapshot(obj: Any, fields: Iterable[str], **extra: Any) -> dict[str, Any]:
    """The named fields of `obj` (plus `extra`) as JSON values, secrets masked."""
    values = {field: getattr(obj, field) for field in fields} | extra
    return {field: MASK if field in SECRET_FIELDS else _jsonable(v) for field, v in values.items()}


def record(
    action: str,
    target: Any,
    label: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: User | None = None,
) -> AuditEntry:
    """Add an entry for `action` on `target` (a model row) to the current transaction."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    entry = AuditEntry(
        actor=actor,
        actor_name=actor.name if actor else "",
        action=action,
        target_type=action.partition(".")[0],
        target_id=str(target.id) if getattr(target, "id", None) is not None else None,
        target_label=shortened(label or "", 300),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


def changes(entry: AuditEntry) -> list[Change]:
    """The fields whose value differs between before and after, in a stable order."""
    before, after = entry.before or {}, entry.after or {}
    fields = list(dict.fromkeys([*before, *after]))
    changed = []
    for field in fields:
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field == "sla_policies":
            old, new = _differing_items(old, new)
        changed.append(
            Change(
                field,
                str(FIELD_LABELS.get(field, field)),
                shown_value(field, old),
                shown_value(field, new),
            )
        )
    return changed


def _differing_items(old: Any, new: Any) -> tuple[Any, Any]:
    """Of two lists, the items not in both: the one policy whose target changed, not all four."""
    if not isinstance(old, list) or not isinstance(new, list):
        return old, new
    return [item for item in old if item not in new], [item for item in new if item not in old]


# What a routing-builder save changed, one rule (or, for the order, one name) per item.
_RULE_LISTS = frozenset({"rules_added", "rules_removed", "rules_changed", "rule_order"})
_ROLE_WORDS = {"agent": _l("Agent"), "admin": _l("Administrator")}
_ACCESS_WORDS = {"all": _l("Every ticket"), "teams": _l("Only their teams' tickets")}


def shown_value(field: str, value: Any) -> Any:
    """A stored value as an admin reads it: languages and roles by name, hours by weekday.

    Entries keep the raw values (codes, JSON); only the page puts them into words.
    """
    if field == "retention_months" and value is None:
        return gettext("off: kept until the customer asks")
    if value is None:
        return None
    if field == "role" and isinstance(value, str):
        return str(_ROLE_WORDS.get(value, value))
    if field == "ticket_access" and isinstance(value, str):
        return str(_ACCESS_WORDS.get(value, value))
    if field == "locale" and isinstance(value, str) and value:
        return language_name_for_viewer(value)
    if field == "languages" and isinstance(value, list):
        return [language_name_for_viewer(code) if isinstance(code, str) else code for code in value]
    if field == "working_hours" and isinstance(value, Mapping):
        return _hours_text(value)
    if field == "public_holidays" and isinstance(value, str):
        return choice_label(value) or gettext("none")
    if field in ("away_from", "away_until") and isinstance(value, str):
        try:  # the agent's own days, stored as ISO dates
            return format_date(date.fromisoformat(value), "medium", locale=get_locale())
        except ValueError:
            return value
    if field in _RULE_LISTS and isinstance(value, list):
        return "; ".join(str(item) for item in value) or None  # a rule's words hold commas
    if field == "sla_policies" and isinstance(value, list):
        said = "; ".join(_policy_text(p) if isinstance(p, Mapping) else str(p) for p in value)
        return said or None  # a policy added or removed: "—" on the other side
    if field == "deadlines_moved" and isinstance(value, int):  # a publish's calendar change
        return ngettext("%(num)d open ticket", "%(num)d open tickets", value)
    if field == "calendars" and isinstance(value, list):
        return [
            _calendar_label(c.get("id"), c.get("labels")) if isinstance(c, Mapping) else c
            for c in value
        ]
    return value


def _policy_text(policy: Mapping) -> str:
    """'standard: 8 business hours / 3 business days (Warsaw office)' in the reader's words.

    Entries written before policies were stored as data are plain text, shown as they are.
    """
    return gettext(
        "%(policy)s: %(first_response)s / %(resolution)s (%(calendar)s)",
        policy=policy.get("name"),
        first_response=_duration_text(policy.get("first_response")),
        resolution=_duration_text(policy.get("resolution")),
        calendar=_calendar_label(policy.get("calendar"), policy.get("calendar_labels")),
    )


def _duration_text(text: Any) -> str:
    """'8h' as '8 business hours'; a target that is not set as '—'."""
    if not text:
        return "—"
    from webapp.tickets.presenters import describe_target

    try:
        return describe_target(parse_duration(str(text)))
    except DurationError:
        return str(text)


def _calendar_label(calendar_id: Any, labels: Any) -> str:
    """What admins call a calendar in the reader's language, as the SLA page says it."""
    labels = labels if isinstance(labels, Mapping) else {}
    return (
        labels.get(str(get_locale()))
        or labels.get("en")
        or humanise_calendar_id(str(calendar_id or ""))
    )


def _hours_text(hours: Mapping) -> str:
    """{"mon": [["09:00", "17:00"]]} as "Monday 09:00–17:00"; no hours at all: always on duty."""
    names = get_day_names("wide", locale=get_locale())
    days = []
    for index, day in enumerate(WEEKDAY_NAMES):
        spans = hours.get(day) or []
        if isinstance(spans, list) and spans:
            text = ", ".join(
                f"{span[0]}–{span[1]}" if isinstance(span, list) and len(span) == 2 else str(span)
                for span in spans
            )
            days.append(f"{names[index]} {text}")
    return "; ".join(days) if days else gettext("always on duty (no hours set)")


_EMAIL_TARGET = re.compile(r"^(\w+) \(([a-z]{2})\)$")  # "ticket_confirmation (sl)"
_WORKFLOW_DRAFT_ACTIONS = frozenset(
    {"workflow.draft_saved", "workflow.draft_discarded", "workflow.routing_changed"}
)
_WORKFLOW_VERSION_TARGET = re.compile(r"^ticket workflow v(\d+)$")


def target_text(entry: AuditEntry) -> str:
    """What an entry is about, in words: e-mail texts and workflow versions are stored by code.

    The stored label stays as it is (older entries too); only the page words it.
    """
    label = entry.target_label or ""
    if entry.action.startswith("retention."):
        return gettext("Data retention")
    if entry.action.startswith("two_step."):
        return gettext("Two-step sign-in for all staff")
    if entry.action.startswith("email_text.") and (match := _EMAIL_TARGET.match(label)):
        from webapp.services.email_texts import EDITABLE

        email = EDITABLE.get(match.group(1))
        if email is not None:
            return f"{email.label} ({language_in_sentence(match.group(2))})"
    if entry.action.startswith("workflow."):
        if (
            entry.action in _WORKFLOW_DRAFT_ACTIONS
        ):  # stored as "ticket" or in the writer's language
            return gettext("Ticket workflow draft")
        if match := _WORKFLOW_VERSION_TARGET.match(label):
            return gettext("Ticket workflow, version %(number)s", number=match.group(1))
    return label


def actor_text(entry: AuditEntry) -> str:
    """Who made the change: a person, the login page (a throttle nobody chose), or the CLI."""
    if entry.actor_name:
        return entry.actor_name
    if entry.action.startswith("login."):
        return gettext("login page")
    if entry.action == "retention.erased":
        return gettext("daily data retention job")
    return gettext("command line")


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def entries_query(action: str | None = None, actor_id: int | None = None) -> Select:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    return query


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
