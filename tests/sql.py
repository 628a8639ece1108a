"""SQL helpers for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The first value of the query's first row; the test fails when there is no row."""
    row = con.execute(sql).fetchone()
    assert row is not None, f"no row from {sql!r}"
    return row[0]


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """All rows of a query on the database file, opened read-only for just this query."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
