"""Every breadcrumb is styled as one: a › between its steps and long names wrapped.

Pico styles nav[aria-label=breadcrumb] only; ours is named in the reader's language
("Okruszki"), so each carries the class our stylesheet styles."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"


def test_every_breadcrumb_nav_has_the_breadcrumb_class():
    navs = {
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in TEMPLATES.rglob("*.html")
        for tag in re.findall(r"<nav\b[^>]*>", path.read_text(encoding="utf-8"))
        if "Breadcrumb" in tag
    }
    assert navs, "no breadcrumbs found"
    assert [nav for nav in sorted(navs) if 'class="breadcrumb"' not in nav] == []
