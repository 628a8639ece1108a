"""Fast column-wise inserts.

``executemany`` runs at about 1.4 k rows/s here; one ``INSERT … SELECT UNNEST($1),
UNNEST($2) …`` with a Python list per column runs at 60–90 k rows/s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    on_conflict: str = "",
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``.

    ``columns`` pairs each column name with its SQL type, because a list that is
    all NULL has no type of its own. ``table``, column names and ``on_conflict``
    are code constants, never user input; values are always bound parameters.
    """
    if not rows:
        return
    names = [name for name, _ in columns]
    per_column = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in names]
    selects = ", ".join(f"UNNEST(${i + 1}::{sql_type}[])" for i, (_, sql_type) in enumerate(columns))
    con.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {selects} {on_conflict}",
        per_column,
    )
