"""Signals in the warehouse: place each new event in a thread, keep each signal's summary.

Run after ``warehouse.stories.update_stories`` (a signal counts a story's copies once, so an event
enters a signal only once its article has a story). Only events not yet placed are read (an anti-join),
so running it twice changes nothing; each batch is written in one short transaction. Of the history, a
batch reads only what its events can meet (``_known_events``) and the members of the signals it changes,
so its cost follows the new events, and the result is the one a recomputation from scratch gives.
``rebuild_signals(con, since=...)`` re-places every event from a date on (after changing the window,
the GPE list or owners).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from extractors.signals import (
    HeadlineForms,
    KnownEvent,
    SignalAssignment,
    SignalEvent,
    SignalParams,
    SignalSummary,
    signal_assignments,
    summarize_signal,
)
from extractors.taxonomy import DENIAL_ROLES
from warehouse.bulk import insert_rows
from warehouse.db import transaction
from warehouse.keys import utcnow

log = logging.getLogger(__name__)

DEFAULT_SIGNAL_BATCH = 20_000


@dataclass(frozen=True)
class SignalUpdate:
    events: int  # events placed in a signal by this run
    new_signals: int
    signals_updated: int  # signal rows (re)written


_EVENT_COLUMNS = """
    e.event_id, e.event_type, e.stance, e.actors, e.event_date, e.article_id,
    coalesce(ast.story_id, e.article_id), a.source, f.owner, coalesce(a.published_at, a.first_seen_at),
    e.confidence, e.evidence, coalesce(a.title, ''), a.url, e.initiator, coalesce(e.targets, []::VARCHAR[])
"""
_EVENT_COLUMN_COUNT = 16


_EVENT_JOINS = """
    FROM events e
    JOIN articles a ON a.article_id = e.article_id
    LEFT JOIN article_stories ast ON ast.article_id = e.article_id
    LEFT JOIN feeds f ON f.url = a.feed_url
"""


Roles = tuple[tuple[str, str], ...]


def _roles(con: duckdb.DuckDBPyConnection, event_ids: Sequence[str]) -> dict[str, Roles]:
    """(role, name) pairs of these events, in their order as read.

    A query of its own, filtered before it aggregates: as a correlated subquery beside the event
    columns, DuckDB rolled up the roles of every stored event for each read (the cost grew with the
    history, not with the events read).
    """
    if not event_ids:
        return {}
    rows = con.execute(
        """
        SELECT event_id, list([role, name] ORDER BY ordinal)
        FROM event_roles
        WHERE event_id IN (SELECT UNNEST($1::VARCHAR[]))
        GROUP BY event_id
        """,
        [list(event_ids)],
    ).fetchall()
    return {r[0]: tuple((x[0], x[1]) for x in r[1]) for r in rows}


def _signal_events(con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[Any, ...]]) -> list[SignalEvent]:
    """Events from rows that start with ``_EVENT_COLUMNS``, each with its roles."""
    roles = _roles(con, [r[0] for r in rows])
    return [_signal_event(r, roles.get(r[0], ())) for r in rows]


def _signal_event(r: tuple[Any, ...], roles: Roles) -> SignalEvent:
    return SignalEvent(
        event_id=r[0], event_type=r[1], stance=r[2], actors=tuple(r[3]), event_date=r[4], article_id=r[5],
        story_id=r[6], source=r[7], owner=r[8], seen_at=r[9], confidence=r[10], evidence=r[11],
        article_title=r[12], article_url=r[13], initiator=r[14], targets=tuple(r[15]), roles=roles,
    )


def generic_actors(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Names only ever recognised as places (GPE): never enough on their own to link events."""
    rows = con.execute(
        """
        SELECT name FROM entities GROUP BY name
        HAVING bool_or(label = 'GPE') AND NOT bool_or(label IN ('ORG', 'PERSON', 'MODEL'))
        """
    ).fetchall()
    return frozenset(r[0] for r in rows)


def signal_params(
    con: duckdb.DuckDBPyConnection,
    *,
    window_days: int = 3,
    weak_actors: Collection[str] = (),
    extra_generic: Collection[str] = (),
    headlines: Mapping[str, HeadlineForms] | None = None,
    denial_roles: tuple[str, ...] = DENIAL_ROLES,
) -> SignalParams:
    """The linking rules for this database.

    Generic (never link): GPE names from ``entities`` plus ``extra_generic``. Weak (link only
    together with a company or person): ``weak_actors`` -- pass the gazetteer's government
    bodies, ``extractors.signals.government_actors(load_gazetteer(config_dir).entries)``.
    """
    return SignalParams(window=timedelta(days=window_days),
                        generic_actors=generic_actors(con) | frozenset(extra_generic),
                        weak_actors=frozenset(weak_actors), headlines=dict(headlines or {}),
                        denial_roles=denial_roles)


def update_signals(
    con: duckdb.DuckDBPyConnection,
    *,
    params: SignalParams | None = None,
    batch_size: int = DEFAULT_SIGNAL_BATCH,
) -> SignalUpdate:
    """Place every event whose article has a story but which is in no signal yet.

    Placements of events that no longer exist (deleted by re-extraction) are dropped first
    and their signals recomputed.

    ``params`` defaults to ``signal_params(con)`` (3-day window, GPE names generic). Events
    are placed oldest first, ``batch_size`` at a time, each batch written in one transaction
    together with the refreshed rows of every signal it touched.
    """
    params = params or signal_params(con)
    total = SignalUpdate(0, 0, 0)
    orphans = _orphan_placements(con)
    if orphans:  # events deleted by re-extraction: drop their placements, refresh their signals
        total = _place_events(con, [], params, replacing=orphans)
    pending = [r[0] for r in con.execute(
        """
        SELECT e.event_id FROM events e
        JOIN article_stories ast ON ast.article_id = e.article_id
        WHERE NOT EXISTS (SELECT 1 FROM signal_events se WHERE se.event_id = e.event_id)
        ORDER BY e.event_date, e.event_id
        """
    ).fetchall()]
    for start in range(0, len(pending), batch_size):
        rows = con.execute(
            f"""
            SELECT {_EVENT_COLUMNS}
            {_EVENT_JOINS}
            WHERE e.event_id IN (SELECT UNNEST($1::VARCHAR[]))
            """,
            [pending[start:start + batch_size]],
        ).fetchall()
        result = _place_events(con, _signal_events(con, rows), params, replacing=frozenset())
        total = SignalUpdate(total.events + result.events, total.new_signals + result.new_signals,
                             total.signals_updated + result.signals_updated)
    if total.events:
        log.info("signals: %d events placed, %d new signals", total.events, total.new_signals,
                 extra={"stage": "signals"})
    return total


def rebuild_signals(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date,
    params: SignalParams | None = None,
) -> SignalUpdate:
    """Re-place every event dated ``since`` or later (with a story), e.g. after a rule change.

    Events before ``since`` keep their signals and can still be joined. All re-placed events
    are handled in one batch and written in one transaction; running it twice changes nothing.
    """
    params = params or signal_params(con)
    rows = con.execute(
        f"""
        SELECT {_EVENT_COLUMNS}
        {_EVENT_JOINS}
        WHERE ast.story_id IS NOT NULL AND e.event_date >= $1
        """,
        [since],
    ).fetchall()
    events = _signal_events(con, rows)
    # Placements of events deleted since (re-extraction) go too.
    return _place_events(con, events, params,
                         replacing=frozenset(e.event_id for e in events) | _orphan_placements(con))


def _orphan_placements(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = con.execute(
        "SELECT event_id FROM signal_events se "
        "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = se.event_id)"
    ).fetchall()
    return frozenset(r[0] for r in rows)


def _known_events(
    con: duckdb.DuckDBPyConnection, lo: date, hi: date, types: Collection[str], replacing: frozenset[str]
) -> list[KnownEvent]:
    """The placed events that new events of ``types`` dated ``lo`` to ``hi`` can meet: those of these
    types dated within the range (the only ones they can link to), and the voices (members naming an
    initiator) of their signals from any date, which decide whether a claimant may join a thread
    (``extractors.signals``). Without those voices a run on a stored history placed an event where a
    recomputation from scratch, which has every earlier member at hand, did not."""
    rows = con.execute(
        f"""
        WITH near AS (
            SELECT e.event_id, se.signal_id
            FROM events e JOIN signal_events se ON se.event_id = e.event_id
            WHERE e.event_date BETWEEN $1 AND $2 AND e.event_type IN (SELECT UNNEST($3::VARCHAR[]))
        ), voices AS (
            SELECT e.event_id
            FROM events e JOIN signal_events se ON se.event_id = e.event_id
            WHERE se.signal_id IN (SELECT signal_id FROM near)
              AND coalesce(e.initiator, '') <> '' AND e.stance <> 'denied'
        )
        SELECT {_EVENT_COLUMNS}, se.signal_id
        {_EVENT_JOINS}
        JOIN signal_events se ON se.event_id = e.event_id
        WHERE e.event_id IN (SELECT event_id FROM near UNION SELECT event_id FROM voices)
        """,
        [lo, hi, sorted(types)],
    ).fetchall()
    rows = [r for r in rows if r[0] not in replacing]
    events = _signal_events(con, rows)
    return [KnownEvent(e, r[_EVENT_COLUMN_COUNT]) for e, r in zip(events, rows, strict=True)]


def _members(
    con: duckdb.DuckDBPyConnection, signal_ids: Sequence[str], replacing: frozenset[str]
) -> dict[str, list[SignalEvent]]:
    rows = con.execute(
        f"""
        SELECT {_EVENT_COLUMNS}, se.signal_id
        {_EVENT_JOINS}
        JOIN signal_events se ON se.event_id = e.event_id
        WHERE se.signal_id IN (SELECT UNNEST($1::VARCHAR[]))
        """,
        [list(signal_ids)],
    ).fetchall()
    rows = [r for r in rows if r[0] not in replacing]
    members: dict[str, list[SignalEvent]] = {}
    for e, r in zip(_signal_events(con, rows), rows, strict=True):
        members.setdefault(r[_EVENT_COLUMN_COUNT], []).append(e)
    return members


def _place_events(
    con: duckdb.DuckDBPyConnection,
    events: Sequence[SignalEvent],
    params: SignalParams,
    *,
    replacing: frozenset[str],
) -> SignalUpdate:
    """Assign ``events`` (whose current placements, if any, are in ``replacing``) and write the result."""
    if not events and not replacing:
        return SignalUpdate(0, 0, 0)
    previous: dict[str, tuple[str, str | None]] = {}
    if replacing:
        previous = {r[0]: (r[1], r[2]) for r in con.execute(
            "SELECT event_id, signal_id, linked_event_id FROM signal_events "
            "WHERE event_id IN (SELECT UNNEST($1::VARCHAR[]))",
            [sorted(replacing)],
        ).fetchall()}
    if events:
        dates = [e.event_date for e in events]
        known = _known_events(con, min(dates) - params.window, max(dates) + params.window,
                              {e.event_type for e in events}, replacing)
    else:
        known = []
    assignments: list[SignalAssignment] = [
        a for a in signal_assignments(events, known, params) if not a.known
    ]
    # Only placements that differ are rewritten, so a rebuild under unchanged rules writes nothing new.
    changed = [a for a in assignments if previous.get(a.event_id) != (a.signal_id, a.linked_to)]
    gone = sorted(set(previous) - {a.event_id for a in assignments})
    # A rebuild refreshes every signal it re-placed events of (owners or stories may have changed);
    # an update only the signals that gained members.
    touched = sorted({a.signal_id for a in changed} | {sid for sid, _ in previous.values()})
    members = _members(con, touched, replacing)
    by_id = {e.event_id: e for e in events}
    touched_set = set(touched)
    for a in assignments:
        if a.signal_id in touched_set:
            members.setdefault(a.signal_id, []).append(by_id[a.event_id])
    summaries = [summarize_signal(sid, members[sid], params.headlines.get(members[sid][0].event_type))
                 for sid in touched if members.get(sid)]
    emptied = [sid for sid in touched if not members.get(sid)]
    now = utcnow()
    with transaction(con):
        stale = sorted({a.event_id for a in changed if a.event_id in previous} | set(gone))
        if stale:
            con.execute("DELETE FROM signal_events WHERE event_id IN (SELECT UNNEST($1::VARCHAR[]))", [stale])
        if emptied:
            con.execute("DELETE FROM signal_state WHERE signal_id IN (SELECT UNNEST($1::VARCHAR[]))",
                        [emptied])
        insert_rows(
            con,
            "signal_events",
            [("event_id", "VARCHAR"), ("signal_id", "VARCHAR"), ("linked_event_id", "VARCHAR"),
             ("assigned_at", "TIMESTAMP")],
            [(a.event_id, a.signal_id, a.linked_to, now) for a in changed],
            on_conflict="ON CONFLICT (event_id) DO NOTHING",
        )
        _write_signal_state(con, summaries)
    return SignalUpdate(events=len(changed), new_signals=sum(a.linked_to is None for a in changed),
                        signals_updated=len(summaries))


def _write_signal_state(con: duckdb.DuckDBPyConnection, summaries: Sequence[SignalSummary]) -> None:
    columns = [
        ("signal_id", "VARCHAR"), ("event_type", "VARCHAR"), ("actors", "VARCHAR[]"),
        ("first_seen", "TIMESTAMP"), ("last_seen", "TIMESTAMP"), ("corroboration", "INTEGER"),
        ("status", "VARCHAR"), ("stance_summary", "VARCHAR"), ("alleged_by", "VARCHAR[]"),
        ("denied_by", "VARCHAR[]"), ("best_event_id", "VARCHAR"), ("best_evidence", "VARCHAR"),
        ("sources", "STRUCT(source VARCHAR, title VARCHAR, url VARCHAR)[]"),
        ("event_count", "INTEGER"), ("article_count", "INTEGER"), ("story_count", "INTEGER"),
        ("headline", "VARCHAR"),
    ]
    updates = ", ".join(f"{name} = excluded.{name}" for name, _ in columns[1:])
    insert_rows(
        con,
        "signal_state",
        columns,
        [(s.signal_id, s.event_type, list(s.actors), s.first_seen, s.last_seen, s.corroboration,
          s.stance.status, s.stance.summary, list(s.stance.alleged_by), list(s.stance.denied_by),
          s.best_event_id, s.best_evidence,
          [{"source": x.source, "title": x.title, "url": x.url} for x in s.sources],
          s.event_count, s.article_count, s.story_count, s.headline) for s in summaries],
        on_conflict=f"ON CONFLICT (signal_id) DO UPDATE SET {updates}",
    )


def signal_member_events(
    con: duckdb.DuckDBPyConnection, active_from: datetime, until: datetime
) -> list[tuple[str, SignalEvent]]:
    """(signal_id, event) for every event, seen before ``until``, of each signal that had an
    event seen in [active_from, until). Earlier members are included so that a signal's
    history (new or not, denied before or not) can be told."""
    rows = con.execute(
        f"""
        WITH active AS (
            SELECT DISTINCT se.signal_id
            FROM signal_events se JOIN events e USING (event_id) JOIN articles a USING (article_id)
            WHERE coalesce(a.published_at, a.first_seen_at) >= $1
              AND coalesce(a.published_at, a.first_seen_at) < $2
        )
        SELECT se.signal_id, {_EVENT_COLUMNS}
        {_EVENT_JOINS}
        JOIN signal_events se ON se.event_id = e.event_id
        WHERE se.signal_id IN (SELECT signal_id FROM active)
          AND coalesce(a.published_at, a.first_seen_at) < $2
        ORDER BY se.signal_id, coalesce(a.published_at, a.first_seen_at), e.event_id
        """,
        [active_from, until],
    ).fetchall()
    return [(r[0], e) for r, e in zip(rows, _signal_events(con, [r[1:] for r in rows]), strict=True)]


def first_event_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The earliest event date stored, or None when there is no event."""
    row = con.execute("SELECT min(event_date) FROM events").fetchone()
    return row[0] if row else None
