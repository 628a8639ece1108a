"""``newsignal timeline`` and ``newsignal export`` as a user runs them: a real process, a real file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.dashboard.sample import build_sample

NEWSIGNAL = [sys.executable, "-c", "from flows.cli.main import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSIGNAL, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("cli") / "newsignal.duckdb")


def test_timeline_json_by_alias_type_and_dates(db):
    r = run("timeline", "--db", str(db), "--entity", "z.ai", "--type", "model_launch", "--since",
            "2026-11-12", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["event_date"], x["source"], x["actors"]) for x in rows] == [
        ("2026-11-12", "Modelwatch", ["Zhipu AI", "GLM-5"])]


def test_timeline_csv_limit_and_source(db):
    r = run("timeline", "--db", str(db), "--source", "circuit ledger", "--format", "csv", "--limit", "2")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.returncode == 0 and len(rows) == 2 and {x["source"] for x in rows} == {"Circuit Ledger"}
    assert rows[0]["event_date"] == "2026-11-17"


def test_timeline_table_and_unknown_entity_note(db):
    r = run("timeline", "--db", str(db), "--entity", "Nobody Corp", "--stance", "denied")
    assert r.returncode == 0 and "no entity called 'Nobody Corp'" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["--since", "17/11/2026"], "error: --since must be YYYY-MM-DD"),
    (["--since", "2026-11-17", "--until", "2026-11-10"], "error: --since 2026-11-17 is after --until"),
    (["--stance", "rumoured"], "error: Invalid value for '--stance'"),
])
def test_timeline_errors_are_one_line(db, args, message):
    r = run("timeline", "--db", str(db), *args)
    assert r.returncode != 0 and r.stderr.startswith(message) and len(r.stderr.strip().splitlines()) == 1


def test_missing_database_is_one_line_error(tmp_path):
    r = run("timeline", "--db", str(tmp_path / "none.duckdb"))
    assert r.returncode == 1 and r.stderr.startswith("error: no database at")


def test_export_infers_the_format_from_the_suffix(db, tmp_path):
    r = run("export", "--db", str(db), "--what", "entities", "--out", str(tmp_path / "entities.jsonl"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote 17 entities rows to {tmp_path / 'entities.jsonl'} (jsonl)"
    first = json.loads((tmp_path / "entities.jsonl").read_text().splitlines()[0])
    assert (first["name"], first["articles"]) == ("Moonshot AI", 4)
    r = run("export", "--db", str(db), "--what", "events", "--out", str(tmp_path / "events.txt"))
    assert r.returncode == 1 and "pass --format" in r.stderr


def test_analyst_commands_import_neither_prefect_nor_spacy(db):
    probe = ("import sys; from click.testing import CliRunner; from flows.cli.main import cli; "
             f"r = CliRunner().invoke(cli, ['timeline', '--db', {str(db)!r}, '--format', 'json']); "
             "assert r.exit_code == 0, r.output; "
             "print(sorted(m for m in ('prefect', 'spacy') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
