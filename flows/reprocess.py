"""`newsignal reprocess`: re-derive entities and events for stored articles, offline.

After a gazetteer or rule change (or, with ``from_raw``, an extractor change) every
stored article is read back and annotated again. Work is done in chunks; each
chunk's old derived rows are replaced in one transaction, so an interrupted run
leaves every article either fully old or fully new, and running it again is safe.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.errors import NewsignalError
from extractors.models import Annotation, ArticleText
from flows.settings import Settings
from warehouse.annotations import StoredArticle, count_articles, iter_articles, raw_document, replace_derived
from warehouse.writer import writer

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

log = logging.getLogger(__name__)


@dataclass
class ReprocessReport:
    articles: int = 0
    re_extracted: int = 0
    events: int = 0


def _re_extract(con: DuckDBPyConnection, stored: StoredArticle, min_chars: int) -> ArticleText | None:
    """The article's main text read again from its raw bytes, or None to keep the stored text."""
    from extractors.article import extract_article

    if not stored.document_sha256:
        return None
    body = raw_document(con, stored.document_sha256)
    if body is None:
        return None
    try:
        return extract_article(body, stored.fetched_url or stored.url, min_chars=min_chars)
    except NewsignalError as exc:
        log.warning("keeping stored text of %s: %s", stored.url, exc, extra={"article_url": stored.url})
        return None


def _rebuild_signals(con: DuckDBPyConnection, settings: Settings, since: date | None) -> None:
    """Re-place the re-read events in signals: an event that kept its id may carry new evidence."""
    from flows.signal_rules import linking_params
    from warehouse.signals import first_event_date, rebuild_signals
    from warehouse.stories import update_stories

    update_stories(con)
    first = since or first_event_date(con)
    if first is None:
        return
    # Events dated before ``since`` can belong to articles published after it: go back one window.
    rebuild_signals(con, since=first - timedelta(days=3), params=linking_params(con, settings.config_dir))


# Texts in, one annotation per text out, in order: the NLP of a chunk, wherever it runs.
Annotator = Callable[[list[tuple[str, date | None]]], list[Annotation]]


def reprocess(
    db_path: Path, settings: Settings, *, since: date | None = None, from_raw: bool = False, chunk: int = 200,
    progress: Callable[[int], None] | None = None, total: Callable[[int], None] | None = None,
    annotator: Annotator | None = None,
) -> ReprocessReport:
    """Annotate every stored article again (``annotator``: default, ``[ingest] workers`` processes here)."""
    from flows.nlp_workers import nlp_workers_closed
    from flows.steps import annotate_articles

    def here(texts: list[tuple[str, date | None]]) -> list[Annotation]:
        return annotate_articles(texts, str(settings.config_dir), settings.ingest.nlp_batch_size,
                                 settings.ingest.worker_count)

    annotate = annotator or here
    report = ReprocessReport()
    with writer(db_path) as con, nlp_workers_closed():
        if total:
            total(count_articles(con, since))
        # Reading and writing go through one connection: this command is the writer for its duration.
        for batch in iter_articles(con, since, batch=chunk):
            texts = [_re_extract(con, s, settings.ingest.min_article_chars) if from_raw else None
                     for s in batch]
            annotations = annotate([
                (t.text if t else s.text, s.published_at.date() if s.published_at else None)
                for s, t in zip(batch, texts, strict=True)])
            report.events += replace_derived(con, list(zip(batch, texts, annotations, strict=True)))
            report.articles += len(batch)
            report.re_extracted += sum(t is not None for t in texts)
            if progress:
                progress(len(batch))
        _rebuild_signals(con, settings, since)
        from warehouse.snapshot import publish_snapshot

        publish_snapshot(con, db_path)
    return report


@functools.cache
def reprocess_flow() -> Any:
    """``reprocess`` as a Prefect flow whose NLP runs as tasks on the flow's task runner, for
    ``newsignal reprocess --task-runner dask`` (``reprocess_flow().with_options(task_runner=...)``).
    Reading and writing stay in the flow's process. Built on first use: reprocess on threads never
    imports Prefect."""
    from prefect import flow, task

    from flows.nlp_workers import chunks
    from flows.settings import load_settings
    from flows.steps import annotate_articles
    from flows.task_runners import task_runner, workers_ready

    annotate_task = task(name="annotate-texts")(annotate_articles)

    @flow(name="reprocess", task_runner=task_runner("threads"), log_prints=False)
    def run(
        db_path: str, since: date | None = None, from_raw: bool = False,
        progress: Callable[[int], None] | None = None, total: Callable[[int], None] | None = None,
    ) -> ReprocessReport:
        settings = load_settings()
        parts = settings.ingest.worker_count  # before workers_ready: how many workers share a chunk
        with workers_ready(settings) as run_settings:
            config_dir, batch_size = str(run_settings.config_dir), run_settings.ingest.nlp_batch_size

            def on_workers(texts: list[tuple[str, date | None]]) -> list[Annotation]:
                futures = [annotate_task.submit([texts[i] for i in part], config_dir, batch_size)
                           for part in chunks(len(texts), parts, batch_size)]
                return [a for f in futures for a in f.result()]

            return reprocess(Path(db_path), run_settings, since=since, from_raw=from_raw, progress=progress,
                             total=total, annotator=on_workers)

    return run
