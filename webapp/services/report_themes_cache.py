"""The period's themes, kept a few minutes in this process.

Counting them reads up to twice `RESPONSES_READ` written answers (about a second on a busy
PostgreSQL), and the Reports page's themes section, a colleague's view of it and the CSV
downloaded after it all ask for the same figures. A count is reused for `KEPT_FOR` when
the period length, the viewer's language and the published form versions are the same;
answers that came in since show at the next count, and the page says when this one was
made. At most `ENTRIES_KEPT` counts are kept (the oldest goes first), per app, so memory
stays bounded; two workers each count once. Two requests that miss at the same moment
both count: simpler than making one wait, and no worse than before the cache.

An erasure must not leave a customer's words quoted by any process (the web workers, the
worker that ran retention): it writes a new `GENERATION_KEY` in its transaction, which is
part of every count's key, so each process counts afresh at its next look.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from survey_forms.definition import FormDefinition
from webapp.extensions import db
from webapp.models import AppSetting, Form, FormVersion
from webapp.services.app_settings import read_setting
from webapp.services.forms import published_forms
from webapp.services.report_themes import Themes, period_themes

KEPT_FOR = timedelta(minutes=5)
ENTRIES_KEPT = 32  # 3 periods x a few languages x a version change or two
GENERATION_KEY = "report_themes.generation"

Key = tuple[int, str, tuple[tuple[int, int], ...], str]


class ThemesCache:
    """Counted themes by (days, locale, published versions), each fresh for `kept_for`."""

    def __init__(self, kept_for: timedelta = KEPT_FOR, size: int = ENTRIES_KEPT) -> None:
        self.kept_for = kept_for
        self.size = size
        self._entries: OrderedDict[Key, Themes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, now: datetime) -> Themes | None:
        with self._lock:
            themes = self._entries.get(key)
            if themes is None:
                return None
            counted = themes.counted_at
            # A clock set back counts as stale too: never trust a count from the future.
            if counted is None or not counted <= now < counted + self.kept_for:
                del self._entries[key]
                return None
            return themes

    def put(self, key: Key, themes: Themes) -> None:
        with self._lock:
            self._entries[key] = themes
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def themes_cache() -> ThemesCache:
    """This app's cache (one per app, so tests and instances never share counts)."""
    return current_app.extensions.setdefault("report_themes_cache", ThemesCache())


def counted_themes(
    now: datetime,
    days: int,
    locale: str,
    published: list[tuple[Form, FormDefinition]] | None = None,
) -> Themes:
    """The themes of the `days` before `now`, counted now or up to `KEPT_FOR` ago."""
    cache = themes_cache()
    key = (days, locale, _published_versions(), read_setting(GENERATION_KEY, ""))
    themes = cache.get(key, now)
    if themes is None:
        if published is None:
            published = published_forms()
        themes = replace(
            period_themes(now - timedelta(days=days), days, published, locale), counted_at=now
        )
        cache.put(key, themes)
    return themes


def forget_everywhere() -> None:
    """Every process counts the themes afresh (in the caller's transaction): an erasure.

    An UPDATE first, so two erasures at once queue on the row instead of both inserting it;
    the very first one inserts it in a savepoint (a concurrent first one wins, same effect).
    """
    value = secrets.token_hex(8)
    changed = db.session.execute(
        update(AppSetting).where(AppSetting.key == GENERATION_KEY).values(value=value)
    ).rowcount
    if not changed:
        try:
            with db.session.begin_nested():
                db.session.add(AppSetting(key=GENERATION_KEY, value=value))
        except IntegrityError:
            pass  # another erasure made it just now: every count is stale all the same


def _published_versions() -> tuple[tuple[int, int], ...]:
    """(form, live version) of the forms in use: a new version or an archived form is a
    new count. One small query."""
    rows = db.session.execute(
        select(FormVersion.form_id, FormVersion.id)
        .join(Form, Form.id == FormVersion.form_id)
        .where(FormVersion.active.is_(True), Form.archived.is_(False))
        .order_by(FormVersion.form_id)
    )
    return tuple((form_id, version_id) for form_id, version_id in rows)
