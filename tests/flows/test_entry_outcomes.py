"""What becomes of each entry over several ingests: pages that fail for a while, short briefs, skips.

Real ingest runs (Prefect, spaCy) against a loopback server whose pages change between runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli.main import cli
from tests.loopback import LoopbackServer
from tests.sql import rows

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "config"
FEED_TEXT = "OpenAI said on Monday that it would open its model to researchers next month."
PAGE_TEXT = ("Anthropic released a new model to developers on Friday, the company said in a statement, "
             "and cut the price of its API by a third for every customer. ")


def rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"<link>http://example.org/</link>{''.join(items)}</channel></rss>").encode()


def item(guid: str, link: str, text: str = "") -> str:
    desc = f"<description>{text}</description>" if text else ""
    return (f"<item><title>Story {guid}</title><link>{link}</link><guid>{guid}</guid>"
            f"<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate>{desc}</item>")


def page(title: str, text: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p>"
            "</article></body></html>").encode()


@pytest.fixture
def ingest(tmp_path):
    """Runs ingest on ``feeds.toml`` over one database, every feed each time (retries kept short)."""
    from flows.ingest import ingest_flow

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    settings = (config / "settings.toml").read_text()
    (config / "settings.toml").write_text(settings.replace("retry_base_delay_s = 1.0",
                                                           "retry_base_delay_s = 0.05"))
    db = tmp_path / "n.duckdb"

    def run(feeds: str):
        (tmp_path / "feeds.toml").write_text(feeds)
        return ingest_flow(str(tmp_path / "feeds.toml"), str(db), config_dir=str(config), due_only=False)

    run.db = db  # type: ignore[attr-defined]
    return run


def feed_line(srv: LoopbackServer, path: str = "/feed.xml") -> str:
    return f'[[feed]]\nname = "outlet"\nurl = "{srv.url(path)}"\n'


def test_a_page_that_failed_for_a_while_replaces_the_feed_text_when_it_comes(loopback, ingest):
    down = {"now": True}
    body = page("Anthropic cuts prices", PAGE_TEXT * 2)

    def later(h):
        h.send_response(503 if down["now"] else 200)
        payload = b"busy" if down["now"] else body
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    link = loopback.add("/later.html", handler=later)
    loopback.add("/feed.xml", body=rss(item("a", link, FEED_TEXT)),
                 headers={"Content-Type": "application/rss+xml"})
    url_sql = "SELECT article_url FROM entries"

    ingest(feed_line(loopback))
    (url,) = rows(ingest.db, url_sql)[0]
    assert rows(ingest.db, "SELECT from_feed, text FROM articles") == [(True, FEED_TEXT)]
    hits = loopback.hits("/later.html")

    # Stored from the feed's text, the entry notes why: a transient reason, so the page is fetched again.
    assert rows(ingest.db, "SELECT status, failure_reason FROM entries") == [("stored", "server_error")]
    down["now"] = False
    report = ingest(feed_line(loopback))
    assert loopback.hits("/later.html") == hits + 1
    assert (report.new_articles, report.pages_replacing_feed_text) == (0, 1)  # same article, page text
    (from_feed, text, fetched, doc), = rows(ingest.db, "SELECT from_feed, text, fetched_url, document_sha256 "
                                                      "FROM articles WHERE url = ?", [url])
    assert (from_feed, fetched is not None, doc is not None) == (False, True, True)
    assert text.startswith(PAGE_TEXT.strip()[:60])
    assert rows(ingest.db, "SELECT status, failure_reason FROM entries") == [("stored", None)]
    # What was read from the feed's text is gone; what the page says is read.
    names = {n for (n,) in rows(ingest.db, "SELECT name FROM mentions")}
    assert "Anthropic" in names and "OpenAI" not in names

    ingest(feed_line(loopback))
    assert loopback.hits("/later.html") == hits + 1  # settled: not fetched a third time


def test_an_entry_whose_page_failed_to_decode_is_tried_again(loopback, ingest):
    broken = {"now": True}
    body = page("Anthropic cuts prices", PAGE_TEXT * 2)

    def garbled(h):
        payload = b"this is not gzip at all" if broken["now"] else body
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if broken["now"]:
            h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    link = loopback.add("/garbled.html", handler=garbled)
    loopback.add("/feed.xml", body=rss(item("g", link)), headers={"Content-Type": "application/rss+xml"})

    ingest(feed_line(loopback))
    assert rows(ingest.db, "SELECT status, failure_reason FROM entries") == [("failed", "decoding")]

    broken["now"] = False
    report = ingest(feed_line(loopback))
    assert report.new_articles == 1
    assert rows(ingest.db, "SELECT status, failure_reason FROM entries") == [("stored", None)]


def test_a_short_brief_is_stored_marked_and_skipped_entries_are_counted_with_their_reason(loopback, ingest):
    brief = "Acme Labs opened an office in Lisbon on Tuesday with forty engineers, the company said."
    link = loopback.add("/brief.html", body=page("Acme opens a Lisbon office", brief),
                        headers={"Content-Type": "text/html"})
    gone = loopback.url("/gone.html")  # 404, and the feed has no text for it
    loopback.add("/feed.xml", body=rss(item("b", link), item("x", gone)),
                 headers={"Content-Type": "application/rss+xml"})

    ingest(feed_line(loopback))
    assert sorted(rows(ingest.db, "SELECT status, failure_reason FROM entries")) == [
        ("failed", "not_found"), ("stored", None)]
    assert rows(ingest.db, "SELECT text, short, from_feed FROM articles") == [(brief, True, False)]

    status = CliRunner().invoke(cli, ["status", "--db", str(ingest.db)])
    assert status.exit_code == 0, status.output
    assert "articles 1 (1 short)  skipped 1 (not_found 1)" in status.output
