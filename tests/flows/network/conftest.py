from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

ARRIVAL_SERVER = Path(__file__).resolve().parents[2] / "arrival_server.py"
# How far apart the arrival server may stamp two requests that left the client a gap apart, when the tests run
# on two workers of a two-core machine and the server's process waits for a core (measured: up to 12 ms).
ARRIVAL_JITTER_S = 0.03

Arrivals = tuple[str, Callable[[], list[float]]]


@contextmanager
def _arrival_server(robots: Path | None = None) -> Iterator[Arrivals]:
    """A loopback server in another process: (base URL, function returning arrival times, sorted)."""
    args = [sys.executable, str(ARRIVAL_SERVER)] + ([str(robots)] if robots else [])
    # Leaving the block closes the server's stdin, which stops it, and waits for it.
    with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()

        def arrivals() -> list[float]:
            with urllib.request.urlopen(base + "/_arrivals", timeout=5) as r:
                return sorted(json.load(r))

        yield base, arrivals


@pytest.fixture
def arrival_server() -> Iterator[Arrivals]:
    with _arrival_server() as server:
        yield server


@pytest.fixture
def arrival_server_with_robots() -> Callable[[Path], AbstractContextManager[Arrivals]]:
    """The same server, its /robots.txt the given file."""
    return _arrival_server
