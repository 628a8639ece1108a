"""Per-host politeness shared by every process of a Dask cluster, held by its scheduler.

``HostLimiter`` (fetch.py) keeps its counts in one process's memory: two Dask workers fetching from one
host would each allow ``per_host_concurrency`` requests and each keep the gap, so the host would see
twice the concurrency and requests closer than the gap. Here the same two limits live on the Dask
scheduler, which every worker of the cluster talks to, wherever it runs:

- concurrency: a ``distributed.Semaphore`` per host with ``per_host_concurrency`` leases;
- the gap: a ``distributed.Lock`` per host taken just before a request's headers go out and given
  back ``gap`` seconds after they went (a timer), so the next request anywhere in the cluster starts
  its headers at least the gap after the previous one's finished: the same measure as ``HostLimiter``.

Why not Prefect's global concurrency limits: its rate limits are token buckets that decay per second
(a burst of ``limit`` requests may go out at once), a waiter asks the server again after a random
Retry-After instead of being told when a slot frees, and the slot is counted when the server grants it,
not when the headers leave. None of that can hold a minimum gap measured on the wire, and every wait
costs writes to the Prefect server's database. A waiter on a Dask semaphore or lock is woken by the
scheduler the moment a lease is given back.

A worker that dies holding a lease loses it after ``distributed.scheduler.locks.lease-timeout`` (30 s
by default), so a crash cannot stall a host for the rest of a run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from distributed import Lock, Semaphore

from flows.network.fetch import HostLimiter

# The scheduler's names for the limits: one namespace, so other users of a shared cluster never collide.
PREFIX = "newsignal"


class SharedHostLimiter:
    """``HostLimiter``'s contract (``slot``, ``wire_gate``, ``ask_gap``, ``gap``), its state on the scheduler.

    ``scheduler`` and ``loop`` are the Dask worker's (``Worker.scheduler``, ``Worker.loop``): passed in
    rather than looked up, because the lookup works only on the thread running a Dask task, and pages
    are fetched on threads of their own.
    """

    def __init__(self, per_host: int, min_gap_s: float, *, scheduler: Any, loop: Any) -> None:
        self._per_host = per_host
        self._scheduler, self._loop = scheduler, loop
        # The gaps themselves (the configured one, a host's Crawl-delay) are this process's knowledge, as
        # every process reads the same robots.txt: HostLimiter's bookkeeping, reused.
        self._gaps = HostLimiter(per_host, min_gap_s)
        self._lock = threading.Lock()
        self._slots: dict[str, Semaphore] = {}
        self._wire: dict[str, Lock] = {}

    def ask_gap(self, host: str, gap_s: float | None) -> None:
        self._gaps.ask_gap(host, gap_s)

    def gap(self, host: str) -> float:
        return self._gaps.gap(host)

    def _semaphore(self, host: str) -> Semaphore:
        with self._lock:
            if host not in self._slots:
                self._slots[host] = Semaphore(max_leases=self._per_host, name=f"{PREFIX}:slots:{host}",
                                              scheduler_rpc=self._scheduler, loop=self._loop)
            return self._slots[host]

    def _wire_lock(self, host: str) -> Lock:
        with self._lock:
            if host not in self._wire:
                self._wire[host] = Lock(name=f"{PREFIX}:wire:{host}", scheduler_rpc=self._scheduler,
                                        loop=self._loop)
            return self._wire[host]

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        sem = self._semaphore(host)
        sem.acquire()
        try:
            yield
        finally:
            sem.release()

    def wire_gate(self, host: str) -> Callable[[str, dict], None]:
        """An httpx ``trace`` callback: the host's lock from the start of this request's headers until
        ``gap`` after they were written."""
        lock = self._wire_lock(host)

        def trace(event: str, info: dict) -> None:
            if event.endswith("send_request_headers.started"):
                lock.acquire()
            elif event.endswith(("send_request_headers.complete", "send_request_headers.failed")):
                gap = self.gap(host)
                if gap <= 0:
                    lock.release()
                    return
                # Given back later, on a timer, so this request's response is read meanwhile.
                timer = threading.Timer(gap, lock.release)
                timer.daemon = True
                timer.start()

        return trace
