"""Read-only queries behind the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb


@dataclass(frozen=True)
class EventRow:
    event_id: str
    event_date: date
    event_type: str
    stance: str
    actors: tuple[str, ...]
    evidence: str
    confidence: float
    article_title: str
    article_url: str
    source: str
    owner: str | None
    published_at: datetime | None


def events_published_between(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> list[EventRow]:
    """Events read from articles published in [start, end) (naive UTC bounds), oldest first."""
    rows = con.execute(
        """
        SELECT e.event_id, e.event_date, e.event_type, e.stance, e.actors, e.evidence, e.confidence,
               a.title, a.url, a.source, f.owner, a.published_at
        FROM events e
        JOIN articles a USING (article_id)
        LEFT JOIN feeds f ON f.url = a.feed_url
        WHERE coalesce(a.published_at, a.first_seen_at) >= ? AND coalesce(a.published_at, a.first_seen_at) < ?
        ORDER BY a.published_at, e.event_id
        """,
        [start, end],
    ).fetchall()
    return [EventRow(r[0], r[1], r[2], r[3], tuple(r[4]), r[5], r[6], r[7] or "", r[8], r[9], r[10], r[11])
            for r in rows]


@dataclass(frozen=True)
class EntityCount:
    label: str
    name: str
    articles: int


def entities_between(
    con: duckdb.DuckDBPyConnection, start: datetime, end: datetime, *, limit: int = 10
) -> list[EntityCount]:
    """Entities by the number of articles published in [start, end) that mention them."""
    rows = con.execute(
        """
        SELECT m.label, m.name, count(DISTINCT m.article_id) AS n
        FROM mentions m JOIN articles a USING (article_id)
        WHERE coalesce(a.published_at, a.first_seen_at) >= ? AND coalesce(a.published_at, a.first_seen_at) < ?
          AND m.label IN ('ORG', 'PERSON', 'GPE', 'MODEL')
        GROUP BY 1, 2
        ORDER BY n DESC, m.name
        LIMIT ?
        """,
        [start, end, limit],
    ).fetchall()
    return [EntityCount(*r) for r in rows]


@dataclass(frozen=True)
class SourceCount:
    source: str
    articles: int


def sources_between(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> list[SourceCount]:
    rows = con.execute(
        """
        SELECT source, count(*) FROM articles
        WHERE coalesce(published_at, first_seen_at) >= ? AND coalesce(published_at, first_seen_at) < ?
        GROUP BY 1 ORDER BY 2 DESC, 1
        """,
        [start, end],
    ).fetchall()
    return [SourceCount(*r) for r in rows]


def latest_published_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    row = con.execute("SELECT max(published_at) FROM articles").fetchone()
    return row[0] if row else None
