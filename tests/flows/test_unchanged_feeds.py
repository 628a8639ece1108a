"""A re-poll of unchanged feeds is all 304s: no feed is parsed and no page fetched or extracted again."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from click.testing import CliRunner

import extractors.article
import extractors.feeds
from flows.cli.main import cli

pytestmark = pytest.mark.slow

ETAG = '"feed-v1"'
PAGE = (b"<html><head><title>Ostrel Labs opens a research office</title></head><body><article><p>"
        b"Ostrel Labs said on Monday that it had opened a research office in Lisbon, its first outside its "
        b"home country, and would hire forty engineers there over the next year. The company said the office "
        b"would work on smaller models that run on a single machine, a line of work its customers in banking "
        b"had asked for.</p></article></body></html>")


def feed(base: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Ostrel news</title><link>{base}/</link>'
            f"<item><title>Ostrel Labs opens a research office</title><link>{base}/office.html</link>"
            "<guid>ostrel-office</guid><pubDate>Mon, 16 Nov 2026 09:00:00 GMT</pubDate></item>"
            "</channel></rss>").encode()


def test_a_repoll_of_unchanged_feeds_parses_and_extracts_nothing(loopback, tmp_path, monkeypatch):
    def conditional(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == ETAG:
            h.send_response(304)
            h.send_header("ETag", ETAG)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body = feed(loopback.base)
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", ETAG)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    url = loopback.add("/feed.xml", handler=conditional)
    loopback.add("/office.html", body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    calls = {"parse_feed": 0, "extract_article": 0}
    for module, name in ((extractors.feeds, "parse_feed"), (extractors.article, "extract_article")):
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "1")  # one article: no worker processes needed
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "Ostrel news"\nurl = "{url}"\n')
    args = ["ingest", "--feeds", str(feeds), "--db", str(tmp_path / "n.duckdb"), "--all"]

    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "new articles 1" in first.output
    assert calls == {"parse_feed": 1, "extract_article": 1}

    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "feeds polled 1, not modified 1" in again.output
    assert calls == {"parse_feed": 1, "extract_article": 1}  # nothing parsed or extracted the second time
    assert loopback.hits("/office.html") == 1
