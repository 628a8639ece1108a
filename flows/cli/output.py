"""What every command shares: one-line errors, rows as table/CSV/JSON, progress bars, Prefect's defaults.

Module-level imports stay light (click only): cheap commands never pay for Prefect or spaCy.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click


def prefect_defaults() -> None:
    """Quiet, offline Prefect: no telemetry, a project-local home, warnings only."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


class CliError(click.ClickException):
    """Printed as one line ``error: …`` with exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"--date must be YYYY-MM-DD, got {value!r}") from exc


def echo_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    def plain(v: Any) -> Any:
        if isinstance(v, (datetime, date)):
            return v.isoformat()
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, bytes):
            return f"<{len(v)} bytes>"
        return v

    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, map(plain, r), strict=True)) for r in rows],
                              ensure_ascii=False, indent=1, default=str))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        for r in rows:
            w.writerow(["; ".join(map(str, v)) if isinstance(v, list) else v for v in map(plain, r)])
        click.echo(buf.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns, show_lines=False)
        for r in rows:
            table.add_row(*["" if v is None else ", ".join(map(str, v)) if isinstance(v, list) else str(v)
                            for v in map(plain, r)])
        Console(width=max(120, os.get_terminal_size(0).columns if sys.stdout.isatty() else 160)).print(table)


@contextlib.contextmanager
def feed_progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal; silent when output is redirected."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, disable=not sys.stderr.isatty(), console=Console(stderr=True)) as bar:
        task_id = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task_id, n)
