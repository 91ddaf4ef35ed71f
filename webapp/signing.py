"""What Loopdesk signs, under SECRET_KEY, with earlier keys still accepted.

Signed things outlive a session: an unsubscribe link in an e-mail works for ever, a reply
address lives as long as the customer's thread, a "continue later" link for weeks. To
change SECRET_KEY (a colleague left, the key leaked into a log) without breaking them, put
the old key in LOOPDESK_SECRET_KEY_FALLBACKS: everything new is signed with the new key,
what was signed with an old one is still accepted until the old key is taken out. Flask's
own sessions read the same list (SECRET_KEY_FALLBACKS).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer


def keys_newest_first() -> list[str]:
    """SECRET_KEY, then the fallbacks: the first signs, every one verifies."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [current_app.config["SECRET_KEY"], *fallbacks]


def serializer(salt: str) -> URLSafeSerializer:
    # itsdangerous signs with the last key of the list and verifies with any of them.
    return URLSafeSerializer(list(reversed(keys_newest_first())), salt=salt)


def timed_serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(list(reversed(keys_newest_first())), salt=salt)


def keyed_digests(purpose: bytes, message: bytes) -> list[str]:
    """HMAC-SHA256 of `message` under each key (derived for `purpose`), newest first: the
    first is what Loopdesk writes now, any of them is what it accepts."""
    return [
        hmac.new(
            hashlib.sha256(purpose + key.encode()).digest(), message, hashlib.sha256
        ).hexdigest()
        for key in keys_newest_first()
    ]


def matches(found: str, digests: list[str]) -> bool:
    """Whether `found` is (a prefix-length cut of) one of `digests`, in constant time each."""
    return any(hmac.compare_digest(found, digest[: len(found)]) for digest in digests)
