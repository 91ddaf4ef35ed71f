"""E-mails a stranger can make Loopdesk send, limited per recipient.

"Continue later" mails a link to any address a respondent types, and "Your requests" one to
any address a visitor types. The per-address limit on the routes stops one client; somebody
using many addresses to fill a stranger's mailbox is stopped here: at most
CONTINUE_LATER_MAILS_PER_ADDRESS or REQUESTS_LINK_MAILS_PER_ADDRESS ("3 per day") of each
kind to one address. The count is kept in the rate-limit storage the app already uses
(Redis, or memory without it), under a hash of the address, and expires by itself.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from limits import RateLimitItem, parse

from webapp.extensions import limiter
from webapp.people import normalise_email

# Per kind of e-mail: the setting that limits it, and its default.
LIMITED = {
    "continue_later": "CONTINUE_LATER_MAILS_PER_ADDRESS",
    "requests_link": "REQUESTS_LINK_MAILS_PER_ADDRESS",
}


def limit_for(kind: str) -> RateLimitItem | None:
    """The kind's setting ("3 per day"), or None when switched off."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    setting = (current_app.config.get(LIMITED[kind]) or "").strip()
    if setting.lower() in {"", "0", "off", "none"}:
        return None
    return parse(setting)


def count_mail_to(address: str, kind: str) -> bool:
    """Count one e-mail of `kind` to `address`; False when it already had its share.

    Counted before the check, in one step, so two requests at once cannot both slip under
    the limit. With the storage down it says yes: the per-client limit still holds.
    """
    limit = limit_for(kind)
    if limit is None:
        return True
    digest = hashlib.sha256(normalise_email(address).encode()).hexdigest()
    try:
        count = limiter.storage.incr(f"loopdesk/{kind}-mails/{digest}", limit.get_expiry())
    except Exception:  # noqa: BLE001 (any storage failure: Redis refused, timed out, …)
        current_app.logger.warning("rate-limit storage unavailable", exc_info=True)
        return True
    return count <= limit.amount
