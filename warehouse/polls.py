"""The single writer: one batch of feed polls in one short transaction.

A feed's new state (ETag, Last-Modified) is written together with the entries
and articles that poll produced, so a crash can never record a feed as read
while losing its articles; re-running a crashed batch writes nothing twice."""


from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from warehouse.annotations import write_annotations
from warehouse.bulk import insert_rows
from warehouse.db import transaction
from warehouse.keys import article_id_for, utcnow
from warehouse.records import ArticleRecord, Document, FeedPoll


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
            [(f.fetch_id, f.url, f.kind, f.feed_url, _naive_utc(f.started_at), f.status, f.error_kind,
              f.error, f.content_sha256, f.content_type, f.bytes, f.elapsed_ms)
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
                [_naive_utc(p.polled_at), p.status, p.error_kind, p.error, _naive_utc(p.next_poll_at),
                 p.feed.url],
            )
        else:
            # A 304 keeps the stored validators unless the server sent new ones.
            con.execute(
                """
                UPDATE feeds SET last_polled_at = ?, last_status = ?, last_error_kind = NULL,
                       last_error = NULL, last_warning = ?, consecutive_failures = 0, last_success_at = ?,
                       next_poll_at = ?,
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
        [(d.sha256, gzip.compress(d.body, mtime=0), d.content_type, len(d.body), now)
         for d in unique.values()],
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
         ("source", "VARCHAR"), ("feed_url", "VARCHAR"), ("published_at", "TIMESTAMP"),
         ("language", "VARCHAR"), ("text", "VARCHAR"), ("fetched_url", "VARCHAR"), ("fetch_id", "VARCHAR"),
         ("from_feed", "BOOLEAN"), ("first_seen_at", "TIMESTAMP"), ("extractor_version", "VARCHAR"),
         ("document_sha256", "VARCHAR")],
        [(article_id_for(r.article.url), r.article.url, r.article.title, r.article.author, r.source,
          r.feed_url, _naive_utc(r.article.published_at), r.article.language, r.article.text,
          r.article.fetched_url, r.fetch_id, r.article.from_feed, now,
          r.annotation.extractor_version if r.annotation else None, r.document_sha256)
         for r in fresh],
    )
    annotated = [(article_id_for(r.article.url), r.article.url, r.annotation) for r in fresh if r.annotation]
    events = write_annotations(con, annotated, now)
    return len(fresh), events


# Failures worth another try on the next poll; permanent ones (404, no text) are not refetched.
RETRYABLE_ENTRY_REASONS = ("transient", "timeout", "server_error", "rate_limited", "connection")


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
