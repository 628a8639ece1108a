"""The whole path on the demo corpus: loopback HTTP -> ingest flow -> DuckDB -> digest.

The first ingest is the session's `newsignal demo` build (tests/conftest.py); the re-ingests run on a copy.
Expectations come from the corpus's human-written labels (flows/demo/corpus/gold.jsonl)
and from the pages themselves, never from a previous run of the code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from flows.demo.server import corpus_dir, serve_directory
from tests.sql import rows, scalar

pytestmark = pytest.mark.slow

GOLD = [json.loads(line) for line in (corpus_dir() / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
BY_ID = {g["id"]: g for g in GOLD}
TABLES = ("feeds", "entries", "articles", "mentions", "entities", "events", "event_evidence", "documents")


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: scalar(con, f"SELECT count(*) FROM {t}") for t in TABLES}
    finally:
        con.close()


@contextmanager
def serve_corpus_at(feeds_file: Path, wait_s: float = 120.0) -> Iterator[None]:
    """Serve the corpus again at the address the demo build polled, so its feeds are the same URLs.

    The demo prefers port 8765, which another demo on this machine may hold for a while: wait for it.
    """
    with feeds_file.open("rb") as f:
        url = urlsplit(tomllib.load(f)["feed"][0]["url"])
    base = f"{url.scheme}://{url.netloc}"
    deadline = time.monotonic() + wait_s
    while True:
        with serve_directory(corpus_dir() / "site", port=url.port) as served:
            if served == base:
                yield
                return
        if time.monotonic() > deadline:
            pytest.fail(f"port {url.port} stayed busy for {wait_s:.0f}s: "
                        f"cannot serve the demo corpus at {base}")
        time.sleep(1)


@pytest.fixture(scope="module")
def ingested(demo_build, tmp_path_factory):
    """The demo's ingest, then two more on a copy: unchanged (304s) and with validators forgotten (200s)."""
    from flows.ingest import ingest_flow

    after_first = counts(demo_build.db)
    db = demo_build.copy_db(tmp_path_factory.mktemp("e2e") / "newsignal.duckdb")
    feeds = demo_build.feeds_file
    with serve_corpus_at(feeds):
        second = ingest_flow(str(feeds), str(db), due_only=False)
        after_second = counts(db)
        con = duckdb.connect(str(db))
        con.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
        con.close()
        third = ingest_flow(str(feeds), str(db), due_only=False)
        after_third = counts(db)
    return {"db": db, "reports": (second, third), "counts": (after_first, after_second, after_third)}


def test_every_article_lands_once_with_its_canonical_url_title_and_outlet(ingested):
    db = ingested["db"]
    stored = {url: (title, source)
              for url, title, source in rows(db, "SELECT url, title, source FROM articles")}
    assert len(stored) == len(GOLD) == 44
    for g in GOLD:
        assert g["url"] in stored, g["id"]
        assert stored[g["url"]][0] == g["title"]
    # Circuit Ledger's policy feed lists three of its main-feed articles with tracking parameters:
    # three more entries, no more articles.
    entries = rows(db, "SELECT count(*), count(DISTINCT article_url) FROM entries")[0]
    assert entries == (47, 44)
    source = rows(db, "SELECT source FROM articles WHERE url = ?", [BY_ID["demo-38"]["url"]])[0][0]
    assert source == "Circuit Ledger"


def test_the_syndicated_wire_story_is_one_story(ingested):
    db = ingested["db"]
    story = dict(rows(
        db, "SELECT a.url, s.story_id FROM articles a JOIN article_stories s USING (article_id)"
    ))
    assert len(story) == 44
    pair = (BY_ID["demo-20"]["url"], BY_ID["demo-21"]["url"])
    assert story[pair[0]] == story[pair[1]]
    assert sum(1 for sid in story.values() if sid == story[pair[0]]) == 2  # nothing else joined them
    assert len(set(story.values())) == 43


def test_reingesting_unchanged_feeds_adds_nothing(ingested, demo_build):
    second, third = ingested["reports"]
    c1, c2, c3 = ingested["counts"]
    # The first ingest, as the demo reported it: every article new, no feed failed.
    assert re.search(r"^  feeds +7 polled \(0 not modified, 0 failed\)$", demo_build.stdout,
                     flags=re.MULTILINE)
    assert re.search(r"^  articles +44 stored \(44 new this run\)$", demo_build.stdout, flags=re.MULTILINE)
    assert second.not_modified == second.polled == 7
    assert c2 == c1
    # Without validators every feed answers 200 again: the entries are known, so nothing is refetched.
    assert third.not_modified == 0 and third.new_entries == 0 and third.new_articles == 0
    assert c3 == c1


def test_named_entities_land_with_canonical_names(ingested):
    db = ingested["db"]
    found = {(url, label, name) for url, label, name in rows(db, "SELECT * FROM article_entities")}
    expected = {
        "demo-38": [("ORG", "DeepSeek"), ("ORG", "Moonshot AI"), ("ORG", "Bureau of Industry and Security"),
                    ("PERSON", "Howard Lutnick")],
        "demo-22": [("ORG", "Google"), ("MODEL", "Gemini"), ("ORG", "OpenAI")],
        "demo-08": [("ORG", "OpenAI"), ("MODEL", "ChatGPT"), ("ORG", "Microsoft")],
        "demo-21": [("ORG", "Alibaba"), ("GPE", "China")],
    }
    for gid, pairs in expected.items():
        for label, name in pairs:
            # the labels agree
            assert label in BY_ID[gid]["entities"] and name in BY_ID[gid]["entities"][label]
            assert (BY_ID[gid]["url"], label, name) in found, (gid, label, name)
    # Demonyms are not places.
    assert not any(name in ("Chinese", "American") for _, label, name in found if label == "GPE")


@pytest.mark.parametrize(("gid", "event_type", "stance", "actor"), [
    ("demo-38", "export_control", "asserted", "Bureau of Industry and Security"),
    ("demo-28", "distillation_claim", "denied", "Moonshot AI"),
    ("demo-14", "distillation_claim", "alleged", "OpenAI"),
    ("demo-22", "pricing", "asserted", "Google"),
    ("demo-08", "legal_action", "asserted", "OpenAI"),
    ("demo-06", "model_launch", "asserted", "Google DeepMind"),
])
def test_labeled_events_reach_the_timeline_with_evidence(ingested, gid, event_type, stance, actor):
    gold = BY_ID[gid]
    assert any(e["type"] == event_type and e["stance"] == stance and actor in e["actors"]
               for e in gold["events"])
    hits = rows(ingested["db"], """
        SELECT t.actors, t.evidence, a.text, e.evidence_start, e.evidence_end, t.source, t.corroboration
        FROM timeline t JOIN events e USING (event_id) JOIN articles a ON a.url = t.article_url
        WHERE t.article_url = ? AND t.event_type = ? AND t.stance = ?""", [gold["url"], event_type, stance])
    assert hits, f"no {event_type}/{stance} event for {gid}"
    assert any(actor in actors for actors, *_ in hits), hits
    for _actors, evidence, text, start, end, source, corroboration in hits:
        assert text[start:end] == evidence  # the evidence points into the stored article text
        assert source and corroboration >= 1


def test_the_opinion_piece_yields_no_event(ingested):
    opinion = next(g for g in GOLD if not g["events"])
    assert rows(ingested["db"], "SELECT count(*) FROM timeline WHERE article_url = ?",
                [opinion["url"]])[0][0] == 0


def test_digest_names_the_days_top_event_and_links_its_source(ingested):
    from flows.daily_digest import make_digest
    from flows.digest.render import render_html, render_text
    from flows.settings import load_settings

    digest = make_digest(ingested["db"], date(2026, 11, 20), load_settings())
    entity_list_urls = {BY_ID[g]["url"] for g in ("demo-38", "demo-41", "demo-42", "demo-44")}
    # The day's news is the Entity List listing; it leads, or follows only the distillation thread it grew
    # out of (reported by more outlets over the week and newly corroborated that day), or is folded into
    # that thread's item ("also: ...") when every report of it is one the item already shows.
    listing = [i for i, s in enumerate(digest.top)
               if s.event_type == "export_control" and {u.url for u in s.sources} & entity_list_urls]
    lead = digest.top[0]
    folded = lead.event_type == "distillation_claim" and any("export controls" in a for a in lead.also)
    assert folded or (listing and listing[0] <= 1), [(s.event_type, s.headline, s.also) for s in digest.top]
    assert folded or listing[0] == 0 or lead.event_type == "distillation_claim"
    assert {u.url for u in lead.sources} & entity_list_urls
    html, text = render_html(digest), render_text(digest)
    assert any(f'href="{u}"' in html for u in entity_list_urls)
    assert all(s.headline in text for s in digest.top)


def test_demo_command_prints_its_summary_and_writes_the_digest(demo_build):
    out = demo_build.out_dir  # `newsignal demo --out OUT`, run once per session; it exited 0
    assert "articles     44 stored" in demo_build.stdout
    assert "export_control" in demo_build.stdout and "digest-2026-11-20.html" in demo_build.stdout
    assert (out / "digest-2026-11-20.html").stat().st_size > 1000
    text = (out / "digest-2026-11-20.txt").read_text(encoding="utf-8")
    assert text.startswith("newsignal digest 2026-11-20")


def test_signals_are_threads_with_headlines_from_roles(demo_build):
    # OpenAI's accusation, Moonshot AI's denial of it and their later mentions are one thread, headlined from
    # roles (the US government's own distillation allegation against DeepSeek and Moonshot AI is another).
    (headline, status, alleged_by, denied_by), = rows(demo_build.db, """
        SELECT s.headline, s.status, s.alleged_by, s.denied_by FROM signals s
        WHERE s.signal_id IN (SELECT signal_id FROM timeline WHERE event_type = 'distillation_claim'
                             AND stance = 'denied' AND initiator = 'Moonshot AI'
                             AND evidence LIKE '%OpenAI''s models to train%')""")
    assert headline == "OpenAI accuses Moonshot AI of distilling its models; Moonshot AI denies it"
    assert status == "contested" and "OpenAI" in alleged_by and denied_by == ["Moonshot AI"]
    assert rows(demo_build.db, "SELECT count(*) FROM signals WHERE headline IS NULL")[0][0] == 0
    # The roles behind it are stored: every event's initiator holds one of its roles.
    assert rows(demo_build.db, """
        SELECT count(*) FROM timeline t WHERE t.initiator IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM event_roles r WHERE r.event_id = t.event_id AND r.name = t.initiator)""")[0][0] == 0


def test_a_demo_directory_kept_from_older_rules_is_annotated_again(demo_build, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    db = demo_build.copy_db(out / "newsignal.duckdb")
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE articles SET extractor_version = 'rules-older' "
                    "WHERE article_id IN (SELECT article_id FROM articles ORDER BY url LIMIT 3)")
        events_before = scalar(con, "SELECT count(*) FROM events")
    finally:
        con.close()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    run = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--out", str(out)], env=env,
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-3000:]
    # Its feeds are unchanged (nothing new to fetch), yet what it shows comes from the current rules.
    assert "reprocessed  44 articles (3 had been stored under older extraction rules)" in run.stdout
    versions = {v for (v,) in rows(db, "SELECT DISTINCT extractor_version FROM articles")}
    assert versions == {v for (v,) in rows(db, "SELECT DISTINCT extractor_version FROM events")}
    assert "rules-older" not in versions and len(versions) == 1
    assert rows(db, "SELECT count(*) FROM events") == [(events_before,)]
