"""Form branding: WCAG contrast checks, the CSS variables a branding sets, and the YAML block.

Pure functions over validated values (see `definition.branding_problems`): the web layer
never puts anything into a page's style that did not pass through here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from survey_forms.definition import Branding, FormDefinition

AA_TEXT = 4.5  # WCAG 2.x level AA, normal-size text
WHITE = "#ffffff"
DEFAULT_BACKGROUND = "#ffffff"  # the light theme's page colour
# The theme's body text colours (Pico's light and dark themes): a branded background picks
# the theme whose background it resembles, and the text keeps that theme's colour.
LIGHT_TEXT = "#373c44"
DARK_TEXT = "#c2c7d0"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb" (0 = black, 1 = white)."""
    if not _COLOUR.match(colour):
        raise ValueError(f"not a colour: {colour!r}")
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours, from 1.0 to 21.0."""
    light, dark = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_dark(colour: str) -> bool:
    """Whether white text reads better on `colour` than black text."""
    return contrast_ratio(WHITE, colour) >= contrast_ratio("#000000", colour)


def text_colour_on(background: str) -> str:
    return DARK_TEXT if is_dark(background) else LIGHT_TEXT


@dataclass(frozen=True)
class ContrastIssue:
    """One pair of colours below WCAG AA; `kind` is accent_text | accent_links | background."""

    kind: str
    foreground: str
    background: str
    ratio: float


def contrast_issues(definition: FormDefinition | Branding) -> list[ContrastIssue]:
    """Where the branding's text would be hard to read (below WCAG AA, 4.5:1)."""
    branding = definition.branding if isinstance(definition, FormDefinition) else definition
    background = branding.background or DEFAULT_BACKGROUND
    pairs = []
    if branding.accent:
        pairs.append(("accent_text", WHITE, branding.accent))  # buttons, the customer's bubbles
        pairs.append(("accent_links", branding.accent, background))
    if branding.background:
        pairs.append(("background", text_colour_on(branding.background), branding.background))
    issues = []
    for kind, fg, bg in pairs:
        ratio = contrast_ratio(fg, bg)
        if ratio < AA_TEXT:
            issues.append(ContrastIssue(kind, fg, bg, ratio))
    return issues


_WARNINGS = {
    "accent_text": "White text on the accent colour {bg} (buttons, the customer's answers) has a "
    "contrast of {ratio}:1; WCAG AA needs 4.5:1. Choose a darker accent colour.",
    "accent_links": "Links in the accent colour {fg} on the background {bg} have a contrast of "
    "{ratio}:1; WCAG AA needs 4.5:1.",
    "background": "Text on the background colour {bg} has a contrast of {ratio}:1; WCAG AA "
    "needs 4.5:1. Choose a lighter or a darker background.",
}


def contrast_warnings(definition: FormDefinition | Branding) -> list[str]:
    """The contrast issues as sentences (English; the web layer translates `contrast_issues`)."""
    return [
        _WARNINGS[issue.kind].format(
            fg=issue.foreground, bg=issue.background, ratio=f"{issue.ratio:.1f}"
        )
        for issue in contrast_issues(definition)
    ]


def style_variables(branding: Branding) -> str:
    """The CSS custom properties a branding sets (validated colours only)."""
    parts = []
    if branding.accent and _COLOUR.match(branding.accent):
        parts.append(f"--ld-accent: {branding.accent}")
    if branding.background and _COLOUR.match(branding.background):
        parts.append(f"--ld-background: {branding.background}")
        parts.append(f"--ld-text: {text_colour_on(branding.background)}")
    return "; ".join(parts)


def stylesheet(branding: Branding) -> str:
    """The branding's custom properties as a stylesheet for `.branded` elements.

    The pages' Content-Security-Policy refuses inline styles, so the colours come from a
    served stylesheet instead of a `style` attribute.
    """
    variables = style_variables(branding)
    return f".branded {{ {variables}; }}\n" if variables else ""


def colour_classes(branding: Branding) -> str:
    """The classes that switch on the branded rules in chat.css (`brand-accent`, ...)."""
    classes = []
    if branding.accent and _COLOUR.match(branding.accent):
        classes.append("brand-accent")
    if branding.background and _COLOUR.match(branding.background):
        classes.append("brand-background")
    return " ".join(classes)


def theme_for(branding: Branding) -> str | None:
    """ "light"/"dark" when a background forces the theme; None follows the visitor's setting."""
    if not branding.background or not _COLOUR.match(branding.background):
        return None
    return "dark" if is_dark(branding.background) else "light"


def branding_mapping(branding: Branding) -> dict[str, str]:
    """The `branding:` mapping as it is written in a definition (defaults left out)."""
    values = {
        "accent": branding.accent,
        "background": branding.background,
        "font": branding.font if branding.font != "system" else None,
        "logo": branding.logo,
        "avatar": branding.avatar,
    }
    return {key: value for key, value in values.items() if value}


def with_top_level_key(text: str, key: str, value: Any) -> str:
    """`text` (a YAML or JSON definition) with top-level `key` set to `value` (None removes it).

    YAML is edited as text so the rest of the admin's document (comments, order, quoting)
    stays as it was: the old `key:` block is cut out and the new one appended.
    """
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            if value is None or value == {}:
                data.pop(key, None)
            else:
                data[key] = value
            return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    kept: list[str] = []
    held: list[str] = []  # blank lines and comments at the block's end: whose are they?
    skipping = False
    for line in text.splitlines():
        if re.match(rf"^{re.escape(key)}\s*:", line):
            skipping, held = True, []
            continue
        if skipping:
            if not line.strip() or line.startswith("#"):
                held.append(line)
                continue
            if line[0].isspace():  # still inside the block: the held lines were its own
                held = []
                continue
            skipping = False
            kept.extend(held)
            held = []
        kept.append(line)
    kept.extend(held)
    while kept and not kept[-1].strip():
        kept.pop()
    result = "\n".join(kept) + ("\n" if kept else "")
    if value is None or value == {}:
        return result
    return result + _yaml_block(key, value)


def _yaml_block(key: str, value: Any) -> str:
    if isinstance(value, Mapping):
        body = "".join(
            f"  {k}: {json.dumps(str(v), ensure_ascii=False)}\n" for k, v in value.items()
        )
        return f"{key}:\n{body}"
    return f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
