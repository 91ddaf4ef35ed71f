"""A form's allowed embedding origins end up in a Content-Security-Policy header: the
validator accepts only bare origins, never text that ends the directive or the header."""

from __future__ import annotations

import json

import pytest

from survey_forms.definition import load_form

FORM = (
    "slug: t\nlanguages: [en]\ntitle: {en: T}\nquestions:\n  - {id: a, type: nps, text: {en: A}}\n"
)


def _origins(*origins: str):
    return load_form(FORM + "allowed_origins: " + json.dumps(list(origins)) + "\n")


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example.com\n",  # a line break in a header: every page view a 500
        "https://shop.example.com;script-src *",
        "https://shop.example.com;sandbox",
        "https://shop.example.com'",
        "https://shop.example.com/path",
        "javascript:alert(1)",
    ],
)
def test_text_that_would_end_the_policy_is_refused(origin):
    result = _origins(origin)
    assert not result.ok
    assert [p.path for p in result.problems] == ["allowed_origins"]


def test_bare_origins_are_kept():
    origins = ("https://shop.example.com", "http://localhost:8080", "https://*.example.org")
    result = _origins(*origins)
    assert result.ok, [p.text for p in result.problems]
    assert result.definition.allowed_origins == origins
