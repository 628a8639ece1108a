"""`reprocess` re-derives stored articles offline: same rows for unchanged rules, stable ids, no
duplicates."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.sql import scalar

pytestmark = pytest.mark.slow


def snapshot(db: Path) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "events": sorted(
                con.execute("SELECT event_id, event_type, stance, evidence FROM events").fetchall()
            ),
            "mentions": scalar(con, "SELECT count(*) FROM mentions"),
            "articles": con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone(),
            "signal_events": con.execute(
                "SELECT count(*), count(DISTINCT event_id) FROM signal_events"
            ).fetchone(),
        }
    finally:
        con.close()


def test_reprocess_is_offline_idempotent_and_follows_the_gazetteer(tmp_path, demo_build):
    from flows.reprocess import reprocess
    from flows.settings import load_settings

    db = demo_build.copy_db(tmp_path / "n.duckdb")  # the demo corpus, ingested by the session's demo build
    before = snapshot(db)

    # No corpus server runs: everything below works from the database alone. The rules are the ones the
    # demo ingested with: the installed configuration (the tree's config/ once `make test` has installed it).
    settings = load_settings()
    report = reprocess(db, settings, from_raw=True)
    assert report.articles == 44 and report.re_extracted == 44
    assert snapshot(db) == before  # same rules, same rows, same ids

    # A gazetteer change (a new alias) shows up after reprocessing.
    config = tmp_path / "config"
    shutil.copytree(settings.config_dir, config)
    with (config / "gazetteer" / "organisations.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"name": "Pinecrest Research Group", "label": "ORG", "aliases": ["Pinecrest Research"], '
                '"kind": "company"}\n')
    reprocess(db, load_settings(config))
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert scalar(con, "SELECT count(*) FROM mentions WHERE name = 'Pinecrest Research Group' AND known")
        assert scalar(con, "SELECT count(*) - count(DISTINCT event_id) FROM events") == 0
        # Roles are filled for stored articles: each event's initiator and targets hold one of its roles.
        assert scalar(con, "SELECT count(*) FROM event_roles") > 0
        assert scalar(con, "SELECT count(*) FROM event_roles r LEFT JOIN events e USING (event_id) "
                           "WHERE e.event_id IS NULL") == 0  # no role of a deleted event
        assert scalar(con, """
            SELECT count(*) FROM timeline t WHERE t.initiator IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM event_roles r WHERE r.event_id = t.event_id AND r.name = t.initiator)
        """) == 0
        assert scalar(con, "SELECT count(*) FROM timeline WHERE initiator IS NOT NULL") > 0
    finally:
        con.close()
