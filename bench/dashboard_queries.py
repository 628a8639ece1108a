"""Latency of the dashboard's queries on a warehouse of one million events (prints figures; not a test).

    .venv/bin/python bench/dashboard_queries.py [--events 1000000] [--runs 9] [--keep DIR]

Builds the database with ``INSERT … SELECT … FROM range(n)`` (about a minute), with
plausible shapes: ~5 events per article, 40 outlets, two years of dates, Zipf-like
actor popularity (a few labs in most events), 80/15/5 asserted/alleged/denied, a
second evidence sentence for a third of events. Then it reports the median of
``--runs`` runs of each dashboard query on the dashboard's in-memory model (and the
time to build that model, paid once after each change of the file, split into how long
the file is held open read-only and how long the in-memory shaping takes), whole
dashboard requests, ``newsignal timeline --entity X --since D``'s query on the file, and
``publish_snapshot``.

Queries with an entity are timed twice, back to back on the same model: from the
per-actor summaries (what the dashboard runs) and directly on ``ea`` (``summaries=False``,
the reference they are tested against), with the ratio, so one noisy run still compares.
Goal: every dashboard query under 100 ms median on a 2-core machine.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from extractors.gazetteer import entity_names_for as names_in_gazetteer
from flows.dashboard import pages
from flows.settings import config_dir
from warehouse.dashboard import (
    DashboardModel,
    counts_by_day_and_type,
    entity_briefing,
    events_page,
    filter_options,
)
from warehouse.db import connect
from warehouse.snapshot import publish_snapshot
from warehouse.timeline import TimelineFilter, timeline_rows
from warehouse.writer import writer

EVENT_TYPES = ["model_launch", "partnership", "funding_investment", "pricing", "regulation", "legal_action",
               "export_control", "security_incident", "access_restriction", "distillation_claim"]
# Relative frequency of each type above (launches and deals are common, distillation claims rare).
TYPE_WEIGHTS = [30, 18, 15, 10, 8, 6, 5, 4, 2, 2]
HEAD_ENTITIES = ["OpenAI", "Google", "Anthropic", "Meta", "Microsoft", "Nvidia", "DeepSeek", "Alibaba",
                 "Moonshot AI", "Zhipu AI", "Mistral AI", "Department of Commerce", "European Commission",
                 "Huawei", "xAI"]
N_ENTITIES = 3000
N_SOURCES = 40
DAYS = 730


def entity_names_for(name: str) -> tuple[str, ...]:
    return names_in_gazetteer(name, config_dir())



def build(path: Path, events: int) -> None:
    """Create a migrated warehouse at ``path`` holding ``events`` synthetic events."""
    articles = max(1, events // 5)
    names = HEAD_ENTITIES + [f"Entity {i:04d}" for i in range(N_ENTITIES - len(HEAD_ENTITIES))]
    cumulative = [sum(TYPE_WEIGHTS[: i + 1]) / sum(TYPE_WEIGHTS) for i in range(len(TYPE_WEIGHTS))]
    # A CASE over cumulative weights picks a type from a uniform draw.
    type_case = "CASE " + " ".join(f"WHEN ut < {c:.4f} THEN '{t}'" for c, t in zip(cumulative, EVENT_TYPES,
                                                                              strict=True)) + " END"
    with writer(path) as con:
        con.execute("SELECT setseed(0.42)")
        con.execute("CREATE TEMP TABLE names AS SELECT unnest(?::VARCHAR[]) AS name, "
                    "generate_subscripts(?::VARCHAR[], 1) AS idx", [names, names])
        con.execute(
            f"""
            INSERT INTO articles (article_id, url, title, source, feed_url, published_at, language, text,
                                  from_feed, first_seen_at, extractor_version)
            SELECT 'a' || i, 'https://outlet' || (i % {N_SOURCES}) || '.example/' || i, 'Article ' || i,
                   'Outlet ' || (i % {N_SOURCES}), 'https://outlet' || (i % {N_SOURCES}) || '.example/feed',
                   TIMESTAMP '2024-11-01' + to_days(CAST(i * {DAYS} // {articles} AS INTEGER))
                       + to_minutes(CAST(random() * 1440 AS INTEGER)),
                   'en', 'Body of article ' || i, false, TIMESTAMP '2026-11-01', 'bench'
            FROM range({articles}) t(i)
            """
        )
        # Each actor is a Zipf-ish draw (pow(u, 3)) over the entity list, head entities first.
        draw = f"1 + CAST(pow(random(), 3) * {N_ENTITIES} AS INTEGER) % {N_ENTITIES}"
        con.execute(
            f"""
            INSERT INTO events (event_id, article_id, event_type, stance, actors, event_date, evidence,
                                evidence_start, evidence_end, confidence, extractor_version, created_at)
            SELECT 'e' || i, 'a' || (i % {articles}), {type_case},
                   CASE WHEN us < 0.80 THEN 'asserted' WHEN us < 0.95 THEN 'alleged' ELSE 'denied' END,
                   list_distinct([n1, n2, n3][1:1 + CAST(ua * 3 AS INTEGER) % 3]),
                   CAST(TIMESTAMP '2024-11-01'
                        + to_days(CAST((i % {articles}) * {DAYS} // {articles} AS INTEGER))
                        AS DATE) - CAST(ud * 3 AS INTEGER),
                   'Evidence sentence for event ' || i || '.', 0, 40, 0.5 + ua / 2, 'bench',
                   TIMESTAMP '2026-11-01'
            FROM (
                SELECT r.*, h1.name AS n1, h2.name AS n2, h3.name AS n3
                FROM (SELECT i, random() AS ut, random() AS us, random() AS ua, random() AS ud,
                             {draw} AS k1, {draw} AS k2, {draw} AS k3
                      FROM range({events}) t(i)) r
                JOIN names h1 ON h1.idx = r.k1
                JOIN names h2 ON h2.idx = r.k2
                JOIN names h3 ON h3.idx = r.k3
            )
            """
        )
        con.execute(
            """
            INSERT INTO event_evidence
            SELECT event_id, 0, evidence, evidence_start, evidence_end FROM events
            UNION ALL
            SELECT event_id, 1, 'A second sentence.', 41, 59 FROM events WHERE hash(event_id) % 3 = 0
            """
        )
        con.execute(
            """
            INSERT INTO entities
            SELECT CASE WHEN idx % 7 = 0 THEN 'MODEL' WHEN idx % 11 = 0 THEN 'PERSON' ELSE 'ORG' END, name,
                   idx <= 15, TIMESTAMP '2024-11-01'
            FROM names
            """
        )
        con.execute(
            """
            INSERT INTO mentions
            SELECT DISTINCT x.article_id, n.label, x.actor, x.actor, 0, 10, n.known
            FROM (SELECT article_id, unnest(actors) AS actor FROM events) x
            JOIN entities n ON n.name = x.actor
            """
        )
        con.execute("CHECKPOINT")


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm the OS page cache and DuckDB's buffer pool, as a running dashboard would be
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="Build (or reuse) the database in this directory.")
    args = parser.parse_args()

    where = args.keep or Path(tempfile.mkdtemp(prefix="newsignal-bench-"))
    where.mkdir(parents=True, exist_ok=True)
    db = where / "bench.duckdb"
    if not db.exists():
        start = time.perf_counter()
        build(db, args.events)
        print(f"built {db} in {time.perf_counter() - start:.1f} s")
    con = connect(db, read_only=True)
    sizes = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
             for t in ("articles", "events", "event_evidence", "mentions", "entities")}
    print("rows:", ", ".join(f"{t} {n:,}" for t, n in sizes.items()),
          f"; file {db.stat().st_size / 1e6:.0f} MB")

    top = con.execute("SELECT max(event_date) FROM events").fetchall()[0][0]
    since = date(top.year, top.month, 1)
    openai = entity_names_for("OpenAI")
    rare = ("entity 2500",)
    filters = {
        "none": TimelineFilter(),
        "entity=OpenAI": TimelineFilter(entity_names=openai),
        "entity=rare": TimelineFilter(entity_names=rare),
        "type+stance+90 days": TimelineFilter(event_type="distillation_claim", stance="alleged",
                                              since=date.fromordinal(top.toordinal() - 90)),
        "outlet": TimelineFilter(source="Outlet 7"),
    }
    file_cases = [
        (f"timeline --entity OpenAI --since {since}",
         lambda: timeline_rows(con, TimelineFilter(entity_names=openai, since=since, limit=100))),
        (f"timeline --entity OpenAI --since {since} --limit 0",
         lambda: timeline_rows(con, TimelineFilter(entity_names=openai, since=since))),
        ("timeline --entity 'Entity 2500'",
         lambda: timeline_rows(con, TimelineFilter(entity_names=rare, limit=100))),
    ]
    print(f"\nmedian of {args.runs} runs, on the file (read-only connection):")
    for name, fn in file_cases:
        print(f"  {median_ms(fn, args.runs):8.1f} ms  {name}")
    con.close()

    model = DashboardModel(db)
    start = time.perf_counter()
    mcon = model.cursor()
    t = model.timings
    print(f"\ndashboard model built in {(time.perf_counter() - start) * 1000:.0f} ms "
          f"(once per change of the file): file held read-only {t['hold_s'] * 1000:.0f} ms "
          f"(ATTACH to DETACH), lock wait {t['wait_s'] * 1000:.0f} ms, "
          f"shaping in memory {t['shape_s'] * 1000:.0f} ms")
    filters["entity=OpenAI+type+stance+90 days"] = replace(filters["type+stance+90 days"],
                                                           entity_names=openai)
    cases: list[tuple[str, Callable[..., Any], bool]] = [
        ("filter_options", lambda **_: filter_options(mcon), False)
    ]
    for label, f in filters.items():
        cases.append((f"counts_by_day_and_type [{label}]",
                      lambda f=f, **kw: counts_by_day_and_type(mcon, f, **kw), bool(f.entity_names)))
        cases.append((f"events_page 100 [{label}]",
                      lambda f=f, **kw: events_page(mcon, f, limit=100, **kw), bool(f.entity_names)))
    cases.append(("entity_briefing [OpenAI]", lambda **kw: entity_briefing(mcon, openai, **kw), True))
    cases.append(("entity_briefing [rare]", lambda **kw: entity_briefing(mcon, rare, **kw), True))
    print(f"median of {args.runs} runs, dashboard queries on the model "
          "(direct: summaries=False, the reference):")
    print(f"  {'ms':>8}        {'direct':>8}  {'ratio':>6}")
    for name, fn, entity in cases:
        ms = median_ms(fn, args.runs)
        if entity:
            direct = median_ms(functools.partial(fn, summaries=False), args.runs)
            versus = f"{direct:8.1f}  {direct / ms:5.1f}x"
        else:
            versus = f"{'':8}  {'':6}"
        print(f"  {ms:8.1f} {'OK ' if ms < 100 else 'SLOW'}  {versus}  {name}")
    mcon.close()

    cfg = None
    requests = [("GET /", lambda: pages.overview_page(model, pages.Filters(), cfg)),
                ("GET /?entity=OpenAI",
                 lambda: pages.overview_page(model, pages.Filters(entity="OpenAI"), cfg)),
                ("GET /entity?name=OpenAI", lambda: pages.entity_page(model, "OpenAI", cfg))]
    summarised = {q.__name__: q for q in (counts_by_day_and_type, events_page, entity_briefing)}
    print("\nwhole requests, rendering included "
          "(model already built; direct: pages patched to summaries=False):")
    for name, render in requests:
        ms = median_ms(render, args.runs)
        for attr, query in summarised.items():
            setattr(pages, attr, functools.partial(query, summaries=False))
        try:
            direct = median_ms(render, args.runs)
        finally:
            for attr, query in summarised.items():
                setattr(pages, attr, query)
        print(f"  {ms:8.1f} ms  {direct:8.1f} ms direct  {direct / ms:5.1f}x  {name}")
    model.close()

    con = connect(db, read_only=True)
    start = time.perf_counter()
    out = publish_snapshot(con, db)
    con.close()
    print(f"\npublish_snapshot: {(time.perf_counter() - start) * 1000:.0f} ms -> {out} "
          f"({sum(p.stat().st_size for p in out.iterdir()) / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
