"""A form's responses one by one, for reading on screen and for export as CSV.

Filters read like the board's: bad values are dropped, never an error. Each response is
shown with the version it was answered on (questions may have changed since), its score
and the ticket it raised. A page is one query whatever its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, false, func, or_, select

from survey_forms import conversation
from survey_forms.definition import FormDefinition
from survey_forms.insights import scored_question
from survey_forms.scoring import CATEGORY_ANSWERS
from survey_forms.themes import mention_pattern, text_questions
from webapp.extensions import db
from webapp.models import Form, FormVersion, Response, Ticket
from webapp.record_ids import optional_id
from webapp.services import forms as form_service
from webapp.services.csv_export import CsvChunks, in_batches, moment
from webapp.tickets.conversation import Conversation, answer_as_text

PAGE_SIZE = 25
STATUSES = ("completed", "unfinished")
KNOWN_METADATA = ("page_url", "referrer", "user_agent", "country")
MENTION_WORDS, MENTION_LENGTH = 5, 40


@dataclass(frozen=True)
class ResponseFilters:
    status: str = ""  # completed | unfinished
    group: str = ""  # a score category of the form's scored question, e.g. detractor
    language: str = ""
    mentions: str = ""  # words (or their stems, from the Reports' themes) a text answer holds

    @classmethod
    def from_args(
        cls, args: Mapping[str, Any], definition: FormDefinition | None
    ) -> ResponseFilters:
        status = args.get("status", "")
        group = args.get("group", "")
        language = args.get("language", "")
        # Letters and digits only: nothing a LIKE pattern would read as a wildcard.
        words = re.findall(r"[^\W_]+", str(args.get("mentions", "")).lower())[:MENTION_WORDS]
        return cls(
            status=status if status in STATUSES else "",
            group=group if group in groups_of(definition) else "",
            language=language if definition and language in definition.languages else "",
            mentions=" ".join(w[:MENTION_LENGTH] for w in words),
        )

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def groups_of(definition: FormDefinition | None) -> tuple[str, ...]:
    """The score groups a form's responses can be filtered by (none for an unscored form)."""
    question = scored_question(definition) if definition else None
    return tuple(CATEGORY_ANSWERS[question.type]) if question else ()


@dataclass(frozen=True)
class ResponseRow:
    response: Response
    version_number: int
    ticket_number: str | None
    talk: Conversation | None  # None when its version cannot be read any more
    score: dict
    email: str = ""  # the address the customer gave, if any (a ticket may tell them)


@dataclass(frozen=True)
class ResponsePage:
    rows: list[ResponseRow]
    has_more: bool

    @property
    def last_id(self) -> int | None:
        return self.rows[-1].response.id if self.rows else None


def _query(form: Form, filters: ResponseFilters, definition: FormDefinition | None):
    query = select(Response, FormVersion).join(
        FormVersion, FormVersion.id == Response.form_version_id
    )
    return _filtered(query, form, filters, definition)


def _filtered(query, form: Form, filters: ResponseFilters, definition: FormDefinition | None):
    query = query.where(Response.form_id == form.id)
    if filters.status == "completed":
        query = query.where(Response.completed_at.is_not(None))
    elif filters.status == "unfinished":
        query = query.where(Response.completed_at.is_(None))
    if filters.language:
        query = query.where(Response.locale == filters.language)
    if filters.group and definition is not None:
        query = query.where(_group_condition(definition, filters.group))
    if filters.mentions and definition is not None:
        query = query.where(_mentions_condition(definition, filters.mentions))
    return query


def _mentions_condition(definition: FormDefinition, words: str):
    """SQL for 'a text answer holds these words in this order', ignoring case.

    SQLite's lower() folds only A–Z, so there a capitalised non-English word is missed.
    """
    pattern = mention_pattern(words)
    questions = text_questions(definition)
    if not questions:
        return false()
    return or_(*(func.lower(Response.answers[q.id].as_string()).like(pattern) for q in questions))


def _group_condition(definition: FormDefinition, group: str):
    """SQL for 'the scored answer falls in `group`' (JSON paths work on PostgreSQL and SQLite)."""
    question = scored_question(definition)
    band = CATEGORY_ANSWERS[question.type][group]
    value = Response.answers[question.id]
    if question.type == "goal":
        return value.as_string().in_(band)
    # Only JSON numbers are compared: cast, text would fail the query on PostgreSQL and
    # read as 0 on SQLite (rows imported or edited by hand may hold anything).
    if db.session.get_bind().dialect.name == "postgresql":
        is_number = func.json_typeof(value) == "number"
    else:
        is_number = func.json_type(Response.answers, f'$."{question.id}"').in_(("integer", "real"))
    return case((is_number, value.as_float())).between(band[0], band[-1])


def _row(response: Response, version: FormVersion) -> ResponseRow:
    ticket_number = Ticket.number_for(response.ticket_id) if response.ticket_id else None
    definition = form_service.definition_of(version)
    if definition is None:
        return ResponseRow(response, version.number, ticket_number, None, {})
    answers = response.answers or {}
    exchanges = conversation.transcript(definition, answers, **form_service.context_of(response))
    talk = Conversation(response, definition, response.locale, exchanges)
    score = conversation.score_of(definition, answers)
    email = next(
        (
            answers[q.id]
            for q in definition.questions
            if q.type == "email" and isinstance(answers.get(q.id), str)
        ),
        "",
    )
    return ResponseRow(response, version.number, ticket_number, talk, score, email)


def response_page(
    form: Form,
    filters: ResponseFilters,
    definition: FormDefinition | None,
    before_id: int | None = None,
    page_size: int = PAGE_SIZE,
) -> ResponsePage:
    """The newest responses under the filters, older than `before_id` when paging on."""
    query = _query(form, filters, definition)
    if before_id is not None:
        query = query.where(Response.id < before_id)
    found = db.session.execute(query.order_by(Response.id.desc()).limit(page_size + 1)).all()
    rows = [_row(*row) for row in found[:page_size]]
    return ResponsePage(rows, len(found) > page_size)


def parse_before(value: str | None) -> int | None:
    return optional_id(value or "")


# -- CSV -------------------------------------------------------------------------------------


RESPONSE_COLUMNS = (
    "response",
    "started_at",
    "completed_at",
    "language",
    "channel",
    "version",
    "score",
    "score_group",
    "ticket",
    "spam",  # 1: left out of scores (its ticket was spam, or a blocked sender's)
)


def _answer_columns(questions: list[str], hidden: list[str]) -> list[str]:
    """A column name per question and hidden field, each once in the header.

    A question or hidden field named like a column of every export (the built-in NPS form's
    question `score`) is written as conditions name it, `answers.score` / `hidden.country`:
    two columns of one name read as one in a spreadsheet's lookups and in pandas or R.
    """
    taken = {*RESPONSE_COLUMNS, *KNOWN_METADATA}
    columns = [f"answers.{q}" if q in taken else q for q in questions]
    taken.update(columns)
    return columns + [f"hidden.{name}" if name in taken else name for name in hidden]


def csv_chunks(form: Form, filters: ResponseFilters, definition: FormDefinition) -> Iterator[str]:
    """The filtered responses as CSV, oldest first, one column per question of the live
    version (answers to questions it no longer has are left out) and per hidden field.

    Made to be streamed: the responses are read `csv_export.BATCH` at a time (keyset paging on
    the id, so each batch is an index range) and each batch is yielded as one chunk. The
    form's versions are read once, not per row. Answers are worded in the current
    request's language, so a caller streaming this keeps the request context.
    """
    out = CsvChunks()
    questions = [q.id for q in definition.questions]
    hidden = [h.name for h in definition.hidden_fields]
    out.row([*RESPONSE_COLUMNS, *_answer_columns(questions, hidden), *KNOWN_METADATA])
    yield out.take()
    versions = {
        version.id: version
        for version in db.session.scalars(select(FormVersion).where(FormVersion.form_id == form.id))
    }
    query = _filtered(select(Response), form, filters, definition)
    for batch in in_batches(query, Response.id):
        for response in batch:
            version = versions[response.form_version_id]
            row = _row(response, version)
            by_id = {ex.question.id: ex for ex in row.talk.exchanges} if row.talk else {}
            answers = [
                answer_as_text(by_id[q].question, by_id[q].answer, row.talk) if q in by_id else ""
                for q in questions
            ]
            meta = response.meta or {}
            out.row(
                [
                    response.id,
                    moment(response.started_at),
                    moment(response.completed_at),
                    response.locale,
                    response.channel,
                    version.number,
                    row.score.get("value", ""),
                    row.score.get("category", ""),
                    row.ticket_number or "",
                    1 if response.spam else "",
                    *answers,
                    *((response.hidden or {}).get(name, "") for name in hidden),
                    *(meta.get(key, "") for key in KNOWN_METADATA),
                ]
            )
        yield out.take()
