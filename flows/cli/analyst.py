"""``newsignal timeline`` and ``newsignal export``: the warehouse for analysts, without SQL.

Both open the database read-only for as long as one query takes, so they can run
beside an ingest (``warehouse.db.connect`` waits while the writer holds the lock).
Module-level imports stay light (click only): these commands never need Prefect or spaCy.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from extractors.models import EVENT_TYPES, STANCES
from flows.cli.output import CliError, echo_rows

EXPORT_WHAT = ("timeline", "events", "entities", "articles")
EXPORT_SUFFIXES = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{option} must be YYYY-MM-DD, got {value!r}") from exc


@click.command(name="timeline")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--entity", help="Canonical name or alias, any case (e.g. 'openai', 'Moonshot').")
@click.option("--type", "event_type", type=click.Choice(list(EVENT_TYPES), case_sensitive=False))
@click.option("--stance", type=click.Choice(STANCES, case_sensitive=False))
@click.option("--since", help="First event date, YYYY-MM-DD (inclusive).")
@click.option("--until", help="Last event date, YYYY-MM-DD (inclusive).")
@click.option("--source", help="Outlet (feed) name, any case.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True, help="0 for no limit.")
def timeline_command(db_path: Path, entity: str | None, event_type: str | None, stance: str | None,
                     since: str | None, until: str | None, source: str | None, fmt: str, limit: int) -> None:
    """Events from the timeline, newest first, filtered by entity, type, stance, dates and outlet."""
    from extractors.gazetteer import entity_names_for
    from flows.settings import config_dir
    from warehouse.db import connect
    from warehouse.timeline import TimelineFilter, stored_entity_names, timeline_rows

    start, end = _parse_date(since, "--since"), _parse_date(until, "--until")
    if start and end and start > end:
        raise CliError(f"--since {start} is after --until {end}")
    names = entity_names_for(entity, config_dir()) if entity else ()
    f = TimelineFilter(names, event_type.lower() if event_type else None, stance.lower() if stance else None,
                       start, end, source, limit or None)
    con = connect(db_path, read_only=True)
    try:
        columns, rows = timeline_rows(con, f)
        unknown = bool(entity) and not rows and not stored_entity_names(con, names)
    finally:
        con.close()
    if unknown:
        click.echo(f"note: no entity called {entity!r} in the gazetteer or the database", err=True)
    echo_rows(columns, rows, fmt)


@click.command(name="export")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--what", required=True, type=click.Choice(EXPORT_WHAT))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]),
              help="Default: from the --out suffix (.parquet, .csv, .jsonl).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(db_path: Path, what: str, fmt: str | None, out_path: Path) -> None:
    """Write the timeline, events, entities or articles to one Parquet, CSV or JSON-lines file."""
    from warehouse.db import connect
    from warehouse.timeline import export_table

    fmt = fmt or EXPORT_SUFFIXES.get(out_path.suffix.lower())
    if fmt is None:
        raise CliError(f"cannot tell the format from {out_path.name!r}; pass --format parquet|csv|jsonl")
    if not out_path.parent.is_dir():
        raise CliError(f"no directory {out_path.parent} for --out")
    con = connect(db_path, read_only=True)
    try:
        rows = export_table(con, what, fmt, out_path)
    finally:
        con.close()
    click.echo(f"wrote {rows} {what} rows to {out_path} ({fmt})")
