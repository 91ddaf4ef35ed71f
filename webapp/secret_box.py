"""Secrets Loopdesk must read back, kept encrypted in the database.

A two-step sign-in key has to be read to check a code, so it cannot be hashed like a
password; stored in the clear, a leaked backup would let anyone make the codes. It is
sealed (Fernet: AES and an HMAC) under a key derived from SECRET_KEY. Earlier keys
(LOOPDESK_SECRET_KEY_FALLBACKS) still open what they sealed; `reseal` moves a value to the
current key, which `flask reseal-secrets` does for every row before an old key is removed.

A value stored before sealing existed (no prefix) still opens as it is.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from webapp.signing import keys_newest_first

PREFIX = "f1:"  # sealed with Fernet, key derived as below (a later scheme gets its own)


class SealBroken(ValueError):
    """No key at hand opens the value (its key was removed from the fallbacks)."""


def _fernet(secret_key: str) -> Fernet:
    derived = hashlib.sha256(b"loopdesk.secret-box\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _box() -> MultiFernet:
    # MultiFernet encrypts with the first key and decrypts with any of them.
    return MultiFernet([_fernet(key) for key in keys_newest_first()])


def seal(plain: str) -> str:
    return PREFIX + _box().encrypt(plain.encode()).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def open_sealed(stored: str) -> str:
    """The plain value; a value from before sealing is returned as it is."""
    if not is_sealed(stored):
        return stored
    try:
        return _box().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken as exc:
        raise SealBroken("no current or fallback key opens this value") from exc


def needs_resealing(stored: str) -> bool:
    """Stored in the clear, or sealed under a key other than the current SECRET_KEY."""
    if not is_sealed(stored):
        return True
    try:
        _fernet(keys_newest_first()[0]).decrypt(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return True
    return False


def reseal(stored: str) -> str:
    """The same value sealed under the current key (SealBroken if nothing opens it)."""
    return seal(open_sealed(stored))
