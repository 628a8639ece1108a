from __future__ import annotations

import pytest

from flows.network.fetch import Fetcher, FetchFailed
from flows.network.guard import UnsafeLink, check_link
from flows.settings import HttpSettings
from tests.loopback import LoopbackServer

FAST = HttpSettings(per_host_delay_s=0.0, retries=0, read_timeout_s=2)


@pytest.mark.parametrize("link",
                         ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/", "javascript:alert(1)"])
def test_other_schemes_are_refused(link):
    with pytest.raises(UnsafeLink):
        check_link(link, trusted_url="http://127.0.0.1:8000/feed.xml")


@pytest.mark.parametrize("link", [
    "http://127.0.0.2:8000/x", "http://127.0.0.1:9999/x", "http://localhost:8000/admin", "http://[::1]:8000/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://192.168.1.1/", "http://0.0.0.0:8000/",
])
def test_private_and_loopback_addresses_other_than_the_feed_host_are_refused(link):
    with pytest.raises(UnsafeLink):
        check_link(link, trusted_url="http://127.0.0.1:8000/feed.xml")


@pytest.mark.parametrize(("link", "trust"), [
    # the feed's own host
    ("http://127.0.0.1:8000/a.html", {"trusted_url": "http://127.0.0.1:8000/feed.xml"}),
    ("http://localhost:8000/a.html", {"allowed_hosts": ["LOCALHOST"]}),  # allowed in settings, any case
])
def test_the_feed_host_and_allowed_hosts_pass(link, trust):
    # Refused on its own, like any loopback link ...
    with pytest.raises(UnsafeLink):
        check_link(link, trusted_url=None)
    with pytest.raises(UnsafeLink):
        check_link(link, trusted_url="http://127.0.0.1:8001/feed.xml", allowed_hosts=["example.org"])
    # ... and let through by that trust alone.
    check_link(link, **{"trusted_url": None, **trust})  # raises UnsafeLink when refused


def test_a_redirect_to_another_loopback_service_is_refused(loopback):
    with LoopbackServer() as other:
        secret = other.add("/secret", body=b"internal")
        page = loopback.add("/story.html", status=302, headers={"Location": secret})
        with Fetcher(FAST) as f, pytest.raises(FetchFailed) as info:
            f.get(page, kind="article", feed_url=loopback.url("/feed.xml"), untrusted=True)
        assert info.value.error.reason == "unsafe_link"
        assert other.hits("/secret") == 0


def test_robots_txt_is_honoured_and_fetched_once_per_host(loopback):
    loopback.add("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    ok = loopback.add("/news/a.html", body=b"<html>a</html>")
    loopback.add("/news/b.html", body=b"<html>b</html>")
    blocked = loopback.add("/private/c.html", body=b"<html>c</html>")
    feed = loopback.url("/feed.xml")
    with Fetcher(FAST) as f:
        assert f.get(ok, kind="article", feed_url=feed, untrusted=True).body == b"<html>a</html>"
        f.get(loopback.url("/news/b.html"), kind="article", feed_url=feed, untrusted=True)
        with pytest.raises(FetchFailed) as info:
            f.get(blocked, kind="article", feed_url=feed, untrusted=True)
    assert info.value.error.reason == "robots_disallowed"
    assert loopback.hits("/robots.txt") == 1
    assert loopback.hits("/private/c.html") == 0


def test_missing_robots_txt_allows_everything(loopback):
    page = loopback.add("/a.html", body=b"hello")
    with Fetcher(FAST) as f:
        assert f.get(page, kind="article", feed_url=loopback.url("/f"), untrusted=True).body == b"hello"


def test_a_robots_txt_redirect_to_an_inside_address_is_refused_before_anything_is_sent(loopback):
    # The feed's own host (127.0.0.1:port) is trusted like the feed; 127.0.0.2 is not: it stands for
    # another machine on the inside, and the guard judges it by its address, like any link.
    with LoopbackServer(host="127.0.0.2") as inside:
        admin = inside.add("/admin", body=b"internal")
        loopback.add("/robots.txt", status=302, headers={"Location": f"{admin}?x=1"})
        page = loopback.add("/story.html", body=b"<html>story</html>")
        with Fetcher(FAST) as f, pytest.raises(FetchFailed) as info:
            f.get(page, kind="article", feed_url=loopback.url("/feed.xml"), untrusted=True)
        assert inside.requests == []  # nothing reached the inside address
    assert loopback.hits("/story.html") == 0  # and the page waits for a robots.txt it may read
    # The refusal is the page's recorded failure, with the guard's reason, saying what happened.
    failed = info.value
    assert (failed.error.reason, failed.record.error_kind) == ("unsafe_link", "unsafe_link")
    assert "robots.txt" in str(failed.error) and "127.0.0.2" in str(failed.error)
    assert not failed.transient


def test_a_feed_redirect_to_an_inside_address_is_refused(loopback):
    # A feed is trusted on its own host only: where it redirects is chosen by whoever runs that host.
    with LoopbackServer(host="127.0.0.2") as inside:
        secret = inside.add("/secret.xml", body=b"<rss/>")
        feed = loopback.add("/feed.xml", status=301, headers={"Location": secret})
        with Fetcher(FAST) as f, pytest.raises(FetchFailed) as info:
            f.get(feed, kind="feed", feed_url=feed)
        assert inside.requests == []
    assert info.value.error.reason == "unsafe_link"


def test_a_feed_may_redirect_on_its_own_host(loopback):
    feed = loopback.add("/old.xml", status=301, headers={"Location": "/feed.xml"})
    loopback.add("/feed.xml", body=b"<rss/>")
    with Fetcher(FAST) as f:
        assert f.get(feed, kind="feed", feed_url=feed).body == b"<rss/>"


def test_a_refused_robots_txt_redirect_is_the_entry_s_recorded_failure(loopback):
    # What the user sees: the ingest step records the page's failure with the guard's reason,
    # like any refused link, and keeps the failed attempt as a fetch.
    from extractors.models import FeedEntry
    from flows.resources import close_fetchers
    from flows.settings import FeedSpec, IngestSettings
    from flows.steps import fetch_article

    with LoopbackServer(host="127.0.0.2") as inside:
        loopback.add("/robots.txt", status=302, headers={"Location": inside.add("/admin", body=b"x")})
        page = loopback.add("/story.html", body=b"<html>story</html>")
        feed = FeedSpec("Loop", loopback.url("/feed.xml"))
        try:
            outcome = fetch_article(feed, FeedEntry("k1", None, page, "A story", "", "", None, None),
                                    HttpSettings(per_host_delay_s=0.0, retries=0, user_agent="ns-test/guard"),
                                    IngestSettings())
        finally:
            close_fetchers()
        assert inside.requests == []
    assert outcome.article is None and outcome.failure is not None
    assert outcome.failure.reason == "unsafe_link" and "robots.txt" in outcome.failure.message
    assert outcome.fetch is not None and outcome.fetch.error_kind == "unsafe_link"
    assert outcome.fetch.url == page


def test_a_robots_txt_redirect_to_cloud_metadata_is_refused_without_a_connection(loopback):
    # Refused on the address alone, before any connection: the test never reaches outside loopback.
    loopback.add("/robots.txt", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    page = loopback.add("/story.html", body=b"<html>story</html>")
    with Fetcher(FAST) as f, pytest.raises(FetchFailed) as info:
        f.get(page, kind="article", feed_url=loopback.url("/feed.xml"), untrusted=True)
    assert info.value.error.reason == "unsafe_link" and "169.254.169.254" in str(info.value.error)
    assert loopback.hits("/story.html") == 0
