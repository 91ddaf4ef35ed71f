"""The conversation: one question at a time, as a chat, with or without JavaScript.

Public form posts are protected by a *conversation token* instead of the
session-cookie CSRF token used by staff pages: a widget runs in a third-party
iframe where cookies are often blocked. The token is signed with the app's
secret and names the response it continues, so a forged cross-site post can
only ever start a new, harmless conversation, never touch someone else's.
It also carries when the step was shown (the minimum plausible answer time).
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from htmx_flask import request as htmx_request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from survey_forms import branding as form_branding
from survey_forms import conversation
from survey_forms.conversation import AnswerError
from survey_forms.definition import CHANNELS, MAX_FILE_BYTES, FormDefinition, Question
from survey_forms.schedule import Availability, FormState, has_schedule
from webapp.errors import render_error
from webapp.extensions import csrf, db, limiter
from webapp.external_urls import external_url
from webapp.i18n import browser_language, override_locale
from webapp.models import Form, FormVersion, Response
from webapp.models.types import utcnow
from webapp.outbox import queue_email
from webapp.public import bp
from webapp.public.messages import answer_error_message
from webapp.services import form_assets, form_schedule, recipient_limits
from webapp.services import forms as form_service
from webapp.services.customer_timezone import FIELD as TIMEZONE_FIELD
from webapp.services.customer_timezone import note_response_timezone
from webapp.services.form_studio import EmbedOptions
from webapp.services.non_essential_mail import is_opted_out
from webapp.services.spam import is_blocked
from webapp.services.uploads import UploadRefused, store_upload
from webapp.signing import timed_serializer

csrf.exempt(bp)  # see the module docstring: conversation tokens protect these posts

COOKIE_PREFIX = "ld_r_"
ONE_TAP_SHARE = 0.4  # of FORM_MIN_SECONDS_FIRST_ANSWER, for a score or a chip (see _too_soon)
ASSET_MAX_AGE = 365 * 24 * 3600  # asset names are hashes of their bytes: they never change
TYPED_ANSWERS = ("short_text", "long_text", "email", "number", "date")
MAX_TYPED = 5000  # a refused answer given back is never longer than the longest one taken


def resume_days() -> int:
    """How long a partly answered conversation can be resumed (cookie, step, e-mailed link)."""
    return current_app.config.get("FORM_RESUME_DAYS", 30)


def _resume_seconds() -> int:
    return resume_days() * 24 * 3600


def _left_too_long(response: Response) -> bool:
    """Unanswered for longer than the resume window: it stays a partial response, not resumed."""
    return response.updated_at < utcnow() - timedelta(days=resume_days())


def _steps() -> URLSafeTimedSerializer:
    return timed_serializer("loopdesk-conversation")


def _resume_links() -> URLSafeTimedSerializer:
    return timed_serializer("loopdesk-resume")


def _link_sent_marks() -> URLSafeTimedSerializer:
    """Signs the mark in the "link sent" page's address: a link was sent for this form."""
    return timed_serializer("loopdesk-link-sent")


def _see_other(target: str):
    """POST/redirect/GET: htmx follows HX-Redirect, a browser without JavaScript the 303."""
    if htmx_request.htmx:
        reply = make_response("", 204)
        reply.headers["HX-Redirect"] = target
        return reply
    return redirect(target, code=303)


def _closed(form: Form):
    """A post to an archived form: on to its page, which says it is closed (a reload is safe)."""
    return _see_other(url_for("public.show_form", slug=form.slug, lang=request.form.get("lang")))


def _not_open(form: Form, definition: FormDefinition, state: FormState, prefix: str | None):
    """The polite page of a form that takes no new conversation now, in the customer's language.

    Not open yet: 200 (the address will work); closed or full: 410, as an archived form.
    """
    lang = _choose_language(definition, prefix, None)
    override_locale(lang)
    if state.availability is Availability.NOT_YET:
        heading = _("This survey is not open yet")
        message = _(
            "This survey is not open yet. It opens on %(date)s.",
            date=form_schedule.opens_text(definition, lang),
        )
        status = 200
    else:
        if state.availability is Availability.FULL:
            heading = _("This survey has all the answers it needs")
            message = _("This survey has all the answers it needs. Thank you!")
        else:
            heading = _("This survey has closed")
            message = _("This survey has closed. Thank you for stopping by!")
        if definition.closed_message:
            message = definition.text(definition.closed_message, lang)
        status = 410
    reply = make_response(
        render_template(
            "public/closed.html",
            lang=lang,
            form=form,
            heading=heading,
            message=message,
            form_title=definition.text(definition.title, lang),
            brand=brand_values(definition, lang),
            embedded=request.args.get("embed") == "1",
        ),
        status,
    )
    reply.headers["Cache-Control"] = "no-store"  # it opens (or reopens, a limit raised) later
    reply.headers["Vary"] = "Accept-Language, Cookie"
    _frame_policy(reply, definition)  # it opens inside the widget's iframe too
    return reply


def _form_or_404(slug: str) -> Form:
    form = form_service.find_form(slug)
    if form is None:
        abort(404)
    return form


def _choose_language(
    definition: FormDefinition, prefix: str | None, response: Response | None
) -> str:
    for candidate in (
        prefix,
        request.args.get("lang"),
        request.form.get("lang"),
        response.locale if response else None,
    ):
        if candidate in definition.languages:
            return candidate
    return browser_language(definition.languages) or definition.default_language


def _response_from_cookie(form: Form) -> Response | None:
    token = request.cookies.get(COOKIE_PREFIX + form.slug)
    if not token:
        return None
    return db.session.scalar(
        select(Response).where(Response.token == token, Response.form_id == form.id)
    )


def _user_agent_class() -> str:
    agent = (request.user_agent.string or "").lower()
    if any(word in agent for word in ("bot", "spider", "crawl")):
        return "bot"
    if "ipad" in agent or "tablet" in agent:
        return "tablet"
    if "mobi" in agent or "android" in agent or "iphone" in agent:
        return "mobile"
    return "desktop"


def _start_metadata() -> dict:
    """What we learn about a respondent when the form is first shown (no personal data)."""
    page_url = request.args.get("page_url") or ""
    referrer = request.args.get("ref") or request.referrer or ""
    meta = {
        "page_url": page_url[:500],
        "referrer": referrer[:500],
        "user_agent": _user_agent_class(),
    }
    country = request.headers.get("CF-IPCountry") or request.headers.get("X-Country-Code")
    if country and len(country) == 2 and country.isalpha():
        meta["country"] = country.upper()
    return meta


def _step_token(
    response: Response | None,
    pending: dict | None = None,
    asked_again: bool = False,
) -> str:
    payload = {"r": response.token if response else None, "t": time.time()}
    if response is None and pending:
        payload["p"] = pending  # hidden fields and metadata for the response to be created
    if asked_again:
        payload["a"] = 1  # a first answer refused as too quick: the next one is taken (_too_soon)
    return _steps().dumps(payload)


def _render(
    form: Form,
    definition: FormDefinition,
    response: Response | None,
    lang: str,
    *,
    question: Question | None,
    error: str | None = None,
    pending: dict | None = None,
    partial: bool = False,
    ticket=None,
    status: int = 200,
    appended: str | None = None,
    edited: bool = False,
    asked_again: bool = False,
    continue_later: dict | None = None,
    expired: bool = False,
    typed: str | None = None,
):
    """The conversation page, or (partial) the exchange htmx swaps in.

    `typed`: what the customer typed into an answer that was refused, shown in the field
    again to correct rather than to type anew.
    """
    answers = response.answers if response else {}
    context = (
        form_service.context_of(response)
        if response
        else {"hidden": {}, "locale": lang, "channel": "web"}
    )
    answered, total = conversation.progress(definition, answers, **context)
    done = response is not None and response.completed_at is not None
    values = dict(
        form=form,
        definition=definition,
        response=response,
        lang=lang,
        t=lambda texts: definition.text(texts, lang),
        pipe=lambda text: conversation.pipe(text, answers),
        transcript=conversation.transcript(definition, answers, **context),
        question=None if done else question,
        current_value=typed
        if typed is not None
        else (answers.get(question.id) if question and response else None),
        editing=bool(question and response and question.id in answers and not done),
        error=error,
        appended=appended,
        edited=edited,
        partial=partial,
        step=_step_token(response, pending, asked_again),
        answered=answered,
        total=max(total, 1),
        done=done,
        ending=conversation.ending_text(definition, answers, lang, **context) if done else "",
        ticket=ticket,
        channel=(response.channel if response else (pending or {}).get("c", "web")),
        embedded=request.args.get("embed") == "1"
        or (response is not None and response.channel == "widget"),
        brand=brand_values(definition, lang),
        preview=False,
        carried=_carried_args(response),
        again=_answer_again_args(response),
        may_answer_again=done and _takes_new_conversations(form),
        max_file_bytes=MAX_FILE_BYTES,  # chat.js refuses a bigger file before uploading it
        continue_later=continue_later or {},  # a refused address: its message and the text
        resume_days=resume_days(),
        expired=expired,  # a conversation left too long starts over: say so
    )
    if done and response.ticket_id:
        from webapp.models import Ticket

        values["ticket"] = db.session.get(Ticket, response.ticket_id)
    template = "public/_exchange.html" if partial else "public/form.html"
    body = make_response(render_template(template, **values), status)
    body.headers["Vary"] = "HX-Request, Accept-Language, Cookie"
    body.headers["Cache-Control"] = "no-store"
    if edited:  # the address bar still says ?edit=…: a reload would reopen the edit
        body.headers["HX-Replace-Url"] = url_for("public.show_form", slug=form.slug, lang=lang)
    _frame_policy(body, definition)
    if response is not None:
        _remember_response(body, form, response.token)
    return body


def _carried_args(response: Response | None) -> dict:
    """What the language links keep from the address until the first answer stores it.

    The widget's embed, channel and page, hidden fields and their signatures: a switch of
    language before answering must not turn a widget response into a web one. And `new`:
    after "Answer again" it must not bring back the finished conversation.
    """
    if response is not None:
        return {}
    return {k: v for k, v in request.args.items() if k not in ("lang", "edit")}


def _takes_new_conversations(form: Form) -> bool:
    """Whether "Answer again" would be taken now: the live version's schedule and limit.

    The end screen does not offer a new conversation that the form's page would refuse
    (archived, closed, not open yet, or full, perhaps with the answer just given).
    """
    if form.archived:
        return False
    version_id = db.session.scalar(
        select(FormVersion.id).where(FormVersion.form_id == form.id, FormVersion.active.is_(True))
    )
    if version_id is None:
        return False
    live = form_service.definition_for(version_id)
    return form_schedule.state_of(form, live).is_open


def _answer_again_args(response: Response | None) -> dict:
    """A widget conversation answered again stays a widget conversation, on the same page;
    any conversation keeps its hidden fields (a signed-in customer's id stays theirs)."""
    if response is None or response.completed_at is None:
        return {}
    definition = form_service.definition_for(response.form_version_id)
    args: dict = form_service.hidden_query(response.form, definition, response.hidden or {})
    if response.channel != "widget":
        return args
    meta = response.meta or {}
    return {
        **args,
        "embed": 1,
        "channel": "widget",
        "page_url": meta.get("page_url") or None,
        "ref": meta.get("referrer") or None,
    }


def _remember_response(reply, form: Form, token: str) -> None:
    """The cookie that brings this browser back to its conversation (resume on reload).

    It lives twice the resume window: a customer who comes back a little too late is told
    that the conversation starts over, instead of silently meeting an empty one.
    """
    reply.set_cookie(
        COOKIE_PREFIX + form.slug,
        token,
        max_age=2 * _resume_seconds(),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


def _frame_policy(response, definition: FormDefinition) -> None:
    """Only the form's allowed origins may embed it (the widget's iframe)."""
    response.headers["Content-Security-Policy"] = form_assets.content_security_policy(
        definition.branding, definition.allowed_origins
    )


def brand_values(definition: FormDefinition, lang: str) -> dict:
    """What the conversation templates need to show a form's branding (validated values)."""
    branding = definition.branding
    return {
        "stylesheet": form_assets.stylesheet_url(branding),
        "colours": form_branding.colour_classes(branding),
        "theme": form_branding.theme_for(branding),
        "font": branding.font,
        "logo": form_assets.image_url(branding.logo),
        "avatar": form_assets.image_url(branding.avatar),
        "bot_name": definition.text(definition.bot_name, lang) if definition.bot_name else "",
    }


@bp.get("/brand.css")
def brand_stylesheet():
    """A branding's colours as CSS custom properties (pages refuse inline styles)."""
    css = form_branding.stylesheet(form_assets.branding_from_args(request.args))
    reply = make_response(css)
    reply.mimetype = "text/css"
    reply.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    return reply


@bp.get("/form-assets/<name>")
def form_asset(name: str):
    """A logo or avatar uploaded in the studio: an image type we sniffed, cached for a year."""
    path = form_assets.asset_path(name)
    if path is None:
        abort(404)
    reply = send_file(path, mimetype=form_assets.content_type_of(name), max_age=ASSET_MAX_AGE)
    reply.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    reply.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    reply.headers["Content-Disposition"] = "inline"
    reply.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return reply


@bp.get("/f/<slug>")
@bp.get("/<any(en, pl, ru, sl):prefix>/f/<slug>")
def show_form(slug: str, prefix: str | None = None):
    form, version_id = form_service.find_form_and_active_version(slug)
    if form is None:
        abort(404)
    if form.archived:
        if prefix:
            override_locale(prefix)
        closed = make_response(render_template("public/closed.html", lang=str(get_locale())), 410)
        if version_id is not None:  # it opens inside the widget's iframe too
            _frame_policy(closed, form_service.definition_for(version_id))
        return closed
    if version_id is None:
        abort(404)
    response = _response_from_cookie(form)
    if response is not None and request.args.get("new") == "1":
        response = None
    left_too_long = False
    if response is not None and _left_too_long(response):
        # Kept as the partial (or finished) response it is; this visit starts a new one.
        left_too_long = response.completed_at is None
        response = None
    if response is None:  # a new conversation: only while the form is open (its schedule, limit)
        live = form_service.definition_for(version_id)
        state = form_schedule.state_of(form, live)
        if not state.is_open:
            return _not_open(form, live, state, prefix)
    definition = form_service.definition_for(response.form_version_id if response else version_id)
    lang = _choose_language(definition, prefix, response)
    override_locale(lang)
    if response is not None and response.locale != lang and response.completed_at is None:
        response.locale = lang  # the switcher: later answers and the ticket use the new language
        db.session.commit()
    pending = None
    if response is None:
        hidden, rejected = form_service.hidden_from_query(form, definition, request.args)
        meta = _start_metadata()
        if rejected:
            meta["rejected_signed_fields"] = rejected
        channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else "web"
        pending = {"h": hidden, "m": meta, "c": channel}
    editing = definition.question(request.args.get("edit", "")) if response else None
    if editing and editing.id in response.answers and response.completed_at is None:
        question = editing
    else:
        question = _asked_now(definition, response)
    expired_note = left_too_long or request.args.get("resume") == "expired"
    reply = _render(
        form, definition, response, lang, question=question, pending=pending, expired=expired_note
    )
    if left_too_long:
        reply.delete_cookie(COOKIE_PREFIX + form.slug)
    return reply


@bp.post("/f/<slug>/answer")
@limiter.limit(lambda: current_app.config.get("FORM_RATE_LIMIT", "60 per minute;600 per hour"))
def answer(slug: str):
    try:
        step = _steps().loads(request.form.get("step", ""), max_age=_resume_seconds())
    except SignatureExpired:
        return _expired(_form_or_404(slug), note=True)
    except BadSignature:
        return _expired(_form_or_404(slug))
    response = None
    if step.get("r"):
        # One query for the conversation and its form: this is the hottest route.
        response = form_service.find_response(slug, step["r"])
        if response is None:
            return _expired(_form_or_404(slug))
        if response.completed_at is None and _left_too_long(response):
            return _expired(response.form, note=True)
        form, version_id = response.form, response.form_version_id
    else:
        form, version_id = form_service.find_form_and_active_version(slug)
        if form is None or (version_id is None and not form.archived):
            abort(404)
    if form.archived:
        return _closed(form)
    definition = form_service.definition_for(version_id)
    if response is None and not form_schedule.state_of(form, definition).is_open:
        # No new conversation outside the schedule or past the limit; one already started
        # finishes (it has a response). The form's page says why.
        return _closed(form)
    lang = _choose_language(definition, None, response)
    override_locale(lang)
    question = definition.question(request.form.get("question", ""))
    if question is None:  # not a question of this form (a tampered post): show where we are
        return _render(
            form,
            definition,
            response,
            lang,
            question=_asked_now(definition, response),
            pending=step.get("p"),
            partial=bool(htmx_request.htmx),
        )
    if request.form.get("website"):  # the honeypot: people never see this field
        current_app.logger.info("form %s: honeypot filled, answer dropped", slug)
        return _render(
            form,
            definition,
            response,
            lang,
            question=question,
            error=None,
            pending=step.get("p"),
            partial=bool(htmx_request.htmx),
        )
    if response is None and _too_soon(step, question):
        return _render(
            form,
            definition,
            None,
            lang,
            question=question,
            pending=step.get("p"),
            error=_too_fast(),
            partial=bool(htmx_request.htmx),
            status=422,
            asked_again=True,  # the next try is taken, however soon it comes
            typed=_typed_answer(question),
        )
    if response is None:
        pending = step.get("p") or {}
        response = form_service.new_response(
            form,
            version_id,
            locale=lang,
            channel=pending.get("c", "web"),
            hidden=pending.get("h", {}),
            meta=pending.get("m", {}),
        )
        if question.type == "file":
            db.session.flush()  # the stored file points at the response
    if response.locale != lang:
        response.locale = lang
    note_response_timezone(response, request.form.get(TIMEZONE_FIELD))
    edited = question.id in response.answers  # an earlier answer changed: redraw, not append
    try:
        raw = _raw_answer(response, question)
        form_service.record_answer(response, question.id, raw)
    except (AnswerError, UploadRefused) as refused:
        db.session.commit()  # keep the response (and earlier answers) even when this one is refused
        error = answer_error_message(AnswerError(refused.code, **getattr(refused, "params", {})))
        stale = refused.code == "not_asked"  # another tab changed the answers: carry on from there
        return _render(
            form,
            definition,
            response,
            lang,
            question=_asked_now(definition, response) if stale else question,
            error=error,
            partial=bool(htmx_request.htmx),
            status=422,
            appended=question.id if stale else None,  # with edited: the transcript is redrawn
            edited=stale,
            typed=None if stale else _typed_answer(question),
        )
    ticket = form_service.finish_if_done(response)
    # The rows just written are what the reply shows: no need to reload them after the commit.
    db.session().expire_on_commit = False
    db.session.commit()
    nxt = _asked_now(definition, response)
    if not htmx_request.htmx:
        target = url_for("public.show_form", slug=slug, lang=lang)
        redirect_response = redirect(target + ("#end" if nxt is None else "#composer"), code=303)
        _remember_response(redirect_response, form, response.token)
        return redirect_response
    reply = _render(
        form,
        definition,
        response,
        lang,
        question=nxt,
        partial=True,
        ticket=ticket,
        appended=question.id,
        edited=edited,
    )
    if not step.get("r"):  # the first answer: a reload of "?new=1" must not start over again
        reply.headers["HX-Replace-Url"] = url_for("public.show_form", slug=slug, lang=lang)
    return reply


@bp.errorhandler(RequestEntityTooLarge)
def answer_too_large(error: RequestEntityTooLarge):
    """A file far over the limit: the post cannot even be read. Say so at the question (or,
    for a reply on the status page, at the reply box).

    The conversation is found by its cookie (the step token is in the unread body); one
    left longer than the resume window starts over, saying so, as `answer` does.
    """
    if request.endpoint == "public.ticket_reply":  # files on the status page
        from webapp.public.status_views import reply_too_large

        return reply_too_large((request.view_args or {}).get("token", ""))
    slug = (request.view_args or {}).get("slug")
    form = form_service.find_form(slug) if request.endpoint == "public.answer" and slug else None
    response = _response_from_cookie(form) if form is not None else None
    if response is None or response.completed_at is not None:
        return render_error(413)
    if _left_too_long(response):
        return _expired(form, note=True)
    definition = form_service.definition_for(response.form_version_id)
    lang = response.locale if response.locale in definition.languages else None
    lang = lang or definition.default_language
    override_locale(lang)
    return _render(
        form,
        definition,
        response,
        lang,
        question=_asked_now(definition, response),
        error=answer_error_message(AnswerError("too_large")),
        partial=bool(htmx_request.htmx),
        status=422,  # htmx swaps 422 into the conversation, like any refused answer
    )


def _asked_now(definition: FormDefinition, response: Response | None) -> Question | None:
    """The question the conversation is at (None once it is over)."""
    if response is None:
        return conversation.next_question(definition, {})
    return conversation.next_question(
        definition, response.answers, **form_service.context_of(response)
    )


def _too_soon(step: dict, question: Question | None) -> bool:
    """A first answer sooner after the page was shown than a person could give it: a bot.

    A score or a chip takes one tap, so a person who knows their answer may be quick: they
    get ONE_TAP_SHARE of the time a typed answer needs. A person can be quicker still (the
    browser filled in their address, they pressed Enter), so a refusal asks again and the
    page it shows takes the next try at once: a person is slowed once, never lost. Bots
    are caught by the honeypot and the rate limits.
    """
    if step.get("a"):
        return False
    minimum = current_app.config.get("FORM_MIN_SECONDS_FIRST_ANSWER", 2.0)
    if question is not None and question.one_tap:
        minimum *= ONE_TAP_SHARE
    return time.time() - float(step.get("t", 0)) < minimum  # `t` is signed: ours


def _too_fast() -> str:
    from flask_babel import gettext as _

    return _("That was quick! Please take a moment to read the question, then answer again.")


def _raw_answer(response: Response, question: Question):
    if request.form.get("skip"):  # "Skip": nothing typed, ticked or chosen meanwhile is kept
        return None
    if question.type == "file":
        upload = request.files.get("value")
        if upload is None or not upload.filename:
            return None
        stored = store_upload(response, question.id, upload)
        return {"file_id": stored.id, "name": stored.filename, "size": stored.size}
    if question.type == "multi_choice":
        return request.form.getlist("value")
    return request.form.get("value")


def _typed_answer(question: Question) -> str | None:
    """What was typed into a refused text, e-mail, number or date answer ("jan@example"),
    to be given back in the field: the customer corrects it instead of typing it again."""
    if question.type not in TYPED_ANSWERS or request.form.get("skip"):
        return None
    return (request.form.get("value") or "")[: question.max_length or MAX_TYPED]


def _expired(form: Form, *, note: bool = False):
    """An unknown or expired conversation starts a fresh one instead of failing.

    `note`: it was left longer than the resume window, and the new page says so.
    """
    target = url_for("public.show_form", slug=form.slug, new=1, resume="expired" if note else None)
    reply = _see_other(target)
    reply.delete_cookie(COOKIE_PREFIX + form.slug)
    return reply


@bp.post("/f/<slug>/continue-later")
@limiter.limit("10 per hour")
def continue_later(slug: str):
    """E-mail a signed, expiring link that resumes this conversation on another device.

    Limited per client address (the route) and per recipient (CONTINUE_LATER_MAILS_PER_ADDRESS),
    so nobody can fill a stranger's mailbox from many addresses.
    """

    form = _form_or_404(slug)
    try:
        step = _steps().loads(request.form.get("step", ""), max_age=_resume_seconds())
    except SignatureExpired:
        return _expired(form, note=True)
    except BadSignature:
        return _expired(form)
    response = db.session.scalar(
        select(Response).where(Response.token == (step.get("r") or ""), Response.form_id == form.id)
    )
    if response is None:
        return _expired(form)
    if response.completed_at is None and _left_too_long(response):
        return _expired(form, note=True)
    if form.archived:
        return _closed(form)
    definition = form_service.definition_for(response.form_version_id)
    lang = _choose_language(definition, None, response)
    override_locale(lang)
    email = (request.form.get("email") or "").strip()
    try:
        email = conversation.parse_answer(
            Question(id="email", type="email", text={}, max_length=254), email
        )
    except AnswerError as refused:
        if refused.code == "required":  # an empty box asks for an address, not "an answer"
            refused = AnswerError("email")
        return _render(
            form,
            definition,
            response,
            lang,
            question=_asked_now(definition, response),
            continue_later={"error": answer_error_message(refused), "email": email},
            status=422,
        )
    if not recipient_limits.count_mail_to(email, "continue_later"):
        # Many clients mailing one stranger: refused in the respondent's language, the
        # conversation and the typed address kept.
        return _render(
            form,
            definition,
            response,
            lang,
            question=_asked_now(definition, response),
            continue_later={
                "error": _(
                    "We have already sent several links to this address. Please try again "
                    "later, or finish the form now: your answers so far are saved."
                ),
                "email": email,
            },
            status=429,
        )
    # An address that asked for no more of our e-mail, or that agents blocked as a spammer's,
    # gets none; the page reads as usual, so it does not tell a stranger who is on either list.
    if not is_opted_out(email) and not is_blocked(email):
        link = external_url("public.resume", slug=slug, token=_resume_links().dumps(response.token))
        queue_email(
            email,
            "continue_later",
            lang,
            {
                "link": link,
                "form_title": definition.text(definition.title, lang),
                "days": resume_days(),
            },
        )
    response.updated_at = utcnow()  # the link's days and the conversation's run from now
    db.session.commit()
    # The address stays out of the URL (history, logs, referrers): it goes in the signed
    # session cookie. Where cookies are blocked (a widget's iframe) the page says it without it.
    session["link_sent"] = {"form": slug, "email": email}
    mark = _link_sent_marks().dumps(slug)
    return _see_other(url_for("public.continue_sent", slug=slug, lang=lang, sent=mark))


@bp.get("/f/<slug>/link-sent")
def continue_sent(slug: str):
    """After "continue later": the link is on its way (a reload just shows this again)."""
    form, version_id = form_service.find_form_and_active_version(slug)
    if form is None:
        abort(404)
    try:
        marked = _link_sent_marks().loads(request.args.get("sent", ""), max_age=_resume_seconds())
    except (BadSignature, SignatureExpired):
        marked = None
    if form.archived or version_id is None or marked != slug:  # nothing sent from here
        return redirect(url_for("public.show_form", slug=slug, lang=request.args.get("lang")))
    response = _response_from_cookie(form)
    definition = form_service.definition_for(response.form_version_id if response else version_id)
    lang = _choose_language(definition, None, response)
    override_locale(lang)
    sent = session.get("link_sent") or {}
    reply = make_response(
        render_template(
            "public/continue_sent.html",
            form=form,
            definition=definition,
            lang=lang,
            email=sent.get("email") if sent.get("form") == slug else None,
            resume_days=resume_days(),
            t=lambda texts: definition.text(texts, lang),
            brand=brand_values(definition, lang),
        )
    )
    reply.headers["Cache-Control"] = "no-store"  # it may name the customer's address
    _frame_policy(reply, definition)  # it opens inside the widget's iframe too
    return reply


@bp.get("/f/<slug>/availability.json")
def form_availability(slug: str):
    """Whether the widget should offer this form now: {"open": true|false}.

    Read by widget.js on the customer's site before it shows a button or arms a trigger, so
    a closed form never pops up. Anyone may read it (it says no more than the form's page).
    """
    form, version_id = form_service.find_form_and_active_version(slug)
    is_open, changes_by_itself = False, False
    if form is not None and not form.archived and version_id is not None:
        definition = form_service.definition_for(version_id)
        is_open = form_schedule.state_of(form, definition).is_open
        changes_by_itself = has_schedule(definition)
    reply = make_response({"open": is_open}, 200 if form is not None else 404)
    reply.headers["Access-Control-Allow-Origin"] = "*"
    # A form on a schedule or a limit closes by itself: asked afresh on every page view, so
    # the 201st visitor does not get a popup saying it has closed. Others change only when
    # an admin publishes or archives: a minute's cache spares the customer's busy pages.
    reply.headers["Cache-Control"] = "no-store" if changes_by_itself else "public, max-age=60"
    return reply


@bp.get("/f/<slug>/resume/<token>")
def resume(slug: str, token: str):
    form = _form_or_404(slug)
    try:
        response_token = _resume_links().loads(token, max_age=_resume_seconds())
    except SignatureExpired:
        return redirect(url_for("public.show_form", slug=slug, new=1, resume="expired"), code=303)
    except BadSignature:
        return redirect(url_for("public.show_form", slug=slug, new=1), code=303)
    reply = redirect(url_for("public.show_form", slug=slug), code=303)
    _remember_response(reply, form, response_token)
    return reply


# The demo page's own arguments, carried by its language links (each checked when read).
DEMO_ARGUMENTS = ("form", "trigger", "style", "position", "color", "label")


@bp.get("/widget/demo")
@bp.get("/<any(en, pl, ru, sl):prefix>/widget/demo")
def widget_demo(prefix: str | None = None):
    """A pretend shop page with the widget embedded, to see it working.

    Its language, as on the other public pages: /pl/widget/demo, else ?lang=, else the
    browser's, else English. The widget opens in the page's language (data-lang).
    """
    languages = current_app.config["LANGUAGES"]
    lang = next(
        (code for code in (prefix, request.args.get("lang")) if code in languages),
        browser_language(languages) or "en",
    )
    override_locale(lang)
    form = request.args.get("form") or "nps"
    trigger = request.args.get("trigger") or "button"
    if not all(ch.isalnum() or ch in "-:" for ch in form + trigger):
        abort(400)
    # The look chosen on the admin's embed page (style, side, colour, text), checked there.
    look = EmbedOptions.from_args(request.args, tuple(current_app.config["LANGUAGES"]))
    carried = {name: request.args[name] for name in DEMO_ARGUMENTS if request.args.get(name)}
    return render_template(
        "public/widget_demo.html",
        lang=lang,
        form_slug=form,
        trigger=trigger,
        look=look,
        carried=carried,
    )
