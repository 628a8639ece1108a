"""How long each stage of a run was busy: the time during which at least one of its tasks was running.

Stages overlap (feeds are fetched while others are in NLP), so the stage times of a run add up to more than
its wall time; a stage's busy time never exceeds it. Pure bookkeeping, safe to call from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable


def busy_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    """The length of the union of ``(start, end)`` intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


class StageClock:
    """Intervals per stage, in the order stages were first seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._intervals: dict[str, list[tuple[float, float]]] = {}

    def add(self, stage: str, start: float, end: float | None = None) -> None:
        """Record that ``stage`` ran from ``start`` (a ``time.monotonic()``) to ``end`` (default: now)."""
        stop = time.monotonic() if end is None else end
        with self._lock:
            self._intervals.setdefault(stage, []).append((start, stop))

    def busy(self) -> dict[str, float]:
        with self._lock:
            return {stage: busy_seconds(spans) for stage, spans in self._intervals.items()}
