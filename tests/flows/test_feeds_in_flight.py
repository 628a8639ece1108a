"""Feeds on many hosts are fetched side by side: each host gives at most one page per politeness gap, so
how many hosts are fetched at once bounds a run's speed ([ingest] feeds_per_batch, issue 14).

40 feeds, one per loopback host (127.0.0.2 to 127.0.0.41), each linking 6 pages served at once; the shipped
settings (per-host gap 0.25 s) space a feed's pages over more than a second.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer

pytestmark = pytest.mark.slow

HOSTS, PAGES = 40, 6
CONFIG = Path(__file__).resolve().parents[2] / "config"


def page(host: int, n: int) -> bytes:
    text = (f"Outlet {host} reports that Anthropic released a new model on Friday, in story {n}. The company "
            "said the model answers questions about long documents. Analysts said rivals would follow. ") * 2
    return (f"<html><head><title>Story {host}-{n}</title></head><body><article><p>{text}</p></article>"
            "</body></html>").encode()


def serve(srv: LoopbackServer, host: int) -> str:
    items = "".join(f"<item><title>Story {host}-{n}</title><link>{srv.url(f'/p/{n}.html')}</link>"
                    f"<guid>h{host}n{n}</guid></item>" for n in range(PAGES))
    for n in range(PAGES):
        srv.add(f"/p/{n}.html", body=page(host, n), headers={"Content-Type": "text/html"})
    return srv.add("/feed.xml", body=(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.org/</link>'
        f"{items}</channel></rss>").encode(), headers={"Content-Type": "application/rss+xml"})


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most ``(start, end)`` spans covering one moment."""
    edges = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    best = now = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def test_a_run_fetches_the_pages_of_forty_hosts_side_by_side(tmp_path, monkeypatch):
    from flows.ingest import ingest_flow

    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "1")  # NLP here: this test is about fetching
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(f"127.0.0.{h + 2}")) for h in range(HOSTS)]
        (tmp_path / "feeds.toml").write_text("".join(
            f'[[feed]]\nname = "outlet {h}"\nurl = "{serve(srv, h)}"\n\n' for h, srv in enumerate(servers)))
        report = ingest_flow(str(tmp_path / "feeds.toml"), str(tmp_path / "n.duckdb"), config_dir=str(CONFIG))
        spans = []
        for srv in servers:
            pages = [t for t, path, _ in srv.requests if path.startswith("/p/")]
            spans.append((min(pages), max(pages)))
    assert report.new_articles == HOSTS * PAGES
    # At 25 feeds in flight (the default before), at most 25 hosts were ever being fetched at once.
    assert most_at_once(spans) > 25, sorted(spans)


def test_feeds_are_polled_and_fetched_while_a_batch_is_being_written(tmp_path, monkeypatch):
    # One writer, one write at a time, but the run goes on meanwhile: a write used to hold up every feed
    # polled or admitted during it. Here each write takes a second and a batch is one feed.
    import flows.ingest
    from flows.ingest import ingest_flow

    writes: list[tuple[float, float]] = []
    real = flows.ingest.write_polls

    def slow_write(con, polls):
        started = time.monotonic()
        time.sleep(1.0)
        try:
            return real(con, polls)
        finally:
            writes.append((started, time.monotonic()))

    monkeypatch.setattr(flows.ingest, "write_polls", slow_write)
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "1")
    monkeypatch.setenv("NEWSIGNAL_INGEST_FEEDS_PER_BATCH", "1")
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(f"127.0.0.{h + 2}")) for h in range(3)]
        (tmp_path / "feeds.toml").write_text("".join(
            f'[[feed]]\nname = "outlet {h}"\nurl = "{serve(srv, h)}"\n\n' for h, srv in enumerate(servers)))
        report = ingest_flow(str(tmp_path / "feeds.toml"), str(tmp_path / "n.duckdb"), config_dir=str(CONFIG))
        requests = sorted(t for srv in servers for t, _, _ in srv.requests)
    assert report.new_articles == 3 * PAGES and len(writes) == 3
    assert any(start < t < end for start, end in writes for t in requests), (writes, requests)
