"""The Dask worker plugin of a newsignal run: shared per-host limits, and the model loaded at once.

Registered on the cluster by ``flows.task_runners.workers_ready`` for the length of a run.
"""

from __future__ import annotations

import contextlib
import threading

from distributed import Worker
from distributed.diagnostics.plugin import WorkerPlugin

from flows import resources
from flows.network.fetch import HostLimits
from flows.settings import HttpSettings


class NewsignalWorker(WorkerPlugin):
    """Dask worker plugin: what a newsignal run needs of each worker process.

    Set up on every worker of the cluster, and on those joining later; torn down when the run ends,
    which closes that worker's HTTP clients (on a cluster that outlives the run, nothing stays open).
    """

    name = "newsignal"

    def __init__(self, config_dir: str | None) -> None:
        self.config_dir = config_dir  # None: no NLP on these workers, no model to load

    def setup(self, worker: Worker) -> None:
        def shared(http: HttpSettings) -> HostLimits:
            from flows.network.shared_limits import SharedHostLimiter

            return SharedHostLimiter(http.per_host_concurrency, http.per_host_delay_s,
                                     scheduler=worker.scheduler, loop=worker.loop)

        resources.close_fetchers()  # any made before this run kept their limits in-process
        resources.share_host_limits(shared)
        # The model loads while the first feeds are polled (setup runs on the worker's event loop: not
        # there). A failure here is left for the first texts to meet, with the config error they carry.
        if self.config_dir is not None:
            threading.Thread(target=_load_quietly, args=(self.config_dir,), daemon=True,
                             name="newsignal-model").start()

    def teardown(self, worker: Worker) -> None:
        resources.share_host_limits(None)
        resources.close_fetchers()


def _load_quietly(config_dir: str) -> None:
    with contextlib.suppress(Exception):
        resources.pipeline_for(config_dir)
