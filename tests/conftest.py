"""Fixtures shared by every test package: Prefect kept offline and quiet, tmp databases, loopback HTTP,
and the demo database, built once per session."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
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

from tests.loopback import LoopbackServer  # noqa: E402

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


def _tail(text: str | bytes | None, limit: int = 4000) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return (text or "").strip()[-limit:] or "(nothing on stderr)"


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Iterator[DemoBuild]:
    """The demo database, built once per session by ``newsignal demo`` in its own process, as a user runs it.

    Building it takes half a minute (Prefect, spaCy, a polite fetch of the whole corpus), so the tests
    that need it share this one build. A build that fails or hangs fails every test that asks for it,
    with the build's stderr; and a test that writes to the shared database instead of a copy fails the
    session at teardown.
    """
    out = tmp_path_factory.mktemp("demo-build")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path_factory.mktemp("demo-prefect"))}
    cmd = [sys.executable, "-m", "flows.cli", "demo", "--out", str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"`newsignal demo` did not finish in {exc.timeout:.0f}s; its stderr:\n{_tail(exc.stderr)}",
                    pytrace=False)
    if proc.returncode != 0:
        pytest.fail(f"`newsignal demo` failed (exit {proc.returncode}); its stderr:\n{_tail(proc.stderr)}",
                    pytrace=False)
    build = DemoBuild(out_dir=out, stdout=proc.stdout, stderr=proc.stderr)
    if not build.db.is_file():
        pytest.fail(f"`newsignal demo` exited 0 but wrote no {build.db}; its stdout:\n{_tail(proc.stdout)}",
                    pytrace=False)
    built = _fingerprint(build.db)
    yield build
    assert _fingerprint(build.db) == built, (
        "a test wrote to the shared demo database; copy it first (demo_build.copy_db)")
