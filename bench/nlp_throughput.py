"""Extraction throughput: newsignal's whole NLP step against a bare ``nlp.pipe``.

Both runs use the same model, the same components and the same texts (the demo
corpus's articles, repeated to --articles); the bare run only materialises the
Docs, which is the physical limit of the chosen model. The goal is a ratio of
at least 0.85. Peak memory is read from the process (ru_maxrss) after each run.

    .venv/bin/python bench/nlp_throughput.py [--articles 2000] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def texts(n: int) -> list[tuple[str, date | None]]:
    gold = [json.loads(line) for line in (REPO / "flows/demo/corpus/gold.jsonl").read_text().splitlines()]
    base = [(g["text"], date.fromisoformat(g["published"])) for g in gold]
    return [base[i % len(base)] for i in range(n)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    from extractors.nlp import annotate, load_pipeline

    t0 = time.monotonic()
    nlp = load_pipeline(REPO / "config")
    load_s = time.monotonic() - t0
    items = texts(args.articles)
    words = sum(len(t.split()) for t, _ in items)
    print(f"{args.articles} articles, {words:,} words; pipeline {nlp.pipe_names}; load {load_s:.1f}s; "
          f"batch {args.batch_size}")

    # Warm-up so neither run pays first-call costs.
    list(annotate(nlp, items[:8], batch_size=args.batch_size))

    # CPU time of this (single-threaded) process: other load on a shared 2-core machine skews wall time.
    t0, w0 = time.process_time(), time.monotonic()
    for _doc in nlp.pipe((t for t, _ in items), batch_size=args.batch_size):
        pass
    bare_s, bare_wall = time.process_time() - t0, time.monotonic() - w0
    bare_mb = peak_mb()

    t0, w0 = time.process_time(), time.monotonic()
    events = mentions = 0
    for ann in annotate(nlp, items, batch_size=args.batch_size):
        events += len(ann.events)
        mentions += len(ann.mentions)
    full_s, full_wall = time.process_time() - t0, time.monotonic() - w0
    full_mb = peak_mb()

    print(f"bare nlp.pipe     CPU {bare_s:7.1f}s (wall {bare_wall:.1f}s)  "
          f"{args.articles / bare_s:6.1f} articles/s  {words / bare_s:7.0f} words/s  "
          f"peak RSS {bare_mb:.0f} MB")
    print(f"annotate (whole)  CPU {full_s:7.1f}s (wall {full_wall:.1f}s)  "
          f"{args.articles / full_s:6.1f} articles/s  {words / full_s:7.0f} words/s  "
          f"peak RSS {full_mb:.0f} MB; {events} events, {mentions} mentions")
    print(f"ratio annotate / bare (CPU time) = {bare_s / full_s:.3f} (goal >= 0.85)")


if __name__ == "__main__":
    main()
