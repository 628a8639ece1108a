"""``newsignal serve``: ingest every N minutes and the digest every morning, scheduled by Prefect.

Prefect will not schedule on its temporary in-process server ("Cannot schedule
flows on an ephemeral server"), so this uses the server at PREFECT_API_URL or
starts a local one (``prefect server start``, SQLite under PREFECT_HOME) and
stops it on exit.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

import httpx

from flows.temporary_server import free_loopback_port, stop_process

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

log = logging.getLogger(__name__)

# How long Ctrl-C or SIGTERM waits for Prefect's runner to wind down before serve stops regardless.
SHUTDOWN_GRACE_S = 20.0


class ServeError(Exception):
    """The scheduler could not start (no Prefect server reachable, bad schedule)."""


def wait_healthy(api_url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(api_url.rstrip("/") + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ServeError(f"the Prefect server at {api_url} did not answer /health within {timeout_s:.0f}s")


@contextmanager
def prefect_server(timeout_s: float = 120.0) -> Iterator[str]:
    """Yield the API URL of a Prefect server: PREFECT_API_URL's, or a local one started here."""
    existing = os.environ.get("PREFECT_API_URL")
    if existing:
        wait_healthy(existing, timeout_s=10)
        yield existing
        return
    port = free_loopback_port()
    api_url = f"http://127.0.0.1:{port}/api"
    prefect_cli = Path(sys.executable).with_name("prefect")
    command = [str(prefect_cli) if prefect_cli.exists() else sys.executable, *([] if prefect_cli.exists()
               else ["-m", "prefect"]), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    log_path = Path(os.environ.get("PREFECT_HOME", ".prefect")) / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as server_log:
        proc = subprocess.Popen(command, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    _local_servers.append(proc)
    try:
        try:
            wait_healthy(api_url, timeout_s)
        except ServeError as exc:
            raise ServeError(f"{exc}; see {log_path}") from exc
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop_process(proc, grace_s=20.0)
        _local_servers.remove(proc)


_local_servers: list[subprocess.Popen[bytes]] = []


@contextmanager
def stops_when_told(grace_s: float = SHUTDOWN_GRACE_S) -> Iterator[None]:
    """After Ctrl-C or SIGTERM, allow ``grace_s`` for a clean stop, then stop the local server and exit.

    Prefect's runner has been seen to keep starting scheduled runs for a minute after SIGINT
    (its main task absorbs the cancellation). A service must stop when told, and must never
    leave the Prefect server it started running behind it.
    """
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    started = threading.Event()

    def give_up() -> None:
        time.sleep(grace_s)
        log.warning("still running %.0fs after the stop signal: stopping the Prefect server and exiting",
                    grace_s)
        for proc in list(_local_servers):
            stop_process(proc, grace_s=5)
        os._exit(130)

    def on_signal(signum: int, frame: object) -> None:
        if not started.is_set():
            started.set()
            threading.Thread(target=give_up, name="serve-stop-deadline", daemon=True).start()
        if signum == signal.SIGTERM:
            raise SystemExit(128 + signum)
        raise KeyboardInterrupt

    # A handler of our own also keeps asyncio.run from installing its SIGINT handler, which
    # only cancels the main task, so the interrupt reaches Prefect's loop as it did before 3.11.
    for sig in previous:
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def daily_cron(send_at: str) -> str:
    """ "07:30" -> "30 7 * * *" """
    try:
        hour, minute = (int(x) for x in send_at.split(":"))
    except ValueError as exc:
        raise ServeError(f"[digest] send_at must be HH:MM, got {send_at!r}") from exc
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ServeError(f"[digest] send_at must be HH:MM, got {send_at!r}")
    return f"{minute} {hour} * * *"


def serve(
    feeds_file: Path, db_path: Path, *, ingest_minutes: float, out_dir: Path | None, send: bool
) -> None:
    """Register both deployments and run them until interrupted (blocks)."""
    from flows.settings import load_feeds, load_settings

    settings = load_settings()
    load_feeds(feeds_file)
    cron = daily_cron(settings.digest.send_at)
    ZoneInfo(settings.digest.timezone)  # a bad zone fails here, not at 07:00
    if send:
        settings.smtp.validate()
    with prefect_server() as api_url:
        from prefect import serve as prefect_serve
        from prefect.schedules import Cron, Interval

        from flows.scheduled import daily_digest_flow, scheduled_ingest_flow

        # to_deployment() returns the deployment itself when called outside an event loop, as here.
        ingest = cast("RunnerDeployment", scheduled_ingest_flow.to_deployment(
            name="newsignal-ingest", schedules=[Interval(timedelta(minutes=ingest_minutes))],
            # A run that outlasts the interval must not overlap the next one (one writer).
            concurrency_limit=1,
            parameters={"feeds_file": str(feeds_file.resolve()), "db_path": str(db_path.resolve())},
        ))
        digest = cast("RunnerDeployment", daily_digest_flow.to_deployment(
            name="newsignal-digest", schedules=[Cron(cron, timezone=settings.digest.timezone)],
            concurrency_limit=1,
            parameters={"db_path": str(db_path.resolve()),
                        "out_dir": str(out_dir.resolve()) if out_dir else None,
                        "send": send},
        ))
        import click

        click.echo(f"newsignal serve: ingest every {ingest_minutes:g} min, "
                   f"digest daily at {settings.digest.send_at} {settings.digest.timezone}; "
                   f"Prefect API {api_url} (Ctrl-C stops)", err=True)
        with stops_when_told():
            prefect_serve(ingest, digest, print_starting_message=False)
