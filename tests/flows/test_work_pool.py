"""Many machines, tried on one: a real Prefect server, a process work pool, one worker, deployments
created by `newsignal deploy` and runs that complete; what the runs show in Prefect, read back from its
API; the digest delivery's retries as Prefect retries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.flows.digest.test_delivery import StallAfterData, StallBeforeData
from tests.prefect_server import REPO, PrefectServer, free_port
from warehouse.db import connect
from warehouse.digest import delivery
from warehouse.writer import writer

# One server for the module, so its tests share one xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-server"),
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="scans /proc (Linux)")]

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Loop Wire</title><link>http://x/</link>
<item><title>Anthropic opens a Tokyo office</title><link>__PAGE__</link><guid>loop-wire-1</guid>
<description>Anthropic said on Tuesday it had opened an office in Tokyo.</description></item>
</channel></rss>"""
PAGE = ("<html><head><title>Anthropic opens a Tokyo office</title></head><body><article>"
        "<h1>Anthropic opens a Tokyo office</h1>"
        + "<p>Anthropic said on Tuesday it had opened an office in Tokyo, its first in Asia, and would hire "
        "engineers and sales staff there over the coming year.</p>" * 3
        + "</article></body></html>")
RUN_DONE_S = 300  # a cold flow run loads spaCy; generous on a 2-core machine shared with other tests


@pytest.fixture(scope="module")
def prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-server") / "home")
    try:
        server.start()
        yield server
    finally:
        left = server.stop()
    assert not left, f"still running after the server and its workers were stopped: {left}"


def loop_feed(loopback: Any, tmp_path: Path, *, also_gone: bool = False) -> Path:
    page = loopback.add("/office.html", body=PAGE.encode(), headers={"Content-Type": "text/html"})
    feed = loopback.add("/wire.xml", body=FEED.replace("__PAGE__", page).encode(),
                        headers={"Content-Type": "application/rss+xml"})
    text = f'[[feed]]\nname = "Loop Wire"\nurl = "{feed}"\n'
    if also_gone:
        text += f'\n[[feed]]\nname = "Gone Feed"\nurl = "{loopback.url("/gone.xml")}"\n'
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(text, encoding="utf-8")
    return feeds


def cli(prefect: PrefectServer, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[
        str]:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], env={**prefect.env, **(env or {})},
                          cwd=REPO, capture_output=True, text=True, timeout=600)


def wait_final(prefect: PrefectServer, run_id: Any) -> Any:
    deadline = time.monotonic() + RUN_DONE_S
    with prefect.client() as client:
        while time.monotonic() < deadline:
            prefect.note_family()
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                return run
            time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish in {RUN_DONE_S} s\n"
                         + prefect.log_tail("worker.log"))


def eventually(read: Callable[[], Any], ok: Callable[[Any], bool], timeout_s: float = 30) -> Any:
    """``read()`` once ``ok`` holds for it, or its last value: the server records task runs and logs
    from events and batches that may land a moment after the flow run's final state."""
    deadline = time.monotonic() + timeout_s
    while not ok(value := read()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return value


def runs_of(prefect: PrefectServer, flow_name: str, parent: Any = None) -> list[Any]:
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
    )

    with prefect.client() as client:
        return client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent]))
            if parent else None)


def task_runs(prefect: PrefectServer, run_id: Any) -> list[Any]:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with prefect.client() as client:
        return client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))


def artifacts(prefect: PrefectServer, run_id: Any) -> dict[str, Any]:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with prefect.client() as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
    return {a.key: a for a in found}


def log_lines(prefect: PrefectServer, run_id: Any) -> list[tuple[int, str]]:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with prefect.client() as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])),
                                limit=200)
    return [(log.level, log.message) for log in logs]


def table(artifact: Any) -> list[dict[str, Any]]:
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else data


def test_deployments_in_a_process_pool_run_on_a_worker_and_store_their_rows(prefect, tmp_path, loopback):
    feeds = loop_feed(loopback, tmp_path)
    db, out = tmp_path / "news.duckdb", tmp_path / "digests"
    done = cli(prefect, "deploy", "--feeds", str(feeds), "--db", str(db), "--out", str(out), "--no-send",
               "--every", "60", "--pool", "newsroom")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "deployed scheduled-ingest/newsignal-ingest: every 60 min",
        "deployed daily-digest/newsignal-digest: daily at 07:00 UTC",
        "deployed reprocess/newsignal-reprocess: on demand",
    ]
    with prefect.client() as client:
        pool = client.read_work_pool("newsroom")
        queue = client.read_work_queue_by_name("warehouse", work_pool_name="newsroom")
        ingest = client.read_deployment_by_name("scheduled-ingest/newsignal-ingest")
        digest = client.read_deployment_by_name("daily-digest/newsignal-digest")
    assert pool.type == "process" and queue.concurrency_limit == 1  # one writer at a time
    assert ingest.entrypoint == "flows.scheduled.scheduled_ingest_flow" and not ingest.pull_steps
    assert ingest.work_queue_name == "warehouse" and ingest.parameters["db_path"] == str(db.resolve())
    assert ingest.schedules[0].schedule.interval == timedelta(minutes=60)
    assert digest.schedules[0].schedule.cron == "0 7 * * *" and digest.schedules[0].schedule.timezone == "UTC"

    prefect.start_worker("newsroom", "warehouse")
    with prefect.client() as client:
        run = client.create_flow_run_from_deployment(ingest.id)
    run = wait_final(prefect, run.id)
    assert run.state.is_completed(), (run.state, prefect.log_tail("worker.log"))
    con = connect(db, read_only=True)
    try:
        assert con.execute("SELECT title FROM articles").fetchall() == [("Anthropic opens a Tokyo office",)]
    finally:
        con.close()
    assert loopback.hits("/office.html") == 1

    # What the UI shows of it: a name that says what ran, one named task run per feed and stage, the report.
    assert re.fullmatch(r"ingest \d{4}-\d\d-\d\d \d\d:\d\d · 1 feed", run.name), run.name
    expected = ["fetch · Loop Wire", "poll · Loop Wire"]
    names = eventually(lambda: sorted(t.name for t in task_runs(prefect, run.id)), lambda n: n == expected)
    assert names == expected
    found = artifacts(prefect, run.id)
    report = {row["measure"]: row["value"] for row in table(found["ingest-report"])}
    assert report["polled"] == 1 and report["new articles"] == 1 and report["failed"] == 0
    assert table(found["ingest-failing-feeds"]) == []
    logs = eventually(lambda: log_lines(prefect, run.id),
                      lambda lines: any(m.startswith("published snapshot") for _, m in lines)
                      and any(m.startswith("1 feeds:") for _, m in lines))
    assert any(level == 20 and msg.startswith("1 feeds: 0 not due, 1 polled") for level, msg in logs), logs
    # warehouse.snapshot's own logger, through the run's log
    assert any(level == 20 and msg.startswith("published snapshot") for level, msg in logs), logs

    with prefect.client() as client:
        reprocess = client.read_deployment_by_name("reprocess/newsignal-reprocess")
        run = client.create_flow_run_from_deployment(reprocess.id)
    run = wait_final(prefect, run.id)
    assert run.state.is_completed(), (run.state, prefect.log_tail("worker.log"))
    assert re.fullmatch(r"reprocess \S+ \S+ · all articles", run.name), run.name
    logs = eventually(lambda: log_lines(prefect, run.id),
                      lambda lines: any(m.startswith("reprocessed 1 articles") for _, m in lines))
    assert any(m.startswith("reprocessed 1 articles") for _, m in logs), logs

    with prefect.client() as client:
        run = client.create_flow_run_from_deployment(digest.id)
    run = wait_final(prefect, run.id)
    assert run.state.is_completed(), (run.state, prefect.log_tail("worker.log"))
    [sub] = eventually(lambda: runs_of(prefect, "digest", parent=run.id), lambda runs: len(runs) == 1)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    assert sub.name in (f"digest {yesterday} · files", f"digest {yesterday + timedelta(days=1)} · files")
    markdown = artifacts(prefect, sub.id)["digest"].data
    html = out / f"digest-{sub.name.split()[1]}.html"
    assert html.exists() and f"]({html.resolve().as_uri()})" in markdown


def test_ingest_command_names_its_run_reports_failing_feeds_and_prints_its_report_once(prefect, tmp_path,
                                                                                        loopback):
    feeds = loop_feed(loopback, tmp_path, also_gone=True)
    done = cli(prefect, "ingest", "--feeds", str(feeds), "--db", str(tmp_path / "news.duckdb"))
    assert done.returncode == 0, done.stderr
    # The terminal: the command's own report, once; Prefect's INFO lines go to the server only.
    assert done.stdout.count("failed: Gone Feed: ") == 1 and done.stdout.count("feeds polled 2,") == 1
    assert "INFO" not in done.stderr and "feed failed" not in done.stderr, done.stderr

    [run] = runs_of(prefect, "ingest")
    assert run.state.is_completed() and re.fullmatch(r"ingest \S+ \S+ · 2 feeds", run.name), run.name
    expected = ["fetch · Loop Wire", "poll · Gone Feed", "poll · Loop Wire"]
    assert eventually(lambda: sorted(t.name for t in task_runs(prefect, run.id)),
                      lambda names: names == expected) == expected
    found = artifacts(prefect, run.id)
    [failing] = table(found["ingest-failing-feeds"])
    assert failing["feed"] == "Gone Feed" and "404" in failing["error"]
    assert {row["measure"]: row["value"] for row in table(found["ingest-report"])}["failed"] == 1
    logs = eventually(lambda: log_lines(prefect, run.id),
                      lambda lines: any(m.startswith("feed failed: Gone Feed") for _, m in lines))
    assert any(msg.startswith("feed failed: Gone Feed") for _, msg in logs), logs


DAY = "2026-11-20"
RECIPIENTS = "analyst@example.org,desk@example.org"


def send_digest(prefect: PrefectServer, tmp_path: Path, inbox: Any) -> tuple[
        subprocess.CompletedProcess[str], Any]:
    """``newsignal digest --send`` against an SMTP server on 127.0.0.1; the run's send task, read back."""
    db = tmp_path / "news.duckdb"
    with writer(db):
        pass  # a migrated, empty database: an empty day is still sent
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        done = cli(prefect, "digest", "--db", str(db), "--date", DAY, "--send", env={
            "NEWSIGNAL_SMTP_HOST": "127.0.0.1", "NEWSIGNAL_SMTP_PORT": str(controller.port),
            "NEWSIGNAL_SMTP_SECURITY": "none", "NEWSIGNAL_DIGEST_FROM": "newsignal@example.org",
            "NEWSIGNAL_DIGEST_TO": RECIPIENTS, "NEWSIGNAL_SMTP_TIMEOUT_S": "1",
            "NEWSIGNAL_SMTP_RETRY_BASE_DELAY_S": "0.1", "NEWSIGNAL_SMTP_ATTEMPTS": "3"})
    finally:
        controller.stop()
    [run] = [r for r in runs_of(prefect, "digest") if r.parameters.get("db_path") == str(db)]
    assert run.name == f"digest {DAY} · email", run.name
    [send] = eventually(lambda: task_runs(prefect, run.id),
                        lambda runs: len(runs) == 1 and bool(runs[0].state) and runs[0].state.is_final())
    assert send.name == "send · 2 recipients"
    return done, send


def test_a_delivery_that_timed_out_before_the_message_is_retried_by_prefect(prefect, tmp_path):
    inbox = StallBeforeData(stall_s=30)  # the first connection stalls at MAIL FROM, the next goes through
    done, send = send_digest(prefect, tmp_path, inbox)
    assert done.returncode == 0 and done.stdout.strip().startswith("sent: "), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert send.run_count == 2 and send.state.is_completed()  # one Prefect retry, visible in the UI
    assert len(inbox.messages) == 1
    with writer(tmp_path / "news.duckdb") as con:
        state = delivery(con, datetime.fromisoformat(DAY).date(), tuple(RECIPIENTS.split(",")))
    assert state is not None and state.status == "sent" and state.attempts == 2


def test_a_delivery_that_failed_after_the_message_went_out_is_never_retried(prefect, tmp_path):
    inbox = StallAfterData(stall_s=30)  # takes the whole message, then never confirms
    done, send = send_digest(prefect, tmp_path, inbox)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "may have arrived" in lines[0], done.stderr
    assert send.run_count == 1 and send.state.is_failed()  # Prefect did not retry it
    assert len(inbox.messages) == 1
    with writer(tmp_path / "news.duckdb") as con:
        state = delivery(con, datetime.fromisoformat(DAY).date(), tuple(RECIPIENTS.split(",")))
    assert state is not None and state.status == "uncertain" and state.attempts == 1


def test_deploy_without_a_shared_server_says_what_to_set(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "A"\nurl = "https://a.example/feed.xml"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    done = subprocess.run([sys.executable, "-m", "flows.cli", "deploy", "--feeds", str(feeds), "--db",
                           str(tmp_path / "n.duckdb")], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith("error: newsignal deploy needs the Prefect server")
    assert "PREFECT_API_URL" in lines[0]
