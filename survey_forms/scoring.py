"""Scores from answers: NPS, CSAT and CES categories."""

from __future__ import annotations

from typing import Any


def nps_category(score: int) -> str:
    """0–6 detractor, 7–8 passive, 9–10 promoter."""
    if score <= 6:
        return "detractor"
    return "passive" if score <= 8 else "promoter"


def csat_category(score: int) -> str:
    """1–2 unsatisfied, 3 neutral, 4–5 satisfied."""
    if score <= 2:
        return "unsatisfied"
    return "neutral" if score == 3 else "satisfied"


def ces_category(score: int) -> str:
    """1–3 difficult, 4 neutral, 5–7 easy (7 = very easy)."""
    if score <= 3:
        return "difficult"
    return "neutral" if score == 4 else "easy"


def category_for(question_type: str, value) -> str | None:
    """The category of a scored answer, or None for unscored types."""
    if question_type == "nps":
        return nps_category(int(value))
    if question_type == "csat":
        return csat_category(int(value))
    if question_type == "ces":
        return ces_category(int(value))
    if question_type == "rating":
        return csat_category(int(value))
    if question_type == "goal":
        return "completed" if value == "yes" else "not_completed"
    return None


# The categories `score.category` takes for each scored type, in scale order, with the
# answers that fall in each (the builder offers them as groups; insights use the same cut).
CATEGORY_ANSWERS: dict[str, dict[str, tuple]] = {
    "nps": {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)},
    "csat": {"unsatisfied": (1, 2), "neutral": (3, 3), "satisfied": (4, 5)},
    "rating": {"unsatisfied": (1, 2), "neutral": (3, 3), "satisfied": (4, 5)},
    "ces": {"difficult": (1, 3), "neutral": (4, 4), "easy": (5, 7)},
    "goal": {"completed": ("yes",), "not_completed": ("no",)},
}
SCORED_TYPES = tuple(CATEGORY_ANSWERS)


def on_scale(question_type: str, value: Any) -> int | str | None:
    """A stored answer as its scale has it (an int, or "yes"/"no"); None when it is not on it.

    Answers saved through a form always are; rows imported or edited by hand may hold
    anything, and a score read from them must not break a page or count wrongly.
    """
    bands = list(CATEGORY_ANSWERS[question_type].values())
    if question_type == "goal":
        return value if value in bands[0] + bands[1] else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not number.is_integer() or not bands[0][0] <= number <= bands[-1][-1]:
        return None
    return int(number)


def score_answer(value: Any) -> int | str | None:
    """An answer as any scored question could read it: 0–10, "yes"/"no", or None.

    Every scale lies within 0–10, so `on_scale(t, score_answer(v)) == on_scale(t, v)` for
    each scored type `t`: what the database keeps of an answer scores exactly as the answer.
    """
    number = on_scale("nps", value)
    return number if number is not None else on_scale("goal", value)


def score_changes(before: Any, after: Any) -> dict[str, int | str | None]:
    """The questions whose `score_answer` differs between two answer sets, with the new one.

    Anything but a mapping (a row imported by hand) counts as no answers.
    """
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    changes = {}
    for question_id in before.keys() | after.keys():
        new = score_answer(after.get(question_id))
        if new != score_answer(before.get(question_id)):
            changes[str(question_id)] = new
    return changes
