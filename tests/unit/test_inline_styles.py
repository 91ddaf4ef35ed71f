"""Pages refuse inline styles (style-src has no 'unsafe-inline'): nothing of ours may need one."""

import re
from pathlib import Path

import pytest

from webapp.security import content_security_policy, inline_style_hashes

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
TEMPLATES = WEBAPP / "templates"
# E-mails keep their inline styles: mail programs ignore stylesheets, and no page shows them
# but the e-mail editor's preview frame, whose policy lets exactly their hashes through.
EMAIL_TEMPLATES = {TEMPLATES / "admin" / "_email_own_text.html"}
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
# Jinja's own text left out: `url_for(..., style=...)` is an argument, not an attribute.
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _page_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.parent.name != "email" and path not in EMAIL_TEMPLATES
    ]


@pytest.mark.parametrize("path", _page_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_page_templates_have_no_inline_styles(path):
    text = JINJA.sub("", path.read_text(encoding="utf-8"))
    assert not STYLE_ATTRIBUTE.search(text), "a style= attribute: use a class in webapp/static/css"
    assert not STYLE_ELEMENT.search(text), "a <style> element: move it to webapp/static/css"


def test_the_widget_stylesheet_matches_what_the_loader_adds():
    """widget.css (linked by the demo page, and by sites with a strict policy) is the loader's
    own <style>: a change to one must be made to the other."""
    script = (WEBAPP / "static" / "js" / "widget.js").read_text(encoding="utf-8")
    pieces = re.search(r"var css = (.*?);\n", script, re.DOTALL).group(1)
    added = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', pieces))
    sheet = (WEBAPP / "static" / "css" / "widget.css").read_text(encoding="utf-8")
    assert re.sub(r"/\*.*?\*/\s*", "", sheet, flags=re.DOTALL).strip() == added
    assert 'getElementById("ld-widget-css")' in script  # a linked copy stops the <style>


def test_hashes_of_inline_styles_are_the_ones_the_browser_asks_for():
    # Chromium's console names this hash when it refuses style="color:#ff0000;".
    assert inline_style_hashes('<p style="color:#ff0000;">a</p><b style="">b</b>') == [
        "'sha256-m4edcspsiUL06wtd7wnpJiHBPa8/mhZYca65wvp55XQ='"
    ]
    policy = content_security_policy(style_hashes=["'sha256-x'", "'sha256-x'"])
    assert "style-src 'self' 'unsafe-hashes' 'sha256-x';" in policy
    assert "style-src 'self';" in content_security_policy()
