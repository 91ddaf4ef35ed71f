"""A fixed pure-Python workload, printed beside each bench's figures.

The 2-core machines these benches run on are shared: the same loop takes from 0.9 to
1.3 s from one minute to the next. Milliseconds from two runs compare only when this
reference does too.
"""

from __future__ import annotations

import time


def reference_loop_ms(rounds: int = 3) -> float:
    """Best of `rounds` runs of one million multiply-modulo-add steps, in milliseconds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, time.perf_counter() - started)
    return best * 1000


def describe_machine() -> str:
    return f"machine speed: reference loop {reference_loop_ms():.0f} ms (lower is faster)"
