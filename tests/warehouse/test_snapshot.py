"""The Parquet snapshot: complete files beside the database, replaced atomically, no lock needed to read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from flows.dashboard.sample import build_sample
from warehouse.db import connect
from warehouse.snapshot import existing_relations, publish_snapshot, snapshot_dir
from warehouse.writer import writer


def parquet_rows(path: Path) -> list[tuple]:
    con = duckdb.connect()  # in-memory: reading Parquet never touches the database file
    try:
        return con.execute("SELECT * FROM read_parquet(?) ORDER BY ALL", [str(path)]).fetchall()
    finally:
        con.close()


def test_snapshot_holds_exactly_the_views(db_path):
    build_sample(db_path)
    with writer(db_path) as con:
        out = publish_snapshot(con, db_path)
        timeline = con.execute("SELECT * FROM timeline ORDER BY ALL").fetchall()
        pairs = con.execute("SELECT * FROM article_entities ORDER BY ALL").fetchall()
        signals = "signals" in existing_relations(con)  # arrives with the stories migration
    assert out == db_path.parent / "snapshot"
    assert sorted(p.name for p in out.iterdir()) == sorted(  # and no temporary leftovers
        ["article_entities.parquet", "manifest.json", "timeline.parquet"]
        + (["signals.parquet"] if signals else []))
    assert parquet_rows(out / "timeline.parquet") == timeline and len(timeline) == 13
    assert parquet_rows(out / "article_entities.parquet") == pairs
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["timeline.parquet"] == {"rows": 13}
    assert manifest["files"]["article_entities.parquet"] == {"rows": len(pairs)}


def test_snapshot_is_readable_while_a_writer_holds_the_database(db_path):
    build_sample(db_path)
    with connect(db_path, read_only=True) as con:
        publish_snapshot(con, db_path)
    with writer(db_path) as con:  # holds the file lock; a reader of the DB itself would wait
        con.execute("DELETE FROM events")
        assert len(parquet_rows(snapshot_dir(db_path) / "timeline.parquet")) == 13


def test_signals_is_included_once_the_view_exists(db_path):
    build_sample(db_path)
    with writer(db_path) as con:
        if "signals" not in existing_relations(con):  # before the stories migration: stand one in
            con.execute("CREATE VIEW signals AS SELECT event_type, count(*) AS n FROM events GROUP BY 1")
        out = publish_snapshot(con, db_path)
        expected = con.execute("SELECT * FROM signals ORDER BY ALL").fetchall()
        columns = [d[0] for d in con.execute("SELECT * FROM signals LIMIT 0").description]
    assert parquet_rows(out / "signals.parquet") == expected
    written = duckdb.connect().execute("SELECT * FROM read_parquet(?) LIMIT 0",
                                       [str(out / "signals.parquet")])
    assert [d[0] for d in written.description] == columns


def test_files_are_replaced_not_rewritten_in_place(db_path):
    """A reader holding the old file keeps a whole old file; the new one appears whole under the same name."""
    build_sample(db_path)
    with writer(db_path) as con:
        out = publish_snapshot(con, db_path)
        before = (out / "timeline.parquet").stat().st_ino
        with (out / "timeline.parquet").open("rb") as held:
            old_bytes = held.read()
            held.seek(0)
            con.execute("DELETE FROM events WHERE event_type = 'pricing'")
            publish_snapshot(con, db_path)
            assert held.read() == old_bytes  # the old inode is untouched
    assert (out / "timeline.parquet").stat().st_ino != before
    assert len(parquet_rows(out / "timeline.parquet")) == 12


def test_a_failed_publish_keeps_the_previous_snapshot(db_path, monkeypatch):
    build_sample(db_path)
    with writer(db_path) as con:
        out = publish_snapshot(con, db_path)
        previous = {p.name: p.read_bytes() for p in out.iterdir()}
        real_replace = os.replace

        def fail_on_timeline(src, dst):
            if str(dst).endswith("timeline.parquet"):
                raise OSError("disk full")
            real_replace(src, dst)

        monkeypatch.setattr("warehouse.snapshot.os.replace", fail_on_timeline)
        con.execute("DELETE FROM events")
        with pytest.raises(OSError, match="disk full"):
            publish_snapshot(con, db_path)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous  # no temp dir left, files intact
