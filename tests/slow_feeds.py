"""Twenty feeds, three of them stalled, dripping and huge: the scenario of the slow-feeds test and benchmark.

The run goes through the command line in its own process, as a cron job runs it. Each misbehaving feed sits
on its own loopback address, as it would on its own host, so the per-host limits do not tie it to the good
feeds. ``env`` may shorten the timeouts (NEWSIGNAL_HTTP_READ_TIMEOUT_S, NEWSIGNAL_HTTP_TOTAL_TIMEOUT_S).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb

from tests.loopback import LoopbackServer, endless_feed
from tests.sql import scalar

REPO = Path(__file__).resolve().parents[1]
GOOD_FEEDS = 17


@dataclass(frozen=True)
class SlowFeedsRun:
    elapsed_s: float  # the whole command, Prefect's and spaCy's start-up included
    returncode: int
    stderr: str
    stored: frozenset[str]  # titles of the articles stored from their own pages
    errors: dict[str, str | None]  # misbehaving feed -> its recorded error kind
    lead_s: float  # how long before the dripping feed was given up on the last good article was written


def rss(title: str, link: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{link}</link><item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate><description>Short teaser.</description>"
            f"</item></channel></rss>").encode()


def page(title: str) -> bytes:
    body = (f"<p>{title}: the laboratory said on Friday that its new model answers questions about "
            "tide tables and train times, and that researchers may use it without charge.</p>") * 3
    return f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>".encode()


def run_slow_feeds(tmp_path: Path, env: dict[str, str] | None = None) -> SlowFeedsRun:
    stop = threading.Event()

    def stalled(h: BaseHTTPRequestHandler) -> None:
        stop.wait(300)  # accepts the request and never answers

    def dripping(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        try:
            while not stop.wait(0.5):  # one byte every half second: each read is on time, the whole never
                h.wfile.write(b" ")
                h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    good_hosts = [LoopbackServer(f"127.0.0.{n}") for n in (1, 11, 12, 13)]
    bad = {"stalled": (LoopbackServer("127.0.0.21"), stalled),
           "dripping": (LoopbackServer("127.0.0.22"), dripping),
           "huge": (LoopbackServer("127.0.0.23"), endless_feed)}
    servers = [*good_hosts, *(srv for srv, _ in bad.values())]
    for srv in servers:
        srv.__enter__()
    try:
        lines = []
        for i in range(GOOD_FEEDS):
            srv = good_hosts[i % len(good_hosts)]
            link = srv.add(f"/story-{i}.html", body=page(f"Story {i}"), headers={"Content-Type": "text/html"})
            url = srv.add(f"/feed-{i}.xml", body=rss(f"Story {i}", link),
                          headers={"Content-Type": "application/rss+xml"})
            lines.append(f'[[feed]]\nname = "good-{i}"\nurl = "{url}"\n')
        for name, (srv, handler) in bad.items():
            lines.append(f'[[feed]]\nname = "{name}"\nurl = "{srv.add("/feed.xml", handler=handler)}"\n')
        feeds = tmp_path / "feeds.toml"
        feeds.write_text("\n".join(lines))
        db = tmp_path / "n.duckdb"
        command = [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(feeds), "--db", str(db)]
        started = time.monotonic()
        proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), **(env or {})})
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for srv in servers:
            srv.__exit__(None, None, None)
    if proc.returncode != 0:
        return SlowFeedsRun(elapsed, proc.returncode, proc.stderr, frozenset(), {}, 0.0)
    con = duckdb.connect(str(db), read_only=True)
    try:
        titles = con.execute("SELECT title FROM articles WHERE NOT from_feed").fetchall()
        stored = frozenset(r[0] for r in titles)
        errors = dict(con.execute("SELECT name, last_error_kind FROM feeds WHERE name NOT LIKE 'good-%'")
                      .fetchall())
        # When the dripping feed was given up on, and when the last good article was written.
        drip_end = scalar(con, "SELECT max(started_at + elapsed_ms * INTERVAL 1 MILLISECOND) FROM fetches "
                               "WHERE feed_url = (SELECT url FROM feeds WHERE name = 'dripping')")
        last_good = scalar(con, "SELECT max(first_seen_at) FROM articles")
    finally:
        con.close()
    return SlowFeedsRun(elapsed, 0, proc.stderr, stored, errors, (drip_end - last_good).total_seconds())
