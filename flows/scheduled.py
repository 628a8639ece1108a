"""The flows that deployments run (`newsignal serve`, `newsignal deploy`): parameters are plain strings
and flags only, so a worker on another machine can start them from the API."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.daily_digest import DigestResult, digest_flow, previous_local_day
from flows.ingest import IngestReport, ingest_feeds, report_ingest
from flows.reprocess import ReprocessReport
from flows.run_view import (
    name_digest_run,
    name_ingest_run,
    name_reprocess_run,
    project_logs_to_run,
    run_logger,
)
from flows.settings import load_feeds, load_settings


# As many feeds at a time as ingest_flow (flows/ingest.py says why).
# The ignore: flow()'s annotation refuses Prefect's own ThreadPoolTaskRunner (PrefectHQ/prefect#16938).
@flow(name="scheduled-ingest", task_runner=ThreadPoolTaskRunner(max_workers=32), log_prints=False)  # type: ignore[arg-type]
def scheduled_ingest_flow(feeds_file: str, db_path: str) -> IngestReport:
    """Poll the feeds that are due (backoff and TTL respected) and store what is new."""
    project_logs_to_run()
    settings = load_settings()
    return report_ingest(ingest_feeds(load_feeds(Path(feeds_file)), Path(db_path), settings, due_only=True))


# Named like ingest_flow, apart from the runner line (as in flows/ingest.py).
scheduled_ingest_flow = scheduled_ingest_flow.with_options(flow_run_name=name_ingest_run)


def name_scheduled_digest_run() -> str:
    """Named after the day the run covers: the one that just ended in the digest's time zone."""
    from flows.settings import ConfigError

    try:
        day = previous_local_day(load_settings().digest.timezone)
    except ConfigError:
        day = None  # the flow itself reports the bad setting in one line; the name must not fail first
    return name_digest_run(day)


@flow(name="daily-digest", flow_run_name=name_scheduled_digest_run, log_prints=False)
def daily_digest_flow(db_path: str, out_dir: str | None = None, send: bool = False) -> DigestResult:
    """The digest of the day that just ended (configured time zone): files and/or email, once."""
    day = previous_local_day(load_settings().digest.timezone)
    return digest_flow(db_path, day, out_dir, send=send)


@flow(name="reprocess", flow_run_name=name_reprocess_run, log_prints=False)
def reprocess_flow(db_path: str, since: str | None = None, from_raw: bool = False) -> ReprocessReport:
    """Re-derive entities and events of stored articles (after a gazetteer or rule change), once."""
    from flows.reprocess import reprocess

    project_logs_to_run()
    report = reprocess(Path(db_path), load_settings(), since=date.fromisoformat(since) if since else None,
                       from_raw=from_raw)
    run_logger().info("reprocessed %d articles (%d re-extracted from raw pages); %d events",
                      report.articles, report.re_extracted, report.events)
    return report
