"""What every command shares: one-line errors, rows as table/CSV/JSON, progress bars, Prefect's defaults.

Module-level imports stay light (click only): cheap commands never pay for Prefect or spaCy.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import io
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flows.ingest import IngestReport


def prefect_defaults() -> None:
    """Quiet, offline Prefect: no telemetry, a project-local home, warnings only on the terminal.

    Called by the commands that run a flow, before Prefect is imported (and before their inputs are
    checked, which stays cheap: Prefect is imported by ``start_flow_run``). A run's log in Prefect
    gets INFO and up (flows.run_view); the terminal only WARNING and up, since each command prints
    its own report and must not print it twice.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def start_flow_run(while_server_starts: Callable[[], None] | None = None) -> None:
    """Right before a command's flow: one-line failures, and a temporary server that dies with us.

    A failed flow is reported by ``main`` as one ``error:`` line, so Prefect's own report of it (a
    traceback) stays off the terminal, and the process leaves without interpreter teardown (see
    ``_leave``). Prefect's temporary server, if one is used, starts here, bound to this process
    (flows.temporary_server). With NEWSIGNAL_DEBUG set, Prefect's tracebacks stay. ``while_server_starts``
    runs once that server's process exists, in the seconds it takes to become healthy.
    """
    if not os.environ.get("NEWSIGNAL_DEBUG"):
        if _leave not in _registered:
            # Registered before Prefect starts its server, so it runs after Prefect's own exit handlers.
            atexit.register(_leave)
            _registered.append(_leave)
        from prefect.logging.configuration import ensure_logging_setup
        from prefect.logging.handlers import PrefectConsoleHandler

        ensure_logging_setup()  # what `import prefect.main` would do later; the filter goes on its handler
        for handler in logging.getLogger().handlers:
            if isinstance(handler, PrefectConsoleHandler) and not any(
                    isinstance(f, _RunFailuresReportedByCli) for f in handler.filters):
                handler.addFilter(_RunFailuresReportedByCli())
    from flows.temporary_server import start_temporary_server

    start_temporary_server(while_server_starts)


class _RunFailuresReportedByCli(logging.Filter):
    """Keeps Prefect's reports of failed flow and task runs off the terminal (the API still gets them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno >= logging.ERROR
                    and record.name.startswith(("prefect.flow_runs", "prefect.task_runs")))


_exit_status: list[int] = []
_registered: list[Callable[[], None]] = []


def set_exit_status(code: int) -> None:
    """The status the process will leave with (``_leave`` needs it: it skips the SystemExit)."""
    _exit_status.append(code)


def _leave() -> None:
    """The last exit handler of a flow command: flush and leave, without interpreter teardown.

    Teardown only frees memory here, but DuckDB's bindings (nanobind) count their objects still
    alive while modules are torn down, and after a Prefect flow some are (the order in which modules
    go decides it): a flow command, even a successful one, ended with about 40 lines of
    "nanobind: leaked ..." on stderr. Prefect's handlers (stopping
    its temporary server, flushing logs) registered after this one, so they have run. Only when
    ``main`` set the status: code that runs a command in-process (tests) exits as usual.
    """
    if not _exit_status:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(_exit_status[-1])


_IMPORTED_AT = time.monotonic()


def process_age_s() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere: since this module loaded)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks after boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT


def throughput_line(report: IngestReport, *, started_s_ago: float) -> str:
    """One line: articles per second over the whole command, its start-up, and each stage's busy time."""
    total = max(started_s_ago, 1e-9)
    startup = max(0.0, started_s_ago - (time.monotonic() - report.started_at))
    stages = ", ".join(f"{name} {s:.1f} s" for name, s in report.stage_s.items())
    return (f"throughput {report.articles_annotated / total:.1f} articles/s: {report.articles_annotated} "
            f"articles in {total:.1f} s; start-up {startup:.1f} s"
            + (f", {stages} (busy time per stage; stages overlap)" if stages else ""))


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
