"""What a flow run shows in Prefect's UI: its name, the project's log lines, its report as artifacts.

Prefect names a run after two random words and keeps what it is not told. Here each run says what
ran (``ingest 2026-11-20 07:00 · 183 feeds``), the project's own loggers (``flows``, ``extractors``,
``warehouse``) reach the run's log at INFO, and each run leaves its report behind as artifacts.
The names and tables are plain functions of plain values; the Prefect calls are the thin rest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

# The packages whose loggers a run's log in Prefect shows (logging.getLogger(__name__) in each).
PROJECT_LOGGERS = ("flows", "extractors", "warehouse")


# ---- run names (pure) ----

def _minute(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if at.tzinfo else at.strftime("%Y-%m-%d %H:%M")


def ingest_run_name(at: datetime, feeds: int | None) -> str:
    """``ingest 2026-11-20 07:00 · 183 feeds`` (UTC); without the count when the feeds file is unreadable."""
    return f"ingest {_minute(at)}" + ("" if feeds is None else f" · {feeds} feed{'s' * (feeds != 1)}")


def digest_run_name(day: date | None, *, files: bool, email: bool) -> str:
    """``digest 2026-11-20 · files, email``: the day it covers and what it delivers."""
    what = ", ".join(w for w, on in (("files", files), ("email", email)) if on) or "nothing to deliver"
    return f"digest {day.isoformat() if day else '(day unknown)'} · {what}"


def reprocess_run_name(at: datetime, since: str | None, from_raw: bool) -> str:
    """``reprocess 2026-12-01 18:40 · since 2026-11-01, from raw pages``."""
    scope = f"since {since}" if since else "all articles"
    return f"reprocess {_minute(at)} · {scope}" + (", from raw pages" if from_raw else "")


# ---- run names (read from the run's parameters when Prefect names the run) ----

def _run_started() -> datetime:
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    return scheduled if isinstance(scheduled, datetime) else datetime.now(UTC)


def run_parameters() -> Mapping[str, Any]:
    """The parameters of the flow run being named (or running)."""
    from prefect.runtime import flow_run

    return flow_run.parameters or {}


def name_ingest_run() -> str:
    """The ``flow_run_name`` of the ingest flows."""
    from flows.settings import ConfigError, load_feeds

    feeds_file = run_parameters().get("feeds_file")
    try:
        count: int | None = len(load_feeds(Path(str(feeds_file))))
    except (ConfigError, OSError):
        count = None  # the flow itself reports the bad file in one line; the name must not fail first
    return ingest_run_name(_run_started(), count)


def name_digest_run(day: date | None = None) -> str:
    """The ``flow_run_name`` of the digest flow: ``day`` or the run's own ``day`` parameter."""
    params = run_parameters()
    if day is None and params.get("day") is not None:
        day = params["day"] if isinstance(params["day"], date) else date.fromisoformat(str(params["day"]))
    return digest_run_name(day, files=bool(params.get("out_dir")),
                           email=bool(params.get("send") or params.get("resend")))


def name_reprocess_run() -> str:
    """The ``flow_run_name`` of the reprocess flow."""
    params = run_parameters()
    since = params.get("since")
    return reprocess_run_name(_run_started(), str(since) if since else None, bool(params.get("from_raw")))


# ---- the project's logs in the run's log ----

def project_logs_to_run() -> None:
    """Send the project's log lines, INFO and up, to the current flow or task run's log in Prefect.

    Called at the start of a flow (idempotent). Records logged outside a run (a helper thread
    without Prefect's context, a command after its flow) are not sent: Prefect's handler would
    warn about each. The terminal is not affected: commands keep Prefect's console at WARNING
    (flows.cli.output.prefect_defaults), so the CLI's own output is not printed twice.
    """
    from prefect.logging.handlers import APILogHandler

    class _InRunAPIHandler(APILogHandler):
        def emit(self, record: logging.LogRecord) -> None:
            from prefect.context import FlowRunContext, TaskRunContext

            if FlowRunContext.get() is None and TaskRunContext.get() is None:
                return
            super().emit(record)

    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)
        if not any(type(h).__name__ == _InRunAPIHandler.__name__ for h in logger.handlers):
            logger.addHandler(_InRunAPIHandler())


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The current run's logger (Prefect's), for the flow's own summary lines."""
    from prefect.logging import get_run_logger

    return get_run_logger()


# ---- artifacts ----

class IngestCounts(Protocol):
    """What the artifacts read of flows.ingest.IngestReport (not imported: it imports this module)."""

    feeds: int
    not_due: int
    polled: int
    not_modified: int
    failed: int
    new_entries: int
    new_articles: int
    new_events: int
    article_failures: int
    pages_replacing_feed_text: int
    articles_annotated: int
    elapsed_s: float
    failed_feeds: list[tuple[str, str]]


def ingest_report_rows(report: IngestCounts) -> list[dict[str, Any]]:
    """The ingest report as (measure, value) rows, in the order the CLI prints them."""
    rows: list[tuple[str, Any]] = [
        ("feeds in the file", report.feeds), ("not due yet", report.not_due), ("polled", report.polled),
        ("not modified", report.not_modified), ("failed", report.failed),
        ("new entries", report.new_entries), ("new articles", report.new_articles),
        ("new events", report.new_events), ("article failures", report.article_failures),
        ("pages replacing feed text", report.pages_replacing_feed_text),
        ("articles annotated", report.articles_annotated), ("seconds", round(report.elapsed_s, 1)),
    ]
    return [{"measure": m, "value": v} for m, v in rows]


def failing_feed_rows(report: IngestCounts) -> list[dict[str, str]]:
    return [{"feed": name, "error": error} for name, error in report.failed_feeds]


def publish_ingest_report(report: IngestCounts) -> None:
    """Two table artifacts on the run: the report, and the feeds that failed (empty when none did)."""
    from prefect.artifacts import create_table_artifact

    create_table_artifact(ingest_report_rows(report), key="ingest-report",
                          description="What this ingest polled, stored and failed to fetch.")
    create_table_artifact(failing_feed_rows(report), key="ingest-failing-feeds",
                          description=f"{report.failed} feed(s) failed in this run (error kind: message).")


def publish_digest(markdown: str) -> None:
    """The digest as a markdown artifact on the run."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown, key="digest", description="The digest this run built.")
