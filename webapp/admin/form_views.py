"""Admin pages for forms: list, raw YAML editor with live validation, versions, embed code.

Views stay thin: the studio service does the work and records the audit entries; these
parse the request, commit, and pick the page or the htmx fragment to show.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request as htmx_request

from survey_forms.definition import load_form
from webapp.admin import bp
from webapp.admin.form_builder_views import PART_LABELS, TYPE_LABELS
from webapp.admin.form_schedule_words import (
    closes_words,
    schedule_facts,
    setting_change_words,
    state_words,
    zone_for,
)
from webapp.admin.form_words import describe_condition
from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.htmx_responses import render_page_or_partial
from webapp.models import Form
from webapp.record_ids import optional_id
from webapp.security import admin_required
from webapp.services import drafts, form_review, form_studio
from webapp.services import forms as form_service


def _form_or_404(slug: str) -> Form:
    form = form_service.find_form(slug)
    if form is None:
        abort(404)
    return form


def _page(template: str, status: int = 200, **context):
    response = make_response(render_template(template, **context))
    response.status_code = status
    return response


@bp.get("/forms")
@admin_required
def form_list():
    return render_template(
        "admin/forms.html",
        summaries=form_studio.form_summaries(reader=str(get_locale() or "")),
        templates=form_studio.builtin_templates(),
        new_slug="",
        chosen_template="blank",
        error=None,
        state_words=state_words,
        closes_words=closes_words,
    )


@bp.post("/forms")
@admin_required
def create_form():
    slug = request.form.get("slug", "").strip()
    template = request.form.get("template", "blank")
    try:
        form = form_studio.create_form(slug, template, current_user)
    except (form_studio.StudioRefused, form_studio.PublishProblems) as refused:
        db.session.rollback()
        return _page(
            "admin/forms.html",
            422,
            summaries=form_studio.form_summaries(reader=str(get_locale() or "")),
            templates=form_studio.builtin_templates(),
            new_slug=slug,
            chosen_template=template,
            error=str(refused),
            state_words=state_words,
            closes_words=closes_words,
        )
    db.session.commit()
    flash(
        _(
            "The form “%(slug)s” was created as a draft. Customers cannot open it until you "
            "publish it.",
            slug=form.slug,
        ),
        "success",
    )
    return redirect(url_for("admin.form_builder", slug=form.slug), code=303)


@bp.get("/forms/<slug>")
@admin_required
def form_overview(slug: str):
    form = _form_or_404(slug)
    summary = form_studio.form_summaries(form, str(get_locale() or ""))[0]
    state = form_studio.editor_state(form)
    return render_template(
        "admin/form_overview.html",
        form=form,
        summary=summary,
        state=state,
        problems=form_studio.check_text(form.slug, state.text) if state.draft else [],
        report=form_studio.translation_report(state.text),
        public_url=external_url("public.show_form", slug=form.slug),
        contrast_warnings=_contrast_warnings(state.text) if state.draft else [],
        state_words=state_words,
        closes_words=closes_words,
    )


def _contrast_warnings(text: str) -> list[str]:
    """Unreadable colours in the draft's branding, shown before it is published (WCAG AA)."""
    from webapp.admin.form_preview_views import contrast_messages

    definition = load_form(text).definition
    if definition is None or definition.branding.is_default:
        return []
    return contrast_messages(definition.branding)


def _editor(form: Form, text: str, revision, base_number, status: int = 200, **extra):
    problems = extra.pop("problems", None)
    return _page(
        "admin/form_yaml.html",
        status,
        form=form,
        text=text,
        revision=revision,
        base_number=base_number,
        draft=drafts.current(form_studio.KIND, form.slug),
        problems=form_studio.check_text(form.slug, text) if problems is None else problems,
        conflict=extra.pop("conflict", None),
        refused=extra.pop("refused", None),
        contrast_warnings=_contrast_warnings(text),
        **extra,
    )


def _conflict_page(form: Form, conflict: drafts.EditConflict):
    """Someone else saved: show their text and the difference; the editor keeps yours."""
    theirs = conflict.current
    active = form_service.active_version(form)
    return _editor(
        form,
        conflict.yours,
        theirs.revision if theirs else None,
        theirs.base_number if theirs else (active.number if active else None),
        409,
        conflict=conflict,
    )


@bp.route("/forms/<slug>/yaml", methods=["GET", "POST"])
@admin_required
def form_yaml(slug: str):
    form = _form_or_404(slug)
    if request.method == "GET":
        state = form_studio.editor_state(form)
        return _editor(form, state.text, state.revision, state.base_number)
    text = request.form.get("yaml_text", "").replace("\r\n", "\n")
    revision = optional_id(request.form.get("revision"))
    base_number = optional_id(request.form.get("base_number"))
    try:
        form_studio.save_draft(
            form, text, revision=revision, base_number=base_number, actor=current_user
        )
    except drafts.DraftRefused as refused:
        db.session.rollback()
        return _editor(form, text, revision, base_number, 422, refused=str(refused))
    except drafts.EditConflict as conflict:
        db.session.rollback()
        return _conflict_page(form, conflict)
    db.session.commit()
    flash(_("The draft was saved."), "success")
    return redirect(url_for("admin.form_yaml", slug=form.slug), code=303)


@bp.post("/forms/<slug>/validate")
@admin_required
def form_validate(slug: str):
    """Live validation as the admin types: every problem with its path and line."""
    form = _form_or_404(slug)
    text = request.form.get("yaml_text", "").replace("\r\n", "\n")
    problems = form_studio.check_text(form.slug, text)
    if htmx_request.htmx:
        return render_template("admin/_form_studio_problems.html", problems=problems)
    return _editor(
        form,
        text,
        optional_id(request.form.get("revision")),
        optional_id(request.form.get("base_number")),
        problems=problems,
    )


def _review_context(form: Form, review: form_review.PublishReview, came_from: str) -> dict:
    builder_url = url_for("admin.form_builder", slug=form.slug)
    reader = str(get_locale() or "")
    return {
        "form": form,
        "review": review,
        "came_from": came_from,
        "back_url": {
            "yaml": url_for("admin.form_yaml", slug=form.slug),
            "overview": url_for("admin.form_overview", slug=form.slug),
        }.get(came_from, builder_url),
        # shown inside the builder by htmx: Back brings the builder back the same way
        "in_builder": bool(htmx_request.htmx) and came_from == "builder",
        # texts in the admin's own language where the form has it, else its default one
        "read": lambda outline, texts: outline.text_for(texts, reader) if outline else "",
        "say_before": lambda condition: describe_condition(condition, review.before),
        "say_after": lambda condition: describe_condition(condition, review.after),
        "type_labels": TYPE_LABELS,
        "part_labels": PART_LABELS,
        "public_url": external_url("public.show_form", slug=form.slug),
        "setting_words": lambda change: setting_change_words(
            change,
            zone_for(review.before.schedule if review.before else {}),
            zone_for(review.after.schedule if review.after else {}),
        ),
        "schedule_facts": schedule_facts,
    }


@bp.get("/forms/<slug>/publish")
@admin_required
def form_publish_review(slug: str):
    """What publishing the draft would change for customers, with Publish and Back.

    From the builder, htmx shows it in place of the builder (Back brings the builder back);
    otherwise it is a page of its own.
    """
    form = _form_or_404(slug)
    came_from = request.args.get("from")
    came_from = came_from if came_from in ("yaml", "overview") else "builder"
    context = _review_context(form, form_review.publish_review(form), came_from)
    return render_page_or_partial(
        "admin/form_publish.html", "admin/_form_publish_review.html", **context
    )


@bp.post("/forms/<slug>/publish")
@admin_required
def form_publish(slug: str):
    """Publish the reviewed draft; from the raw editor, save the text typed and review it."""
    form = _form_or_404(slug)
    revision = optional_id(request.form.get("revision"))
    text = request.form.get("yaml_text")
    if text is not None:
        text = text.replace("\r\n", "\n")
        draft = drafts.current(form_studio.KIND, form.slug)
        if draft is None or draft.yaml_text != text or draft.revision != revision:
            try:
                draft = form_studio.save_draft(
                    form,
                    text,
                    revision=revision,
                    base_number=optional_id(request.form.get("base_number")),
                    actor=current_user,
                )
            except drafts.DraftRefused as refused:
                db.session.rollback()
                return _editor(form, text, revision, None, 422, refused=str(refused))
            except drafts.EditConflict as conflict:
                db.session.rollback()
                return _conflict_page(form, conflict)
            db.session.commit()  # kept even if it cannot be published
        problems = form_studio.check_text(form.slug, draft.yaml_text)
        if problems:
            return _editor(
                form,
                draft.yaml_text,
                draft.revision,
                draft.base_number,
                422,
                problems=problems,
                refused=_(
                    "The draft was saved, but it cannot be published: fix the problems below first."
                ),
            )
        return redirect(
            url_for("admin.form_publish_review", slug=form.slug, **{"from": "yaml"}), 303
        )
    try:
        version = form_studio.publish_draft(form, revision, current_user)
    except form_studio.StudioRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("admin.form_overview", slug=form.slug), code=303)
    except drafts.EditConflict as conflict:
        db.session.rollback()
        if request.form.get("reviewed"):
            flash(
                _(
                    "The draft was changed after you opened this review, so nothing was "
                    "published. Here are the changes as they are now."
                ),
                "error",
            )
            return redirect(url_for("admin.form_publish_review", slug=form.slug), code=303)
        return _conflict_page(form, conflict)
    except form_studio.PublishProblems as refused:
        db.session.rollback()
        draft = drafts.current(form_studio.KIND, form.slug)
        return _editor(
            form,
            draft.yaml_text,
            draft.revision,
            draft.base_number,
            422,
            problems=refused.problems,
            refused=_("The draft was not published: fix the problems below first."),
        )
    db.session.commit()
    flash(_("Version %(number)s is live.", number=version.number), "success")
    return redirect(url_for("admin.form_overview", slug=form.slug), code=303)


@bp.post("/forms/<slug>/draft/discard")
@admin_required
def form_discard_draft(slug: str):
    form = _form_or_404(slug)
    if form_studio.discard_draft(form):
        db.session.commit()
        flash(_("The draft was discarded."), "info")
    else:
        flash(_("There was no draft to discard."), "info")
    return redirect(url_for("admin.form_overview", slug=form.slug), code=303)


@bp.get("/forms/<slug>/translations")
@admin_required
def form_translations(slug: str):
    form = _form_or_404(slug)
    state = form_studio.editor_state(form)
    return render_template(
        "admin/form_translations.html",
        form=form,
        state=state,
        report=form_studio.translation_report(state.text),
    )


@bp.get("/forms/<slug>/versions")
@admin_required
def form_versions(slug: str):
    """The versions, and the difference between any two (or the draft and one)."""
    form = _form_or_404(slug)
    versions = form_studio.versions_of(form)
    draft = drafts.current(form_studio.KIND, form.slug)
    active = next((v for v in versions if v.active), None)
    left = request.args.get("a") or (str(versions[1].number) if len(versions) > 1 else "")
    right = request.args.get("b") or ("draft" if draft else (str(active.number) if active else ""))
    diff, error, status = None, None, 200
    if left and right:
        try:
            diff = form_studio.diff_texts(form, left, right)[2]
        except form_studio.StudioRefused as refused:
            error, status = str(refused), 422
    return _page(
        "admin/form_versions.html",
        status,
        form=form,
        versions=versions,
        draft=draft,
        left=left,
        right=right,
        diff=diff,
        error=error,
    )


@bp.post("/forms/<slug>/versions/<int:number>/rollback")
@admin_required
def form_rollback(slug: str, number: int):
    form = _form_or_404(slug)
    try:
        version = form_studio.roll_back(form, number, current_user)
    except (form_studio.StudioRefused, form_studio.PublishProblems) as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("admin.form_versions", slug=form.slug), code=303)
    db.session.commit()
    flash(
        _(
            "Version %(old)s was published again as version %(new)s.",
            old=number,
            new=version.number,
        ),
        "success",
    )
    return redirect(url_for("admin.form_versions", slug=form.slug), code=303)


@bp.post("/forms/<slug>/duplicate")
@admin_required
def form_duplicate(slug: str):
    form = _form_or_404(slug)
    try:
        copy = form_studio.duplicate_form(form, request.form.get("new_slug", ""), current_user)
    except (form_studio.StudioRefused, form_studio.PublishProblems) as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("admin.form_overview", slug=form.slug), code=303)
    db.session.commit()
    flash(_("The form was copied to “%(slug)s”.", slug=copy.slug), "success")
    return redirect(url_for("admin.form_overview", slug=copy.slug), code=303)


@bp.post("/forms/<slug>/archive")
@admin_required
def form_archive(slug: str):
    form = _form_or_404(slug)
    archived = request.form.get("archived") == "1"
    if form_studio.set_archived(form, archived):
        db.session.commit()
    if archived:
        flash(_("The form is archived: its link now says it is closed."), "info")
    else:
        flash(_("The form is open for answers again."), "success")
    return redirect(url_for("admin.form_overview", slug=form.slug), code=303)


@bp.get("/forms/<slug>/embed")
@admin_required
def form_embed(slug: str):
    form = _form_or_404(slug)
    active = form_service.active_version(form)
    definition = form_service.definition_of(active) if active else None
    languages = definition.languages if definition else ()
    accent = definition.branding.accent if definition else None
    options = form_studio.EmbedOptions.from_args(request.args, languages, accent)
    script_url = external_url("static", filename="js/widget.js")
    return render_template(
        "admin/form_embed.html",
        form=form,
        definition=definition,
        languages=languages,
        options=options,
        triggers=form_studio.WIDGET_TRIGGERS,
        snippet=form_studio.embed_snippet(script_url, form.slug, options),
        public_url=external_url("public.show_form", slug=form.slug),
        # How the form takes a signed-in visitor's id: signed, unsigned, or not at all (None).
        customer_id_field=next(
            (f for f in definition.hidden_fields if f.name == form_service.CUSTOMER_ID_FIELD),
            None,
        )
        if definition
        else None,
        # For host pages whose CSP forbids inline styles: the widget then adds none.
        style_link=f'<link id="ld-widget-css" rel="stylesheet" '
        f'href="{external_url("static", filename="css/widget.css")}">',
    )
