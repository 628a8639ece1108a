"""``newsignal query`` is read-only in every sense: no files written, no network, no extensions, no settings
changed -- each refused with one ``error:`` line -- while every kind of reading still works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer
from warehouse.writer import writer

REPO = Path(__file__).resolve().parents[3]


def query(db: Path, sql: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # From a scratch directory: a relative path in the SQL would land there.
    # HOME there too: DuckDB keeps installed extensions and persistent secrets under ~/.duckdb.
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "query", "--db", str(db), "--format", "csv", sql],
        capture_output=True, text=True, timeout=120, cwd=cwd,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


@pytest.fixture
def scratch(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "news.duckdb"
    with writer(db):
        pass
    with writer(tmp_path / "other.duckdb"):
        pass
    work = tmp_path / "work"
    work.mkdir()
    return db, work


WRITES = [
    "COPY (SELECT 1 AS x) TO 'out.csv'",
    "COPY feeds TO 'feeds.parquet' (FORMAT parquet)",
    "EXPORT DATABASE 'dump'",
    "ATTACH 'new.duckdb' AS n",
    "ATTACH '../other.duckdb' AS o (READ_WRITE)",
    "SELECT 1; COPY (SELECT 2) TO 'second.csv'",
    "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
    "LOAD 'evil.duckdb_extension'",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "PRAGMA enable_profiling = 'json'",
    "SET profiling_output = 'profile.json'",
]


@pytest.mark.parametrize("sql", WRITES)
def test_what_writes_files_or_reaches_out_is_refused_in_one_line(scratch, sql):
    db, work = scratch
    result = query(db, sql, work)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "read-only" in lines[0], lines[0]
    assert sorted(p.name for p in work.iterdir()) == [], "a file was written"


def test_install_and_remote_reads_never_reach_the_network(scratch):
    db, work = scratch
    with LoopbackServer() as srv:
        for sql in (f"INSTALL httpfs FROM '{srv.base}'", f"FORCE INSTALL json FROM '{srv.base}'",
                    f"SELECT * FROM read_csv('{srv.url('/data.csv')}')",
                    f"SELECT * FROM '{srv.url('/t.parquet')}'"):
            result = query(db, sql, work)
            assert result.returncode == 1 and result.stderr.startswith("error: "), (sql, result.stderr)
            assert "\n" not in result.stderr.strip(), result.stderr
        assert srv.requests == []
    assert list(work.iterdir()) == []


def test_every_kind_of_reading_still_works(scratch):
    db, work = scratch
    for sql, first_line in (
        ("SELECT count(*) AS n FROM timeline", "n"),
        ("WITH f AS (SELECT * FROM feeds) SELECT count(*) AS n FROM f", "n"),
        ("DESCRIBE articles", "column_name,column_type,null,key,default,extra"),
        ("SHOW TABLES", "name"),
        ("SUMMARIZE feeds", ("column_name,column_type,min,max,approx_unique,avg,std,q25,q50,q75,count,"
                             "null_percentage")),
        ("EXPLAIN SELECT * FROM articles", "explain_key,explain_value"),
        ("FROM duckdb_settings() SELECT value WHERE name = 'enable_external_access'", "value"),
    ):
        result = query(db, sql, work)
        assert result.returncode == 0, (sql, result.stderr)
        assert result.stdout.splitlines()[0] == first_line, (sql, result.stdout[:200])
    assert list(work.iterdir()) == []
