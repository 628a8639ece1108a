"""A killed ingest leaves nothing running: Prefect's temporary server and the NLP workers go with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.procs import Proc, descendants, still_running

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVER_APP = "prefect.server.api.server:create_app"  # what Prefect's temporary server runs


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="scans /proc (Linux)")
def test_sigkill_of_ingest_takes_its_temporary_prefect_server_and_nlp_workers_with_it(tmp_path, loopback):
    # A feed that answers after 60 s: ingest is certainly mid-run, its server up, when it is killed.
    feed = loopback.add("/slow.xml", body=b"<rss/>", delay_s=60)
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "Slow"\nurl = "{feed}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    env["NEWSIGNAL_INGEST_WORKERS"] = "2"  # tests run NLP in-process (conftest.py); here: processes
    command = ["ingest", "--feeds", str(feeds), "--db", str(tmp_path / "n.duckdb")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *command], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    family: list[Proc] = []
    try:
        deadline = time.monotonic() + 240
        while loopback.hits("/slow.xml") == 0:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "ingest never polled the feed"
            time.sleep(0.2)
        family = descendants(proc.pid)
        assert any(SERVER_APP in p.cmdline for p in family), family  # its temporary server is up
        assert sum("multiprocessing" in p.cmdline for p in family) >= 2, family  # and its NLP workers
        os.kill(proc.pid, signal.SIGKILL)  # only ingest itself, as the OOM killer or `kill -9 PID` would
        proc.wait(timeout=30)

        deadline = time.monotonic() + 15  # the server gets 5 s to stop cleanly, then SIGKILL
        while (left := [p for p in family if still_running(p)]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, f"still running after ingest was killed: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
        for p in family:  # never leave this test's own leftovers behind, whatever failed
            if still_running(p):
                os.kill(p.pid, signal.SIGKILL)


# The watchdog alone, on stand-ins for the server: fast, and no Prefect.
STUBBORN = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(120)")
GUARDED = {
    "a process that stops on SIGTERM": ["sleep", "120"],
    "a process that ignores SIGTERM": [sys.executable, "-c", STUBBORN],
}
PARENT = """
import subprocess, sys
from flows.temporary_server import guard, start_watchdog
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
if sys.argv[1] == sys.executable:
    child.stdout.readline()  # its SIGTERM handler is in place
guard(start_watchdog(), child.pid)
print(child.pid, flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="scans /proc (Linux)")
@pytest.mark.parametrize("case", list(GUARDED))
def test_the_watchdog_stops_what_it_guards_when_its_parent_is_killed(case):
    from flows.temporary_server import GRACE_S

    parent = subprocess.Popen([sys.executable, "-c", PARENT, *GUARDED[case]], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, start_new_session=True)
    family: list[Proc] = []
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        family = descendants(parent.pid)
        assert {p.pid for p in family} >= {child_pid} and len(family) == 2  # the child and the watchdog
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + GRACE_S + 5
        while (left := [p for p in family if still_running(p)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not left, f"still running after their parent was killed: {left}"
    finally:
        for stream in (parent.stdin, parent.stdout):
            if stream:
                stream.close()
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for p in family:
            if still_running(p):
                os.kill(p.pid, signal.SIGKILL)
