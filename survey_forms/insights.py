"""What a form's answers add up to: the score summary a team reads before the details.

Pure Python over answer mappings, so it is the same for the dashboard, exports and tests.
A form is summarised by its first scored question, as `conversation.score_of` scores a
response: NPS as the usual score (% promoters − % detractors), CSAT, rating and CES as
an average with the share of the best category, goal completion as the share of "yes".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from survey_forms.definition import FormDefinition, Question
from survey_forms.scoring import CATEGORY_ANSWERS, category_for, on_scale

# The category whose share a summary leads with, per scored type.
BEST_CATEGORY = {
    "nps": "promoter",
    "csat": "satisfied",
    "rating": "satisfied",
    "ces": "easy",
    "goal": "completed",
}
SCALE_MAX = {"csat": 5, "rating": 5, "ces": 7}


@dataclass(frozen=True)
class ScoreSummary:
    """How the answers to one scored question fall, in scale order."""

    type: str
    question_id: str
    count: int
    categories: dict[str, int]  # category -> answers, in the order of CATEGORY_ANSWERS
    total: float  # sum of numeric answers (0 for goal questions)

    @property
    def nps(self) -> int | None:
        """The Net Promoter Score, −100 to +100 (None without answers or for other types)."""
        if self.type != "nps" or not self.count:
            return None
        promoters, detractors = self.categories["promoter"], self.categories["detractor"]
        return round(100 * (promoters - detractors) / self.count)

    @property
    def average(self) -> float | None:
        if self.type not in SCALE_MAX or not self.count:
            return None
        return self.total / self.count

    @property
    def scale_max(self) -> int | None:
        return SCALE_MAX.get(self.type)

    @property
    def best_share(self) -> float | None:
        """Share (0–1) of answers in the best category: promoters, satisfied, easy, yes."""
        if not self.count:
            return None
        return self.categories[BEST_CATEGORY[self.type]] / self.count


def scored_question(definition: FormDefinition) -> Question | None:
    """The question a form's score comes from: its first scored one."""
    return next((q for q in definition.questions if q.type in CATEGORY_ANSWERS), None)


def summarise(
    definition: FormDefinition, answer_sets: Iterable[Mapping[str, Any]]
) -> ScoreSummary | None:
    """The score summary of these responses' answers; None for a form with no score.

    Answers that are missing (skipped, not yet given) or not on the scale are left out,
    so a partly edited response never skews the figures.
    """
    question = scored_question(definition)
    if question is None:
        return None
    return tally(question, ((answers.get(question.id), 1) for answers in answer_sets))


def tally(question: Question, counted: Iterable[tuple[Any, int]]) -> ScoreSummary:
    """The summary of answers to `question` given as (answer, how many gave it).

    What the database hands back when it counts the answers itself (GROUP BY); answers
    that are missing or not on the question's scale are left out, as in `summarise`.
    """
    categories = dict.fromkeys(CATEGORY_ANSWERS[question.type], 0)
    count, total = 0, 0.0
    for answer, times in counted:
        value = on_scale(question.type, answer)
        if value is None:
            continue
        categories[category_for(question.type, value)] += times
        count += times
        if question.type != "goal":
            total += value * times
    return ScoreSummary(question.type, question.id, count, categories, total)
