"""The configured feeds and their polling state: registration, state before a poll, health."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.bulk import insert_rows
from warehouse.db import transaction
from warehouse.keys import utcnow
from warehouse.records import FeedSpec, FeedState


def register_feeds(con: duckdb.DuckDBPyConnection, feeds: Sequence[FeedSpec]) -> None:
    """Add configured feeds, or update their name/tags/owner; polling state is kept."""
    now = utcnow()
    with transaction(con):
        insert_rows(
            con,
            "feeds",
            [("url", "VARCHAR"), ("name", "VARCHAR"), ("tags", "VARCHAR[]"), ("owner", "VARCHAR"),
             ("added_at", "TIMESTAMP")],
            [(f.url, f.name, list(f.tags), f.owner, now) for f in feeds],
            on_conflict="ON CONFLICT (url) DO UPDATE SET name = excluded.name, tags = excluded.tags, "
            "owner = excluded.owner",
        )


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    rows = con.execute(
        "SELECT url, etag, last_modified, consecutive_failures, next_poll_at FROM feeds"
    ).fetchall()
    return {r[0]: FeedState(url=r[0], etag=r[1], last_modified=r[2], consecutive_failures=r[3],
                            next_poll_at=r[4])
            for r in rows}


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
    entries_skipped: int = 0  # entries listed that gave no article
    skipped_reasons: str | None = None  # why, most frequent first: "not_found 2, no_text 1"
    short_articles: int = 0  # of ``articles``, those stored as short briefs


# One row per feed, failing feeds first, then by name; ``{src}`` is the schema prefix ("" here, "src."
# where the dashboard copies it from an attached file). Filled in by feed_health_sql.
FEED_HEALTH_SQL = """
    SELECT f.name, f.url, f.last_polled_at, f.last_status,
           (SELECT count(*) FROM {src}entries e WHERE e.feed_url = f.url) AS entries_seen,
           (SELECT count(*) FROM {src}articles a WHERE a.feed_url = f.url) AS articles,
           f.consecutive_failures,
           CASE WHEN f.last_error IS NULL THEN NULL
                ELSE coalesce(f.last_error_kind || ': ', '') || f.last_error END AS last_error,
           f.next_poll_at,
           CASE WHEN f.consecutive_failures > 0 THEN coalesce(f.last_success_at, f.added_at) END
               AS failing_since,
           f.last_warning,
           (SELECT count(*) FROM {src}entries e WHERE e.feed_url = f.url AND e.status = 'failed')
               AS entries_skipped,
           (SELECT string_agg(reason || ' ' || n, ', ' ORDER BY n DESC, reason)
            FROM (SELECT e.failure_reason AS reason, count(*) AS n FROM {src}entries e
                  WHERE e.feed_url = f.url AND e.status = 'failed' GROUP BY e.failure_reason))
               AS skipped_reasons,
           (SELECT count(*) FROM {src}articles a WHERE a.feed_url = f.url AND {short}) AS short_articles
    FROM {src}feeds f
    ORDER BY f.consecutive_failures > 0 DESC, f.consecutive_failures DESC, f.name
"""


def feed_health_sql(con: duckdb.DuckDBPyConnection, src: str = "") -> str:
    """The feed-health query over the database ``src`` names ("" for ``con``'s own, "src." for one
    attached as src). A file not yet migrated to 7 (read-only readers do not migrate) has no briefs."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = coalesce($1, current_database()) "
        "AND table_name = 'articles' AND column_name = 'short'", [src.rstrip(".") or None],
    ).fetchone()
    return FEED_HEALTH_SQL.format(src=src, short="a.short" if row and row[0] else "false")


def feed_health(con: duckdb.DuckDBPyConnection) -> list[FeedHealth]:
    """One row per feed, failing feeds first, then by name."""
    rows = con.execute(feed_health_sql(con)).fetchall()
    return [FeedHealth(*r) for r in rows]


def failing_feeds(con: duckdb.DuckDBPyConnection, *, since: datetime) -> list[FeedHealth]:
    """Feeds failing now that have not succeeded since ``since``."""
    return [h for h in feed_health(con) if h.failing_since is not None and h.failing_since < since]
