"""The write contract: what a poll/extract run hands to the single writer.

Plain frozen dataclasses (no SQL, no duckdb import) so flows and distributed
task runners can build and ship them. Text in them is cleaned of control characters
when they are built (``extractors.text``): titles, names and messages are one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from extractors.models import Annotation, ArticleText, FeedEntry
from extractors.text import clean_fields


@dataclass(frozen=True)
class FeedSpec:
    """A feed as the user configured it."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    owner: str | None = None  # outlets with one owner count once for corroboration

    def __post_init__(self) -> None:
        clean_fields(self, lines=("name", "owner"))


@dataclass(frozen=True)
class FeedState:
    """What the database remembers about a feed between polls."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None


@dataclass(frozen=True)
class FetchRecord:
    """One HTTP exchange (or attempt), kept for provenance and health."""

    fetch_id: str
    url: str
    kind: str  # "feed" | "article"
    started_at: datetime
    status: int | None  # HTTP status; None when no response arrived
    error_kind: str | None = None  # transient/permanent reason code
    error: str | None = None
    content_sha256: str | None = None
    content_type: str | None = None
    bytes: int = 0
    elapsed_ms: int = 0
    feed_url: str | None = None

    def __post_init__(self) -> None:
        clean_fields(self, lines=("error",))


@dataclass(frozen=True)
class Document:
    """Raw fetched bytes, content-addressed, so extraction can be re-run offline."""

    sha256: str
    body: bytes
    content_type: str | None


@dataclass(frozen=True)
class ArticleRecord:
    """An article ready to store: its text, where it came from, and what NLP read."""

    article: ArticleText
    source: str  # outlet (feed) name
    feed_url: str
    entry_key: str
    fetch_id: str | None
    document_sha256: str | None
    annotation: Annotation | None = None


@dataclass(frozen=True)
class EntryFailure:
    feed_url: str
    entry_key: str
    url: str | None
    reason: str
    message: str

    def __post_init__(self) -> None:
        clean_fields(self, lines=("message",))


@dataclass(frozen=True)
class FeedPoll:
    """Everything one poll of one feed produced; written in one transaction."""

    feed: FeedSpec
    polled_at: datetime
    status: int | None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: datetime | None = None
    error_kind: str | None = None
    error: str | None = None
    warning: str | None = None
    feed_title: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    articles: tuple[ArticleRecord, ...] = ()
    failures: tuple[EntryFailure, ...] = ()
    # (entry_key, article_url): entries whose article is already stored (seen via another feed)
    linked: tuple[tuple[str, str], ...] = ()
    fetches: tuple[FetchRecord, ...] = ()
    documents: tuple[Document, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        clean_fields(self, lines=("error", "warning", "feed_title"))

    @property
    def failed(self) -> bool:
        return self.error is not None
