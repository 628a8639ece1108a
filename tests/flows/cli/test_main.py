"""The command line as a user meets it: help everywhere, one-line errors, cheap commands stay cheap."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from flows.cli.main import cli
from warehouse.polls import write_polls
from warehouse.records import FeedPoll, FeedSpec
from warehouse.writer import writer

COMMANDS = ["demo", "ingest", "digest", "query", "status", "eval", "reprocess", "entities", "serve", "feeds",
            "timeline", "export", "dashboard"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_status_lists_failing_feeds_first_with_their_error(db_path):
    now = datetime(2026, 11, 20, 8, tzinfo=UTC)
    with writer(db_path) as con:
        write_polls(con, [
            FeedPoll(feed=FeedSpec("Zeta Good", "http://127.0.0.1/z.xml"), polled_at=now, status=200),
            FeedPoll(feed=FeedSpec("Alpha Broken", "http://127.0.0.1/a.xml"), polled_at=now, status=404,
                     error_kind="not_found", error="HTTP 404 from 127.0.0.1"),
        ])
    result = run("status", "--db", str(db_path))
    assert result.returncode == 0
    first, second = result.stdout.splitlines()
    assert first.startswith("FAILING x1") and "Alpha Broken" in first and "not_found: HTTP 404" in first
    assert second.startswith("ok") and "Zeta Good" in second


def test_query_is_read_only_and_errors_are_one_line(db_path):
    with writer(db_path):
        pass
    ok = run("query", "--db", str(db_path), "--format", "csv", "SELECT count(*) AS n FROM timeline")
    assert ok.returncode == 0 and ok.stdout.splitlines() == ["n", "0"]
    for args in (["query", "--db", str(db_path), "DELETE FROM feeds"],
                 ["query", "--db", str(db_path), "SELEC nonsense"],
                 ["status", "--db", str(db_path.with_name("missing.duckdb"))],
                 ["digest", "--db", str(db_path), "--date", "20/11/2026", "--out", "x"],
                 ["ingest", "--feeds", str(db_path.with_name("nope.toml")), "--db", str(db_path)]):
        bad = run(*args)
        assert bad.returncode != 0, args
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, bad.stderr)
        assert "Traceback" not in bad.stderr


def test_commands_without_a_flow_import_neither_prefect_nor_spacy(db_path):
    with writer(db_path):
        pass
    probe = ("import sys; from flows.cli.main import main; "
             "sys.argv = ['newsignal', 'status', '--db', sys.argv[1]];\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('prefect', 'spacy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe, str(db_path)], capture_output=True, text=True,
                         timeout=60)
    assert "LOADED []" in out.stdout, out.stdout + out.stderr
