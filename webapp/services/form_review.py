"""The review an admin sees before publishing a form's draft: what customers will get.

It compares the saved draft with the live version part by part (`survey_forms.changes`),
keeps the YAML line diff for those who read YAML, and lists the problems that stop a
publication. A form never published yet has nothing to compare with: the review then
summarises what goes live. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from survey_forms import builder
from survey_forms.changes import FormChanges, form_changes
from webapp.extensions import db
from webapp.models import DefinitionDraft, Form, FormVersion
from webapp.services import drafts, form_studio
from webapp.services import forms as form_service
from workflow.yaml_documents import Problem


@dataclass(frozen=True)
class PublishReview:
    draft: DefinitionDraft | None  # None: nothing to publish
    live: FormVersion | None  # None: the first publication
    problems: list[Problem]
    changes: FormChanges | None  # None when either side cannot be read as a form
    before: builder.Outline | None  # the live version as the builder shows it
    after: builder.Outline | None  # the draft as the builder shows it
    diff: list[drafts.DiffLine]
    next_number: int = 1  # the number the draft gets when published

    @property
    def can_publish(self) -> bool:
        return self.draft is not None and not self.problems

    @property
    def before_questions(self) -> dict[str, builder.QuestionView]:
        return {q.id: q for q in self.before.questions} if self.before else {}

    @property
    def after_questions(self) -> dict[str, builder.QuestionView]:
        return {q.id: q for q in self.after.questions} if self.after else {}


def publish_review(form: Form) -> PublishReview:
    draft = drafts.current(form_studio.KIND, form.slug)
    live = form_service.active_version(form)
    if draft is None:
        return PublishReview(None, live, [], None, None, None, [])
    after_data = _data(draft.yaml_text)
    before_data = _data(live.yaml_text) if live is not None else None
    changes = None
    if after_data is not None and before_data is not None:
        changes = form_changes(before_data, after_data)
    return PublishReview(
        draft=draft,
        live=live,
        problems=form_studio.check_text(form.slug, draft.yaml_text),
        changes=changes,
        before=builder.outline(before_data) if before_data is not None else None,
        after=builder.outline(after_data) if after_data is not None else None,
        diff=drafts.line_diff(live.yaml_text if live else "", draft.yaml_text),
        next_number=_next_number(form),
    )


def _next_number(form: Form) -> int:
    number = db.session.scalar(
        select(func.max(FormVersion.number)).where(FormVersion.form_id == form.id)
    )
    return (number or 0) + 1


def _data(text: str) -> dict | None:
    try:
        return builder.read(text)
    except builder.BuilderError:
        return None
