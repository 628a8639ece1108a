"""NLP and main-text extraction in worker processes: one spaCy pipeline per process, so every core works.

spaCy's pipeline and trafilatura hold the GIL for most of their work, so threads cannot share it out;
processes can. Each worker is started with ``spawn`` (the flow's process runs threads, which ``fork`` would
copy in an unknown state) and loads the pipeline once, in its initializer, through ``flows.resources``.
Fetched pages go in (``flows.extraction.PageJob``) and the settled articles with their ``Annotation``
come out, or texts in and annotations out: plain frozen values, pickled across the process boundary. The
flow's own process is left to poll, fetch and write.

A worker ends when the flow's process ends, even by SIGKILL. A worker that dies (killed, out of memory)
breaks the whole executor: every call waiting on it fails at once instead of hanging. The texts of each
such call go once more to a fresh set of workers; if that fails too the run stops with ``WorkersDied``.
Nothing is written for texts that were not annotated, and what the run wrote before stays (every row
has a stable key, so the next run adds the rest, once).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from extractors.models import Annotation, ArticleText
from flows.extraction import PageJob, Settled, settle_article
from flows.resources import pipeline_for

T = TypeVar("T")


class WorkersDied(RuntimeError):
    """NLP worker processes died twice on the same texts."""


def _load(config_dir: str) -> None:
    """Initializer: end with the parent, then load the pipeline before the first texts arrive (and while
    the flow starts up)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    # An initializer that raises breaks the executor, and the error would read as a worker dying. The
    # first texts load the pipeline again and carry the error (bad config data) to the run instead.
    with contextlib.suppress(Exception):
        pipeline_for(config_dir)
    with contextlib.suppress(Exception):  # the language identifier of main-text extraction (~1 s), likewise
        from extractors.article import preload

        preload()


def _exit_with(parent_sentinel: int) -> None:
    """Wait for the parent process to end, however it ends, then end this one.

    A worker waits for texts on a queue that nobody closes when the parent is killed (SIGKILL, the OOM
    killer): without this it would live on, orphaned, holding a copy of the model. The sentinel is a
    pipe the kernel closes when the parent ends.
    """
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


def _pid() -> int:
    return os.getpid()


# What a worker hands back: the annotations, in order, and when (time.monotonic(), which is one clock
# for every process of the machine) it started and finished them.
Annotated = tuple[list[Annotation], float, float]


def _annotate(texts: Sequence[tuple[str, date | None]], config_dir: str, batch_size: int) -> Annotated:
    from extractors.nlp import annotate

    nlp = pipeline_for(config_dir)
    started = time.monotonic()
    annotations = list(annotate(nlp, texts, batch_size=batch_size))
    return annotations, started, time.monotonic()


@dataclass(frozen=True)
class PagesDone:
    """What a worker hands back for pages: per job, in order, its settled article and that article's
    annotation (None without an article); when (time.monotonic()) extraction started, NLP started, and
    both finished."""

    settled: list[tuple[Settled, Annotation | None]]
    started: float
    extracted: float
    finished: float


def _extract_and_annotate(jobs: Sequence[PageJob], config_dir: str, batch_size: int) -> PagesDone:
    from extractors.nlp import annotate

    nlp = pipeline_for(config_dir)
    started = time.monotonic()
    settled = [settle_article(job) for job in jobs]
    extracted = time.monotonic()
    annotations = iter(annotate(nlp, [nlp_input(s.article) for s in settled if s.article is not None],
                                batch_size=batch_size))
    out = [(s, next(annotations) if s.article is not None else None) for s in settled]
    return PagesDone(out, started, extracted, time.monotonic())


def nlp_input(article: ArticleText) -> tuple[str, date | None]:
    """What NLP reads of an article: its text, and its date (relative dates in the text count from it)."""
    return article.text, article.published_at.date() if article.published_at else None


def chunks(n: int, workers: int, batch_size: int) -> list[range]:
    """Index ranges splitting ``n`` texts so every worker gets a share, none larger than ``batch_size``."""
    size = max(1, min(batch_size, math.ceil(n / max(1, workers))))
    return [range(lo, min(n, lo + size)) for lo in range(0, n, size)]


# What a worker runs: a module-level function (spawned workers import it by name) of the items, the
# config directory and the NLP batch size.
Work = Callable[[Sequence[Any], str, int], T]


class Pending(Generic[T]):
    """Texts or pages on their way through the workers. ``result()`` waits for them; if a worker died
    meanwhile they go once more to fresh workers."""

    def __init__(self, workers: NlpWorkers, work: Work[T], items: list[Any], batch_size: int) -> None:
        self._workers, self._work, self._items, self._batch_size = workers, work, items, batch_size
        self._executor, self._future = workers._submit(work, items, batch_size)

    def result(self) -> T:
        try:
            return self._future.result()
        except BrokenProcessPool:
            self._workers._replace(self._executor)
        executor, future = self._workers._submit(self._work, self._items, self._batch_size)
        try:
            return future.result()
        except BrokenProcessPool:
            self._workers._replace(executor)
            raise WorkersDied(
                f"NLP worker processes died twice on the same {len(self._items)} article(s) (out of memory? "
                "check `dmesg`); they were not stored, and the next `newsignal ingest` tries them again; "
                "NEWSIGNAL_INGEST_WORKERS=1 runs NLP in the main process"
            ) from None


class NlpWorkers:
    """A set of worker processes, each holding the pipeline for ``config_dir``; safe to call from threads."""

    def __init__(self, config_dir: str, workers: int) -> None:
        self.config_dir = config_dir
        self.workers = workers
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_load, initargs=(self.config_dir,))
        # Start every worker now (the executor would start them one submit at a time), so the model
        # loads while the flow is still starting up and polling feeds.
        for _ in range(self.workers):
            executor.submit(_pid)
        return executor

    def submit(self, texts: Sequence[tuple[str, date | None]], batch_size: int) -> Pending[Annotated]:
        """Start annotating ``texts`` (one call: one worker, in order); the result comes from ``Pending``."""
        return Pending(self, _annotate, list(texts), batch_size)

    def submit_pages(self, jobs: Sequence[PageJob], batch_size: int) -> Pending[PagesDone]:
        """Start extracting and annotating fetched pages (one call: one worker, in order)."""
        return Pending(self, _extract_and_annotate, list(jobs), batch_size)

    def annotate(self, texts: Sequence[tuple[str, date | None]], batch_size: int) -> list[Annotation]:
        """One ``Annotation`` per text, in order, the texts shared out among the workers."""
        pending = [self.submit([texts[i] for i in part], batch_size)
                   for part in chunks(len(texts), self.workers, batch_size)]
        return [a for p in pending for a in p.result()[0]]

    def _submit(
        self, work: Work[T], items: list[Any], batch_size: int
    ) -> tuple[ProcessPoolExecutor, Future[T]]:
        with self._lock:
            executor = self._executor
        try:
            return executor, executor.submit(work, items, self.config_dir, batch_size)
        except BrokenProcessPool:  # broke before this call: the next executor takes it
            self._replace(executor)
            with self._lock:
                executor = self._executor
            return executor, executor.submit(work, items, self.config_dir, batch_size)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A fresh executor in place of ``broken`` (once, however many threads saw it break)."""
        with self._lock:
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._start()

    def close(self) -> None:
        with self._lock:
            self._executor.shutdown(wait=True, cancel_futures=True)


# One set of workers per process, config and size: the CLI starts it before the flow, the flow uses it.
_registry_lock = threading.Lock()
_registry: dict[tuple[str, int], NlpWorkers] = {}


def nlp_workers_for(config_dir: str, workers: int) -> NlpWorkers:
    """``workers`` NLP processes for ``config_dir``, started on first use."""
    with _registry_lock:
        key = (config_dir, workers)
        if key not in _registry:
            _registry[key] = NlpWorkers(config_dir, workers)
        return _registry[key]


def close_nlp_workers() -> None:
    """Stop the worker processes (end of a run): each holds a copy of the model."""
    with _registry_lock:
        for workers in _registry.values():
            workers.close()
        _registry.clear()


@contextmanager
def nlp_workers_closed() -> Iterator[None]:
    """Run the body, then stop the NLP worker processes, whatever happened."""
    try:
        yield
    finally:
        close_nlp_workers()
