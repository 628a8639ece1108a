"""The ``newsignal`` command line.

Commands that run no flow (query, status, --help) import neither Prefect nor
spaCy: those imports cost seconds and hundreds of MB, so they live inside the
commands that need them.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flows.cli.analyst import export_command, timeline_command
from flows.cli.dashboard import dashboard_command
from flows.cli.output import (
    CliError,
    echo_rows,
    feed_progress,
    parse_day,
    prefect_defaults,
    process_age_s,
    set_exit_status,
    start_flow_run,
    throughput_line,
)

if TYPE_CHECKING:
    from flows.task_runners import RunnerKind


def _known_errors() -> tuple[type[BaseException], ...]:
    import duckdb

    from extractors.errors import NewsignalError
    from flows.cli.opml import FeedListError
    from flows.digest.mailer import DeliveryFailed, DeliveryUncertain, MailConfigError
    from flows.serve import ServeError
    from flows.settings import ConfigError
    from warehouse.db import DatabaseError

    return (ConfigError, DatabaseError, NewsignalError, duckdb.Error, OSError, DeliveryFailed,
            DeliveryUncertain, MailConfigError, FeedListError, ServeError)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsignal")
def cli() -> None:
    """newsignal: AI-news feeds in, typed events with evidence out (DuckDB timeline, daily digest)."""


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-output"), show_default=True,
              help="Directory for the database and digest files.")
def demo(out_dir: Path) -> None:
    """Serve the bundled demo corpus on 127.0.0.1, ingest it, and write the latest day's digest."""
    prefect_defaults()
    from flows.demo.run import run_demo

    start_flow_run()

    summary = run_demo(out_dir)
    click.echo(summary)


def _task_runner_options(command: Callable[..., None]) -> Callable[..., None]:
    """--task-runner and --dask-address, for the commands that run fetching or NLP."""
    command = click.option(
        "--dask-address", envvar="NEWSIGNAL_DASK_ADDRESS", metavar="tcp://HOST:PORT",
        help="Run on the Dask cluster whose scheduler listens here (implies --task-runner dask; "
             "env NEWSIGNAL_DASK_ADDRESS).")(command)
    return click.option(
        "--task-runner", "runner_kind", type=click.Choice(["threads", "dask"]), default=None,
        help="threads: this process (NLP in [ingest] workers processes); dask: Dask worker processes, "
             "a local cluster of [ingest] workers unless --dask-address (default: [ingest] task_runner).",
    )(command)


def _runner_choice(kind: str | None, address: str | None, configured: str) -> tuple[RunnerKind, str | None]:
    """The runner and the checked scheduler address (ConfigError, one line, if nobody answers there)."""
    from flows.task_runners import dask_address

    if address is not None and kind == "threads":
        raise click.UsageError("--dask-address runs on Dask; it cannot go with --task-runner threads")
    if address is not None:
        ctx = click.get_current_context()
        from_env = ctx.get_parameter_source("dask_address") == click.core.ParameterSource.ENVIRONMENT
        given_as = "NEWSIGNAL_DASK_ADDRESS" if from_env else "--dask-address"
        checked = dask_address(address, given_as=given_as)
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            # The workers of a cluster we did not start cannot reach a temporary server on this machine's
            # loopback, and would each start one of their own.
            raise CliError(f"{given_as} needs a Prefect server that every Dask worker reaches: start one "
                           "(`prefect server start --host 0.0.0.0`) and set PREFECT_API_URL here and on the "
                           "workers (see README, Scaling: Dask)")
        return "dask", checked
    chosen = kind or configured
    return ("dask" if chosen == "dask" else "threads"), None


@cli.command()
@click.option("--feeds", "feeds_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file with [[feed]] tables (name, url, optional tags, owner).")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file (created if missing).")
@click.option("--all", "poll_all", is_flag=True,
              help="Poll every feed now, also those whose next poll time has not come (backoff, TTL, "
                   "Retry-After).")
# The default since due feeds became it; still accepted so existing cron lines keep working.
@click.option("--due-only", is_flag=True, hidden=True)
@_task_runner_options
def ingest(
    feeds_file: Path, db_path: Path, poll_all: bool, due_only: bool, runner_kind: str | None,
    dask_address: str | None,
) -> None:
    """Poll the feeds that are due, fetch new articles, extract entities and events, store them."""
    if poll_all and due_only:
        raise click.UsageError("--all and --due-only contradict each other; give one")
    prefect_defaults()
    from flows.settings import load_feeds, load_settings

    # Fail on bad settings, a bad feeds file, a database that cannot be opened or a Dask scheduler that
    # does not answer before paying for Prefect's start-up (about ten seconds).
    settings = load_settings()
    total = len(load_feeds(feeds_file))
    _check_database(db_path, read_only=False)
    kind, address = _runner_choice(runner_kind, dask_address, settings.ingest.task_runner)
    from flows.ingest import ingest_flow
    from flows.nlp_workers import close_nlp_workers, nlp_workers_for
    from flows.task_runners import StaysHere, task_runner

    workers = settings.ingest.worker_count

    def start_workers() -> None:
        # The worker processes load the model while Prefect's server starts: most of a cold start,
        # overlapped. Not before its process exists: this process's own imports would wait for CPU.
        # (On Dask the cluster's workers load it instead, when the run starts.)
        if kind == "threads" and workers > 1 and total:
            nlp_workers_for(str(settings.config_dir), workers)

    try:
        start_flow_run(while_server_starts=start_workers)
        run = ingest_flow.with_options(task_runner=task_runner(kind, workers=workers, address=address))
        with feed_progress(total, "polling feeds") as advance:
            report = run(str(feeds_file), str(db_path), due_only=not poll_all, progress=StaysHere(advance))
    finally:
        close_nlp_workers()
    if report.not_due:
        click.echo(f"{report.not_due} feed(s) not due yet (backing off or polled recently; "
                   "`--all` polls them now)")
    click.echo(
        f"feeds polled {report.polled}, not modified {report.not_modified}, failed {report.failed}; "
        f"new entries {report.new_entries}, new articles {report.new_articles}, "
        f"new events {report.new_events}, article failures {report.article_failures}"
        + (f"; {report.pages_replacing_feed_text} page(s) replaced the feed text that stood in for them"
           if report.pages_replacing_feed_text else "")
    )
    for name, err in report.failed_feeds:
        click.echo(f"  failed: {name}: {err}")
    click.echo(throughput_line(report, started_s_ago=process_age_s()))


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--date", "day", required=True, help="Day of the digest, YYYY-MM-DD (configured time zone).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write digest-DAY.html and .txt here.")
@click.option("--send", is_flag=True, help="Email it over SMTP (once per date and recipient list).")
@click.option("--resend", is_flag=True, help="Email it even if it was sent before.")
def digest(db_path: Path, day: str, out_dir: Path | None, send: bool, resend: bool) -> None:
    """Write that day's digest as HTML and text files, and/or send it by email."""
    digest_day = parse_day(day)
    if not db_path.exists():
        raise CliError(f"no database at {db_path}; run `newsignal ingest` first")
    if out_dir is None and not (send or resend):
        raise CliError("nothing to do: give --out DIR, --send, or both")
    from flows.settings import load_settings

    settings = load_settings()  # bad settings fail before Prefect starts
    _check_database(db_path, read_only=True)  # and so do a damaged database and an --out we cannot write
    if out_dir is not None:
        _check_writable(out_dir)
    if send or resend:
        smtp = settings.smtp
        smtp.validate()  # and so does a missing SMTP setting
        if not resend:
            _refuse_uncertain_send(db_path, digest_day, smtp.recipients)
    prefect_defaults()
    from flows.daily_digest import digest_flow

    start_flow_run()

    out = str(out_dir) if out_dir else None
    result = digest_flow(str(db_path), digest_day, out, send=send, resend=resend)
    for path in result["files"]:
        click.echo(path)
    if result["delivery"]:
        click.echo(f"{result['delivery']}: {result['subject']}")


def _check_database(db_path: Path, *, read_only: bool) -> None:
    """Open and close the database (creating it for an ingest), so a damaged file or a directory this user
    may not write fails in one line at once; the flow opens it again."""
    from warehouse.db import connect

    connect(db_path, read_only=read_only).close()


def _check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise CliError(f"cannot write the digest to {out_dir}: {exc.strerror} (check that this user may "
                       "write there, or give another --out)") from exc


def _refuse_uncertain_send(db_path: Path, day: date, recipients: tuple[str, ...]) -> None:
    """A digest that may have arrived is refused before Prefect starts (the flow checks again)."""
    import duckdb

    from flows.digest.mailer import check_ledger
    from warehouse.db import connect
    from warehouse.digest import delivery

    con = connect(db_path, read_only=True)
    try:
        check_ledger(delivery(con, day, recipients), day)
    except duckdb.CatalogException:
        pass  # a database from before the delivery ledger: nothing was sent from it
    finally:
        con.close()


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.argument("sql")
def query(db_path: Path, fmt: str, sql: str) -> None:
    """Run read-only SQL on the database (tables, and the timeline / article_entities views)."""
    from warehouse.db import connect_for_query, run_query

    con = connect_for_query(db_path)
    try:
        result = run_query(con, sql)
    finally:
        con.close()
    if result is not None:
        echo_rows(*result, fmt)


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def status(db_path: Path) -> None:
    """One line per feed (failing first): last poll, HTTP status, entries seen, articles stored, entries
    skipped and why, last error."""
    from warehouse.db import connect
    from warehouse.feeds import feed_health

    con = connect(db_path, read_only=True)
    try:
        health = feed_health(con)
    finally:
        con.close()
    if not health:
        click.echo("no feeds yet; run `newsignal ingest --feeds FILE --db FILE`")
    for h in health:
        polled = h.last_polled_at.strftime("%Y-%m-%d %H:%M") if h.last_polled_at else "never"
        state = f"FAILING x{h.consecutive_failures}" if h.consecutive_failures else "ok"
        due = h.next_poll_at.strftime("%Y-%m-%d %H:%M") if h.next_poll_at else "now"
        click.echo(
            f"{state:<12} {h.name}  polled {polled}  HTTP {h.last_status or '-'}  "
            f"entries {h.entries_seen}  articles {h.articles}"
            + (f" ({h.short_articles} short)" if h.short_articles else "")
            + (f"  skipped {h.entries_skipped} ({h.skipped_reasons})" if h.entries_skipped else "")
            + f"  next {due}"
            + (f"  error: {h.last_error}" if h.last_error else "")
            + (f"  warning: {h.last_warning[:120]}" if h.last_warning and not h.last_error else "")
        )


@cli.command(name="eval")
@click.option("--gold", "gold_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Labeled articles, one JSON object per line (the gold-dev format).")
def eval_command(gold_file: Path) -> None:
    """Score the extractor on a labeled file: event types, stance, entities (P/R/F1)."""
    from extractors.evaluation import evaluate, format_report, load_gold
    from flows.resources import pipeline_for
    from flows.settings import load_settings

    gold = load_gold(gold_file)
    nlp = pipeline_for(str(load_settings().config_dir))
    click.echo(format_report(evaluate(nlp, gold)))


@cli.group()
def feeds() -> None:
    """Manage feed lists: discover a site's feed, import and export OPML."""


@feeds.command("discover")
@click.argument("url")
def feeds_discover(url: str) -> None:
    """Find the feeds a page announces (<link rel="alternate">), or say the URL is a feed itself."""
    from extractors.errors import NotAFeed
    from extractors.feeds import parse_feed
    from extractors.urls import discover_feed_links
    from flows.network.fetch import Fetcher, FetchFailed
    from flows.settings import load_settings

    with Fetcher(load_settings().http) as fetcher:
        try:
            page = fetcher.get(url, kind="feed")
        except FetchFailed as failed:
            raise CliError(f"cannot fetch {url}: {failed.error}") from failed
    try:
        parsed = parse_feed(page.body, url=page.url, headers=page.headers)
        click.echo(f"{page.url}\t(a feed: {parsed.title or 'untitled'}, {len(parsed.entries)} entries)")
        return
    except NotAFeed:
        pass
    found = discover_feed_links(page.body, page.url)
    if not found:
        raise CliError(f"{url} announces no feed (no <link rel=\"alternate\"> to RSS or Atom)")
    for link in found:
        click.echo(link)


@feeds.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--feeds", "feeds_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Feeds TOML file to add to (created if missing).")
def feeds_import(opml_file: Path, feeds_file: Path) -> None:
    """Add the feeds of an OPML file to a feeds TOML file (feeds already there are skipped)."""
    from flows.cli.opml import feeds_from_opml, feeds_to_toml
    from flows.settings import load_feeds

    existing = {f.url for f in load_feeds(feeds_file)} if feeds_file.exists() else set()
    new = [f for f in feeds_from_opml(opml_file.read_bytes()) if f.url not in existing]
    if new:
        prefix = "\n" if feeds_file.exists() and feeds_file.read_text(encoding="utf-8").strip() else ""
        with feeds_file.open("a", encoding="utf-8") as out:
            out.write(prefix + feeds_to_toml(new))
    click.echo(f"added {len(new)} feed(s) to {feeds_file} ({len(existing)} already there)")


@feeds.command("export")
@click.option("--feeds", "feeds_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output.")
def feeds_export(feeds_file: Path, out_file: Path | None) -> None:
    """Write the feeds of a TOML file as OPML 2.0."""
    from flows.cli.opml import feeds_to_opml
    from flows.settings import load_feeds

    data = feeds_to_opml(load_feeds(feeds_file))
    if out_file:
        out_file.write_bytes(data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@cli.command()
@click.option("--feeds", "feeds_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--every", "ingest_minutes", type=click.FloatRange(min=0.05), default=None,
              help="Minutes between ingest runs (default: [ingest] default_poll_minutes, 30).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write each morning's digest files here.")
@click.option("--send/--no-send", default=True, show_default=True, help="Email the morning digest over SMTP.")
def serve(
    feeds_file: Path, db_path: Path, ingest_minutes: float | None, out_dir: Path | None, send: bool
) -> None:
    """Run ingest every N minutes and the digest daily at [digest] send_at, with Prefect (until Ctrl-C).

    Uses the Prefect server at PREFECT_API_URL, or starts a local one and stops it on exit.
    """
    prefect_defaults()
    from flows.serve import serve as run_serve
    from flows.settings import load_settings

    minutes = ingest_minutes or float(load_settings().ingest.default_poll_minutes)
    run_serve(feeds_file, db_path, ingest_minutes=minutes, out_dir=out_dir, send=send)


@cli.command()
@click.option("--feeds", "feeds_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Feeds file, at the same path on the machine whose worker runs the flows.")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file, on the machine whose worker runs the flows (the one writer).")
@click.option("--pool", default="newsignal", show_default=True,
              help="Process work pool (created if missing) that workers pull the runs from.")
@click.option("--every", "ingest_minutes", type=click.FloatRange(min=0.05), default=None,
              help="Minutes between ingest runs (default: [ingest] default_poll_minutes, 30).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write each morning's digest files here.")
@click.option("--send/--no-send", default=True, show_default=True,
              help="Email the morning digest (SMTP settings in the worker's environment).")
def deploy(feeds_file: Path, db_path: Path, pool: str, ingest_minutes: float | None, out_dir: Path | None,
           send: bool) -> None:
    """Create the ingest, digest and reprocess deployments in a process work pool on the Prefect server
    at PREFECT_API_URL, for `prefect worker start --pool POOL` to run (docs/scaling.md)."""
    prefect_defaults()
    from flows.deploy import WRITER_QUEUE
    from flows.deploy import deploy as run_deploy
    from flows.settings import load_settings

    minutes = ingest_minutes or float(load_settings().ingest.default_poll_minutes)
    for d in run_deploy(feeds_file, db_path, pool=pool, ingest_minutes=minutes, out_dir=out_dir, send=send):
        click.echo(f"deployed {d.full_name}: {d.schedule}")
    click.echo(f"work pool {pool!r}, queue {WRITER_QUEUE!r} (one run at a time); start its worker on the "
               f"machine that holds {db_path.name}: "
               f"prefect worker start --pool {pool} --work-queue {WRITER_QUEUE}")


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--since", help="Only articles published on or after this day (YYYY-MM-DD).")
@click.option("--from-raw", is_flag=True, help="Also re-extract the main text from the stored raw pages.")
@_task_runner_options
def reprocess(
    db_path: Path, since: str | None, from_raw: bool, runner_kind: str | None, dask_address: str | None
) -> None:
    """Re-derive entities and events of stored articles (after a gazetteer or rule change), offline."""
    from flows.settings import load_settings

    since_day = parse_day(since) if since else None
    settings = load_settings()
    kind, address = _runner_choice(runner_kind, dask_address, settings.ingest.task_runner)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("reprocessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, disable=not sys.stderr.isatty(), console=Console(stderr=True)) as bar:
        task_id = bar.add_task("articles", total=None)

        def progress(n: int) -> None:
            bar.advance(task_id, n)

        def total(n: int) -> None:
            bar.update(task_id, total=n)

        if kind == "dask":
            # NLP as tasks on Dask workers, in a Prefect flow (on threads, no Prefect is needed).
            prefect_defaults()
            from flows.reprocess import reprocess_flow
            from flows.task_runners import StaysHere, task_runner

            start_flow_run()
            on_dask = reprocess_flow().with_options(
                task_runner=task_runner(kind, workers=settings.ingest.worker_count, address=address))
            report = on_dask(str(db_path), since_day, from_raw, StaysHere(progress), StaysHere(total))
        else:
            from flows.reprocess import reprocess as run_here

            report = run_here(db_path, settings, since=since_day, from_raw=from_raw, progress=progress,
                              total=total)
    click.echo(f"reprocessed {report.articles} articles ({report.re_extracted} re-extracted from raw pages); "
               f"{report.events} events")


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unknown", is_flag=True, help="Only names the gazetteer does not know (to grow it).")
@click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def entities(db_path: Path, unknown: bool, limit: int, fmt: str) -> None:
    """Most frequent entities by articles mentioning them; --unknown lists those missing from the
    gazetteer."""
    from warehouse.annotations import top_entities, unknown_entities
    from warehouse.db import connect

    con = connect(db_path, read_only=True)
    try:
        if unknown:
            found = unknown_entities(con, limit=limit)
            rows = [(u.label, u.name, u.articles, u.mentions) for u in found]
        else:
            rows = top_entities(con, limit=limit)
    finally:
        con.close()
    echo_rows(["label", "name", "articles", "mentions"], rows, fmt)


cli.add_command(timeline_command)
cli.add_command(export_command)
cli.add_command(dashboard_command)


def main() -> None:
    """Console entry point: known errors become one line and exit status 1, never a traceback."""
    code = _run()
    set_exit_status(code)
    sys.exit(code)


def _run() -> int:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "newsignal"
        click.echo(f"error: {exc.format_message()} (see `{where} --help`)", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the CLI's last line of defence
        if os.environ.get("NEWSIGNAL_DEBUG"):
            raise
        known = isinstance(exc, _known_errors())
        hint = "" if known else " (set NEWSIGNAL_DEBUG=1 for a traceback)"
        click.echo(f"error: {one_line(exc)}{hint}", err=True)
        return 1
    return 0


def one_line(exc: BaseException) -> str:
    """The first line of an error's message; a file system error says which path and what to check."""
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        hint = ""
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            hint = " (check that this user may write there, or choose another path)"
        return f"{exc.strerror}: {exc.filename}{hint}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


if __name__ == "__main__":
    main()
