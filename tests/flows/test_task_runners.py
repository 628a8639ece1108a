"""The task runner is chosen per command: threads here, or Dask worker processes; the rows are the same."""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flows.demo.run import write_feeds_file
from flows.demo.server import corpus_dir, serve_directory
from flows.task_runners import StaysHere, dask_address
from tests.sql import rows

REPO = Path(__file__).resolve().parents[2]

# What a run stores, without what differs from run to run (fetch ids, the clock).
STORED = {
    "articles": "SELECT * EXCLUDE (fetch_id, first_seen_at) FROM articles ORDER BY article_id",
    "events": "SELECT * EXCLUDE (created_at) FROM events ORDER BY event_id",
    "event_roles": "SELECT * FROM event_roles ORDER BY ALL",
    "mentions": "SELECT * FROM mentions ORDER BY ALL",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"),
            "NEWSIGNAL_CONFIG_DIR": str(REPO / "config"), **extra}


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_ingest_and_reprocess_on_dask_store_the_same_rows_as_on_threads(tmp_path):
    # Two processes each way: NLP processes beside the threads, a local cluster of two Dask workers.
    env = _env(tmp_path, NEWSIGNAL_INGEST_WORKERS="2")
    with serve_directory(corpus_dir() / "site") as base:
        feeds = write_feeds_file(corpus_dir() / "feeds.toml", base, tmp_path / "feeds.toml")
        runs = {kind: subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(feeds), "--db",
             str(tmp_path / f"{kind}.duckdb"), "--task-runner", kind],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
            for kind in ("threads", "dask")}
        outputs = {kind: proc.communicate(timeout=600) for kind, proc in runs.items()}
    for kind, proc in runs.items():
        assert proc.returncode == 0, (kind, outputs[kind][1][-3000:])
        assert "new articles 44" in outputs[kind][0], (kind, outputs[kind][0])
    _assert_same_rows(tmp_path / "threads.duckdb", tmp_path / "dask.duckdb")

    # reprocess too: the dask run's database re-annotated on Dask, the threads run's on threads.
    runs = {kind: subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "reprocess", "--from-raw", "--db",
         str(tmp_path / f"{kind}.duckdb"), "--task-runner", kind],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        for kind in ("threads", "dask")}
    outputs = {kind: proc.communicate(timeout=600) for kind, proc in runs.items()}
    for kind, proc in runs.items():
        assert proc.returncode == 0, (kind, outputs[kind][1][-3000:])
        assert "reprocessed 44 articles (44 re-extracted" in outputs[kind][0], (kind, outputs[kind][0])
    _assert_same_rows(tmp_path / "threads.duckdb", tmp_path / "dask.duckdb")


def _assert_same_rows(threads_db: Path, dask_db: Path) -> None:
    for table, sql in STORED.items():
        on_threads, on_dask = rows(threads_db, sql), rows(dask_db, sql)
        assert on_threads, table
        assert on_dask == on_threads, table


@pytest.mark.parametrize(("args", "env", "expected"), [
    (["--dask-address", "scheduler:8786"], {},
     ("error: --dask-address must be a Dask scheduler's address, tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), "
     "got 'scheduler:8786'")),
    (["--dask-address", "tcp://127.0.0.1:{port}"], {},
     ("error: no Dask scheduler answers at tcp://127.0.0.1:{port} (from --dask-address: Connection refused); "
     "start one (`dask scheduler`) or leave --dask-address out for a local cluster")),
    ([], {"NEWSIGNAL_DASK_ADDRESS": "tcp://127.0.0.1:{port}"},
     ("error: no Dask scheduler answers at tcp://127.0.0.1:{port} (from NEWSIGNAL_DASK_ADDRESS: Connection "
     "refused); start one (`dask scheduler`) or leave NEWSIGNAL_DASK_ADDRESS out for a local cluster")),
    (["--task-runner", "threads", "--dask-address", "tcp://127.0.0.1:{port}"], {},
     "error: --dask-address runs on Dask; it cannot go with --task-runner threads (see `"),
])
def test_a_bad_dask_address_is_one_error_line_before_prefect_starts(tmp_path, args, env, expected):
    port = _closed_port()
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "x"\nurl = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    fill = {k: v.format(port=port) for k, v in env.items()}
    command = ["ingest", "--feeds", str(feeds), "--db", str(tmp_path / "n.duckdb"),
               *(a.format(port=port) for a in args)]
    result = subprocess.run([sys.executable, "-m", "flows.cli", *command], capture_output=True, text=True,
                            env=_env(tmp_path, **fill), timeout=120, cwd=REPO)
    assert result.returncode in (1, 2), result.stderr
    lines = result.stderr.splitlines()  # a usage error ends with how to get help, naming the program
    assert len(lines) == 1 and lines[0].startswith(expected.format(port=port)), result.stderr
    assert not (tmp_path / "prefect").exists(), "Prefect was started before the address was checked"


def test_reprocess_checks_the_address_too(tmp_path):
    db = tmp_path / "n.duckdb"
    db.touch()
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "reprocess", "--db", str(db), "--dask-address", "udp://x:1"],
        capture_output=True, text=True, env=_env(tmp_path), timeout=120, cwd=REPO)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        ("error: --dask-address must be a Dask scheduler's address, tcp://HOST:PORT "
         "(e.g. tcp://10.0.0.5:8786), got 'udp://x:1'")]


def test_an_address_where_a_scheduler_listens_is_accepted_as_given():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert dask_address(f" tcp://127.0.0.1:{port} ") == f"tcp://127.0.0.1:{port}"


def test_a_progress_callback_stays_in_the_flows_process():
    seen: list[int] = []
    here = StaysHere(seen.append)
    here(3)
    on_a_worker = pickle.loads(pickle.dumps(here))  # what Prefect ships with the flow run's parameters
    on_a_worker(5)
    assert seen == [3]


def test_joining_a_cluster_needs_a_prefect_server_every_worker_reaches(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "x"\nurl = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    env = {k: v for k, v in _env(tmp_path).items() if k != "PREFECT_API_URL"}
    with socket.socket() as listening:  # something answers at the address: the address itself is fine
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        address = f"tcp://127.0.0.1:{listening.getsockname()[1]}"
        result = subprocess.run(
            [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(feeds), "--db",
             str(tmp_path / "n.db"), "--dask-address", address],
            capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        ("error: --dask-address needs a Prefect server that every Dask worker reaches: start one (`prefect "
        "server start --host 0.0.0.0`) and set PREFECT_API_URL here and on the workers (see README, Scaling: "
        "Dask)")]
    assert not (tmp_path / "prefect" / "prefect.db").exists(), "Prefect's server was started"
