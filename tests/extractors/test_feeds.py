"""parse_feed on hand-written fixtures, and on every feed of the shared corpus."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from extractors.errors import MalformedFeed, NotAFeed, PermanentError
from extractors.feeds import entry_key, html_to_text, parse_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FEEDS = FIXTURES / "feeds"
SHARED_FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "feeds"
NOW = datetime(2025, 6, 10, tzinfo=UTC)
NEWSROOM_URL = "https://example-lab.test/newsroom/feed.xml"


@pytest.fixture
def newsroom():
    return parse_feed((FEEDS / "rss20_newsroom.xml").read_bytes(), url=NEWSROOM_URL, now=NOW)


def test_rss20_feed_metadata(newsroom) -> None:
    assert newsroom.version == "rss20"
    assert newsroom.title == "Example Lab Newsroom"
    assert newsroom.link == "https://example-lab.test/newsroom/"  # relative, resolved against the feed URL
    assert newsroom.ttl_minutes == 45
    assert newsroom.warning is None


def test_rss20_entry_fields(newsroom) -> None:
    first = newsroom.entries[0]
    assert first.title == "Example Lab ships Orion-2 & a smaller sibling"
    assert first.guid == "newsroom-0001"
    assert first.link == "https://example-lab.test/newsroom/orion-2?lang=en"
    assert first.summary == "The model is twice as fast.\n\nPricing follows next week."
    assert first.content == ("Orion-2 is twice as fast as its predecessor.\n\n"
                             "A smaller sibling, Orion-2 Mini, targets phones.")
    assert "track()" not in first.content
    assert first.author == "Ada Example"
    assert first.published_at == datetime(2025, 6, 3, 7, 30, tzinfo=UTC)
    assert len(first.entry_key) == 64 and int(first.entry_key, 16) >= 0


def test_shared_guid_keeps_first_entry(newsroom) -> None:
    titles = [e.title for e in newsroom.entries]
    assert "Repeated GUID: this copy must be dropped" not in titles
    assert len({e.entry_key for e in newsroom.entries}) == len(newsroom.entries) == 4


def test_missing_future_and_ancient_dates_become_none(newsroom) -> None:
    by_title = {e.title: e for e in newsroom.entries}
    assert by_title["Undated note on chip supply"].published_at is None
    assert by_title["Scheduled post with a date far ahead"].published_at is None
    assert by_title["Placeholder epoch date"].published_at is None
    assert by_title["Undated note on chip supply"].link == "https://example-lab.test/newsroom/chips"


def test_atom_feed() -> None:
    feed = parse_feed(
        (FEEDS / "atom10_lab_blog.xml").read_bytes(), url="https://blog.example-lab.test/atom.xml", now=NOW
    )
    assert feed.version == "atom10"
    assert feed.title == "Example Lab Blog"
    assert feed.link == "https://blog.example-lab.test/"
    assert feed.ttl_minutes is None
    first, second = feed.entries
    assert first.title == "Evaluating Orion-2 on long contexts"  # type="html" title made plain
    assert first.link == "https://blog.example-lab.test/posts/long-context-eval?page=2"  # xml:base + tracking
    assert first.author == "Grace Sample"
    assert first.content == "Setup\n\nWe hid one fact in a long document."
    assert first.published_at == datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
    assert second.published_at == datetime(2025, 6, 5, 7, 15, tzinfo=UTC)  # updated, in UTC
    assert second.summary == "Plain text summary <not a tag>."


def test_bozo_feed_with_readable_entries_is_kept_with_warning() -> None:
    feed = parse_feed((FEEDS / "bozo_readable.xml").read_bytes(), url="https://broken.example.test/rss",
                      now=NOW)
    assert feed.warning and "not well-formed" in feed.warning
    assert [e.title for e in feed.entries] == ["Chips & export rules, a bare ampersand",
                                               "Second item survives"]


def test_a_feed_broken_off_before_its_first_entry_is_malformed_not_empty() -> None:
    whole = (FEEDS / "rss20_newsroom.xml").read_bytes()
    cut = whole[:whole.index(b"<item")]  # what a truncated download leaves: the channel and no entry
    with pytest.raises(MalformedFeed) as caught:
        parse_feed(cut, url="https://newsroom.example.test/rss", now=NOW)
    assert caught.value.reason == "malformed_feed"
    assert "SAXParseException" in str(caught.value)


def test_a_well_formed_feed_without_entries_is_an_empty_feed() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, url="https://quiet.example.test/rss", now=NOW).entries == ()


def test_html_page_is_not_a_feed_and_message_says_what_to_do() -> None:
    body = (FIXTURES / "pages" / "not_a_feed.html").read_bytes()
    with pytest.raises(NotAFeed) as caught:
        parse_feed(body, url="https://example-lab.test/newsroom/", headers={"Content-Type": "text/html"})
    message = str(caught.value)
    assert "HTML page, not a feed" in message
    assert "newsignal feeds discover https://example-lab.test/newsroom/" in message
    assert "https://example-lab.test/newsroom/feed.xml" in message  # the advertised feed, as a hint
    assert caught.value.reason == "not_a_feed"
    assert isinstance(caught.value, PermanentError)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [(b"", "empty"), (b"   \n", "empty"), (b'{"data": [1, 2]}', "no RSS, Atom or RDF feed"),
     (b"<p>Just a fragment</p>", "no RSS, Atom or RDF feed")],
)
def test_other_non_feeds(body: bytes, fragment: str) -> None:
    with pytest.raises(NotAFeed, match=fragment):
        parse_feed(body, url="https://example.test/x")


def test_http_charset_overrides_xml_declaration() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\u00e9</title>'
        "<item><title>Prix \u2013 \u00e9t\u00e9</title><link>https://example.test/a</link></item></channel></rss>"
    ).encode("cp1252")
    feed = parse_feed(body, url="https://example.test/rss",
                      headers={"Content-Type": "text/xml; charset=windows-1252"})
    assert feed.title == "Caf\u00e9"
    assert feed.entries[0].title == "Prix \u2013 \u00e9t\u00e9"


def test_cp1252_bytes_declared_as_utf8_are_still_read() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Caf\u00e9 \u201cquoted\u201d</title><link>https://example.test/a</link></item></channel></rss>"
    ).encode("cp1252")
    feed = parse_feed(body, url="https://example.test/rss")
    assert feed.entries[0].title == "Caf\u00e9 \u201cquoted\u201d"
    assert feed.warning is not None  # feedparser reports the override


def test_guidless_entries_sharing_one_link_stay_apart() -> None:
    body = b"""<rss version="2.0"><channel><title>Project news</title>
      <item><title>Release 1</title><link>https://example.test/news.html</link></item>
      <item><title>Release 2</title><link>https://example.test/news.html</link></item>
    </channel></rss>"""
    feed = parse_feed(body, url="https://example.test/rss")
    assert len({e.entry_key for e in feed.entries}) == 2


def test_entry_key_order_and_stability() -> None:
    when = datetime(2025, 1, 2, tzinfo=UTC)
    by_guid = entry_key(guid="tag:x,2025:1", link="https://a.test/1", title="T", published_at=when)
    assert by_guid == entry_key(guid="tag:x,2025:1", link="https://b.test/other", title="U",
                                published_at=None)
    by_link = entry_key(guid=None, link="https://a.test/1", title="T", published_at=when)
    assert by_link == entry_key(guid=None, link="https://a.test/1", title="changed", published_at=None)
    assert by_link != by_guid
    by_title = entry_key(guid=None, link=None, title="T", published_at=when, feed_url="https://f.test/rss")
    assert by_title != entry_key(guid=None, link=None, title="T", published_at=None, feed_url="https://f.test/rss")
    # opaque GUIDs are only unique inside their feed
    in_a = entry_key(guid="42", link=None, title="", published_at=None, feed_url="https://f.test/a")
    in_b = entry_key(guid="42", link=None, title="", published_at=None, feed_url="https://f.test/b")
    assert in_a != in_b
    assert entry_key(guid=None, link=None, title="", published_at=None) is None


def test_html_to_text() -> None:
    assert html_to_text("<p>One<br>two</p><ul><li>three</li></ul><style>x{}</style>") == "One\n\ntwo\n\nthree"
    assert html_to_text("Fish &amp; chips") == "Fish & chips"
    assert html_to_text("") == ""


# ---------------------------------------------------------------------------
# Every feed in /work/shared/corpora/feeds
# ---------------------------------------------------------------------------


def _corpus_cases() -> list[tuple[str, dict[str, str] | None]]:
    if not SHARED_FEEDS.is_dir():
        return []
    cases: list[tuple[str, dict[str, str] | None]] = []
    for line in (SHARED_FEEDS / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        cases.append((json.loads(line)["file"], None))
    for line in (SHARED_FEEDS / "feedparser_tests" / "index.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        headers = None
        if case.get("served_over_http"):
            # As feedparser's harness serves them: the Header: lines, text/xml by default.
            headers = dict(case.get("http_headers") or {})
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "text/xml"
        cases.append(("feedparser_tests/" + case["file"], headers))
    return cases


def _readable(entry: dict) -> bool:
    """An entry feedparser read with anything that could identify it."""
    return any(
        (*(dict.get(entry, key)
           for key in ("id", "link", "title", "published_parsed", "updated_parsed", "summary")),
         *(c.get("value") for c in dict.get(entry, "content") or []))
    )


@pytest.mark.corpus
@pytest.mark.skipif(not SHARED_FEEDS.is_dir(), reason=f"shared feed corpus not found at {SHARED_FEEDS}")
@pytest.mark.parametrize(("relative", "headers"), _corpus_cases() or [("none", None)])
def test_every_corpus_feed(relative: str, headers: dict[str, str] | None) -> None:
    """No corpus feed raises anything but NotAFeed or MalformedFeed, no readable entry is lost and none
    is made up.

    Precisely: let N be the number of entries feedparser itself returns (same
    bytes, same headers) that carry at least one of id, link, title, a parsed
    date, summary or content. Then parse_feed must not raise when N >= 1, and
    must return exactly N entries with distinct keys -- except that entries
    sharing a GUID count once (first wins, by design). Entries feedparser read
    with nothing to identify them are dropped, not stored as blanks.
    """
    body = (SHARED_FEEDS / relative).read_bytes()
    url = "http://feeds.example.test/" + relative
    raw_headers = {k.lower(): v for k, v in (headers or {}).items()}
    raw_headers.setdefault("content-location", url)
    raw_headers.setdefault("content-type", "application/xml")
    reference = feedparser.parse(io.BytesIO(body), response_headers=raw_headers)
    readable = [e for e in reference.entries if _readable(e)]
    guids = [e.get("id") for e in readable if e.get("id")]
    expected = len(readable) - (len(guids) - len(set(guids)))

    try:
        feed = parse_feed(body, url=url, headers=headers)
    except (NotAFeed, MalformedFeed) as exc:
        assert expected == 0, f"{relative}: {type(exc).__name__} although feedparser read {expected} entries"
        return
    keys = {entry.entry_key for entry in feed.entries}
    assert len(keys) == len(feed.entries)
    assert len(keys) == expected, f"{relative}: {len(keys)} distinct keys, feedparser read {expected}"


@pytest.mark.corpus
@pytest.mark.skipif(not SHARED_FEEDS.is_dir(), reason=f"shared feed corpus not found at {SHARED_FEEDS}")
def test_corpus_html_page_is_not_a_feed() -> None:
    body = (SHARED_FEEDS / "edge_cases" / "rss-parser__unrecognized.rss").read_bytes()
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_feed(body, url="http://feeds.example.test/unrecognized.rss")
