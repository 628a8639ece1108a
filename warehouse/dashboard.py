"""Read-only queries behind ``newsignal dashboard``: counts per type per day, the event table,
filter choices and the per-entity briefing.

Why an in-memory model: on a million events, every query straight on the file paid for
the events x articles join and a per-row scan of the ``actors`` lists (0.1-18 s per
query, see ``bench/dashboard_queries.py``). So the dashboard copies what it shows into an
in-memory DuckDB once per change of the database file, in one short read-only attach:

- ``ev``: one row per event with its article's fields and all evidence sentences,
  numbered ``rn`` newest first (so "newest N" is ``ORDER BY rn``);
- ``ea``: one row per (event, actor), sorted by lower-cased actor, so an entity filter
  reads a few row groups instead of every list;
- small pre-aggregated tables for the filter choices and mention counts;
- per-actor summaries (``actor_daily``, ``actor_types``, ``actor_sources``, ``actor_recent``)
  so that an entity named in a third of all events costs a few thousand summary rows, not
  hundreds of thousands of ``ea`` rows. Queries the summaries cannot answer exactly (several
  of the names are stored actors, an outlet filter, a timeline longer than ``RECENT_RNS``)
  read ``ea`` directly; ``summaries=False`` forces that path (tests compare the two, the
  bench times both).

Between ingests every request is answered from memory and the file lock is never touched.
All values from users are bound parameters.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from warehouse import db as _db
from warehouse.db import DatabaseError, lock_holder
from warehouse.feeds import FEED_HEALTH_SQL, FeedHealth
from warehouse.timeline import TimelineFilter

RECENT_DAYS = 7  # "what changed recently": the last week of data
RECENT_RNS = 1000  # newest events kept per actor in actor_recent (the briefing's timeline shows 200)

# Copied while the file is attached: plain scans only (under a second for a million events),
# so the ingest waits as little as possible; everything else happens after DETACH.
COPY_SQL = (
    (
        "CREATE TABLE s_events AS SELECT event_id, article_id, event_type, stance, actors, event_date, "
        "evidence, confidence FROM src.events"
    ),
    "CREATE TABLE s_articles AS SELECT article_id, title, url, source, published_at FROM src.articles",
    # Ordinal 0 is events.evidence; only the further sentences are needed.
    "CREATE TABLE s_more AS SELECT event_id, ordinal, sentence FROM src.event_evidence WHERE ordinal > 0",
    "CREATE TABLE s_mentions AS SELECT label, name, article_id FROM src.mentions",
    "CREATE TABLE s_entities AS SELECT label, name, first_seen_at FROM src.entities",
    # Threads and feed health are small: copied as they are.
    "CREATE TABLE s_signals AS SELECT * FROM src.signals",
    "CREATE TABLE s_feed_health AS " + FEED_HEALTH_SQL.format(src="src."),
)
# ... and shaped after it is detached, so the ingest never waits for the sorting.
MODEL_SQL = (
    """
    CREATE TABLE entity_articles AS
    SELECT m.label, m.name, lower(m.name) AS name_key, count(DISTINCT m.article_id) AS articles,
           any_value(n.first_seen_at) AS first_seen_at
    FROM s_mentions m LEFT JOIN s_entities n USING (label, name)
    GROUP BY ALL
    ORDER BY name_key
    """,
    "DROP TABLE s_mentions",
    "DROP TABLE s_entities",
    """
    CREATE TABLE ev AS
    SELECT row_number() OVER (ORDER BY e.event_date DESC, a.published_at DESC NULLS LAST, e.event_id) AS rn,
           e.event_id, e.event_date, e.event_type, e.stance, e.actors, e.confidence,
           list_concat([e.evidence], coalesce(v.more, [])) AS evidence,
           coalesce(a.title, '') AS article_title, a.url AS article_url, a.source,
           lower(a.source) AS source_key, a.published_at
    FROM s_events e
    JOIN s_articles a USING (article_id)
    LEFT JOIN (SELECT event_id, list(sentence ORDER BY ordinal) AS more FROM s_more GROUP BY event_id) v
        USING (event_id)
    ORDER BY rn
    """,
    # Point lookups of a page of events by rn use this index (an IN list of constants).
    "CREATE UNIQUE INDEX ev_rn ON ev (rn)",
    "DROP TABLE s_events",
    "DROP TABLE s_articles",
    "DROP TABLE s_more",
    # One row per (event, actor), sorted by actor: an entity's events are contiguous, so DuckDB's
    # min/max zone maps skip the rest; the event's other actors ride along for "named with".
    # ``dup``: an earlier actor of the same event has the same lower-cased name, so counting rows
    # WHERE NOT dup counts distinct events (what count(DISTINCT rn) gives) in the summaries.
    """
    CREATE TABLE ea AS
    SELECT lower(actor) AS actor_key, actor, rn, event_date, event_type, stance, source, source_key, actors,
           coalesce(list_position(keys, lower(actor)) < pos, false) AS dup
    FROM (SELECT unnest(actors) AS actor, generate_subscripts(actors, 1) AS pos,
                 list_transform(actors, lambda a: lower(a)) AS keys,
                 rn, event_date, event_type, stance, source, source_key, actors FROM ev)
    ORDER BY actor_key, rn
    """,
    # Per-actor summaries, each sorted by actor_key only (zone maps again; a full sort costs more).
    # ``n`` counts ea rows (what a one-name filter counts), ``nd`` distinct events (what a
    # several-name filter counts).
    """
    CREATE TABLE actor_daily AS
    SELECT actor_key, event_date, event_type, stance, count(*) AS n, count(*) FILTER (WHERE NOT dup) AS nd
    FROM ea WHERE actor_key IS NOT NULL
    GROUP BY ALL
    ORDER BY actor_key
    """,
    """
    CREATE TABLE actor_types AS
    SELECT actor_key, event_type, stance, sum(n)::BIGINT AS n, sum(nd)::BIGINT AS nd,
           min(event_date) AS first_day, max(event_date) AS last_day
    FROM actor_daily
    GROUP BY ALL
    ORDER BY actor_key
    """,
    # Each outlet's count and newest event, with that event's title and link already joined.
    """
    CREATE TABLE actor_sources AS
    SELECT s.actor_key, s.source, s.n, s.nd, s.newest_rn, s.last_day, ev.article_title, ev.article_url
    FROM (SELECT actor_key, source, count(*) AS n, count(*) FILTER (WHERE NOT dup) AS nd,
                 min(rn) AS newest_rn, max(event_date) AS last_day
          FROM ea WHERE actor_key IS NOT NULL GROUP BY ALL) s
    JOIN ev ON ev.rn = s.newest_rn
    ORDER BY s.actor_key
    """,
    # The newest RECENT_RNS distinct events of each actor, newest first: the timeline and the
    # event table of an entity filter without reading the actor's ea rows.
    f"""
    CREATE TABLE actor_recent AS
    SELECT actor_key, (list(rn ORDER BY rn) FILTER (WHERE NOT dup))[1:{RECENT_RNS}] AS rns
    FROM ea WHERE actor_key IS NOT NULL
    GROUP BY actor_key
    ORDER BY actor_key
    """,
    # Who is named with whom, over all time: the briefing's "most often named with".
    """
    CREATE TABLE co_actors AS
    SELECT actor_key, other, count(*) AS n
    FROM (SELECT actor_key, unnest(actors) AS other FROM ea)
    WHERE lower(other) <> actor_key
    GROUP BY ALL
    ORDER BY actor_key, n DESC
    """,
    # Daily totals answer the chart for every filter but entity and outlet without touching ev.
    ("CREATE TABLE daily AS SELECT event_date, event_type, stance, count(*) AS n "
     "FROM ev GROUP BY ALL ORDER BY 1"),
    ("CREATE TABLE opt_types AS SELECT event_type, sum(n)::BIGINT AS n "
     "FROM daily GROUP BY 1 ORDER BY 2 DESC, 1"),
    "CREATE TABLE opt_stances AS SELECT stance, sum(n)::BIGINT AS n FROM daily GROUP BY 1 ORDER BY 2 DESC, 1",
    "CREATE TABLE opt_sources AS SELECT source, count(*) AS n FROM ev GROUP BY 1 ORDER BY 2 DESC, 1",
)


def _attach_read_only(mem: duckdb.DuckDBPyConnection, path: Path, wait_s: float) -> None:
    # The same patience as warehouse.db.connect: the ingest holds the lock for one short batch.
    literal = "'" + str(path).replace("'", "''") + "'"
    deadline, delay = time.monotonic() + wait_s, 0.05
    while True:
        try:
            mem.execute(f"ATTACH {literal} AS src (READ_ONLY)")
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise DatabaseError(f"cannot open {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise DatabaseError(f"{path} is locked by {lock_holder(str(exc))} and stayed locked for "
                                    f"{wait_s:.0f}s; try again when it finishes") from exc
            time.sleep(min(delay * random.uniform(0.8, 1.2), max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 1.0)


def build_model(db_path: str | Path, *, wait_s: float | None = None,
                timings: dict[str, float] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the dashboard's tables, copied from the database at ``db_path``.

    The file is attached read-only only while copying. Raises ``DatabaseError`` when the
    file is missing or stays locked longer than ``wait_s`` (default ``NEWSIGNAL_LOCK_WAIT_S``).
    ``timings``, when given, receives ``wait_s`` (waiting for the lock), ``hold_s`` (the file
    attached: ATTACH to DETACH) and ``shape_s`` (building the model in memory afterwards).
    """
    path = Path(db_path)
    if not path.exists():
        raise DatabaseError(f"no database at {path}; run `newsignal ingest` (or `newsignal demo`) first")
    mem = duckdb.connect(":memory:")
    try:
        start = time.perf_counter()
        _attach_read_only(mem, path, _db.DEFAULT_LOCK_WAIT_S if wait_s is None else wait_s)
        attached = time.perf_counter()
        try:
            for statement in COPY_SQL:
                mem.execute(statement)
        finally:
            mem.execute("DETACH src")  # releases the file: the rest happens in memory only
            detached = time.perf_counter()
        for statement in MODEL_SQL:
            mem.execute(statement)
        if timings is not None:
            timings.update(wait_s=attached - start, hold_s=detached - attached,
                           shape_s=time.perf_counter() - detached)
    except BaseException:
        mem.close()
        raise
    return mem


def _stamp(path: Path) -> tuple[int, int, int, int]:
    """Changes whenever a writer commits: size and mtime of the file and its write-ahead log."""
    out = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
            out += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            out += [0, 0]
    return out[0], out[1], out[2], out[3]


class DashboardModel:
    """The in-memory model of one database, rebuilt on the first request after the file changes."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int, int, int] | None = None
        self._lock = threading.Lock()
        self.timings: dict[str, float] = {}  # of the last build (see build_model)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on a model at least as new as the file now is (one per request/thread)."""
        with self._lock:
            stamp = _stamp(self.db_path)  # taken before copying: a write during the copy triggers another
            if self._con is None or stamp != self._stamp:
                timings: dict[str, float] = {}
                fresh = build_model(self.db_path, timings=timings)
                self.timings = timings
                old, self._con, self._stamp = self._con, fresh, stamp
                if old is not None:
                    old.close()
            return self._con.cursor()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


# ---- queries on the model ------------------------------------------------------------------------


def _where(f: TimelineFilter, *, entity: bool) -> tuple[str, list[Any]]:
    """Clauses over ``ev`` (entity=False) or ``ea`` (entity=True, which has ``actor_key``)."""
    clauses: list[str] = []
    params: list[Any] = []
    if entity:
        clauses.append("actor_key IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(f.entity_names))
    for column, value in (("event_type", f.event_type), ("stance", f.stance)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.since:
        clauses.append("event_date >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("event_date <= ?")
        params.append(f.until)
    if f.source:
        clauses.append("source_key = lower(?)")
        params.append(f.source)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class DayCount:
    day: date
    event_type: str
    events: int


def _summary_key(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> tuple[str, str] | None:
    """The actor key the per-actor summaries answer ``names`` with, and its count column.

    One name: that key, counting ``n`` (rows, as ``count(*)`` over ea does). Several names
    (an entity and its aliases): a direct query counts distinct events over all of them, which
    a single actor's summary matches (``nd``) only while at most one of the names is a stored
    actor; otherwise ``None``, and the caller reads ea.
    """
    keys = list(names)
    if len(keys) == 1:
        return keys[0], "n"
    present = [r[0] for r in con.execute(
        "SELECT actor_key FROM actor_recent WHERE actor_key IN (SELECT unnest(?::VARCHAR[]))", [keys]
    ).fetchall()]
    if len(present) > 1:
        return None
    return (present[0] if present else keys[0]), "nd"


def _only_entity(f: TimelineFilter) -> bool:
    return not (f.event_type or f.stance or f.since or f.until or f.source)


def counts_by_day_and_type(con: duckdb.DuckDBPyConnection, f: TimelineFilter, *,
                           summaries: bool = True) -> list[DayCount]:
    """Events per (event_date, event_type) matching ``f``, oldest day first.

    ``summaries=False`` answers an entity filter from ea even when actor_daily could (the
    reference the summaries are tested and timed against).
    """
    key = _summary_key(con, f.entity_names) if f.entity_names and summaries and not f.source else None
    if key:
        actor, n = key
        where, params = _where(replace(f, entity_names=()), entity=False)  # type, stance, dates
        where = "WHERE actor_key = ?" + (" AND " + where.removeprefix("WHERE ") if where else "")
        sql = (f"SELECT event_date, event_type, sum({n})::BIGINT FROM actor_daily {where} "
               "GROUP BY ALL ORDER BY 1, 2")
        params = [actor, *params]
    elif f.entity_names:
        # An event naming two of the names (an alias of each) counts once.
        where, params = _where(f, entity=True)
        n = "count(*)" if len(f.entity_names) == 1 else "count(DISTINCT rn)"
        sql = f"SELECT event_date, event_type, {n} FROM ea {where} GROUP BY ALL ORDER BY 1, 2"
    elif f.source:
        where, params = _where(f, entity=False)
        sql = f"SELECT event_date, event_type, count(*) FROM ev {where} GROUP BY ALL ORDER BY 1, 2"
    else:
        where, params = _where(f, entity=False)
        sql = f"SELECT event_date, event_type, sum(n)::BIGINT FROM daily {where} GROUP BY ALL ORDER BY 1, 2"
    return [DayCount(*r) for r in con.execute(sql, params).fetchall()]


@dataclass(frozen=True)
class EventView:
    event_id: str
    event_date: date
    event_type: str
    stance: str
    actors: tuple[str, ...]
    evidence: tuple[str, ...]  # every sentence it was read from, best first
    confidence: float
    article_title: str
    article_url: str
    source: str
    published_at: datetime | None


EVENT_COLUMNS = ("event_id, event_date, event_type, stance, actors, evidence, confidence, article_title, "
                 "article_url, source, published_at")


def events_page(con: duckdb.DuckDBPyConnection, f: TimelineFilter, *, limit: int = 100,
                summaries: bool = True) -> list[EventView]:
    """The newest ``limit`` events matching ``f``, each with all its evidence sentences."""
    if f.entity_names:
        rns = _recent_rns(con, f.entity_names, limit) if summaries and _only_entity(f) else None
        if rns is None:
            where, params = _where(f, entity=True)
            rns = [r[0] for r in con.execute(f"SELECT DISTINCT rn FROM ea {where} ORDER BY rn LIMIT ?",
                                             [*params, limit]).fetchall()]
        return _events_by_rn(con, rns)
    where, params = _where(f, entity=False)
    if limit <= 200:
        # A page (the table shows 100): pick the rns first (a top-N over the filtered columns only),
        # then fetch those rows by the index; a top-N carrying every column costs about twice as much.
        rns = [r[0] for r in con.execute(f"SELECT rn FROM ev {where} ORDER BY rn LIMIT ?",
                                         [*params, limit]).fetchall()]
        return _events_by_rn(con, rns)
    # Hundreds of index probes (the JSON endpoint allows 1000) cost more than one top-N.
    rows = con.execute(f"SELECT {EVENT_COLUMNS} FROM ev {where} ORDER BY rn LIMIT ?",
                       [*params, limit]).fetchall()
    return [EventView(r[0], r[1], r[2], r[3], tuple(r[4]), tuple(r[5]), *r[6:]) for r in rows]


def _recent_rns(con: duckdb.DuckDBPyConnection, names: tuple[str, ...], limit: int) -> list[int] | None:
    """The newest ``limit`` distinct events naming ``names``, from actor_recent; None when it can't say."""
    key = _summary_key(con, names) if limit <= RECENT_RNS else None
    if key is None:
        return None
    row = con.execute("SELECT rns[1:?] FROM actor_recent WHERE actor_key = ?", [limit, key[0]]).fetchone()
    return list(row[0]) if row else []


def _events_by_rn(con: duckdb.DuckDBPyConnection, rns: list[int]) -> list[EventView]:
    if not rns:
        return []
    # A list of integer constants (from our own query, forced through int()) lets DuckDB use the
    # ev_rn index: ~10 ms for 200 scattered events on a million, against ~50 ms for a semi-join.
    constants = ", ".join(str(int(rn)) for rn in rns)
    rows = con.execute(f"SELECT {EVENT_COLUMNS} FROM ev WHERE rn IN ({constants}) ORDER BY rn").fetchall()
    return [EventView(r[0], r[1], r[2], r[3], tuple(r[4]), tuple(r[5]), *r[6:]) for r in rows]


@dataclass(frozen=True)
class FilterOptions:
    first_day: date | None
    last_day: date | None
    types: list[tuple[str, int]]
    stances: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    entities: list[tuple[str, str, int]]  # (label, name, articles mentioning it), most mentioned first


def filter_options(con: duckdb.DuckDBPyConnection, *, top_entities: int = 200) -> FilterOptions:
    """What the filter controls offer: date bounds, and every type, stance and outlet with counts."""
    first, last = con.execute("SELECT min(event_date), max(event_date) FROM ev").fetchone() or (None, None)
    return FilterOptions(
        first, last,
        con.execute("SELECT * FROM opt_types").fetchall(),
        con.execute("SELECT * FROM opt_stances").fetchall(),
        con.execute("SELECT * FROM opt_sources").fetchall(),
        con.execute(
            "SELECT label, name, articles FROM entity_articles "
            "WHERE label IN ('ORG', 'PERSON', 'GPE', 'MODEL') ORDER BY articles DESC, name LIMIT ?",
            [top_entities]).fetchall(),
    )


@dataclass(frozen=True)
class EntityBriefing:
    names: tuple[str, ...]  # canonical names found in the warehouse
    labels: tuple[str, ...]
    first_seen_at: datetime | None
    articles_mentioning: int
    events: int
    first_day: date | None
    last_day: date | None
    by_type: list[tuple[str, str, int]]  # (event_type, stance, events)
    co_actors: list[tuple[str, int]]
    sources: list[tuple[str, int, str, str, date]]  # (outlet, events, latest title, latest url, latest day)
    recent: list[EventView]  # events in the last RECENT_DAYS days of this entity's data
    recent_since: date | None
    timeline: list[EventView]  # newest first


def entity_briefing(
    con: duckdb.DuckDBPyConnection, names: tuple[str, ...], *, f: TimelineFilter | None = None,
    timeline_limit: int = 200, summaries: bool = True,
) -> EntityBriefing:
    """Everything the entity page shows for the lower-cased canonical ``names`` (one entity, its aliases).

    Answered from the per-actor summaries when they give exactly what ea would (no filter but
    the entity, at most one of ``names`` stored, ``timeline_limit <= RECENT_RNS``); else, or
    with ``summaries=False``, from ea.
    """
    f = replace(f or TimelineFilter(), entity_names=names, limit=None)
    keys = list(names)
    known = con.execute(
        """
        SELECT list(DISTINCT name ORDER BY name), list(DISTINCT label ORDER BY label), min(first_seen_at),
               sum(articles)
        FROM entity_articles WHERE name_key IN (SELECT unnest(?::VARCHAR[]))
        """,
        [keys],
    ).fetchone() or (None, None, None, None)
    stored, labels, first_seen, mentioning = known
    key = _summary_key(con, names) if summaries and _only_entity(f) and timeline_limit <= RECENT_RNS else None
    if key:
        by_type, total, sources, rns = _briefing_from_summaries(con, *key, timeline_limit)
    else:
        by_type, total, sources, rns = _briefing_from_ea(con, f, len(keys), timeline_limit)
    first_day = min((r[3] for r in by_type), default=None)
    last_day = max((r[4] for r in by_type), default=None)
    co_actors = con.execute(
        """
        SELECT any_value(other), sum(n)::BIGINT AS total FROM co_actors
        WHERE actor_key IN (SELECT unnest(?::VARCHAR[])) AND lower(other) NOT IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY lower(other) ORDER BY total DESC, 1 LIMIT 10
        """,
        [keys, keys],
    ).fetchall()
    timeline = _events_by_rn(con, rns)
    recent_since = last_day - timedelta(days=RECENT_DAYS - 1) if last_day else None
    return EntityBriefing(
        names=tuple(stored or ()), labels=tuple(labels or ()), first_seen_at=first_seen,
        articles_mentioning=int(mentioning or 0),
        events=int(total), first_day=first_day, last_day=last_day,
        by_type=[(t, s, c) for t, s, c, _, _ in by_type], co_actors=co_actors, sources=sources,
        recent=[e for e in timeline if recent_since and e.event_date >= recent_since],
        recent_since=recent_since, timeline=timeline,
    )


# Each returns (by_type rows (event_type, stance, events, first day, last day), distinct events,
# sources (outlet, events, newest title, newest url, newest day), the newest timeline_limit rns).
Briefing = tuple[
    list[tuple[str, str, int, date, date]], int, list[tuple[str, int, str, str, date]], list[int]
]


def _briefing_from_summaries(
    con: duckdb.DuckDBPyConnection, actor: str, n: str, timeline_limit: int
) -> Briefing:
    by_type = con.execute(f"SELECT event_type, stance, {n}, first_day, last_day FROM actor_types "
                          "WHERE actor_key = ? ORDER BY 3 DESC, 1, 2", [actor]).fetchall()
    # Each event has one type and stance, so with nd (distinct events) the sum is the distinct total,
    # and with n it is the row count the one-name direct query reports as the total.
    total = sum(r[2] for r in by_type)
    sources = con.execute(f"SELECT source, {n}, article_title, article_url, last_day FROM actor_sources "
                          "WHERE actor_key = ? ORDER BY 2 DESC, 1", [actor]).fetchall()
    row = con.execute("SELECT rns[1:?] FROM actor_recent WHERE actor_key = ?",
                      [timeline_limit, actor]).fetchone()
    return by_type, total, sources, list(row[0]) if row else []


def _briefing_from_ea(
    con: duckdb.DuckDBPyConnection, f: TimelineFilter, names: int, timeline_limit: int
) -> Briefing:
    # The entity's rows are contiguous in ea. With several names (an entity and an alias that is
    # another entity) an event can have a row for each: count distinct rn then.
    where, params = _where(f, entity=True)
    n = "count(*)" if names == 1 else "count(DISTINCT rn)"
    by_type = con.execute(
        f"SELECT event_type, stance, {n}, min(event_date), max(event_date) FROM ea {where} "
        "GROUP BY ALL ORDER BY 3 DESC, 1, 2", params).fetchall()
    total = (con.execute(f"SELECT count(DISTINCT rn) FROM ea {where}", params).fetchone() or (0,))[0] \
        if names > 1 else sum(r[2] for r in by_type)
    per_source = con.execute(
        f"SELECT source, {n}, min(rn), max(event_date) FROM ea {where} GROUP BY 1 ORDER BY 2 DESC, 1",
        params,
    ).fetchall()
    newest = sorted(r[2] for r in per_source)  # each outlet's newest event (rn 1 is the newest overall)
    by_rn = dict(zip(newest, _events_by_rn(con, newest), strict=True))
    sources = [(src, c, by_rn[rn].article_title, by_rn[rn].article_url, day)
               for src, c, rn, day in per_source]
    rns = [r[0] for r in con.execute(f"SELECT DISTINCT rn FROM ea {where} ORDER BY rn LIMIT ?",
                                     [*params, timeline_limit]).fetchall()]
    return by_type, total, sources, rns


def as_json(value: Any) -> Any:
    """Dataclasses, dates and tuples from this module as JSON-ready values."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: as_json(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class SignalView:
    """One thread as the signals page shows it."""

    signal_id: str
    event_type: str
    headline: str
    status: str
    stance_summary: str
    corroboration: int
    first_seen: datetime
    last_seen: datetime
    best_evidence: str
    sources: tuple[tuple[str, str, str], ...]  # (outlet, title, url), oldest first
    event_count: int


def signal_views(con: duckdb.DuckDBPyConnection, *, event_type: str | None = None,
                 limit: int = 100, names: tuple[str, ...] = ()) -> list[SignalView]:
    """Threads, most recently seen first (a database from before headlines shows the best evidence);
    with ``names`` (lower-cased canonical names of one entity), only the threads it is a party to."""
    found = con.execute("SELECT count(*) FROM information_schema.columns "
                        "WHERE table_name = 's_signals' AND column_name = 'headline'").fetchone()
    headline = "coalesce(headline, best_evidence)" if found and found[0] else "best_evidence"
    rows = con.execute(
        f"""
        SELECT signal_id, event_type, {headline}, status, stance_summary, corroboration, first_seen,
               last_seen, best_evidence, [(s.source, s.title, s.url) FOR s IN sources], event_count
        FROM s_signals WHERE ($1::VARCHAR IS NULL OR event_type = $1)
          AND (len($3::VARCHAR[]) = 0
               OR list_has_any(list_transform(actors, lambda a: lower(a)), $3::VARCHAR[]))
        ORDER BY last_seen DESC, corroboration DESC, signal_id LIMIT $2
        """,
        [event_type, limit, [n.lower() for n in names]],
    ).fetchall()
    return [SignalView(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                       tuple((s[0], s[1], s[2]) for s in r[9]), r[10]) for r in rows]


def feed_health_rows(con: duckdb.DuckDBPyConnection) -> list[FeedHealth]:
    """Feed health as ``newsignal status`` reports it, from the model's copy."""
    return [FeedHealth(*r) for r in con.execute("SELECT * FROM s_feed_health").fetchall()]

