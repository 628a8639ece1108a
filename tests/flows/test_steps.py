from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from extractors.models import FeedEntry, ParsedFeed
from flows.settings import IngestSettings
from flows.steps import FeedFetch, Seen, freshness_seconds, next_poll_time, plan_entries
from warehouse.records import FeedSpec

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
INGEST = IngestSettings(default_poll_minutes=30, max_backoff_hours=24)


def minutes(when: datetime) -> float:
    return (when - NOW).total_seconds() / 60


def test_next_poll_honours_ttl_cache_headers_and_backs_off_with_a_cap():
    assert 27 <= minutes(next_poll_time(NOW, INGEST)) <= 33  # usual interval, jittered
    assert minutes(next_poll_time(NOW, INGEST, ttl_minutes=120)) >= 108
    assert minutes(next_poll_time(NOW, INGEST, fresh_for_s=7200)) >= 120  # max-age is a floor
    waits = [minutes(next_poll_time(NOW, INGEST, failures=n)) for n in (1, 2, 3, 4)]
    assert all(b > a for a, b in pairwise(waits))  # grows
    assert minutes(next_poll_time(NOW, INGEST, failures=40)) <= 24 * 60 * 1.1  # capped, never dropped
    assert minutes(next_poll_time(NOW, INGEST, failures=1, retry_after_s=5 * 3600)) >= 300


def test_freshness_from_max_age_or_expires():
    assert freshness_seconds({"cache-control": "public, max-age=600"}, NOW) == 600
    assert freshness_seconds({"expires": "Fri, 20 Nov 2026 09:00:00 GMT"}, NOW) == 3600
    assert freshness_seconds({"cache-control": "no-cache"}, NOW) is None


def entry(key: str, link: str) -> FeedEntry:
    return FeedEntry(key, key, link, "t", "s", "", None, None)


def fetched(feed: FeedSpec, *entries: FeedEntry) -> FeedFetch:
    return FeedFetch(feed=feed, polled_at=NOW, status=200, fetch=None,
                     parsed=ParsedFeed(title="x", link=None, version="rss20", entries=entries))


def test_plan_skips_settled_links_known_articles_and_fetches_a_shared_link_once():
    a, b = FeedSpec("A", "http://a/f"), FeedSpec("B", "http://b/f")
    seen = Seen(settled={("http://a/f", "old")}, article_urls={"https://x/known": "https://x/canonical"})
    plans = plan_entries([
        fetched(a, entry("old", "https://x/1"), entry("k", "https://x/known"), entry("n", "https://x/shared")),
        fetched(b, entry("m", "https://x/shared")),
    ], seen)
    assert [e.entry_key for e in plans[0].to_fetch] == ["n"]
    assert plans[0].linked == (("k", "https://x/canonical"),)
    assert plans[1].to_fetch == () and plans[1].linked == (("m", "https://x/shared"),)


def test_threads_asking_at_once_share_one_fetcher_and_its_host_limits():
    import threading

    from flows.resources import close_fetchers, fetcher_for
    from flows.settings import HttpSettings

    settings = HttpSettings(user_agent="newsignal-test/shared")
    barrier, got = threading.Barrier(8), []

    def ask() -> None:
        barrier.wait()
        got.append(fetcher_for(settings))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(got) == 8 and len({id(f) for f in got}) == 1
    finally:
        close_fetchers()
    assert fetcher_for(settings) is not got[0]  # closed fetchers are not handed out again
    close_fetchers()


def test_spread_hosts_takes_one_feed_per_host_in_turn_and_keeps_each_hosts_order():
    from flows.steps import spread_hosts
    from warehouse.records import FeedSpec

    urls = ["http://a.example/1", "http://a.example/2", "http://a.example/3",
            "http://B.example:8080/1", "http://b.example/2", "http://c.example/1"]
    feeds = [FeedSpec(name=u, url=u) for u in urls]
    spread = [f.url for f in spread_hosts(feeds)]
    assert sorted(spread) == sorted(urls)  # nothing lost or repeated
    assert spread == ["http://a.example/1", "http://B.example:8080/1", "http://c.example/1",
                      "http://a.example/2", "http://b.example/2", "http://a.example/3"]
    assert spread_hosts([]) == []


def test_plan_fetches_again_the_page_of_an_article_stored_from_feed_text_once_per_run():
    a, b = FeedSpec("A", "http://a/f"), FeedSpec("B", "http://b/f")
    seen = Seen(settled=set(), article_urls={"https://x/brief": "https://x/brief"},
                awaiting_page={"https://x/brief"})
    claimed: dict[str, str] = {}
    (first,) = plan_entries([fetched(a, entry("k", "https://x/brief"))], seen, claimed)
    (second,) = plan_entries([fetched(b, entry("m", "https://x/brief"))], seen, claimed)  # planned later
    assert [e.entry_key for e in first.to_fetch] == ["k"]
    assert first.refetch == (("k", "https://x/brief"),)
    assert second.to_fetch == () and second.linked == (("m", "https://x/brief"),)


def test_an_article_two_feeds_list_is_credited_to_the_first_listed_whichever_fetched_it():
    from extractors.models import ArticleText
    from flows.steps import credit_first_listing
    from warehouse.records import ArticleRecord, FeedPoll

    main, policy = FeedSpec("Ledger", "http://l/main.xml"), FeedSpec("Ledger Policy", "http://l/policy.xml")
    article = ArticleText(url="https://l/story", title="t", text="x")
    polls = [
        FeedPoll(feed=main, polled_at=NOW, status=200, linked=(("k1", "https://l/story"),)),
        FeedPoll(feed=policy, polled_at=NOW, status=200,
                 articles=(ArticleRecord(article, policy.name, policy.url, "k2", None, None),)),
    ]
    (record,) = credit_first_listing(polls)[1].articles
    assert (record.source, record.feed_url, record.entry_key) == ("Ledger", "http://l/main.xml", "k2")
