"""The structured form editor: questions, texts side by side, logic, endings, embedding.

It edits the same draft as the YAML editor. Every change reads the draft (or the live
version when there is none), applies one `survey_forms.builder` operation, writes the
YAML back and saves it with the revision the page holds, so a colleague's save in the
meantime is shown as a conflict instead of being overwritten. htmx swaps the changed part
and, out of band, every hidden `revision` field and the list of problems; without
JavaScript each form posts and the page comes back.
"""

from __future__ import annotations

import re

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from htmx_flask import request as htmx_request

from survey_forms import builder
from survey_forms.definition import LANGUAGES, QUESTION_TYPES, SCALES
from webapp.admin import bp
from webapp.admin.form_words import OPERATOR_LABELS, condition_json, describe_condition, group_label
from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial, with_htmx_headers
from webapp.models import Form
from webapp.models.types import utcnow
from webapp.record_ids import optional_id
from webapp.security import admin_required
from webapp.services import drafts, form_schedule, form_studio
from webapp.services import forms as form_service
from webapp.timezone_choices import timezone_choices, zone_in_words
from workflow import condition_groups
from workflow.yaml_documents import comment_lines

MAX_ROWS_READ = builder.MAX_CONDITION_ROWS + 1
MAX_GROUPS_READ = builder.MAX_CONDITION_GROUPS + 1
TYPE_LABELS = {
    "nps": _l("NPS (0–10)"),
    "csat": _l("CSAT (1–5)"),
    "ces": _l("Customer effort (1–7)"),
    "goal": _l("Goal completed (yes/no)"),
    "rating": _l("Rating (1–5)"),
    "single_choice": _l("Single choice"),
    "multi_choice": _l("Multiple choice"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "email": _l("E-mail"),
    "number": _l("Number"),
    "date": _l("Date"),
    "consent": _l("Consent"),
    "file": _l("File"),
}
PART_LABELS = {
    "title": _l("Title"),
    "intro": _l("Introduction"),
    "bot_name": _l("Bot name"),
    "text": _l("Question text"),
    "help": _l("Help text"),
    "placeholder": _l("Placeholder"),
    "labels.low": _l("Low end label"),
    "labels.high": _l("High end label"),
    "choice": _l("Choice label"),
    "ending": _l("Ending message"),
    "closed_message": _l("Message when closed"),
}
# Where each part the server answers with goes: the server says so (HX-Retarget), so a change
# sent from inside a part (a condition editor, a card's settings) cannot nest a second copy.
PART_TARGETS = {
    "questions": "#builder-questions",
    "endings": "#builder-endings",
    "ticket": "#builder-ticket",
    "origins": "#builder-origins",
    "schedule": "#builder-schedule",
}
SELECTOR_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
REFUSALS = {
    "unreadable": _l(
        "The draft cannot be read as a form (a YAML error, or a part that is not a list or "
        "mapping). Fix it in the YAML editor first."
    ),
    "unknown_question": _l("There is no question “%(id)s” (any more)."),
    "later_question": _l(
        "“%(id)s” is not an earlier question: a condition may only use answers given before."
    ),
    "unknown_type": _l("“%(type)s” is not a question type."),
    "too_many": _l("At most %(limit)s are allowed here."),
    "bad_order": _l("The new order does not list every question once; reload the page."),
    "bad_id": _l(
        "“%(id)s” is not a valid id: use lowercase letters, digits and _, starting with a letter."
    ),
    "duplicate_id": _l("Another question already has the id “%(id)s”."),
    "bad_number": _l("Enter a number."),
    "out_of_range": _l("Enter a whole number from %(low)s to %(high)s."),
    "bad_date": _l("Enter a date as YYYY-MM-DD."),
    "no_choices": _l("Only choice questions have choices."),
    "unknown_choice": _l("That choice does not exist (any more)."),
    "bad_choice_value": _l("A choice value must be 1 to 100 characters."),
    "duplicate_choice": _l("Another choice already has the value “%(value)s”."),
    "unknown_language": _l("“%(lang)s” is not a supported language."),
    "too_long": _l("The text is longer than %(limit)s characters."),
    "unknown_target": _l("That text does not exist (any more); reload the page."),
    "bad_condition": _l("Choose “all of” or “any of”."),
    "bad_operator": _l("“%(op)s” cannot be used with that question."),
    "bad_value": _l("Pick a value for the condition."),
    "empty_condition": _l("Add at least one condition."),
    "empty_group": _l("Group %(n)s has no conditions: add one to it or remove the group."),
    "unknown_ending": _l("That ending does not exist (any more)."),
    "bad_origin": _l("Enter an origin like https://shop.example.com (https, no path)."),
    "default_language": _l("The default language cannot be removed; choose another default first."),
    "bad_moment": _l(
        "“%(value)s” is not a date: enter YYYY-MM-DD, or a date and time like 2026-12-01 09:00."
    ),
    "bad_timezone": _l("“%(value)s” is not a time zone; choose one from the list."),
}


class _Refused(Exception):
    """A request the builder cannot apply; the message is shown, nothing is saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refusal_text(error: builder.BuilderError) -> str:
    template = REFUSALS.get(error.code)
    return str(template) % error.params if template else _("That change cannot be made.")


def _form_or_404(slug: str) -> Form:
    form = form_service.find_form(slug)
    if form is None:
        abort(404)
    return form


def _revision() -> int | None:
    return optional_id(request.form.get("revision"))


def _field(name: str, limit: int = 5000) -> str:
    return request.form.get(name, "")[:limit]


# ---- rendering ----------------------------------------------------------------------------


def _context(form: Form, text: str, revision: int | None, **extra) -> dict:
    try:
        data = builder.read(text)
    except builder.BuilderError:
        data = None
    problems = form_studio.check_text(form.slug, text)
    outline = builder.outline(data) if data is not None else None
    ids = [q.id for q in outline.questions] if outline else []
    pending = extra.pop("pending", {})
    refusals = extra.pop("condition_refusals", {})
    return {
        "texts_at": lambda target: builder.text_at(data or {}, target),
        "text_required": builder.text_required,
        "row_label": _row_label,
        "cell_label": _cell_label,
        "condition_for": lambda target: _condition_state(outline, target, pending, refusals),
        "form": form,
        "slug": form.slug,
        "outline": outline,
        "revision": revision,
        "has_draft": revision is not None,
        "problems": [(p, _question_of(p.path, ids)) for p in problems],
        "problem_count": len(problems),
        # The builder writes the whole form back from data: the YAML's comments go at the
        # first change, so the admin is told before making one.
        "dropped_comments": comment_lines(text),
        "question_types": QUESTION_TYPES,
        "type_labels": TYPE_LABELS,
        "operator_labels": OPERATOR_LABELS,
        "part_labels": PART_LABELS,
        "all_languages": LANGUAGES,
        "scales": SCALES,
        "operators_for": builder.operators_for,
        "max_condition_rows": builder.MAX_CONDITION_ROWS,
        "max_condition_groups": builder.MAX_CONDITION_GROUPS,
        "value_kind": builder.value_kind,
        "category_groups": builder.category_groups,
        "group_label": group_label,
        "describe_condition": lambda condition: describe_condition(condition, outline),
        "validation_fields": builder.validation_fields,
        "type_change_drops": _type_change_drops,
        "studio_tabs": "admin.form_translations" in current_app.view_functions,
        "publish_url": f"/admin/forms/{form.slug}/publish",
        "schedule_zones": _schedule_zones,
        "installation_zone": zone_in_words(
            form_schedule.default_zone(), str(get_locale()), utcnow()
        ),
        **extra,
    }


def _schedule_zones(current: str) -> dict[str, list[tuple[str, str]]]:
    """The time-zone picker's groups; a zone the YAML names outside them stays choosable."""
    try:
        groups = timezone_choices(with_current=current or None)
    except LookupError:  # a name Babel cannot place (`posixrules`): offered as it is
        groups = timezone_choices()
    listed = {name for zones in groups.values() for name, _label in zones}
    if current and current not in listed:
        groups = {**groups, current: [(current, current)]}
    return groups


def _row_label(target: str) -> str:
    parts = target.split("/")
    if parts[0] == "endings":
        return str(PART_LABELS["ending"])
    if len(parts) == 4:
        return str(PART_LABELS["choice"])
    return str(PART_LABELS.get(parts[-1], parts[-1]))


def _cell_label(target: str, lang: str) -> str:
    """The accessible name of one text field: "Question text (pl) · score"."""
    parts = target.split("/")
    where = ""
    if parts[0] == "questions" and len(parts) == 4:
        where = _("%(id)s · choice %(n)s", id=parts[1], n=int(parts[3]) + 1)
    elif parts[0] == "questions" and len(parts) > 1:
        where = parts[1]
    elif parts[0] == "endings" and len(parts) == 2 and parts[1].isdigit():
        where = _("ending %(n)s", n=int(parts[1]) + 1)
    label = f"{_row_label(target)} ({lang})"
    return f"{label} · {where}" if where else label


def _condition_state(outline, target: str, pending: dict, refusals: dict | None = None) -> dict:
    """What a condition editor shows: the questions it may use, the stored condition, rows
    (groups among them), and a refusal of its last save with the row or group it is about."""
    questions = outline.questions if outline else []
    current = None
    if target == "creates_ticket" and outline:
        current = None if isinstance(outline.creates_ticket, bool) else outline.creates_ticket
    elif target.startswith("endings/") and outline:
        index = target.split("/", 1)[1]
        if index.isdigit() and int(index) < len(outline.endings):
            current = outline.endings[int(index)].when
    elif target.startswith("questions/"):
        qid = target.split("/", 1)[1]
        position = next((i for i, q in enumerate(questions) if q.id == qid), 0)
        current = questions[position].show_if if questions else None
        questions = questions[:position]
    score = None
    if outline and outline.score_question:
        score = (outline.score_question, _type_of(outline, outline.score_question))
    types = {q.id: q.type for q in outline.questions} if outline else {}
    rows = builder.read_condition(current, score, types)
    ids = {q.id for q in questions}
    if rows is not None and any(row.question not in ids for row in rows.flat()):
        rows = None  # on a later or removed question: said in words, not shown as another
    return {
        "target": target,
        "available": questions,
        "current": current,
        "unreadable": rows is None,
        "rows": pending.get(target) or rows or builder.ConditionRows(),
        "pending": target in pending,
        "refusal": (refusals or {}).get(target),
    }


def _type_of(outline, question_id: str) -> str:
    return next((q.type for q in outline.questions if q.id == question_id), "")


def _type_change_drops(question: builder.QuestionView, qtype: str) -> bool:
    """Whether changing `question` to `qtype` removes its choices, scale labels or limits."""
    if qtype == question.type:
        return False
    if question.choices and qtype not in builder.CHOICE_TYPES:
        return True
    labels = question.texts.get("labels.low") or question.texts.get("labels.high")
    if labels and qtype not in SCALES:
        return True
    return bool(set(question.validation) - set(builder.validation_fields(qtype)))


def _question_of(path: str, ids: list[str]) -> str | None:
    """The question id a problem path like `questions[2].text.pl` is about."""
    if not path.startswith("questions["):
        return None
    number = path[len("questions[") :].split("]", 1)[0]
    return ids[int(number)] if number.isdigit() and int(number) < len(ids) else None


def _page(form: Form, status: int = 200, **extra):
    state = form_studio.editor_state(form)
    context = _context(form, state.text, state.revision, **extra)
    response = make_response(render_template("admin/form_builder.html", **context))
    response.status_code = status
    return response


def _fragment(template: str, context: dict, status: int = 200):
    """The changed part, plus the new revision and problems out of band."""
    html = render_template(template, **context) + render_template(
        "admin/_form_builder_oob.html", **context
    )
    response = make_response(html, status)
    response.headers["Vary"] = "HX-Request"
    return response


def _message(form: Form, message: str, status: int, diff=None, theirs=None):
    """A refusal or conflict: in the message area (htmx) or on the whole page."""
    if htmx_request.htmx:
        response = make_response(
            render_template(
                "admin/_form_builder_message.html",
                slug=form.slug,
                message=message,
                diff=diff,
                theirs=theirs,
            ),
            status,
        )
        response.headers["HX-Retarget"] = "#builder-messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return _page(form, status, message=message, diff=diff, theirs=theirs)


@bp.get("/forms/<slug>/edit")
@admin_required
def form_builder(slug: str):
    """The builder; for htmx (Back from the publish review) only what is inside it."""
    form = _form_or_404(slug)
    if not htmx_request.htmx:
        return _page(form)
    state = form_studio.editor_state(form)
    return render_page_or_partial(
        "admin/form_builder.html",
        "admin/_form_builder_body.html",
        **_context(form, state.text, state.revision),
    )


# ---- the one way a change is saved ------------------------------------------------------


def _apply(slug: str, change, part: str, refused=None, **part_context):
    """Apply `change(data)` to the draft, save it with the page's revision, show `part`.

    `refused(form, message, error)` answers a refusal instead of the plain message (a
    condition editor marks the row it is about)."""
    form = _form_or_404(slug)
    state = form_studio.editor_state(form)
    answer_refusal = refused or (lambda form, message, error: _message(form, message, 422))
    try:
        data = builder.edited(builder.read(state.text), change)
    except builder.BuilderError as error:
        return answer_refusal(form, _refusal_text(error), error)
    except _Refused as refusal:
        return answer_refusal(form, refusal.message, None)
    try:
        draft = form_studio.save_draft(
            form,
            builder.dump(data),
            revision=_revision(),
            base_number=state.base_number,
            actor=current_user,
        )
    except drafts.DraftRefused as refused:
        db.session.rollback()
        return _message(form, str(refused), 422)
    except drafts.EditConflict as conflict:
        db.session.rollback()
        theirs = conflict.current
        return _message(
            form,
            _(
                "Someone else changed this form meanwhile, so your change was not saved. "
                "Below: what your change would do to their version, and their draft. "
                "Reload the editor to continue from theirs."
            ),
            409,
            diff=conflict.diff,
            theirs=theirs.yaml_text if theirs else "",
        )
    text, revision = draft.yaml_text, draft.revision
    db.session.commit()
    if not htmx_request.htmx:
        anchor = part_context.get("anchor", "")
        return redirect(url_for("admin.form_builder", slug=slug) + anchor, code=303)
    context = _context(form, text, revision, **part_context)
    return _retargeted(_fragment(f"admin/_form_builder_{part}.html", context), part, part_context)


def _retargeted(response, part: str, part_context: dict):
    """Swap the answer in place of the element it redraws, whichever element asked."""
    target = PART_TARGETS.get(part)
    question_id = str(part_context.get("question_id", ""))
    if part == "question" and SELECTOR_SAFE_ID.match(question_id):
        target = f"#question-{question_id}"
    if target is None:  # a text cell swaps itself; the body goes into #form-builder
        return response
    return with_htmx_headers(response, retarget=target, reswap="outerHTML")


def _question_part(question_id: str) -> dict:
    return {"question_id": question_id, "anchor": f"#question-{question_id}"}


# ---- questions ------------------------------------------------------------------------------


@bp.post("/forms/<slug>/edit/questions")
@admin_required
def form_builder_add_question(slug: str):
    qtype = _field("type", 40)
    return _apply(slug, lambda data: builder.add_question(data, qtype), "questions")


@bp.post("/forms/<slug>/edit/order")
@admin_required
def form_builder_reorder(slug: str):
    order = [qid for qid in _field("order", 20000).split(",") if qid][: builder.MAX_QUESTIONS + 1]
    return _apply(slug, lambda data: builder.reorder_questions(data, order), "questions")


@bp.post("/forms/<slug>/edit/questions/<question_id>/move")
@admin_required
def form_builder_move(slug: str, question_id: str):
    offset = -1 if request.form.get("direction") == "up" else 1
    return _apply(
        slug,
        lambda data: builder.move_question(data, question_id, offset),
        "questions",
        **_question_part(question_id),
    )


@bp.post("/forms/<slug>/edit/questions/<question_id>/remove")
@admin_required
def form_builder_remove(slug: str, question_id: str):
    return _apply(
        slug, lambda data: builder.remove_question(data, question_id), "questions", anchor=""
    )


@bp.post("/forms/<slug>/edit/questions/<question_id>")
@admin_required
def form_builder_question(slug: str, question_id: str):
    """Id, type, required and limits of one question (one form on the card)."""
    new_id = _field("id", 100).strip() or question_id
    qtype = _field("type", 40)
    required = "required" in request.form
    limits = {key: _field(key, 40) for key in ("min", "max", "max_length")}

    def change(data: dict) -> None:
        current = builder.question(data, question_id)
        if qtype and qtype != current.get("type"):
            builder.change_type(data, question_id, qtype)
        elif any(key in request.form for key in limits):
            builder.set_validation(data, question_id, limits)
        builder.set_required(data, question_id, required)
        builder.rename_question(data, question_id, new_id)

    if new_id != question_id or (qtype and request.form.get("old_type") != qtype):
        return _apply(slug, change, "questions", **_question_part(new_id))
    return _apply(slug, change, "question", **_question_part(question_id))


@bp.post("/forms/<slug>/edit/questions/<question_id>/choices")
@admin_required
def form_builder_add_choice(slug: str, question_id: str):
    return _apply(
        slug,
        lambda data: builder.add_choice(data, question_id),
        "question",
        **_question_part(question_id),
    )


@bp.post("/forms/<slug>/edit/questions/<question_id>/choices/<int:index>/remove")
@admin_required
def form_builder_remove_choice(slug: str, question_id: str, index: int):
    return _apply(
        slug,
        lambda data: builder.remove_choice(data, question_id, index),
        "question",
        **_question_part(question_id),
    )


@bp.post("/forms/<slug>/edit/questions/<question_id>/choices/<int:index>")
@admin_required
def form_builder_choice_value(slug: str, question_id: str, index: int):
    value = _field("value", 200)
    return _apply(
        slug,
        lambda data: builder.set_choice_value(data, question_id, index, value),
        "question",
        **_question_part(question_id),
    )


# ---- texts ----------------------------------------------------------------------------------


@bp.post("/forms/<slug>/edit/text")
@admin_required
def form_builder_text(slug: str):
    """One language of one text; only that field comes back (typing elsewhere is kept)."""
    target, lang = _field("target", 300), _field("lang", 10)
    value = request.form.get("value", "")
    if len(value) > builder.MAX_TEXT_LENGTH * 2:
        value = value[: builder.MAX_TEXT_LENGTH + 1]  # refused as too long, not stored cut
    return _apply(
        slug,
        lambda data: builder.set_text(data, target, lang, value),
        "text_cell",
        target=target,
        lang=lang,
        anchor="",
    )


# ---- conditions ---------------------------------------------------------------------------


def _condition_rows() -> builder.ConditionRows:
    """The rows as posted. Each row's `place` is its position among the top rows and
    groups; a group posts its place (`group`) and all/any (`group_combine`), and the rows
    with its place are its rows (see `condition_groups.arrange`)."""
    combine = _field("combine", 10)
    questions = request.form.getlist("question")[:MAX_ROWS_READ]
    count = len(questions)
    ops = (request.form.getlist("op")[:count] + [""] * count)[:count]
    values = (request.form.getlist("value")[:count] + [""] * count)[:count]
    places = (request.form.getlist("place")[:count] + [""] * count)[:count]
    group_places = request.form.getlist("group")[:MAX_GROUPS_READ]
    group_combines = request.form.getlist("group_combine")[: len(group_places)]
    group_combines += ["all"] * (len(group_places) - len(group_combines))
    rows = [
        (place, builder.ConditionRow(q[:100], o[:20], v[:200]))
        for q, o, v, place in zip(questions, ops, values, places, strict=True)
    ]
    items = condition_groups.arrange(rows, list(zip(group_places, group_combines, strict=True)))
    return builder.ConditionRows(combine if combine in ("all", "any") else "all", tuple(items))


def _condition_target(target: str) -> tuple[str, str | None]:
    """("question", id) | ("ending", index) | ("ticket", None), or a refusal."""
    if target == "creates_ticket":
        return "ticket", None
    kind, _sep, key = target.partition("/")
    if kind == "questions" and key:
        return "question", key
    if kind == "endings" and key.isdigit() and len(key) < 5:
        return "ending", key
    raise _Refused(_("That condition does not exist (any more); reload the page."))


@bp.post("/forms/<slug>/edit/condition")
@admin_required
def form_builder_condition(slug: str):
    """The show_if / ending / ticket condition builder: edit rows and groups, then save or
    clear. Adding or removing a row or group redraws the editor without saving."""
    form = _form_or_404(slug)
    target = _field("target", 200)
    action = _field("action", 20) or "save"
    rows = _condition_rows()
    try:
        kind, key = _condition_target(target)
    except _Refused as refused:
        return _message(form, refused.message, 422)
    if action not in ("save", "clear"):
        pending = builder.edit_rows(rows, action)
        state = form_studio.editor_state(form)
        context = _context(form, state.text, _revision(), target=target, pending={target: pending})
        if not htmx_request.htmx:
            return _page(form, pending={target: pending})
        response = make_response(render_template("admin/_form_builder_condition.html", **context))
        response.headers["Vary"] = "HX-Request"
        return response
    if action == "clear":
        rows = builder.ConditionRows()

    def change(data: dict) -> None:
        before = key if kind == "question" else None
        condition = builder.build_condition(data, rows.combine, rows.rows, before=before)
        if kind == "question":
            builder.set_show_if(data, key, condition)
        elif kind == "ending":
            builder.set_ending_when(data, int(key), condition)
        else:
            if condition is None:
                raise _Refused(str(REFUSALS["empty_condition"]))
            builder.set_creates_ticket(data, condition)

    def refused(form: Form, message: str, error: builder.BuilderError | None):
        return _condition_refused(form, target, rows, message, error)

    if kind == "question":
        return _apply(slug, change, "question", refused, **_question_part(key))
    if kind == "ending":
        return _apply(slug, change, "endings", refused, anchor="#builder-endings")
    return _apply(slug, change, "ticket", refused, anchor="#builder-ticket")


# Which field of a row a refusal is about; anything else is about the question picked.
VALUE_REFUSALS = ("bad_value", "bad_number", "out_of_range", "bad_date", "too_long")


def _condition_refused(form: Form, target: str, rows, message: str, error):
    """A refused save: the message, and the editor again with the rows as they were sent
    and the row or group it is about marked (aria-invalid, described by the message)."""
    where = {"message": message, "row": None, "group": None, "field": "question"}
    if error is not None:
        where.update(row=error.row, group=error.group)
        if error.code in VALUE_REFUSALS:
            where["field"] = "value"
        elif error.code == "bad_operator":
            where["field"] = "op"
    pending, refusals = {target: rows}, {target: where}
    if not htmx_request.htmx:
        return _page(form, 422, message=message, pending=pending, condition_refusals=refusals)
    response = _message(form, message, 422)
    context = _context(
        form,
        form_studio.editor_state(form).text,
        _revision(),
        target=target,
        pending=pending,
        condition_refusals=refusals,
        out_of_band=True,
    )
    response.set_data(
        response.get_data(as_text=True)
        + render_template("admin/_form_builder_condition.html", **context)
    )
    return response


@bp.post("/forms/<slug>/edit/creates-ticket")
@admin_required
def form_builder_creates_ticket(slug: str):
    rule = _field("rule", 10)
    if rule not in ("always", "never"):
        return _message(_form_or_404(slug), _("Choose when a ticket is created."), 422)
    return _apply(
        slug,
        lambda data: builder.set_creates_ticket(data, rule == "always"),
        "ticket",
        anchor="#builder-ticket",
    )


# ---- endings, origins, languages ----------------------------------------------------------


@bp.post("/forms/<slug>/edit/endings")
@admin_required
def form_builder_add_ending(slug: str):
    return _apply(slug, builder.add_ending, "endings", anchor="#builder-endings")


@bp.post("/forms/<slug>/edit/endings/<int:index>/remove")
@admin_required
def form_builder_remove_ending(slug: str, index: int):
    return _apply(
        slug,
        lambda data: builder.remove_ending(data, index),
        "endings",
        anchor="#builder-endings",
    )


@bp.post("/forms/<slug>/edit/origins")
@admin_required
def form_builder_origins(slug: str):
    origin = _field("origin", 300)
    if request.form.get("action") == "remove":
        change = lambda data: builder.remove_origin(data, origin)  # noqa: E731
    else:
        change = lambda data: builder.add_origin(data, origin)  # noqa: E731
    return _apply(slug, change, "origins", anchor="#builder-origins")


@bp.post("/forms/<slug>/edit/schedule")
@admin_required
def form_builder_schedule(slug: str):
    """When the form opens and closes, its time zone and its response limit (one form)."""
    values = {key: _field(key, 80) for key in builder.SCHEDULE_KEYS}
    return _apply(
        slug,
        lambda data: builder.set_schedule(data, values),
        "schedule",
        anchor="#builder-schedule",
    )


@bp.post("/forms/<slug>/edit/languages")
@admin_required
def form_builder_languages(slug: str):
    """Add or remove a language, or choose the default; every text column follows."""
    lang, action = _field("lang", 10), _field("action", 20)
    operations = {
        "add": builder.add_language,
        "remove": builder.remove_language,
        "default": builder.set_default_language,
    }
    operation = operations.get(action)
    if operation is None:
        return _message(_form_or_404(slug), _("That change cannot be made."), 422)
    return _apply(slug, lambda data: operation(data, lang), "body", anchor="#builder-settings")


@bp.app_template_filter("form_condition_json")
def _form_condition_json(condition) -> str:
    return condition_json(condition)
