"""``newsignal demo``: the whole path on the bundled corpus, served on loopback."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

from flows.demo.server import DEMO_PORT, corpus_dir, serve_directory


def write_feeds_file(template: Path, base: str, out: Path) -> Path:
    """The corpus's feeds.toml with the placeholder replaced by the live server address."""
    out.write_text(template.read_text(encoding="utf-8").replace("__BASE__", base), encoding="utf-8")
    return out


def latest_day(db_path: Path, timezone: str) -> date | None:
    from warehouse.db import connect
    from warehouse.digest import latest_published_at

    con = connect(db_path, read_only=True)
    try:
        latest = latest_published_at(con)
    finally:
        con.close()
    if latest is None:
        return None
    return latest.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(timezone)).date()


class DemoSummary(TypedDict):
    counts: dict[str, int]
    by_type: list[tuple[str, str, int]]


def demo_summary(db_path: Path) -> DemoSummary:
    from warehouse.db import connect, table_counts
    from warehouse.timeline import events_by_type_and_stance

    con = connect(db_path, read_only=True)
    try:
        counts = table_counts(con, ["feeds", "entries", "articles", "entities", "mentions", "events",
                                    "stories", "signal_state"])
        by_type = events_by_type_and_stance(con)
    finally:
        con.close()
    return {"counts": counts, "by_type": by_type}


def stale_articles(db_path: Path, config_dir: Path) -> int:
    """How many stored articles were annotated under rules other than the configured ones."""
    from extractors.taxonomy import load_event_rules
    from warehouse.annotations import count_stale_articles
    from warehouse.db import connect

    version = load_event_rules(config_dir).extractor_version
    con = connect(db_path, read_only=True)
    try:
        return count_stale_articles(con, version)
    finally:
        con.close()


def run_demo(out_dir: Path) -> str:
    """Serve, ingest, digest; returns the summary to print."""
    from flows.daily_digest import digest_flow
    from flows.ingest import ingest_flow
    from flows.reprocess import reprocess
    from flows.settings import load_settings

    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "newsignal.duckdb"
    settings = load_settings()
    started = time.monotonic()
    with serve_directory(corpus_dir() / "site", port=DEMO_PORT) as base:
        feeds_file = write_feeds_file(corpus_dir() / "feeds.toml", base, out_dir / "demo-feeds.toml")
        # The demo polls its own corpus: every feed, whenever it last ran.
        report = ingest_flow(str(feeds_file), str(db_path), due_only=False)
    # A demo directory kept from an earlier version: its unchanged feeds bring nothing new, so the articles
    # stored under older rules are annotated again, as `newsignal reprocess` would.
    stale = stale_articles(db_path, settings.config_dir)
    again = reprocess(db_path, settings).articles if stale else 0
    day = latest_day(db_path, settings.digest.timezone)
    paths = digest_flow(str(db_path), day, str(out_dir))["files"] if day else []
    summary = demo_summary(db_path)
    counts = summary["counts"]
    lines = [
        f"newsignal demo: {time.monotonic() - started:.1f}s",
        (f"  feeds        {counts['feeds']} polled "
         f"({report.not_modified} not modified, {report.failed} failed)"),
        f"  articles     {counts['articles']} stored ({report.new_articles} new this run)",
        *([f"  reprocessed  {again} articles ({stale} had been stored under older extraction rules)"]
          if stale else []),
        f"  entities     {counts['entities']} distinct, {counts['mentions']} mentions",
        f"  stories      {counts['stories']} (near-duplicates across outlets grouped)",
        (f"  events       {counts['events']} ({report.new_events} new this run) "
         f"in {counts['signal_state']} signals"),
    ]
    by_type: dict[str, list[str]] = {}
    for etype, stance, n in summary["by_type"]:
        by_type.setdefault(etype, []).append(f"{n} {stance}")
    lines += [f"    {etype:<20} {', '.join(parts)}" for etype, parts in by_type.items()]
    lines.append(f"  database     {db_path}")
    if paths:
        lines.append(f"  digest       {paths[0]}")
        lines += [f"               {p}" for p in paths[1:]]
    else:
        lines.append("  digest       none (no articles were stored)")
    return "\n".join(lines)
