"""Fixtures shared by every test package: Prefect kept offline and quiet, tmp databases, loopback HTTP."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports Prefect: no telemetry, no network, a throwaway home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsignal-prefect-"))

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
