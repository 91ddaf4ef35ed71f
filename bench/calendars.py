"""Time SLA due computations on an office calendar; run: .venv/bin/python bench/calendars.py

Prints microseconds per call over 10,000 random instants in 2026-2027: on a fresh calendar
(empty day cache, holiday sets not yet built), again once caches are warm, and with the
per-calendar day cache emptied before every call (the worst case).
The target is at most 100 µs (0.1 ms) per add_business_time on average.
"""

import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The project root must come before bench/, whose workflow.py would shadow the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workflow import calendars  # noqa: E402
from workflow.calendars import WEEKDAY_NAMES, BusinessCalendar  # noqa: E402
from workflow.durations import parse_duration  # noqa: E402

INSTANT_COUNT = 10_000
TARGET_MICROSECONDS = 100.0
FOUR_HOURS = parse_duration("4h")
THREE_DAYS = parse_duration("3d")


def office_calendar() -> BusinessCalendar:
    """Mon–Fri 09:00–17:00 in Warsaw with Polish public holidays, as in the SLA target."""
    return BusinessCalendar(
        timezone="Europe/Warsaw",
        weekly_hours={day_name: [("09:00", "17:00")] for day_name in WEEKDAY_NAMES[:5]},
        holiday_country="PL",
    )


def random_instants(seed: int) -> list[datetime]:
    """Uniformly random instants over two years, seeded so runs are comparable."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    span_seconds = int(timedelta(days=730).total_seconds())
    return [start + timedelta(seconds=rng.randrange(span_seconds)) for _ in range(INSTANT_COUNT)]


def microseconds_per_call(call: Callable[[datetime], object], instants: list[datetime]) -> float:
    """Average wall time of `call` over all instants."""
    began = time.perf_counter()
    for instant in instants:
        call(instant)
    return (time.perf_counter() - began) / len(instants) * 1e6


def measure(
    calendar: BusinessCalendar, instants: list[datetime], forget_days: bool = False
) -> dict[str, float]:
    """Figures for the three SLA operations; `forget_days` empties the day cache every call."""
    week = timedelta(days=7)

    def prepare() -> None:
        if forget_days:
            calendar._day_cache.clear()  # worst case: every day's intervals computed afresh

    return {
        "add_business_time 4h": microseconds_per_call(
            lambda instant: (prepare(), calendar.add_business_time(instant, FOUR_HOURS)), instants
        ),
        "add_business_time 3d": microseconds_per_call(
            lambda instant: (prepare(), calendar.add_business_time(instant, THREE_DAYS)), instants
        ),
        "business_time_between (7 days)": microseconds_per_call(
            lambda instant: (prepare(), calendar.business_time_between(instant, instant + week)),
            instants,
        ),
    }


def main() -> None:
    instants = random_instants(seed=2026)
    calendars._public_holidays.cache_clear()  # measure holiday sets being built, too
    calendar = office_calendar()
    results = {
        "fresh calendar": measure(calendar, instants),
        "warm caches": measure(calendar, instants),
        "day cache emptied before every call": measure(calendar, instants, forget_days=True),
    }
    print(f"{INSTANT_COUNT:,} random instants, {calendar.describe()}")
    worst_add = 0.0
    for phase, figures in results.items():
        print(f"\n{phase}:")
        for operation, microseconds in figures.items():
            print(f"  {operation:<32} {microseconds:8.1f} µs/call")
            if operation.startswith("add_business_time"):
                worst_add = max(worst_add, microseconds)
    verdict = "met" if worst_add <= TARGET_MICROSECONDS else "NOT met"
    print(f"\ntarget ≤ {TARGET_MICROSECONDS:.0f} µs per add_business_time: {verdict}")
    print(f"(slowest average {worst_add:.1f} µs)")


if __name__ == "__main__":
    main()
