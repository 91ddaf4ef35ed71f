"""Definition drafts: saved even when invalid, concurrent edits refused as conflicts with a diff."""

import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, Role
from webapp.services import drafts


@pytest.fixture
def admin(create_user):
    return create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)


def test_an_invalid_draft_is_kept_and_each_save_bumps_the_revision(app, admin):
    first = drafts.save("form", "nps", "slug: [oops", revision=None, base_number=2, actor=admin)
    db.session.commit()
    assert (first.revision, first.base_number) == (1, 2)
    again = drafts.save("form", "nps", "slug: nps\n", revision=1, base_number=2, actor=admin)
    db.session.commit()
    assert again.id == first.id and again.revision == 2
    assert drafts.current("form", "nps").yaml_text == "slug: nps\n"
    assert db.session.query(AuditEntry).filter_by(action="form.draft_saved").count() == 2


def test_a_save_over_someone_elses_newer_save_is_a_conflict_with_their_text(app, admin):
    drafts.save("workflow", "ticket", "a: 1\nb: 2\n", revision=None, base_number=1, actor=admin)
    db.session.commit()
    drafts.save("workflow", "ticket", "a: 1\nb: 3\n", revision=1, base_number=1, actor=admin)
    db.session.commit()
    with pytest.raises(drafts.EditConflict) as conflict:  # this editor still had revision 1
        drafts.save("workflow", "ticket", "a: 9\nb: 2\n", revision=1, base_number=1, actor=admin)
    db.session.rollback()
    assert conflict.value.current.yaml_text == "a: 1\nb: 3\n"
    kinds = {(line.kind, line.text) for line in conflict.value.diff}
    assert ("removed", "a: 1") in kinds and ("added", "a: 9") in kinds
    assert drafts.current("workflow", "ticket").yaml_text == "a: 1\nb: 3\n"  # nothing overwritten


def test_a_draft_discarded_meanwhile_is_a_conflict_too(app, admin):
    drafts.save("form", "csat", "x: 1\n", revision=None, base_number=None, actor=admin)
    db.session.commit()
    assert drafts.discard("form", "csat")
    db.session.commit()
    with pytest.raises(drafts.EditConflict):
        drafts.save("form", "csat", "x: 2\n", revision=1, base_number=None, actor=admin)


def test_an_oversized_document_is_refused_with_a_message(app, admin):
    with app.test_request_context(), pytest.raises(drafts.DraftRefused, match="KB"):
        drafts.save("form", "big", "x" * (300 * 1024), revision=None, base_number=None, actor=admin)
