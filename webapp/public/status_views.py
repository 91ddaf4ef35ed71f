"""The customer's private status page for a ticket (`/t/<token>`), in their language."""

from __future__ import annotations

from contextlib import suppress

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from survey_forms.conversation import AnswerError
from survey_forms.definition import MAX_FILE_BYTES
from webapp.extensions import db, limiter
from webapp.i18n import override_locale
from webapp.models import Ticket, TicketEvent
from webapp.public import bp
from webapp.public.messages import answer_error_message
from webapp.services import surveys
from webapp.services.customer_requests import customer_state_label, request_timezone
from webapp.services.customer_timezone import FIELD as TIMEZONE_FIELD
from webapp.services.customer_timezone import note_ticket_timezone
from webapp.services.merging import carried_on_in
from webapp.services.replies import receive_customer_reply
from webapp.services.ticket_files import MAX_FILES, check_uploads, file_of, keep_uploads, path_of
from webapp.services.tickets import TicketConflict
from webapp.services.uploads import UploadRefused
from webapp.services.workflow_versions import machine_for
from webapp.signing import serializer
from webapp.tickets.conversation import conversation_of

PUBLIC_EVENT_KINDS = ("created", "transition", "public_reply", "customer_reply")
MAX_REPLY = 5000


def _ticket_or_404(token: str) -> Ticket:
    ticket = (
        db.session.scalar(select(Ticket).where(Ticket.status_token == token))
        if len(token) > 20
        else None
    )
    if ticket is None or ticket.spam_at is not None:  # spam: whoever sent it learns nothing
        abort(404)
    return ticket


def _reply_signer() -> URLSafeSerializer:
    return serializer("loopdesk-status-reply")


def _erased_page(lang: str):
    """The customer's data was erased on their request: say so, rather than an empty ticket."""
    response = current_app.make_response((render_template("public/erased.html", lang=lang), 410))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page_language(ticket: Ticket) -> str:
    """The language the customer reads the page in: the one they chose (`?lang=`, which the
    reply box's address keeps), else the request's own."""
    chosen = request.args.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else ticket.customer_locale


@bp.get("/t/<token>")
def ticket_status(token: str):
    ticket = _ticket_or_404(token)
    lang = _page_language(ticket)
    override_locale(lang)
    if ticket.customer_erased_at is not None:
        return _erased_page(lang)
    target = carried_on_in(ticket)
    if target is not ticket:  # merged: the same customer's request that carries on
        flash(
            _(
                "Your request %(old)s is now part of request %(new)s: you can follow it here.",
                old=ticket.number,
                new=target.number,
            ),
            "info",
        )
        kept = {"lang": request.args["lang"]} if "lang" in request.args else {}
        return redirect(url_for("public.ticket_status", token=target.status_token, **kept), 303)
    return _status_page(ticket, lang)


def _survey_on_page(ticket: Ticket, lang: str) -> dict | None:
    """The satisfaction survey sent after resolution, asked here too (one click answers it,
    as in the e-mail); with the answer already given, the score and a way to change it."""
    invitation = surveys.answerable_invitation(ticket.id)
    survey = surveys.survey_form(invitation) if invitation is not None else None
    if survey is None:
        return None
    low, high = survey.scale
    return {
        "token": invitation.token,
        "question": survey.text(survey.question.text, lang),
        "survey_type": survey.question.type,
        "low_label": survey.text(survey.question.low_label, lang),
        "high_label": survey.text(survey.question.high_label, lang),
        "scores": range(low, high + 1),
        "answered": surveys.current_answer(invitation, survey).score,
    }


def _status_page(
    ticket: Ticket,
    lang: str,
    *,
    typed: str = "",
    error: str | None = None,
    error_for_files: bool = False,
):
    """The page, also redrawn with a refused message: the customer's text stays in the box."""
    definition = machine_for(ticket.workflow_version_id).definition
    events = db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(PUBLIC_EVENT_KINDS))
        .order_by(TicketEvent.id)
    ).all()
    response = current_app.make_response(
        (
            render_template(
                "public/status.html",
                ticket=ticket,
                lang=lang,
                state=definition.states[ticket.state],
                state_labels={
                    name: customer_state_label(s, lang) for name, s in definition.states.items()
                },
                events=events,
                talk=conversation_of(ticket),  # what the customer told us, in their words
                reply_token=_reply_signer().dumps(ticket.status_token),
                zone=str(get_timezone()),  # said beside times when we do not know theirs
                customer_zone=request_timezone(ticket),  # their browser's, once it told us
                typed=typed,
                error=error,
                error_for_files=error_for_files,  # app.js drops it once other files are chosen
                max_files=MAX_FILES,
                max_file_bytes=MAX_FILE_BYTES,  # app.js refuses a bigger file before uploading
                survey=_survey_on_page(ticket, lang),
            ),
            422 if error else 200,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@bp.get("/t/<token>/files/<int:file_id>")
def ticket_status_file(token: str, file_id: int):
    """A file our team sent with a reply, for the customer who holds the status link (the
    customer's own files are for staff only: they have them already)."""
    ticket = _ticket_or_404(token)
    if ticket.customer_erased_at is not None:
        abort(404)
    stored = file_of(ticket, file_id)
    if stored is None or stored.channel != "agent" or not path_of(stored).exists():
        abort(404)
    reply = send_file(
        path_of(stored),
        mimetype=stored.content_type,
        as_attachment=not stored.content_type.startswith("image/"),
        download_name=stored.filename,
        max_age=0,
    )
    reply.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    reply.headers["Cache-Control"] = "private, no-store"
    reply.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return reply


@bp.post("/t/<token>/reply")
@limiter.limit("20 per hour")
def ticket_reply(token: str):
    """The customer writes back (see replies.receive_customer_reply), with files if they like."""
    # Up to MAX_FILES files of MAX_FILE_BYTES each: more than the app-wide request limit.
    request.max_content_length = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
    ticket = _ticket_or_404(token)
    lang = _page_language(ticket)
    override_locale(lang)
    if ticket.customer_erased_at is not None:
        return _erased_page(lang)
    try:
        signed = _reply_signer().loads(request.form.get("reply_token", ""))
    except BadSignature:
        abort(400)
    if signed != ticket.status_token:
        abort(400)
    ticket = carried_on_in(ticket)  # a reply on a merged request's page goes where it went
    text = (request.form.get("message") or "").replace("\x00", "").strip()
    try:
        checked = check_uploads(request.files.getlist("files"))
    except UploadRefused as refused:
        return _status_page(ticket, lang, typed=text, error=_refusal(refused), error_for_files=True)
    if not text and not checked:
        return _status_page(ticket, lang, error=_("Please write a message first."))
    if len(text) > MAX_REPLY:
        return _status_page(
            ticket,
            lang,
            typed=text,
            error=_("Please keep it under %(max)d characters.", max=MAX_REPLY),
        )
    files = keep_uploads(ticket, checked)
    note_ticket_timezone(ticket, request.form.get(TIMEZONE_FIELD))
    with suppress(TicketConflict):  # a colleague moved it meanwhile: the reply is kept
        receive_customer_reply(ticket, text, **files.event_data())
    db.session.commit()
    flash(_("Thank you, your message was added to your request."), "success")
    kept = {"lang": lang} if "lang" in request.args else {}
    # Back at the reply box, their message just above it: chat.js focuses the box, and
    # without JavaScript the fragment starts the Tab order there, not at the page's top.
    target = url_for("public.ticket_status", token=ticket.status_token, _anchor="reply", **kept)
    return redirect(target, code=303)


def _refusal(refused: UploadRefused) -> str:
    return answer_error_message(AnswerError(refused.code))


def reply_too_large(token: str):
    """Files far over the limit: the post cannot be read. The page again, saying why (called
    by the blueprint's one handler of RequestEntityTooLarge, `views.answer_too_large`)."""
    ticket = _ticket_or_404(token)
    lang = _page_language(ticket)
    override_locale(lang)
    return _status_page(
        ticket, lang, error=_refusal(UploadRefused("too_large")), error_for_files=True
    )
