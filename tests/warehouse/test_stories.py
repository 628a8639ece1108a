"""Stories and signals in a real DuckDB file: migration 3, idempotent updates, the timeline contract."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pytest

from tests.extractors.test_stories import (
    DUTCH,
    ENTITY_LIST,
    FOLLOW_UP,
    INDEPENDENT,
    REWRITE,
    SYNDICATED,
    WIRE,
)
from warehouse.migrations import apply_migrations
from warehouse.signals import rebuild_signals, signal_params, update_signals
from warehouse.stories import update_stories

TIMELINE_V3_COLUMNS = [
    "event_id", "event_date", "event_type", "stance", "actors", "evidence", "article_title", "article_url",
    "source", "published_at", "first_seen_at", "corroboration", "story_id", "signal_id",
]
SIGNALS_COLUMNS = ["signal_id", "event_type", "actors", "first_seen", "last_seen", "corroboration",
                   "stance_summary", "best_evidence", "sources"]

ACCUSATION = """\
OpenAI has accused the Beijing start-up Moonshot AI of using its models to train a rival, according to a \
memo sent to members of a House committee on Thursday. The memo says accounts linked to Moonshot generated \
millions of answers from OpenAI's systems through resellers and used them to teach its own Kimi models. \
OpenAI said it had closed the accounts and was adding new checks on bulk usage from unfamiliar payment \
providers.
"""
DENIAL = """\
Moonshot AI on Friday rejected the accusation, calling it groundless. In a post on its official account the \
company said its Kimi models were trained on licensed and public data and on conversations from its own \
users, and that it had never bought access to a competitor's system to copy its answers. A spokesperson \
declined to say whether the company would ask OpenAI to withdraw the memo.
"""
CONFIRMATION = """\
An internal review at Moonshot AI found that a contractor had bought answers from OpenAI's models and mixed \
them into a training set used for an early Kimi release, three people who have read the report said on \
Saturday. The company has dismissed the contractor, retrained the affected model from scratch and told \
investors that the tainted data made up a small fraction of the material used.
"""

FEEDS = [  # url, name, owner
    ("https://courier.example/rss", "Compute Courier", "Courier Holdings"),
    ("https://pacific.example/feed", "Pacific Stack", "Harbour Street Media"),
    ("https://ledger.example/feed", "Circuit Ledger", "Ledger Media Group"),
    ("https://dispatch.example/atom", "Frontier Dispatch", "Ledger Media Group"),
    ("https://statecraft.example/atom", "Statecraft Review", None),
    ("https://modelwatch.example/atom", "Modelwatch", "Modelwatch Media"),
]
T0 = datetime(2026, 11, 16, 9, 0)
ARTICLES = {  # article_id: (feed index, hours after T0, text)
    "a-wire": (0, 0, WIRE),
    "a-synd": (1, 3, SYNDICATED),
    "a-rewrite": (2, 5, REWRITE),
    "a-indep": (3, 6, INDEPENDENT),
    "a-follow": (4, 26, FOLLOW_UP),
    "a-dutch": (4, 27, DUTCH),
    "a-entity": (0, 50, ENTITY_LIST),
    "a-accuse": (5, 1, ACCUSATION),
    "a-deny": (1, 25, DENIAL),
    "a-confirm": (4, 49, CONFIRMATION),
}
COMMERCE = "Department of Commerce"
EVENTS = [  # event_id, article_id, type, stance, actors, day
    ("e-wire", "a-wire", "export_control", "asserted", [COMMERCE, "Nvidia", "United Arab Emirates"], 0),
    ("e-synd", "a-synd", "export_control", "asserted", [COMMERCE, "Nvidia", "United Arab Emirates"], 0),
    ("e-rewrite", "a-rewrite", "export_control", "asserted", [COMMERCE, "Nvidia"], 0),
    ("e-indep", "a-indep", "export_control", "asserted", [COMMERCE, "Nvidia", "AMD"], 0),
    ("e-follow", "a-follow", "export_control", "asserted", ["Nvidia", COMMERCE], 1),
    ("e-dutch", "a-dutch", "export_control", "asserted", ["Netherlands", "ASML", "China"], 1),
    ("e-entity", "a-entity", "export_control", "asserted", [COMMERCE, "China"], 2),
    ("e-accuse", "a-accuse", "distillation_claim", "alleged", ["OpenAI", "Moonshot AI"], 0),
    ("e-deny", "a-deny", "distillation_claim", "denied", ["Moonshot AI", "OpenAI"], 1),
    ("e-confirm", "a-confirm", "distillation_claim", "asserted", ["Moonshot AI", "OpenAI"], 2),
]
ENTITIES = [("GPE", "United Arab Emirates"), ("GPE", "Netherlands"), ("GPE", "China"), ("ORG", COMMERCE),
            ("ORG", "Nvidia"), ("ORG", "AMD"), ("ORG", "ASML"), ("ORG", "OpenAI"), ("ORG", "Moonshot AI")]


def insert_data(con, articles=tuple(ARTICLES), events=None):
    now = T0 + timedelta(days=5)
    for url, name, owner in FEEDS:
        con.execute("INSERT INTO feeds (url, name, owner, added_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING", [url, name, owner, now])
    con.executemany("INSERT INTO entities VALUES (?, ?, true, ?) ON CONFLICT DO NOTHING",
                    [(label, name, now) for label, name in ENTITIES])
    for article_id in articles:
        feed, hours, text = ARTICLES[article_id]
        url, source, _ = FEEDS[feed]
        con.execute(
            "INSERT INTO articles "
            "(article_id, url, title, source, feed_url, published_at, text, first_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [article_id, f"https://{source.lower().replace(' ', '')}.example/{article_id}",
             f"Title of {article_id}", source, url, T0 + timedelta(hours=hours), text, now])
    wanted = set(articles)
    for event_id, article_id, type_, stance, actors, day in events or EVENTS:
        if article_id in wanted:
            con.execute(
                "INSERT INTO events (event_id, article_id, event_type, stance, actors, event_date, evidence, "
                "evidence_start, evidence_end, confidence, extractor_version, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 10, 0.8, 'test', ?)",
                [event_id, article_id, type_, stance, actors, date(2026, 11, 16) + timedelta(days=day),
                 f"Evidence for {event_id}.", now])


def migrated(db_path, **kwargs):
    con = duckdb.connect(str(db_path))
    apply_migrations(con)
    insert_data(con, **kwargs)
    return con


def params(con, **kwargs):
    return signal_params(con, weak_actors={COMMERCE}, **kwargs)


def run(con, **kwargs):
    return update_stories(con), update_signals(con, params=params(con, **kwargs))


def timeline(con) -> dict[str, tuple]:
    rows = con.execute("SELECT event_id, story_id, signal_id, corroboration FROM timeline").fetchall()
    return {r[0]: r[1:] for r in rows}


def snapshot(con) -> dict[str, list]:
    tables = ["stories", "article_stories", "story_bands", "signal_events", "signal_state"]
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def test_migration_3_upgrades_a_v2_database_with_data(db_path):
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con, up_to=2) == [1, 2]
    insert_data(con)
    con.close()

    con = duckdb.connect(str(db_path))
    assert apply_migrations(con)[:3] == [3, 4, 5]  # and any later ones
    cols = [d[0] for d in con.execute("SELECT * FROM timeline LIMIT 0").description]
    assert cols[:len(TIMELINE_V3_COLUMNS)] == TIMELINE_V3_COLUMNS  # later migrations only append
    assert [d[0] for d in con.execute("SELECT * FROM signals LIMIT 0").description][:9] == SIGNALS_COLUMNS
    # Nothing clustered yet: every event is its own corroboration of one, with no story or signal.
    assert set(timeline(con).values()) == {(None, None, 1)}
    assert con.execute("SELECT count(*) FROM timeline").fetchone() == (len(EVENTS),)

    stories, signals = run(con)
    assert (stories.articles, stories.new_stories, stories.joined) == (10, 8, 2)
    assert (signals.events, signals.new_signals) == (10, 4)
    assert con.execute(
        "SELECT count(*) FROM timeline WHERE story_id IS NULL OR signal_id IS NULL"
    ).fetchone() == (0,)


def test_copies_share_a_story_and_other_reporting_does_not(db_path):
    con = migrated(db_path)
    update_stories(con)
    story_of = dict(con.execute("SELECT article_id, story_id FROM article_stories").fetchall())
    assert {a for a, s in story_of.items() if s == "a-wire"} == {"a-wire", "a-synd", "a-rewrite"}
    assert all(story_of[a] == a for a in ARTICLES if a not in ("a-synd", "a-rewrite"))
    row = con.execute("SELECT title, first_published_at, last_published_at, article_count, source_count "
                      "FROM stories WHERE story_id = 'a-wire'").fetchone()
    assert row == ("Title of a-wire", T0, T0 + timedelta(hours=5), 3, 3)
    assert con.execute("SELECT count(*) FROM stories").fetchone() == (8,)
    # The signature and its band keys are stored, so later runs never re-hash this text.
    assert con.execute("SELECT octet_length(signature), shingles > 100 FROM article_stories "
                       "WHERE article_id = 'a-wire'").fetchone() == (512, True)
    assert con.execute("SELECT count(*) FROM story_bands WHERE article_id = 'a-wire'").fetchone() == (64,)


def test_timeline_corroboration_counts_independent_outlets(db_path):
    con = migrated(db_path)
    run(con)
    tl = timeline(con)
    gulf = ["e-wire", "e-synd", "e-rewrite", "e-indep", "e-follow"]
    assert {tl[e][1] for e in gulf} == {"e-wire"}
    # Courier, Pacific Stack and Circuit Ledger carry one story; Frontier Dispatch shares Circuit Ledger's
    # owner; Statecraft Review is the second independent outlet. Four outlet names, two independent reports.
    assert {tl[e][2] for e in gulf} == {2}
    assert tl["e-dutch"][1:] == ("e-dutch", 1)  # shares only China with the others
    assert tl["e-entity"][1:] == ("e-entity", 1)  # shares only Commerce (weak) and China (generic)
    assert tl["e-synd"][0] == "a-wire" and tl["e-indep"][0] == "a-indep"


def test_signals_view_rolls_up_stance_sources_and_evidence(db_path):
    con = migrated(db_path)
    run(con)
    rows = {r[0]: r for r in con.execute("SELECT * FROM signals").fetchall()}
    assert set(rows) == {"e-wire", "e-dutch", "e-entity", "e-accuse"}
    claim = dict(zip([d[0] for d in con.execute("SELECT * FROM signals LIMIT 0").description],
                     rows["e-accuse"], strict=True))
    assert claim["stance_summary"] == ("alleged by OpenAI; denied by Moonshot AI; "
                                       "confirmed by Statecraft Review on 18 Nov")
    assert claim["status"] == "confirmed"
    assert claim["corroboration"] == 3
    assert claim["actors"] == ["OpenAI", "Moonshot AI"]
    assert (claim["first_seen"], claim["last_seen"]) == (T0 + timedelta(hours=1), T0 + timedelta(hours=49))
    assert claim["best_evidence"] == "Evidence for e-confirm."
    assert [s["source"] for s in claim["sources"]] == ["Modelwatch", "Pacific Stack", "Statecraft Review"]
    assert claim["sources"][0]["url"] == "https://modelwatch.example/a-accuse"
    gulf = rows["e-wire"]
    assert gulf[5] == 2 and gulf[1] == "export_control"
    assert len(gulf[8]) == 5


def test_updates_are_idempotent(db_path):
    con = migrated(db_path)
    run(con)
    before = snapshot(con)
    stories, signals = run(con)
    assert (stories.articles, signals.events, signals.signals_updated) == (0, 0, 0)
    assert snapshot(con) == before


def test_later_articles_join_stored_stories_and_signals(db_path):
    first = ("a-wire", "a-accuse", "a-dutch")
    con = migrated(db_path, articles=first)
    run(con)
    assert timeline(con)["e-wire"] == ("a-wire", "e-wire", 1)
    insert_data(con, articles=tuple(a for a in ARTICLES if a not in first))
    stories, signals = run(con)
    assert (stories.articles, stories.joined) == (7, 2)
    assert signals.events == 7
    assert timeline(con)["e-synd"] == ("a-wire", "e-wire", 2)
    assert con.execute("SELECT article_count FROM stories WHERE story_id = 'a-wire'").fetchone() == (3,)
    # Same outcome as clustering everything at once.
    assert timeline(con) == _all_at_once(db_path.parent / "all.duckdb")


def _all_at_once(path):
    con = migrated(path)
    run(con)
    return timeline(con)


def test_events_wait_until_their_article_has_a_story(db_path):
    con = migrated(db_path)
    result = update_signals(con, params=params(con))
    assert result.events == 0
    assert set(timeline(con).values()) == {(None, None, 1)}


def test_rebuild_signals_applies_new_rules_and_is_idempotent(db_path):
    con = migrated(db_path)
    run(con)
    # Without the government list, Commerce alone links the Entity List event to the Gulf signal.
    loose = signal_params(con)
    rebuilt = rebuild_signals(con, since=date(2026, 11, 16), params=loose)
    assert rebuilt.events > 0
    assert timeline(con)["e-entity"][1] == "e-wire"
    after = snapshot(con)
    rebuild_signals(con, since=date(2026, 11, 16), params=loose)
    assert snapshot(con) == after
    # Back to the strict rules: same state as the first run, old signal rows removed.
    rebuild_signals(con, since=date(2026, 11, 16), params=params(con))
    assert timeline(con)["e-entity"][1:] == ("e-entity", 1)
    assert con.execute("SELECT count(*) FROM signal_state").fetchone() == (4,)


def test_rebuild_keeps_earlier_signals_and_lets_new_events_join_them(db_path):
    con = migrated(db_path)
    run(con, window_days=0)
    assert timeline(con)["e-deny"][1] == "e-deny"  # a day after the accusation: outside a 0-day window
    rebuild_signals(con, since=date(2026, 11, 17), params=params(con, window_days=3))
    tl = timeline(con)
    assert tl["e-accuse"][1] == tl["e-deny"][1] == tl["e-confirm"][1] == "e-accuse"
    assert con.execute("SELECT stance_summary FROM signals WHERE signal_id = 'e-accuse'").fetchone() == (
        "alleged by OpenAI; denied by Moonshot AI; confirmed by Statecraft Review on 18 Nov",)
    assert con.execute(
        "SELECT count(*) FROM signals WHERE signal_id IN ('e-deny', 'e-confirm')"
    ).fetchone() == (0,)


@pytest.mark.parametrize("since", [datetime(2026, 11, 17), None])
def test_update_stories_since_limits_the_articles_considered(db_path, since):
    con = migrated(db_path)
    placed = update_stories(con, since=since, batch_size=3).articles
    expected = sum(1 for _, hours, _ in ARTICLES.values()
                   if since is None or T0 + timedelta(hours=hours) >= since)
    assert placed == expected


def test_rebuild_refreshes_owners_and_drops_placements_of_deleted_events(db_path):
    con = migrated(db_path)
    run(con)
    assert timeline(con)["e-wire"][2] == 2
    # Statecraft Review turns out to belong to Ledger Media Group; the follow-up is then not independent.
    con.execute("UPDATE feeds SET owner = 'Ledger Media Group' WHERE name = 'Statecraft Review'")
    con.execute("DELETE FROM event_evidence WHERE event_id = 'e-dutch'")
    con.execute("DELETE FROM events WHERE event_id = 'e-dutch'")
    rebuild_signals(con, since=date(2026, 11, 16), params=params(con))
    assert timeline(con)["e-wire"][2] == 1
    assert con.execute("SELECT count(*) FROM signal_events WHERE event_id = 'e-dutch'").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM signals WHERE signal_id = 'e-dutch'").fetchone() == (0,)


def test_update_drops_placements_of_events_deleted_by_reextraction(db_path):
    con = migrated(db_path)
    run(con)
    con.execute("DELETE FROM events WHERE event_id IN ('e-follow', 'e-dutch')")
    result = update_signals(con, params=params(con))
    assert result.events == 0 and result.signals_updated == 1  # e-wire's signal recomputed, e-dutch's gone
    assert con.execute(
        "SELECT corroboration, event_count FROM signals WHERE signal_id = 'e-wire'"
    ).fetchone() == (1, 4)
    assert con.execute(
        "SELECT count(*) FROM signal_events WHERE event_id IN ('e-follow', 'e-dutch')"
    ).fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM signals WHERE signal_id = 'e-dutch'").fetchone() == (0,)
