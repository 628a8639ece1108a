"""A real Prefect server for tests, with workers and commands that use it: subprocesses on 127.0.0.1.

The server gets its own PREFECT_HOME (its SQLite database), a free port and analytics off. Every
process started here runs in a session of its own and is stopped with all its descendants, which
``stop`` then checks in /proc: a test that used it leaves nothing running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.procs import Proc, descendants, still_running

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrefectServer:
    """``prefect server start`` in a subprocess; ``env`` is the environment of a process that uses it."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        # Prefect's own defaults for what its runs log (tests/conftest.py quiets the test process).
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "PREFECT_LOGGING"))}
        base.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
                    # This checkout's code, not the one an editable install may point at: a worker's flow
                    # runs import the flows by module path.
                    PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        self._server_env = base
        self.env = {**base, "PREFECT_API_URL": self.api_url}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.family: list[Proc] = []

    def start(self, timeout_s: float = 120) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.spawn([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                    "--port", str(self.port)], env=self._server_env, log=self.home / "server.log")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.api_url + "/health", timeout=2).status_code == 200:
                    return
            assert self.procs[0].poll() is None, self.log_tail("server.log")
            time.sleep(0.5)
        raise AssertionError(f"the Prefect server did not start in {timeout_s:.0f} s\n"
                             + self.log_tail("server.log"))

    def spawn(self, command: list[str], *, env: dict[str, str] | None = None,
              log: Path | None = None) -> subprocess.Popen[bytes]:
        """A process of this server's family, its output in ``log`` (or discarded)."""
        out: Any = log.open("ab") if log else subprocess.DEVNULL
        try:
            proc = subprocess.Popen(command, env=env or self.env, cwd=REPO, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if log:
                out.close()
        self.procs.append(proc)
        return proc

    def start_worker(self, pool: str, queue: str) -> subprocess.Popen[bytes]:
        return self.spawn([sys.executable, "-m", "prefect", "worker", "start", "--pool", pool,
                           "--work-queue", queue], log=self.home / "worker.log",
                          env={**self.env, "PREFECT_WORKER_QUERY_SECONDS": "1"})

    def note_family(self) -> None:
        """Remember the processes that now descend from those started here (a flow run's, say), so that
        ``stop`` checks them too even if their parent is gone by then."""
        for proc in self.procs:
            self.family += descendants(proc.pid)

    def log_tail(self, name: str, limit: int = 4000) -> str:
        path = self.home / name
        return path.read_text(errors="replace")[-limit:] if path.exists() else f"(no {name})"

    @contextlib.contextmanager
    def client(self) -> Iterator[Any]:
        """Prefect's own synchronous API client, pointed at this server."""
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api_url}), get_client(sync_client=True) as c:
            yield c

    def stop(self) -> list[Proc]:
        """Stop every process started here and their descendants; returns those still running (none)."""
        for proc in reversed(self.procs):  # workers first, the server last
            self.family += descendants(proc.pid)
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        deadline = time.monotonic() + 10
        while (left := [p for p in self.family if still_running(p)]) and time.monotonic() < deadline:
            time.sleep(0.1)
        for p in left:  # never leave leftovers behind, whatever failed; the caller asserts there were none
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)
        return left
