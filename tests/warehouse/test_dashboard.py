"""The dashboard's per-actor summaries give exactly what the direct queries on ``ea`` give.

A small real DuckDB file with the awkward cases: one actor named in more events than
``actor_recent`` keeps, an event naming the same actor in two spellings, an alias that is
itself a stored actor, an alias that is not, an article without a title, outlets tied on
counts. Every entity is asked for through both paths (``summaries=True`` and ``False``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from flows.dashboard.pages import key_points, summary_line
from warehouse import dashboard as dq
from warehouse.dashboard import DashboardModel, counts_by_day_and_type, entity_briefing, events_page
from warehouse.timeline import TimelineFilter
from warehouse.writer import writer

N_EVENTS = 3000
N_ARTICLES = 700
ACTORS = ["OpenAI", "Google", "Anthropic", "Moonshot AI", "Zhipu AI", "Z.ai", "DeepSeek", "Garante",
          "Mistral AI", "Meta"]
TYPES = ["model_launch", "partnership", "funding_investment", "distillation_claim"]
STANCES = ["asserted", "alleged", "denied"]


def _build(path) -> None:
    with writer(path) as con:
        con.execute(
            """
            INSERT INTO articles
                (article_id, url, title, source, published_at, text, from_feed, first_seen_at)
            SELECT 'a' || i, 'https://o' || (i % 7) || '.example/' || i,
                   CASE WHEN i % 50 = 0 THEN NULL ELSE 'Article ' || i END,  -- some have no title
                   'Outlet ' || (i % 7),
                   CASE WHEN i % 9 = 0 THEN NULL  -- unknown publication time: sorts last within its day
                        ELSE TIMESTAMP '2026-01-01' + to_minutes(CAST(hash(i, 'p') % 100000 AS INTEGER)) END,
                   'Body ' || i, false, TIMESTAMP '2026-06-01'
            FROM range(?) t(i)
            """,
            [N_ARTICLES],
        )
        # OpenAI is in about half the events (more than RECENT_RNS); the rest are spread out.
        con.execute(
            """
            INSERT INTO events (event_id, article_id, event_type, stance, actors, event_date, evidence,
                                evidence_start, evidence_end, confidence, extractor_version, created_at)
            SELECT 'e' || i, 'a' || (i % ?), ?[1 + t], ?[1 + s],
                   list_distinct(CASE WHEN h THEN ['OpenAI'] ELSE [] END || [?[1 + x], ?[1 + y]][1:1 + k]),
                   DATE '2026-01-01' + d, 'Evidence ' || i || '.', 0, 10, 0.5, 'test', TIMESTAMP '2026-06-01'
            FROM (SELECT i, (hash(i, 't') % 4)::INTEGER AS t, (hash(i, 's') % 3)::INTEGER AS s,
                         hash(i, 'h') % 2 = 0 AS h, (hash(i, 'x') % 10)::INTEGER AS x,
                         (hash(i, 'y') % 10)::INTEGER AS y, (hash(i, 'k') % 2)::INTEGER AS k,
                         (hash(i, 'd') % 90)::INTEGER AS d
                  FROM range(?) t(i))
            """,
            [N_ARTICLES, TYPES, STANCES, ACTORS, ACTORS, N_EVENTS],
        )
        # The same actor twice in other spellings; an alias and its canonical name in one event.
        con.execute(
            """
            INSERT INTO events (event_id, article_id, event_type, stance, actors, event_date, evidence,
                                evidence_start, evidence_end, confidence, extractor_version, created_at)
            VALUES
              ('x1', 'a1', 'partnership', 'asserted', ['OpenAI', 'openai', 'OPENAI'], DATE '2026-03-31',
               'Twice.', 0, 6, 0.9, 'test', TIMESTAMP '2026-06-01'),
              ('x2', 'a2', 'model_launch', 'alleged', ['Zhipu AI', 'Z.ai', 'zhipu ai'], DATE '2026-03-30',
               'Both.', 0, 5, 0.9, 'test', TIMESTAMP '2026-06-01')
            """
        )
        con.execute(
            """
            INSERT INTO event_evidence
            SELECT event_id, 0, evidence, evidence_start, evidence_end FROM events
            UNION ALL
            SELECT event_id, 1, 'More about ' || event_id || '.', 11, 20 FROM events
            WHERE hash(event_id) % 3 = 0
            """
        )
        con.execute("INSERT INTO entities SELECT DISTINCT 'ORG', a, true, TIMESTAMP '2026-01-01' "
                    "FROM (SELECT unnest(actors) AS a FROM events)")
        con.execute(
            """
            INSERT INTO mentions
            SELECT DISTINCT article_id, 'ORG', a, a, 0, 5, true
            FROM (SELECT article_id, unnest(actors) AS a FROM events)
            """
        )


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("dq") / "newsignal.duckdb"
    _build(path)
    model = DashboardModel(path)
    c = model.cursor()
    yield c
    c.close()
    model.close()


# Lower-cased names as entity_names_for gives them: single actors, an entity with an alias that is
# stored (both in ea: read directly), with aliases that are not, and nothing at all.
NAMES = [(a.lower(),) for a in ACTORS] + [
    ("z.ai", "zhipu ai"), ("moonshot", "moonshot ai"), ("nobody", "openai"), ("nobody",), ("x' or 1=1 --",)]


def test_the_head_actor_outgrows_actor_recent(con):
    rns = con.execute("SELECT count(DISTINCT rn) FROM ea WHERE actor_key = 'openai'").fetchone()[0]
    assert rns > dq.RECENT_RNS
    assert con.execute("SELECT count(*) FROM ea WHERE dup").fetchone()[0] == 3  # openai x2, zhipu ai x1


@pytest.mark.parametrize("names", NAMES, ids=lambda n: "+".join(n))
def test_briefing_from_summaries_is_the_direct_briefing(con, names):
    for limit in (200, dq.RECENT_RNS, dq.RECENT_RNS + 1):
        fast = entity_briefing(con, names, timeline_limit=limit)
        direct = entity_briefing(con, names, timeline_limit=limit, summaries=False)
        assert fast == direct
        assert key_points(fast) == key_points(direct)
        assert summary_line(names[0], fast) == summary_line(names[0], direct)
    if names == ("openai",):
        assert fast.events > dq.RECENT_RNS and len(fast.timeline) == dq.RECENT_RNS + 1
        assert fast.recent and len(fast.sources) == 7


@pytest.mark.parametrize("names", NAMES, ids=lambda n: "+".join(n))
def test_counts_and_event_pages_from_summaries_are_the_direct_ones(con, names):
    base = TimelineFilter(entity_names=names)
    filters = [base, replace(base, event_type="distillation_claim"),
               replace(base, stance="alleged", since=date(2026, 2, 1), until=date(2026, 3, 15)),
               replace(base, source="OUTLET 3")]
    for f in filters:
        assert counts_by_day_and_type(con, f) == counts_by_day_and_type(con, f, summaries=False)
        for limit in (1, 100, dq.RECENT_RNS, dq.RECENT_RNS + 5):
            assert events_page(con, f, limit=limit) == events_page(con, f, limit=limit, summaries=False)


def test_the_summaries_answer_without_reading_ea(con, monkeypatch):
    """One name, or one stored name among aliases: no query on ea (the slow path) at all."""
    def refuse(*args, **kwargs):
        raise AssertionError("read ea")

    monkeypatch.setattr(dq, "_briefing_from_ea", refuse)
    for names in (("openai",), ("moonshot", "moonshot ai"), ("nobody", "openai")):
        b = entity_briefing(con, names)
        assert b.events and b.timeline
    with pytest.raises(AssertionError, match="read ea"):
        entity_briefing(con, ("z.ai", "zhipu ai"))  # both stored: only ea can count their shared events once


def test_briefing_values_for_the_awkward_events(con):
    zhipu = entity_briefing(con, ("z.ai", "zhipu ai"))
    assert zhipu.names == ("Z.ai", "Zhipu AI", "zhipu ai") and "x2" in {e.event_id for e in zhipu.timeline}
    # One name counts ea rows, as before: x1 names OpenAI in three spellings. Several names count events.
    one = entity_briefing(con, ("openai",))
    assert one.events == entity_briefing(con, ("nobody", "openai")).events + 2
    assert [e.event_id for e in one.timeline].count("x1") == 1
    assert isinstance(one.first_seen_at, datetime)


@pytest.mark.parametrize("limit", [1, 100, 200, 201, 1000])
def test_event_pages_without_an_entity_are_the_newest_matching_rows(con, limit):
    for f in (TimelineFilter(), TimelineFilter(stance="alleged", source="outlet 3"),
              TimelineFilter(event_type="partnership")):
        where, params = dq._where(f, entity=False)
        expected = con.execute(f"SELECT event_id FROM ev {where} ORDER BY rn LIMIT ?",
                               [*params, limit]).fetchall()
        page = events_page(con, f, limit=limit)
        assert expected and [e.event_id for e in page] == [r[0] for r in expected]
        assert all(isinstance(e.evidence, tuple) for e in page)
        assert all(e.evidence for e in page)


def test_feed_health_page_shows_skipped_entries_and_short_briefs_even_on_a_database_before_briefs(tmp_path):
    from extractors.models import FeedEntry
    from flows.dashboard.pages import feeds_page
    from warehouse.db import connect
    from warehouse.migrations import apply_migrations
    from warehouse.polls import write_polls
    from warehouse.records import EntryFailure, FeedPoll, FeedSpec

    feed = FeedSpec("Wire", "http://127.0.0.1/wire.xml")
    gone = FeedEntry("k1", "k1", "http://127.0.0.1/gone", "Gone", "", "", None, None)
    poll = FeedPoll(feed=feed, polled_at=datetime(2026, 11, 20, 8), status=200, entries=(gone,),
                    failures=(EntryFailure(feed.url, "k1", gone.link, "not_found", "HTTP 404"),))
    new, old = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    with writer(new) as con:
        write_polls(con, [poll])
    con = connect(old)
    try:
        apply_migrations(con, up_to=5)  # written by an older newsignal; no ingest has migrated it yet
        write_polls(con, [poll])
    finally:
        con.close()
    for path in (new, old):
        (row,) = dq.feed_health_rows(DashboardModel(path).cursor())
        assert (row.entries_skipped, row.skipped_reasons, row.short_articles) == (1, "not_found 1", 0)
        assert "1 <span class=\"muted\">(not_found 1)</span>" in feeds_page(DashboardModel(path))
