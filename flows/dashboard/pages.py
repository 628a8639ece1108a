"""What each dashboard page and JSON endpoint shows, independent of HTTP.

Each function takes a cursor on the server's in-memory ``DashboardModel`` (rebuilt, in one
short read-only attach, after the database file changes), runs its queries and returns
plain data; rendering is Jinja2 with autoescaping on, so every feed-derived string
(titles, evidence, names, outlets) is HTML-escaped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import duckdb
import jinja2

from extractors.gazetteer import entity_names_for
from extractors.models import EVENT_TYPES, STANCES
from flows.dashboard.chart import events_chart_svg, legend
from flows.settings import config_dir as default_config_dir
from warehouse.dashboard import (
    DashboardModel,
    EntityBriefing,
    SignalView,
    as_json,
    counts_by_day_and_type,
    entity_briefing,
    events_page,
    feed_health_rows,
    filter_options,
    signal_views,
)
from warehouse.timeline import TimelineFilter

TABLE_ROWS = 100


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadRequest(ValueError):
    """A query-string value the dashboard cannot use; the message says which."""


@dataclass(frozen=True)
class Filters:
    """The filter form's values as typed (for redisplay) and as a query filter."""

    since: str = ""
    until: str = ""
    type: str = ""
    stance: str = ""
    entity: str = ""
    source: str = ""

    def query(self, config_dir: Path | None) -> TimelineFilter:
        return TimelineFilter(
            entity_names=(entity_names_for(self.entity, config_dir or default_config_dir())
                          if self.entity else ()),
            event_type=self.type or None, stance=self.stance or None,
            since=_day(self.since, "since"), until=_day(self.until, "until"), source=self.source or None,
        )

    def link(self, **changes: str) -> str:
        """This filter's query string, with ``changes`` applied; empty values left out."""
        values = {k: v for k, v in (self.__dict__ | changes).items() if v}
        return "?" + urlencode(values) if values else "?"


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        if not _DAY.fullmatch(value):  # fromisoformat also takes 20261120 and 2026-W47-1
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be YYYY-MM-DD, got {value!r}") from exc


def _check_type(event_type: str) -> None:
    if event_type and event_type not in EVENT_TYPES:
        raise BadRequest(f"type must be one of {', '.join(EVENT_TYPES)}")


def parse_filters(params: Mapping[str, list[str]]) -> Filters:
    """Filters from a parsed query string (``urllib.parse.parse_qs``); raises ``BadRequest``."""
    values = {name: (params.get(name) or [""])[-1].strip() for name in Filters.__dataclass_fields__}
    if values["stance"] and values["stance"] not in STANCES:
        raise BadRequest(f"stance must be one of {', '.join(STANCES)}")
    _check_type(values["type"])
    for name in ("since", "until"):
        _day(values[name], name)
    return Filters(**values)


@contextmanager
def reading(model: DashboardModel) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the model for the queries of one request (threads must not share one)."""
    con = model.cursor()
    try:
        yield con
    finally:
        con.close()


def safe_href(url: str | None) -> str:
    """The URL when it is http(s), else "": a feed may carry ``javascript:`` links."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return ""


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flows.dashboard", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["label"] = lambda t: str(t).replace("_", " ")
    return env


def render(template: str, **context: Any) -> str:
    return _templates().get_template(template).render(**context)


# ---- data for pages and JSON endpoints -------------------------------------------------------------


def overview_data(model: DashboardModel, filters: Filters, config_dir: Path | None) -> dict[str, Any]:
    """Filter choices, counts per day and type, and the newest events for the overview page."""
    f = filters.query(config_dir)
    with reading(model) as con:
        options = filter_options(con)
        counts = counts_by_day_and_type(con, f)
        events = events_page(con, f, limit=TABLE_ROWS)
    return {"options": options, "counts": counts, "events": events}


def overview_page(model: DashboardModel, filters: Filters, config_dir: Path | None) -> str:
    data = overview_data(model, filters, config_dir)
    total = sum(c.events for c in data["counts"])
    return render("index.html.j2", filters=filters, chart=events_chart_svg(data["counts"]),
                  legend=legend(data["counts"]), total=total, table_rows=TABLE_ROWS, now=_now(),
                  db_name=model.db_path.name, **data)


def counts_json(model: DashboardModel, filters: Filters, config_dir: Path | None) -> Any:
    with reading(model) as con:
        return as_json(counts_by_day_and_type(con, filters.query(config_dir)))


def events_json(model: DashboardModel, filters: Filters, config_dir: Path | None, limit: int) -> Any:
    with reading(model) as con:
        return as_json(events_page(con, filters.query(config_dir), limit=limit))


def options_json(model: DashboardModel) -> Any:
    with reading(model) as con:
        return as_json(filter_options(con))


# The entity page leads with the threads the entity is a party to; its events stay as the evidence.
ENTITY_THREADS = 10


def briefing_data(model: DashboardModel, name: str,
                  config_dir: Path | None) -> tuple[EntityBriefing, list[SignalView]]:
    if not name.strip():
        raise BadRequest("name is required, e.g. /entity?name=OpenAI")
    names = entity_names_for(name, config_dir or default_config_dir())
    with reading(model) as con:
        return entity_briefing(con, names), signal_views(con, names=names, limit=ENTITY_THREADS)


def entity_json(model: DashboardModel, name: str, config_dir: Path | None) -> Any:
    b, threads = briefing_data(model, name, config_dir)
    return as_json(b) | {"summary": summary_line(name, b, threads), "key_points": key_points(b, threads),
                         "threads": as_json(threads)}


def entity_page(model: DashboardModel, name: str, config_dir: Path | None) -> str:
    b, threads = briefing_data(model, name, config_dir)
    return render("entity.html.j2", asked=name, title=b.names[0] if b.names else name, b=b,
                  threads=threads, summary=summary_line(name, b, threads), key_points=key_points(b, threads),
                  now=_now(), db_name=model.db_path.name, filters=Filters())


def signals_page(model: DashboardModel, event_type: str) -> str:
    """Threads, newest first: headline, stance roll-up, corroboration, sources, first and last seen."""
    _check_type(event_type)
    with reading(model) as con:
        signals = signal_views(con, event_type=event_type or None, limit=TABLE_ROWS)
    return render("signals.html.j2", signals=signals, event_type=event_type, types=EVENT_TYPES,
                  limit=TABLE_ROWS, now=_now(), db_name=model.db_path.name)


def signals_json(model: DashboardModel, event_type: str) -> Any:
    _check_type(event_type)
    with reading(model) as con:
        return as_json(signal_views(con, event_type=event_type or None, limit=TABLE_ROWS))


def feeds_page(model: DashboardModel) -> str:
    """Feed health as `newsignal status` gives it: failing feeds first."""
    with reading(model) as con:
        feeds = feed_health_rows(con)
    return render("feeds.html.j2", feeds=feeds, now=_now(), db_name=model.db_path.name)


# ---- the briefing's sentences -------------------------------------------------------------------


def summary_line(asked: str, b: EntityBriefing, threads: Sequence[SignalView] = ()) -> str:
    """One sentence a reader can act on in twenty seconds: the latest thread first, then the record."""
    name = b.names[0] if b.names else asked
    if threads:
        latest = threads[0]
        more = f" ({len(threads)} threads in all, most recent first below)" if len(threads) > 1 else ""
        return (f"Latest: {latest.headline} ({latest.status}, {latest.corroboration} independent "
                f"outlet{'s' if latest.corroboration != 1 else ''}, last seen "
                f"{latest.last_seen:%Y-%m-%d}){more}.")
    if not b.events:
        if b.articles_mentioning:
            return (f"{name} is mentioned in {b.articles_mentioning} article(s) "
                    "but named in no typed event yet.")
        return f"Nothing about {name} in the warehouse yet."
    top_type = max(_by_type(b).items(), key=lambda kv: (sum(kv[1].values()), kv[0]))
    outlets = len(b.sources)
    return (f"{name} is named in {b.events} event(s) reported by {outlets} outlet(s) between "
            f"{b.first_day} and {b.last_day}, most often {top_type[0].replace('_', ' ')} "
            f"({sum(top_type[1].values())}).")


def _by_type(b: EntityBriefing) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for event_type, stance, n in b.by_type:
        out[event_type][stance] = n
    return out


def key_points(b: EntityBriefing, threads: Sequence[SignalView] = ()) -> list[str]:
    """Up to five short statements: the threads it is a party to, how contested, with whom, how visible."""
    points = []
    contested = [t for t in threads if t.status in ("contested", "alleged", "denied")]
    if threads:
        points.append(f"Party to {len(threads)} thread(s)"
                      + (f", {len(contested)} of them claims not established as fact." if contested else "."))
    by_type = sorted(_by_type(b).items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    for event_type, stances in by_type[:3]:
        detail = ", ".join(f"{n} {s}" for s, n in sorted(stances.items(), key=lambda kv: -kv[1]))
        points.append(f"{sum(stances.values())} {event_type.replace('_', ' ')} event(s): {detail}.")
    denied = sum(stances.get("denied", 0) for _, stances in by_type)
    alleged = sum(stances.get("alleged", 0) for _, stances in by_type)
    if denied or alleged:
        points.append(f"Contested record: {alleged} allegation(s) and {denied} denial(s) "
                      "are claims, not facts.")
    if b.co_actors:
        points.append("Most often named with " + ", ".join(f"{a} ({n})" for a, n in b.co_actors[:4]) + ".")
    if b.articles_mentioning:
        points.append(f"Mentioned in {b.articles_mentioning} article(s) in all.")
    return points[:5]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
