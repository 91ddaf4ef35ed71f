"""What customers write about in a period: the themes of their free-text answers.

The period's completed responses to forms that ask a text question are read newest first
in one streamed query (`yield_per`, only their text answers and the score their form
reads, never the ORM objects), at most `RESPONSES_READ` of them, so memory and time stay
bounded however busy the period; the page says when it read only the newest. The period
before is read the same way for the change. Themes are counted by
`survey_forms.themes`; each carries the scores of the responses that mention it, so a
theme that detractors write about stands out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, tuple_

from survey_forms.definition import FormDefinition, Question
from survey_forms.insights import ScoreSummary, scored_question, tally
from survey_forms.themes import ThemeCounter, language_of, text_questions
from webapp.erased_text import ERASED
from webapp.extensions import db
from webapp.models import Form, Response, ResponseScore
from webapp.models.forms import stored_answer

THEMES_SHOWN = 15
RESPONSES_READ = 10_000  # the newest responses read per period: plenty to tell themes
SCORE_TYPES = ("nps", "csat", "ces")


@dataclass(frozen=True)
class ThemeFigures:
    text: str  # as customers spell it most
    words: tuple[str, ...]  # its stems: what the responses list filters by
    responses: int
    share: float  # of the period's responses with a text answer
    previous: int  # responses mentioning it in the period before
    scores: dict[str, ScoreSummary]  # nps / csat / ces of the responses mentioning it
    forms: tuple[tuple[str, str, int], ...]  # (slug, title, responses), most first

    @property
    def change(self) -> int:
        return self.responses - self.previous

    @property
    def detractor_share(self) -> float | None:
        nps = self.scores.get("nps")
        return nps.categories["detractor"] / nps.count if nps and nps.count else None


@dataclass(frozen=True)
class Themes:
    themes: list[ThemeFigures] = field(default_factory=list)
    text_responses: int = 0  # responses read that hold some text
    capped: bool = False  # more responses in the period than RESPONSES_READ
    read_limit: int = RESPONSES_READ
    counted_at: datetime | None = None  # when a cached count was made (`report_themes_cache`)


def period_themes(
    since: datetime,
    days: int,
    published: list[tuple[Form, FormDefinition]],
    locale: str = "en",
    read_limit: int = RESPONSES_READ,
) -> Themes:
    """The period's most mentioned themes, with the period of the same length before it."""
    texts = {form.id: [q.id for q in text_questions(d)] for form, d in published}
    texts = {form_id: ids for form_id, ids in texts.items() if ids}
    if not texts:
        return Themes(read_limit=read_limit)
    scored = {
        form.id: q
        for form, q in ((f, scored_question(d)) for f, d in published)
        if q is not None and q.type in SCORE_TYPES and form.id in texts
    }
    current = ThemeCounter()
    # Per theme, the (form, scored answer) of the responses mentioning it, as an index in
    # `kinds`: one int while a single response does, a Counter from the second on.
    mentions: dict[str, int | Counter[int]] = {}
    kinds: dict[tuple[int, Any], int] = {}
    capped = False
    for n, (form_id, locale_code, answer, written) in enumerate(
        _text_rows(texts, scored, since, None, read_limit)
    ):
        if n == read_limit:  # the one row past the limit: read to the end, never left open
            capped = True
            continue
        kind = kinds.setdefault((form_id, answer), len(kinds))
        for key in current.add(written, language_of(locale_code)):
            known = mentions.setdefault(key, kind)
            if isinstance(known, Counter):
                known[kind] += 1
            elif current.count(key) > 1:
                mentions[key] = Counter({known: 1, kind: 1} if known != kind else {kind: 2})
    top = current.top(THEMES_SHOWN)
    if not top:
        return Themes([], current.responses, capped, read_limit)
    before = ThemeCounter()
    for n, (_form, locale_code, _answer, written) in enumerate(
        _text_rows(texts, {}, since - timedelta(days=days), since, read_limit)
    ):
        if n == read_limit:
            continue
        before.add(written, language_of(locale_code))
    by_kind = {index: pair for pair, index in kinds.items()}
    counted = {
        theme.key: Counter({by_kind[i]: n for i, n in mentions[theme.key].items()}) for theme in top
    }
    titles = {form.id: (form.slug, d.text(d.title, locale) or form.slug) for form, d in published}
    themes = [
        ThemeFigures(
            theme.text,
            theme.words,
            theme.responses,
            theme.responses / current.responses,
            before.count(theme.key),
            _scores(counted[theme.key], scored),
            _forms(counted[theme.key], titles),
        )
        for theme in top
    ]
    return Themes(themes, current.responses, capped, read_limit)


def _text_rows(
    texts: dict[int, list[str]],
    scored: dict[int, Question],
    since: datetime,
    until: datetime | None,
    read_limit: int,
) -> Iterable[tuple[int, str, Any, list[str]]]:
    """(form, locale, scored answer, its texts) of the responses completed in the period,
    newest first, one query streamed a thousand rows at a time (only the columns used)."""
    # The whole answers column: parsed once per row by the driver, where a JSON path per
    # text question would parse it once per question in the database (3x slower).
    statement = select(Response.form_id, Response.locale, Response.answers)
    if scored:
        statement = statement.add_columns(ResponseScore.value, ResponseScore.yes).outerjoin(
            ResponseScore,
            and_(
                ResponseScore.response_id == Response.id,
                tuple_(Response.form_id, ResponseScore.question_id).in_(
                    [(form_id, q.id) for form_id, q in scored.items()]
                ),
            ),
        )
    statement = statement.where(
        Response.completed_at >= since,
        Response.form_id.in_(sorted(texts)),
        Response.spam.is_(False),
    )
    if until is not None:
        statement = statement.where(Response.completed_at < until)
    statement = statement.order_by(Response.completed_at.desc(), Response.id.desc())
    rows = db.session.execute(statement.limit(read_limit + 1).execution_options(yield_per=1000))
    for form_id, locale_code, answers, *score in rows:
        answers = answers if isinstance(answers, dict) else {}
        written = [
            v for v in map(answers.get, texts[form_id]) if isinstance(v, str) and v and v != ERASED
        ]
        yield form_id, locale_code, stored_answer(*score) if score else None, written


def _scores(counted: Counter, scored: dict[int, Question]) -> dict[str, ScoreSummary]:
    """The scores of the responses that mention a theme, one per type across the forms."""
    by_type: dict[str, list[ScoreSummary]] = {}
    per_form: dict[int, list[tuple[Any, int]]] = {}
    for (form_id, answer), times in counted.items():
        if form_id in scored and answer is not None:
            per_form.setdefault(form_id, []).append((answer, times))
    for form_id, given in per_form.items():
        summary = tally(scored[form_id], given)
        if summary.count:
            by_type.setdefault(summary.type, []).append(summary)
    return {kind: _summed(parts) for kind, parts in by_type.items()}


def _summed(parts: list[ScoreSummary]) -> ScoreSummary:
    categories = {k: sum(p.categories[k] for p in parts) for k in parts[0].categories}
    return ScoreSummary(
        parts[0].type,
        parts[0].question_id,
        sum(p.count for p in parts),
        categories,
        sum(p.total for p in parts),
    )


def _forms(counted: Counter, titles: dict[int, tuple[str, str]]) -> tuple:
    """(slug, title, responses) of the forms whose responses mention a theme, most first."""
    per_form: Counter[int] = Counter()
    for (form_id, _answer), times in counted.items():
        per_form[form_id] += times
    return tuple(
        (*titles[form_id], n)
        for form_id, n in sorted(per_form.items(), key=lambda item: (-item[1], item[0]))
    )
