"""Readers beside a writer, as separate processes on one DuckDB file.

DuckDB locks the file for one process at a time, readers included. The writer
opens the file, writes one batch in one transaction and closes it; a reader opens
read-only (``warehouse.db.connect`` waits while the writer holds the lock), counts
the timeline and closes. Every read must succeed, and every count must be a batch
boundary: a reader never sees half a batch.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from warehouse.writer import writer

BATCHES = 12
EVENTS_PER_BATCH = 5

WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, date, datetime
    from pathlib import Path

    from extractors.models import Annotation, ArticleText, Event, Evidence, FeedEntry
    from warehouse.writer import writer
    from warehouse.records import ArticleRecord, FeedPoll, FeedSpec
    from warehouse.polls import write_polls

    db, ready, batches, per_batch = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    while not ready.exists():  # start once the reader has read the empty timeline
        time.sleep(0.01)
    feed = FeedSpec("Loop", "http://127.0.0.1:9/loop.xml")
    now = datetime(2026, 11, 20, 8, tzinfo=UTC)
    text = "Acme Labs raised money from Example Capital on Monday. " * 6
    for b in range(batches):
        records, entries = [], []
        for i in range(per_batch):
            url = f"https://loop.example/{b}/{i}"
            ev = Event("funding_investment", "asserted", ("Acme Labs", f"Fund {b}-{i}"),
                       (Evidence(text[:54], 0, 54),), date(2026, 11, 20), 0.9, "t")
            entries.append(FeedEntry(f"{b}-{i}", url, url, "t", "s", "", None, now))
            records.append(ArticleRecord(ArticleText(url=url, title="t", text=text), "Loop", feed.url,
                                         f"{b}-{i}", None, None,
                                         Annotation(events=(ev,), extractor_version="t")))
        with writer(db) as con:  # open, one transaction, close: the lock is held for one batch only
            summary = write_polls(con, [FeedPoll(feed=feed, polled_at=now, status=200, entries=tuple(entries),
                                                 articles=tuple(records))])
            assert summary.new_events == per_batch, summary
        time.sleep(0.2)  # an ingest fetches and parses between two write batches
    print("writer done", flush=True)
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path

    from warehouse.db import connect

    db, ready, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    counts, errors = [], []

    def read():
        try:
            con = connect(db, read_only=True, wait_s=60)
        except Exception as exc:  # recorded, so the test can show what failed
            errors.append(repr(exc))
            return
        try:
            counts.append(con.execute("SELECT count(*) FROM timeline").fetchone()[0])
        finally:
            con.close()

    read()
    ready.touch()
    while not done.exists():
        read()
    read()  # after the writer finished: must see every batch
    print(json.dumps({"counts": counts, "errors": errors}))
    """
)


@pytest.mark.slow
def test_every_read_succeeds_and_sees_whole_batches(tmp_path: Path, db_path: Path):
    with writer(db_path):  # migrated, empty
        pass
    (tmp_path / "writer.py").write_text(WRITER)
    (tmp_path / "reader.py").write_text(READER)
    ready, done = tmp_path / "reader-ready", tmp_path / "writer-done"
    reader = subprocess.Popen([sys.executable, str(tmp_path / "reader.py"), str(db_path),
                               str(ready), str(done)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        write = subprocess.run(
            [sys.executable, str(tmp_path / "writer.py"), str(db_path), str(ready), str(BATCHES),
             str(EVENTS_PER_BATCH)], capture_output=True, text=True, timeout=240)
        assert write.returncode == 0, write.stderr
        assert "writer done" in write.stdout
    finally:
        done.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    result = json.loads(out)

    assert result["errors"] == []
    counts = result["counts"]
    boundaries = {b * EVENTS_PER_BATCH for b in range(BATCHES + 1)}
    assert set(counts) <= boundaries, f"saw a half-written batch: {sorted(set(counts) - boundaries)}"
    assert counts[0] == 0 and counts[-1] == BATCHES * EVENTS_PER_BATCH
    assert counts == sorted(counts)  # committed batches never disappear
    assert len(set(counts)) > 2, counts  # it read between batches, not only before and after
