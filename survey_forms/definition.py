"""Feedback form definitions: plain data, loaded from YAML and validated with paths.

A form is a list of questions asked one at a time. Texts are per language and
fall back to the form's default language; `show_if` is a condition (the same
evaluator as workflow routing) over *earlier* answers; `{id}` in a text pipes
an earlier answer in ("Thanks, {name}!"). An optional `branding:` mapping holds the
look (accent and background colours, one of a fixed list of fonts, logo and bot avatar):
validated values only, never CSS. Optional `opens_at`, `closes_at` (an ISO 8601 date-time,
or a date read in the form's `timezone`), `max_responses` and `closed_message` put the form
on a schedule and a response limit (see `survey_forms.schedule`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from survey_forms.schedule import closes_instant, opens_instant
from workflow import conditions
from workflow.yaml_documents import N_, Problem, ProblemCollector, read_yaml

MAX_FORM_BYTES = 128 * 1024
LANGUAGES = ("en", "pl", "ru", "sl")
CHANNELS = ("web", "widget", "email")  # how a response reached us: our page, a widget, a link
QUESTION_TYPES = (
    "nps",
    "csat",
    "ces",
    "goal",
    "rating",
    "single_choice",
    "multi_choice",
    "short_text",
    "long_text",
    "email",
    "number",
    "date",
    "consent",
    "file",
)
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}
DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 5000, "email": 254}
MAX_FILE_BYTES = 5 * 1024 * 1024
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_PIPE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_FORM_KEYS = {
    "slug",
    "title",
    "languages",
    "default_language",
    "intro",
    "questions",
    "endings",
    "hidden_fields",
    "creates_ticket",
    "allowed_origins",
    "bot_name",
    "subject",
    "branding",
    "opens_at",
    "closes_at",
    "timezone",
    "max_responses",
    "closed_message",
}
MAX_RESPONSES_LIMIT = 10_000_000
_BRANDING_KEYS = {"accent", "background", "font", "logo", "avatar"}
FONTS = ("system", "serif", "rounded", "monospace")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# An embedding site's origin: it goes into the Content-Security-Policy header (frame-ancestors),
# so nothing that ends the directive (";", a quote, a line break) and no path.
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?")
# An image uploaded through the studio (served from our origin) or an https URL. Neither may
# hold quotes, spaces, parentheses or backslashes: the value ends up in HTML attributes.
_ASSET = re.compile(r"^asset:[0-9a-f]{32}\.(png|jpg|gif|webp)$")
_IMAGE_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~%!$&*+,;=:@/?-]*)?$")
MAX_IMAGE_URL = 500
_QUESTION_KEYS = {
    "id",
    "type",
    "text",
    "help",
    "required",
    "validation",
    "choices",
    "show_if",
    "labels",
    "placeholder",
}

Texts = Mapping[str, str]


@dataclass(frozen=True)
class Choice:
    value: str
    label: Texts


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Texts
    required: bool = True
    help: Texts = field(default_factory=dict)
    placeholder: Texts = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    show_if: Mapping | None = None
    min: float | str | None = None  # numbers; dates as ISO text
    max: float | str | None = None
    max_length: int | None = None
    low_label: Texts = field(default_factory=dict)  # scale end labels ("Not likely")
    high_label: Texts = field(default_factory=dict)

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.type)

    @property
    def one_tap(self) -> bool:
        """Answered with a single tap (a score, yes/no, one chip): people can be quick."""
        return self.type in SCALES or self.type in ("goal", "single_choice")


@dataclass(frozen=True)
class Ending:
    when: Mapping | None
    text: Texts


@dataclass(frozen=True)
class HiddenField:
    name: str
    signed: bool = False


@dataclass(frozen=True)
class Branding:
    """How the conversation looks: validated values only, never raw CSS."""

    accent: str | None = None  # "#rrggbb"
    background: str | None = None
    font: str = "system"
    logo: str | None = None  # "asset:<hex>.<ext>" or an https URL
    avatar: str | None = None

    @property
    def is_default(self) -> bool:
        return self == Branding()


@dataclass(frozen=True)
class FormDefinition:
    slug: str
    title: Texts
    languages: tuple[str, ...]
    default_language: str
    questions: tuple[Question, ...]
    intro: Texts = field(default_factory=dict)
    endings: tuple[Ending, ...] = ()
    hidden_fields: tuple[HiddenField, ...] = ()
    creates_ticket: Mapping | bool = False
    allowed_origins: tuple[str, ...] = ()
    bot_name: Texts = field(default_factory=dict)
    subject_question: str | None = None  # which answer becomes the ticket subject
    branding: Branding = field(default_factory=Branding)
    # The schedule: a date means the start of that day (opens_at) or its end (closes_at) in
    # `timezone` (None: the installation's); a date-time without an offset is read there too.
    opens_at: date | datetime | None = None
    closes_at: date | datetime | None = None
    timezone: str | None = None
    max_responses: int | None = None  # completed responses of the form, all versions
    closed_message: Texts = field(default_factory=dict)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def text(self, texts: Texts, lang: str) -> str:
        """The text in `lang`, else in the default language, else any (never empty)."""
        return texts.get(lang) or texts.get(self.default_language) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class FormLoadResult:
    definition: FormDefinition | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.problems


def load_form(text: str) -> FormLoadResult:
    """Parse and validate form YAML (or JSON, a YAML subset); never raises on bad input."""
    document = read_yaml(text, MAX_FORM_BYTES, "form")
    if isinstance(document, Problem):
        return FormLoadResult(None, (document,))
    definition, problems = parse_form(document.data)
    located = document.repeated_keys + document.locate(problems)
    return FormLoadResult(definition if not located else None, located)


def parse_form(data: Any) -> tuple[FormDefinition | None, list[Problem]]:
    if not isinstance(data, Mapping):
        return None, [
            Problem("", N_("the form must be a mapping with slug, languages and questions"))
        ]
    checker = _FormChecker()
    definition = checker.check(data)
    return (definition if not checker.problems else None), checker.problems


class _FormChecker(ProblemCollector):
    def __init__(self) -> None:
        super().__init__()
        self.languages: tuple[str, ...] = ("en",)
        self.default = "en"
        self.all_ids: set[str] = set()

    def check(self, data: Mapping) -> FormDefinition:
        self.unknown_keys(data, "", _FORM_KEYS)
        slug = data.get("slug")
        if not isinstance(slug, str) or not re.match(r"^[a-z0-9][a-z0-9-]{0,62}$", slug):
            self.add("slug", N_("missing or not a slug (lowercase letters, digits and -)"))
            slug = "form"
        languages = data.get("languages") or ["en"]
        if not isinstance(languages, list) or not languages:
            self.add("languages", N_("must be a non-empty list of language codes"))
            languages = ["en"]
        for lang in languages:
            if lang not in LANGUAGES:
                self.add(
                    "languages",
                    N_("unknown language '%(language)s' (use %(languages)s)"),
                    language=lang,
                    languages=", ".join(LANGUAGES),
                )
        self.languages = tuple(lang for lang in languages if lang in LANGUAGES) or ("en",)
        self.default = data.get("default_language") or self.languages[0]
        if self.default not in self.languages:
            self.add(
                "default_language",
                N_("'%(language)s' is not one of the form's languages"),
                language=self.default,
            )
            self.default = self.languages[0]
        questions = self.questions(data.get("questions"))
        self.pipes(self.texts(data.get("intro"), "intro", required=False), "intro", [])
        endings = self.endings(data.get("endings"), questions)
        creates_ticket = data.get("creates_ticket", False)
        if not isinstance(creates_ticket, bool):
            creates_ticket = self.condition(
                creates_ticket, "creates_ticket", questions, len(questions)
            )
        origins = data.get("allowed_origins") or []
        if not isinstance(origins, list) or not all(
            isinstance(o, str) and _ORIGIN.fullmatch(o) for o in origins
        ):
            self.add(
                "allowed_origins",
                N_("must be a list of origins like %(example)s"),
                example="https://shop.example.com",
            )
            origins = []
        subject = data.get("subject")
        if subject is not None and not any(q.id == subject for q in questions):
            self.add("subject", N_("unknown question '%(question)s'"), question=subject)
        return FormDefinition(
            slug=slug,
            title=self.texts(data.get("title"), "title", required=True),
            languages=self.languages,
            default_language=self.default,
            questions=tuple(questions),
            intro=self.texts(data.get("intro"), "intro", required=False),
            endings=tuple(endings),
            hidden_fields=tuple(self.hidden_fields(data.get("hidden_fields"))),
            creates_ticket=creates_ticket if creates_ticket is not None else False,
            allowed_origins=tuple(origins),
            bot_name=self.texts(data.get("bot_name"), "bot_name", required=False),
            subject_question=subject,
            branding=self.branding(data.get("branding")),
            **self.schedule(data),
        )

    def schedule(self, data: Mapping) -> dict[str, Any]:
        """opens_at, closes_at, timezone, max_responses and closed_message, checked."""
        zone = data.get("timezone")
        if zone is not None and not is_time_zone(zone):
            self.add(
                "timezone",
                N_("'%(value)s' is not a time zone (use a name like %(example)s)"),
                value=zone,
                example="Europe/Warsaw",
            )
            zone = None
        moments = {}
        for key in ("opens_at", "closes_at"):
            raw = data.get(key)
            moments[key] = None if raw is None else schedule_moment(raw)
            if raw is not None and moments[key] is None:
                self.add(
                    key,
                    N_(
                        "'%(value)s' is not a date (use YYYY-MM-DD, or a date and time like "
                        "%(example)s)"
                    ),
                    value=raw,
                    example="2026-12-01T09:00:00+01:00",
                )
        opens, closes = moments["opens_at"], moments["closes_at"]
        # Checked in the form's zone or UTC: the installation's is not known here, and it
        # only matters when one end is a date and the other a date-time with an offset.
        if (
            opens is not None
            and closes is not None
            and closes_instant(closes, zone or "UTC") <= opens_instant(opens, zone or "UTC")
        ):
            self.add("closes_at", N_("closes before it opens (check opens_at)"))
        limit = data.get("max_responses")
        if limit is not None and (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not 1 <= limit <= MAX_RESPONSES_LIMIT
        ):
            self.add(
                "max_responses",
                N_("'%(value)s' is not a whole number from 1 to %(limit)s"),
                value=limit,
                limit=MAX_RESPONSES_LIMIT,
            )
            limit = None
        closed = data.get("closed_message")
        return {
            "opens_at": opens,
            "closes_at": closes,
            "timezone": zone,
            "max_responses": limit,
            "closed_message": self.texts(closed, "closed_message", required=closed is not None),
        }

    def branding(self, raw: Any) -> Branding:
        problems = branding_problems(raw)
        self.extend(problems)
        if raw is None or problems:
            return Branding()
        return Branding(
            accent=raw.get("accent"),
            background=raw.get("background"),
            font=raw.get("font") or "system",
            logo=raw.get("logo"),
            avatar=raw.get("avatar"),
        )

    def questions(self, raw: Any) -> list[Question]:
        if not isinstance(raw, list) or not raw:
            self.add("questions", N_("must list at least one question"))
            return []
        result: list[Question] = []
        seen: set[str] = set()
        self.all_ids = {str(s.get("id")) for s in raw if isinstance(s, Mapping)}
        for index, spec in enumerate(raw):
            path = f"questions[{index}]"
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping with id, type and text"))
                continue
            self.unknown_keys(spec, path, _QUESTION_KEYS)
            qid = spec.get("id")
            if not isinstance(qid, str) or not _ID.match(qid):
                self.add(f"{path}.id", N_("missing or not an id (lowercase letters, digits, _)"))
                qid = f"q{index + 1}"
            if qid in seen:
                self.add(f"{path}.id", N_("duplicate id '%(id)s'"), id=qid)
            seen.add(qid)
            qtype = spec.get("type")
            if qtype not in QUESTION_TYPES:
                self.add(
                    f"{path}.type",
                    N_("unknown question type '%(type)s' (use %(types)s)"),
                    type=qtype,
                    types=", ".join(QUESTION_TYPES),
                )
                qtype = "short_text"
            validation = spec.get("validation") or {}
            if not isinstance(validation, Mapping):
                self.add(f"{path}.validation", N_("must be a mapping (min, max, max_length)"))
                validation = {}
            choices = self.choices(spec.get("choices"), f"{path}.choices", qtype)
            show_if = None
            if spec.get("show_if") is not None:
                show_if = self.condition(spec["show_if"], f"{path}.show_if", result, index)
            labels = spec.get("labels") or {}
            result.append(
                Question(
                    id=qid,
                    type=qtype,
                    text=self.texts(spec.get("text"), f"{path}.text", required=True),
                    required=self.flag(spec.get("required", True), f"{path}.required"),
                    help=self.texts(spec.get("help"), f"{path}.help", required=False),
                    placeholder=self.texts(
                        spec.get("placeholder"), f"{path}.placeholder", required=False
                    ),
                    choices=choices,
                    show_if=show_if,
                    min=self.bound(validation.get("min"), f"{path}.validation.min", qtype),
                    max=self.bound(validation.get("max"), f"{path}.validation.max", qtype),
                    max_length=self.max_length(
                        validation.get("max_length"), f"{path}.validation.max_length", qtype
                    ),
                    low_label=self.texts(labels.get("low"), f"{path}.labels.low", required=False)
                    if isinstance(labels, Mapping)
                    else {},
                    high_label=self.texts(labels.get("high"), f"{path}.labels.high", required=False)
                    if isinstance(labels, Mapping)
                    else {},
                )
            )
        for index, question in enumerate(result):
            self.pipes(question.text, f"questions[{index}].text", result[:index])
            self.pipes(question.help, f"questions[{index}].help", result[:index])
        return result

    def choices(self, raw: Any, path: str, qtype: str) -> tuple[Choice, ...]:
        needs = qtype in ("single_choice", "multi_choice")
        if raw is None:
            if needs:
                self.add(path, N_("a choice question needs at least two choices"))
            return ()
        if not needs:
            self.add(
                path,
                N_("only single_choice and multi_choice questions have choices, not %(type)s"),
                type=qtype,
            )
            return ()
        if not isinstance(raw, list) or len(raw) < 2:
            self.add(path, N_("a choice question needs at least two choices"))
            return ()
        result, values = [], set()
        for index, item in enumerate(raw):
            where = f"{path}[{index}]"
            if not isinstance(item, Mapping) or not isinstance(item.get("value"), str | int | bool):
                self.add(where, N_("a choice is {value: ..., label: {en: ...}}"))
                continue
            value = item["value"]
            # YAML reads an unquoted yes/no as a boolean; the answer is the word.
            value = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            if value in values:
                self.add(f"{where}.value", N_("duplicate choice '%(value)s'"), value=value)
            values.add(value)
            result.append(
                Choice(value, self.texts(item.get("label"), f"{where}.label", required=True))
            )
        return tuple(result)

    def condition(
        self, raw: Any, path: str, earlier: list[Question], position: int
    ) -> Mapping | None:
        if not self.condition_problems(
            raw, path, {"answers", "score", "hidden", "locale", "channel"}
        ):
            return None
        known = {q.id for q in earlier[:position]}
        every = {q.id for q in earlier} | self.all_ids
        for name in sorted(conditions.fields_used(raw)):
            head, _, rest = name.partition(".")
            if head != "answers":
                continue
            qid = rest.split(".")[0]
            if qid not in known:
                if qid in every:
                    message = N_(
                        "refers to a later question '%(id)s' (show_if may only use earlier answers)"
                    )
                else:
                    message = N_(
                        "refers to an unknown question '%(id)s' "
                        "(show_if may only use earlier answers)"
                    )
                self.add(path, message, id=qid)
        return raw

    def texts(self, raw: Any, path: str, required: bool) -> dict[str, str]:
        if raw is None:
            if required:
                self.add(
                    path,
                    N_("missing (give the text in %(languages)s)"),
                    languages=", ".join(self.languages),
                )
            return {}
        if isinstance(raw, str):
            raw = {self.default: raw}
        if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
            self.add(path, N_("must be a text or a mapping of language to text"))
            return {}
        for lang in raw:
            if lang not in LANGUAGES:
                self.add(
                    f"{path}.{lang}",
                    N_("unknown language (use %(languages)s)"),
                    languages=", ".join(LANGUAGES),
                )
        if required:
            for lang in self.languages:
                if not (raw.get(lang) or "").strip():
                    self.add(f"{path}.{lang}", N_("missing translation"))
        return {k: v for k, v in raw.items() if k in LANGUAGES}

    def pipes(self, texts: Texts, path: str, earlier: list[Question]) -> None:
        known = {q.id for q in earlier}
        for lang, text in texts.items():
            for name in _PIPE.findall(text):
                if name not in known:
                    self.add(
                        f"{path}.{lang}",
                        N_("'%(pipe)s' is not an earlier question's answer"),
                        pipe=f"{{{name}}}",
                    )

    def flag(self, raw: Any, path: str) -> bool:
        if not isinstance(raw, bool):
            self.add(path, N_("'%(value)s' is not true or false"), value=raw)
            return True
        return raw

    def bound(self, raw: Any, path: str, qtype: str) -> float | str | None:
        if raw is None:
            return None
        if qtype == "date":
            if isinstance(raw, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
                return raw
            self.add(path, N_("'%(value)s' is not a date (use YYYY-MM-DD)"), value=raw)
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.add(path, N_("'%(value)s' is not a number"), value=raw)
            return None
        return raw

    def max_length(self, raw: Any, path: str, qtype: str) -> int | None:
        default = DEFAULT_MAX_LENGTH.get(qtype)
        if raw is None:
            return default
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 20000:
            self.add(path, N_("'%(value)s' is not a length between 1 and 20000"), value=raw)
            return default
        return raw

    def endings(self, raw: Any, questions: list[Question]) -> list[Ending]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add("endings", N_("must be a list of {when, text}"))
            return []
        result = []
        for index, spec in enumerate(raw):
            path = f"endings[{index}]"
            if not isinstance(spec, Mapping):
                self.add(path, N_("must be a mapping with text (and when)"))
                continue
            when = None
            if spec.get("when") is not None:
                when = self.condition(spec["when"], f"{path}.when", questions, len(questions))
            text = self.texts(spec.get("text"), f"{path}.text", required=True)
            self.pipes(text, f"{path}.text", questions)
            result.append(Ending(when, text))
        return result

    def hidden_fields(self, raw: Any) -> list[HiddenField]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add("hidden_fields", N_("must be a list of {name, signed}"))
            return []
        result = []
        for index, spec in enumerate(raw):
            spec = {"name": spec} if isinstance(spec, str) else spec
            if (
                not isinstance(spec, Mapping)
                or not isinstance(spec.get("name"), str)
                or not _ID.match(spec["name"])
            ):
                self.add(
                    f"hidden_fields[{index}]", N_("needs a name (lowercase letters, digits, _)")
                )
                continue
            result.append(HiddenField(spec["name"], bool(spec.get("signed", False))))
        return result


def is_time_zone(value: Any) -> bool:
    """An IANA time zone name this machine knows (`Europe/Warsaw`, `UTC`)."""
    if not isinstance(value, str) or not value or len(value) > 64 or ".." in value:
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def schedule_moment(raw: Any) -> date | datetime | None:
    """A date or a date-time from YAML (which may have parsed it already) or text; None if neither.

    A date-time keeps its offset when it has one; without one it is naive, read later in the
    form's time zone.
    """
    moment: date | datetime | None = None
    if isinstance(raw, date):  # a datetime is a date too
        moment = raw
    elif isinstance(raw, str) and len(raw) <= 40:
        text = raw.strip()
        try:
            if _DAY.match(text):
                moment = date.fromisoformat(text)
            elif "T" in text or " " in text:
                moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    # Far from now is a typo; it also keeps time zone arithmetic away from year 1 and 9999.
    if moment is None or not 1970 <= moment.year <= 2999:
        return None
    return moment


def branding_problems(raw: Any) -> list[Problem]:
    """What is wrong with a `branding:` mapping, each with its path; empty when fine."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [
            Problem("branding", N_("must be a mapping (accent, background, font, logo, avatar)"))
        ]
    problems = [
        Problem(
            f"branding.{key}",
            N_("unknown key (use %(keys)s)"),
            params={"keys": ", ".join(sorted(_BRANDING_KEYS))},
        )
        for key in raw
        if key not in _BRANDING_KEYS
    ]
    for key in ("accent", "background"):
        value = raw.get(key)
        if value is not None and not (isinstance(value, str) and _COLOUR.match(value)):
            problems.append(
                Problem(
                    f"branding.{key}",
                    N_("'%(value)s' is not a colour like %(example)s"),
                    params={"value": value, "example": "#0f766e"},
                )
            )
    font = raw.get("font")
    if font is not None and font not in FONTS:
        problems.append(
            Problem(
                "branding.font",
                N_("unknown font '%(font)s' (use %(fonts)s)"),
                params={"font": font, "fonts": ", ".join(FONTS)},
            )
        )
    for key in ("logo", "avatar"):
        value = raw.get(key)
        if value is not None and not is_image_reference(value):
            problems.append(
                Problem(
                    f"branding.{key}",
                    N_("must be an uploaded image or an https:// address of an image"),
                )
            )
    return problems


def is_image_reference(value: Any) -> bool:
    return isinstance(value, str) and (
        bool(_ASSET.match(value)) or (len(value) <= MAX_IMAGE_URL and bool(_IMAGE_URL.match(value)))
    )
