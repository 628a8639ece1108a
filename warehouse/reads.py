"""Reads the ingest flow needs before it fetches, and the feed-health listing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.records import FeedState

# Failures worth another try on the next poll; permanent ones (404, no text) are not refetched.
RETRYABLE_ENTRY_REASONS = ("transient", "timeout", "server_error", "rate_limited", "connection")


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    rows = con.execute(
        "SELECT url, etag, last_modified, consecutive_failures, next_poll_at FROM feeds"
    ).fetchall()
    return {r[0]: FeedState(url=r[0], etag=r[1], last_modified=r[2], consecutive_failures=r[3], next_poll_at=r[4])
            for r in rows}


def settled_entry_keys(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(feed_url, entry_key) pairs that need no more work: stored, or failed for good."""
    rows = con.execute(
        "SELECT feed_url, entry_key FROM entries WHERE status <> 'failed' OR failure_reason NOT IN "
        "(SELECT UNNEST($1::VARCHAR[]))",
        [list(RETRYABLE_ENTRY_REASONS)],
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def known_article_urls(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every URL an already-stored article is known by (canonical and fetched) -> its canonical URL."""
    known: dict[str, str] = {}
    for url, fetched in con.execute("SELECT url, fetched_url FROM articles").fetchall():
        known[url] = url
        if fetched:
            known.setdefault(fetched, url)
    return known


@dataclass(frozen=True)
class FeedHealth:
    name: str
    url: str
    last_polled_at: datetime | None
    last_status: int | None
    entries_seen: int
    articles: int
    consecutive_failures: int
    last_error: str | None
    next_poll_at: datetime | None
    failing_since: datetime | None  # last success, or first added when it never succeeded
    last_warning: str | None = None  # e.g. a feed parsed despite being malformed


def feed_health(con: duckdb.DuckDBPyConnection) -> list[FeedHealth]:
    """One row per feed, failing feeds first, then by name."""
    rows = con.execute(
        """
        SELECT f.name, f.url, f.last_polled_at, f.last_status,
               (SELECT count(*) FROM entries e WHERE e.feed_url = f.url) AS entries_seen,
               (SELECT count(*) FROM articles a WHERE a.feed_url = f.url) AS articles,
               f.consecutive_failures,
               CASE WHEN f.last_error IS NULL THEN NULL
                    ELSE coalesce(f.last_error_kind || ': ', '') || f.last_error END,
               f.next_poll_at,
               CASE WHEN f.consecutive_failures > 0 THEN coalesce(f.last_success_at, f.added_at) END,
               f.last_warning
        FROM feeds f
        ORDER BY f.consecutive_failures > 0 DESC, f.consecutive_failures DESC, f.name
        """
    ).fetchall()
    return [FeedHealth(*r) for r in rows]


def failing_feeds(con: duckdb.DuckDBPyConnection, *, since: datetime) -> list[FeedHealth]:
    """Feeds failing now that have not succeeded since ``since``."""
    return [h for h in feed_health(con) if h.failing_since is not None and h.failing_since < since]


def table_counts(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, int]:
    out = {}
    for t in tables:
        row = con.execute(f"SELECT count(*) FROM {t}").fetchone()  # names are code constants
        out[t] = int(row[0]) if row else 0
    return out
