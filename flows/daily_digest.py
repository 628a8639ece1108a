"""The digest flow: read one day from the warehouse, render it, write the files."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors.taxonomy import load_event_rules
from flows.digest.build import Digest, build_digest
from flows.digest.mailer import (
    DeliveryFailed,
    DeliveryUncertain,
    SmtpSettings,
    check_ledger,
    retry_delay_s,
    send_attempt,
    send_digest,
    worth_retrying,
)
from flows.digest.render import build_message, render_markdown, write_digest_files
from flows.run_view import name_digest_run, project_logs_to_run, publish_digest, run_logger
from flows.settings import Settings, load_settings
from flows.signal_rules import headline_forms
from warehouse.db import connect
from warehouse.digest import articles_between, delivery, record_delivery
from warehouse.feeds import failing_feeds
from warehouse.signals import generic_actors, signal_member_events
from warehouse.writer import writer


def event_type_weights(config_dir: Path) -> dict[str, float]:
    """Ranking weight per event type, from config/event_types.toml."""
    return {name: spec.weight for name, spec in load_event_rules(config_dir).types.items()}


def previous_local_day(timezone: str, now: datetime | None = None) -> date:
    """The morning digest covers the day that just ended in the digest's time zone."""
    now = now or datetime.now(UTC)
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def day_bounds_utc(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of ``day`` in ``timezone``, as naive UTC (how the warehouse stores time)."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return (start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None))


def make_digest(db_path: Path, day: date, settings: Settings, *, now: datetime | None = None) -> Digest:
    """Read ``day`` and the week before it from the database (read-only) and build its digest."""
    start, end = day_bounds_utc(day, settings.digest.timezone)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    con = connect(db_path, read_only=True)
    try:
        members = signal_member_events(con, end - timedelta(days=7), end)
        articles = articles_between(con, start, end)
        failing = [(h.name, h.last_error or "") for h in failing_feeds(con, since=now - timedelta(days=1))]
        generic = generic_actors(con)
    finally:
        con.close()
    return build_digest(
        day, settings.digest.timezone, (start, end), members, event_type_weights(settings.config_dir),
        articles=articles, failing_feeds=failing, top_n=settings.digest.top_signals, generic_actors=generic,
        headlines=headline_forms(settings.config_dir), generated_at=now,
    )


def deliver(
    db_path: Path, digest: Digest, smtp: SmtpSettings, *, resend: bool = False,
    context: ssl.SSLContext | None = None, send: Callable[..., int] = send_digest,
) -> str:
    """Send the digest once per (date, recipients); returns ``sent`` or ``already sent``.

    The ledger row is written ``sending`` before the SMTP exchange and ``sent`` only
    after the server accepted the message, so nothing is marked sent that was not.
    A send that may have arrived -- a row left at ``sending`` by a crash, or ``uncertain``
    after the server went quiet once it had the whole message -- is not resent
    automatically (a second copy is worse than asking) unless ``resend`` is given.
    ``send(msg, smtp, context=...)`` returns the attempts it used (the digest flow's sends
    through Prefect's retries).
    """
    smtp.validate()
    now = datetime.now(UTC).replace(tzinfo=None)
    with writer(db_path) as con:
        if not resend and check_ledger(delivery(con, digest.day, smtp.recipients), digest.day):
            return "already sent"
        record_delivery(con, digest.day, smtp.recipients, status="sending", subject=digest.subject, now=now)
    msg = build_message(digest, sender=smtp.sender, recipients=list(smtp.recipients))
    try:
        attempts = send(msg, smtp, context=context)
    except DeliveryUncertain as exc:
        with writer(db_path) as con:
            record_delivery(con, digest.day, smtp.recipients, status="uncertain", subject=digest.subject,
                            attempts=exc.attempts, error=str(exc), now=now)
        raise
    except DeliveryFailed as exc:
        with writer(db_path) as con:
            record_delivery(con, digest.day, smtp.recipients, status="failed", subject=digest.subject,
                            attempts=smtp.attempts, error=str(exc), now=now)
        raise
    with writer(db_path) as con:
        record_delivery(con, digest.day, smtp.recipients, status="sent", subject=digest.subject,
                        attempts=attempts, now=datetime.now(UTC).replace(tzinfo=None))
    return "sent"


class DigestResult(TypedDict):
    subject: str
    files: list[str]  # written files, none without an output directory
    delivery: str | None  # "sent" / "already sent", None when not sent


def _retry_while_worth_it(task: Any, task_run: Any, state: Any) -> bool:
    outcome = state.result(raise_on_failure=False)
    return isinstance(outcome, BaseException) and worth_retrying(outcome)


# cache_policy: the message and the TLS context are not inputs to hash, and a send is never cached.
@task(name="send-digest", cache_policy=NO_CACHE, retry_condition_fn=_retry_while_worth_it)
def send_attempt_task(msg: Any, smtp: SmtpSettings, context: ssl.SSLContext | None = None) -> int:
    """One SMTP attempt as a Prefect task run; Prefect's retries (visible in the UI) make the others."""
    from prefect.runtime import task_run

    attempt = int(task_run.run_count)
    send_attempt(msg, smtp, attempt, context=context)
    return attempt


def send_with_prefect_retries(msg: Any, smtp: SmtpSettings, *, context: ssl.SSLContext | None = None) -> int:
    """``send_digest`` with each attempt a retry of one task run: same attempts, backoff and policy.

    A failure after the message body went out (DeliveryUncertain) is never retried
    (``worth_retrying``), exactly as without Prefect.
    """
    smtp.validate()
    attempt_task = send_attempt_task.with_options(
        task_run_name=f"send · {len(smtp.recipients)} recipient{'s' * (len(smtp.recipients) != 1)}",
        retries=smtp.attempts - 1,
        retry_delay_seconds=[retry_delay_s(smtp, n) for n in range(1, smtp.attempts)] or 0,
    )
    return attempt_task(msg, smtp, context=context)


@flow(name="digest", flow_run_name=name_digest_run, log_prints=False)
def digest_flow(
    db_path: str, day: date, out_dir: str | None = None, config_dir: str | None = None, send: bool = False,
    resend: bool = False,
) -> DigestResult:
    """Build the digest for ``day``; write HTML and text into ``out_dir``; send it if asked."""
    project_logs_to_run()
    settings = load_settings(Path(config_dir) if config_dir else None)
    digest = make_digest(Path(db_path), day, settings)
    result: DigestResult = {"subject": digest.subject, "files": [], "delivery": None}
    html: Path | None = None
    if out_dir:
        html, *others = write_digest_files(digest, Path(out_dir))
        result["files"] = [str(p) for p in (html, *others)]
    publish_digest(render_markdown(digest, html_path=html))
    if send or resend:
        result["delivery"] = deliver(Path(db_path), digest, settings.smtp, resend=resend,
                                     send=send_with_prefect_retries)
    run_logger().info("digest %s: %s; files: %s; delivery: %s", day, digest.subject,
                      ", ".join(result["files"]) or "none", result["delivery"] or "not sent")
    return result
