"""Read-only queries behind ``newsignal timeline`` and ``newsignal export``.

Every value a user types is bound as a parameter; the only SQL assembled from
pieces is the choice among fixed clauses and fixed export queries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True)
class TimelineFilter:
    """What to keep of the timeline. ``entity_names`` are lower-cased canonical names (any matches)."""

    entity_names: tuple[str, ...] = ()
    event_type: str | None = None
    stance: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    source: str | None = None  # outlet name, case-insensitive
    limit: int | None = None


def timeline_where(
    f: TimelineFilter, *, alias: str = "", exact_names: tuple[str, ...] = ()
) -> tuple[str, list[Any]]:
    """A WHERE clause (``""`` when no filter) and its parameters, for the timeline view's columns.

    ``exact_names``: the stored spellings of ``f.entity_names``, when known; matching those
    with ``list_contains`` is several times faster than lower-casing every actor of every row.
    """
    p = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list[Any] = []
    if f.entity_names and exact_names:
        clauses.append("(" + " OR ".join(f"list_contains({p}actors, ?)" for _ in exact_names) + ")")
        params.extend(exact_names)
    elif f.entity_names:
        # Actors hold canonical names; compare lower-cased so "openai" finds "OpenAI".
        clauses.append(f"list_has_any([lower(x) for x in {p}actors], ?::VARCHAR[])")
        params.append(list(f.entity_names))
    if f.event_type:
        clauses.append(f"{p}event_type = ?")
        params.append(f.event_type)
    if f.stance:
        clauses.append(f"{p}stance = ?")
        params.append(f.stance)
    if f.since:
        clauses.append(f"{p}event_date >= ?")
        params.append(f.since)
    if f.until:
        clauses.append(f"{p}event_date <= ?")
        params.append(f.until)
    if f.source:
        clauses.append(f"lower({p}source) = lower(?)")
        params.append(f.source)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def timeline_rows(
    con: duckdb.DuckDBPyConnection, f: TimelineFilter
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Timeline rows matching ``f``, newest event first; returns (column names, rows)."""
    exact: tuple[str, ...] = ()
    if f.entity_names:
        # The stored spellings (entities); a name never stored falls back to the case-insensitive scan.
        stored = stored_entity_names(con, f.entity_names)
        exact = tuple(stored) if stored else ()
    where, params = timeline_where(f, exact_names=exact)
    # SELECT *: the view's columns are a contract that only grows, and new ones (story_id, ...) should show.
    sql = f"SELECT * FROM timeline {where} ORDER BY event_date DESC, published_at DESC NULLS LAST, event_id"
    if f.limit is not None:
        sql += " LIMIT ?"
        params.append(f.limit)
    cur = con.execute(sql, params)
    return [d[0] for d in cur.description or []], cur.fetchall()


def stored_entity_names(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> list[str]:
    """Stored canonical entity names equal, ignoring case, to any of ``names``."""
    rows = con.execute(
        "SELECT DISTINCT name FROM entities WHERE lower(name) IN (SELECT lower(unnest(?::VARCHAR[]))) "
        "ORDER BY name",
        [list(names)],
    ).fetchall()
    return [r[0] for r in rows]


# What each export writes. Fixed SQL, chosen by name; never built from input.
EXPORT_QUERIES: dict[str, str] = {
    "timeline": "SELECT * FROM timeline ORDER BY event_date, event_id",
    "events": """
        SELECT e.event_id, e.event_date, e.event_type, e.stance, e.actors, e.evidence, e.confidence,
               e.extractor_version, e.created_at, a.url AS article_url, a.source, a.published_at,
               (SELECT list(v.sentence ORDER BY v.ordinal) FROM event_evidence v
                 WHERE v.event_id = e.event_id) AS evidence_sentences
        FROM events e JOIN articles a USING (article_id)
        ORDER BY e.event_date, e.event_id
    """,
    "entities": """
        SELECT n.label, n.name, n.known, n.first_seen_at,
               count(DISTINCT m.article_id) AS articles, count(m.article_id) AS mentions
        FROM entities n LEFT JOIN mentions m ON m.label = n.label AND m.name = n.name
        GROUP BY ALL
        ORDER BY articles DESC, n.label, n.name
    """,
    "articles": """
        SELECT article_id, url, title, author, source, feed_url, published_at, first_seen_at, language,
               from_feed, extractor_version, text
        FROM articles
        ORDER BY coalesce(published_at, first_seen_at), url
    """,
}

EXPORT_FORMATS: dict[str, str] = {
    "parquet": "(FORMAT parquet)",
    "csv": "(FORMAT csv, HEADER true)",
    "jsonl": "(FORMAT json)",  # DuckDB writes one JSON object per line
}


def export_table(con: duckdb.DuckDBPyConnection, what: str, fmt: str, out: str | Path) -> int:
    """Write one export (``EXPORT_QUERIES`` key) to ``out`` in ``fmt``; returns the number of rows.

    The file appears whole or not at all: it is written beside ``out`` under a
    temporary name and moved into place. Raises ``KeyError`` for an unknown name or format.
    """
    query, options = EXPORT_QUERIES[what], EXPORT_FORMATS[fmt]
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    literal = "'" + str(tmp).replace("'", "''") + "'"  # COPY takes a literal file name, not a parameter
    try:
        row = con.execute(f"COPY ({query}) TO {literal} {options}").fetchone()  # COPY returns its row count
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return int(row[0]) if row else 0


def events_by_type_and_stance(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(event_type, stance, events) over the whole timeline, in type and stance order."""
    return con.execute(
        "SELECT event_type, stance, count(*) FROM timeline GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
