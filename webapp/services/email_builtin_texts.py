"""The built-in wording of an editable e-mail, written the way an admin's own text is.

The e-mail text editor starts from it, so that changing one word does not mean retyping
the whole e-mail. It is the e-mail's own templates (`email/<name>.subject.txt` and
`email/<name>.txt`, the ones `queue_email` renders when there is no own text) rendered
in the language with every placeholder standing for itself: `{name}`, `{number}`…

A few values are not plain text in the templates: a moment (`{first_response_due}`) is
formatted, a count (`{days}`, `{failures}`) is a number that picks a plural form, and the
survey's answer links are a list. Each is rendered from a stand-in value that cannot occur
in the wording, and the stand-in's text is then replaced by the placeholder.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from flask import render_template
from flask_babel import force_locale

from webapp.services import email_texts

# Stand-ins for values the templates format or count; their rendered text becomes `{key}`.
_MOMENT = datetime(2037, 11, 29, 21, 43, tzinfo=UTC)
_NUMBER_BASE = 900_000_000  # + the sample count, so that plural forms match the sample
_LINKS_MARK = "\u2063survey-links\u2063"  # invisible separators: never in a translation


def _count_stand_in(sample: str) -> int:
    return _NUMBER_BASE + (int(sample) if sample.isdigit() else 0)


def _context(template: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The templates' variables with placeholders as values, and the stand-ins to replace."""
    editable = email_texts.EDITABLE[template]
    context: dict[str, Any] = {key: "{" + key + "}" for key in editable.placeholders}
    replace: dict[str, str] = {}
    for key, sample in editable.samples.items():
        if key == "first_response_due":
            context[key] = _MOMENT
            shown = email_texts.placeholder_values(template, {key: _MOMENT})[key]
            replace[shown] = "{" + key + "}"
        elif key in ("days", "failures"):
            context[key] = _count_stand_in(sample)
            replace[str(context[key])] = "{" + key + "}"
    if "survey_links" in editable.placeholders:
        context["scores"] = [{"value": _LINKS_MARK, "url": _LINKS_MARK}]
        replace[f"{_LINKS_MARK}: {_LINKS_MARK}"] = "{survey_links}"
    context["state_label"] = "{state}"
    context["ticket"] = SimpleNamespace(
        subject="{subject}", number="{number}", customer_name="{name}", priority="normal"
    )
    return context, replace


def _replaced(text: str, replace: dict[str, str]) -> str:
    for shown in sorted(replace, key=len, reverse=True):
        text = text.replace(shown, replace[shown])
    return text


def normalised_body(body: str) -> str:
    """The text as compared and shown: Unix line ends, no trailing blanks, one blank line
    between paragraphs at most."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def builtin_text(template: str, locale: str) -> tuple[str, str]:
    """(subject, text) of the built-in e-mail in `locale`, with `{placeholders}`."""
    with force_locale(locale):  # also for the stand-ins: a moment is shown in the language
        context, replace = _context(template)
        subject = render_template(f"email/{template}.subject.txt", **context)
        body = render_template(f"email/{template}.txt", **context)
    return " ".join(_replaced(subject, replace).split()), normalised_body(_replaced(body, replace))


def is_builtin(template: str, locale: str, subject: str, body: str) -> bool:
    """True when `subject` and `body` say exactly what the built-in e-mail says."""
    built_in_subject, built_in_body = builtin_text(template, locale)
    return (
        " ".join((subject or "").split()) == built_in_subject
        and normalised_body(body or "") == built_in_body
    )
