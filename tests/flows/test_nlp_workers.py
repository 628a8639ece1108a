"""NLP in worker processes ([ingest] workers): the same rows as in-process NLP, and a worker that dies
neither hangs ingest nor loses or duplicates rows.

Real ingest runs (Prefect, spaCy in spawned processes) against loopback servers; workers are killed with
SIGKILL, as the kernel's out-of-memory killer would.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from extractors.models import FeedEntry
from flows import nlp_workers
from flows.cli.main import cli
from flows.extraction import Page, PageJob
from flows.nlp_workers import NlpWorkers, WorkersDied, chunks, close_nlp_workers, nlp_workers_for
from tests.loopback import LoopbackServer

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "config"
STORIES = [
    ("Anthropic", "released a new model to developers on Friday, the company said in a statement"),
    ("OpenAI", "said on Monday that it had acquired a small start-up that builds coding tools"),
    ("Mistral AI", "raised 600 million euros from investors, the company said on Tuesday"),
    ("Nvidia", "announced a new chip for data centres at its conference in San Jose on Wednesday"),
]


def page(n: int) -> bytes:
    who, what = STORIES[n % len(STORIES)]
    text = (f"{who} {what}. The report, number {n}, describes what happened next in some detail. "
            "Analysts said the move would put pressure on rivals before the end of the year. ") * 3
    return (f"<html><head><title>Report {n}</title></head><body><article><h1>Report {n}</h1><p>{text}</p>"
            "</article></body></html>").encode()


def serve_feed(srv: LoopbackServer, first: int, count: int) -> str:
    items = "".join(
        f"<item><title>Report {n}</title><link>{srv.url(f'/p/{n}.html')}</link><guid>r{n}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item>" for n in range(first, first + count))
    for n in range(first, first + count):
        srv.add(f"/p/{n}.html", body=page(n), headers={"Content-Type": "text/html"})
    return srv.add("/feed.xml", body=(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.org/</link>'
        f"{items}</channel></rss>").encode(), headers={"Content-Type": "application/rss+xml"})


@pytest.fixture
def feeds(tmp_path):
    """Two feeds of 6 articles each, on two loopback hosts; the feeds file and a config copy."""
    with LoopbackServer("127.0.0.1") as one, LoopbackServer("127.0.0.2") as two:
        urls = [serve_feed(one, 0, 6), serve_feed(two, 6, 6)]
        (tmp_path / "feeds.toml").write_text("".join(f'[[feed]]\nname = "outlet {i}"\nurl = "{u}"\n\n'
                                                     for i, u in enumerate(urls)))
        config = tmp_path / "config"
        shutil.copytree(CONFIG, config)
        yield tmp_path / "feeds.toml", config
    close_nlp_workers()


def ingest(feeds: tuple[Path, Path], db: Path, workers: int, monkeypatch) -> None:
    from flows.ingest import ingest_flow

    feeds_file, config = feeds
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", str(workers))
    report = ingest_flow(str(feeds_file), str(db), config_dir=str(config), due_only=False)
    assert report.new_articles == 12 and report.articles_annotated == 12


def stored(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "articles": con.execute("SELECT url, source FROM articles ORDER BY url").fetchall(),
            "mentions": con.execute("SELECT a.url, m.label, m.name, m.start_char FROM mentions m "
                                    "JOIN articles a USING (article_id) ORDER BY ALL").fetchall(),
            "events": con.execute("SELECT a.url, e.event_type, e.stance, e.actors, e.evidence FROM events e "
                                  "JOIN articles a USING (article_id) ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def in_process_rows(feeds, tmp_path, monkeypatch):
    """What an ingest with NLP in this process stores: the reference."""
    ingest(feeds, tmp_path / "reference.duckdb", 1, monkeypatch)
    rows = stored(tmp_path / "reference.duckdb")
    assert rows["events"] and rows["mentions"]
    return rows


def test_worker_processes_store_the_same_rows_as_in_process_nlp(
        feeds, in_process_rows, tmp_path, monkeypatch):
    ingest(feeds, tmp_path / "workers.duckdb", 2, monkeypatch)
    assert stored(tmp_path / "workers.duckdb") == in_process_rows


def test_a_worker_killed_mid_run_neither_hangs_nor_loses_nor_duplicates_rows(
        feeds, in_process_rows, tmp_path, monkeypatch):
    submit = NlpWorkers._submit
    killed: list[int] = []

    def submit_then_kill_one(self, work, items, batch_size):
        executor, future = submit(self, work, items, batch_size)
        if not killed and not future.done():  # the first article's, while the worker has it
            killed.append(next(iter(executor._processes)))
            os.kill(killed[0], signal.SIGKILL)
        return executor, future

    monkeypatch.setattr(NlpWorkers, "_submit", submit_then_kill_one)
    ingest(feeds, tmp_path / "workers.duckdb", 2, monkeypatch)
    assert killed
    assert stored(tmp_path / "workers.duckdb") == in_process_rows


def test_workers_that_die_twice_on_the_same_texts_stop_with_what_to_do(monkeypatch):
    def submit_then_kill_all(self, work, items, batch_size):
        executor, future = submit(self, work, items, batch_size)
        for pid in list(executor._processes):
            os.kill(pid, signal.SIGKILL)
        return executor, future

    submit = NlpWorkers._submit
    workers = nlp_workers_for(str(CONFIG), 2)
    try:
        monkeypatch.setattr(NlpWorkers, "_submit", submit_then_kill_all)
        with pytest.raises(WorkersDied) as died:
            workers.annotate([("Anthropic released a model.", None)], batch_size=8)
        assert "NEWSIGNAL_INGEST_WORKERS=1" in str(died.value) and "\n" not in str(died.value)
    finally:
        close_nlp_workers()
    assert not nlp_workers._registry


def test_ingest_ends_with_a_line_of_throughput_and_time_per_stage(feeds, tmp_path, monkeypatch):
    feeds_file, config = feeds
    monkeypatch.setenv("NEWSIGNAL_CONFIG_DIR", str(config))
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "2")
    args = ["ingest", "--feeds", str(feeds_file), "--db", str(tmp_path / "n.duckdb")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("throughput ") and " articles/s: 12 articles in " in line
    for stage in ("start-up", "poll", "fetch+extract", "nlp", "write", "stories+signals"):
        assert f"{stage} " in line, line
    assert not nlp_workers._registry  # the workers ended with the command


def test_bad_config_data_stops_ingest_with_its_own_message_not_a_worker_death(feeds, tmp_path, monkeypatch):
    feeds_file, config = feeds
    types = config / "event_types.toml"
    types.write_text(types.read_text().replace('"{initiator} tightens export controls"',
                                               '"{initiator} tightens {nobody} export controls"'))
    monkeypatch.setenv("NEWSIGNAL_CONFIG_DIR", str(config))
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "2")
    args = ["ingest", "--feeds", str(feeds_file), "--db", str(tmp_path / "n.duckdb")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "unknown fields ['nobody']" in str(result.exception) and "died" not in str(result.exception)


def test_texts_are_shared_out_in_pieces_no_larger_than_a_batch():
    assert chunks(0, 2, 32) == []
    assert chunks(5, 2, 32) == [range(3), range(3, 5)]
    assert chunks(100, 2, 32) == [range(32), range(32, 64), range(64, 96), range(96, 100)]
    assert chunks(3, 8, 32) == [range(1), range(1, 2), range(2, 3)]


def test_a_feeds_articles_go_to_the_workers_in_groups_not_one_by_one(tmp_path, monkeypatch):
    # spaCy's cost per call is paid per group: 23 articles make three calls, not 23.
    from flows.ingest import ingest_flow
    from flows.steps import NLP_GROUP

    sizes: list[int] = []
    real_submit = NlpWorkers.submit_pages

    def recorded(self, jobs, batch_size):
        sizes.append(len(jobs))
        return real_submit(self, jobs, batch_size)

    monkeypatch.setattr(NlpWorkers, "submit_pages", recorded)
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "2")
    with LoopbackServer("127.0.0.1") as srv:
        (tmp_path / "feeds.toml").write_text(f'[[feed]]\nname = "outlet"\nurl = "{serve_feed(srv, 0, 23)}"\n')
        try:
            report = ingest_flow(str(tmp_path / "feeds.toml"), str(tmp_path / "n.duckdb"),
                                 config_dir=str(CONFIG), due_only=False)
        finally:
            close_nlp_workers()
    assert report.new_articles == 23 and report.articles_annotated == 23
    assert sorted(sizes) == [23 - 2 * NLP_GROUP, NLP_GROUP, NLP_GROUP]


def test_pages_are_extracted_in_the_worker_processes_not_the_flows_process(
        feeds, in_process_rows, tmp_path, monkeypatch):
    # The flow's process polls, fetches and writes; trafilatura would hold its GIL (issue 14).
    import extractors.article

    here: list[str] = []
    real = extractors.article.extract_article

    def noted(html, url, **kw):
        here.append(url)
        return real(html, url, **kw)

    monkeypatch.setattr(extractors.article, "extract_article", noted)
    ingest(feeds, tmp_path / "workers.duckdb", 2, monkeypatch)
    assert here == []
    assert stored(tmp_path / "workers.duckdb") == in_process_rows


def _job(n: int, body: bytes | None, *, summary: str = "") -> PageJob:
    entry = FeedEntry(f"k{n}", None, f"http://127.0.0.1/p/{n}.html", f"Report {n}", summary, "", None, None)
    return PageJob("http://127.0.0.1/feed.xml", entry, Page(body, entry.link, "text/html"), None, 200)  # type: ignore[arg-type]


def test_an_article_whose_extraction_raises_in_a_worker_is_that_articles_failure_and_the_rest_go_on():
    # A body that is not bytes makes extraction raise (a TypeError), as a page tripping a library would.
    stand_in = "Mistral AI raised 600 million euros from investors, the company said on Tuesday."
    jobs = [_job(0, page(0)), _job(1, None), _job(2, None, summary=stand_in), _job(3, page(3))]
    try:
        done = nlp_workers_for(str(CONFIG), 2).submit_pages(jobs, batch_size=8).result()
    finally:
        close_nlp_workers()
    (first, a0), (failed, a1), (from_feed, a2), (last, a3) = done.settled
    assert first.article is not None and first.article.title == "Report 0" and a0 is not None and a0.mentions
    assert failed.article is None and a1 is None and failed.failure is not None
    assert failed.failure.reason == "extraction_error" and "TypeError" in failed.failure.message
    assert from_feed.article is not None and from_feed.article.from_feed and a2 is not None and a2.mentions
    assert from_feed.fallback is not None and from_feed.fallback.reason == "extraction_error"
    assert last.article is not None and last.article.title == "Report 3" and a3 is not None
    assert done.started <= done.extracted <= done.finished


def test_an_article_whose_extraction_raises_is_recorded_as_its_entrys_failure_and_the_run_goes_on(
        feeds, tmp_path, monkeypatch):
    # Extraction in the flow's own process (one worker): the same rule as in a worker process.
    import extractors.article

    real = extractors.article.extract_article

    def trips_on_page_3(html, url, **kw):
        if url.endswith("/p/3.html"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url, **kw)

    monkeypatch.setattr(extractors.article, "extract_article", trips_on_page_3)
    from flows.ingest import ingest_flow

    feeds_file, config = feeds
    monkeypatch.setenv("NEWSIGNAL_INGEST_WORKERS", "1")
    report = ingest_flow(str(feeds_file), str(tmp_path / "n.duckdb"), config_dir=str(config), due_only=False)
    assert report.new_articles == 11 and report.article_failures == 1
    con = duckdb.connect(str(tmp_path / "n.duckdb"), read_only=True)
    try:
        failed = con.execute("SELECT link, status, failure_reason, failure_message FROM entries "
                             "WHERE status <> 'stored'").fetchall()
    finally:
        con.close()
    assert [(link.rsplit("/", 1)[-1], status, reason) for link, status, reason, _ in failed] == [
        ("3.html", "failed", "extraction_error")]
    assert "RecursionError" in failed[0][3]
