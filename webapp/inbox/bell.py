"""The header bell's unread count, counted once per request, and what changes it mid-request."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.services import inbox

# The event the bell listens for (`hx-trigger="inboxRead from:body"`): count again now.
INBOX_READ_EVENT = "inboxRead"


def viewer_unread_count() -> int:
    """The signed-in colleague's unread entries, counted at most once per request."""
    if not current_user.is_authenticated:
        return 0
    if "inbox_unread" not in g:
        try:
            g.inbox_unread = inbox.unread_count(current_user)
        except SQLAlchemyError:  # the error page for a lost database still renders
            db.session.rollback()
            g.inbox_unread = 0
    return g.inbox_unread


def read_ticket_entries(ticket_id: int, *, page_with_bell: bool) -> int:
    """The colleague opens a ticket: their unread entries about it become read (committed).

    Call it before loading anything for the page: the commit expires what the session holds.
    A full page counts the unread entries for its bell anyway, so it counts first and skips
    the UPDATE when nothing is unread; the bell then shows the count after the UPDATE.
    Returns how many entries were marked.
    """
    if page_with_bell and not viewer_unread_count():
        return 0
    user_id = current_user.id
    marked = inbox.mark_ticket_read(user_id, ticket_id)
    if not marked:
        return 0
    db.session.commit()
    if "inbox_unread" in g:
        g.inbox_unread = max(g.inbox_unread - marked, 0)
    return marked
