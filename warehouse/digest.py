"""Read-only queries behind the daily digest."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb


def latest_published_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    row = con.execute("SELECT max(published_at) FROM articles").fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class ArticleLink:
    source: str
    title: str
    url: str
    published_at: datetime | None


def articles_between(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> list[ArticleLink]:
    rows = con.execute(
        """
        SELECT source, coalesce(title, url), url, published_at FROM articles
        WHERE coalesce(published_at, first_seen_at) >= ? AND coalesce(published_at, first_seen_at) < ?
        ORDER BY source, published_at, url
        """,
        [start, end],
    ).fetchall()
    return [ArticleLink(*r) for r in rows]


def recipients_key(recipients: Sequence[str]) -> str:
    """Order- and case-insensitive identity of a recipient list."""
    return ",".join(sorted({r.strip().lower() for r in recipients if r.strip()}))


@dataclass(frozen=True)
class Delivery:
    status: str  # sending | sent | failed | uncertain (may have arrived: never resent without --resend)
    attempts: int
    sent_at: datetime | None
    last_error: str | None


def delivery(con: duckdb.DuckDBPyConnection, day: date, recipients: Sequence[str]) -> Delivery | None:
    row = con.execute(
        "SELECT status, attempts, sent_at, last_error FROM digests WHERE digest_date = ? AND recipients = ?",
        [day, recipients_key(recipients)],
    ).fetchone()
    return Delivery(*row) if row else None


def record_delivery(
    con: duckdb.DuckDBPyConnection, day: date, recipients: Sequence[str], *, status: str, subject: str,
    attempts: int = 0, error: str | None = None, now: datetime,
) -> None:
    """Upsert the ledger row; ``sent_at`` is set only when status is ``sent``."""
    con.execute(
        """
        INSERT INTO digests (digest_date, recipients, status, subject, attempts, last_error, sent_at)
        VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $3 = 'sent' THEN $7::TIMESTAMP END)
        ON CONFLICT (digest_date, recipients) DO UPDATE SET
            status = excluded.status, subject = excluded.subject,
            attempts = digests.attempts + excluded.attempts, last_error = excluded.last_error,
            sent_at = coalesce(excluded.sent_at,
                               CASE WHEN excluded.status = 'sent' THEN NULL ELSE digests.sent_at END)
        """,
        [day, recipients_key(recipients), status, subject, attempts, error, now],
    )
