"""Median timing shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

RUNS = 5


def median_s(fn: Callable, make: Callable[[], tuple] = tuple, runs: int = RUNS) -> tuple[float, object]:
    """Median seconds of ``runs`` calls ``fn(*make())`` after one warm-up (``make`` untimed), and the last result."""
    times, result = [], fn(*make())
    for _ in range(runs):
        args = make()
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
