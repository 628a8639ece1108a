"""What the NLP step derives from an article (entities, mentions, events, evidence): written in bulk,
read back for reprocessing, and replaced atomically when an article is re-derived."""


from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from extractors.models import Annotation, ArticleText, Event, RoleFiller
from warehouse.bulk import insert_rows
from warehouse.db import transaction
from warehouse.keys import event_id_for, utcnow


def _unique_roles(roles: Sequence[RoleFiller]) -> list[RoleFiller]:
    """One row per (role, name): a name read twice for one role (two labels, two sentences) is kept once."""
    seen: dict[tuple[str, str], RoleFiller] = {}
    for r in roles:
        seen.setdefault((r.role, r.name), r)
    return list(seen.values())


def write_annotations(
    con: duckdb.DuckDBPyConnection, items: Sequence[tuple[str, str, Annotation]], now: datetime
) -> int:
    """Insert the mentions, entities and events of many articles, given as (article_id, url, annotation).

    One statement per table for the whole lot: a statement costs a few milliseconds whatever
    its size, and a batch holds thousands of articles. The caller holds the transaction.
    Returns the number of events written.
    """
    known: dict[tuple[str, str], bool] = {}
    for _, _, ann in items:
        for m in ann.mentions:
            known[(m.label, m.name)] = known.get((m.label, m.name), False) or m.known
    insert_rows(
        con,
        "entities",
        [("label", "VARCHAR"), ("name", "VARCHAR"), ("known", "BOOLEAN"), ("first_seen_at", "TIMESTAMP")],
        [(label, name, is_known, now) for (label, name), is_known in known.items()],
        on_conflict="ON CONFLICT (label, name) DO UPDATE SET known = entities.known OR excluded.known",
    )
    insert_rows(
        con,
        "mentions",
        [("article_id", "VARCHAR"), ("label", "VARCHAR"), ("name", "VARCHAR"), ("surface", "VARCHAR"),
         ("start_char", "INTEGER"), ("end_char", "INTEGER"), ("known", "BOOLEAN")],
        [(article_id, m.label, m.name, m.text, m.start, m.end, m.known)
         for article_id, _, ann in items for m in ann.mentions],
    )
    events: dict[str, tuple[str, Event]] = {}
    for article_id, article_url, ann in items:
        for ev in ann.events:
            if ev.evidence:
                event_id = event_id_for(article_url, ev.event_type, ev.stance, ev.actors)
                events.setdefault(event_id, (article_id, ev))
    insert_rows(
        con,
        "events",
        [("event_id", "VARCHAR"), ("article_id", "VARCHAR"), ("event_type", "VARCHAR"), ("stance", "VARCHAR"),
         ("actors", "VARCHAR[]"), ("event_date", "DATE"), ("evidence", "VARCHAR"),
         ("evidence_start", "INTEGER"), ("evidence_end", "INTEGER"), ("confidence", "DOUBLE"),
         ("extractor_version", "VARCHAR"), ("created_at", "TIMESTAMP"), ("initiator", "VARCHAR"),
         ("targets", "VARCHAR[]")],
        [(eid, article_id, ev.event_type, ev.stance, list(ev.actors), ev.event_date, ev.evidence[0].sentence,
          ev.evidence[0].start, ev.evidence[0].end, min(1.0, max(0.0, ev.confidence)), ev.extractor_version,
          now, ev.initiator, list(ev.targets))
         for eid, (article_id, ev) in events.items()],
    )
    insert_rows(
        con,
        "event_roles",
        [("event_id", "VARCHAR"), ("role", "VARCHAR"), ("name", "VARCHAR"), ("label", "VARCHAR"),
         ("ordinal", "INTEGER")],
        [(eid, r.role, r.name, r.label, i)
         for eid, (_, ev) in events.items()
         for i, r in enumerate(_unique_roles(ev.roles))],
    )
    insert_rows(
        con,
        "event_evidence",
        [("event_id", "VARCHAR"), ("ordinal", "INTEGER"), ("sentence", "VARCHAR"), ("start_char", "INTEGER"),
         ("end_char", "INTEGER")],
        [(eid, i, evd.sentence, evd.start, evd.end)
         for eid, (_, ev) in events.items() for i, evd in enumerate(ev.evidence)],
    )
    return len(events)


@dataclass(frozen=True)
class StoredArticle:
    article_id: str
    url: str
    text: str
    published_at: datetime | None
    fetched_url: str | None
    document_sha256: str | None


def count_stale_articles(con: duckdb.DuckDBPyConnection, extractor_version: str) -> int:
    """Stored articles whose entities and events came from other rules than ``extractor_version``."""
    row = con.execute("SELECT count(*) FROM articles WHERE extractor_version IS DISTINCT FROM ?",
                      [extractor_version]).fetchone()
    return int(row[0]) if row else 0


def count_articles(con: duckdb.DuckDBPyConnection, since: date | None = None) -> int:
    row = con.execute(
        "SELECT count(*) FROM articles WHERE $1::DATE IS NULL OR coalesce(published_at, first_seen_at) >= $1",
        [since],
    ).fetchone()
    return int(row[0]) if row else 0


def iter_articles(
    con: duckdb.DuckDBPyConnection, since: date | None = None, batch: int = 500
) -> Iterator[list[StoredArticle]]:
    """Articles in a stable order, ``batch`` at a time (keyset pagination: no OFFSET scans)."""
    last = ""
    while True:
        rows = con.execute(
            """
            SELECT article_id, url, text, published_at, fetched_url, document_sha256 FROM articles
            WHERE article_id > $1 AND ($2::DATE IS NULL OR coalesce(published_at, first_seen_at) >= $2)
            ORDER BY article_id LIMIT $3
            """,
            [last, since, batch],
        ).fetchall()
        if not rows:
            return
        yield [StoredArticle(*r) for r in rows]
        last = rows[-1][0]


def raw_document(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes | None:
    row = con.execute("SELECT body_gz FROM documents WHERE sha256 = ?", [sha256]).fetchone()
    return gzip.decompress(row[0]) if row else None


def delete_derived(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    """Delete the mentions, events, evidence and roles read from these articles (inside the caller's
    transaction), before they are read again."""
    ids = list(article_ids)
    for table in ("event_evidence", "event_roles"):  # names are code constants
        con.execute(f"DELETE FROM {table} WHERE event_id IN (SELECT event_id FROM events "
                    "WHERE article_id IN (SELECT UNNEST($1::VARCHAR[])))", [ids])
    con.execute("DELETE FROM events WHERE article_id IN (SELECT UNNEST($1::VARCHAR[]))", [ids])
    con.execute("DELETE FROM mentions WHERE article_id IN (SELECT UNNEST($1::VARCHAR[]))", [ids])


def replace_derived(
    con: duckdb.DuckDBPyConnection,
    items: Sequence[tuple[StoredArticle, ArticleText | None, Annotation]],
) -> int:
    """In one transaction: new text (when re-extracted) and new mentions/events for each article.

    Old mentions, events and evidence of these articles are deleted first; event ids
    are derived from (url, type, stance, actors), so an unchanged event keeps its id.
    Returns the number of events written.
    """
    now = utcnow()
    ids = [stored.article_id for stored, _, _ in items]
    with transaction(con):
        delete_derived(con, ids)
        for stored, article, ann in items:
            if article is not None:
                con.execute(
                    "UPDATE articles SET text = ?, title = coalesce(nullif(?, ''), title), "
                    "author = coalesce(?, author), language = coalesce(?, language) WHERE article_id = ?",
                    [article.text, article.title, article.author, article.language, stored.article_id],
                )
            con.execute("UPDATE articles SET extractor_version = ? WHERE article_id = ?",
                        [ann.extractor_version, stored.article_id])
        events = write_annotations(
            con, [(stored.article_id, stored.url, ann) for stored, _, ann in items], now
        )
    return events


@dataclass(frozen=True)
class UnknownName:
    label: str
    name: str
    articles: int
    mentions: int


def unknown_entities(con: duckdb.DuckDBPyConnection, *, limit: int = 50) -> list[UnknownName]:
    """Names the gazetteer does not know, most widespread first: candidates to add to config/gazetteer."""
    rows = con.execute(
        """
        SELECT label, name, count(DISTINCT article_id) AS articles, count(*) AS mentions
        FROM mentions WHERE NOT known
        GROUP BY label, name
        ORDER BY articles DESC, mentions DESC, name
        LIMIT ?
        """,
        [limit],
    ).fetchall()
    return [UnknownName(*r) for r in rows]


def top_entities(con: duckdb.DuckDBPyConnection, *, limit: int) -> list[tuple[str, str, int, int]]:
    """(label, name, articles, mentions) of the most mentioned entities, by articles then mentions."""
    return con.execute(
        "SELECT label, name, count(DISTINCT article_id), count(*) FROM mentions GROUP BY 1, 2 "
        "ORDER BY 3 DESC, 4 DESC, 2 LIMIT ?", [limit]).fetchall()
