"""What one fetched page (or the failure to fetch it) becomes: the article stored for a feed entry.

The page's main text when it has enough (trafilatura), else the feed's own text standing in, else a short
brief from the page, else the entry's recorded failure. Pure and CPU-bound: it runs in an NLP worker
process beside the annotation (``flows.nlp_workers``), or in the fetching thread when NLP runs in the
flow's own process. Both sides of the process boundary see only the plain frozen records below.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from extractors.errors import NewsignalError
from extractors.models import ArticleText, FeedEntry
from warehouse.records import EntryFailure

log = logging.getLogger(__name__)

# An extraction that raises anything but a NewsignalError (a bug or a page that trips a library) is this
# entry's problem, recorded like any other, not the run's: the feed's text stands in, the rest go on.
EXTRACTION_ERROR = "extraction_error"


@dataclass(frozen=True)
class Page:
    """A fetched page: its bytes, the address they came from (after redirects) and its Content-Type."""

    body: bytes
    url: str
    content_type: str | None


@dataclass(frozen=True)
class PageJob:
    """One entry to settle: its fetched page, or why there is none (``problem``: reason, message)."""

    feed_url: str
    entry: FeedEntry
    page: Page | None
    problem: tuple[str, str] | None
    min_chars: int


@dataclass(frozen=True)
class Settled:
    """The article an entry gets (None: skipped, ``failure`` says why); ``fallback`` when the feed's
    text stands in for a page that gave none."""

    article: ArticleText | None
    failure: EntryFailure | None
    fallback: EntryFailure | None = None


def settle_article(job: PageJob) -> Settled:
    """The article for ``job``'s entry: the page's, the feed's stand-in, a short brief, or none."""
    from extractors.article import BRIEF_MIN_CHARS, article_from_feed_entry, extract_article

    entry, page = job.entry, job.page
    problem = job.problem
    if page is not None:
        try:
            article = extract_article(page.body, page.url, min_chars=job.min_chars,
                                      content_type=page.content_type)
            return Settled(_dated(article, entry), None)
        except NewsignalError as exc:
            problem = (exc.reason, str(exc))
        except Exception as exc:  # noqa: BLE001 -- see EXTRACTION_ERROR
            log.warning("extraction of %s failed: %r", page.url, exc,
                        extra={"article_url": page.url, "stage": "extract"})
            problem = (EXTRACTION_ERROR,
                       f"{page.url}: main-text extraction failed: {type(exc).__name__}: {exc}")
    reason, message = problem or ("no_link", "entry has no link and no text")
    failure = EntryFailure(job.feed_url, entry.entry_key, entry.link, reason, message)
    from_feed: ArticleText | None
    try:
        from_feed = article_from_feed_entry(entry, feed_url=job.feed_url)
    except NewsignalError:
        from_feed = None
    if from_feed is not None and from_feed.text.strip():
        if not entry.link:
            # No page of its own: give it an address that is unique to this entry of this feed.
            from_feed = dataclasses.replace(from_feed, url=f"{job.feed_url}#entry-{entry.entry_key[:16]}")
        log.info("using feed text for %s (%s)", entry.link, reason,
                 extra={"article_url": entry.link, "stage": "article"})
        return Settled(from_feed, None, fallback=failure if problem else None)
    if page is not None and reason == "too_short":
        # Nothing longer exists, in the page or the feed: a short news brief is still news. Kept, marked.
        try:
            brief = extract_article(page.body, page.url, min_chars=BRIEF_MIN_CHARS,
                                    content_type=page.content_type)
        except Exception:  # noqa: BLE001 -- it already passed this far once; no brief then
            pass
        else:
            return Settled(dataclasses.replace(_dated(brief, entry), short=True), None)
    return Settled(None, failure)


def _dated(article: ArticleText, entry: FeedEntry) -> ArticleText:
    """The page's date, else the feed's."""
    if article.published_at is None and entry.published_at is not None:
        return dataclasses.replace(article, published_at=entry.published_at)
    return article
