"""The digest flow: read one day from the warehouse, render it, write the files."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from flows.digest.build import Digest, build_digest
from flows.digest.render import write_digest_files
from flows.settings import Settings, load_settings
from warehouse.db import connect
from warehouse.digest_queries import entities_between, events_published_between, sources_between
from warehouse.reads import failing_feeds


def event_type_weights(config_dir: Path) -> dict[str, float]:
    """Ranking weight per event type from config/event_types.toml (missing weights default later)."""
    path = config_dir / "event_types.toml"
    if not path.is_file():
        return {}
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {t["name"]: float(t["weight"]) for t in raw.get("event_type", []) if "name" in t and "weight" in t}


def day_bounds_utc(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of ``day`` in ``timezone``, as naive UTC (how the warehouse stores time)."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return (start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None))


def make_digest(db_path: Path, day: date, settings: Settings, *, now: datetime | None = None) -> Digest:
    """Read ``day`` from the database (read-only) and build its digest."""
    start, end = day_bounds_utc(day, settings.digest.timezone)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    con = connect(db_path, read_only=True)
    try:
        rows = events_published_between(con, start, end)
        entities = entities_between(con, start, end, limit=8)
        sources = sources_between(con, start, end)
        failing = [(h.name, h.last_error or "") for h in failing_feeds(con, since=now - timedelta(days=1))]
    finally:
        con.close()
    return build_digest(
        day, settings.digest.timezone, rows, event_type_weights(settings.config_dir),
        entities=entities, sources=sources, failing_feeds=failing, top_n=settings.digest.top_signals,
    )


@flow(name="digest", log_prints=False)
def digest_flow(db_path: str, day: str, out_dir: str, config_dir: str | None = None) -> list[str]:
    """Write the digest for ``day`` (YYYY-MM-DD) as HTML and text into ``out_dir``."""
    settings = load_settings(Path(config_dir) if config_dir else None)
    digest = make_digest(Path(db_path), date.fromisoformat(day), settings)
    return [str(p) for p in write_digest_files(digest, Path(out_dir))]
