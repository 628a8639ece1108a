"""Twenty feeds with a stalled, a dripping and a 50 MB one, with the shipped timeouts (issue 13's bound).

    .venv/bin/python bench/slow_feeds.py

Prints the wall time of the whole `newsignal ingest` (Prefect's and spaCy's start-up included), whether every
good article was stored from its page, the bad feeds' recorded errors, and how long before the dripping feed
was given up on the last good article was written. The scenario is tests/slow_feeds.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.slow_feeds import GOOD_FEEDS, run_slow_feeds

BOUND_S = 120


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="newsignal-slow-feeds-") as tmp:
        run = run_slow_feeds(Path(tmp))
    if run.returncode != 0:
        print(run.stderr[-3000:])
        return 1
    good = len(run.stored)
    print(f"20 feeds (stalled, dripping, 50 MB): {run.elapsed_s:.1f} s (bound {BOUND_S} s: "
          f"{'within' if run.elapsed_s < BOUND_S else 'OVER'})")
    print(f"good articles stored from their pages: {good}/{GOOD_FEEDS}; bad feeds: {run.errors}")
    print(f"last good article written {run.lead_s:.1f} s before the dripping feed was given up on")
    return 0 if run.elapsed_s < BOUND_S and good == GOOD_FEEDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
