"""The forms studio: the forms list, the raw editor's draft, publishing, versions, copies.

Drafts live in `drafts` (kind "form", key = slug) and are shared with the structured editor;
publishing goes through `forms.publish_form`, so in-flight responses keep their version.
Every change here records an audit entry in the caller's transaction; nothing commits.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey_forms.definition import MAX_FORM_BYTES, FormDefinition, load_form
from survey_forms.schedule import FormState, form_state
from survey_forms.translation_check import TranslationReport, check_translations
from webapp.extensions import db
from webapp.models import DefinitionDraft, Form, FormVersion, Response, User
from webapp.models.types import utcnow
from webapp.record_ids import optional_id
from webapp.services import audit, drafts, form_schedule
from webapp.services import forms as form_service
from workflow.yaml_documents import N_, Problem, line_for, read_yaml

KIND = "form"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_TOP_LEVEL_SLUG = re.compile(r"^slug:[ \t]*[^\n#]*?[ \t]*(#.*)?$", re.MULTILINE)

BLANK_TEMPLATE = """\
# A new form: one question per list item; texts per language.
slug: {slug}
title:
  en: "Your feedback"
languages: [en]
default_language: en
intro:
  en: "Hi! We'd love to hear what you think."
questions:
  - id: comment
    type: long_text
    text:
      en: "What can we do better?"
endings:
  - text:
      en: "Thank you for your feedback!"
"""


class StudioRefused(ValueError):
    """A studio action cannot be done; the message (translated) says why."""


class PublishProblems(ValueError):
    """The draft does not validate; `problems` lists every one with its path and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class FormSummary:
    form: Form
    active_number: int | None
    version_count: int
    languages: tuple[str, ...]
    title: str
    complete: int
    partial: int
    has_draft: bool
    definition: FormDefinition | None = None  # the live version's
    state: FormState | None = None  # open, not yet, closed or full (None: not published)

    @property
    def responses(self) -> int:
        return self.complete + self.partial

    @property
    def completion_rate(self) -> int | None:
        """Percent of started responses that were completed (None before the first one)."""
        return round(self.complete * 100 / self.responses) if self.responses else None


@dataclass(frozen=True)
class EditorState:
    """What the raw editor opens with: the draft, or the active version's text."""

    text: str
    revision: int | None  # the draft revision, None when there is no draft yet
    base_number: int | None
    draft: DefinitionDraft | None


def form_summaries(form: Form | None = None, reader: str = "") -> list[FormSummary]:
    """Every form (or just `form`) with its counts, in four queries whatever their number;
    titles in the `reader`'s language where the form has it, else in its default one."""
    forms = select(Form, FormVersion).outerjoin(
        FormVersion, (FormVersion.form_id == Form.id) & FormVersion.active.is_(True)
    )
    versions = select(FormVersion.form_id, func.count(FormVersion.id))
    responses = select(
        Response.form_id, func.count(Response.id), func.count(Response.completed_at)
    ).where(Response.spam.is_(False))  # junk would skew the completion rate
    draft_keys = select(DefinitionDraft.key).where(DefinitionDraft.kind == KIND)
    if form is not None:
        forms = forms.where(Form.id == form.id)
        versions = versions.where(FormVersion.form_id == form.id)
        responses = responses.where(Response.form_id == form.id)
        draft_keys = draft_keys.where(DefinitionDraft.key == form.slug)
    rows = db.session.execute(forms.order_by(Form.archived, Form.slug)).all()
    version_counts = dict(db.session.execute(versions.group_by(FormVersion.form_id)).all())
    response_counts = {
        form_id: (total, complete)
        for form_id, total, complete in db.session.execute(
            responses.group_by(Response.form_id)
        ).all()
    }
    with_drafts = set(db.session.scalars(draft_keys))
    summaries = []
    now, zone = utcnow(), form_schedule.default_zone()
    for row_form, version in rows:
        definition = form_service.definition_of(version) if version is not None else None
        total, complete = response_counts.get(row_form.id, (0, 0))
        # The completed count above is the limit's count (every version): no query more.
        state = form_state(definition, now, zone, complete) if definition else None
        summaries.append(
            FormSummary(
                form=row_form,
                active_number=version.number if version is not None else None,
                version_count=version_counts.get(row_form.id, 0),
                languages=definition.languages if definition else (),
                title=definition.text(definition.title, reader) if definition else "",
                complete=complete,
                partial=total - complete,
                has_draft=row_form.slug in with_drafts,
                definition=definition,
                state=state,
            )
        )
    return summaries


def versions_of(form: Form) -> list[FormVersion]:
    return list(
        db.session.scalars(
            select(FormVersion)
            .where(FormVersion.form_id == form.id)
            .order_by(FormVersion.number.desc())
        )
    )


def version_by_number(form: Form, number: int) -> FormVersion | None:
    return db.session.scalar(
        select(FormVersion).where(FormVersion.form_id == form.id, FormVersion.number == number)
    )


def editor_state(form: Form) -> EditorState:
    draft = drafts.current(KIND, form.slug)
    active = form_service.active_version(form)
    if draft is not None:
        return EditorState(draft.yaml_text, draft.revision, draft.base_number, draft)
    if active is not None:
        return EditorState(active.yaml_text, None, active.number, None)
    return EditorState(BLANK_TEMPLATE.format(slug=form.slug), None, None, None)


def check_text(slug: str, text: str) -> list[Problem]:
    """Every problem that would stop `text` from being published as form `slug`."""
    result = load_form(text)
    problems = list(result.problems)
    if result.definition is not None and result.definition.slug != slug:
        document = read_yaml(text, MAX_FORM_BYTES, "form")
        line = line_for(document.lines, "slug") if not isinstance(document, Problem) else None
        problems.append(
            Problem(
                "slug",
                N_("the form is '%(slug)s', not '%(written)s'"),
                line,
                {"slug": slug, "written": result.definition.slug},
            )
        )
    return problems


def translation_report(text: str) -> TranslationReport | None:
    """Untranslated texts of a (possibly invalid) document; None if it cannot be read."""
    document = read_yaml(text, MAX_FORM_BYTES, "form")
    if isinstance(document, Problem):
        return None
    return check_translations(document.data, document.lines)


def save_draft(
    form: Form, text: str, *, revision: int | None, base_number: int | None, actor: User
) -> DefinitionDraft:
    """Keep `text` as the form's draft, valid or not (raises DraftRefused / EditConflict)."""
    return drafts.save(
        KIND, form.slug, text, revision=revision, base_number=base_number, actor=actor
    )


def publish_draft(form: Form, revision: int | None, actor: User) -> FormVersion:
    """Publish the saved draft the admin was looking at, then drop the draft.

    Raises StudioRefused (no draft), EditConflict (someone saved since the page was
    opened: they must look at it first) or PublishProblems (the draft does not validate).
    """
    draft = drafts.current(KIND, form.slug)
    if draft is None:
        raise StudioRefused(_("There is no draft to publish: save your changes first."))
    if revision is None or draft.revision != revision:
        raise drafts.EditConflict(draft, draft.yaml_text)
    problems = check_text(form.slug, draft.yaml_text)
    if problems:
        raise PublishProblems(problems)
    before = form_service.active_version(form)
    version = _publish(form.slug, draft.yaml_text, actor)
    drafts.discard(KIND, form.slug)
    audit.record(
        "form.published",
        form,
        form.slug,
        before={"version": before.number if before else None},
        after={"version": version.number},
    )
    return version


def discard_draft(form: Form) -> bool:
    draft = drafts.current(KIND, form.slug)
    if draft is None:
        return False
    audit.record("form.draft_discarded", form, form.slug, before={"revision": draft.revision})
    return drafts.discard(KIND, form.slug)


def roll_back(form: Form, number: int, actor: User) -> FormVersion:
    """Publish version `number`'s text again as a new version (the draft stays as it is)."""
    old = version_by_number(form, number)
    if old is None:
        raise StudioRefused(_("There is no version %(number)s.", number=number))
    before = form_service.active_version(form)
    problems = check_text(form.slug, old.yaml_text)
    if problems:
        raise PublishProblems(problems)
    version = _publish(form.slug, old.yaml_text, actor)
    audit.record(
        "form.rolled_back",
        form,
        form.slug,
        before={"version": before.number if before else None},
        after={"version": version.number, "copied_from": number},
    )
    return version


def _publish(slug: str, text: str, actor: User) -> FormVersion:
    try:
        return form_service.publish_form(slug, text, actor)
    except form_service.FormPublishRefused as refused:
        raise PublishProblems(
            [p if isinstance(p, Problem) else Problem("", str(p)) for p in refused.problems]
        ) from None


def check_new_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        raise StudioRefused(
            _("A form's address may use lowercase letters, digits and dashes (up to 63).")
        )
    if form_service.find_form(slug) is not None:
        raise StudioRefused(_("A form with the address “%(slug)s” exists already.", slug=slug))
    return slug


def builtin_templates() -> list[str]:
    return sorted(path.stem for path in form_service.BUILTIN_DIR.glob("*.yaml"))


def create_form(slug: str, template: str, actor: User) -> Form:
    """A new form as a draft, blank or copied from a built-in form.

    Customers cannot reach it (its address answers 404) until an admin publishes it: a
    half-written form with placeholder texts must never be live.
    """
    slug = check_new_slug(slug)
    if template in ("", "blank"):
        text = BLANK_TEMPLATE.format(slug=slug)
    elif template in builtin_templates():
        source = Path(form_service.BUILTIN_DIR, f"{template}.yaml").read_text(encoding="utf-8")
        text = with_slug(source, slug)
    else:
        raise StudioRefused(_("Choose a template from the list."))
    form = Form(slug=slug)
    db.session.add(form)
    db.session.flush()
    drafts.save(KIND, slug, text, revision=None, base_number=None, actor=actor)
    audit.record("form.created", form, slug, after={"template": template or "blank"})
    return form


def duplicate_form(form: Form, new_slug: str, actor: User) -> Form:
    """Copy the form's live version (a draft stays with the original) under a new slug."""
    new_slug = check_new_slug(new_slug)
    active = form_service.active_version(form)
    source = active.yaml_text if active is not None else editor_state(form).text
    version = _publish_new(new_slug, with_slug(source, new_slug), actor)
    audit.record("form.duplicated", version.form, new_slug, after={"copied_from": form.slug})
    return version.form


def _publish_new(slug: str, text: str, actor: User) -> FormVersion:
    problems = check_text(slug, text)
    if problems:
        raise PublishProblems(problems)
    return _publish(slug, text, actor)


def with_slug(text: str, slug: str) -> str:
    """`text` with its top-level slug replaced, keeping comments and layout where possible."""
    replaced, count = _TOP_LEVEL_SLUG.subn(lambda m: f"slug: {slug}", text, count=1)
    if count:
        return replaced
    document = read_yaml(text, MAX_FORM_BYTES, "form")
    if isinstance(document, Problem) or not isinstance(document.data, dict):
        raise StudioRefused(_("The form's text cannot be read, so it cannot be copied."))
    data = dict(document.data)
    data["slug"] = slug
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def set_archived(form: Form, archived: bool) -> bool:
    """Archive (the public link shows a polite closed page) or bring back; False if unchanged."""
    if form.archived == archived:
        return False
    form.archived = archived
    audit.record(
        "form.archived" if archived else "form.unarchived",
        form,
        form.slug,
        before={"archived": not archived},
        after={"archived": archived},
    )
    return True


def diff_texts(form: Form, left: str, right: str) -> tuple[str, str, list]:
    """Texts of two sides ("draft" or a version number) and their line diff."""
    old, new = side_text(form, left), side_text(form, right)
    return old, new, drafts.line_diff(old, new)


def side_text(form: Form, side: str) -> str:
    if side == "draft":
        draft = drafts.current(KIND, form.slug)
        if draft is None:
            raise StudioRefused(_("This form has no draft."))
        return draft.yaml_text
    number = optional_id(side)
    if number is None:
        raise StudioRefused(_("Choose two versions to compare."))
    version = version_by_number(form, number)
    if version is None:
        raise StudioRefused(_("There is no version %(number)s.", number=side))
    return version.yaml_text


WIDGET_TRIGGERS = ("button", "exit-intent", "delay", "scroll")
WIDGET_STYLES = ("button", "tab")
WIDGET_POSITIONS = ("right", "left")
WIDGET_COLOR = "#0f766e"  # the button's colour unless the site owner picks their own
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class EmbedOptions:
    trigger: str = "button"  # one of WIDGET_TRIGGERS
    seconds: int = 15  # for "delay"
    percent: int = 60  # for "scroll"
    style: str = "button"
    lang: str = "auto"
    days: int = 30  # how long the widget stays quiet after it was closed or answered
    position: str = "right"
    color: str = WIDGET_COLOR  # #rrggbb, as <input type=color> sends it
    label: str = ""  # the button's text; empty: "Feedback" in the visitor's language

    @classmethod
    def from_args(cls, args, languages: tuple[str, ...], accent: str | None = None) -> EmbedOptions:
        """Options from query parameters; anything unknown falls back to the default.

        The button's colour starts as the form's own accent colour (its branding), if any.
        """
        default_color = accent if accent and _HEX_COLOR.fullmatch(accent) else WIDGET_COLOR

        def number(name: str, default: int, low: int, high: int) -> int:
            value = args.get(name, "")
            return min(max(int(value), low), high) if str(value).isdigit() else default

        trigger = args.get("trigger", "button")
        lang = args.get("lang", "auto")
        return cls(
            trigger=trigger if trigger in WIDGET_TRIGGERS else "button",
            seconds=number("seconds", 15, 1, 3600),
            percent=number("percent", 60, 1, 100),
            style=args.get("style") if args.get("style") in WIDGET_STYLES else "button",
            lang=lang if lang in languages else "auto",
            days=number("days", 30, 0, 3650),
            position=args.get("position") if args.get("position") in WIDGET_POSITIONS else "right",
            color=color if _HEX_COLOR.fullmatch(color := args.get("color", "")) else default_color,
            label=" ".join(str(args.get("label", "")).split())[:40],
        )

    @property
    def trigger_value(self) -> str:
        """The widget's data-trigger value, e.g. "delay:15"."""
        if self.trigger == "delay":
            return f"delay:{self.seconds}"
        if self.trigger == "scroll":
            return f"scroll:{self.percent}"
        return self.trigger


def embed_snippet(script_url: str, slug: str, options: EmbedOptions) -> str:
    """The <script> tag a site owner pastes into their pages.

    Every value is checked against a fixed set or pattern except the label, which is
    escaped for the attribute. Defaults are left out to keep the tag short.
    """
    brand = ""
    if options.position != "right":
        brand += f' data-position="{options.position}"'
    if options.color.lower() != WIDGET_COLOR:
        brand += f' data-color="{options.color}"'
    if options.label:
        brand += f' data-label="{html.escape(options.label, quote=True)}"'
    return (
        f'<script src="{script_url}" data-form="{slug}" data-lang="{options.lang}"\n'
        f'  data-trigger="{options.trigger_value}" data-style="{options.style}"'
        f' data-days="{options.days}"{brand} async></script>'
    )
