"""Records that cross module lines: plain, frozen, serialisable.

Text from outside is cleaned of control characters when a record is built (``extractors.text``).

Fetch and extraction tasks may run on other workers (Prefect with a Dask or Ray
task runner), so everything here is built from str, int, float, bool, None,
tuples and datetime/date values only -- no spaCy objects, no connections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

from extractors.text import clean_fields

Stance = Literal["asserted", "alleged", "denied"]
STANCES: tuple[str, ...] = get_args(Stance)

EVENT_TYPES: tuple[str, ...] = (
    "export_control",
    "distillation_claim",
    "model_launch",
    "access_restriction",
    "security_incident",
    "regulation",
    "partnership",
    "funding_investment",
    "pricing",
    "legal_action",
)

ENTITY_LABELS: tuple[str, ...] = ("ORG", "PERSON", "GPE", "MODEL")


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    entry_key: str  # stable sha256 over guid, else link, else title+date
    guid: str | None
    link: str | None  # absolute URL, canonicalised
    title: str
    summary: str  # plain text
    content: str  # plain text of <content:encoded>/<content>, may be ""
    author: str | None
    published_at: datetime | None  # UTC, None when absent or implausible

    def __post_init__(self) -> None:
        clean_fields(self, lines=("title", "author", "guid"), texts=("summary", "content"))


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed body says about itself and its entries."""

    title: str
    link: str | None
    version: str  # feedparser's version string, e.g. "rss20", "atom10"
    entries: tuple[FeedEntry, ...]
    ttl_minutes: int | None = None  # RSS <ttl>
    warning: str | None = None  # bozo exception text when entries were still readable

    def __post_init__(self) -> None:
        clean_fields(self, lines=("title", "warning"))


@dataclass(frozen=True)
class ArticleText:
    """Main text and metadata read from one article page."""

    url: str  # canonical URL (rel=canonical when present, else the fetched URL), canonicalised
    title: str
    text: str  # main text, paragraphs separated by "\n\n"
    author: str | None = None
    published_at: datetime | None = None  # UTC
    language: str | None = None
    fetched_url: str | None = None  # where the bytes actually came from
    from_feed: bool = False  # True when the page failed and the feed's text stands in

    def __post_init__(self) -> None:
        # Before NLP reads it: mention and evidence offsets index the cleaned text.
        clean_fields(self, lines=("title", "author"), texts=("text",))


@dataclass(frozen=True)
class Mention:
    """An entity mention in an article's text."""

    label: str  # ORG, PERSON, GPE, MODEL (others allowed)
    name: str  # canonical name
    text: str  # surface form as written
    start: int  # character offsets into ArticleText.text
    end: int
    known: bool  # True when the canonical name comes from the gazetteer


@dataclass(frozen=True)
class Evidence:
    sentence: str
    start: int  # character offsets of the sentence into ArticleText.text
    end: int


@dataclass(frozen=True)
class RoleFiller:
    """Who (or what) plays one role of an event: ``role`` from the type's roles in config/event_types.toml."""

    role: str
    name: str  # canonical entity name; for an item (chips, weights) the words as written
    label: str  # ORG, PERSON, GPE, MODEL, or ITEM


@dataclass(frozen=True)
class Event:
    """A typed event read from one article, with its evidence."""

    event_type: str  # one of EVENT_TYPES
    stance: Stance
    actors: tuple[str, ...]  # the parties (ORG, PERSON, GPE) among the role holders, initiator first
    evidence: tuple[Evidence, ...]  # first is the best sentence
    event_date: date
    confidence: float  # in [0, 1]
    extractor_version: str
    roles: tuple[RoleFiller, ...] = ()
    initiator: str | None = None  # the party holding the type's first role (the denier of a denial)
    targets: tuple[str, ...] = ()  # holders of the type's target role (the accused of a denial)

    def role(self, name: str) -> tuple[str, ...]:
        """Names holding one role, in order."""
        return tuple(r.name for r in self.roles if r.role == name)


@dataclass(frozen=True)
class Annotation:
    """Everything the NLP step read from one article."""

    mentions: tuple[Mention, ...] = ()
    events: tuple[Event, ...] = ()
    extractor_version: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
