"""Form branding: WCAG contrast, validation with paths, and editing the draft's YAML."""

import json

import pytest

from survey_forms.branding import (
    colour_classes,
    contrast_issues,
    contrast_ratio,
    contrast_warnings,
    style_variables,
    stylesheet,
    theme_for,
    with_top_level_key,
)
from survey_forms.definition import Branding, load_form

FORM = """\
# A small form: comments and order must survive a branding edit.
slug: demo
title: {en: Demo}
languages: [en]
branding:
  accent: "#0f766e"   # our teal
  font: serif
# The questions
questions:
  - id: score
    type: nps
    text: {en: "How likely?"}
"""


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),  # the maximum
        ("#ffffff", "#ffffff", 1.0),  # the minimum
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),  # one step lighter fails
        ("#ffffff", "#0000ff", 8.59),  # pure blue
        ("#ff0000", "#ffffff", 4.0),  # pure red
        ("#ffffff", "#0f766e", 5.47),  # our default teal
    ],
)
def test_contrast_ratio_matches_known_wcag_values(fg, bg, ratio):
    assert contrast_ratio(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(ratio, abs=0.01)  # order does not matter


def test_contrast_ratio_refuses_what_is_not_a_colour():
    with pytest.raises(ValueError):
        contrast_ratio("red", "#ffffff")


def test_no_branding_and_a_readable_accent_give_no_warnings():
    assert contrast_warnings(Branding()) == []
    assert contrast_warnings(Branding(accent="#0f766e")) == []
    assert contrast_warnings(Branding(accent="#1e3a8a", background="#f8fafc")) == []


def test_light_accent_warns_about_button_text_and_links():
    warnings = contrast_warnings(Branding(accent="#ffcc00"))
    assert len(warnings) == 2
    assert "White text on the accent colour #ffcc00" in warnings[0]
    assert "1.5:1" in warnings[0] and "4.5:1" in warnings[0]
    assert [issue.kind for issue in contrast_issues(Branding(accent="#ffcc00"))] == [
        "accent_text",
        "accent_links",
    ]


def test_mid_grey_background_warns_about_its_text():
    issues = contrast_issues(Branding(background="#7a7a7a"))
    assert [issue.kind for issue in issues] == ["background"]
    assert issues[0].ratio < 4.5


def test_accent_links_are_checked_on_the_chosen_background():
    # White text on the accent is fine, but the accent on a dark background is not.
    kinds = [i.kind for i in contrast_issues(Branding(accent="#1e3a8a", background="#111827"))]
    assert kinds == ["accent_links"]


def test_warnings_come_from_a_whole_definition_too():
    result = load_form(FORM.replace('"#0f766e"', '"#ffcc00"'))
    assert result.ok
    assert len(contrast_warnings(result.definition)) == 2


def test_valid_branding_is_loaded():
    definition = load_form(FORM).definition
    assert definition.branding == Branding(accent="#0f766e", font="serif")
    assert load_form(FORM.replace("  font: serif\n", "")).definition.branding.font == "system"


@pytest.mark.parametrize(
    ("line", "path", "message"),
    [
        ('  background: "red"', "branding.background", "'red' is not a colour like #0f766e"),
        ('  background: "#12345"', "branding.background", "is not a colour"),
        ("  font: comic-sans", "branding.font", "unknown font 'comic-sans'"),
        ('  logo: "javascript:alert(1)"', "branding.logo", "https://"),
        ('  logo: "http://example.com/a.png"', "branding.logo", "https://"),
        ('  avatar: "https://x.test/a.png\\" onerror=\\"x"', "branding.avatar", "https://"),
        ('  avatar: "asset:../../etc/passwd"', "branding.avatar", "https://"),
        ("  css: 'body{}'", "branding.css", "unknown key"),
    ],
)
def test_bad_branding_is_reported_with_path_and_line(line, path, message):
    result = load_form(FORM.replace("  font: serif", line))
    assert not result.ok
    problem = next(p for p in result.problems if p.path == path)
    assert message in problem.text
    assert problem.line == 7


def test_uploaded_images_and_https_addresses_are_accepted():
    text = FORM.replace(
        "  font: serif",
        '  logo: "asset:0123456789abcdef0123456789abcdef.png"\n'
        '  avatar: "https://cdn.example.com/bots/ola.webp?v=2"',
    )
    branding = load_form(text).definition.branding
    assert branding.logo == "asset:0123456789abcdef0123456789abcdef.png"
    assert branding.avatar == "https://cdn.example.com/bots/ola.webp?v=2"


def test_style_variables_hold_validated_colours_only():
    assert style_variables(Branding()) == ""
    style = style_variables(Branding(accent="#0f766e", background="#111827"))
    assert style == "--ld-accent: #0f766e; --ld-background: #111827; --ld-text: #c2c7d0"
    # A value that slipped past validation never reaches the page.
    assert style_variables(Branding(accent="red;background:url(x)")) == ""
    assert theme_for(Branding(background="#111827")) == "dark"
    assert theme_for(Branding(background="#fdf6e3")) == "light"
    assert theme_for(Branding()) is None


def test_the_brand_stylesheet_and_its_classes_come_from_valid_colours_only():
    both = Branding(accent="#0f766e", background="#111827")
    assert stylesheet(both) == (
        ".branded { --ld-accent: #0f766e; --ld-background: #111827; --ld-text: #c2c7d0; }\n"
    )
    assert colour_classes(both) == "brand-accent brand-background"
    broken = Branding(accent="#0f766e;}body{display:none", background="#fff")
    assert stylesheet(broken) == "" and colour_classes(broken) == ""
    assert stylesheet(Branding()) == "" and colour_classes(Branding()) == ""


def test_setting_branding_keeps_the_rest_of_the_document():
    text = with_top_level_key(FORM, "branding", {"accent": "#1e3a8a", "background": "#ffffff"})
    assert "# A small form" in text and "# The questions" in text
    assert "our teal" not in text and "font: serif" not in text
    assert text.endswith('branding:\n  accent: "#1e3a8a"\n  background: "#ffffff"\n')
    result = load_form(text)
    assert result.ok
    assert result.definition.branding == Branding(accent="#1e3a8a", background="#ffffff")
    assert [q.id for q in result.definition.questions] == ["score"]


def test_removing_branding_and_quoting_bot_names():
    text = with_top_level_key(FORM, "branding", None)
    assert "branding:" not in text and "accent" not in text and load_form(text).ok
    text = with_top_level_key(text, "bot_name", {"en": 'Ola "the bot": #1'})
    assert load_form(text).definition.bot_name == {"en": 'Ola "the bot": #1'}


def test_json_definitions_stay_json():
    question = {"id": "a", "type": "nps", "text": "?"}
    data = {"slug": "demo", "title": {"en": "Demo"}, "questions": [question]}
    text = with_top_level_key(json.dumps(data), "branding", {"accent": "#0f766e"})
    assert json.loads(text)["branding"] == {"accent": "#0f766e"}
    assert load_form(text).definition.branding.accent == "#0f766e"
