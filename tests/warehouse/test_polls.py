from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest

from extractors.models import Annotation, ArticleText, Event, Evidence, FeedEntry, Mention, Stance
from warehouse.feeds import feed_health
from warehouse.keys import event_id_for
from warehouse.polls import known_article_urls, settled_entry_keys, write_polls
from warehouse.records import ArticleRecord, EntryFailure, FeedPoll, FeedSpec
from warehouse.writer import writer

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
TEXT = "Acme Labs cut the price of its Foo model by half on Monday. Rivals said nothing."


def entry(key: str, link: str) -> FeedEntry:
    return FeedEntry(entry_key=key, guid=key, link=link, title="Acme cuts prices", summary="s", content="",
                     author=None, published_at=NOW)


def article(url: str) -> ArticleText:
    return ArticleText(url=url, title="Acme cuts prices", text=TEXT, published_at=NOW,
                       fetched_url=url + "?utm=x")


def annotation(stance: Stance = "asserted") -> Annotation:
    ev = Event("pricing", stance, ("Acme Labs",), (Evidence(TEXT[:57], 0, 57),), date(2026, 11, 16), 0.9,
               "t1")
    return Annotation(mentions=(Mention("ORG", "Acme Labs", "Acme Labs", 0, 9, False),
                                Mention("MODEL", "Foo", "Foo", 31, 34, False)),
                      events=(ev,), extractor_version="t1")


def poll(feed: FeedSpec, key: str, url: str, *, stance: Stance = "asserted") -> FeedPoll:
    return FeedPoll(
        feed=feed, polled_at=NOW, status=200, etag='"v1"',
        entries=(entry(key, url),),
        articles=(ArticleRecord(article(url), feed.name, feed.url, key, None, None, annotation(stance)),),
    )


A = FeedSpec("Outlet A", "http://127.0.0.1/a.xml")
B = FeedSpec("Outlet B", "http://127.0.0.1/b.xml", owner="Group")


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("feeds", "entries", "articles", "mentions", "entities", "events", "event_evidence")}


def test_same_article_from_two_feeds_is_stored_once_and_rerun_adds_nothing(db_path):
    url = "https://news.example/acme"
    with writer(db_path) as con:
        s = write_polls(con, [poll(A, "k1", url), poll(B, "k2", url)])
        assert (s.new_entries, s.new_articles, s.new_events) == (2, 1, 1)
        first = counts(con)
        s = write_polls(con, [poll(A, "k1", url), poll(B, "k2", url)])
        assert (s.new_entries, s.new_articles, s.new_events) == (0, 0, 0)
        assert counts(con) == first
        assert first == {"feeds": 2, "entries": 2, "articles": 1, "mentions": 2, "entities": 2, "events": 1,
                         "event_evidence": 1}
        row = con.execute("SELECT source, event_type, stance, actors, article_url FROM timeline").fetchone()
        assert row == ("Outlet A", "pricing", "asserted", ["Acme Labs"], url)
        assert con.execute("SELECT event_id FROM events").fetchone() == (event_id_for(
            url, "pricing", "asserted", ["Acme Labs"]),)
        assert {k for _, k in settled_entry_keys(con)} == {"k1", "k2"}
        assert known_article_urls(con)[url + "?utm=x"] == url
        assert con.execute("SELECT etag FROM feeds ORDER BY url").fetchall() == [('"v1"',), ('"v1"',)]


def test_a_bad_row_rolls_back_the_whole_batch_including_feed_state(db_path):
    with writer(db_path) as con:
        with pytest.raises(duckdb.ConstraintException):
            # A stance the schema refuses, on purpose (hence the type: ignore).
            bad = poll(B, "k2", "https://news.example/2", stance="maybe")  # type: ignore[arg-type]
            write_polls(con, [poll(A, "k1", "https://news.example/1"), bad])
        assert counts(con) == dict.fromkeys(counts(con), 0)


def test_failures_are_recorded_on_the_feed_and_the_entry(db_path):
    failed_feed = FeedPoll(feed=A, polled_at=NOW, status=503, error_kind="server_error", error="HTTP 503")
    gone = FeedPoll(feed=B, polled_at=NOW, status=200, entries=(entry("k9", "https://news.example/gone"),),
                    failures=(
                        EntryFailure(B.url, "k9", "https://news.example/gone", "not_found", "HTTP 404"),
                    ))
    with writer(db_path) as con:
        write_polls(con, [failed_feed, gone])
        write_polls(con, [failed_feed])
        health = {h.name: h for h in feed_health(con)}
        assert health["Outlet A"].consecutive_failures == 2
        assert health["Outlet A"].last_error == "server_error: HTTP 503"
        assert health["Outlet B"].consecutive_failures == 0
        assert feed_health(con)[0].name == "Outlet A"  # failing first
        failed = con.execute("SELECT status, failure_reason FROM entries").fetchall()
        assert failed == [("failed", "not_found")]
        # permanent failures are not retried
        assert (B.url, "k9") in settled_entry_keys(con)


@pytest.mark.parametrize("reason", ["timeout", "decoding", "robots_unavailable"])
def test_an_entry_failed_for_any_transient_reason_is_not_settled(db_path, reason):
    failed = FeedPoll(feed=A, polled_at=NOW, status=200, entries=(entry("k1", "https://news.example/1"),),
                      failures=(EntryFailure(A.url, "k1", "https://news.example/1", reason, "later"),))
    with writer(db_path) as con:
        write_polls(con, [failed])
        assert (A.url, "k1") not in settled_entry_keys(con)


def test_a_page_replaces_the_feed_text_that_stood_in_for_it_and_what_was_read_from_it(db_path):
    from warehouse.polls import articles_awaiting_page

    url = "https://news.example/acme"
    stand_in = ArticleText(url=url, title="Acme", text="Foo is cheaper.", from_feed=True)
    bare = Annotation(mentions=(Mention("MODEL", "Foo", "Foo", 0, 3, False),), events=(),
                      extractor_version="t1")
    first = FeedPoll(
        feed=A, polled_at=NOW, status=200, entries=(entry("k1", url),),
        articles=(ArticleRecord(stand_in, A.name, A.url, "k1", None, None, bare),),
        fallbacks=(EntryFailure(A.url, "k1", url, "server_error", "HTTP 503"),),
    )
    with writer(db_path) as con:
        write_polls(con, [first])
        assert (A.url, "k1") not in settled_entry_keys(con)
        assert articles_awaiting_page(con) == {url}

        s = write_polls(con, [poll(A, "k1", url)])  # the page came: full text, its own reading
        assert (s.new_articles, s.pages_replacing_feed_text) == (0, 1)
        assert con.execute("SELECT text, from_feed, fetched_url, source FROM articles").fetchall() == [
            (TEXT, False, url + "?utm=x", "Outlet A")]
        assert sorted(con.execute("SELECT label, name FROM mentions").fetchall()) == [
            ("MODEL", "Foo"), ("ORG", "Acme Labs")]  # once each: the stand-in's reading is gone
        assert con.execute("SELECT count(*) FROM events").fetchone() == (1,)
        assert con.execute("SELECT status, failure_reason FROM entries").fetchall() == [("stored", None)]
        assert (A.url, "k1") in settled_entry_keys(con) and articles_awaiting_page(con) == set()

        # A page stored once is never overwritten by a feed's stand-in.
        write_polls(con, [first])
        assert con.execute("SELECT text, from_feed FROM articles").fetchall() == [(TEXT, False)]
