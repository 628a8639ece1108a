"""Prefect's temporary server ends with the command that started it, however that command ends.

With no ``PREFECT_API_URL``, the first flow of a process makes Prefect start a local API server as a
child process (``SubprocessASGIServer``: uvicorn, about 200 MB) and stop it from an ``atexit``
handler. A process killed with SIGKILL (or by the OOM killer) runs no handler, and the server lived
on, orphaned, for good. So commands that run flows start that server here first, together with a
watchdog: a small process that holds the read end of a pipe whose write end only this process
has. The kernel closes the pipe when this process ends, whatever the way; the watchdog then stops
the server (SIGTERM, SIGKILL after a grace period) and exits.

Run as a script, this file is the watchdog: it imports nothing but the standard library.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

GRACE_S = 5.0  # for uvicorn to shut down cleanly before SIGKILL

_watchdog: subprocess.Popen[bytes] | None = None  # kept for the life of the process: its stdin is the pipe


def start_temporary_server(while_it_starts: Callable[[], None] | None = None) -> str | None:
    """Start Prefect's temporary server now, bound to this process; its API URL, or None if unused.

    Nothing happens when a server is configured (``PREFECT_API_URL``) or temporary servers are off.
    Prefect keeps one temporary server per process, so its flows use the one started here.
    ``while_it_starts`` is called once the server process exists, before it is healthy (seconds in
    which this process only waits), or right away when no server is started here.
    """
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    pending = [while_it_starts] if while_it_starts else []

    def call_pending() -> None:
        while pending:
            pending.pop()()

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        call_pending()
        return None
    server = SubprocessASGIServer()
    if not server.running:
        watchdog = start_watchdog()
        launch = getattr(server, "_run_uvicorn_command", None)
        if callable(launch):
            # Prefect 3.8's own launcher, wrapped so that the watchdog learns the server's PID the moment
            # it exists: the server takes seconds to become healthy, and a kill then must not orphan it.
            def launch_and_guard() -> subprocess.Popen[Any]:
                process: subprocess.Popen[Any] = launch()
                guard(watchdog, process.pid)
                call_pending()
                return process

            server._run_uvicorn_command = launch_and_guard  # type: ignore[method-assign]
        server.start()
        if server.server_process is not None:
            guard(watchdog, server.server_process.pid)  # again, harmless, in case the hook is gone
    call_pending()  # if the hook is gone, or the server was running already
    return server.api_url


def start_watchdog() -> subprocess.Popen[bytes]:
    """This process's watchdog (one per process): it stops what it guards when this process ends."""
    global _watchdog
    if _watchdog is None or _watchdog.poll() is not None:
        # -I -S: the standard library only, whatever the environment or current directory hold.
        _watchdog = subprocess.Popen(
            [sys.executable, "-I", "-S", str(Path(__file__).resolve())],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return _watchdog


def guard(watchdog: subprocess.Popen[bytes], pid: int) -> None:
    """Have ``watchdog`` stop process ``pid`` when this process ends."""
    assert watchdog.stdin is not None
    watchdog.stdin.write(f"{pid}\n".encode())
    watchdog.stdin.flush()


# ---- the watchdog (a separate process) ----

def _open(pid: int) -> int | None:
    """A pidfd pins the process itself: a PID reused after it ended can never be signalled by mistake."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # not Linux (or the process is already gone): plain PIDs


def _alive(pid: int, pidfd: int | None) -> bool:
    if pidfd is not None:
        return not select.select([pidfd], [], [], 0)[0]  # a pidfd turns readable when its process exits
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(pid: int, pidfd: int | None, sig: int) -> None:
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _stop(guarded: dict[int, int | None]) -> None:
    for pid, pidfd in guarded.items():
        if _alive(pid, pidfd):
            _signal(pid, pidfd, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and any(_alive(p, fd) for p, fd in guarded.items()):
        time.sleep(0.05)
    for pid, pidfd in guarded.items():
        if _alive(pid, pidfd):
            _signal(pid, pidfd, signal.SIGKILL)


def watch(pipe: IO[bytes]) -> None:
    """Read PIDs to guard, one a line, until the pipe closes; then stop those still running."""
    # Ctrl-C reaches the whole process group: the parent decides what happens, and we outlive it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    guarded: dict[int, int | None] = {}
    for line in pipe:
        pid = int(line)
        if pid not in guarded:
            guarded[pid] = _open(pid)
    _stop(guarded)


if __name__ == "__main__":
    watch(sys.stdin.buffer)
