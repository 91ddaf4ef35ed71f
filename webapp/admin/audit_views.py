"""The audit log page: every admin change, newest first, filterable by action and person."""

from __future__ import annotations

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.admin import bp
from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial
from webapp.models import AuditEntry, Role, User
from webapp.record_ids import record_id
from webapp.security import admin_required
from webapp.services import audit

PAGE_SIZE = 50
MAX_PAGE = 100_000  # a bigger offset overflows PostgreSQL's bigint: no 500 on a silly link


@bp.get("/audit")
@admin_required
def audit_log():
    action = request.args.get("action") or None
    if action not in audit.ACTION_LABELS:
        action = None
    actor_id = request.args.get("actor", type=record_id) or None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    rows = db.session.scalars(
        audit.entries_query(action, actor_id)
        .options(selectinload(AuditEntry.actor))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.name))
    return render_page_or_partial(
        "admin/audit.html",
        "admin/_audit_rows.html",
        entries=rows[:PAGE_SIZE],
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        action=action,
        actor_id=actor_id,
        actions=audit.ACTION_LABELS,
        admins=admins.all(),
        changes=audit.changes,
        action_label=audit.action_label,
        actor_text=audit.actor_text,
        target_text=audit.target_text,
    )
