"""Per-process resources of a run: one polite fetcher per HTTP settings, one spaCy pipeline per config.

Built on first use in each process (a thread-pool worker or a Dask worker) and shared by its
threads; ``fetchers_closed()`` wraps a run so pooled connections never outlive it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flows.network.fetch import Fetcher, HostLimits
from flows.settings import HttpSettings

if TYPE_CHECKING:
    from spacy.language import Language

# Threads of one run ask for these all at once at the start. lru_cache would let each of them
# build its own copy, and fetchers built side by side would not share their per-host limits.
_fetchers_lock = threading.Lock()
_pipeline_lock = threading.Lock()  # apart, so loading spaCy never holds up a fetch
_fetchers: dict[HttpSettings, Fetcher] = {}
# In-process NLP (one worker): tasks on several threads share one pipeline, which is not made for that.
in_process_nlp = threading.Lock()
# Set on a Dask worker (flows.dask_worker): per-host limits held where every process of the cluster
# sees them. None: this process's own HostLimiter, shared by its threads.
_host_limits: Callable[[HttpSettings], HostLimits] | None = None


def share_host_limits(limits: Callable[[HttpSettings], HostLimits] | None) -> None:
    """Build the per-host limits of the fetchers made from now on with ``limits`` (None: in-process)."""
    global _host_limits
    with _fetchers_lock:
        _host_limits = limits


def fetcher_for(settings: HttpSettings) -> Fetcher:
    """One polite fetcher per process and settings (its per-host limits are shared by all threads)."""
    with _fetchers_lock:
        if settings not in _fetchers:
            _fetchers[settings] = Fetcher(settings, limiter=_host_limits(settings) if _host_limits else None)
        return _fetchers[settings]


def close_fetchers() -> None:
    """Close the cached HTTP clients (end of a run): their pooled connections go with them."""
    with _fetchers_lock:
        for fetcher in _fetchers.values():
            fetcher.close()
        _fetchers.clear()


def pipeline_for(config_dir: str) -> Language:
    """The spaCy pipeline for ``config_dir``, built once per process."""
    with _pipeline_lock:
        return _load_pipeline(config_dir)


@functools.lru_cache(maxsize=2)
def _load_pipeline(config_dir: str) -> Language:
    from extractors.nlp import load_pipeline  # spaCy only where NLP runs

    return load_pipeline(Path(config_dir))


@contextmanager
def fetchers_closed() -> Iterator[None]:
    """Run the body, then close every cached fetcher, whatever happened."""
    try:
        yield
    finally:
        close_fetchers()
