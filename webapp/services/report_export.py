"""The Reports page as one CSV file: every table of the period, for a spreadsheet or a script.

One row per table row, the table named in `section` (teams, agents, weeks, languages,
channels, labels, themes); columns have stable names and plain numbers (shares 0–1,
seconds), a column a section has no figure for is empty. Names are also given in the
viewer's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from survey_forms.insights import ScoreSummary
from webapp.services.csv_export import CsvChunks
from webapp.services.reports import Feedback, Report, TeamFigures

COLUMNS = (
    "section",
    "key",
    "name",
    "responses",
    "tickets_created",
    "tickets_resolved",
    "first_reply_met",
    "first_reply_missed",
    "median_first_reply_seconds",
    "resolution_met",
    "resolution_missed",
    "nps",
    "nps_answers",
    "csat_average",
    "csat_satisfied_share",
    "csat_answers",
    "ces_average",
    "ces_easy_share",
    "ces_answers",
    "tickets_created_share",
    "tickets_created_previous_period",
    "tickets_created_change",
    "responses_share",
    "responses_previous_period",
    "responses_change",
    "nps_detractor_share",
)


def report_csv(
    report: Report,
    week_name: Callable[[Any], str],
    language_name: Callable[[str], str],
    channel_name: Callable[[str], str],
    agents: list[TeamFigures] | None = None,
) -> str:
    """The report's tables as CSV text; the callables word a week, a language, a channel.
    `agents`: the agents' rows the viewer may see (all of them when not given)."""
    out = CsvChunks()
    out.row(COLUMNS)
    rows = [("teams", team) for team in [*report.teams, report.total]]
    rows += [("agents", agent) for agent in (report.agents if agents is None else agents)]
    for section, team in rows:
        median = team.median_first_reply
        out.row(
            _line(
                section,
                team.key,
                team.name,
                tickets_created=team.created,
                tickets_resolved=team.resolved,
                first_reply_met=team.first_reply.met,
                first_reply_missed=team.first_reply.missed,
                median_first_reply_seconds=round(median.total_seconds()) if median else None,
                resolution_met=team.resolution.met,
                resolution_missed=team.resolution.missed,
                **_scores({kind: team.score(kind) for kind in ("nps", "csat", "ces")}),
            )
        )
    for week in report.weeks:
        out.row(
            _line(
                "weeks",
                week.start.isoformat(),
                week_name(week),
                tickets_created=week.tickets_created,
                tickets_resolved=week.tickets_resolved,
                **_feedback(week),
            )
        )
    for section, segments, name in (
        ("languages", report.languages, language_name),
        ("channels", report.channels, channel_name),
    ):
        for segment in segments:
            out.row(_line(section, segment.code, name(segment.code), **_feedback(segment)))
    for label in report.labels:
        out.row(
            _line(
                "labels",
                label.name,
                label.name,
                tickets_created=label.tickets,
                tickets_created_share=round(label.share, 4),
                tickets_created_previous_period=label.previous,
                tickets_created_change=label.change,
            )
        )
    for theme in report.themes.themes:
        detractors = theme.detractor_share
        out.row(
            _line(
                "themes",
                " ".join(theme.words),
                theme.text,
                responses=theme.responses,
                responses_share=round(theme.share, 4),
                responses_previous_period=theme.previous,
                responses_change=theme.change,
                nps_detractor_share=round(detractors, 4) if detractors is not None else None,
                **_scores(theme.scores),
            )
        )
    return out.take()


def _line(section: str, key: str, name: str, **figures: Any) -> list[Any]:
    figures.update(section=section, key=key, name=name)
    return [figures.get(column) for column in COLUMNS]


def _feedback(feedback: Feedback) -> dict[str, Any]:
    return {"responses": feedback.responses, **_scores(feedback.scores)}


def _scores(scores: dict[str, ScoreSummary | None]) -> dict[str, Any]:
    """The NPS, CSAT and CES columns; empty without answers."""
    figures: dict[str, Any] = {}
    nps = scores.get("nps")
    if nps is not None and nps.count:
        figures.update(nps=nps.nps, nps_answers=nps.count)
    for kind, best in (("csat", "satisfied"), ("ces", "easy")):
        summary = scores.get(kind)
        if summary is not None and summary.count:
            figures[f"{kind}_average"] = round(summary.average, 4)
            figures[f"{kind}_{best}_share"] = round(summary.best_share, 4)
            figures[f"{kind}_answers"] = summary.count
    return figures
