"""URL canonicalisation, scheme checks and feed-link discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.urls import canonicalize_url, discover_feed_links, is_fetchable_scheme

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # tracking parameters go, the others keep their order
        (
            "https://example.test/a?utm_source=rss&b=2&utm_medium=feed&a=1&fbclid=XY",
            "https://example.test/a?b=2&a=1",
        ),
        (
            "https://example.test/p?gclid=1&id=5&mc_cid=3&mc_eid=4&ref_src=twsrc&igshid=q",
            "https://example.test/p?id=5",
        ),
        ("https://example.test/?utm_campaign=launch", "https://example.test/"),
        # parameters that only look similar are kept
        ("https://example.test/s?source=rss&ref=main&keyword=ai", "https://example.test/s?source=rss&ref=main&keyword=ai"),
        # default ports, case, fragments
        ("HTTP://Example.TEST:80/Path#section-2", "http://example.test/Path"),
        ("https://example.test:443/x", "https://example.test/x"),
        ("https://example.test:8443/x", "https://example.test:8443/x"),
        ("http://example.test:443/x", "http://example.test:443/x"),
        # empty path, dot segments, stray whitespace
        ("https://example.test", "https://example.test/"),
        ("https://example.test/a/./b/../c", "https://example.test/a/c"),
        ("  https://example.test/news\n/item  ", "https://example.test/news/item"),
        # percent-encoding: spaces and non-ASCII encoded, escapes upper-cased
        ("https://example.test/a b/ä?q=ü", "https://example.test/a%20b/%C3%A4?q=%C3%BC"),
        ("https://example.test/p%2fq", "https://example.test/p%2Fq"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("../b/c?x=1#frag", "https://example.test/a/d/e", "https://example.test/a/b/c?x=1"),
        ("/root", "https://example.test/a/b", "https://example.test/root"),
        ("//cdn.example.test/img", "https://example.test/", "https://cdn.example.test/img"),
        ("item?id=3&utm_source=x", "https://example.test/news/", "https://example.test/news/item?id=3"),
        ("https://other.test/x", "https://example.test/", "https://other.test/x"),
    ],
)
def test_canonicalize_url_resolves_relative_links(url: str, base: str, expected: str) -> None:
    assert canonicalize_url(url, base) == expected


def test_idn_hosts_unicode_and_punycode_agree() -> None:
    assert canonicalize_url("https://Bücher.example/") == "https://xn--bcher-kva.example/"
    assert canonicalize_url("https://xn--bcher-kva.example/") == "https://xn--bcher-kva.example/"


def test_canonicalize_url_is_idempotent() -> None:
    once = canonicalize_url("HTTPS://Example.test:443/a/../b c?x=1&utm_term=z#f")
    assert canonicalize_url(once) == once


@pytest.mark.parametrize("bad", ["", "   ", "/relative/only", "https://example.test:99999/"])
def test_canonicalize_url_rejects_unusable_input(bad: str) -> None:
    with pytest.raises(ValueError):
        canonicalize_url(bad)


def test_other_schemes_pass_through_with_lowercase_scheme() -> None:
    assert canonicalize_url("MAILTO:desk@example.test") == "mailto:desk@example.test"


@pytest.mark.parametrize(
    ("url", "fetchable"),
    [
        ("https://example.test/", True),
        ("HTTP://example.test/x", True),
        ("ftp://example.test/file", False),
        ("mailto:desk@example.test", False),
        ("javascript:void(0)", False),
        ("/relative", False),
        ("https://", False),
    ],
)
def test_is_fetchable_scheme(url: str, fetchable: bool) -> None:
    assert is_fetchable_scheme(url) is fetchable


def test_discover_feed_links_from_page() -> None:
    html = (PAGES / "not_a_feed.html").read_bytes()
    assert discover_feed_links(html, "https://example-lab.test/newsroom/") == [
        "https://example-lab.test/newsroom/feed.xml",
        "https://blog.example-lab.test/atom.xml",
    ]


def test_discover_feed_links_honours_base_and_skips_others() -> None:
    html = """<html><head><base href="https://example.test/blog/">
      <link rel="alternate" type="application/rss+xml" href="rss.xml">
      <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="rss.xml#dup">
      <link rel="alternate" hreflang="de" href="/de/">
      <link rel="alternate" type="application/rss+xml" href="mailto:x@example.test">
      <link rel="stylesheet" type="text/css" href="style.css"></head></html>"""
    assert discover_feed_links(html, "https://example.test/page") == ["https://example.test/blog/rss.xml"]


def test_discover_feed_links_none() -> None:
    assert discover_feed_links("<p>no head at all", "https://example.test/") == []
