"""`newsignal ingest` polls only the feeds that are due; `--all` polls every feed now."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flows.cli.main import cli

pytestmark = pytest.mark.slow


def test_a_429_with_retry_after_is_left_alone_until_then_and_all_polls_it(loopback, tmp_path):
    limited = loopback.add("/limited.xml", status=429, headers={"Retry-After": "3600"})
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nname = "limited"\nurl = "{limited}"\n')
    db = tmp_path / "n.duckdb"
    args = ["ingest", "--feeds", str(feeds), "--db", str(db)]
    runner = CliRunner()

    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert loopback.hits("/limited.xml") == 1  # a server asking for an hour is not retried within the run

    second = runner.invoke(cli, args)  # as a cron job half an hour later would
    assert second.exit_code == 0, second.output
    assert loopback.hits("/limited.xml") == 1
    assert "1 feed(s) not due yet" in second.output
    assert "feeds polled 0" in second.output

    forced = runner.invoke(cli, [*args, "--all"])
    assert forced.exit_code == 0, forced.output
    assert loopback.hits("/limited.xml") == 2
    assert "feeds polled 1" in forced.output


def test_all_and_due_only_together_are_a_usage_error(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "x"\nurl = "http://127.0.0.1:9/x.xml"\n')
    result = CliRunner().invoke(cli, ["ingest", "--feeds", str(feeds), "--db", str(tmp_path / "n.duckdb"),
                                      "--all", "--due-only"])
    assert result.exit_code == 2
    assert "contradict" in result.output
