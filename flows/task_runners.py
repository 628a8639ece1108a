"""Where a flow's tasks run: threads of this process, or the worker processes of a Dask cluster.

``threads`` (the default) is one process: tasks on a thread pool, NLP in ``[ingest] workers`` processes
of its own (flows.nlp_workers). ``dask`` hands the tasks (polling, fetching, main-text extraction and NLP)
to Dask workers through ``prefect-dask``: a local cluster of ``[ingest] workers`` processes started for
the run, or a running cluster joined at its scheduler's address. Either way the flow's own process is
the one writer of the database: tasks return plain records and the flow stores them (warehouse.writer).

On Dask every worker process loads the spaCy pipeline once (flows.resources caches it) and annotates
in its own task threads, one text batch at a time; its fetchers keep the per-host limits on the
scheduler (flows.network.shared_limits), so the cluster as a whole stays as polite as one process.
Both are set up on each worker by ``flows.dask_worker.NewsignalWorker``, a Dask worker plugin the flow
registers when its run starts (workers that join later get it too) and removes when the run ends.

The runner is chosen per call: ``ingest_flow.with_options(task_runner=task_runner(...))``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from flows.settings import ConfigError, Settings

if TYPE_CHECKING:
    from distributed import Client, LocalCluster
    from prefect.task_runners import TaskRunner

RunnerKind = Literal["threads", "dask"]
# Task slots of a run, whatever the runner: a whole batch of feeds ([ingest] feeds_per_batch, 50) is
# polled and fetched at once, its pages waiting on per-host gaps, not on CPU; the fetcher's global limit
# ([http] concurrency, per process) still applies. A larger batch than this is polled this many at a time.
# With Dask they are shared out among the workers.
TASK_SLOTS = 64
# How long to wait for a scheduler at --dask-address to accept a connection, before Prefect starts.
CONNECT_TIMEOUT_S = 5.0


def dask_address(
    value: str, *, given_as: str = "--dask-address", timeout_s: float = CONNECT_TIMEOUT_S
) -> str:
    """``value`` if it is ``tcp://HOST:PORT`` and something listens there; else ConfigError, one line."""
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or port is None or parts.path not in ("", "/"):
        raise ConfigError(f"{given_as} must be a Dask scheduler's address, tcp://HOST:PORT "
                          f"(e.g. tcp://10.0.0.5:8786), got {value!r}")
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout_s).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ConfigError(f"no Dask scheduler answers at {value} (from {given_as}: {reason}); start one "
                          f"(`dask scheduler`) or leave {given_as} out for a local cluster") from exc
    return f"tcp://{parts.hostname}:{port}"


def task_runner(kind: RunnerKind, *, workers: int = 1, address: str | None = None) -> TaskRunner[Any]:
    """A task runner for one flow call: ``TASK_SLOTS`` threads, or Dask (joined at ``address``, else a
    local cluster of ``workers`` processes started with the run and stopped after it)."""
    if kind == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=TASK_SLOTS)
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    n = max(1, workers)
    return DaskTaskRunner(cluster_class=local_cluster, cluster_kwargs={
        "n_workers": n, "threads_per_worker": math.ceil(TASK_SLOTS / n),
    })


def local_cluster(**kwargs: Any) -> LocalCluster:
    """A Dask cluster of worker processes on this machine, listening on loopback only.

    Called by prefect-dask as the run starts, inside it: the Prefect API the run reports to is known
    by then and handed to the workers (a Dask worker is a fresh process, and one without the address
    would start a Prefect server of its own).
    """
    from distributed import LocalCluster

    # Dask's own progress lines (workers starting, connections) would fill the terminal at INFO.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    env = {"PREFECT_API_URL": url} if (url := prefect_api_url()) else {}
    return LocalCluster(processes=True, host="127.0.0.1", dashboard_address=None, env=env, **kwargs)


def prefect_api_url() -> str | None:
    """The Prefect API of this process: PREFECT_API_URL, or the temporary server it started."""
    from prefect.settings import PREFECT_API_URL

    if url := PREFECT_API_URL.value():
        return str(url)
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    return server.api_url if server.running else None


def _dask_client() -> Client | None:
    """The Dask client of the flow run in progress, or None when its tasks run on threads."""
    if "prefect_dask" not in sys.modules:  # a Dask runner imported it; threads never pay for the import
        return None
    from prefect.context import FlowRunContext
    from prefect_dask import DaskTaskRunner

    ctx = FlowRunContext.get()
    runner = ctx.task_runner if ctx else None
    return runner.client if isinstance(runner, DaskTaskRunner) else None


@contextmanager
def workers_ready(settings: Settings) -> Iterator[Settings]:
    """Prepare the run's workers, and give the settings its tasks should get.

    Threads: nothing to do. Dask: every worker gets ``NewsignalWorker`` (shared per-host limits, the
    model loading at once) until the body ends, and NLP in tasks runs in the worker's own process
    (``workers = 1`` for them: a Dask worker cannot start processes of its own, and need not).
    """
    client = _dask_client()
    if client is None:
        yield settings
        return
    from flows.dask_worker import NewsignalWorker

    plugin = NewsignalWorker(str(settings.config_dir))
    client.register_plugin(plugin)
    try:
        yield settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"workers": 1})})
    finally:
        with contextlib.suppress(Exception):  # a worker already gone has nothing to tear down
            client.unregister_worker_plugin(plugin.name)


class StaysHere:
    """A callable flow parameter (a progress bar's callback) that is not sent to the workers.

    Prefect hands a flow run's parameters to every task it ships to a Dask worker (pickled, with the run's
    context), and a progress bar holds locks that cannot be pickled. Only the flow's process calls it;
    a worker gets a callable that does nothing.
    """

    def __init__(self, fn: Callable[[int], None]) -> None:
        self._fn = fn

    def __call__(self, n: int) -> None:
        self._fn(n)

    def __reduce__(self) -> tuple[Callable[[], Callable[[int], None]], tuple[()]]:
        return _on_a_worker, ()


def _on_a_worker() -> Callable[[int], None]:
    """What a ``StaysHere`` becomes when unpickled: a callable that does nothing."""
    return _ignore


def _ignore(n: int) -> None:
    pass
