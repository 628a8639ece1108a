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

from extractors.errors import TRANSIENT_REASONS
from warehouse.annotations import delete_derived, write_annotations
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
    pages_replacing_feed_text: int = 0  # stored articles whose feed text gave way to their page's


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
        new_articles, new_events, replaced = _write_articles(con, [a for p in polls for a in p.articles], now)
    return WriteSummary(len(polls), new_entries, new_articles, new_events, replaced)


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
        fallbacks = {f.entry_key: f for f in p.fallbacks}
        for e in p.entries:
            key = (p.feed.url, e.entry_key)
            if key in seen:
                continue
            seen.add(key)
            # Stored: why the page gave no text (the feed's stood in), if it did not. Failed: why.
            failure = fallbacks.get(e.entry_key) if e.entry_key in stored else failed.get(e.entry_key)
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
        # A failed entry that now succeeded gets its article; a stored one is never downgraded, and its
        # reason changes only with a new article outcome (the page came: NULL; the feed stood in again: why).
        on_conflict="ON CONFLICT (feed_url, entry_key) DO UPDATE SET "
        "article_url = coalesce(excluded.article_url, entries.article_url), "
        "status = CASE WHEN entries.status = 'stored' THEN 'stored' ELSE excluded.status END, "
        "failure_reason = CASE WHEN entries.status = 'stored' AND excluded.status <> 'stored' "
        "THEN entries.failure_reason ELSE excluded.failure_reason END, "
        "failure_message = CASE WHEN entries.status = 'stored' AND excluded.status <> 'stored' "
        "THEN entries.failure_message ELSE excluded.failure_message END",
    )
    return _count(con, "entries") - before


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _write_articles(
    con: duckdb.DuckDBPyConnection, records: Sequence[ArticleRecord], now: datetime
) -> tuple[int, int, int]:
    """Insert new articles, and let a page replace an article stored from its feed's text.

    Returns (new articles, events written, articles whose feed text was replaced).
    """
    # The same article reached from two feeds (or twice in one batch) is stored once;
    # the first feed that listed it (with its page, if any feed brought one) names its source.
    by_url: dict[str, ArticleRecord] = {}
    for r in records:
        first = by_url.get(r.article.url)
        if first is None or (first.article.from_feed and not r.article.from_feed):
            by_url[r.article.url] = r
    if not by_url:
        return 0, 0, 0
    existing: dict[str, bool] = dict(con.execute(  # url -> stored from the feed's text
        "SELECT url, from_feed FROM articles WHERE url IN (SELECT UNNEST($1::VARCHAR[]))", [list(by_url)]
    ).fetchall())
    fresh = [r for url, r in by_url.items() if url not in existing]
    upgrades = [r for url, r in by_url.items() if existing.get(url) and not r.article.from_feed]
    insert_rows(
        con,
        "articles",
        [("article_id", "VARCHAR"), ("url", "VARCHAR"), ("title", "VARCHAR"), ("author", "VARCHAR"),
         ("source", "VARCHAR"), ("feed_url", "VARCHAR"), ("published_at", "TIMESTAMP"),
         ("language", "VARCHAR"), ("text", "VARCHAR"), ("fetched_url", "VARCHAR"), ("fetch_id", "VARCHAR"),
         ("from_feed", "BOOLEAN"), ("first_seen_at", "TIMESTAMP"), ("extractor_version", "VARCHAR"),
         ("document_sha256", "VARCHAR"), ("short", "BOOLEAN")],
        [(article_id_for(r.article.url), r.article.url, r.article.title, r.article.author, r.source,
          r.feed_url, _naive_utc(r.article.published_at), r.article.language, r.article.text,
          r.article.fetched_url, r.fetch_id, r.article.from_feed, now,
          r.annotation.extractor_version if r.annotation else None, r.document_sha256, r.article.short)
         for r in fresh],
    )
    _replace_feed_text(con, upgrades)
    annotated = [(article_id_for(r.article.url), r.article.url, r.annotation)
                 for r in [*fresh, *upgrades] if r.annotation]
    events = write_annotations(con, annotated, now)
    return len(fresh), events, len(upgrades)


def _replace_feed_text(con: duckdb.DuckDBPyConnection, records: Sequence[ArticleRecord]) -> None:
    """The page's text and metadata in place of the feed's, keeping the article's id, source and first
    sighting; what was read from the feed's text is deleted, to be written from the page's."""
    if not records:
        return
    delete_derived(con, [article_id_for(r.article.url) for r in records])
    for r in records:
        a = r.article
        con.execute(
            """
            UPDATE articles SET text = ?, title = coalesce(nullif(?, ''), title),
                   author = coalesce(?, author), published_at = coalesce(?, published_at), language = ?,
                   fetched_url = ?, fetch_id = ?, from_feed = false, short = ?, extractor_version = ?,
                   document_sha256 = ?
            WHERE url = ?
            """,
            [a.text, a.title, a.author, _naive_utc(a.published_at), a.language, a.fetched_url, r.fetch_id,
             a.short, r.annotation.extractor_version if r.annotation else None, r.document_sha256, a.url],
        )


def settled_entry_keys(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(feed_url, entry_key) pairs that need no more work: stored from their page, or failed for good.

    An entry whose page failed for a transient reason (extractors.errors.TRANSIENT_REASONS) is not
    settled, whether it failed or the feed's text stands in: the next poll fetches the page again.
    """
    rows = con.execute(
        "SELECT feed_url, entry_key FROM entries WHERE failure_reason IS NULL OR failure_reason NOT IN "
        "(SELECT UNNEST($1::VARCHAR[]))",
        [sorted(TRANSIENT_REASONS)],
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def articles_awaiting_page(con: duckdb.DuckDBPyConnection) -> set[str]:
    """URLs of articles stored from the feed's text after their page failed transiently."""
    rows = con.execute(
        "SELECT DISTINCT a.url FROM articles a JOIN entries e ON e.article_url = a.url "
        "WHERE a.from_feed AND e.status = 'stored' AND e.failure_reason IN (SELECT UNNEST($1::VARCHAR[]))",
        [sorted(TRANSIENT_REASONS)],
    ).fetchall()
    return {r[0] for r in rows}


def known_article_urls(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every URL an already-stored article is known by (canonical and fetched) -> its canonical URL."""
    known: dict[str, str] = {}
    for url, fetched in con.execute("SELECT url, fetched_url FROM articles").fetchall():
        known[url] = url
        if fetched:
            known.setdefault(fetched, url)
    return known
