"""Admin pages for canned replies: list per language, create, edit, switch off/on."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.admin import bp
from webapp.admin.forms import CannedReplyForm
from webapp.extensions import db
from webapp.models import CannedReply
from webapp.security import admin_required
from webapp.services import canned_replies
from webapp.services.replies import PLACEHOLDERS


def _list_page(form: CannedReplyForm, status: int = 200):
    response = make_response(
        render_template(
            "admin/canned_replies.html",
            grouped=canned_replies.all_by_language(),
            form=form,
            placeholders=PLACEHOLDERS,
        )
    )
    response.status_code = status
    return response


def _edit_page(reply: CannedReply, form: CannedReplyForm, status: int = 200):
    response = make_response(
        render_template(
            "admin/canned_reply.html", reply=reply, form=form, placeholders=PLACEHOLDERS
        )
    )
    response.status_code = status
    return response


@bp.get("/canned-replies")
@admin_required
def canned_reply_list():
    return _list_page(CannedReplyForm(formdata=None))


@bp.post("/canned-replies")
@admin_required
def create_canned_reply():
    form = CannedReplyForm()
    if not form.validate_on_submit():
        return _list_page(form, 422)
    try:
        reply = canned_replies.create(form.title.data, form.locale.data, form.body.data)
    except canned_replies.CannedReplyRefused as refused:
        form.body.errors = [*form.body.errors, *refused.errors.values()]
        return _list_page(form, 422)
    db.session.commit()
    flash(_("The canned reply “%(title)s” was added.", title=reply.title), "success")
    return redirect(url_for("admin.canned_reply_list"), code=303)


@bp.get("/canned-replies/<int:reply_id>")
@admin_required
def edit_canned_reply(reply_id: int):
    reply = db.get_or_404(CannedReply, reply_id)
    return _edit_page(reply, CannedReplyForm(formdata=None, obj=reply))


@bp.post("/canned-replies/<int:reply_id>")
@admin_required
def update_canned_reply(reply_id: int):
    reply = db.get_or_404(CannedReply, reply_id)
    form = CannedReplyForm()
    if not form.validate_on_submit():
        return _edit_page(reply, form, 422)
    try:
        canned_replies.update(reply, form.title.data, form.locale.data, form.body.data)
    except canned_replies.CannedReplyRefused as refused:
        form.body.errors = [*form.body.errors, *refused.errors.values()]
        return _edit_page(reply, form, 422)
    db.session.commit()
    flash(_("The canned reply “%(title)s” was saved.", title=reply.title), "success")
    return redirect(url_for("admin.canned_reply_list"), code=303)


@bp.post("/canned-replies/<int:reply_id>/active")
@admin_required
def toggle_canned_reply(reply_id: int):
    reply = db.get_or_404(CannedReply, reply_id)
    canned_replies.set_active(reply, not reply.active)
    db.session.commit()
    if reply.active:
        flash(_("Agents can use “%(title)s” again.", title=reply.title), "success")
    else:
        flash(_("“%(title)s” is switched off: agents no longer see it.", title=reply.title), "info")
    return redirect(url_for("admin.canned_reply_list"), code=303)
