"""The ingest flow: poll feeds, fetch new articles, extract, and write them in short transactions.

Work is computed first (fetching and NLP run in tasks with no database), then one
short transaction stores the feeds that are ready, so readers wait at most for one
write and a crash loses at most the feeds in flight -- which the next run redoes,
with no duplicates because every row has a stable key. Feeds move through the run
each at its own pace: a slow one holds up only itself.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from prefect import flow, task
from prefect.futures import PrefectFuture

from flows import steps
from flows.nlp_workers import nlp_workers_closed
from flows.resources import fetchers_closed
from flows.run_view import name_ingest_run, project_logs_to_run, publish_ingest_report, run_logger
from flows.settings import Settings, load_feeds, load_settings
from flows.stage_clock import StageClock
from flows.task_runners import task_runner, workers_ready
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
    pages_replacing_feed_text: int = 0  # articles stored from the feed's text whose page came this run
    failed_feeds: list[tuple[str, str]] = field(default_factory=list)
    started_at: float = 0.0  # time.monotonic() when the flow's own work began (after Prefect's start-up)
    elapsed_s: float = 0.0  # from then to the end of the run
    articles_annotated: int = 0
    stage_s: dict[str, float] = field(default_factory=dict)  # busy time per stage (flows.stage_clock)


# Run names say which feed (Prefect fills them from the call's parameters).
poll_feed_task = task(name="poll-feed", task_run_name="poll · {feed.name}")(steps.poll_feed)
fetch_articles_task = task(name="fetch-articles", task_run_name="fetch · {feed.name}")(steps.fetch_articles)


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
    report = IngestReport(feeds=len(feeds), started_at=time.monotonic())
    clock = StageClock()
    t = time.monotonic()
    with writer(db_path) as con:
        register_feeds(con, feeds)
        states = feed_states(con)
        seen = steps.Seen(settled=settled_entry_keys(con), article_urls=known_article_urls(con),
                          awaiting_page=articles_awaiting_page(con))
    clock.add("read state", t)
    if due_only:
        now = datetime.now(UTC).replace(tzinfo=None)
        due = [f for f in feeds if (st := states.get(f.url)) is None or st.next_poll_at is None
               or st.next_poll_at <= now]
        report.not_due = len(feeds) - len(due)
        feeds = due
    # The NLP workers end here, before stories and signals; on Dask the run's workers are prepared first.
    with fetchers_closed(), nlp_workers_closed(), workers_ready(settings) as run_settings:
        _run_pipeline(feeds, db_path, run_settings, states, seen, report, progress, clock)
    with writer(db_path) as con:
        if report.new_articles:
            t = time.monotonic()
            refresh_stories_and_signals(con, settings)
            clock.add("stories+signals", t)
        # Outside tools read the Parquet snapshot, never the locked file (docs/bi.md).
        t = time.monotonic()
        publish_snapshot(con, db_path)
        clock.add("snapshot", t)
    report.elapsed_s = time.monotonic() - report.started_at
    report.stage_s = clock.busy()
    return report


# A feed that is ready is written with those ready at about the same time: at most this long after
# the first of them, so no feed waits on a slow one, and writes still come in groups.
WRITE_WITHIN_S = 1.0


@dataclass
class _Flight:
    """One feed on its way through a run: polled, then its pages fetched, then annotated and written."""

    feed: FeedSpec
    fetch: steps.FeedFetch | None = None
    plan: steps.Plan | None = None
    outcomes: list[steps.ArticleOutcome] | None = None
    waits_for: set[int] = field(default_factory=set)  # feeds fetching pages this one's entries link to


def _run_pipeline(
    feeds: Sequence[FeedSpec], db_path: Path, settings: Settings, states: dict[str, FeedState],
    seen: steps.Seen, report: IngestReport, progress: Callable[[int], None] | None, clock: StageClock,
) -> None:
    """Poll, fetch, annotate and write ``feeds``, each feed moving on as soon as its own work is done.

    Up to ``[ingest] feeds_per_batch`` feeds are in flight at once. Each page is extracted and annotated
    (in ``[ingest] workers`` processes) as soon as it is fetched, while the next pages are fetched. A
    feed whose pages are in and annotated is written with the feeds ready at about the same time
    (WRITE_WITHIN_S), and its place goes to the next feed, so a slow feed holds up only itself. A
    feed waits only for the feeds fetching pages its own entries link to, and for the feeds listed
    before it on its own host: an outlet's feeds are written in the order of the feeds file, so the
    first of them to list an article names its source (feeds of one host share its politeness
    limits, so they are slow together anyway). ``seen`` and ``report`` are updated.
    """
    http, ingest = settings.http, settings.ingest
    per_batch = max(1, ingest.feeds_per_batch)
    order = steps.spread_hosts(feeds)
    # Callbacks run on the task runner's threads: they only hand the finished future to this thread.
    finished: queue.SimpleQueue[tuple[int, PrefectFuture[Any]]] = queue.SimpleQueue()
    flights: dict[int, _Flight] = {}
    claimed: dict[str, str] = {}  # link -> URL its entries point at (steps.plan_entries)
    claimer: dict[str, int] = {}  # link -> the feed fetching it
    hosts = [(urlsplit(f.url).hostname or "").lower() for f in order]
    admitted = 0

    def submitted(key: int, stage: str, fut: PrefectFuture[Any]) -> None:
        started = time.monotonic()

        def done(f: PrefectFuture[Any]) -> None:
            clock.add(stage, started)
            finished.put((key, f))

        fut.add_done_callback(done)

    def admit() -> None:
        nonlocal admitted
        while admitted < len(order) and len(flights) < per_batch:
            i, feed = admitted, order[admitted]
            flights[i] = _Flight(feed)
            submitted(i, "poll", poll_feed_task.submit(feed, states.get(feed.url), http, ingest))
            admitted += 1

    def polled(i: int, fetch: steps.FeedFetch) -> None:
        flight = flights[i]
        flight.fetch = fetch
        flight.plan = plan = steps.plan_entries([fetch], seen, claimed)[0]
        for e in plan.to_fetch:
            if e.link:
                claimer[e.link] = i
        flight.waits_for = {claimer[url] for _, url in plan.linked if claimer.get(url, i) != i}
        if plan.to_fetch:
            submitted(i, "fetch+extract", fetch_articles_task.submit(
                fetch.feed, list(plan.to_fetch), http, ingest, str(settings.config_dir)))
        else:
            flight.outcomes = []

    def fetched(i: int, outcomes: list[steps.ArticleOutcome]) -> None:
        flight = flights[i]
        assert flight.plan is not None
        flight.outcomes = steps.keep_stored_urls(flight.plan, outcomes)
        for o in outcomes:
            if o.extract_span:
                clock.add("extract", *o.extract_span)
            if o.nlp_span:
                clock.add("nlp", *o.nlp_span)
        # Known from now on: feeds polled later link to these articles instead of fetching them again.
        for entry, o in zip(flight.plan.to_fetch, flight.outcomes, strict=True):
            if o.article is not None:
                seen.article_urls[o.article.url] = o.article.url
                if o.article.fetched_url:
                    seen.article_urls.setdefault(o.article.fetched_url, o.article.url)
                if entry.link:
                    seen.article_urls[entry.link] = o.article.url

    def is_ready(i: int, flight: _Flight) -> bool:
        before = {j for j in flights if j < i and hosts[j] == hosts[i]}
        return flight.outcomes is not None and all(
            j not in flights or flights[j].outcomes is not None for j in flight.waits_for | before)

    # Writes go to one thread, one at a time (one writer, and a crash loses at most the batch being written
    # and the one being gathered), so this loop keeps starting fetches while DuckDB writes: done here, each
    # write held up every feed polled meanwhile (about 0.3 s, 80 times on the 200 x 50 benchmark).
    writing: Future[None] | None = None

    def write(batch: list[_Flight]) -> None:
        t = time.monotonic()
        _write_ready(batch, db_path, seen, report)
        clock.add("write", t)
        if progress:
            progress(len(batch))

    admit()
    first_ready_at: float | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="write") as writer_thread:
        while flights:
            wait_s = None if first_ready_at is None else first_ready_at + WRITE_WITHIN_S - time.monotonic()
            try:
                i, fut = finished.get(timeout=None if wait_s is None else max(0.0, wait_s))
            except queue.Empty:
                pass
            else:
                if flights[i].fetch is None:
                    polled(i, fut.result())
                else:
                    fetched(i, fut.result())  # NLP workers that died twice on its articles end the run here
            ready = [i for i, f in flights.items() if is_ready(i, f)]  # in the feeds' order
            if ready and first_ready_at is None:
                first_ready_at = time.monotonic()
            if ready and (len(ready) == len(flights) or len(ready) >= per_batch
                          or time.monotonic() >= (first_ready_at or 0.0) + WRITE_WITHIN_S):
                if writing is not None:
                    writing.result()  # the previous batch is stored (or its error ends the run here)
                writing = writer_thread.submit(write, [flights.pop(i) for i in ready])
                first_ready_at = None
                admit()
        if writing is not None:
            writing.result()


def _write_ready(ready: Sequence[_Flight], db_path: Path, seen: steps.Seen, report: IngestReport) -> None:
    """Store everything these feeds brought, with their annotations, in one transaction."""
    fetches = [f.fetch for f in ready if f.fetch is not None]
    plans = [f.plan for f in ready if f.plan is not None]
    outcomes = [f.outcomes for f in ready if f.outcomes is not None]
    by_url = steps.annotations_by_url(o for per_feed in outcomes for o in per_feed)
    report.articles_annotated += len(by_url)
    polls = steps.credit_first_listing([steps.assemble_poll(f, p, o, by_url, seen.article_urls)
                                        for f, p, o in zip(fetches, plans, outcomes, strict=True)])
    with writer(db_path) as con:
        summary = write_polls(con, polls)
    # Keep the in-memory view current for the feeds still to come instead of re-reading the database.
    for poll in polls:
        for e in poll.entries:
            if not any(fl.entry_key == e.entry_key for fl in poll.failures):
                seen.settled.add((poll.feed.url, e.entry_key))
    seen.awaiting_page -= {url for p in plans for _, url in p.refetch}
    report.polled += len(fetches)
    report.not_modified += sum(f.not_modified for f in fetches)
    report.failed += sum(f.error is not None for f in fetches)
    report.failed_feeds += [(f.feed.name, f"{f.error_kind}: {f.error}") for f in fetches if f.error]
    report.article_failures += sum(len(p.failures) for p in polls)
    report.new_entries += summary.new_entries
    report.new_articles += summary.new_articles
    report.new_events += summary.new_events
    report.pages_replacing_feed_text += summary.pages_replacing_feed_text


def refresh_stories_and_signals(con: DuckDBPyConnection, settings: Settings) -> None:
    """Place new articles in stories and new events in signals (each step in short transactions)."""
    from flows.signal_rules import linking_params
    from warehouse.signals import update_signals
    from warehouse.stories import update_stories

    update_stories(con)
    update_signals(con, params=linking_params(con, settings.config_dir))


# Threads unless the caller picks a runner: ingest_flow.with_options(task_runner=...) (flows.task_runners).
@flow(name="ingest", task_runner=task_runner("threads"), log_prints=False)
def ingest_flow(
    feeds_file: str, db_path: str, config_dir: str | None = None, due_only: bool = True,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Poll the feeds in ``feeds_file`` that are due (all of them without ``due_only``) and store new
    articles, entities and events in ``db_path``."""
    project_logs_to_run()
    settings = load_settings(Path(config_dir) if config_dir else None)
    feeds = load_feeds(Path(feeds_file))
    return report_ingest(ingest_feeds(feeds, Path(db_path), settings, due_only=due_only, progress=progress))


# Named for Prefect's UI after what it polls (flows.run_view), kept apart from the runner choice above.
ingest_flow = ingest_flow.with_options(flow_run_name=name_ingest_run)


def report_ingest(report: IngestReport) -> IngestReport:
    """The report in the run's log and as the run's artifacts (flows.run_view); returns it."""
    run_logger().info(
        "%d feeds: %d not due, %d polled (%d not modified, %d failed); %d new entries, %d new articles, "
        "%d new events, %d article failures", report.feeds, report.not_due, report.polled,
        report.not_modified, report.failed, report.new_entries, report.new_articles, report.new_events,
        report.article_failures)
    for name, error in report.failed_feeds:
        # INFO, not WARNING: the command prints these itself, and its terminal shows Prefect's WARNINGs.
        run_logger().info("feed failed: %s: %s", name, error)
    publish_ingest_report(report)
    return report
