"""Is the loop being closed? Tickets answered and resolved in time, and how customers rated
the help afterwards, per team and per week; what customers said by language and channel;
which labels the period's tickets carry; what customers write about (`report_themes`,
counted once every few minutes: `report_themes_cache`). The page leaves the themes out and
fetches them after it is shown; the CSV includes them.

Ticket figures are computed in Python over the period's rows, fetched in a fixed number
of queries: a report never loads a ticket's relations one by one. Responses and their
scores are counted by the database (`response_score`), per week, segment and answer, and
folded here with the scoring functions; labels are counted per name by the database.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, tuple_

from survey_forms.definition import FormDefinition, Question
from survey_forms.insights import ScoreSummary, scored_question, tally
from webapp.extensions import db
from webapp.models import (
    Response,
    ResponseScore,
    SurveyInvitation,
    SurveyStatus,
    Team,
    Ticket,
    TicketLabel,
    User,
)
from webapp.models.forms import stored_answer
from webapp.services.forms import published_forms
from webapp.services.local_time import zone_or_utc
from webapp.services.report_themes import Themes
from webapp.services.report_themes_cache import counted_themes
from webapp.services.sla_clock import stopped_unresolved

PERIODS = (7, 30, 90)  # days a report can look back
DEFAULT_PERIOD = 30
SCORE_TYPES = ("nps", "csat", "ces")  # what the weeks and segments show, by the form's score
LABELS_SHOWN = 15  # the most used labels


@dataclass
class Clock:
    """One SLA promise over many tickets: kept, broken, or still running."""

    met: int = 0
    missed: int = 0

    def add(
        self,
        due: datetime | None,
        done: datetime | None,
        now: datetime,
        stopped_breached: bool | None = None,
    ) -> None:
        """`stopped_breached`: None while the clock may still run; for a clock stopped unmet
        (closed unresolved), whether the sweep saw it breached before the close."""
        if due is None:
            return
        if done is not None and done <= due:
            self.met += 1
        elif done is not None or (due < now if stopped_breached is None else stopped_breached):
            self.missed += 1

    @property
    def share_met(self) -> float | None:
        decided = self.met + self.missed
        return self.met / decided if decided else None


@dataclass
class TeamFigures:
    """One row of tickets and satisfaction: a team's, an agent's (the assignee's) or all."""

    name: str
    # The team's slug, the agent's e-mail; "(none)", "(unassigned)", "(all)" for other rows.
    key: str = ""
    created: int = 0
    resolved: int = 0
    first_reply: Clock = field(default_factory=Clock)
    resolution: Clock = field(default_factory=Clock)
    reply_times: list[timedelta] = field(default_factory=list)
    # Post-resolution surveys answered in the period, by survey form slug: (answer, how many).
    ratings: dict[str, list[tuple[Any, int]]] = field(default_factory=lambda: defaultdict(list))
    satisfaction: list[ScoreSummary] = field(default_factory=list)

    @property
    def median_first_reply(self) -> timedelta | None:
        return statistics.median(self.reply_times) if self.reply_times else None

    def score(self, kind: str) -> ScoreSummary | None:
        """The ratings of one type (`csat`) across the survey forms that ask it."""
        return _combined(kind, self.satisfaction)


@dataclass
class Feedback:
    """Completed responses and their NPS, CSAT and CES: a week's, a language's, a channel's."""

    responses: int = 0
    # Forms scored by NPS, CSAT or CES with responses here -> (answer, how many gave it).
    answers: dict[int, list[tuple[Any, int]]] = field(default_factory=dict)
    scores: dict[str, ScoreSummary] = field(default_factory=dict)  # by type, once folded

    @property
    def nps(self) -> ScoreSummary | None:
        return self.scores.get("nps")

    @property
    def csat(self) -> ScoreSummary | None:
        return self.scores.get("csat")

    @property
    def ces(self) -> ScoreSummary | None:
        return self.scores.get("ces")


@dataclass
class WeekFigures(Feedback):
    start: date = date.min  # the Monday, in the viewer's time zone
    tickets_created: int = 0
    tickets_resolved: int = 0

    @property
    def end(self) -> date:
        """The week's Sunday."""
        return self.start + timedelta(days=6)


@dataclass
class SegmentFigures(Feedback):
    code: str = ""  # a language code (`pl`) or a channel (`widget`), as responses keep it


@dataclass(frozen=True)
class LabelFigures:
    """A label on the period's tickets, against the period of the same length before it."""

    name: str  # its most used spelling: the board's filter ignores case
    tickets: int
    previous: int
    share: float  # of the tickets created in the period

    @property
    def change(self) -> int:
        return self.tickets - self.previous


@dataclass(frozen=True)
class Report:
    days: int
    since: datetime
    teams: list[TeamFigures]  # the teams, then "No team" when some tickets have none
    total: TeamFigures
    agents: list[TeamFigures]  # assignees with tickets in the period, then "Unassigned"
    weeks: list[WeekFigures]
    languages: list[SegmentFigures]  # most responses first
    channels: list[SegmentFigures]
    labels: list[LabelFigures]  # most used first, at most LABELS_SHOWN
    themes: Themes = field(default_factory=Themes)  # of the free-text answers


def agent_rows_for(report: Report, viewer: User) -> list[TeamFigures]:
    """Admins compare every agent; an agent sees their own row only (colleagues' figures are
    for whoever runs the team, not for the person at the next desk)."""
    if viewer.is_admin:
        return report.agents
    return [row for row in report.agents if row.key == viewer.email]


def period_of(value: str | None) -> int:
    """The period asked for, or the default for anything else."""
    return int(value) if value in {str(p) for p in PERIODS} else DEFAULT_PERIOD


def build_report(
    now: datetime,
    days: int,
    no_team_name: str,
    total_name: str,
    timezone: str = "UTC",
    locale: str = "en",
    with_themes: bool = True,
    unassigned_name: str = "Unassigned",
) -> Report:
    """The period's figures; weeks are the viewer's (`timezone`), Monday to Sunday; forms
    are named in `locale`. The themes, the slow part, only `with_themes`.

    A ticket counts for its team and for its assignee now: who holds it answers for it
    (a ticket handed over counts for the colleague it went to)."""
    since = now - timedelta(days=days)
    zone = _zone(timezone)
    teams = {
        t.id: TeamFigures(t.name, t.slug)
        for t in db.session.scalars(select(Team).order_by(Team.name))
    }
    no_team = TeamFigures(no_team_name, "(none)")
    total = TeamFigures(total_name, "(all)")
    agents: dict[int, TeamFigures] = {}
    unassigned = TeamFigures(unassigned_name, "(unassigned)")

    def agent_row(user_id: int | None) -> TeamFigures:
        if user_id is None:
            return unassigned
        return agents.setdefault(user_id, TeamFigures("", str(user_id)))

    weeks = _weeks(since, now, zone)
    for ticket in _tickets(since):
        rows = (teams.get(ticket.team_id, no_team), agent_row(ticket.assignee_id), total)
        # A merged duplicate's clocks stopped when its conversation moved to the ticket kept:
        # a deadline it had not met or missed by then is that ticket's, not a second one.
        merged = ticket.merged_into_id is not None
        # Any other ticket closed unresolved owes nothing from then on: an unmet deadline
        # counts as missed only if it had passed before the close (the sweep marked it).
        stopped = not merged and stopped_unresolved(
            ticket.workflow_version_id, ticket.state, ticket.resolved_at
        )
        if ticket.created_at >= since:
            _week(weeks, ticket.created_at, zone).tickets_created += 1
            for figures in rows:
                figures.created += 1
                if not (merged and ticket.first_response_at is None):
                    figures.first_reply.add(
                        ticket.first_response_due_at,
                        ticket.first_response_at,
                        now,
                        (ticket.first_response_breached_at is not None) if stopped else None,
                    )
                if not (merged and ticket.resolved_at is None):
                    figures.resolution.add(
                        ticket.resolution_due_at,
                        ticket.resolved_at,
                        now,
                        (ticket.resolution_breached_at is not None) if stopped else None,
                    )
                if ticket.first_response_at is not None:
                    figures.reply_times.append(ticket.first_response_at - ticket.created_at)
        if ticket.resolved_at is not None and ticket.resolved_at >= since:
            _week(weeks, ticket.resolved_at, zone).tickets_resolved += 1
            for figures in rows:
                figures.resolved += 1
    published = published_forms()
    definitions = {form.slug: definition for form, definition in published}
    for team_id, assignee_id, slug, answer, times in _survey_answers(since, definitions):
        for figures in (teams.get(team_id, no_team), agent_row(assignee_id), total):
            figures.ratings[slug].append((answer, times))
    for figures in (*teams.values(), no_team, total, *agents.values(), unassigned):
        figures.satisfaction = _satisfaction(figures.ratings, definitions)
    questions = _score_questions(published)
    languages, channels = _feedback(weeks, since, questions, zone)
    shown = list(teams.values()) + ([no_team] if no_team.created or no_team.resolved else [])
    return Report(
        days,
        since,
        shown,
        total,
        _named_agents(agents) + ([unassigned] if _has_figures(unassigned) else []),
        sorted(weeks.values(), key=lambda w: w.start),
        languages,
        channels,
        _labels(since, now, days, total.created),
        counted_themes(now, days, locale, published) if with_themes else Themes(),
    )


def _has_figures(row: TeamFigures) -> bool:
    return bool(row.created or row.resolved or row.satisfaction)


def _named_agents(agents: dict[int, TeamFigures]) -> list[TeamFigures]:
    """The agents' rows with their names and addresses (one query, also for none: the page
    costs the same number of queries however many agents it shows), by name."""
    for user_id, name, email in db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(list(agents)))
    ):
        agents[user_id].name, agents[user_id].key = name, email
    return sorted(agents.values(), key=lambda row: (row.name.casefold(), row.key))


def _tickets(since: datetime) -> Iterable:
    """Tickets created in the period, or resolved in it (created before): the SLA columns only.

    Spam is left out: junk is not a request anyone opened or failed to answer.
    """
    return db.session.execute(
        select(
            Ticket.team_id,
            Ticket.assignee_id,
            Ticket.created_at,
            Ticket.first_response_due_at,
            Ticket.first_response_at,
            Ticket.resolution_due_at,
            Ticket.resolved_at,
            Ticket.merged_into_id,
            Ticket.workflow_version_id,
            Ticket.state,
            Ticket.first_response_breached_at,
            Ticket.resolution_breached_at,
        )
        .where(
            or_(Ticket.created_at >= since, Ticket.resolved_at >= since),
            Ticket.spam_at.is_(None),
        )
        .execution_options(yield_per=1000)
    )


def _survey_answers(since: datetime, definitions: dict[str, FormDefinition]) -> Iterable:
    """(team, assignee, survey form slug, answer, how many) of the surveys answered in the
    period. Counted by the database: a row per team, assignee, form and answer its scored
    question read.
    """
    questions = [
        (slug, question.id)
        for slug, question in ((s, scored_question(d)) for s, d in definitions.items())
        if question is not None
    ]
    if not questions:
        return []
    rows = db.session.execute(
        select(
            Ticket.team_id,
            Ticket.assignee_id,
            SurveyInvitation.form_slug,
            ResponseScore.value,
            ResponseScore.yes,
            func.count(),
        )
        .join(Ticket, Ticket.id == SurveyInvitation.ticket_id)
        .join(ResponseScore, ResponseScore.response_id == SurveyInvitation.response_id)
        .where(
            SurveyInvitation.status == SurveyStatus.ANSWERED,
            SurveyInvitation.answered_at >= since,
            tuple_(SurveyInvitation.form_slug, ResponseScore.question_id).in_(questions),
        )
        .group_by(
            Ticket.team_id,
            Ticket.assignee_id,
            SurveyInvitation.form_slug,
            ResponseScore.value,
            ResponseScore.yes,
        )
    )
    return [
        (team_id, assignee_id, slug, stored_answer(value, yes), n)
        for team_id, assignee_id, slug, value, yes, n in rows
    ]


def _satisfaction(
    ratings: dict[str, list[tuple[Any, int]]], definitions: dict[str, FormDefinition]
) -> list[ScoreSummary]:
    summaries = []
    for slug in sorted(ratings):
        definition = definitions.get(slug)
        question = scored_question(definition) if definition else None
        summary = tally(question, ratings[slug]) if question else None
        if summary is not None and summary.count:
            summaries.append(summary)
    return summaries


def _zone(timezone: str) -> tzinfo:
    return zone_or_utc(timezone)


def _monday(moment: datetime, zone: tzinfo) -> date:
    """The Monday of the week `moment` falls in, as a clock in `zone` reads it."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def _weeks(since: datetime, now: datetime, zone: tzinfo) -> dict[date, WeekFigures]:
    """Monday-started weeks from the one holding `since` to the one holding `now`."""
    start, last = _monday(since, zone), _monday(now, zone)
    weeks = {}
    while start <= last:
        weeks[start] = WeekFigures(start=start)
        start += timedelta(days=7)
    return weeks


def _week(weeks: dict[date, WeekFigures], moment: datetime, zone: tzinfo) -> WeekFigures:
    start = _monday(moment, zone)
    return weeks.setdefault(start, WeekFigures(start=start))  # a clock a little ahead adds a week


def _score_questions(published: list[tuple[Any, FormDefinition]]) -> dict[int, Question]:
    """Form id -> the question its score reads, for the forms scored by NPS, CSAT or CES."""
    return {
        form.id: question
        for form, question in ((f, scored_question(d)) for f, d in published)
        if question is not None and question.type in SCORE_TYPES
    }


def _score_rows(groups: tuple, since: datetime, questions: dict[int, Question]) -> Iterable:
    """(*groups, form, answer, how many) for responses completed since `since`.

    The database counts each answer to a scored question, per group (a week, a language,
    a channel): rows are at most a dozen per group and form, whatever the responses.
    """
    if not questions:
        return []
    rows = db.session.execute(
        select(*groups, Response.form_id, ResponseScore.value, ResponseScore.yes, func.count())
        .join(Response, Response.id == ResponseScore.response_id)
        .where(
            Response.completed_at >= since,
            Response.spam.is_(False),
            tuple_(Response.form_id, ResponseScore.question_id).in_(
                [(form_id, q.id) for form_id, q in questions.items()]
            ),
        )
        .group_by(*groups, Response.form_id, ResponseScore.value, ResponseScore.yes)
    )
    return (
        (*grouped, form_id, stored_answer(value, yes), times)
        for *grouped, form_id, value, yes, times in rows
    )


def _fold(feedback: Feedback, questions: dict[int, Question]) -> None:
    """One score per type across the forms: each answer counted once, on its form's question."""
    parts: dict[str, list[ScoreSummary]] = defaultdict(list)
    for form_id, given in feedback.answers.items():
        question = questions[form_id]
        parts[question.type].append(tally(question, given))
    feedback.scores = {kind: _combined(kind, found) for kind, found in parts.items()}


def _feedback(
    weeks: dict[date, WeekFigures],
    since: datetime,
    questions: dict[int, Question],
    zone: tzinfo,
) -> tuple[list[SegmentFigures], list[SegmentFigures]]:
    """Completed responses and their NPS, CSAT and CES per week, language and channel.

    Two grouped queries, each read once for the three tables (a scan of the period's
    responses costs more than the few thousand rows it returns at most): responses per
    week, language, channel and form, and the answers per the same and answer. Weeks are
    told apart by the instants they start at in the viewer's zone.
    """
    starts = sorted(weeks)  # what the week indexes in the queries point at
    week_of, ahead = _week_columns(starts, zone)
    languages: dict[str, SegmentFigures] = {}
    channels: dict[str, SegmentFigures] = {}

    def counted_in(index, late, locale, channel) -> tuple[Feedback, ...]:
        locale, channel = locale or "", channel or ""
        return (
            _week_at(weeks, starts, index, late, zone),
            languages.setdefault(locale, SegmentFigures(code=locale)),
            channels.setdefault(channel, SegmentFigures(code=channel)),
        )

    groups = (week_of, ahead, Response.locale, Response.channel)
    for *group, form_id, completed in db.session.execute(
        select(*groups, Response.form_id, func.count())
        .where(Response.completed_at >= since, Response.spam.is_(False))
        .group_by(*groups, Response.form_id)
    ):
        for feedback in counted_in(*group):
            feedback.responses += completed
            if form_id in questions:
                feedback.answers.setdefault(form_id, [])
    for *group, form_id, answer, times in _score_rows(groups, since, questions):
        for feedback in counted_in(*group):  # one completed between the queries too
            feedback.answers.setdefault(form_id, []).append((answer, times))
    for feedback in (*weeks.values(), *languages.values(), *channels.values()):
        _fold(feedback, questions)
    return tuple(
        sorted(segments.values(), key=lambda s: (-s.responses, s.code))
        for segments in (languages, channels)
    )


def _labels(since: datetime, until: datetime, days: int, created: int) -> list[LabelFigures]:
    """The labels on tickets created from `since` to `until`, most used first, with the
    period before. (`until` matters for a past period, e.g. the weekly summary's last week.)

    One query, a row per label name: the board's label filter ignores case, so names that
    differ only in case are one label here too, shown as most tickets spell it.
    """
    in_period = Ticket.created_at >= since
    counted: dict[str, list] = {}
    for name, current, before in db.session.execute(
        select(
            TicketLabel.name,
            func.count(case((in_period, 1))),
            func.count(case((~in_period, 1))),
        )
        .join(Ticket, Ticket.id == TicketLabel.ticket_id)
        .where(
            Ticket.created_at >= since - timedelta(days=days),
            Ticket.created_at < until,
            Ticket.spam_at.is_(None),
        )
        .group_by(TicketLabel.name)
    ):
        spellings = counted.setdefault(name.casefold(), [0, 0, []])
        spellings[0] += current
        spellings[1] += before
        spellings[2].append((-(current + before), name))
    labels = [
        LabelFigures(min(spellings)[1], tickets, previous, tickets / created)
        for tickets, previous, spellings in counted.values()
        if tickets and created
    ]
    labels.sort(key=lambda label: (-label.tickets, label.name.casefold()))
    return labels[:LABELS_SHOWN]


def _week_columns(starts: list[date], zone: tzinfo) -> tuple:
    """SQL for the week a completion falls in: its index in `starts` (Mondays), in `zone`.

    A completion in none of them (a clock a little ahead, past a week the tickets added)
    has no index; the second column is then its instant, placed in a week of its own
    as `_week` does.
    """
    completed_at = Response.completed_at
    week_of = case(
        *(
            (
                and_(
                    completed_at >= _midnight(start, zone),
                    completed_at < _midnight(start + timedelta(days=7), zone),
                ),
                index,
            )
            for index, start in enumerate(starts)
        ),
        else_=None,
    )
    return week_of, case((week_of.is_(None), completed_at), else_=None)


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The instant a day starts as a clock in `zone` reads it."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _week_at(
    weeks: dict[date, WeekFigures],
    starts: list[date],
    index: int | None,
    late: datetime | None,
    zone: tzinfo,
) -> WeekFigures:
    """The week of a row the queries grouped: by its index, else by its own instant."""
    if index is None:
        return _week(weeks, late, zone)
    return weeks[starts[index]]


def _combined(kind: str, parts: list[ScoreSummary]) -> ScoreSummary | None:
    """One summary of several forms' answers of one type: counts and sums add up."""
    parts = [p for p in parts if p.type == kind]
    if not parts:
        return None
    categories = {k: sum(p.categories[k] for p in parts) for k in parts[0].categories}
    return ScoreSummary(
        kind,
        parts[0].question_id,
        sum(p.count for p in parts),
        categories,
        sum(p.total for p in parts),
    )
