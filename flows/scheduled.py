"""The flows `newsignal serve` schedules: parameters are plain strings and flags only."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.daily_digest import DigestResult, digest_flow, previous_local_day
from flows.ingest import IngestReport, ingest_feeds
from flows.settings import load_feeds, load_settings


# As many feeds at a time as ingest_flow (flows/ingest.py says why).
# The ignore: flow()'s annotation refuses Prefect's own ThreadPoolTaskRunner (PrefectHQ/prefect#16938).
@flow(name="scheduled-ingest", task_runner=ThreadPoolTaskRunner(max_workers=32), log_prints=False)  # type: ignore[arg-type]
def scheduled_ingest_flow(feeds_file: str, db_path: str) -> IngestReport:
    """Poll the feeds that are due (backoff and TTL respected) and store what is new."""
    settings = load_settings()
    return ingest_feeds(load_feeds(Path(feeds_file)), Path(db_path), settings, due_only=True)


@flow(name="daily-digest", log_prints=False)
def daily_digest_flow(db_path: str, out_dir: str | None = None, send: bool = False) -> DigestResult:
    """The digest of the day that just ended (configured time zone): files and/or email, once."""
    day = previous_local_day(load_settings().digest.timezone)
    return digest_flow(db_path, day, out_dir, send=send)
