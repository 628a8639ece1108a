"""Stories and signals are incremental: a run on top of a stored history reads only what is new and what it
can join, and places everything exactly as a recomputation from scratch would (compared row by row)."""

from __future__ import annotations

import random
import shutil
from datetime import date, datetime, timedelta

import duckdb
import pytest

import warehouse.signals
from extractors.signals import signal_assignments
from warehouse.bulk import insert_rows
from warehouse.migrations import apply_migrations
from warehouse.signals import signal_params, update_signals
from warehouse.stories import DEFAULT_STORY_BATCH, update_stories

T0 = datetime(2026, 3, 2, 7, 0)
TYPES = ("model_launch", "export_control", "funding_investment", "legal_action")
COMPANIES = ("Quillon AI", "Marrow Labs", "Tessel", "Brightfold Systems", "Oxley Robotics", "Veyra",
             "Nimbrel AI", "Cardolan Compute")
PLACES = ("Portugal", "Chile", "Kenya")
AGENCY = "Office of Trade Review"
OUTLETS = [(f"https://outlet{i}.example/rss", f"Outlet {i}", f"Owner {i % 4}" if i % 3 else None)
           for i in range(7)]
WORDS = ("ledger", "cobalt", "harbor", "quartz", "signal", "meadow", "furnace", "lantern", "orbit", "thicket",
         "vessel", "canyon", "ember", "glacier", "hinge", "island", "juniper", "kernel", "lattice", "marble",
         "nectar", "oracle", "pylon", "quiver", "ridge", "saddle", "timber", "umber", "valley", "willow")


def _text(rng: random.Random, who: str) -> list[str]:
    return [" ".join([who, *rng.choices(WORDS, k=rng.randint(14, 22))]) + "."
            for _ in range(rng.randint(4, 7))]


def _edit(rng: random.Random, paragraphs: list[str]) -> list[str]:
    return [" ".join(rng.choice(WORDS) if rng.random() < 0.04 else w for w in p.split()) for p in paragraphs]


def articles(seed: int, first: int, days: float, per_day: int) -> list[dict]:
    """Reports of invented events from ``first`` on, in publication order: about a third are copies
    (light edits) of an earlier report, some events are reported independently again, some are denied."""
    rng = random.Random(seed)
    out: list[dict] = []
    originals: list[dict] = []
    n = int(days * per_day)
    for i in range(n):
        seq = first + i
        published = T0 + timedelta(days=seq / per_day)
        feed = rng.randrange(len(OUTLETS))
        if originals and rng.random() < 0.35:  # a copy of a recent report, or the same event told anew
            src = rng.choice(originals[-12:])
            paragraphs = _edit(rng, src["paragraphs"]) if rng.random() < 0.7 else _text(rng, src["actors"][0])
            event = dict(src["event"], stance=rng.choice(("asserted", "asserted", "denied")))
        else:
            actors = rng.sample(COMPANIES, rng.randint(1, 2))
            if rng.random() < 0.3:
                actors.insert(0, AGENCY)
            if rng.random() < 0.3:
                actors.append(rng.choice(PLACES))
            with_roles = rng.random() < 0.6
            event = {"type": rng.choice(TYPES), "actors": actors,
                     "stance": rng.choice(("asserted", "alleged")),
                     "initiator": actors[0] if with_roles else None,
                     "targets": actors[1:2] if with_roles else []}
            paragraphs = _text(rng, actors[0])
        art = {"article_id": f"a{seq:05d}", "feed": feed, "published_at": published, "paragraphs": paragraphs,
               "event": event, "actors": event["actors"]}
        out.append(art)
        originals.append(art)
    return out


def load(con: duckdb.DuckDBPyConnection, batch: list[dict]) -> None:
    now = T0 + timedelta(days=60)
    insert_rows(con, "feeds", [("url", "VARCHAR"), ("name", "VARCHAR"), ("owner", "VARCHAR"),
                               ("added_at", "TIMESTAMP")],
                [(u, n, o, now) for u, n, o in OUTLETS], on_conflict="ON CONFLICT DO NOTHING")
    insert_rows(con, "entities", [("label", "VARCHAR"), ("name", "VARCHAR"), ("known", "BOOLEAN"),
                                  ("first_seen_at", "TIMESTAMP")],
                [("GPE", p, True, now) for p in PLACES] + [("ORG", c, True, now) for c in COMPANIES],
                on_conflict="ON CONFLICT DO NOTHING")
    insert_rows(con, "articles",
                [("article_id", "VARCHAR"), ("url", "VARCHAR"), ("title", "VARCHAR"), ("source", "VARCHAR"),
                 ("feed_url", "VARCHAR"), ("published_at", "TIMESTAMP"), ("text", "VARCHAR"),
                 ("first_seen_at", "TIMESTAMP")],
                [(a["article_id"], f"https://news.example/{a['article_id']}", f"Report {a['article_id']}",
                  OUTLETS[a["feed"]][1], OUTLETS[a["feed"]][0], a["published_at"],
                  "\n\n".join(a["paragraphs"]), now) for a in batch])
    events, roles = [], []
    for a in batch:
        e, event_id = a["event"], f"e{a['article_id']}"
        events.append((event_id, a["article_id"], e["type"], e["stance"], e["actors"],
                       a["published_at"].date(), f"Evidence of {event_id}.", 0, 10, 0.7, "test", now,
                       e["initiator"], e["targets"]))
        named = ([("claimant" if e["stance"] == "denied" else "initiator", e["initiator"])] if e["initiator"]
                 else []) + [("target", t) for t in e["targets"]]
        roles += [(event_id, role, name, "ORG", i) for i, (role, name) in enumerate(named)]
    insert_rows(con, "events",
                [("event_id", "VARCHAR"), ("article_id", "VARCHAR"), ("event_type", "VARCHAR"),
                 ("stance", "VARCHAR"), ("actors", "VARCHAR[]"), ("event_date", "DATE"),
                 ("evidence", "VARCHAR"),
                 ("evidence_start", "INTEGER"), ("evidence_end", "INTEGER"), ("confidence", "DOUBLE"),
                 ("extractor_version", "VARCHAR"), ("created_at", "TIMESTAMP"), ("initiator", "VARCHAR"),
                 ("targets", "VARCHAR[]")], events)
    insert_rows(con, "event_roles", [("event_id", "VARCHAR"), ("role", "VARCHAR"), ("name", "VARCHAR"),
                                     ("label", "VARCHAR"), ("ordinal", "INTEGER")], roles)


def place(con: duckdb.DuckDBPyConnection, *, batch_size: int = DEFAULT_STORY_BATCH) -> None:
    """What ingest does after its writes: stories, then signals with the database's linking rules."""
    update_stories(con, batch_size=batch_size)
    update_signals(con, params=signal_params(con, weak_actors={AGENCY}))


# Every column of what stories and signals write, except when it was written.
PLACED = {
    "article_stories": "article_id, story_id, published_at, matched_article_id, jaccard, shingles, "
                       "signature, scheme",
    "story_bands": "band_key, article_id, published_at",
    "stories": "story_id, title, first_published_at, last_published_at, article_count, source_count",
    "signal_events": "event_id, signal_id, linked_event_id",
    "signal_state": "*",
}


def placed_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {table: sorted(con.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)
            for table, cols in PLACED.items()}


def count(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> int:
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return int(row[0])


def test_a_run_on_a_history_places_what_a_recomputation_from_scratch_does(tmp_path):
    history = articles(seed=3, first=0, days=12, per_day=40)  # 480 articles, placed in four earlier runs
    new = articles(seed=4, first=len(history), days=2, per_day=40)  # this run: 80, copies of the history too
    new = [dict(a, paragraphs=_edit(random.Random(i), history[-1 - i % 30]["paragraphs"]),
                event=history[-1 - i % 30]["event"], actors=history[-1 - i % 30]["actors"])
           if i % 3 == 0 else a for i, a in enumerate(new)]
    con = duckdb.connect(str(tmp_path / "incremental.duckdb"))
    apply_migrations(con)
    for start in range(0, len(history), 120):
        load(con, history[start:start + 120])
        place(con, batch_size=50)  # several batches per run: batches join what earlier ones stored
    load(con, new)
    con.execute("CHECKPOINT")
    con.close()
    shutil.copy(tmp_path / "incremental.duckdb", tmp_path / "scratch.duckdb")

    con = duckdb.connect(str(tmp_path / "incremental.duckdb"))
    place(con)
    incremental = placed_rows(con)
    scratch = duckdb.connect(str(tmp_path / "scratch.duckdb"))
    for table in PLACED:  # the copy forgets every placement, then places all 560 articles at once
        scratch.execute(f"DELETE FROM {table}")
    place(scratch)
    assert placed_rows(scratch) == incremental
    # The run did join the history: copies of stored reports in stored stories, events in stored signals.
    assert count(con, "SELECT count(*) FROM article_stories WHERE article_id >= $1 AND story_id < $1",
                 new[0]["article_id"]) > 10
    assert count(con, "SELECT count(*) FROM signal_events WHERE event_id >= $1 AND signal_id < $1",
                 "e" + new[0]["article_id"]) > 10


@pytest.fixture
def reads(monkeypatch):
    """What update_signals hands the pure linking step: the stored events it compares the new ones with."""
    seen: list[tuple[list, list]] = []

    def recording(new_events, known=(), params=None):
        seen.append((list(new_events), list(known)))
        return signal_assignments(new_events, known, params)

    monkeypatch.setattr(warehouse.signals, "signal_assignments", recording)
    return seen


def test_signals_compare_new_events_only_with_stored_ones_they_can_join(tmp_path, reads):
    history = articles(seed=5, first=0, days=10, per_day=30)
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    apply_migrations(con)
    load(con, history)
    place(con)
    one = articles(seed=6, first=len(history), days=1 / 30, per_day=30)
    one[0]["event"] = dict(one[0]["event"], type="legal_action")
    load(con, one)
    reads.clear()
    place(con)
    (new_events, known), = reads
    assert [e.event_id for e in new_events] == ["e" + one[0]["article_id"]]
    day = one[0]["published_at"].date()
    # Only placed events of the same type: those dated within the window of it (it can link to them), and
    # the members naming an initiator of their signals (they decide whose thread a claim may join). Not the
    # whole history, nor the window's events of other types.
    assert known and {k.event.event_type for k in known} == {"legal_action"}
    near = [k for k in known if abs(k.event.event_date - day) <= timedelta(days=3)]
    assert near
    assert all(k.event.initiator and k.event.stance != "denied" and k.signal_id in {n.signal_id for n in near}
               for k in known if k not in near)
    stored_in_window = count(
        con, "SELECT count(*) FROM events JOIN signal_events USING (event_id) "
             "WHERE event_date BETWEEN $1 AND $2",
        day - timedelta(days=3), day + timedelta(days=3))
    assert len(near) < stored_in_window
    assert len(known) < len(history) / 3


def test_events_read_back_keep_their_roles_in_order(tmp_path, reads):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    apply_migrations(con)
    batch = articles(seed=7, first=0, days=1, per_day=20)
    load(con, batch)
    place(con)
    new_events, _ = reads[0]
    stored = {e.event_id: e.roles for e in new_events}
    for a in batch:
        e = a["event"]
        expected = (([("claimant" if e["stance"] == "denied" else "initiator", e["initiator"])]
                     if e["initiator"] else []) + [("target", t) for t in e["targets"]])
        assert stored["e" + a["article_id"]] == tuple(expected)
    assert date(2026, 3, 2) <= min(e.event_date for e in new_events)
