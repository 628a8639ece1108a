"""`newsignal serve` schedules ingest on a real local Prefect server and runs it."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flows.daily_digest import previous_local_day
from flows.serve import daily_cron

pytestmark = pytest.mark.slow

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title><link>http://x/</link>
<item><title>OpenAI cuts prices</title><link>__PAGE__</link><guid>loop-1</guid>
<description>OpenAI cut the price of its API by half on Monday, the company said.</description></item>
</channel></rss>"""
PAGE = ("<html><head><title>OpenAI cuts prices</title></head><body><article><h1>OpenAI cuts prices</h1>"
        + "<p>OpenAI cut the price of its flagship API by half on Monday, the company said in a statement. "
        "Developers will pay less for every million tokens from next month.</p>" * 3
        + "</article></body></html>").encode()


def completed_runs(prefect_home: Path, flow_name: str) -> int:
    db = prefect_home / "prefect.db"
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    try:
        return con.execute(
            "SELECT count(*) FROM flow_run r JOIN flow f ON f.id = r.flow_id "
            "WHERE f.name = ? AND r.state_type = 'COMPLETED'", [flow_name]).fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def test_serve_runs_the_ingest_deployment_on_schedule(tmp_path, loopback):
    page = loopback.add("/story.html", body=PAGE, headers={"Content-Type": "text/html"})
    feed = loopback.add("/feed.xml", body=FEED.replace(b"__PAGE__", page.encode()),
                        headers={"Content-Type": "application/rss+xml"})
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "Loop"\nurl = "{feed}"\n')
    home = tmp_path / "prefect"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_RUNNER_POLL_FREQUENCY="2", PREFECT_LOGGING_LEVEL="WARNING")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--feeds", str(feeds),
         "--db", str(tmp_path / "n.duckdb"), "--every", "0.1", "--no-send"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and completed_runs(home, "scheduled-ingest") == 0:
            if proc.poll() is not None:
                output = proc.stdout.read().decode()
                proc.stdout.close()
                pytest.fail("serve exited early:\n" + output[-3000:])
            time.sleep(2)
        assert completed_runs(home, "scheduled-ingest") >= 1
        # Runs never overlap (concurrency limit 1) and a stored article is not fetched again.
        time.sleep(8)
        assert loopback.hits("/story.html") == 1
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    # The local Prefect server it started is gone with it.
    output = proc.stdout.read().decode()
    proc.stdout.close()
    match = re.search(r"Prefect API (http://127\.0\.0\.1:\d+/api)", output)
    assert match, output[-2000:]
    with pytest.raises(httpx.ConnectError):
        httpx.get(match.group(1) + "/health", timeout=2)


def test_schedule_helpers():
    assert daily_cron("07:00") == "0 7 * * *" and daily_cron("23:45") == "45 23 * * *"
    from datetime import UTC, date, datetime

    # 03:00 UTC on the 21st is still the 20th in New York: the digest there covers the 19th.
    at_three_utc = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    assert previous_local_day("America/New_York", at_three_utc) == date(2026, 11, 19)
    assert previous_local_day("Asia/Tokyo", at_three_utc) == date(2026, 11, 20)


STUBBORN = r"""
import subprocess, sys, time
from flows import serve

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
serve._local_servers.append(child)
print(child.pid, flush=True)
with serve.stops_when_told(grace_s=1.0):
    while True:  # like a runner whose loop absorbs the interrupt and carries on
        try:
            time.sleep(0.1)
        except KeyboardInterrupt:
            pass
"""


def test_a_runner_that_ignores_ctrl_c_is_stopped_after_the_grace_and_its_server_with_it():
    proc = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None
    try:
        server_pid = int(proc.stdout.readline())
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
