"""Read-only queries behind ``newsignal dashboard``: counts per type per day, the event table,
filter choices and the per-entity briefing.

All take a ``TimelineFilter`` (bound parameters only) and read the public ``timeline``
view plus ``event_evidence`` and ``entities``. Each is meant to finish in well under
100 ms on a million events (``bench/dashboard_queries.py`` measures them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from warehouse.analyst_queries import TimelineFilter, timeline_where

RECENT_DAYS = 7  # "what changed recently": the last week of data


@dataclass(frozen=True)
class DayCount:
    day: date
    event_type: str
    events: int


def counts_by_day_and_type(con: duckdb.DuckDBPyConnection, f: TimelineFilter) -> list[DayCount]:
    """Events per (event_date, event_type) matching ``f``, oldest day first."""
    where, params = timeline_where(f)
    rows = con.execute(
        f"SELECT event_date, event_type, count(*) FROM timeline {where} GROUP BY ALL ORDER BY 1, 2", params
    ).fetchall()
    return [DayCount(*r) for r in rows]


@dataclass(frozen=True)
class EventView:
    event_id: str
    event_date: date
    event_type: str
    stance: str
    actors: tuple[str, ...]
    evidence: tuple[str, ...]  # every sentence it was read from, best first
    confidence: float
    article_title: str
    article_url: str
    source: str
    published_at: datetime | None


def events_page(con: duckdb.DuckDBPyConnection, f: TimelineFilter, *, limit: int = 100) -> list[EventView]:
    """The newest ``limit`` events matching ``f``, each with all its evidence sentences."""
    where, params = timeline_where(f, alias="t")
    # Pick the page first, then fetch evidence for those ids only: joining event_evidence
    # before the LIMIT would read every evidence row of a million-event warehouse.
    rows = con.execute(
        f"""
        WITH page AS (
            SELECT t.event_id, t.event_date, t.event_type, t.stance, t.actors, t.evidence, t.article_title,
                   t.article_url, t.source, t.published_at
            FROM timeline t {where}
            ORDER BY t.event_date DESC, t.published_at DESC NULLS LAST, t.event_id
            LIMIT ?
        )
        SELECT p.event_id, p.event_date, p.event_type, p.stance, p.actors,
               coalesce((SELECT list(v.sentence ORDER BY v.ordinal) FROM event_evidence v
                         WHERE v.event_id = p.event_id), [p.evidence]),
               e.confidence, p.article_title, p.article_url, p.source, p.published_at
        FROM page p JOIN events e USING (event_id)
        ORDER BY p.event_date DESC, p.published_at DESC NULLS LAST, p.event_id
        """,
        [*params, limit],
    ).fetchall()
    return [EventView(r[0], r[1], r[2], r[3], tuple(r[4]), tuple(r[5]), r[6], r[7] or "", r[8], r[9], r[10])
            for r in rows]


@dataclass(frozen=True)
class FilterOptions:
    first_day: date | None
    last_day: date | None
    types: list[tuple[str, int]]
    stances: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    entities: list[tuple[str, str, int]]  # (label, name, articles mentioning it), most mentioned first


def filter_options(con: duckdb.DuckDBPyConnection, *, top_entities: int = 200) -> FilterOptions:
    """What the filter controls offer: date bounds, and every type, stance and outlet with counts."""
    first, last = con.execute("SELECT min(event_date), max(event_date) FROM events").fetchone() or (None, None)
    types = con.execute("SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    stances = con.execute("SELECT stance, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    sources = con.execute(
        "SELECT a.source, count(*) FROM events e JOIN articles a USING (article_id) GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    entities = con.execute(
        """
        SELECT label, name, count(DISTINCT article_id) AS articles FROM mentions
        WHERE label IN ('ORG', 'PERSON', 'GPE', 'MODEL')
        GROUP BY ALL ORDER BY articles DESC, name LIMIT ?
        """,
        [top_entities],
    ).fetchall()
    return FilterOptions(first, last, types, stances, sources, entities)


@dataclass(frozen=True)
class EntityBriefing:
    names: tuple[str, ...]  # canonical names found in the warehouse
    labels: tuple[str, ...]
    first_seen_at: datetime | None
    articles_mentioning: int
    events: int
    first_day: date | None
    last_day: date | None
    by_type: list[tuple[str, str, int]]  # (event_type, stance, events)
    co_actors: list[tuple[str, int]]
    sources: list[tuple[str, int, str, str, date]]  # (outlet, events, latest title, latest url, latest day)
    recent: list[EventView]  # events in the last RECENT_DAYS days of data
    recent_since: date | None
    timeline: list[EventView]  # newest first


def entity_briefing(
    con: duckdb.DuckDBPyConnection, names: tuple[str, ...], *, f: TimelineFilter | None = None,
    timeline_limit: int = 200,
) -> EntityBriefing:
    """Everything the entity page shows for the lower-cased canonical ``names`` (one entity, its aliases)."""
    f = replace(f or TimelineFilter(), entity_names=names, limit=None)
    where, params = timeline_where(f)
    known = con.execute(
        """
        SELECT list(DISTINCT name ORDER BY name), list(DISTINCT label ORDER BY label), min(first_seen_at)
        FROM entities WHERE lower(name) IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(names)],
    ).fetchone()
    stored, labels, first_seen = (known or (None, None, None))
    mentioning = con.execute(
        "SELECT count(DISTINCT article_id) FROM mentions WHERE lower(name) IN (SELECT unnest(?::VARCHAR[]))",
        [list(names)],
    ).fetchone()
    summary = con.execute(f"SELECT count(*), min(event_date), max(event_date) FROM timeline {where}", params).fetchone()
    by_type = con.execute(
        f"SELECT event_type, stance, count(*) FROM timeline {where} GROUP BY ALL ORDER BY 3 DESC, 1, 2", params
    ).fetchall()
    co_actors = con.execute(
        f"""
        SELECT actor, count(*) AS n FROM (SELECT unnest(actors) AS actor FROM timeline {where})
        WHERE lower(actor) NOT IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY 1 ORDER BY n DESC, actor LIMIT 10
        """,
        [*params, list(names)],
    ).fetchall()
    sources = con.execute(
        f"""
        SELECT source, count(*), arg_max(article_title, event_date), arg_max(article_url, event_date),
               max(event_date)
        FROM timeline {where} GROUP BY 1 ORDER BY 2 DESC, 1
        """,
        params,
    ).fetchall()
    last_day = summary[2] if summary else None
    recent_since = last_day - timedelta(days=RECENT_DAYS - 1) if last_day else None
    timeline = events_page(con, f, limit=timeline_limit)
    recent = [e for e in timeline if recent_since and e.event_date >= recent_since]
    return EntityBriefing(
        names=tuple(stored or ()), labels=tuple(labels or ()), first_seen_at=first_seen,
        articles_mentioning=int(mentioning[0]) if mentioning else 0,
        events=int(summary[0]) if summary else 0, first_day=summary[1] if summary else None, last_day=last_day,
        by_type=by_type, co_actors=co_actors, sources=sources, recent=recent, recent_since=recent_since,
        timeline=timeline,
    )


def as_json(value: Any) -> Any:
    """Dataclasses, dates and tuples from this module as JSON-ready values."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: as_json(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
