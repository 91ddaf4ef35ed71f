"""Admins' own e-mail wording per template and language, replacing the built-in text.

An own text is plain text with `{placeholder}`s, filled by `email_placeholders.fill` from
plain values: `{name.__class__}` is refused on save, a customer's name containing "{link}"
is inserted literally, and a missing name reads "Hello," rather than "Hello ,". The HTML
part is made from the text with everything escaped: blank-line paragraphs become <p>, URLs
become links.

`queue_email` asks `own_text_for` first; without an own text in the message's language
it renders the built-in templates (gettext falls back between languages as usual).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from webapp.erased_text import erased_text
from webapp.extensions import db
from webapp.i18n import datetime_with_zone
from webapp.models import EmailTemplateText, User
from webapp.services.email_placeholders import TOKEN as _TOKEN
from webapp.services.email_placeholders import (
    drop_sentences_without,
    fill,
    missing_placeholders,
    unknown_placeholders,
    unpaired_brace,
    unpaired_brace_message,
)

CUSTOMER, STAFF = "customer", "staff"
# Placeholders whose sentence is left out when the value is missing: without its value
# "You can expect a first reply by {first_response_due}." says nothing.
SENTENCE_PLACEHOLDERS = ("first_response_due", "review_url", "note")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
# Kept out of the non-essential set here to avoid an import cycle (outbox ← this module).
_NON_ESSENTIAL = ("survey_invitation", "survey_reminder", "testimonial_request")


@dataclass(frozen=True)
class EditableEmail:
    name: str
    label: Any  # lazy string
    audience: str
    placeholders: Mapping[str, Any]  # name → what it is (lazy string)
    samples: Mapping[str, str]  # name → value used in the preview
    # The e-mail is useless without them: a reset link, or the customer's way back to
    # their request ({status_link}) in a confirmation, status update or reply.
    required: tuple[str, ...] = ()


_P = {
    "name": _l("the recipient's name"),
    "number": _l("the request number, e.g. LD-1042"),
    "subject": _l("the request's subject"),
    "status_link": _l("the link to the request's status page"),
    "state": _l("the request's status"),
    "link": _l("the link the e-mail is about"),
    "unsubscribe_url": _l("the link to unsubscribe from surveys"),
}
_SAMPLE = {
    "name": "Jana Novak",
    "number": "LD-1042",
    "subject": "The app crashes when I upload a photo",
    "status_link": "https://loopdesk.example/status/Xy12ab",
    "state": "Waiting on you",
    "link": "https://loopdesk.example/tickets/LD-1042",
    "unsubscribe_url": "https://loopdesk.example/unsubscribe/abc",
}


# The survey and its reminder ask the same question with the same one-click links.
_SURVEY_VALUES = {
    "question": (_l("the survey question"), "How satisfied are you with our help?"),
    "survey_links": (
        _l("one answer link per score, one per line"),
        "1: https://loopdesk.example/s/1\n5: https://loopdesk.example/s/5",
    ),
}


def _editable(name, label, audience, extra: Mapping[str, tuple[Any, str]], common=(), required=()):
    placeholders = {key: _P[key] for key in common} | {k: v[0] for k, v in extra.items()}
    samples = {key: _SAMPLE[key] for key in common} | {k: v[1] for k, v in extra.items()}
    return EditableEmail(name, label, audience, placeholders, samples, tuple(required))


# The e-mails whose wording admins may replace. Mails that vary by event kind in one
# template (staff notices, watcher notices, task notices, digests) keep the built-in text.
EDITABLE = {
    e.name: e
    for e in (
        _editable(
            "ticket_confirmation",
            _l("Confirmation of a new request"),
            CUSTOMER,
            {"first_response_due": (_l("when the first reply is due"), "12 May 2025, 14:00")},
            ("name", "number", "subject", "status_link"),
            required=("status_link",),
        ),
        _editable(
            "ticket_update",
            _l("Status update on a request"),
            CUSTOMER,
            {},
            ("name", "number", "subject", "state", "status_link"),
            required=("status_link",),
        ),
        _editable(
            "still_waiting",
            _l("Reminder while we wait for the customer's answer"),
            CUSTOMER,
            {},
            ("name", "number", "subject", "status_link"),
            required=("status_link",),
        ),
        _editable(
            "public_reply",
            _l("An agent's reply"),
            CUSTOMER,
            {
                "text": (_l("the reply the agent wrote"), "We have fixed it. Please try again."),
                "agent": (_l("the agent's name"), "Ola Kowalska"),
            },
            ("name", "number", "subject", "status_link"),
            required=("status_link",),
        ),
        _editable(
            "survey_invitation",
            _l("Satisfaction survey"),
            CUSTOMER,
            _SURVEY_VALUES,
            ("name", "number", "subject", "unsubscribe_url"),
        ),
        _editable(
            "survey_reminder",
            _l("Reminder of an unanswered satisfaction survey"),
            CUSTOMER,
            _SURVEY_VALUES,
            ("name", "number", "subject", "unsubscribe_url"),
        ),
        _editable(
            "testimonial_request",
            _l("Request for a review"),
            CUSTOMER,
            {"review_url": (_l("the link to write a review"), "https://reviews.example/loop")},
            ("name", "number", "subject", "unsubscribe_url"),
        ),
        _editable(
            "continue_later",
            _l("Link to continue a form later"),
            CUSTOMER,
            {
                "form_title": (_l("the form's title"), "Product feedback"),
                "days": (_l("how many days the link works"), "30"),
            },
            ("link",),
            required=("link",),
        ),
        _editable(
            "requests_link",
            _l("Link to a customer's list of requests"),
            CUSTOMER,
            {"days": (_l("how many days the link works"), "7")},
            ("link",),
            required=("link",),
        ),
        _editable(
            "staff_invitation",
            _l("Invitation for a new agent"),
            STAFF,
            {
                "inviter": (_l("who created the account"), "Ann Admin"),
                "link": (
                    _l("the link to set a password (works for three days)"),
                    "https://loopdesk.example/set-password/Xy12ab",
                ),
            },
            ("name",),
            required=("link",),
        ),
        _editable(
            "password_reset",
            _l("Password reset"),
            STAFF,
            {
                "link": (
                    _l("the link to choose a new password (works once, for one hour)"),
                    "https://loopdesk.example/reset-password/Xy12ab",
                )
            },
            ("name",),
            required=("link",),
        ),
        _editable(
            "two_step_reset",
            _l("Two-step sign-in reset by an administrator"),
            STAFF,
            {
                "admin": (_l("the administrator who reset it"), "Ann Admin"),
                "link": (
                    _l("the link to the profile, where it is set up again"),
                    "https://loopdesk.example/profile",
                ),
            },
            ("name",),
        ),
        _editable(
            "note_mention",
            _l("Mention in an internal note"),
            STAFF,
            {
                "author": (_l("who wrote the note"), "Ola Kowalska"),
                "text": (_l("the note"), "@Jana could you call the customer?"),
            },
            ("name", "number", "subject", "link"),
        ),
        _editable(
            "reminder_due",
            _l("Reminder"),
            STAFF,
            {"note": (_l("the reminder's note"), "Check whether the fix worked.")},
            ("name", "number", "subject", "state", "link"),
        ),
        _editable(
            "webhook_disabled",
            _l("Webhook switched off"),
            STAFF,
            {
                "webhook": (_l("the webhook's name"), "CRM sync"),
                "url": (_l("the webhook's address"), "https://crm.example/hook"),
                "reason": (_l("why it was switched off"), "HTTP 500 ten times in a row"),
                "failures": (_l("failed deliveries in a row"), "10"),
            },
            ("name", "link"),
        ),
    )
}


class EmailTextRefused(ValueError):
    """The text cannot be saved; `errors` maps a field to what is wrong."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


class EmailTextConflict(Exception):
    """Someone saved this text after the editor was opened; `current` is their version."""

    def __init__(self, current: EmailTemplateText | None):
        super().__init__("e-mail text changed since it was opened")
        self.current = current


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


# --- placeholders ----------------------------------------------------------------------------


def greeting(name: str | None) -> str:
    """ "Hello Ana," in the current language, or "Hello," without a name (never "Hello ,")."""
    name = (name or "").strip()
    return _("Hello %(name)s,", name=name) if name else _("Hello,")


def placeholder_values(template: str, context: Mapping[str, Any]) -> dict[str, str]:
    """Plain-text values for the template's placeholders from what `queue_email` was given."""
    editable = EDITABLE.get(template)
    ticket = context.get("ticket")
    derived = {
        "number": context.get("number") or getattr(ticket, "number", None),
        "subject": erased_text(getattr(ticket, "subject", None) or context.get("subject")),
        "state": context.get("state_label"),
        "survey_links": "\n".join(
            f"{s['value']}: {s['url']}" for s in context.get("scores") or () if "url" in s
        ),
    }
    values = {}
    for key in editable.placeholders if editable else ():
        value = derived.get(key) if derived.get(key) is not None else context.get(key)
        if isinstance(value, datetime):
            value = datetime_with_zone(value, context.get("customer_timezone"))
        values[key] = "" if value is None else str(value)
    return values


# --- rendering --------------------------------------------------------------------------------


def text_to_html(text: str, style: str = "") -> Markup:
    """Escape everything; blank lines separate <p>aragraphs, line breaks become <br>, URLs links.

    Also the `text_paragraphs` filter for a plain-text include inside an HTML e-mail, and for
    what people wrote (notes, replies): mail clients ignore CSS `white-space`, so line breaks
    must be <br>s. Such text may arrive marked safe but is never HTML: it is escaped all the
    same. `style` (a template's own CSS, e.g. tighter margins) goes on each <p>.
    """
    text = str(text)  # plain str, also from Markup: its pieces would skip escaping
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    opening = f'<p style="{escape(style)}">' if style else "<p>"
    return Markup("\n".join(f"{opening}{_linked(p)}</p>" for p in paragraphs))  # noqa: S704


def _linked(paragraph: str) -> str:
    """The paragraph escaped, with each URL (found in the raw text) escaped inside a link."""
    return str(linked_text(paragraph)).replace("\n", "<br>\n")


def linked_text(text: str, attributes: str = "") -> Markup:
    """The text escaped, each URL in it (http or https) a link to itself, line breaks kept as
    they are (for a page that shows them with CSS): the `linked_text` filter, so the team's
    reply on the status page links what the e-mail of it links. `attributes` go on each link.
    """
    text = str(text)  # plain str, also from Markup: its pieces would skip escaping
    extra = f" {attributes}" if attributes else ""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = escape(match.group(0))
        out += [str(escape(text[last : match.start()])), f'<a href="{url}"{extra}>{url}</a>']
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704  (escaped above)


def _filled_subject(subject: str, values: Mapping[str, str]) -> str:
    """One line; "Got it, {name}" without a name reads "Got it", not "Got it,"."""
    subject = drop_sentences_without(subject, values, SENTENCE_PLACEHOLDERS)
    return " ".join(fill(subject, values).split()).rstrip(" ,")


def _filled_line(line: str, values: Mapping[str, str]) -> str:
    return fill(drop_sentences_without(line, values, SENTENCE_PLACEHOLDERS), values).strip()


def render_own_text(
    template: str,
    subject: str,
    body: str,
    values: Mapping[str, str],
    locale: str,
    can_reply: bool = False,
) -> RenderedEmail:
    """The message from an own text: placeholders filled, HTML escaped inside the e-mail layout.

    Non-essential mail always ends with its unsubscribe link, whatever the admin wrote. Mail
    whose "Reply" reaches the ticket (`can_reply`) says so below the text, as the built-in
    wording does: the admin should not have to know about reply addresses to keep it.
    """
    filled_subject = _filled_subject(subject, values)
    body = drop_sentences_without(body.replace("\r\n", "\n"), values, SENTENCE_PLACEHOLDERS)
    text = re.sub(r"\n{3,}", "\n\n", fill(body, values)).strip() + "\n"
    unsubscribe = values.get("unsubscribe_url") if template in _NON_ESSENTIAL else None
    with force_locale(locale):
        footer_text = ""
        if can_reply:
            footer_text += f"\n{_('You can also answer by replying to this e-mail.')}\n"
        if unsubscribe and "{unsubscribe_url}" not in body:
            footer_text += f"\n{_('Unsubscribe from surveys')}: {unsubscribe}\n"
        html = render_template(
            "admin/_email_own_text.html",
            subject=filled_subject,
            body_html=text_to_html(text),
            unsubscribe_url=unsubscribe,
            can_reply=can_reply,
        )
    return RenderedEmail(filled_subject, text + footer_text, html)


# How long another worker process may keep using the old wording after an admin's edit.
OWN_TEXTS_TTL = 5.0  # seconds


def _pairs_with_own_text() -> frozenset[tuple[str, str]]:
    """The (template, locale) pairs that have an own text, re-read at most every few seconds.

    Queueing an e-mail happens inside busy requests (every board move); with this, it costs
    no query unless an own text exists for that e-mail. Saves in this process refresh it.
    """
    now = time.monotonic()
    cached = current_app.extensions.get("loopdesk_own_email_texts")
    if cached is None or cached[0] < now:
        with db.session.no_autoflush:
            pairs = db.session.execute(
                select(EmailTemplateText.template, EmailTemplateText.locale)
            ).all()
        cached = (now + OWN_TEXTS_TTL, frozenset((t, loc) for t, loc in pairs))
        current_app.extensions["loopdesk_own_email_texts"] = cached
    return cached[1]


def _forget_own_texts() -> None:
    current_app.extensions.pop("loopdesk_own_email_texts", None)


def own_text_for(template: str, locale: str) -> EmailTemplateText | None:
    if template not in EDITABLE or (template, locale) not in _pairs_with_own_text():
        return None
    # No autoflush: queueing an e-mail must not write the caller's pending changes early.
    with db.session.no_autoflush:
        return db.session.scalar(
            select(EmailTemplateText).where(
                EmailTemplateText.template == template, EmailTemplateText.locale == locale
            )
        )


def missing_required(row: EmailTemplateText) -> list[str]:
    """The placeholders an own text lacks that its e-mail exists for ({link}, {status_link}).

    Texts saved before the rule was enforced may lack them; such a text is not sent (the
    built-in text goes instead) and the admin pages flag it.
    """
    editable = EDITABLE.get(row.template)
    return missing_placeholders(row.body, editable.required) if editable else []


def render_for_queue(
    template: str, locale: str, context: Mapping[str, Any]
) -> RenderedEmail | None:
    """The message from an own text for this template and language, or None (built-in).

    An own text without a required placeholder would send, say, a password reset without
    its link: the built-in text is used instead.
    """
    own = own_text_for(template, locale)
    if own is None:
        return None
    if missing_required(own):
        current_app.logger.warning(
            "e-mail text %s (%s) lacks %s: sending the built-in text",
            template,
            locale,
            ", ".join(missing_required(own)),
        )
        return None
    return render_own_text(
        template,
        own.subject,
        own.body,
        placeholder_values(template, context),
        locale,
        can_reply=bool(context.get("can_reply")),
    )


_SAMPLE_MOMENT = datetime(2025, 5, 12, 12, 0, tzinfo=UTC)


def sample_values(template: str, locale: str) -> dict[str, str]:
    """The preview's values; a moment written the way the language writes it."""
    samples = dict(EDITABLE[template].samples)
    if "first_response_due" in samples:
        with force_locale(locale):
            samples["first_response_due"] = datetime_with_zone(_SAMPLE_MOMENT)
    return samples


def preview(template: str, subject: str, body: str, locale: str) -> RenderedEmail:
    """The text as it would go out, filled with sample values."""
    return render_own_text(template, subject, body, sample_values(template, locale), locale)


@dataclass(frozen=True)
class MissingValueLine:
    placeholder: str
    line: str  # as the admin wrote it
    reads: str | None  # filled with sample values but this one empty; None: left out


def missing_value_lines(
    template: str, subject: str, body: str, locale: str
) -> list[MissingValueLine]:
    """How the lines read when a value that may be missing is: the preview shows them, so
    that "Hello {name}," without a name ("Hello,") is no surprise."""
    editable = EDITABLE[template]
    optional = [
        key
        for key in editable.placeholders
        if key in SENTENCE_PLACEHOLDERS or (key == "name" and editable.audience == CUSTOMER)
    ]
    result = []
    for key in optional:
        values = {**sample_values(template, locale), key: ""}
        lines = [(subject, _filled_subject), *((line, _filled_line) for line in body.splitlines())]
        for line, filled in lines:
            if key in _TOKEN.findall(line):
                result.append(MissingValueLine(key, line.strip(), filled(line, values) or None))
    return result


# --- overview and saving --------------------------------------------------------------------


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def overview() -> list[dict]:
    """Per editable e-mail and language: own text or built-in; built-in flagged when another
    language of the same e-mail has an own text (a translation is missing)."""
    rows = db.session.scalars(select(EmailTemplateText)).all()
    own = {(r.template, r.locale): r for r in rows}
    result = []
    for name, editable in EDITABLE.items():
        has_any = any((name, code) in own for code in languages())
        result.append(
            {
                "email": editable,
                "cells": [
                    {
                        "locale": code,
                        "own": own.get((name, code)),
                        "missing": has_any and (name, code) not in own,
                        "lacks": missing_required(own[(name, code)]) if (name, code) in own else [],
                    }
                    for code in languages()
                ],
            }
        )
    return result


def validate(template: str, subject: str, body: str) -> None:
    """Refuse unknown placeholders, and a text without a placeholder the e-mail exists for."""
    allowed = EDITABLE[template].placeholders
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text, allowed)
        unpaired = unpaired_brace(text)
        if unpaired:
            errors[field] = unpaired_brace_message(unpaired)
        elif unknown:
            errors[field] = _(
                "Unknown placeholder %(names)s. Use only: %(allowed)s.",
                names=", ".join("{" + u + "}" for u in unknown),
                allowed=", ".join("{" + a + "}" for a in allowed),
            )
    missing = missing_placeholders(body, EDITABLE[template].required)
    if missing and "body" not in errors:
        errors["body"] = _(
            "The text must contain %(names)s: without it the recipient cannot do what the "
            "e-mail is for.",
            names=", ".join("{" + m + "}" for m in missing),
        )
    if errors:
        raise EmailTextRefused(errors)


def save(
    template: str, locale: str, subject: str, body: str, revision: int, actor: User
) -> EmailTemplateText:
    """Save the own text; `revision` is the one the editor started from (0: none existed).

    A stored row with another revision means someone saved in between: refused as a
    conflict (their text is in the exception), never overwritten.
    """
    from webapp.services import audit

    validate(template, subject, body)
    row = db.session.scalar(
        select(EmailTemplateText)
        .where(EmailTemplateText.template == template, EmailTemplateText.locale == locale)
        .with_for_update()
    )
    if (row.revision if row else 0) != revision:
        raise EmailTextConflict(row)
    body = body.replace("\r\n", "\n")
    label = f"{template} ({locale})"
    if row is None:
        row = EmailTemplateText(
            template=template, locale=locale, subject=subject, body=body, revision=1
        )
        db.session.add(row)
        before = None
    else:
        before = {"subject": row.subject, "body": row.body, "revision": row.revision}
        row.subject, row.body, row.revision = subject, body, row.revision + 1
    row.updated_by = actor
    db.session.flush()
    _forget_own_texts()
    after = {"subject": row.subject, "body": row.body, "revision": row.revision}
    audit.record("email_text.saved", row, label, before=before, after=after, actor=actor)
    return row


def revert(template: str, locale: str) -> bool:
    """Delete the own text: the built-in text is used again. False if there was none."""
    from webapp.services import audit

    row = own_text_for(template, locale)
    if row is None:
        return False
    audit.record(
        "email_text.reverted",
        row,
        f"{template} ({locale})",
        before={"subject": row.subject, "body": row.body, "revision": row.revision},
        after=None,
    )
    db.session.delete(row)
    _forget_own_texts()
    return True
