"""Per-host politeness across processes: two Dask worker processes fetch from the same two hosts at once.

Each host is a loopback server in a process of its own that notes when every request arrives and when it
was answered; the limits are checked there, where they matter, not in the client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from itertools import pairwise

import pytest

from flows import resources
from flows.settings import HttpSettings
from tests.flows.network.conftest import ARRIVAL_JITTER_S, ARRIVAL_SERVER

pytestmark = pytest.mark.slow

GAP_S = 0.1
PER_HOST = 2
SETTINGS = HttpSettings(connect_timeout_s=5, read_timeout_s=5, total_timeout_s=60, max_bytes=1000,
                        per_host_delay_s=GAP_S, per_host_concurrency=PER_HOST, retries=0,
                        user_agent="newsignal-test/1")
PAGES_PER_WORKER = 12  # per host: enough for each worker's threads to queue on both hosts at once


def fetch_pages(bases: list[str], settings: HttpSettings) -> list[int]:
    """Run on a Dask worker: fetch pages of every host, many at a time, through the worker's fetcher."""
    fetcher = resources.fetcher_for(settings)
    # Some answers are slow, so requests overlap and a host's concurrency limit is what holds them back.
    urls = [f"{base}/p{i}?delay={0.4 if i % 3 == 0 else 0.05}" for i in range(PAGES_PER_WORKER)
            for base in bases]
    with ThreadPoolExecutor(8) as pool:
        return [r.status for r in pool.map(lambda u: fetcher.get(u, kind="page"), urls)]


@contextmanager
def span_server(host: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with subprocess.Popen([sys.executable, str(ARRIVAL_SERVER), f"--host={host}"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip(), proc


def spans(base: str) -> list[tuple[float, float]]:
    """Each request the server answered: (arrived, answered), by arrival."""
    with urllib.request.urlopen(base + "/_spans", timeout=5) as r:
        return sorted((a, b) for a, b in json.load(r))


def most_at_once(seen: list[tuple[float, float]]) -> int:
    """The most requests the server was answering at the same moment."""
    events = sorted([(a, 1) for a, _ in seen] + [(b, -1) for _, b in seen])  # an end sorts before a start
    at_once = peak = 0
    for _, step in events:
        at_once += step
        peak = max(peak, at_once)
    return peak


def test_two_worker_processes_keep_each_hosts_limits_together():
    from distributed import Client, LocalCluster

    from flows.dask_worker import NewsignalWorker

    # Two hosts: the same machine under two loopback addresses, each its own host to the fetcher.
    with ExitStack() as stack:
        bases = [stack.enter_context(span_server(host))[0] for host in ("127.0.0.1", "127.0.0.2")]
        cluster = stack.enter_context(LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                                   host="127.0.0.1", dashboard_address=None))
        client = stack.enter_context(Client(cluster))
        client.register_plugin(NewsignalWorker(None))
        workers = list(client.scheduler_info()["workers"])
        assert len(workers) == 2
        futures = [client.submit(fetch_pages, bases, SETTINGS, workers=[w], pure=False) for w in workers]
        statuses = client.gather(futures)
        pids = client.run(os.getpid)
        seen_by = {base: spans(base) for base in bases}
    assert len(set(pids.values())) == 2, "the two workers are two processes"
    assert all(s == 200 for per_worker in statuses for s in per_worker)
    for base, seen in seen_by.items():
        assert len(seen) == 2 * PAGES_PER_WORKER
        assert most_at_once(seen) <= PER_HOST, (base, most_at_once(seen))
        gaps = [b[0] - a[0] for a, b in pairwise(seen)]
        assert min(gaps) >= GAP_S - ARRIVAL_JITTER_S, (base, min(gaps))
