"""Polling benchmark: 200 feeds x 50 entries on loopback servers with 50 ms latency per response.

Prints the wall time of the first poll (fetch + extract + store) and of an unchanged
re-poll (which must be all 304s with zero parsing and zero extraction), and the
highest request rate any host saw, against the configured per-host limit.

    .venv/bin/python bench/poll_feeds.py [--feeds 200] [--entries 50] [--hosts 50]

Talks only to 127.0.0.x addresses (the loopback range). The servers run in a child
process, so the arrival times they note are not held up by this process's busy
interpreter (spaCy and trafilatura hold the GIL for long stretches).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.request import urlopen

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The project's own INFO lines go to the run's log in Prefect (flows.run_view), not this terminal: as the CLI.
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # as the CLI sets it
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="bench-prefect-"))

LATENCY_S = 0.05
# How much closer than the client sent them the server may stamp two requests: it stamps them in a handler
# thread of a process that shares two cores with the run (tests/flows/network/conftest.py measured up to
# 12 ms and allows 30 ms; this process is busier, with 50 hosts in one interpreter).
ARRIVAL_JITTER_S = 0.03
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's code, not whichever the editable install points at
COMPANIES = ["Anthropic", "OpenAI", "Mistral AI", "DeepSeek", "Alibaba", "Nvidia", "Google DeepMind", "Meta"]


def page(host: int, feed: int, entry: int) -> bytes:
    who = COMPANIES[(feed + entry) % len(COMPANIES)]
    text = (f"{who} released a new model on Tuesday, the company said in a statement, and cut the price of "
            f"its API for developers. Story {host}-{feed}-{entry} follows the launch in detail. Analysts "
            f"said the move would put pressure on rivals to cut their own prices before the end of the year.")
    return (f"<html><head><title>Story {feed}-{entry}</title></head>"
            f"<body><article><p>{text}</p></article></body></html>").encode()


def feed_xml(base: str, feed: int, entries: int, host: int) -> bytes:
    items = "".join(
        f"<item><title>Story {feed}-{e}</title><link>{base}/p/{feed}/{e}.html</link>"
        f"<guid>h{host}f{feed}e{e}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 08:{e % 60:02d}:00 GMT</pubDate></item>" for e in range(entries))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


class Host:
    """One loopback address serving some feeds and their pages, recording request times."""

    def __init__(self, index: int, feeds: list[int], entries: int) -> None:
        self.ip = f"127.0.0.{index + 2}"
        self.times: list[float] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/_arrivals":
                    self._send(200, json.dumps(host.times).encode(), "application/json")
                    return
                host.times.append(time.monotonic())
                time.sleep(LATENCY_S)
                parts = self.path.strip("/").split("/")
                if parts[0] == "f":
                    body = feed_xml(host.base, int(parts[1].split(".")[0]), entries, index)
                elif parts[0] == "p":
                    body = page(index, int(parts[1]), int(parts[2].split(".")[0]))
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml" if parts[0] == "f" else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer((self.ip, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{self.ip}:{self.server.server_address[1]}"
        self.feeds = feeds
        threading.Thread(target=self.server.serve_forever, daemon=True).start()



def max_rate(times: list[float], window_s: float = 1.0) -> int:
    """Most requests that arrived within any half-open window [t, t + window_s)."""
    ts, best, lo = sorted(times), 0, 0
    for hi, t in enumerate(ts):
        while t - ts[lo] >= window_s:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def min_gap(times: list[float]) -> float:
    ts = sorted(times)
    return min((b - a for a, b in pairwise(ts)), default=float("inf"))


def serve(args: argparse.Namespace) -> None:
    """Child process: start the hosts, print their base URLs as JSON, serve until stdin closes."""
    hosts = [Host(h, [f for f in range(args.feeds) if f % args.hosts == h], args.entries)
             for h in range(args.hosts)]
    print(json.dumps([[h.base, h.feeds] for h in hosts]), flush=True)
    sys.stdin.read()


@contextmanager
def servers(args: argparse.Namespace) -> Iterator[list[list[Any]]]:
    cmd = [sys.executable, __file__, "--serve", "--feeds", str(args.feeds), "--entries", str(args.entries),
           "--hosts", str(args.hosts)]
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdin is not None
        yield json.loads(child.stdout.readline())
        child.stdin.close()


def arrivals(base: str) -> list[float]:
    with urlopen(base + "/_arrivals", timeout=30) as r:
        return json.load(r)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return

    import extractors.feeds
    import extractors.nlp
    import flows.ingest
    from flows.ingest import ingest_flow
    from flows.settings import load_settings
    from flows.temporary_server import start_temporary_server

    calls: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    lock = threading.Lock()

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            t = time.monotonic()
            try:
                return fn(*a, **kw)
            finally:
                with lock:
                    calls[name] += 1
                    seconds[name] += time.monotonic() - t
        return wrapper

    extractors.feeds.parse_feed = timed("parse_feed", extractors.feeds.parse_feed)
    annotate = extractors.nlp.annotate  # a generator: time it as it is consumed
    extractors.nlp.annotate = timed("annotate", lambda *a, **kw: list(annotate(*a, **kw)))
    for name in ("write_polls", "refresh_stories_and_signals", "publish_snapshot"):
        setattr(flows.ingest, name, timed(name, getattr(flows.ingest, name)))

    def phases() -> str:
        # Thread-seconds: feeds are parsed in many threads at once, so a sum can exceed wall time.
        return ", ".join(f"{k} {calls[k]}x {seconds[k]:.1f}s" for k in sorted(calls))

    with servers(args) as hosts:
        tmp = Path(tempfile.mkdtemp(prefix="bench-poll-"))
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text("".join(f'[[feed]]\nname = "Feed {f}"\nurl = "{base}/f/{f}.xml"\n\n'
                                      for base, feeds in hosts for f in feeds))
        settings = load_settings()
        db = tmp / "bench.duckdb"

        t0, c0 = time.monotonic(), time.process_time()
        # Prefect's temporary server in a process of its own, bound to this one, as `newsignal ingest` has it
        # (an in-process server ended the benchmark with a CancelledError traceback from its shutdown).
        start_temporary_server()
        first = ingest_flow(str(feeds_file), str(db))
        t_first, c_first = time.monotonic() - t0, time.process_time() - c0
        first_phases = phases()
        calls.clear()
        seconds.clear()
        t0, c0 = time.monotonic(), time.process_time()
        second = ingest_flow(str(feeds_file), str(db), due_only=False)  # every feed again (304s)
        t_second, c_second = time.monotonic() - t0, time.process_time() - c0
        # Extraction and NLP in worker processes: nothing reached them when no feed was parsed.
        second_calls = {k: v for k, v in calls.items() if k in ("parse_feed", "annotate")}
        times = [arrivals(base) for base, _ in hosts]

    limit_per_s = min(settings.http.per_host_concurrency / LATENCY_S, 1 / settings.http.per_host_delay_s)
    worst = max(max_rate(t, 1.0 - ARRIVAL_JITTER_S) for t in times)
    closest = min(min_gap(t) for t in times)
    polite = worst <= limit_per_s and closest >= settings.http.per_host_delay_s - ARRIVAL_JITTER_S
    print(f"feeds {args.feeds} x entries {args.entries} on {args.hosts} loopback hosts, "
          f"{LATENCY_S * 1000:.0f} ms latency per response; {sum(map(len, times))} requests in all")
    print(f"first poll     {t_first:7.1f} s wall, {c_first:7.1f} s CPU   polled {first.polled}, "
          f"new articles {first.new_articles}, new events {first.new_events}")
    print(f"  where the time went: {first_phases}")
    print(f"  start-up {t_first - first.elapsed_s:.1f} s before the flow's own work (Prefect's temporary "
          "server, the flow run)")
    print("  busy time per stage: " + ", ".join(f"{k} {v:.1f}s" for k, v in first.stage_s.items())
          + f" ({settings.ingest.worker_count} worker process(es): main-text extraction and annotation there "
          "are not counted above)")
    print(f"unchanged poll {t_second:7.1f} s wall, {c_second:7.1f} s CPU   polled {second.polled}, "
          f"304s {second.not_modified}, new entries {second.new_entries}, articles annotated "
          f"{second.articles_annotated}; parse/NLP calls "
          f"{second_calls or 'none'}")
    print(f"ratio unchanged/first {t_second / t_first:.3f}")
    print(f"busiest host: {worst} requests in one second, closest two requests to one host "
          f"{closest * 1000:.0f} ms apart; configured limit {limit_per_s:.1f}/s (per_host_delay_s "
          f"{settings.http.per_host_delay_s}, per_host_concurrency {settings.http.per_host_concurrency}; "
          f"server-side jitter allowed {ARRIVAL_JITTER_S * 1000:.0f} ms) -> "
          f"{'OK' if polite else 'EXCEEDED'}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
