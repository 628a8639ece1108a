"""Turn a feed body (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into a ``ParsedFeed``.

Pure: bytes and response headers in, records out. feedparser does the parsing;
this module decides what counts as a feed, gives every entry a stable key, and
turns HTML fragments into plain text.
"""

from __future__ import annotations

import calendar
import hashlib
import html as html_lib
import io
import logging
import re
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from bs4 import BeautifulSoup

from extractors.errors import MalformedFeed, NotAFeed
from extractors.models import FeedEntry, ParsedFeed
from extractors.urls import canonicalize_url, discover_feed_links, is_fetchable_scheme

logger = logging.getLogger(__name__)

__all__ = ["entry_key", "html_to_text", "parse_feed", "plausible_published_at"]

# Nothing we care about was published on the web before this; earlier dates
# are epoch-0 placeholders or parse accidents.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
# Clock skew and time zones mislabelled by a few hours are common; more than a
# day ahead means the date is wrong (a scheduled post or a swapped day/month).
FUTURE_TOLERANCE = timedelta(days=1)

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "table", "tr", "section", "article", "figure", "figcaption", "hr", "dd", "dt",
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ENTITY = re.compile(r"&(#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
_EMAIL_WITH_NAME = re.compile(r"^\s*\S+@\S+\s+\((?P<name>[^)]+)\)\s*$")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.I | re.S)


def plausible_published_at(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """Return ``value`` in UTC, or None when absent, before 1995 or more than a day after ``now``.

    Naive datetimes are taken to be UTC.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if value < EARLIEST_PLAUSIBLE or value > now + FUTURE_TOLERANCE:
        return None
    return value


def html_to_text(fragment: str) -> str:
    """Return the plain text of an HTML fragment, paragraphs separated by a blank line.

    Scripts and styles are dropped, entities decoded, runs of spaces collapsed.
    Returns "" for empty input; never raises for malformed markup.
    """
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return _tidy_text(html_lib.unescape(fragment))
    soup = BeautifulSoup(fragment, "lxml")
    for node in soup.find_all(_DROP_TAGS):
        node.decompose()
    for node in soup.find_all(_BLOCK_TAGS):
        # Mark block boundaries so that get_text() does not glue paragraphs together.
        node.insert_before("\n\n")
        node.insert_after("\n\n")
    return _tidy_text(soup.get_text())


def _tidy_text(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    joined = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", joined).strip()


def entry_key(
    *,
    guid: str | None,
    link: str | None,
    title: str,
    published_at: datetime | None,
    fallback_text: str = "",
    feed_url: str = "",
    link_is_shared: bool = False,
) -> str | None:
    """Return the entry's stable key: sha256 hex over GUID, else link, else title + date.

    Order as in miniflux. ``link`` must already be canonical. GUIDs that are
    not URIs ("123", "post-5") are only unique inside their feed, so they are
    hashed together with ``feed_url``; URI-like GUIDs (``https:``, ``tag:``,
    ``urn:``) are hashed alone, so the same story keeps its key whichever feed
    carries it. ``link_is_shared`` says that several GUID-less entries of the
    feed point at the same page (a news page listing every post); the link
    then cannot tell them apart and title + date are added to it. When title
    and date are both missing, ``fallback_text`` (the summary) stands in.
    Returns None when there is nothing to key on.
    """
    stamp = published_at.isoformat() if published_at else ""
    if guid:
        scoped = guid if _looks_like_uri(guid) else f"{feed_url}\x1f{guid}"
        material = "guid\x1f" + scoped
    elif link and not link_is_shared:
        material = "link\x1f" + link
    elif link:
        material = f"link+title\x1f{link}\x1f{title}\x1f{stamp}\x1f{'' if title or stamp else fallback_text}"
    elif title or published_at:
        material = f"title\x1f{feed_url}\x1f{title}\x1f{stamp}"
    elif fallback_text:
        material = f"text\x1f{feed_url}\x1f{fallback_text}"
    else:
        return None
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _looks_like_uri(guid: str) -> bool:
    scheme, sep, rest = guid.partition(":")
    return bool(sep and rest and scheme.isascii() and scheme.isalpha() and len(scheme) > 1)


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed body fetched from ``url`` into a ``ParsedFeed``.

    ``headers`` are the HTTP response headers; their charset wins over the XML
    declaration, as the HTTP rules say. Relative links resolve against ``url``.
    A feed that is not well-formed but whose entries are readable is kept, with
    the parser's complaint in ``ParsedFeed.warning``. Entries repeating an
    earlier entry's key are dropped (first one wins).

    Raises:
        NotAFeed: the body is empty, an HTML page, or anything else in which
            feedparser finds neither a feed version nor entries. The message
            says what the body looked like.
        MalformedFeed: the feed broke off or is not well-formed before any entry
            could be read (a truncated download); the message carries the parser's
            complaint.
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    # Passing any header makes feedparser apply HTTP rules, and a missing
    # Content-Type would then be reported as bozo ("no Content-type specified").
    # application/xml without charset means: trust the BOM / XML declaration,
    # which is exactly what feedparser does for bytes with no headers at all.
    response_headers.setdefault("content-type", "application/xml")
    # Bytes in a file object, never a str: feedparser would treat a str as a URL or path.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not version and not raw_entries:
        raise NotAFeed(_not_a_feed_message(body, url, response_headers, parsed))

    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        warning = f"{type(exc).__name__}: {exc}" if exc is not None else "feed is not well-formed"
        logger.info("feed parsed with a warning: %s", warning, extra={"feed_url": url, "stage": "parse"})

    drafts = [_draft_entry(raw, feed_url=url, now=now) for raw in raw_entries]
    guidless_links = Counter(d["link"] for d in drafts if d["link"] and not d["guid"])
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for draft, raw in zip(drafts, raw_entries, strict=True):
        entry = _entry_from(
            draft, raw, feed_url=url, link_is_shared=guidless_links[draft["link"]] > 1
        )
        if entry is None:
            continue
        if entry.entry_key in seen:
            logger.debug("dropping repeated entry %s", entry.entry_key, extra={"feed_url": url})
            continue
        seen.add(entry.entry_key)
        entries.append(entry)

    exc = parsed.get("bozo_exception")
    # Zero entries is news only from a well-formed feed: from a broken one it is the damage talking.
    # (feedparser's "nobody cares" complaints, e.g. a charset declared wrongly, break nothing.)
    if not entries and parsed.get("bozo") and not isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe):
        raise MalformedFeed(f"{url}: the feed breaks off or is not well-formed before its first entry "
                            f"({warning}); a truncated download?")
    feed_meta = parsed.get("feed") or {}
    return ParsedFeed(
        title=_text_of(feed_meta, "title"),
        link=_canonical_or_none(feed_meta.get("link"), url),
        version=version,
        entries=tuple(entries),
        ttl_minutes=_ttl_minutes(feed_meta.get("ttl")),
        warning=warning,
    )


def _draft_entry(raw: Mapping[str, Any], *, feed_url: str, now: datetime | None) -> dict[str, Any]:
    return {
        "guid": (raw.get("id") or "").strip() or None,
        "link": _canonical_or_none(raw.get("link"), feed_url),
        "title": _text_of(raw, "title"),
        "summary": _text_of(raw, "summary"),
        "content": _content_text(raw),
        "author": _author(raw),
        "published_at": plausible_published_at(
            _struct_to_utc(_raw_field(raw, "published_parsed") or _raw_field(raw, "updated_parsed")), now=now
        ),
    }


def _entry_from(
    draft: dict[str, Any], raw: Mapping[str, Any], *, feed_url: str, link_is_shared: bool
) -> FeedEntry | None:
    key = entry_key(
        guid=draft["guid"],
        link=draft["link"],
        title=draft["title"],
        published_at=draft["published_at"],
        fallback_text=draft["summary"] or draft["content"] or _raw_markup(raw),
        feed_url=feed_url,
        link_is_shared=link_is_shared,
    )
    if key is None:
        logger.debug("skipping entry with no guid, link, title, date or text", extra={"feed_url": feed_url})
        return None
    return FeedEntry(entry_key=key, **draft)


def _raw_field(raw: Mapping[str, Any], name: str) -> Any:
    # dict.get bypasses FeedParserDict's key aliasing, which maps a missing
    # updated_parsed to published_parsed with a DeprecationWarning.
    return dict.get(raw, name) if isinstance(raw, dict) else raw.get(name)


def _raw_markup(raw: Mapping[str, Any]) -> str:
    # An image-only description has no text but still identifies the entry.
    parts = [raw.get("summary") or ""] + [c.get("value") or "" for c in raw.get("content") or []]
    return "".join(parts).strip()


def _text_of(node: Mapping[str, Any], field: str) -> str:
    value = node.get(field) or ""
    detail = node.get(f"{field}_detail") or {}
    if "html" in (detail.get("type") or ""):
        return html_to_text(value)
    text = _tidy_text(value)
    # Some feeds escape entities twice ("&amp;#8211;"), so a literal entity survives parsing.
    return html_lib.unescape(text) if _ENTITY.search(text) else text


def _content_text(raw: Mapping[str, Any]) -> str:
    """Plain text of <content:encoded>/<content>; the longest part when several are given."""
    texts = []
    for part in raw.get("content") or []:
        value = part.get("value") or ""
        texts.append(html_to_text(value) if "html" in (part.get("type") or "html") else _tidy_text(value))
    return max(texts, key=len, default="")


def _author(raw: Mapping[str, Any]) -> str | None:
    name = (raw.get("author_detail") or {}).get("name") or raw.get("author") or ""
    match = _EMAIL_WITH_NAME.match(name)  # RSS <author> is "email (Name)"
    name = _tidy_text(match.group("name") if match else name)
    return name or None


def _canonical_or_none(link: str | None, base: str) -> str | None:
    if not link:
        return None
    try:
        canonical = canonicalize_url(link, base)
    except ValueError:
        logger.debug("unusable link %r", link, extra={"feed_url": base})
        return None
    return canonical if is_fetchable_scheme(canonical) else None


def _struct_to_utc(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:  # feedparser's *_parsed values are already UTC
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _ttl_minutes(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if minutes > 0 else None


def _not_a_feed_message(
    body: bytes, url: str, headers: Mapping[str, str], parsed: Mapping[str, Any]
) -> str:
    if not body.strip():
        return f"{url}: the response body is empty, not a feed"
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/html", "application/xhtml+xml") or _HTML_START.match(body[:2048]):
        message = f"{url}: this is an HTML page, not a feed; try `newsignal feeds discover {url}`"
        try:
            advertised = discover_feed_links(body, url)
        except Exception:  # noqa: BLE001 - the hint is optional; the error is what matters
            advertised = []
        if advertised:
            message += " (the page advertises: " + ", ".join(advertised[:5]) + ")"
        return message
    start = body[:60].decode("utf-8", "replace").strip().replace("\n", " ")
    problem = parsed.get("bozo_exception")
    detail = f"; the parser said: {problem}" if problem else ""
    return (
        f"{url}: no RSS, Atom or RDF feed and no entries found in {len(body)} bytes "
        f"starting {start!r}{detail}"
    )
