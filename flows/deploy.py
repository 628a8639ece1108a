"""``newsignal deploy``: the ingest, digest and reprocess deployments in a process work pool.

``newsignal serve`` runs the schedules inside its own process on one machine. Past one machine,
a shared Prefect server holds the schedules and a worker (``prefect worker start``) pulls each
run from a work pool and starts it in a process of its own (docs/scaling.md).

The deployments name their flows by module path (``flows.scheduled.scheduled_ingest_flow``):
a worker imports them from the newsignal installed beside it, so nothing is pulled from git or
uploaded at run time. All three go to one work queue whose concurrency is 1: they all write the
DuckDB file, which has one writer, so Prefect starts the next only when the last one ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flows.serve import ServeError, daily_cron

DEFAULT_POOL = "newsignal"
WRITER_QUEUE = "warehouse"  # the runs that write the DuckDB file: one at a time


@dataclass(frozen=True)
class Deployed:
    """One deployment as created: ``flow/name`` and its schedule in words."""

    full_name: str
    schedule: str


def _require_server() -> str:
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ServeError("newsignal deploy needs the Prefect server your workers share: set PREFECT_API_URL "
                         "(e.g. http://prefect.internal:4200/api; see docs/scaling.md)")
    return str(url)


def ensure_pool(pool: str) -> None:
    """Create the process work pool and its writer queue (concurrency 1) unless they exist."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            existing = client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=pool, type="process", base_job_template=ProcessWorker.get_default_base_job_template(),
                description="newsignal: ingest, digest and reprocess runs (docs/scaling.md)"))
        else:
            if existing.type != "process":
                raise ServeError(f"work pool {pool!r} exists with type {existing.type!r}; newsignal needs a "
                                 "process pool: give another --pool")
        try:
            client.create_work_queue(name=WRITER_QUEUE, work_pool_name=pool, concurrency_limit=1,
                                     description="Runs that write the DuckDB file: one at a time.")
        except ObjectAlreadyExists:
            queue = client.read_work_queue_by_name(WRITER_QUEUE, work_pool_name=pool)
            client.update_work_queue(queue.id, concurrency_limit=1)


def deploy(
    feeds_file: Path, db_path: Path, *, pool: str, ingest_minutes: float, out_dir: Path | None, send: bool,
) -> list[Deployed]:
    """Create or update the three deployments in ``pool`` on the server at PREFECT_API_URL.

    Paths are written as absolute paths: they must mean the same file on the machine whose
    worker runs the flows. Schedules come from this machine's settings ([ingest]
    default_poll_minutes or ``ingest_minutes``, [digest] send_at and timezone).
    """
    from zoneinfo import ZoneInfo

    from flows.settings import load_feeds, load_settings

    settings = load_settings()
    load_feeds(feeds_file)  # a bad feeds file fails here, not at the first scheduled run
    cron = daily_cron(settings.digest.send_at)
    ZoneInfo(settings.digest.timezone)
    _require_server()

    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron, Interval

    from flows.scheduled import daily_digest_flow, reprocess_flow, scheduled_ingest_flow

    ensure_pool(pool)
    db = str(db_path.resolve())
    every = f"every {ingest_minutes:g} min"
    at = f"daily at {settings.digest.send_at} {settings.digest.timezone}"
    plans: list[tuple[Any, str, list[Any], dict[str, Any], str]] = [
        (scheduled_ingest_flow, "newsignal-ingest", [Interval(timedelta(minutes=ingest_minutes))],
         {"feeds_file": str(feeds_file.resolve()), "db_path": db}, every),
        (daily_digest_flow, "newsignal-digest", [Cron(cron, timezone=settings.digest.timezone)],
         {"db_path": db, "out_dir": str(out_dir.resolve()) if out_dir else None, "send": send}, at),
        # Not scheduled: run it after a gazetteer or rule change
        # (`prefect deployment run reprocess/newsignal-reprocess`).
        (reprocess_flow, "newsignal-reprocess", [], {"db_path": db}, "on demand"),
    ]
    deployed = []
    for flow_obj, name, schedules, parameters, schedule in plans:
        deployment = flow_obj.to_deployment(
            name=name, schedules=schedules, parameters=parameters, concurrency_limit=1,
            entrypoint_type=EntrypointType.MODULE_PATH, work_queue_name=WRITER_QUEUE,
            description=flow_obj.description,
        )
        deployment.apply(work_pool_name=pool)
        deployed.append(Deployed(f"{flow_obj.name}/{name}", schedule))
    return deployed
