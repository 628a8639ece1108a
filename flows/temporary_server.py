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

import atexit
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

GRACE_S = 5.0  # for uvicorn to shut down cleanly before SIGKILL

_watchdog: subprocess.Popen[bytes] | None = None  # kept for the life of the process: its stdin is the pipe
_server: subprocess.Popen[bytes] | None = None  # the temporary server started here, for the process's life


def start_temporary_server(while_it_starts: Callable[[], None] | None = None) -> str | None:
    """Start Prefect's temporary server now, bound to this process; its API URL, or None if unused.

    Nothing happens when a server is configured (``PREFECT_API_URL``) or temporary servers are off.
    ``while_it_starts`` is called once the server process exists, before it is healthy (seconds in
    which this process only waits), or right away when no server is started here.

    The server is the one Prefect would start (``SubprocessASGIServer``'s own uvicorn command), but
    launched from here, and this process is then pointed at it as at any configured server: asking
    Prefect to start it meant importing its whole server package (FastAPI, SQLAlchemy, every API
    route and model: about 2 s of CPU at every cold start, measured) only to run a subprocess.
    """
    import prefect
    from prefect.context import refresh_global_settings_context
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        get_current_settings,
    )

    pending = [while_it_starts] if while_it_starts else []

    def call_pending() -> None:
        while pending:
            pending.pop()()

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        call_pending()
        return None
    watchdog = start_watchdog()
    env = {**os.environ, **SERVER_ENV, **get_current_settings().to_environment_variables(exclude_unset=True)}
    app_dir = str(Path(prefect.__file__).resolve().parent.parent)
    deadline = time.monotonic() + float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    while True:
        port = free_loopback_port()
        process = subprocess.Popen(uvicorn_command(app_dir, port), env=env)
        guard(watchdog, process.pid)  # from its first moment: a kill now must not orphan it
        call_pending()
        url = f"http://127.0.0.1:{port}/api"
        status = _wait_until_healthy(process, url, deadline)
        if status != PORT_TAKEN:
            break
    if status is not None:
        raise RuntimeError(
            f"Prefect's temporary server did not start (exit status {status}, -1: no answer in "
            f"{PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()} s); point PREFECT_API_URL at a "
            "running server (`prefect server start`), NEWSIGNAL_DEBUG=1 shows why")
    global _server
    _server = process
    atexit.register(_stop_server)  # politely at exit, as Prefect did; the watchdog stays the backstop
    os.environ["PREFECT_API_URL"] = url  # this process's flows, tasks, logs and events go there
    refresh_global_settings_context()
    return url


def _stop_server() -> None:
    if _server is not None:
        stop_process(_server, GRACE_S)


def free_loopback_port() -> int:
    """A port on 127.0.0.1 free at this moment (a server started on it may still lose a race for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM, ``grace_s`` seconds for a clean stop, then SIGKILL; returns once it has exited."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# What Prefect's SubprocessASGIServer runs (prefect 3.x): its app factory under uvicorn, no UI.
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
PORT_TAKEN = 3  # uvicorn's exit status when it cannot bind


def uvicorn_command(app_dir: str, port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory",
            "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "error", "--lifespan", "on"]


def _wait_until_healthy(process: subprocess.Popen[bytes], api_url: str, deadline: float) -> int | None:
    """None once the server answers its health check; else its exit status, or -1 at the deadline."""
    while time.monotonic() < deadline:
        status = process.poll()
        if status is not None:
            return status
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return None
        except (OSError, ValueError):
            pass  # not listening yet
        time.sleep(0.1)
    return -1


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
