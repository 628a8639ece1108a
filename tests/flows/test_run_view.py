"""What runs are called in Prefect's UI, the report's rows, and the project's logs outside a run."""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from flows.ingest import IngestReport
from flows.run_view import (
    PROJECT_LOGGERS,
    digest_run_name,
    failing_feed_rows,
    ingest_report_rows,
    ingest_run_name,
    project_logs_to_run,
    reprocess_run_name,
)

AT = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def test_run_names_say_what_ran():
    assert ingest_run_name(AT, 183) == "ingest 2026-11-20 07:00 · 183 feeds"
    assert ingest_run_name(AT, 1) == "ingest 2026-11-20 07:00 · 1 feed"
    assert ingest_run_name(AT, None) == "ingest 2026-11-20 07:00"  # an unreadable feeds file
    paris = timezone(timedelta(hours=1))
    eight_in_paris = datetime(2026, 11, 20, 8, 0, tzinfo=paris)
    assert ingest_run_name(eight_in_paris, 3) == "ingest 2026-11-20 07:00 · 3 feeds"
    day = date(2026, 11, 20)
    assert digest_run_name(day, files=True, email=True) == "digest 2026-11-20 · files, email"
    assert digest_run_name(day, files=False, email=True) == "digest 2026-11-20 · email"
    assert reprocess_run_name(AT, "2026-11-01", True) == \
        "reprocess 2026-11-20 07:00 · since 2026-11-01, from raw pages"
    assert reprocess_run_name(AT, None, False) == "reprocess 2026-11-20 07:00 · all articles"


def test_the_report_rows_follow_the_report():
    report = IngestReport(feeds=3, polled=3, failed=1, new_articles=2,
                          failed_feeds=[("Gone Feed", "http_status: HTTP 404")])
    rows = {r["measure"]: r["value"] for r in ingest_report_rows(report)}
    assert rows["feeds in the file"] == 3 and rows["failed"] == 1 and rows["new articles"] == 2
    assert failing_feed_rows(report) == [{"feed": "Gone Feed", "error": "http_status: HTTP 404"}]


@pytest.fixture
def project_loggers():
    saved = {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers))
             for name in PROJECT_LOGGERS}
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers


def test_outside_a_run_the_project_logs_go_nowhere_new_and_warn_of_nothing(project_loggers):
    project_logs_to_run()
    project_logs_to_run()  # idempotent: one handler per logger
    for name in PROJECT_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO
        assert len(logging.getLogger(name).handlers) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Prefect's own API handler warns about a record without a run
        logging.getLogger("warehouse.snapshot").info("published snapshot (outside any run)")
