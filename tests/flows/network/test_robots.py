"""robots.txt as RFC 9309 reads it (protego), from real files served on loopback."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import pytest

from flows.network.fetch import Fetcher, FetchFailed
from flows.settings import HttpSettings
from tests.flows.network.conftest import ARRIVAL_JITTER_S

ROBOTS = Path(__file__).parent / "fixtures" / "robots"
SETTINGS = HttpSettings(per_host_delay_s=0.0, retries=0, read_timeout_s=2,
                        user_agent="newsignal/0.1 (+https://example.org/newsignal)")


def _verdicts(loopback, robots_file: str, paths: list[str]) -> dict[str, bool]:
    """Which of ``paths`` newsignal fetches from a site serving ``robots_file``."""
    loopback.add("/robots.txt", body=(ROBOTS / robots_file).read_bytes(),
                 headers={"Content-Type": "text/plain"})
    verdicts = {}
    with Fetcher(SETTINGS) as f:
        for path in paths:
            loopback.add(path, body=b"<html>page</html>")
            try:
                f.get(loopback.url(path), kind="article", feed_url=loopback.url("/feed.xml"), untrusted=True)
                verdicts[path] = True
            except FetchFailed as failed:
                assert failed.error.reason == "robots_disallowed", failed.error
                assert loopback.hits(path) == 0
                verdicts[path] = False
    assert loopback.hits("/robots.txt") == 1
    return verdicts


def test_wildcards_in_paths(loopback):
    assert _verdicts(loopback, "wildcard.txt", [
        "/2026/11/print/story.html", "/2026/11/story.html", "/reports/q3.pdf", "/reports/q3.pdf.html",
    ]) == {
        "/2026/11/print/story.html": False,  # /*/print/
        "/2026/11/story.html": True,
        "/reports/q3.pdf": False,  # /*.pdf$
        "/reports/q3.pdf.html": True,  # $ anchors the end
    }


def test_the_longest_match_wins_over_the_first(loopback):
    assert _verdicts(loopback, "longest_match.txt", [
        "/news/closed.html", "/news/open/story.html", "/news/open/drafts/next.html", "/about.html",
    ]) == {
        "/news/closed.html": False,
        "/news/open/story.html": True,  # Allow /news/open/ is longer than Disallow /news/
        "/news/open/drafts/next.html": False,  # and Disallow /news/open/drafts/ longer still
        "/about.html": True,
    }


def test_the_group_naming_newsignal_applies(loopback):
    assert _verdicts(loopback, "group.txt", ["/news/a.html", "/members/b.html"]) == {
        "/news/a.html": True, "/members/b.html": False,
    }


def test_crawl_delay_spaces_requests_at_the_server(arrival_server_with_robots):
    delay = 0.4  # crawl_delay.txt asks for it; the configured gap is 0.05
    settings = HttpSettings(**{**SETTINGS.__dict__, "per_host_delay_s": 0.05, "per_host_concurrency": 3})
    with arrival_server_with_robots(ROBOTS / "crawl_delay.txt") as (base, arrivals):
        with Fetcher(settings) as f, ThreadPoolExecutor(6) as pool:
            results = list(pool.map(
                lambda i: f.get(f"{base}/story-{i}.html", kind="article", feed_url=f"{base}/feed.xml",
                                untrusted=True), range(6)))
        assert all(r.body == b"ok" for r in results)
        seen = arrivals()
    assert len(seen) == 7  # robots.txt once, then the six pages
    gaps = [b - a for a, b in pairwise(seen)]
    assert min(gaps) >= delay - ARRIVAL_JITTER_S, gaps  # without the Crawl-delay they were 0.05 s apart


def test_a_crawl_delay_below_the_configured_gap_leaves_the_gap(arrival_server_with_robots, tmp_path):
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\nCrawl-delay: 0.01\n")
    settings = HttpSettings(**{**SETTINGS.__dict__, "per_host_delay_s": 0.3, "per_host_concurrency": 2})
    with arrival_server_with_robots(robots) as (base, arrivals):
        with Fetcher(settings) as f, ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda i: f.get(f"{base}/p{i}", kind="article", feed_url=f"{base}/f",
                                          untrusted=True), range(4)))
        seen = arrivals()
    assert min(b - a for a, b in pairwise(seen)) >= 0.3 - ARRIVAL_JITTER_S  # not 0.01


@pytest.mark.parametrize(("asked", "gap"), [(None, 0.25), (0.1, 0.25), (2.0, 2.0), (3600.0, 30.0)])
def test_the_gap_a_host_gets(asked, gap):
    from flows.network.fetch import HostLimiter

    limiter = HostLimiter(per_host=1, min_gap_s=0.25)
    limiter.ask_gap("example.org", asked)
    assert limiter.gap("example.org") == pytest.approx(gap + HostLimiter.HEADROOM_S)
    assert limiter.gap("other.example") == pytest.approx(0.25 + HostLimiter.HEADROOM_S)
