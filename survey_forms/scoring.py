"""Scores from answers: NPS, CSAT and CES categories."""

from __future__ import annotations


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
