"""The one writer: a migrated read-write connection, held only as long as one batch needs it.

DuckDB lets one process hold the file read-write, locking out every other process, so
writers open, write one short transaction and close (readers wait, ``warehouse.db.connect``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.db import connect
from warehouse.migrations import apply_migrations


@contextmanager
def writer(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit so the file lock is released."""
    con = connect(path)
    try:
        apply_migrations(con)
        yield con
    finally:
        con.close()
