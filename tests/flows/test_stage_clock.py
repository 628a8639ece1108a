"""Busy time per stage: the union of its tasks' intervals, however they overlap."""

from __future__ import annotations

from flows.stage_clock import StageClock, busy_seconds


def test_overlapping_intervals_count_once_and_gaps_not_at_all():
    assert busy_seconds([]) == 0.0
    assert busy_seconds([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (5.5, 5.7)]) == 4.0
    assert busy_seconds([(4.0, 5.0), (0.0, 1.0)]) == 2.0


def test_stages_keep_the_order_they_were_first_seen_in():
    clock = StageClock()
    clock.add("poll", 0.0, 1.0)
    clock.add("nlp", 0.5, 2.5)
    clock.add("poll", 0.5, 1.5)
    assert clock.busy() == {"poll": 1.5, "nlp": 2.0}
