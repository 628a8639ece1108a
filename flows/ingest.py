"""The ingest flow: poll feeds, fetch new articles, extract, and write each batch once.

Work is computed first (fetching and NLP run in tasks with no database), then
one short transaction per batch of feeds stores it, so readers wait at most
for one batch and a crash loses at most the batch in flight -- which the next
run redoes, with no duplicates because every row has a stable key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, task
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.models import Annotation
from flows import steps
from flows.resources import fetchers_closed
from flows.settings import Settings, load_feeds, load_settings
from warehouse.feeds import feed_states, register_feeds
from warehouse.polls import articles_awaiting_page, known_article_urls, settled_entry_keys, write_polls
from warehouse.records import FeedSpec, FeedState
from warehouse.snapshot import publish_snapshot
from warehouse.writer import writer

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection


@dataclass
class IngestReport:
    feeds: int = 0
    not_due: int = 0
    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_entries: int = 0
    new_articles: int = 0
    new_events: int = 0
    article_failures: int = 0
    failed_feeds: list[tuple[str, str]] = field(default_factory=list)


poll_feed_task = task(name="poll-feed")(steps.poll_feed)
fetch_articles_task = task(name="fetch-articles")(steps.fetch_articles)
annotate_task = task(name="annotate-articles")(steps.annotate_articles)


def _chunks(items: Sequence[FeedSpec], size: int) -> list[Sequence[FeedSpec]]:
    return [items[i:i + size] for i in range(0, len(items), max(1, size))]


def ingest_feeds(
    feeds: Sequence[FeedSpec], db_path: Path, settings: Settings, *, due_only: bool = True,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Poll ``feeds`` and store what is new.

    Only feeds whose next poll time has come are polled (that time holds the backoff, TTL and
    Retry-After the server asked for); ``due_only=False`` polls every feed now.

    Must run inside a flow (it submits tasks). ``progress`` is called with the number
    of feeds finished after each batch.
    """
    report = IngestReport(feeds=len(feeds))
    with writer(db_path) as con:
        register_feeds(con, feeds)
        states = feed_states(con)
        seen = steps.Seen(settled=settled_entry_keys(con), article_urls=known_article_urls(con),
                          awaiting_page=articles_awaiting_page(con))
    if due_only:
        now = datetime.now(UTC).replace(tzinfo=None)
        due = [f for f in feeds if (st := states.get(f.url)) is None or st.next_poll_at is None
               or st.next_poll_at <= now]
        report.not_due = len(feeds) - len(due)
        feeds = due
    with fetchers_closed():
        _run_batches(feeds, db_path, settings, states, seen, report, progress)
    with writer(db_path) as con:
        if report.new_articles:
            refresh_stories_and_signals(con, settings)
        # Outside tools read the Parquet snapshot, never the locked file (docs/bi.md).
        publish_snapshot(con, db_path)
    return report


def _run_batches(
    feeds: Sequence[FeedSpec], db_path: Path, settings: Settings, states: dict[str, FeedState],
    seen: steps.Seen, report: IngestReport, progress: Callable[[int], None] | None,
) -> None:
    """Poll, fetch, annotate and write ``feeds`` in batches; ``seen`` and ``report`` are updated."""
    http, ingest = settings.http, settings.ingest
    for chunk in _chunks(steps.spread_hosts(feeds), ingest.feeds_per_batch):
        futures = [poll_feed_task.submit(f, states.get(f.url), http, ingest) for f in chunk]
        wait(futures)
        fetches: list[steps.FeedFetch] = [fut.result() for fut in futures]
        plans = steps.plan_entries(fetches, seen)
        article_futures = [
            fetch_articles_task.submit(f.feed, list(p.to_fetch), http, ingest)
            for f, p in zip(fetches, plans, strict=True)
        ]
        wait(article_futures)
        outcomes = [steps.keep_stored_urls(p, fut.result())
                    for p, fut in zip(plans, article_futures, strict=True)]
        texts = steps.texts_to_annotate(o for per_feed in outcomes for o in per_feed)
        annotations: list[Annotation] = annotate_task(
            [(a.text, a.published_at.date() if a.published_at else None) for a in texts.values()],
            str(settings.config_dir), ingest.nlp_batch_size,
        )
        by_url = dict(zip(texts, annotations, strict=True))
        canonical_of = dict(seen.article_urls)
        for per_feed, plan in zip(outcomes, plans, strict=True):
            for entry, o in zip(plan.to_fetch, per_feed, strict=True):
                if o.article is not None and entry.link:
                    canonical_of[entry.link] = o.article.url
        polls = [steps.assemble_poll(f, p, o, by_url, canonical_of)
                 for f, p, o in zip(fetches, plans, outcomes, strict=True)]
        with writer(db_path) as con:
            summary = write_polls(con, polls)
        # Keep the in-memory view current for the next batch instead of re-reading the database.
        for poll in polls:
            for e in poll.entries:
                if not any(fl.entry_key == e.entry_key for fl in poll.failures):
                    seen.settled.add((poll.feed.url, e.entry_key))
            for a in poll.articles:
                seen.article_urls[a.article.url] = a.article.url
                if a.article.fetched_url:
                    seen.article_urls.setdefault(a.article.fetched_url, a.article.url)
        seen.article_urls.update(canonical_of)
        seen.awaiting_page -= {url for p in plans for _, url in p.refetch}
        report.polled += len(fetches)
        report.not_modified += sum(f.not_modified for f in fetches)
        report.failed += sum(f.error is not None for f in fetches)
        report.failed_feeds += [(f.feed.name, f"{f.error_kind}: {f.error}") for f in fetches if f.error]
        report.article_failures += sum(len(p.failures) for p in polls)
        report.new_entries += summary.new_entries
        report.new_articles += summary.new_articles
        report.new_events += summary.new_events
        if progress:
            progress(len(chunk))


def refresh_stories_and_signals(con: DuckDBPyConnection, settings: Settings) -> None:
    """Place new articles in stories and new events in signals (each step in short transactions)."""
    from flows.signal_rules import linking_params
    from warehouse.signals import update_signals
    from warehouse.stories import update_stories

    update_stories(con)
    update_signals(con, params=linking_params(con, settings.config_dir))


# Up to 32 feeds at a time, so a whole batch ([ingest] feeds_per_batch, 25) fetches at once: its pages
# wait on per-host gaps, not on CPU. The fetcher's global limit ([http] concurrency) still applies.
# The ignore: flow()'s annotation refuses Prefect's own ThreadPoolTaskRunner (PrefectHQ/prefect#16938).
@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=32), log_prints=False)  # type: ignore[arg-type]
def ingest_flow(
    feeds_file: str, db_path: str, config_dir: str | None = None, due_only: bool = True,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Poll the feeds in ``feeds_file`` that are due (all of them without ``due_only``) and store new
    articles, entities and events in ``db_path``."""
    settings = load_settings(Path(config_dir) if config_dir else None)
    feeds = load_feeds(Path(feeds_file))
    return ingest_feeds(feeds, Path(db_path), settings, due_only=due_only, progress=progress)
