"""Admin side of canned replies: create, edit, switch off; placeholders checked on save.

Agents pick them in the ticket workspace (services.replies), which fills the same
placeholders when the reply is sent.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import CannedReply
from webapp.services import audit
from webapp.services.email_placeholders import unpaired_brace, unpaired_brace_message
from webapp.services.replies import PLACEHOLDERS

FIELDS = ("title", "locale", "body", "active")
_TOKEN = re.compile(r"\{([^{}\n]*)\}")


class CannedReplyRefused(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_placeholders(body: str) -> None:
    unpaired = unpaired_brace(body)
    if unpaired:
        raise CannedReplyRefused({"body": unpaired_brace_message(unpaired)})
    unknown = list(dict.fromkeys(t for t in _TOKEN.findall(body) if t not in PLACEHOLDERS))
    if unknown:
        raise CannedReplyRefused(
            {
                "body": _(
                    "Unknown placeholder %(names)s. Use only: %(allowed)s.",
                    names=", ".join("{" + u + "}" for u in unknown),
                    allowed=", ".join("{" + p + "}" for p in PLACEHOLDERS),
                )
            }
        )


def all_by_language() -> dict[str, list[CannedReply]]:
    rows = db.session.scalars(
        select(CannedReply).order_by(
            CannedReply.locale, CannedReply.active.desc(), CannedReply.title
        )
    ).all()
    grouped: dict[str, list[CannedReply]] = {}
    for row in rows:
        grouped.setdefault(row.locale, []).append(row)
    return grouped


def create(title: str, locale: str, body: str) -> CannedReply:
    body = body.replace("\r\n", "\n").strip()
    check_placeholders(body)
    reply = CannedReply(title=title.strip(), locale=locale, body=body, active=True)
    db.session.add(reply)
    db.session.flush()
    audit.record("canned_reply.created", reply, reply.title, after=audit.snapshot(reply, FIELDS))
    return reply


def update(reply: CannedReply, title: str, locale: str, body: str) -> None:
    body = body.replace("\r\n", "\n").strip()
    check_placeholders(body)
    before = audit.snapshot(reply, FIELDS)
    reply.title, reply.locale, reply.body = title.strip(), locale, body
    after = audit.snapshot(reply, FIELDS)
    if after != before:
        audit.record("canned_reply.updated", reply, reply.title, before=before, after=after)


def set_active(reply: CannedReply, active: bool) -> None:
    if reply.active == active:
        return
    reply.active = active
    audit.record(
        "canned_reply.reactivated" if active else "canned_reply.deactivated",
        reply,
        reply.title,
        before={"active": not active},
        after={"active": active},
    )
