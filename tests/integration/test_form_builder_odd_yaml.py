"""A form's YAML may hold anything an admin types: the builder, the overview and the publish
review show what is wrong with it, never a server error."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from tests.helpers import text_of
from webapp.services import drafts

NPS = (Path(__file__).resolve().parents[2] / "survey_forms/templates/nps.yaml").read_text()


@pytest.fixture
def as_admin(builtin_forms, admin, login):
    login(admin)
    return admin


@pytest.mark.parametrize("written", ["type: [nps]", "type: {nps: 1}"])
def test_a_question_type_written_as_a_list_or_mapping(client, as_admin, post_form, written):
    text = NPS.replace("type: nps", written, 1)
    assert text != NPS
    saved = post_form(
        "/admin/forms/nps/yaml", {"yaml_text": text, "revision": "", "base_number": "1"}
    )
    assert saved.status_code == 303
    assert drafts.current("form", "nps").yaml_text == text
    for page in ("/admin/forms/nps/edit", "/admin/forms/nps", "/admin/forms/nps/publish"):
        response = client.get(page)
        assert response.status_code == 200, page
    review = html.unescape(text_of(client.get("/admin/forms/nps/publish")))
    assert "cannot be published yet" in review and "questions[0].type" in review


def test_a_score_group_condition_with_no_group(client, as_admin, post_form):
    """show_if: score.category in [] picks no group: said as written, not a 500."""
    written = "show_if: {field: score.category, op: in, value: [detractor, passive]}"
    text = NPS.replace(written, "show_if: {field: score.category, op: in, value: []}")
    assert text != NPS
    saved = post_form(
        "/admin/forms/nps/yaml", {"yaml_text": text, "revision": "", "base_number": "1"}
    )
    assert saved.status_code == 303
    for page in ("/admin/forms/nps/edit", "/admin/forms/nps/publish"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert '"value": []' in html.unescape(text_of(response)), page
