"""The single writer: one batch of feed polls in one short transaction.

A feed's new state (ETag, Last-Modified) is written together with the entries
and articles that poll produced, so a crash can never record a feed as read
while losing its articles; re-running a crashed batch writes nothing twice.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from extractors.models import Annotation, Event
from warehouse.bulk import insert_rows
from warehouse.db import transaction
from warehouse.records import ArticleRecord, Document, FeedPoll, FeedSpec


def article_id_for(url: str) -> str:
    """Stable article key derived from its canonical URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]


def event_id_for(article_url: str, event_type: str, stance: str, actors: Sequence[str]) -> str:
    """Stable event key: the same reading of the same article keeps its id across reprocessing."""
    key = "\x1f".join([article_url, event_type, stance, *sorted(actors)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class WriteSummary:
    feeds: int
    new_entries: int
    new_articles: int
    new_events: int


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


def write_polls(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll]) -> WriteSummary:
    """Store a batch of polls atomically; returns what was new."""
    now = utcnow()
    with transaction(con):
        _write_feed_states(con, polls, now)
        insert_rows(
            con,
            "fetches",
            [("fetch_id", "VARCHAR"), ("url", "VARCHAR"), ("kind", "VARCHAR"), ("feed_url", "VARCHAR"),
             ("started_at", "TIMESTAMP"), ("status", "INTEGER"), ("error_kind", "VARCHAR"),
             ("error", "VARCHAR"), ("content_sha256", "VARCHAR"), ("content_type", "VARCHAR"),
             ("bytes", "BIGINT"), ("elapsed_ms", "INTEGER")],
            [(f.fetch_id, f.url, f.kind, f.feed_url, _naive_utc(f.started_at), f.status, f.error_kind, f.error,
              f.content_sha256, f.content_type, f.bytes, f.elapsed_ms)
             for p in polls for f in p.fetches],
            on_conflict="ON CONFLICT DO NOTHING",
        )
        _write_documents(con, [d for p in polls for d in p.documents], now)
        new_entries = _write_entries(con, polls, now)
        new_articles, new_events = _write_articles(con, [a for p in polls for a in p.articles], now)
    return WriteSummary(len(polls), new_entries, new_articles, new_events)


def _write_feed_states(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll], now: datetime) -> None:
    for p in polls:
        con.execute(
            """
            INSERT INTO feeds (url, name, tags, owner, added_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (url) DO NOTHING
            """,
            [p.feed.url, p.feed.name, list(p.feed.tags), p.feed.owner, now],
        )
        if p.failed:
            con.execute(
                """
                UPDATE feeds SET last_polled_at = ?, last_status = ?, last_error_kind = ?, last_error = ?,
                       consecutive_failures = consecutive_failures + 1, next_poll_at = ?
                WHERE url = ?
                """,
                [_naive_utc(p.polled_at), p.status, p.error_kind, p.error, _naive_utc(p.next_poll_at), p.feed.url],
            )
        else:
            # A 304 keeps the stored validators unless the server sent new ones.
            con.execute(
                """
                UPDATE feeds SET last_polled_at = ?, last_status = ?, last_error_kind = NULL, last_error = NULL,
                       last_warning = ?, consecutive_failures = 0, last_success_at = ?, next_poll_at = ?,
                       etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
                       title = coalesce(?, title)
                WHERE url = ?
                """,
                [_naive_utc(p.polled_at), p.status, p.warning, _naive_utc(p.polled_at),
                 _naive_utc(p.next_poll_at), p.etag, p.last_modified, p.feed_title, p.feed.url],
            )


def _write_documents(con: duckdb.DuckDBPyConnection, docs: Sequence[Document], now: datetime) -> None:
    unique = {d.sha256: d for d in docs}
    insert_rows(
        con,
        "documents",
        [("sha256", "VARCHAR"), ("body_gz", "BLOB"), ("content_type", "VARCHAR"), ("size", "BIGINT"),
         ("stored_at", "TIMESTAMP")],
        [(d.sha256, gzip.compress(d.body, mtime=0), d.content_type, len(d.body), now) for d in unique.values()],
        on_conflict="ON CONFLICT DO NOTHING",
    )


def _write_entries(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll], now: datetime) -> int:
    rows = []
    seen: set[tuple[str, str]] = set()
    for p in polls:
        stored = {a.entry_key: a.article.url for a in p.articles} | dict(p.linked)
        failed = {f.entry_key: f for f in p.failures}
        for e in p.entries:
            key = (p.feed.url, e.entry_key)
            if key in seen:
                continue
            seen.add(key)
            failure = failed.get(e.entry_key) if e.entry_key not in stored else None
            rows.append((
                p.feed.url, e.entry_key, e.guid, e.link, e.title, e.summary, _naive_utc(e.published_at), now,
                stored.get(e.entry_key),
                "stored" if e.entry_key in stored else "failed",
                failure.reason if failure else None, failure.message if failure else None,
            ))
    before = _count(con, "entries")
    insert_rows(
        con,
        "entries",
        [("feed_url", "VARCHAR"), ("entry_key", "VARCHAR"), ("guid", "VARCHAR"), ("link", "VARCHAR"),
         ("title", "VARCHAR"), ("summary", "VARCHAR"), ("published_at", "TIMESTAMP"),
         ("first_seen_at", "TIMESTAMP"), ("article_url", "VARCHAR"), ("status", "VARCHAR"),
         ("failure_reason", "VARCHAR"), ("failure_message", "VARCHAR")],
        rows,
        # A failed entry that now succeeded gets its article; a stored one is never downgraded.
        on_conflict="ON CONFLICT (feed_url, entry_key) DO UPDATE SET "
        "article_url = coalesce(excluded.article_url, entries.article_url), "
        "status = CASE WHEN entries.status = 'stored' THEN 'stored' ELSE excluded.status END, "
        "failure_reason = CASE WHEN entries.status = 'stored' THEN NULL ELSE excluded.failure_reason END, "
        "failure_message = CASE WHEN entries.status = 'stored' THEN NULL ELSE excluded.failure_message END",
    )
    return _count(con, "entries") - before


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _write_articles(
    con: duckdb.DuckDBPyConnection, records: Sequence[ArticleRecord], now: datetime
) -> tuple[int, int]:
    # The same article reached from two feeds (or twice in one batch) is stored once;
    # the first feed that listed it names its source.
    by_url: dict[str, ArticleRecord] = {}
    for r in records:
        by_url.setdefault(r.article.url, r)
    if not by_url:
        return 0, 0
    existing = {
        row[0]
        for row in con.execute(
            "SELECT url FROM articles WHERE url IN (SELECT UNNEST($1::VARCHAR[]))", [list(by_url)]
        ).fetchall()
    }
    fresh = [r for url, r in by_url.items() if url not in existing]
    insert_rows(
        con,
        "articles",
        [("article_id", "VARCHAR"), ("url", "VARCHAR"), ("title", "VARCHAR"), ("author", "VARCHAR"),
         ("source", "VARCHAR"), ("feed_url", "VARCHAR"), ("published_at", "TIMESTAMP"), ("language", "VARCHAR"),
         ("text", "VARCHAR"), ("fetched_url", "VARCHAR"), ("fetch_id", "VARCHAR"), ("from_feed", "BOOLEAN"),
         ("first_seen_at", "TIMESTAMP"), ("extractor_version", "VARCHAR"), ("document_sha256", "VARCHAR")],
        [(article_id_for(r.article.url), r.article.url, r.article.title, r.article.author, r.source, r.feed_url,
          _naive_utc(r.article.published_at), r.article.language, r.article.text, r.article.fetched_url,
          r.fetch_id, r.article.from_feed, now,
          r.annotation.extractor_version if r.annotation else None, r.document_sha256)
         for r in fresh],
    )
    events = write_annotations(
        con, [(article_id_for(r.article.url), r.article.url, r.annotation) for r in fresh if r.annotation], now)
    return len(fresh), events


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
                events.setdefault(event_id_for(article_url, ev.event_type, ev.stance, ev.actors), (article_id, ev))
    insert_rows(
        con,
        "events",
        [("event_id", "VARCHAR"), ("article_id", "VARCHAR"), ("event_type", "VARCHAR"), ("stance", "VARCHAR"),
         ("actors", "VARCHAR[]"), ("event_date", "DATE"), ("evidence", "VARCHAR"), ("evidence_start", "INTEGER"),
         ("evidence_end", "INTEGER"), ("confidence", "DOUBLE"), ("extractor_version", "VARCHAR"),
         ("created_at", "TIMESTAMP")],
        [(eid, article_id, ev.event_type, ev.stance, list(ev.actors), ev.event_date, ev.evidence[0].sentence,
          ev.evidence[0].start, ev.evidence[0].end, min(1.0, max(0.0, ev.confidence)), ev.extractor_version, now)
         for eid, (article_id, ev) in events.items()],
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
