"""A Parquet snapshot of the public views, for BI tools that must never touch the DuckDB lock.

DuckDB lets one process hold the database file; a dashboard that opened it would
block (or be blocked by) the ingest. So after each ingest run the views outside
tools depend on are copied to ``snapshot/`` beside the database, one Parquet file
per view: ``timeline.parquet``, ``article_entities.parquet`` and, once the
``signals`` view exists, ``signals.parquet``, plus ``manifest.json`` (row counts,
time of publication).

Guarantee for readers: every file they open is complete. Each file is written
under a temporary name inside ``snapshot/.tmp-*`` (same file system) and then
moved into place with ``os.replace``, which is atomic on POSIX and Windows; a
reader that opened the old file keeps reading the old inode. The files are
replaced one after another, so for a moment ``timeline.parquet`` may be from
this run and ``article_entities.parquet`` from the previous one; the manifest
is replaced last and names the run whose files are all in place.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

SNAPSHOT_DIR = "snapshot"
# View name -> file name. Order matters only for the log; the manifest goes last.
SNAPSHOT_VIEWS: tuple[str, ...] = ("timeline", "signals", "article_entities")


def snapshot_dir(db_path: str | Path) -> Path:
    """Where the snapshot of the database at ``db_path`` lives."""
    return Path(db_path).resolve().parent / SNAPSHOT_DIR


def existing_relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the main schema."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def _sql_string(value: str) -> str:
    # COPY ... TO takes a literal file name, not a bound parameter; quote it as a SQL string.
    return "'" + value.replace("'", "''") + "'"


def publish_snapshot(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> Path:
    """Write ``timeline``, ``signals`` (when that view exists) and ``article_entities`` as Parquet.

    ``con`` is any open connection to the database at ``db_path`` (the ingest's writer
    connection, or a read-only one). Returns the snapshot directory. Views missing from
    the database are skipped (``signals`` arrives with a later migration). Raises
    ``duckdb.Error`` or ``OSError``; on failure the previous snapshot stays whole.
    """
    target = snapshot_dir(db_path)
    target.mkdir(parents=True, exist_ok=True)
    present = existing_relations(con)
    views = [v for v in SNAPSHOT_VIEWS if v in present]
    published_at = datetime.now(UTC).replace(microsecond=0)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target))
    try:
        counts: dict[str, int] = {}
        for view in views:
            part = staging / f"{view}.parquet"
            # View names are code constants checked against the catalogue above, never user input.
            con.execute(f"COPY (SELECT * FROM {view}) TO {_sql_string(str(part))} (FORMAT parquet)")
            row = con.execute(f"SELECT count(*) FROM read_parquet({_sql_string(str(part))})").fetchone()
            counts[view] = int(row[0]) if row else 0
        manifest = staging / "manifest.json"
        manifest.write_text(
            json.dumps({"published_at": published_at.isoformat(), "database": Path(db_path).name,
                        "files": {f"{v}.parquet": {"rows": n} for v, n in counts.items()}}, indent=1),
            encoding="utf-8",
        )
        for view in views:
            os.replace(staging / f"{view}.parquet", target / f"{view}.parquet")
        os.replace(manifest, target / "manifest.json")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("published snapshot %s: %s", target, ", ".join(f"{v}={counts[v]}" for v in views))
    return target
