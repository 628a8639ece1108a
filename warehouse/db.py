"""Opening the DuckDB file and holding it briefly.

DuckDB lets one process write and locks the file against every other process,
readers included, so writers open, write one batch in one transaction and close.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)


class DatabaseError(Exception):
    """A database problem explained for the user (missing file, lock held, bad SQL)."""


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database; a read-only open of a missing file is an error, not a new file."""
    path = str(path)
    if read_only and path != ":memory:" and not Path(path).exists():
        raise DatabaseError(f"no database at {path}; run `newsignal ingest` (or `newsignal demo`) first")
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        raise DatabaseError(f"cannot open {path}: {exc}") from exc


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


@contextmanager
def writer(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit so the file lock is released."""
    from warehouse.migrations import apply_migrations

    con = connect(path)
    try:
        apply_migrations(con)
        yield con
    finally:
        con.close()
