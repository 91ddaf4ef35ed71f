"""Filling `{placeholder}`s in an admin's own e-mail text, so that a missing value reads well.

A customer who gave no name must not get "Hello ," or "Здравствуйте, !". An empty value
takes the spacing that only stood around it along: "Hello {name}," reads "Hello,",
"Dzień dobry, {name}," reads "Dzień dobry," and "Здравствуйте, {name}!" reads
"Здравствуйте!". A line that only makes sense with its value ("You can expect a first
reply by {first_response_due}.") is left out when the value is missing, and so is a line
left with nothing.

Values are inserted literally in one pass over the admin's text (never Jinja, never
str.format), so a customer's name containing "{link}" stays "{link}".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from flask_babel import gettext

# Any {…} token; only the listed names are allowed inside the braces.
TOKEN = re.compile(r"\{([^{}\n]*)\}")
# Punctuation that closes what came before: an empty value right before it leaves no gap.
_CLOSING = frozenset(",.;:!?)…")
_BLANK = " \t"
_SENTENCE_END = re.compile(r"(?<=[.!?;])[ \t]+")


def unknown_placeholders(text: str, allowed: Mapping[str, Any]) -> list[str]:
    """Every `{token}` in `text` that is not an allowed placeholder name, in order."""
    return list(dict.fromkeys(t for t in TOKEN.findall(text) if t not in allowed))


def unpaired_brace(text: str) -> str | None:
    """The text at the first `{` or `}` that has no pair, e.g. "{status_link" (None if none).

    Such a brace is nearly always a typo for a placeholder: the recipient would read it
    literally ("{status_link") and miss the link.
    """
    rest = TOKEN.sub(lambda match: " " * len(match.group(0)), text)
    for index, char in enumerate(rest):
        if char == "{":
            return text[index : index + 21].split("\n")[0].strip()
        if char == "}":
            return text[max(0, index - 20) : index + 1].split("\n")[-1].strip()
    return None


def unpaired_brace_message(fragment: str) -> str:
    return gettext(
        "“%(fragment)s” has a brace without its pair. Write placeholders with both braces, "
        "e.g. {name}.",
        fragment=fragment,
    )


def missing_placeholders(text: str, required: Collection[str]) -> list[str]:
    """The required placeholder names that `text` does not use, in the given order."""
    used = set(TOKEN.findall(text))
    return [name for name in required if name not in used]


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace known `{name}`s in one pass; values are inserted literally, never re-read.

    An empty (or blank) value also removes the gap it would leave, see the module's doc.
    """
    result, last = "", 0
    for match in TOKEN.finditer(text):
        result += text[last : match.start()]
        last = match.end()
        key = match.group(1)
        if key not in values:
            result += match.group(0)
        elif values[key].strip():
            result += values[key]
        else:
            result, last = _close_gap(result, text, last)
    return result + text[last:]


def _close_gap(before: str, text: str, after: int) -> tuple[str, int]:
    """The text before an empty value, and where to go on after it, without a stray gap."""
    rest = text[after:]
    spaces = len(rest) - len(rest.lstrip(_BLANK))
    following = rest[spaces : spaces + 1]  # "" at the end of the text
    trimmed = before.rstrip(_BLANK)
    line_start = trimmed == "" or trimmed.endswith("\n")
    if following in ("", "\n", "\r"):  # "Regards, {agent}" → "Regards,"
        return trimmed, after + spaces
    if following in _CLOSING:
        if line_start:  # "{name}, your request…" → "your request…"
            skipped = rest[spaces + 1 :]
            return trimmed, after + spaces + 1 + len(skipped) - len(skipped.lstrip(_BLANK))
        if trimmed.endswith(","):  # "Hello, {name}!" → "Hello!"
            trimmed = trimmed[:-1].rstrip(_BLANK)
        return trimmed, after + spaces
    if line_start:  # "{name} wrote:" → "wrote:"
        return trimmed, after + spaces
    return trimmed + " ", after + spaces  # "Hi {name} and welcome" → "Hi and welcome"


def drop_sentences_without(
    text: str, values: Mapping[str, str], sentence_keys: Collection[str]
) -> str:
    """`text` without the sentences that use one of `sentence_keys` whose value is empty.

    Only the sentence (or the clause after a ";") goes: "Thanks. We reply by {due}." keeps
    "Thanks."; a line left with nothing is left out.
    """
    missing = {key for key in sentence_keys if key in values and not values[key].strip()}
    if not missing:
        return text
    lines = []
    for line in text.split("\n"):
        pieces = _SENTENCE_END.split(line)
        kept = [piece for piece in pieces if not missing.intersection(TOKEN.findall(piece))]
        if len(kept) == len(pieces):
            lines.append(line)
        elif kept:  # "… to our team; we reply by {due}." → "… to our team."
            lines.append(re.sub(r"[ \t]*[;,:]$", ".", " ".join(kept).rstrip(_BLANK)))
    return "\n".join(lines)
