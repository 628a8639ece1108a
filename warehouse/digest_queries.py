"""Read-only queries behind the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from extractors.signals import SignalEvent


def latest_published_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    row = con.execute("SELECT max(published_at) FROM articles").fetchone()
    return row[0] if row else None


def signal_member_events(
    con: duckdb.DuckDBPyConnection, active_from: datetime, until: datetime
) -> list[tuple[str, SignalEvent]]:
    """(signal_id, event) for every event, seen before ``until``, of each signal that had an
    event seen in [active_from, until). Earlier members are included so that a signal's
    history (new or not, denied before or not) can be told."""
    from warehouse.stories import _EVENT_COLUMNS, _EVENT_JOINS, _signal_event

    rows = con.execute(
        f"""
        WITH active AS (
            SELECT DISTINCT se.signal_id
            FROM signal_events se JOIN events e USING (event_id) JOIN articles a USING (article_id)
            WHERE coalesce(a.published_at, a.first_seen_at) >= $1 AND coalesce(a.published_at, a.first_seen_at) < $2
        )
        SELECT se.signal_id, {_EVENT_COLUMNS}
        {_EVENT_JOINS}
        JOIN signal_events se ON se.event_id = e.event_id
        WHERE se.signal_id IN (SELECT signal_id FROM active)
          AND coalesce(a.published_at, a.first_seen_at) < $2
        ORDER BY se.signal_id, coalesce(a.published_at, a.first_seen_at), e.event_id
        """,
        [active_from, until],
    ).fetchall()
    return [(r[0], _signal_event(r[1:])) for r in rows]


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
