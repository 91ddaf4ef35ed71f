"""Staff notices that waited: held through quiet hours, or collected for an hourly digest.

Both jobs claim what they send with a conditional UPDATE (`… WHERE status = held/digest`)
in the same transaction as the e-mail's outbox row, so two runs at once, or a run that
dies half-way, never send a notice twice or lose it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select, update

from jobs.context import in_app_context
from jobs.schedule import parse_now
from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import NoticeStatus, StaffNotice, Ticket, User, utcnow
from webapp.outbox import queue_email
from webapp.services import notifications
from webapp.services.staff_mail import email_colleague, workspace_link
from webapp.services.tasks import format_for
from webapp.services.ticket_access import can_see, visible_condition

BATCH = 500


def _move(notice_id: int, from_status: str, **values) -> bool:
    """Change one notice if it is still in `from_status`; True if this run got it."""
    return bool(
        db.session.execute(
            update(StaffNotice)
            .where(StaffNotice.id == notice_id, StaffNotice.status == from_status)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


@in_app_context
def release_held_notices(now: str | None = None) -> int:
    """E-mail held notices whose colleague's working period has begun; returns how many."""
    moment = parse_now(now) or utcnow()
    due_ids = db.session.scalars(
        select(StaffNotice.id)
        .where(StaffNotice.status == NoticeStatus.HELD, StaffNotice.deliver_after <= moment)
        .order_by(StaffNotice.deliver_after, StaffNotice.id)
        .limit(BATCH)
    ).all()
    sent = 0
    for notice_id in due_ids:
        notice = db.session.get(StaffNotice, notice_id)
        if notice is None:
            continue
        if _release(notice, moment):
            sent += 1
        db.session.commit()
    return sent


def _release(notice: StaffNotice, now: datetime) -> bool:
    """Send one held notice, or move it on as the colleague's situation now says."""
    user, held = notice.user, NoticeStatus.HELD
    mode = notifications.preference(user, notifications.EVENTS.get(notice.event, ""))
    if not user.active or mode == notifications.OFF or not _still_visible(notice):
        _move(notice.id, held, status=NoticeStatus.DROPPED)
        return False
    if mode == notifications.DIGEST:  # they switched to digests meanwhile
        _move(
            notice.id,
            held,
            status=NoticeStatus.DIGEST,
            deliver_after=notifications.next_full_hour(now),
        )
        return False
    if not notifications.on_duty(user, now):  # their hours changed: wait for the new start
        _move(notice.id, held, deliver_after=notifications.next_working_start(user, now))
        return False
    if not _move(notice.id, held, status=NoticeStatus.SENT, sent_at=now):
        return False  # another run sent it
    email_colleague(
        user,
        notice.template,
        notice.ticket,
        notice.event,
        key=notice.message_key,
        **(notice.context or {}),
    )
    return True


def _still_visible(notice: StaffNotice) -> bool:
    """A notice waited; its ticket may have gone to a team the colleague does not see."""
    return notice.ticket is None or can_see(notice.user, notice.ticket)


@in_app_context
def send_digests(now: str | None = None) -> int:
    """Mail each colleague one digest of their due notices; returns how many digests."""
    moment = parse_now(now) or utcnow()
    due = (StaffNotice.status == NoticeStatus.DIGEST) & (StaffNotice.deliver_after <= moment)
    user_ids = db.session.scalars(
        select(StaffNotice.user_id).where(due).group_by(StaffNotice.user_id).limit(BATCH)
    ).all()
    digests = 0
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        if user is not None and _send_digest(user, due, moment):
            digests += 1
        db.session.commit()
    return digests


def _send_digest(user: User, due, now: datetime) -> bool:
    """Claim the colleague's due notices and mail them as one message (if at work)."""
    mine = update(StaffNotice).where(due, StaffNotice.user_id == user.id)
    mine = mine.execution_options(synchronize_session=False)
    if not user.active:
        db.session.execute(mine.values(status=NoticeStatus.DROPPED))
        return False
    visible = visible_condition(user)
    if visible is not None:  # tickets gone to a team they do not see meanwhile: not a word
        hidden = StaffNotice.ticket_id.not_in(select(Ticket.id).where(visible))
        db.session.execute(mine.where(hidden).values(status=NoticeStatus.DROPPED))
    if not notifications.on_duty(user, now):
        db.session.execute(mine.values(deliver_after=notifications.next_working_start(user, now)))
        return False
    claimed_ids = db.session.scalars(
        mine.values(status=NoticeStatus.SENT, sent_at=now).returning(StaffNotice.id)
    ).all()
    if not claimed_ids:
        return False  # another run sent them
    notices = db.session.scalars(
        select(StaffNotice)
        .where(StaffNotice.id.in_(claimed_ids))
        .order_by(StaffNotice.created_at, StaffNotice.id)
    ).all()
    queue_email(
        user.email,
        "staff_digest",
        user.locale,
        _digest_context(user, notices),
        message_key=f"staff_digest:{user.id}:{min(claimed_ids)}",
    )
    return True


def _digest_context(user: User, notices: list[StaffNotice]) -> dict:
    """Notices grouped by category, each with its time in the colleague's zone and a link."""
    by_category: dict[str, list[dict]] = defaultdict(list)
    for notice in notices:
        category = notifications.EVENTS.get(notice.event, "ticket_updates")
        by_category[category].append(
            {
                "summary": notice.summary,
                "when": format_for(user, notice.created_at),
                "link": workspace_link(notice.ticket) if notice.ticket else "",
            }
        )
    with force_locale(user.locale):
        groups = [
            {"label": str(label), "entries": by_category[category]}
            for category, label in notifications.CATEGORIES.items()
            if by_category.get(category)
        ]
    return {
        "name": user.name,
        "count": len(notices),
        "groups": groups,
        "settings_link": external_url("auth.notification_settings"),
    }
