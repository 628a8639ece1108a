"""Fixtures shared by every test package: Prefect kept offline and quiet, tmp databases, loopback HTTP,
and the demo database, built once per session."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Before anything imports Prefect: no telemetry, no network, a throwaway home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsignal-prefect-"))
# NLP in the test process: each ingest would otherwise start its own worker processes and load the model
# in each. tests/flows/test_nlp_workers.py runs ingest with workers of their own.
os.environ.setdefault("NEWSIGNAL_INGEST_WORKERS", "1")

import contextlib

from tests.loopback import LoopbackServer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newsignal.duckdb"


@pytest.fixture
def loopback():
    """A real HTTP server on 127.0.0.1 whose routes each test declares."""
    with LoopbackServer() as server:
        yield server


@dataclass(frozen=True)
class DemoBuild:
    """One ``newsignal demo`` run: its output directory and what it printed."""

    out_dir: Path
    stdout: str
    stderr: str

    @property
    def db(self) -> Path:
        """The demo database. Shared by every test that asks for it: open it read-only, or copy it first."""
        return self.out_dir / "newsignal.duckdb"

    @property
    def feeds_file(self) -> Path:
        """The feeds file the demo ingested, with the address its corpus server had."""
        return self.out_dir / "demo-feeds.toml"

    def copy_db(self, dest: Path) -> Path:
        """A private copy of the demo database for a test that writes to it."""
        shutil.copyfile(self.db, dest)
        wal = self.db.with_name(self.db.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, dest.with_name(dest.name + ".wal"))
        return dest


DEMO_TIMEOUT_S = 900


def _tail(path: Path, limit: int = 4000) -> str:
    return path.read_text(encoding="utf-8", errors="replace").strip()[-limit:] or "(empty)"


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _DemoRun:
    """``newsignal demo --out OUT`` in its own process and process group, its output going to files."""

    def __init__(self, base: Path) -> None:
        self.out_dir = base / "out"
        self.stdout, self.stderr = base / "stdout.txt", base / "stderr.txt"
        env = {**os.environ, "PREFECT_HOME": str(base / "prefect")}
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            command = [sys.executable, "-m", "flows.cli", "demo", "--out", str(self.out_dir)]
            self.proc = subprocess.Popen(command,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                         start_new_session=True)
        self.deadline = time.monotonic() + DEMO_TIMEOUT_S

    def result(self) -> DemoBuild:
        """Wait for it to finish; fail the asking test, with the build's stderr, unless it succeeded."""
        try:
            code = self.proc.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"`newsignal demo` did not finish in {DEMO_TIMEOUT_S}s; its stderr:\n"
                        f"{_tail(self.stderr)}", pytrace=False)
        if code != 0:
            pytest.fail(f"`newsignal demo` failed (exit {code}); its stderr:\n{_tail(self.stderr)}",
                        pytrace=False)
        build = DemoBuild(out_dir=self.out_dir, stdout=self.stdout.read_text(encoding="utf-8"),
                          stderr=self.stderr.read_text(encoding="utf-8"))
        if not build.db.is_file():
            pytest.fail(f"`newsignal demo` exited 0 but wrote no {build.db}; its stdout:\n"
                        f"{_tail(self.stdout)}", pytrace=False)
        return build

    def stop(self) -> None:
        """Kill it, with the Prefect server it started, if it is still running (the session ended early)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test` runs two workers, `--dist loadgroup`) every test of the one demo build
    runs on one worker, so the build happens once."""
    for item in items:
        if "demo_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("demo"))


@pytest.fixture(scope="session", autouse=True)
def _demo_run(request, tmp_path_factory) -> Iterator[_DemoRun | None]:
    """Start the demo build as the session starts when a collected test needs it, so that it runs beside the
    tests that do not (it spends much of its half minute waiting: the per-host gap, Prefect's start-up).
    A pytest-xdist worker does not know yet whether it will run those tests: it builds when one asks."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not any(
            "demo_build" in item.fixturenames for item in request.session.items):
        yield None  # nothing asks for it up front; demo_build starts it if a test asks later
        return
    run = _DemoRun(tmp_path_factory.mktemp("demo"))
    try:
        yield run
    finally:
        run.stop()


@pytest.fixture(scope="session")
def demo_build(_demo_run, tmp_path_factory) -> Iterator[DemoBuild]:
    """The demo database, built once per session by ``newsignal demo`` in its own process, as a user runs it.

    Building it takes half a minute (Prefect, spaCy, a polite fetch of the whole corpus), so the tests
    that need it share this one build. A build that fails or hangs fails every test that asks for it,
    with the build's stderr; and a test that writes to the shared database instead of a copy fails the
    session at teardown.
    """
    run = _demo_run or _DemoRun(tmp_path_factory.mktemp("demo"))
    try:
        build = run.result()
    finally:
        run.stop()
    built = _fingerprint(build.db)
    yield build
    assert _fingerprint(build.db) == built, (
        "a test wrote to the shared demo database; copy it first (demo_build.copy_db)")
