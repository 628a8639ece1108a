"""SQL helpers for tests."""

from __future__ import annotations

from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The first value of the query's first row; the test fails when there is no row."""
    row = con.execute(sql).fetchone()
    assert row is not None, f"no row from {sql!r}"
    return row[0]
