"""Form preview and branding (admins only).

The preview runs the draft (or the active version) through the customer's own templates and
the same step engine, but keeps the answers in the admin's session: no response, ticket,
e-mail or count is ever written. Branding edits only the `branding:` and `bot_name:` keys of
the draft, through `drafts.save`, so the rest of the admin's YAML stays as they wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request as htmx_request
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.utils import secure_filename

from survey_forms import branding as brand_rules
from survey_forms import conversation
from survey_forms.conversation import AnswerError
from survey_forms.definition import (
    FONTS,
    MAX_FILE_BYTES,
    MAX_FORM_BYTES,
    Branding,
    FormDefinition,
    Question,
    branding_problems,
    load_form,
)
from webapp.admin import bp
from webapp.extensions import db
from webapp.i18n import override_locale, select_locale
from webapp.problem_text import problem_message
from webapp.public.messages import answer_error_message
from webapp.public.views import brand_values
from webapp.record_ids import record_id
from webapp.security import admin_required
from webapp.services import audit, drafts, form_assets, form_studio
from webapp.services import forms as form_service
from webapp.services.uploads import sniff_type
from workflow.yaml_documents import Problem, read_yaml

SESSION_KEY = "form_preview"
PREVIEW_MAX_CHARS = 2500  # the session is a cookie: long answers are shortened to fit
MAX_BOT_NAME = 80
KIND = "form"


@dataclass(frozen=True)
class WorkingCopy:
    """What the preview shows: the draft if there is one, else the active version."""

    form: Any  # the Form row, or a stand-in with the slug for a form not yet published
    text: str
    key: str  # form + draft revision (or version): answers of an older copy are dropped
    source: str  # "draft" | "version"
    number: int | None  # the draft revision or the version number


def _working_copy(slug: str) -> WorkingCopy:
    form = form_service.find_form(slug)
    draft = drafts.current(KIND, slug)
    if draft is not None:
        return WorkingCopy(
            form or SimpleNamespace(slug=slug),
            draft.yaml_text,
            f"{slug}:d{draft.revision}",
            "draft",
            draft.revision,
        )
    version = form_service.active_version(form) if form is not None else None
    if version is None:
        abort(404)
    return WorkingCopy(
        form, version.yaml_text, f"{slug}:v{version.number}", "version", version.number
    )


def _stored_answers(key: str) -> dict:
    stored = session.get(SESSION_KEY)
    if isinstance(stored, Mapping) and stored.get("key") == key:
        return dict(stored.get("answers") or {})
    return {}


def _store_answers(key: str, answers: dict) -> bool:
    """Keep the preview's answers in the session; True when some had to be shortened."""
    shortened = False
    while len(json.dumps(answers, ensure_ascii=False)) > PREVIEW_MAX_CHARS:
        longest = max(
            (qid for qid, value in answers.items() if isinstance(value, str) and len(value) > 20),
            key=lambda qid: len(answers[qid]),
            default=None,
        )
        if longest is None:
            break
        answers[longest] = answers[longest][: len(answers[longest]) // 2] + "…"
        shortened = True
    session[SESSION_KEY] = {"key": key, "answers": answers}
    return shortened


def _preview_language(definition: FormDefinition) -> str:
    lang = request.values.get("lang")
    return lang if lang in definition.languages else definition.default_language


def _admin_locale() -> str:
    """The admin's own language: the page speaks the form's, the preview's controls not."""
    return getattr(g, "preview_admin_locale", None) or select_locale()


@pass_context
def _in_admin_language(context, template_name: str) -> Markup:
    """`template_name` rendered with the page's values but in the admin's language: the
    banner, Restart and the notes for the admin are not part of the customer's form."""
    with force_locale(_admin_locale()):
        rendered = context.environment.get_template(template_name).render(context.get_all())
    return Markup(rendered)  # noqa: S704 - a template's autoescaped output


def _no_store(reply, definition: FormDefinition | None = None):
    reply.headers["Cache-Control"] = "no-store"
    reply.headers["Vary"] = "HX-Request"
    if definition is not None:
        reply.headers["Content-Security-Policy"] = form_assets.content_security_policy(
            definition.branding
        )
    return reply


def _problems_page(copy: WorkingCopy, problems):
    return _no_store(
        make_response(
            render_template("admin/form_preview_problems.html", copy=copy, problems=problems)
        )
    )


def _render_preview(
    copy: WorkingCopy,
    definition: FormDefinition,
    answers: dict,
    lang: str,
    *,
    question: Question | None,
    error: str | None = None,
    partial: bool = False,
    appended: str | None = None,
    edited: bool = False,
    status: int = 200,
    shortened: bool = False,
):
    """The customer's templates, with the preview flag that points their forms back here."""
    context = {"hidden": {}, "locale": lang, "channel": "web"}
    answered, total = conversation.progress(definition, answers, **context)
    done = (
        bool(definition.questions)
        and conversation.next_question(definition, answers, **context) is None
    )
    values = dict(
        form=copy.form,
        definition=definition,
        response=None,
        lang=lang,
        t=lambda texts: definition.text(texts, lang),
        pipe=lambda text: conversation.pipe(text, answers),
        transcript=conversation.transcript(definition, answers, **context),
        question=None if done else question,
        current_value=answers.get(question.id) if question else None,
        editing=bool(question and question.id in answers and not done),
        error=error,
        appended=appended,
        edited=edited,
        partial=partial,
        step="",
        answered=answered,
        total=max(total, 1),
        done=done,
        ending=conversation.ending_text(definition, answers, lang, **context) if done else "",
        ticket=None,
        channel="web",
        embedded=False,
        brand=brand_values(definition, lang),
        preview=True,
        preview_admin_part=_in_admin_language,
        preview_admin_locale=_admin_locale(),
        preview_copy=copy,
        preview_shortened=shortened,
        preview_ticket=done and conversation.creates_ticket(definition, answers, **context),
    )
    template = "public/_exchange.html" if partial else "public/form.html"
    reply = make_response(render_template(template, **values), status)
    if edited:  # the address bar still says ?edit=…: a reload would reopen the edit
        address = url_for("admin.form_preview", slug=copy.form.slug, lang=lang)
        reply.headers["HX-Replace-Url"] = address
    return _no_store(reply, definition)


def _previewing(slug: str):
    """The working copy, its definition and the preview's language; an invalid draft ends
    the request with the page listing its problems."""
    copy = _working_copy(slug)
    result = load_form(copy.text)
    if not result.ok:
        abort(_problems_page(copy, result.problems))
    lang = _preview_language(result.definition)
    g.preview_admin_locale = select_locale()  # before the page takes the form's language
    override_locale(lang)
    return copy, result.definition, lang


@bp.get("/forms/<slug>/preview")
@admin_required
def form_preview(slug: str):
    copy, definition, lang = _previewing(slug)
    answers = _stored_answers(copy.key)
    context = {"hidden": {}, "locale": lang, "channel": "web"}
    editing = definition.question(request.args.get("edit", ""))
    if editing is not None and editing.id in answers:
        question = editing
    else:
        question = conversation.next_question(definition, answers, **context)
    return _render_preview(copy, definition, answers, lang, question=question)


@bp.post("/forms/<slug>/preview/answer")
@admin_required
def form_preview_answer(slug: str):
    copy, definition, lang = _previewing(slug)
    context = {"hidden": {}, "locale": lang, "channel": "web"}
    answers = _stored_answers(copy.key)
    question = definition.question(request.form.get("question", ""))
    visible = {q.id for q in conversation.visible_questions(definition, answers, **context)}
    partial = bool(htmx_request.htmx)
    try:
        if question is None or question.id not in visible:
            raise AnswerError("not_asked")
        value = conversation.parse_answer(question, _raw_answer(question))
    except AnswerError as refused:
        current = question if question is not None and question.id in visible else None
        return _render_preview(
            copy,
            definition,
            answers,
            lang,
            question=current or conversation.next_question(definition, answers, **context),
            error=answer_error_message(refused),
            partial=partial,
            status=422,
        )
    edited = question.id in answers
    answers[question.id] = value
    answers = conversation.prune(definition, answers, **context)
    shortened = _store_answers(copy.key, answers)
    nxt = conversation.next_question(definition, answers, **context)
    if not partial:
        target = url_for("admin.form_preview", slug=slug, lang=lang)
        return redirect(target + ("#end" if nxt is None else "#composer"), code=303)
    return _render_preview(
        copy,
        definition,
        answers,
        lang,
        question=nxt,
        partial=True,
        appended=question.id,
        edited=edited,
        shortened=shortened,
    )


def _raw_answer(question: Question):
    """What the customer's browser sent; a file is checked like a real upload, never kept."""
    if request.form.get("skip"):  # "Skip", as on the customer's page
        return None
    if question.type == "file":
        upload = request.files.get("value")
        if upload is None or not upload.filename:
            return None
        data = upload.stream.read(MAX_FILE_BYTES + 1)
        if not data:
            raise AnswerError("empty")
        if len(data) > MAX_FILE_BYTES:
            raise AnswerError("too_large")
        if sniff_type(data[:16]) is None:
            raise AnswerError("file_type")
        name = (secure_filename(upload.filename) or "upload")[:255]
        return {"file_id": None, "name": name, "size": len(data)}
    if question.type == "multi_choice":
        return request.form.getlist("value")
    return request.form.get("value")


@bp.post("/forms/<slug>/preview/restart")
@admin_required
def form_preview_restart(slug: str):
    session.pop(SESSION_KEY, None)
    lang = request.form.get("lang") or None
    return redirect(url_for("admin.form_preview", slug=slug, lang=lang), code=303)


# --- Branding -------------------------------------------------------------------------------


@dataclass
class BrandingInput:
    """The branding page's fields, as typed (kept as they are when something is refused)."""

    accent: str = ""
    background: str = ""
    font: str = "system"
    logo: str = ""
    avatar: str = ""
    bot_name: dict[str, str] | None = None

    def mapping(self) -> dict[str, str]:
        values = {
            "accent": self.accent.lower(),
            "background": self.background.lower(),
            "font": self.font if self.font != "system" else "",
            "logo": self.logo,
            "avatar": self.avatar,
        }
        return {key: value for key, value in values.items() if value}

    def branding(self) -> Branding:
        """The valid part, for the swatch (a refused value falls back to the default)."""
        bad = {
            problem.path.removeprefix("branding.") for problem in branding_problems(self.mapping())
        }
        values = {k: v for k, v in self.mapping().items() if k not in bad}
        return Branding(**values)


def _document(text: str) -> Mapping:
    document = read_yaml(text, MAX_FORM_BYTES, "form")
    if isinstance(document, Problem) or not isinstance(document.data, Mapping):
        return {}
    return document.data


def _languages(data: Mapping) -> list[str]:
    languages = data.get("languages")
    if isinstance(languages, list) and all(isinstance(code, str) for code in languages):
        return languages or ["en"]
    return ["en"]


def _saved_input(data: Mapping) -> BrandingInput:
    raw = data.get("branding") if isinstance(data.get("branding"), Mapping) else {}
    bot_name = data.get("bot_name")
    if isinstance(bot_name, str):
        bot_name = {(data.get("default_language") or _languages(data)[0]): bot_name}
    return BrandingInput(
        accent=str(raw.get("accent") or ""),
        background=str(raw.get("background") or ""),
        font=str(raw.get("font") or "system"),
        logo=str(raw.get("logo") or ""),
        avatar=str(raw.get("avatar") or ""),
        bot_name={str(k): str(v) for k, v in (bot_name or {}).items()}
        if isinstance(bot_name, Mapping)
        else {},
    )


def _posted_input(languages: list[str], saved: BrandingInput) -> BrandingInput:
    form = request.form
    bot_name = dict(saved.bot_name or {})
    for code in languages:
        if f"bot_name_{code}" in form:
            bot_name[code] = form.get(f"bot_name_{code}", "").strip()
    return BrandingInput(
        accent=form.get("accent", "").strip(),
        background=form.get("background", "").strip(),
        font=form.get("font", "system").strip() or "system",
        logo="" if form.get("logo_remove") else form.get("logo", "").strip(),
        avatar="" if form.get("avatar_remove") else form.get("avatar", "").strip(),
        bot_name={code: name for code, name in bot_name.items() if name},
    )


def _field_errors(values: BrandingInput) -> dict[str, str]:
    messages = {
        "accent": _("Enter a colour as # and six hex digits, like #0f766e."),
        "background": _("Enter a colour as # and six hex digits, like #ffffff."),
        "font": _("Choose one of the listed fonts."),
        "logo": _("Upload an image, or give an https:// address of one."),
        "avatar": _("Upload an image, or give an https:// address of one."),
    }
    errors = {}
    for problem in branding_problems(values.mapping()):
        field = problem.path.removeprefix("branding.")
        errors[field] = messages.get(field) or problem_message(problem)
    for code, name in (values.bot_name or {}).items():
        if len(name) > MAX_BOT_NAME:
            errors[f"bot_name_{code}"] = _(
                "Keep the name under %(max)d characters.", max=MAX_BOT_NAME
            )
    return errors


def _sample_texts(data: Mapping, lang: str) -> tuple[str, str]:
    """A real question of the form for the swatch's bot bubble (else a stand-in).

    The customer's sample answer is in the question's language, as in a real conversation,
    not in the admin's (an English question answered in Slovenian)."""
    with force_locale(lang):
        answer, stand_in = _("That was easy, thank you!"), _("How likely are you to recommend us?")
    questions = data.get("questions")
    if isinstance(questions, list) and questions and isinstance(questions[0], Mapping):
        text = questions[0].get("text")
        if isinstance(text, Mapping) and isinstance(text.get(lang), str):
            return text[lang], answer
        if isinstance(text, str):
            return text, answer
    return stand_in, answer


def _branding_page(
    form,
    state,
    data: Mapping,
    values: BrandingInput,
    *,
    errors: dict[str, str] | None = None,
    conflict: drafts.EditConflict | None = None,
    message: str | None = None,
    status: int = 200,
):
    languages = _languages(data)
    branding = values.branding()
    lang = languages[0]
    question, answer = _sample_texts(data, lang)
    reply = make_response(
        render_template(
            "admin/form_branding.html",
            form=form,
            state=state,
            values=values,
            languages=languages,
            fonts=FONTS,
            errors=errors or {},
            conflict=conflict,
            message=message,
            swatch=_swatch_values(values, branding, lang, question, answer),
            warnings=contrast_messages(branding),
        ),
        status,
    )
    reply.headers["Content-Security-Policy"] = form_assets.content_security_policy(branding)
    return reply


def _swatch_values(values: BrandingInput, branding: Branding, lang, question, answer) -> dict:
    with force_locale(lang):  # the customer's page speaks the sample's language
        send = _("Send")
    return {
        "stylesheet": form_assets.stylesheet_url(branding),
        "colours": brand_rules.colour_classes(branding),
        "theme": brand_rules.theme_for(branding),
        "font": branding.font,
        "logo": form_assets.image_url(branding.logo),
        "avatar": form_assets.image_url(branding.avatar),
        "bot_name": (values.bot_name or {}).get(lang, ""),
        "question": question,
        "answer": answer,
        "send": send,
    }


def _form_or_404(slug: str):
    form = form_service.find_form(slug)
    if form is None:
        abort(404)
    return form


@bp.route("/forms/<slug>/branding", methods=["GET", "POST"])
@admin_required
def form_branding(slug: str):
    form = _form_or_404(slug)
    state = form_studio.editor_state(form)
    data = _document(state.text)
    saved = _saved_input(data)
    if request.method == "GET":
        return _branding_page(form, state, data, saved)
    values = _posted_input(_languages(data), saved)
    upload_errors = {}
    for key in ("logo", "avatar"):
        upload = request.files.get(f"{key}_file")
        if upload is None or not upload.filename:
            continue
        try:
            setattr(values, key, form_assets.store_asset(upload))
        except form_assets.AssetRefused as refused:
            upload_errors[key] = _asset_message(refused.code)
    errors = {**_field_errors(values), **upload_errors}
    if errors:
        return _branding_page(
            form,
            state,
            data,
            values,
            errors=errors,
            message=_("Nothing was saved: check the marked fields."),
            status=422,
        )
    revision = request.form.get("revision", type=record_id)
    base_number = request.form.get("base_number", type=record_id)
    text = brand_rules.with_top_level_key(state.text, "branding", values.mapping() or None)
    text = brand_rules.with_top_level_key(text, "bot_name", values.bot_name or None)
    before = {**saved.mapping(), "bot_name": saved.bot_name or {}}
    after = {**values.mapping(), "bot_name": values.bot_name or {}}
    try:
        draft = drafts.save(
            KIND, slug, text, revision=revision, base_number=base_number, actor=current_user
        )
    except drafts.DraftRefused as refused:
        db.session.rollback()
        return _branding_page(form, state, data, values, message=str(refused), status=422)
    except drafts.EditConflict as conflict:
        db.session.rollback()
        state = form_studio.editor_state(form)  # save again = apply the branding on theirs
        return _branding_page(
            form,
            state,
            _document(state.text),
            values,
            conflict=conflict,
            message=_(
                "Someone else saved this form's draft after you opened this page. "
                "Your branding was not saved: look at their changes, then save again."
            ),
            status=409,
        )
    if before != after:
        audit.record("form.branding_saved", draft, slug, before=before, after=after)
    db.session.commit()
    flash(
        _("The branding was saved in the draft. Publish the form to show it to customers."),
        "success",
    )
    return redirect(url_for("admin.form_branding", slug=slug), code=303)


@bp.post("/forms/<slug>/branding/swatch")
@admin_required
def form_branding_swatch(slug: str):
    """The live swatch: bubbles in the colours typed so far, with contrast warnings."""
    form = _form_or_404(slug)
    data = _document(form_studio.editor_state(form).text)
    languages = _languages(data)
    values = _posted_input(languages, _saved_input(data))
    branding = values.branding()
    question, answer = _sample_texts(data, languages[0])
    reply = make_response(
        render_template(
            "admin/form_branding_swatch.html",
            swatch=_swatch_values(values, branding, languages[0], question, answer),
            warnings=contrast_messages(branding),
            errors=_field_errors(values),
        )
    )
    reply.headers["Vary"] = "HX-Request"
    return reply


def contrast_messages(branding: Branding) -> list[str]:
    """The WCAG AA contrast warnings, in the admin's language."""
    messages = []
    for issue in brand_rules.contrast_issues(branding):
        ratio = f"{issue.ratio:.1f}"
        if issue.kind == "accent_text":
            messages.append(
                _(
                    "White text on the accent colour %(colour)s (buttons, the customer's answers) "
                    "has a contrast of %(ratio)s:1; WCAG AA needs 4.5:1. Choose a darker accent "
                    "colour.",
                    colour=issue.background,
                    ratio=ratio,
                )
            )
        elif issue.kind == "accent_links":
            messages.append(
                _(
                    "Links in the accent colour %(colour)s on the background %(background)s have "
                    "a contrast of %(ratio)s:1; WCAG AA needs 4.5:1.",
                    colour=issue.foreground,
                    background=issue.background,
                    ratio=ratio,
                )
            )
        else:
            messages.append(
                _(
                    "Text on the background colour %(colour)s has a contrast of %(ratio)s:1; "
                    "WCAG AA needs 4.5:1. Choose a lighter or a darker background.",
                    colour=issue.background,
                    ratio=ratio,
                )
            )
    return messages


def _asset_message(code: str) -> str:
    if code == "too_large":
        return _("The image is larger than %(size)d KB.", size=form_assets.MAX_ASSET_BYTES // 1024)
    if code == "empty":
        return _("The file is empty.")
    return _("Please upload a PNG, JPEG, GIF or WebP image.")
