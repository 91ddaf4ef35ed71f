"""Workspace actions that talk: public replies (with preview), internal notes, sharing."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_forms.definition import MAX_FILE_BYTES
from webapp.extensions import db
from webapp.models import User
from webapp.record_ids import optional_id, record_id, record_ids
from webapp.security import staff_required
from webapp.services.notes import NoteRefused, add_note
from webapp.services.replies import (
    ReplyRefused,
    canned_body,
    clean_reply_text,
    fill_placeholders,
    placeholder_values,
    send_public_reply,
)
from webapp.services.reply_collisions import messages_since
from webapp.services.sharing import ShareRefused, recipient_for, share_ticket
from webapp.services.ticket_files import MAX_FILES, check_uploads
from webapp.services.tickets import TicketConflict
from webapp.services.uploads import UploadRefused
from webapp.tickets import bp
from webapp.tickets.conversation import conversation_as_text, conversation_of
from webapp.tickets.responses import after_action, move_and_say, refused, ticket_or_404
from webapp.tickets.workspace import FormState

REFUSALS = {
    "empty": _l("Please write something first."),
    "too_long": _l("This is too long; please shorten it."),
    "duplicate": _l("This reply was already sent."),
    "unknown_colleague": _l("One of the colleagues you chose does not exist or is inactive."),
    "no_recipient": _l("Choose a colleague or enter an e-mail address."),
    "bad_email": _l("This e-mail address does not look right."),
    "merged": _l("This ticket was merged into another: reply to the customer there."),
    "spam": _l("This ticket was marked as spam: no reply is sent. Choose “Not spam” first."),
    "erased": _l(
        "The customer's data was erased on request: there is no address or status page to reply to."
    ),
}
CONFLICT = _l("Someone else changed this ticket a moment ago. Please try again.")
REPLIED_MEANWHILE = _l(
    "While you were writing, the conversation moved on (see the newest messages in the "
    "history). Your reply was not sent and is kept here: read them, then send it if it "
    "still fits."
)


def refusal_text(code: str) -> str:
    return str(REFUSALS.get(code, _l("This is not possible now.")))


def _int_list(name: str) -> list[int] | None:
    """Integers from a repeated form field; None when one of them is not a number."""
    return record_ids(request.form.getlist(name))


@bp.get("/tickets/<number>/reply")
@staff_required
def reply_form(number: str):
    """The reply section with a canned template's text in the box (htmx on select change).

    What the agent had already typed (sent along by htmx) stays, with the template after it,
    as a help desk's macros do: picking a template must never throw away a draft, nor the
    step chosen for after sending (the files chosen stay in the browser: ticket_live.js).
    """
    ticket = ticket_or_404(number)
    text = canned_body(ticket, request.args.get("canned", type=record_id) or 0)
    draft = request.args.get("text", "").rstrip()
    if draft:
        text = f"{draft}\n\n{text}" if text else draft
    values = {"text": text, "canned": request.args.get("canned"), **_seen_kept()}
    if "then" in request.args:  # else the box offers the agent's usual step
        values["then"] = request.args["then"]
    forms = FormState(values={"reply": values})
    return after_action(ticket, ["reply"], anchor="ws-reply", forms=forms, reply_prefilled=True)


def _seen_kept() -> dict:
    """The reply form's marker of the newest message the agent has seen, carried through a
    preview or a template: those redraw the form, not the history."""
    seen = request.values.get("seen", "")
    return {"seen": seen} if seen.isascii() and seen.isdigit() and len(seen) <= 18 else {}


@bp.post("/tickets/<number>/reply/preview")
@staff_required
def reply_preview(number: str):
    """Show exactly what the customer will read (placeholders filled) before sending."""
    ticket = ticket_or_404(number)
    raw = request.form.get("text", "")
    values = {"text": raw, "then": request.form.get("then", ""), **_seen_kept()}
    try:
        text = clean_reply_text(raw)
    except ReplyRefused as refusal:
        return refused(ticket, "reply", "reply", refusal_text(refusal.code), values)
    preview = fill_placeholders(text, placeholder_values(ticket, current_user))
    forms = FormState(values={"reply": values})
    return after_action(ticket, ["reply"], anchor="ws-reply", forms=forms, reply_preview=preview)


@bp.post("/tickets/<number>/reply")
@staff_required
def reply(number: str):
    # Up to MAX_FILES attachments of MAX_FILE_BYTES each: more than the app-wide limit.
    request.max_content_length = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
    ticket = ticket_or_404(number)
    values = {"text": request.form.get("text", ""), "then": request.form.get("then", "")}
    seen = _seen_kept().get("seen")  # "0": no message yet when the page was drawn
    if seen is not None and messages_since(ticket, int(seen), current_user):
        # The section comes back with the new messages in the history and the text kept;
        # its form now knows them, so sending again sends. The header and SLA show the
        # ticket as those messages left it (ticket_changes.KIND_SECTIONS).
        forms = FormState(values={"reply": values}, errors={"reply": str(REPLIED_MEANWHILE)})
        sections = ["reply", "conversation", "timeline", "header", "sla"]
        return after_action(ticket, sections, anchor="ws-reply", forms=forms, status=422)
    if seen is not None:
        values["seen"] = seen  # any other refusal redraws the form only, not the history
    try:
        files = check_uploads(request.files.getlist("files"))
    except UploadRefused as refusal:
        return refused(ticket, "reply", "reply", upload_refusal(refusal.code), values)
    try:
        sent = send_public_reply(
            ticket, values["text"], current_user, request.form.get("nonce", ""), files
        )
        db.session.commit()
    except ReplyRefused as refusal:
        db.session.rollback()
        return refused(ticket, "reply", "reply", refusal_text(refusal.code), values)
    except TicketConflict:
        return refused(ticket_or_404(number), "reply", "reply", str(CONFLICT), values)
    if sent.emailed:
        flash(_("Your reply was sent to %(email)s.", email=ticket.customer_email), "success")
    else:
        flash(
            _("The customer left no e-mail address: your reply is on their status page only."),
            "warning",
        )
    then = request.form.get("then", "")
    if "then" in request.form and (then or None) != current_user.after_reply:
        current_user.after_reply = (then or None) and then[:64]  # offered first next time
        db.session.commit()
    if then:  # "Send and …": the reply is committed first, so a refused move never holds it back
        ticket = move_and_say(
            ticket,
            then,
            refused_as=lambda reason: _("The ticket did not move: %(reason)s", reason=reason),
        )
    return after_action(
        ticket,
        ["reply", "conversation", "timeline", "sla", "header", "watchers"],
        anchor="ws-timeline",
    )


def upload_refusal(code: str) -> str:
    """Why an attachment was refused, in the agent's words (the customer's page says the
    same things: webapp.public.messages)."""
    from survey_forms.conversation import AnswerError
    from webapp.public.messages import answer_error_message

    return answer_error_message(AnswerError(code))


@bp.post("/tickets/<number>/notes")
@staff_required
def note(number: str):
    ticket = ticket_or_404(number)
    values = {"text": request.form.get("text", ""), "mentions": request.form.getlist("mention")}
    mention_ids = _int_list("mention")
    if mention_ids is None:
        return refused(ticket, "notes", "note", refusal_text("unknown_colleague"), values)
    try:
        add_note(ticket, values["text"], current_user, mention_ids)
        db.session.commit()
    except NoteRefused as refusal:
        db.session.rollback()
        return refused(ticket, "notes", "note", refusal_text(refusal.code), values)
    except TicketConflict:
        return refused(ticket_or_404(number), "notes", "note", str(CONFLICT), values)
    flash(_("Note added."), "success")
    return after_action(ticket, ["notes", "timeline"], anchor="ws-timeline")


@bp.post("/tickets/<number>/share")
@staff_required
def share(number: str):
    """Forward the ticket or its form conversation to a colleague or any e-mail address."""
    ticket = ticket_or_404(number)
    values = {k: request.form.get(k, "") for k in ("colleague", "email", "note", "scope")}
    colleague = None
    if values["colleague"]:
        colleague_id = optional_id(values["colleague"])
        colleague = db.session.get(User, colleague_id) if colleague_id else None
        if colleague is None or not colleague.active:
            message = refusal_text("unknown_colleague")
            return refused(ticket, "share", "share", message, values, ["colleague"])
    try:
        recipient = recipient_for(colleague, values["email"], current_user.locale)
    except ShareRefused as refusal:
        # Nobody chosen: either field would do, so both are marked; else the address is wrong.
        fields = ["colleague", "email"] if refusal.code == "no_recipient" else ["email"]
        return refused(ticket, "share", "share", refusal_text(refusal.code), values, fields)
    share_ticket(
        ticket,
        recipient,
        current_user,
        values["note"],
        conversation_as_text(ticket, conversation_of(ticket)),
        values["scope"],
    )
    db.session.commit()
    flash(_("Shared with %(to)s.", to=recipient.address), "success")
    return after_action(ticket, ["share", "timeline"], anchor="ws-timeline")
