"""SIGKILL an ingest in the middle of a run, run it again: no duplicates, nothing lost."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.sql import scalar

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "config"
FEEDS, PER_FEED = 4, 3


def page(n: int) -> bytes:
    text = (f"<p>Story {n}: Mistral AI released a new open-weight model on Tuesday, the Paris-based "
            f"company said, and agreed a partnership with Nvidia to serve it in Europe.</p>") * 3
    return (f"<html><head><title>Story {n}</title></head>"
            f"<body><article>{text}</article></body></html>").encode()


def articles_now(db: Path) -> int:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return -1  # locked by the writer, or not created yet
    try:
        return int(scalar(con, "SELECT count(*) FROM articles"))
    except duckdb.Error:
        return -1
    finally:
        con.close()


def test_killed_ingest_resumes_without_duplicates_or_losses(tmp_path, loopback):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    settings = (config / "settings.toml").read_text().replace("feeds_per_batch = 50", "feeds_per_batch = 1")
    (config / "settings.toml").write_text(settings)
    lines = []
    for f in range(FEEDS):
        items = ""
        for i in range(PER_FEED):
            n = f * PER_FEED + i
            url = loopback.add(f"/p{n}.html", body=page(n), delay_s=0.4,
                               headers={"Content-Type": "text/html"})
            items += f"<item><title>Story {n}</title><link>{url}</link><guid>s{n}</guid></item>"
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{f}</title>{items}</channel></rss>'
        feed = loopback.add(f"/f{f}.xml", body=body.encode(), headers={"Content-Type": "application/rss+xml"})
        lines.append(f'[[feed]]\nname = "Feed {f}"\nurl = "{feed}"\n')
    feeds = tmp_path / "feeds.toml"
    feeds.write_text("\n".join(lines))
    db = tmp_path / "n.duckdb"
    env = {**os.environ, "NEWSIGNAL_CONFIG_DIR": str(config), "PREFECT_HOME": str(tmp_path / "prefect")}
    cmd = [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(feeds), "--db", str(db)]

    # Its own process group: the kill takes Prefect's temporary server down with it, as a crash would.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = articles_now(db)
        if 0 < seen < FEEDS * PER_FEED:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the first run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = articles_now(db)
    assert 0 < killed_at < FEEDS * PER_FEED

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (12, 12)
        assert con.execute(
            "SELECT count(*), count(DISTINCT (feed_url, entry_key)) FROM entries"
        ).fetchone() == (12, 12)
        assert con.execute("SELECT count(*) FROM feeds").fetchone() == (FEEDS,)
        assert con.execute("SELECT count(*) - count(DISTINCT event_id) FROM events").fetchone() == (0,)
        # Every article's derived rows were written with it: none is stored without its mentions.
        assert con.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                           "(SELECT 1 FROM mentions m WHERE m.article_id = a.article_id)").fetchone() == (0,)
    finally:
        con.close()
    # Pages stored before the kill were not fetched again.
    assert sum(loopback.hits(f"/p{n}.html") for n in range(FEEDS * PER_FEED)) <= FEEDS * PER_FEED + PER_FEED
