"""Opening the DuckDB file and holding it briefly.

DuckDB lets one process write and locks the file against every other process,
readers included, so writers open, write one batch in one transaction and close.
"""


from __future__ import annotations

import logging
import os
import random
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

log = logging.getLogger(__name__)


class DatabaseError(Exception):
    """A database problem explained for the user (missing file, lock held, bad SQL)."""


DEFAULT_LOCK_WAIT_S = float(os.environ.get("NEWSIGNAL_LOCK_WAIT_S", "30"))
_LOCK_PID = re.compile(r"PID (\d+)")


def lock_holder(message: str) -> str:
    """Name the process holding the lock, from DuckDB's message and /proc when readable."""
    match = _LOCK_PID.search(message)
    if not match:
        return "another process"
    pid = match.group(1)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmdline = ""
    if len(cmdline) > 160:  # keep both ends: the program and its last arguments say what it is
        cmdline = cmdline[:80] + " … " + cmdline[-70:]
    return f"PID {pid} ({cmdline})" if cmdline else f"PID {pid}"


def _open_hint(message: str) -> str:
    """What to do about a file DuckDB cannot open (other than a lock, which connect waits out)."""
    if "not a valid DuckDB database" in message:
        return " (a damaged file or another kind of file: restore it from a backup or give another --db)"
    if "Permission denied" in message or "Read-only file system" in message:
        return " (check that this user may write the file and its directory, or give another --db)"
    return ""


def connect(
    path: str | Path, *, read_only: bool = False, wait_s: float | None = None,
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting (with backoff) up to ``wait_s`` while another process holds it.

    A read-only open of a missing file is an error, not a new file. ``config`` holds DuckDB settings
    applied as it opens.
    """
    path = str(path)
    if read_only and path != ":memory:" and not Path(path).exists():
        raise DatabaseError(f"no database at {path}; run `newsignal ingest` (or `newsignal demo`) first")
    wait_s = DEFAULT_LOCK_WAIT_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(path, read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                raise DatabaseError(f"cannot open {path}: {message}{_open_hint(message)}") from exc
            if time.monotonic() >= deadline:
                raise DatabaseError(
                    f"{path} is locked by {lock_holder(message)} and stayed locked for {wait_s:.0f}s; "
                    "try again when it finishes (or raise NEWSIGNAL_LOCK_WAIT_S)"
                ) from exc
            time.sleep(min(delay * random.uniform(0.8, 1.2), max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 1.0)


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


def table_counts(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, int]:
    out = {}
    for t in tables:
        row = con.execute(f"SELECT count(*) FROM {t}").fetchone()  # names are code constants
        out[t] = int(row[0]) if row else 0
    return out


# A user's own SQL (``newsignal query``) gets a connection that DuckDB itself keeps to reading this one
# database: no other file (COPY ... TO, EXPORT DATABASE, ATTACH, read_csv), no network, no extension
# installed or loaded, no persistent secret -- and lock_configuration keeps any of it from being SET back.
# DuckDB's own settings rather than a hand-written SQL filter, which would miss a spelling.
QUERY_SANDBOX: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_persistent_secrets": False,
    "lock_configuration": True,
}
_READ_ONLY = ("query is read-only and touches nothing but the database: no other file, network, extension or "
              "setting (`newsignal export` writes files)")


def connect_for_query(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for a user's own SQL that can touch nothing but the database."""
    return connect(path, read_only=True, config=QUERY_SANDBOX)


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]] | None:
    """A user's own SQL (``newsignal query``): column names and rows, or None when it returns no rows.

    On a ``connect_for_query`` connection, what the sandbox refuses raises DatabaseError saying so.
    """
    try:
        cur = con.execute(sql)
    except duckdb.PermissionException as exc:
        raise DatabaseError(f"{_READ_ONLY}: {_detail(exc)}") from exc
    except duckdb.InvalidInputException as exc:
        if "configuration has been locked" not in str(exc):
            raise
        raise DatabaseError(f"{_READ_ONLY}: {_detail(exc)}") from exc
    if cur.description is None:
        return None
    return [d[0] for d in cur.description], cur.fetchall()


def _detail(exc: Exception) -> str:
    """DuckDB's first line without its "Permission Error: " kind of prefix."""
    line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return line.split(" Error: ", 1)[-1].replace('""', '"')
