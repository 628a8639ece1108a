"""The ingest steps as plain functions (no Prefect, no DuckDB).

Each step takes and returns plain serialisable records, so the Prefect tasks
that wrap them can run on a thread pool here or on a Dask/Ray cluster. The
per-process resources they use (the HTTP client, the spaCy pipeline) come from
``flows.resources``.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from extractors.errors import MalformedFeed, NotAFeed
from extractors.models import Annotation, ArticleText, FeedEntry, ParsedFeed
from flows.extraction import Page, PageJob, Settled, settle_article
from flows.network.fetch import FetchFailed, parse_retry_after
from flows.nlp_workers import PagesDone, Pending, nlp_input, nlp_workers_for
from flows.resources import fetcher_for, in_process_nlp, pipeline_for
from flows.settings import HttpSettings, IngestSettings
from warehouse.records import Document, EntryFailure, FeedPoll, FeedSpec, FeedState, FetchRecord

log = logging.getLogger(__name__)


def spread_hosts(feeds: Sequence[FeedSpec]) -> list[FeedSpec]:
    """The feeds reordered so that consecutive ones sit on different hosts where possible.

    Feeds are written in batches and a batch's pages are fetched under the per-host gap, so a
    batch that holds several feeds of one host waits on that host while others stay idle.
    Taking one feed per host in turn (keeping each host's own order) spreads the waiting.
    """
    by_host: dict[str, list[FeedSpec]] = {}
    for feed in feeds:
        by_host.setdefault((urlsplit(feed.url).hostname or "").lower(), []).append(feed)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


@dataclass(frozen=True)
class FeedFetch:
    """The result of polling one feed: a parsed feed, a 304, or a classified failure."""

    feed: FeedSpec
    polled_at: datetime
    status: int | None
    fetch: FetchRecord | None
    parsed: ParsedFeed | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    error_kind: str | None = None
    error: str | None = None
    next_poll_at: datetime | None = None


@dataclass(frozen=True)
class ArticleOutcome:
    entry_key: str
    article: ArticleText | None
    failure: EntryFailure | None  # no article: the entry is skipped, and why
    fetch: FetchRecord | None
    document: Document | None
    # The feed's text stands in: why the page gave none (a transient reason has it fetched again next poll).
    fallback: EntryFailure | None = None
    annotation: Annotation | None = None  # the article's entities and events, when NLP ran with the fetch
    nlp_span: tuple[float, float] | None = None  # when that NLP ran (time.monotonic(), machine-wide)
    extract_span: tuple[float, float] | None = None  # when a worker process extracted it (else: in the fetch)


def freshness_seconds(headers: dict[str, str], now: datetime) -> float | None:
    """How long the server says the response stays fresh: Cache-Control max-age, else Expires."""
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.lower() in ("max-age", "s-maxage") and value.strip().isdigit():
            return float(value.strip())
    # Expires is an HTTP date, which the Retry-After parser reads as well.
    return parse_retry_after(headers.get("expires"), now)


def next_poll_time(
    now: datetime, ingest: IngestSettings, *, failures: int = 0, ttl_minutes: int | None = None,
    retry_after_s: float | None = None, fresh_for_s: float | None = None,
) -> datetime:
    """When to poll again.

    Success: the usual interval, or longer when the feed's <ttl> or the server's
    Cache-Control/Expires ask for it (capped at max_backoff_hours). Failure:
    exponential backoff from the usual interval, at least Retry-After, capped.
    """
    cap = ingest.max_backoff_hours * 3600
    floor = 0.0  # what the server asked for is a minimum, not subject to jitter
    if failures > 0:
        wait = min(ingest.default_poll_minutes * 60 * 2 ** min(failures - 1, 16), cap)
        if retry_after_s:
            floor = min(retry_after_s, cap)
    else:
        wait = min(max(ingest.default_poll_minutes * 60, (ttl_minutes or 0) * 60), cap)
        floor = min(fresh_for_s or 0.0, cap)
    # Jitter so hundreds of feeds do not fall due in the same second.
    return now + timedelta(seconds=max(floor, wait * random.uniform(0.9, 1.1)))


def poll_feed(
    feed: FeedSpec, state: FeedState | None, http: HttpSettings, ingest: IngestSettings
) -> FeedFetch:
    """Conditional GET of one feed, then parse. Never raises for feed problems: they are data."""
    from extractors.feeds import parse_feed

    now = datetime.now(UTC)
    fetcher = fetcher_for(http)
    failures = state.consecutive_failures if state else 0
    try:
        result = fetcher.get(
            feed.url, kind="feed", feed_url=feed.url,
            etag=state.etag if state else None, last_modified=state.last_modified if state else None,
            accept=("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, "
                    "*/*;q=0.1"),
        )
    except FetchFailed as failed:
        return FeedFetch(
            feed=feed, polled_at=now, status=failed.record.status, fetch=failed.record,
            error_kind=failed.error.reason, error=str(failed.error),
            next_poll_at=next_poll_time(now, ingest, failures=failures + 1,
                                        retry_after_s=failed.retry_after_s),
        )
    record = result.record("feed", feed.url)
    etag, last_modified = result.headers.get("etag"), result.headers.get("last-modified")
    fresh_for = freshness_seconds(result.headers, now)
    if result.not_modified:
        return FeedFetch(feed=feed, polled_at=now, status=304, fetch=record, not_modified=True,
                         etag=etag, last_modified=last_modified,
                         next_poll_at=next_poll_time(now, ingest, fresh_for_s=fresh_for))
    try:
        parsed = parse_feed(result.body, url=result.url, headers=result.headers, now=now)
    except (NotAFeed, MalformedFeed) as exc:
        return FeedFetch(feed=feed, polled_at=now, status=result.status, fetch=record, error_kind=exc.reason,
                         error=str(exc), next_poll_at=next_poll_time(now, ingest, failures=failures + 1))
    return FeedFetch(feed=feed, polled_at=now, status=result.status, fetch=record, parsed=parsed,
                     etag=etag, last_modified=last_modified,
                     next_poll_at=next_poll_time(now, ingest, ttl_minutes=parsed.ttl_minutes,
                                                 fresh_for_s=fresh_for))


def fetch_articles(
    feed: FeedSpec, entries: Sequence[FeedEntry], http: HttpSettings, ingest: IngestSettings,
    config_dir: str | None = None,
) -> list[ArticleOutcome]:
    """Fetch and extract each entry's page; fall back to the feed's own text when the page fails.

    A feed's pages usually share one host, so they are fetched as many at a time as the
    per-host limit allows (the limiter in the fetcher still enforces it across feeds).

    With ``config_dir`` the articles are annotated too. With worker processes (``[ingest] workers``
    > 1) the fetched pages go to them in groups of ``NLP_GROUP`` as they come in, and the workers
    extract the main text and annotate it (flows.nlp_workers), so neither holds the GIL of this
    process, which polls, fetches and writes, and the model works while the next pages are still on
    their way (politeness gaps make a feed's pages arrive over seconds). With one worker, pages are
    extracted here as they come and the feed's texts annotated here at the end.
    """
    workers = nlp_workers_for(config_dir, ingest.worker_count) if (
        config_dir is not None and ingest.worker_count > 1) else None
    fetched: list[FetchedPage | None] = [None] * len(entries)
    pending: dict[int, tuple[Pending[PagesDone], int]] = {}  # entry index -> its group on the workers, place
    waiting: list[tuple[int, PageJob]] = []  # fetched, not yet sent
    lock = threading.Lock()

    def send(group: list[tuple[int, PageJob]]) -> None:
        assert workers is not None
        sent = workers.submit_pages([job for _, job in group], ingest.nlp_batch_size)
        for place, (i, _) in enumerate(group):
            pending[i] = (sent, place)

    def one(i: int, entry: FeedEntry) -> ArticleOutcome | None:
        page = fetch_page(feed, entry, http, ingest)
        if workers is None:
            return page.settled(settle_article(page.job))
        fetched[i] = page
        with lock:
            waiting.append((i, page.job))
            group = waiting[:] if len(waiting) >= NLP_GROUP else []
            if group:
                waiting.clear()
        if group:
            send(group)
        return None

    if len(entries) <= 1 or http.per_host_concurrency <= 1:
        settled = [one(i, e) for i, e in enumerate(entries)]
    else:
        with ThreadPoolExecutor(max_workers=http.per_host_concurrency, thread_name_prefix="fetch") as pool:
            settled = list(pool.map(one, range(len(entries)), entries))
    if workers is None:
        outcomes = [o for o in settled if o is not None]
        if config_dir is None:
            return outcomes
        started = time.monotonic()
        annotations = iter(annotate_articles([nlp_input(o.article) for o in outcomes if o.article],
                                             config_dir, ingest.nlp_batch_size))
        span = (started, time.monotonic())
        return [dataclasses.replace(o, annotation=next(annotations), nlp_span=span) if o.article else o
                for o in outcomes]
    if waiting:
        send(waiting)
    results: dict[int, PagesDone] = {}
    for sent, _ in pending.values():
        if id(sent) not in results:
            results[id(sent)] = sent.result()
    out = []
    for i, page in enumerate(fetched):
        assert page is not None
        sent, place = pending[i]
        done = results[id(sent)]
        article, annotation = done.settled[place]
        out.append(dataclasses.replace(page.settled(article), annotation=annotation,
                                       extract_span=(done.started, done.extracted),
                                       nlp_span=(done.extracted, done.finished)))
    return out


# Fetched pages go to the workers this many at a time (the rest of a feed's when its pages are in): spaCy's
# cost per call is paid per group, not per article. Measured on the 200 x 50 benchmark's short articles,
# CPU per article: 15.2 ms one at a time, 10.8 ms five, 10.1 ms ten, 10.6 ms fifty at a time. Few enough
# that the workers start on a feed while its later pages are still on their way (the politeness gap
# spaces them).
NLP_GROUP = 10


@dataclass(frozen=True)
class FetchedPage:
    """One entry's page fetch: the record and document to store, and the job that settles its article."""

    entry_key: str
    fetch: FetchRecord | None
    document: Document | None
    job: PageJob

    def settled(self, settled: Settled) -> ArticleOutcome:
        return ArticleOutcome(self.entry_key, settled.article, settled.failure, self.fetch, self.document,
                              fallback=settled.fallback)


def fetch_page(feed: FeedSpec, entry: FeedEntry, http: HttpSettings, ingest: IngestSettings) -> FetchedPage:
    """Fetch ``entry``'s page (I/O only: what it becomes is ``flows.extraction.settle_article``'s call)."""
    fetch: FetchRecord | None = None
    document: Document | None = None
    page: Page | None = None
    problem: tuple[str, str] | None = None
    if entry.link:
        try:
            result = fetcher_for(http).get(entry.link, kind="article", feed_url=feed.url, untrusted=True,
                                           accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
        except FetchFailed as failed:
            fetch, problem = failed.record, (failed.error.reason, str(failed.error))
        else:
            fetch = result.record("article", feed.url)
            content_type = result.headers.get("content-type")
            document = Document(result.sha256, result.body, content_type)
            page = Page(result.body, result.url, content_type)
    return FetchedPage(entry.entry_key, fetch, document,
                       PageJob(feed.url, entry, page, problem, ingest.min_article_chars))


def fetch_article(
    feed: FeedSpec, entry: FeedEntry, http: HttpSettings, ingest: IngestSettings
) -> ArticleOutcome:
    """Fetch ``entry``'s page and settle its article here, in this thread."""
    page = fetch_page(feed, entry, http, ingest)
    return page.settled(settle_article(page.job))


def annotate_articles(
    texts: Sequence[tuple[str, date | None]], config_dir: str, batch_size: int, workers: int = 1
) -> list[Annotation]:
    """Entities and events for each text, in order (spaCy, batched).

    With more than one worker the texts are shared out among that many processes (flows.nlp_workers);
    with one, NLP runs here, one call at a time.
    """
    if not texts:
        return []
    if workers > 1:
        return nlp_workers_for(config_dir, workers).annotate(texts, batch_size)
    from extractors.nlp import annotate

    with in_process_nlp:
        return list(annotate(pipeline_for(config_dir), texts, batch_size=batch_size))


@dataclass
class Seen:
    """What the database already holds, kept current across the batches of one run."""

    settled: set[tuple[str, str]]  # (feed_url, entry_key) needing no more work
    article_urls: dict[str, str]  # any URL an article is known by -> its canonical URL
    # Articles stored from the feed's text after their page failed transiently: the page is tried again.
    awaiting_page: set[str] = dataclasses.field(default_factory=set)


@dataclass(frozen=True)
class Plan:
    """Which entries of one polled feed need a page fetch, and which point at stored articles."""

    to_fetch: tuple[FeedEntry, ...]
    linked: tuple[tuple[str, str], ...]
    # entry_key -> URL of the article stored from the feed's text, whose page this run fetches again
    refetch: tuple[tuple[str, str], ...] = ()


def plan_entries(
    fetches: Sequence[FeedFetch], seen: Seen, claimed: dict[str, str] | None = None
) -> list[Plan]:
    """Decide per feed what is new; the same link in two feeds is fetched once.

    ``claimed`` (link -> the URL other entries with that link point at) carries the links already
    being fetched across calls, so feeds planned one at a time share it.
    """
    claimed = {} if claimed is None else claimed
    plans = []
    for f in fetches:
        to_fetch, linked, refetch = [], [], []
        if f.parsed is not None:
            for e in f.parsed.entries:
                if (f.feed.url, e.entry_key) in seen.settled:
                    continue
                known = seen.article_urls.get(e.link) if e.link else None
                if known and known in seen.awaiting_page and e.link not in claimed:
                    claimed[e.link or known] = known
                    refetch.append((e.entry_key, known))
                    to_fetch.append(e)
                elif known:
                    linked.append((e.entry_key, known))
                elif e.link and e.link in claimed:
                    linked.append((e.entry_key, claimed[e.link]))
                else:
                    if e.link:
                        claimed[e.link] = e.link
                    to_fetch.append(e)
        plans.append(Plan(tuple(to_fetch), tuple(linked), tuple(refetch)))
    return plans


def chosen_outcomes(outcomes: Iterable[ArticleOutcome]) -> dict[str, ArticleOutcome]:
    """One outcome per article URL: a page's over a feed's stand-in, else the first (as the writer picks)."""
    chosen: dict[str, ArticleOutcome] = {}
    for o in outcomes:
        a = o.article
        if a is not None and (a.url not in chosen or (_from_feed(chosen[a.url]) and not a.from_feed)):
            chosen[a.url] = o
    return chosen


def _from_feed(outcome: ArticleOutcome) -> bool:
    return outcome.article is not None and outcome.article.from_feed


def annotations_by_url(outcomes: Iterable[ArticleOutcome]) -> dict[str, Annotation]:
    """The annotation of each article URL's text, as ``chosen_outcomes`` picks it."""
    return {url: o.annotation for url, o in chosen_outcomes(outcomes).items() if o.annotation is not None}


def keep_stored_urls(plan: Plan, outcomes: Sequence[ArticleOutcome]) -> list[ArticleOutcome]:
    """Outcomes whose page replaces an article stored from the feed's text keep that article's URL.

    Its id, and the stories, signals and links that name it, follow from the URL; the page's own
    address is kept as ``fetched_url``.
    """
    stored = dict(plan.refetch)
    out = []
    for o in outcomes:
        url = stored.get(o.entry_key)
        if url and o.article is not None and o.article.url != url:
            o = dataclasses.replace(o, article=dataclasses.replace(o.article, url=url))
        out.append(o)
    return out


def assemble_poll(
    fetch: FeedFetch, plan: Plan, outcomes: Sequence[ArticleOutcome], annotations: dict[str, Annotation],
    canonical_of: dict[str, str],
) -> FeedPoll:
    """Bundle one feed's results into the record the writer stores atomically.

    Only entries worked on this run are included (fetched, failed or linked); entries
    settled by earlier runs are left as stored.
    """
    from warehouse.records import ArticleRecord

    articles = tuple(
        ArticleRecord(article=o.article, source=fetch.feed.name, feed_url=fetch.feed.url,
                      entry_key=o.entry_key, fetch_id=o.fetch.fetch_id if o.fetch else None,
                      document_sha256=o.document.sha256 if o.document else None,
                      annotation=annotations.get(o.article.url))
        for o in outcomes if o.article is not None
    )
    # An entry linked to a page fetched by another feed in this batch points at that page's
    # canonical URL; if that fetch failed, the entry stays unwritten and is tried next run.
    linked = tuple((key, canonical_of[url]) for key, url in plan.linked if url in canonical_of)
    linked_keys = {key for key, _ in linked}
    processed = tuple(e for e in plan.to_fetch) + tuple(
        e for e in (fetch.parsed.entries if fetch.parsed else ()) if e.entry_key in linked_keys)
    return FeedPoll(
        feed=fetch.feed, polled_at=fetch.polled_at, status=fetch.status, not_modified=fetch.not_modified,
        etag=fetch.etag, last_modified=fetch.last_modified, next_poll_at=fetch.next_poll_at,
        error_kind=fetch.error_kind, error=fetch.error,
        warning=fetch.parsed.warning if fetch.parsed else None,
        feed_title=fetch.parsed.title if fetch.parsed else None,
        entries=processed,
        articles=articles,
        failures=tuple(o.failure for o in outcomes if o.failure is not None),
        fallbacks=tuple(o.fallback for o in outcomes if o.fallback is not None),
        linked=linked,
        fetches=tuple(x for x in [fetch.fetch, *(o.fetch for o in outcomes)] if x is not None),
        documents=tuple(o.document for o in outcomes if o.document is not None),
    )


def credit_first_listing(polls: Sequence[FeedPoll]) -> list[FeedPoll]:
    """Polls whose articles name as source the first of these feeds (in order) that lists them.

    One feed fetches a link several feeds list, whichever was polled first; the article is credited
    to the feed listed first all the same, as when the feeds were handled one after another.
    """
    first: dict[str, FeedSpec] = {}
    for p in polls:
        for a in p.articles:
            first.setdefault(a.article.url, p.feed)
        for _, url in p.linked:
            first.setdefault(url, p.feed)
    return [dataclasses.replace(p, articles=tuple(
        dataclasses.replace(a, source=first[a.article.url].name, feed_url=first[a.article.url].url)
        for a in p.articles)) for p in polls]
