"""Working copies of form and workflow definitions: save anything, detect concurrent edits, diff.

Admins edit definitions as drafts: a draft is saved even when invalid (nothing typed is lost)
and only a valid one may be published (the publishing services check). Each save names the
draft revision it was made from; if someone saved since, the save is refused as an
`EditConflict` carrying their text and the difference, never an overwrite. The revision is
compared in the UPDATE itself, so two saves racing in parallel cannot both win.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import DefinitionDraft, User, utcnow
from webapp.services import audit

MAX_DRAFT_BYTES = 256 * 1024  # the loaders refuse bigger documents with their own message


class DraftRefused(ValueError):
    """The text cannot even be stored as a draft (too big); the message says why."""


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "hunk" | "same" | "added" | "removed"
    text: str


class EditConflict(Exception):
    """Someone saved this draft after the editor was opened."""

    def __init__(self, current: DefinitionDraft | None, yours: str) -> None:
        super().__init__("edit conflict")
        self.current = current
        self.yours = yours
        theirs = current.yaml_text if current else ""
        self.diff = line_diff(theirs, yours)


def current(kind: str, key: str) -> DefinitionDraft | None:
    return db.session.scalar(
        select(DefinitionDraft).where(DefinitionDraft.kind == kind, DefinitionDraft.key == key)
    )


def save(
    kind: str,
    key: str,
    text: str,
    *,
    revision: int | None,
    base_number: int | None,
    actor: User | None,
    describe: Callable[[str | None], dict[str, Any]] | None = None,
    audited: bool = True,
) -> DefinitionDraft:
    """Store `text` as the draft, valid or not (no commit).

    `revision` is the draft revision the editor started from (None: there was no draft).
    `describe` turns a text (None: no draft yet) into the parts the audit log compares
    before and after, so the entry says what the save changed, not only its revision.
    `audited` False: the caller records its own entry, one that says the change better
    (the routing builder's "Changed the routing rules"), so a save is not logged twice.
    Raises DraftRefused for a text too big to keep, EditConflict if someone saved meanwhile.
    """
    if len(text.encode("utf-8", "ignore")) > MAX_DRAFT_BYTES:
        raise DraftRefused(
            _("The document is larger than %(size)s KB.", size=MAX_DRAFT_BYTES // 1024)
        )
    draft = current(kind, key)
    previous = draft.yaml_text if draft is not None else None
    if draft is None:
        if revision is not None:  # it was published or discarded meanwhile
            raise EditConflict(None, text)
        draft = DefinitionDraft(
            kind=kind, key=key, yaml_text=text, base_number=base_number, updated_by=actor
        )
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:  # another admin created it in the same instant
            raise EditConflict(current(kind, key), text) from None
    else:
        saved = db.session.execute(
            update(DefinitionDraft)
            .where(DefinitionDraft.id == draft.id, DefinitionDraft.revision == revision)
            .values(
                yaml_text=text,
                revision=DefinitionDraft.revision + 1,
                updated_by_id=actor.id if actor else None,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(draft)
        if not saved:
            raise EditConflict(draft, text)
    if not audited:
        return draft
    before, after = None, {"revision": draft.revision}
    if describe is not None:
        before = {"revision": revision, **describe(previous)}
        after |= describe(text)
    audit.record(f"{kind}.draft_saved", draft, key, before=before, after=after, actor=actor)
    return draft


def discard(kind: str, key: str) -> bool:
    """Drop the draft (after publishing it, or when an admin throws it away); no commit."""
    draft = current(kind, key)
    if draft is None:
        return False
    db.session.delete(draft)
    return True


def line_diff(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """The unified difference of two texts as typed lines, for showing side by side."""
    lines: list[DiffLine] = []
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines
