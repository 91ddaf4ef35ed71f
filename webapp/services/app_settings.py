"""Settings admins change in the browser, read and written by key (no commit here).

A key without a row reads as the default its caller gives, so an upgrade that brings a
new setting changes nothing until an admin chooses. Callers audit their own changes.
"""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import AppSetting


def read_setting(key: str, default: Any = None) -> Any:
    """The stored value of `key`, or `default` when nobody set it (one primary-key read)."""
    row = db.session.get(AppSetting, key)
    return default if row is None or row.value is None else row.value


def write_setting(key: str, value: Any) -> None:
    """Store `value` (plain JSON) under `key` in the caller's transaction."""
    row = db.session.get(AppSetting, key)
    if row is None:
        db.session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
