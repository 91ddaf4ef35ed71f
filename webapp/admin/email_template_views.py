"""Admin pages for e-mail texts: which wording each e-mail uses per language, an editor with
placeholders and a preview on sample data, save (with conflict detection) and revert."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.admin import bp
from webapp.admin.forms import EmailTextForm
from webapp.extensions import db
from webapp.security import admin_required, content_security_policy, inline_style_hashes
from webapp.services import email_texts
from webapp.services.email_builtin_texts import builtin_text, is_builtin


def _editable_or_404(template: str, locale: str) -> email_texts.EditableEmail:
    if template not in email_texts.EDITABLE or locale not in email_texts.languages():
        abort(404)
    return email_texts.EDITABLE[template]


def _braced(keys) -> str:
    return ", ".join("{" + key + "}" for key in keys)


def _editor(template: str, locale: str, form: EmailTextForm, status: int = 200, **extra):
    """The editor page; the preview shows the text in the editor, as it would be sent."""
    editable = _editable_or_404(template, locale)
    own = email_texts.own_text_for(template, locale)
    preview, missing = None, []
    if form.subject.data and form.body.data:
        preview = email_texts.preview(template, form.subject.data, form.body.data, locale)
        missing = email_texts.missing_value_lines(
            template, form.subject.data, form.body.data, locale
        )
    response = make_response(
        render_template(
            "admin/email_text.html",
            email=editable,
            locale=locale,
            form=form,
            own=own,
            own_lacks=_braced(email_texts.missing_required(own)) if own else "",
            conflict=extra.get("conflict", False),
            theirs=extra.get("theirs"),
            preview=preview,
            missing=missing,
            required_names=_braced(editable.required),
            sentence_names=_braced(
                k for k in editable.placeholders if k in email_texts.SENTENCE_PLACEHOLDERS
            ),
        )
    )
    response.status_code = status
    response.headers["Content-Security-Policy"] = _preview_policy(template, locale, preview)
    return response


def _preview_policy(template: str, locale: str, preview) -> str:
    """The editor's policy lets through the e-mail's own inline styles, and only those: the
    HTML preview is a srcdoc frame, which lives under this page's policy. The preview a
    click brings later uses the same template, so the built-in text's styles are its styles."""
    sample = email_texts.preview(template, *builtin_text(template, locale), locale)
    html = sample.html + (preview.html if preview is not None else "")
    return content_security_policy(style_hashes=inline_style_hashes(html))


@bp.get("/email-templates")
@admin_required
def email_templates():
    rows = email_texts.overview()
    return render_template(
        "admin/email_templates.html",
        rows=rows,
        # Own texts saved before required placeholders were enforced: not sent, flagged.
        lacking=[(row["email"], cell) for row in rows for cell in row["cells"] if cell["lacks"]],
        languages=email_texts.languages(),
        CUSTOMER=email_texts.CUSTOMER,
    )


@bp.get("/email-templates/<template>/<locale>")
@admin_required
def edit_email_text(template: str, locale: str):
    _editable_or_404(template, locale)
    own = email_texts.own_text_for(template, locale)
    if own is not None:
        data = {"subject": own.subject, "body": own.body, "revision": own.revision}
    else:  # start from the wording the e-mail has now: changing a word is not retyping it
        subject, body = builtin_text(template, locale)
        data = {"subject": subject, "body": body, "revision": 0}
    return _editor(template, locale, EmailTextForm(formdata=None, data=data))


@bp.post("/email-templates/<template>/<locale>/preview")
@admin_required
def preview_email_text(template: str, locale: str):
    """The text filled with sample values: subject, plain text and the HTML part."""
    _editable_or_404(template, locale)
    subject = request.form.get("subject", "")[:300]
    body = request.form.get("body", "")[:20_000]
    status, errors = 200, {}
    try:
        email_texts.validate(template, subject, body)
    except email_texts.EmailTextRefused as refused:
        status, errors = 422, refused.errors
    rendered = email_texts.preview(template, subject, body, locale)
    response = make_response(
        render_template(
            "admin/_email_preview.html",
            email=email_texts.EDITABLE[template],
            preview=rendered,
            missing=email_texts.missing_value_lines(template, subject, body, locale),
            errors=errors,
        )
    )
    response.status_code = status
    return response


@bp.post("/email-templates/<template>/<locale>")
@admin_required
def save_email_text(template: str, locale: str):
    editable = _editable_or_404(template, locale)
    form = EmailTextForm()
    if not form.validate_on_submit():
        return _editor(template, locale, form, 422)
    unchanged = (
        not form.revision.data
        and email_texts.own_text_for(template, locale) is None
        and is_builtin(template, locale, form.subject.data, form.body.data)
    )
    if unchanged:  # an own text equal to the built-in would only stop later fixes to it
        flash(
            _(
                "Nothing was saved: this is the built-in text, which “%(email)s” (%(locale)s) "
                "already uses.",
                email=editable.label,
                locale=locale,
            ),
            "info",
        )
        return redirect(
            url_for("admin.edit_email_text", template=template, locale=locale), code=303
        )
    try:
        email_texts.save(
            template,
            locale,
            form.subject.data,
            form.body.data,
            form.revision.data or 0,
            current_user,
        )
    except email_texts.EmailTextRefused as refused:
        for key, message in refused.errors.items():
            form[key].errors = [*form[key].errors, message]
        return _editor(template, locale, form, 422)
    except email_texts.EmailTextConflict as conflict:
        db.session.rollback()
        theirs = conflict.current
        # Yours stays in the editor; saving again (knowingly) replaces theirs.
        form.revision.data = theirs.revision if theirs else 0
        return _editor(template, locale, form, 409, conflict=True, theirs=theirs)
    db.session.commit()
    flash(
        _("Your text for “%(email)s” (%(locale)s) was saved.", email=editable.label, locale=locale),
        "success",
    )
    return redirect(url_for("admin.edit_email_text", template=template, locale=locale), code=303)


@bp.post("/email-templates/<template>/<locale>/revert")
@admin_required
def revert_email_text(template: str, locale: str):
    editable = _editable_or_404(template, locale)
    if email_texts.revert(template, locale):
        db.session.commit()
        flash(
            _(
                "“%(email)s” (%(locale)s) uses the built-in text again.",
                email=editable.label,
                locale=locale,
            ),
            "info",
        )
    return redirect(url_for("admin.email_templates"), code=303)
