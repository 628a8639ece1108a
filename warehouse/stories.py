"""Stories in the warehouse: read what is new, let extractors decide, write it back.

Run after each ingest write batch, before ``warehouse.signals.update_signals`` (signals count a
story's copies once, so an event enters a signal only once its article has a story). Only
articles not yet placed are read (an anti-join on a primary key), so running it twice changes
nothing. The clustering runs outside any transaction; each batch of results is then written in
one short transaction, so readers wait for milliseconds and a crash loses at most the batch in
flight, which the next run redoes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np

from extractors.stories import (
    ArticleSignature,
    NewArticle,
    StoredSignature,
    StoryAssignment,
    StoryParams,
    band_keys,
    sign_articles,
    story_assignments,
)
from warehouse.bulk import insert_rows
from warehouse.db import transaction
from warehouse.keys import utcnow

log = logging.getLogger(__name__)


DEFAULT_STORY_BATCH = 5_000


@dataclass(frozen=True)
class StoryUpdate:
    articles: int  # articles placed in a story by this run
    new_stories: int
    joined: int  # articles that joined an existing story


def update_stories(
    con: duckdb.DuckDBPyConnection,
    *,
    since: datetime | None = None,
    params: StoryParams = StoryParams(),
    batch_size: int = DEFAULT_STORY_BATCH,
) -> StoryUpdate:
    """Place every article without a story (published since ``since``, when given) in one.

    Articles are taken oldest first, ``batch_size`` at a time; each batch is hashed, matched
    against stored signatures within ``params.window`` (by band-key join) and written in one
    transaction. Returns the counts for the whole run.
    """
    placed = new = 0
    # Ids first (small rows), texts a batch at a time: a backfill never sorts or holds every text.
    pending = con.execute(
        """
        SELECT a.article_id, coalesce(a.published_at, a.first_seen_at) AS ts
        FROM articles a
        WHERE NOT EXISTS (SELECT 1 FROM article_stories s WHERE s.article_id = a.article_id)
          AND ($since::TIMESTAMP IS NULL OR coalesce(a.published_at, a.first_seen_at) >= $since::TIMESTAMP)
        ORDER BY ts, a.article_id
        """,
        {"since": since},
    ).fetchall()
    for start in range(0, len(pending), batch_size):
        chunk = pending[start:start + batch_size]
        texts = dict(con.execute(
            "SELECT article_id, text FROM articles WHERE article_id IN (SELECT UNNEST($1::VARCHAR[]))",
            [[r[0] for r in chunk]],
        ).fetchall())
        signatures = sign_articles([NewArticle(r[0], r[1], texts[r[0]]) for r in chunk], params)
        del texts
        keys = {s.article_id: band_keys(s, params) for s in signatures}
        state = _candidate_signatures(con, signatures, keys, params)
        assignments = story_assignments(signatures, state, params)
        with transaction(con):
            written = _write_story_batch(con, assignments, keys, params)
        placed += len(written)
        new += sum(a.new_story for a in written)
    if placed:
        log.info("stories: %d articles placed, %d new stories", placed, new, extra={"stage": "stories"})
    return StoryUpdate(articles=placed, new_stories=new, joined=placed - new)


def _band_frame(
    signatures: Sequence[ArticleSignature], keys: dict[str, list[int]]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Band keys (band_key, idx) and articles (idx, article_id, published_at) as numpy columns.

    Hundreds of thousands of keys per batch: DuckDB scans numpy columns directly, where binding
    them as list parameters (datetimes especially) costs seconds.
    """
    counts = [len(keys[s.article_id]) for s in signatures]
    flat = [k for s in signatures for k in keys[s.article_id]]
    bands: dict[str, np.ndarray] = {"band_key": np.array(flat, dtype=np.int64),
             "idx": np.repeat(np.arange(len(signatures), dtype=np.int32), counts)}
    articles = {"idx": np.arange(len(signatures), dtype=np.int32),
                "article_id": np.array([s.article_id for s in signatures], dtype=object),
                "published_at": np.array([s.published_at for s in signatures], dtype="datetime64[us]")}
    return bands, articles


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, **frames: dict[str, np.ndarray]) -> Iterator[None]:
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def _candidate_signatures(
    con: duckdb.DuckDBPyConnection,
    signatures: Sequence[ArticleSignature],
    keys: dict[str, list[int]],
    params: StoryParams,
) -> list[StoredSignature]:
    """Stored articles sharing a band key with a new one, published within the window of it.

    Per band key, the window runs from the earliest new article holding that key to the latest:
    a superset of the pairs that can match (``story_assignments`` checks each pair's own window),
    found without joining every new article with every stored one holding the key -- on a big day
    of near-identical texts that join made hundreds of millions of rows. The batch's own span
    bounds the scans of ``story_bands`` and ``article_stories``, which are written in publication
    order, so DuckDB skips the row groups of older history (zone maps) and the lookup costs what
    the window holds, not what the database does.
    """
    bands, articles = _band_frame(signatures, keys)
    if not bands["band_key"].size:
        return []
    window_us = int(params.window.total_seconds() * 1_000_000)
    times = [s.published_at for s in signatures]
    span = (min(times) - params.window, max(times) + params.window)
    with _registered(con, _story_probe_bands=bands, _story_probe_articles=articles):
        rows = con.execute(
            """
            WITH probe AS (
                SELECT p.band_key, min(n.published_at) - to_microseconds($1) AS lo,
                       max(n.published_at) + to_microseconds($1) AS hi
                FROM _story_probe_bands p JOIN _story_probe_articles n ON n.idx = p.idx
                GROUP BY p.band_key
            ), hits AS (
                SELECT DISTINCT b.article_id
                FROM story_bands b JOIN probe p ON b.band_key = p.band_key
                WHERE b.published_at BETWEEN p.lo AND p.hi
                  AND b.published_at BETWEEN $3 AND $4
            )
            SELECT s.article_id, s.published_at, s.shingles, s.signature, s.story_id
            FROM article_stories s JOIN hits USING (article_id)
            WHERE s.scheme = $2 AND s.published_at BETWEEN $3 AND $4
            """,
            [window_us, params.scheme_id, span[0], span[1]],
        ).fetchall()
    return [StoredSignature(ArticleSignature(r[0], r[1], r[2], bytes(r[3])), r[4]) for r in rows]


def _write_story_batch(
    con: duckdb.DuckDBPyConnection,
    assignments: Sequence[StoryAssignment],
    keys: dict[str, list[int]],
    params: StoryParams,
) -> list[StoryAssignment]:
    """Write new placements (caller holds the transaction); returns those actually written."""
    ids = [a.article_id for a in assignments if not a.known]
    # Guard against a concurrent run having placed some of them meanwhile: never write twice.
    present = {r[0] for r in con.execute(
        "SELECT article_id FROM article_stories WHERE article_id IN (SELECT UNNEST($1::VARCHAR[]))", [ids]
    ).fetchall()}
    fresh = [a for a in assignments if not a.known and a.article_id not in present]
    if not fresh:
        return []
    now = utcnow()
    insert_rows(
        con,
        "article_stories",
        [("article_id", "VARCHAR"), ("story_id", "VARCHAR"), ("published_at", "TIMESTAMP"),
         ("matched_article_id", "VARCHAR"), ("jaccard", "DOUBLE"), ("shingles", "INTEGER"),
         ("signature", "BLOB"), ("scheme", "VARCHAR"), ("assigned_at", "TIMESTAMP")],
        [(a.article_id, a.story_id, a.signature.published_at, a.matched, a.jaccard if a.matched else None,
          a.signature.shingles, a.signature.hashvalues, params.scheme_id, now) for a in fresh],
    )
    bands, articles = _band_frame([a.signature for a in fresh], keys)
    with _registered(con, _story_new_bands=bands, _story_new_articles=articles):
        con.execute(
            """
            INSERT INTO story_bands (band_key, article_id, published_at)
            SELECT b.band_key, a.article_id, a.published_at
            FROM _story_new_bands b JOIN _story_new_articles a ON a.idx = b.idx
            """
        )
    _refresh_stories(con, sorted({a.story_id for a in fresh}), now)
    return fresh


def _refresh_stories(con: duckdb.DuckDBPyConnection, story_ids: Sequence[str], now: datetime) -> None:
    con.execute(
        """
        INSERT INTO stories (story_id, title, first_published_at, last_published_at, article_count,
                             source_count, updated_at)
        SELECT s.story_id,
               any_value(first.title),
               min(s.published_at), max(s.published_at), count(*), count(DISTINCT a.source), $2
        FROM article_stories s
        JOIN articles a ON a.article_id = s.article_id
        LEFT JOIN articles first ON first.article_id = s.story_id
        WHERE s.story_id IN (SELECT UNNEST($1::VARCHAR[]))
        GROUP BY s.story_id
        ON CONFLICT (story_id) DO UPDATE SET
            title = excluded.title, first_published_at = excluded.first_published_at,
            last_published_at = excluded.last_published_at, article_count = excluded.article_count,
            source_count = excluded.source_count, updated_at = excluded.updated_at
        """,
        [list(story_ids), now],
    )

