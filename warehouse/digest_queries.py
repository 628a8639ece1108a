"""Read-only queries behind the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb



def latest_published_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    row = con.execute("SELECT max(published_at) FROM articles").fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class ArticleLink:
    source: str
    title: str
    url: str
    published_at: datetime | None


def articles_between(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> list[ArticleLink]:
    rows = con.execute(
        """
        SELECT source, coalesce(title, url), url, published_at FROM articles
        WHERE coalesce(published_at, first_seen_at) >= ? AND coalesce(published_at, first_seen_at) < ?
        ORDER BY source, published_at, url
        """,
        [start, end],
    ).fetchall()
    return [ArticleLink(*r) for r in rows]
