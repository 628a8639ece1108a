"""Timeline filters, entity resolution and exports, on a real DuckDB file."""

from __future__ import annotations

import csv
import json
from datetime import date

import duckdb
import pytest

from extractors.gazetteer import entity_names_for as names_in_gazetteer
from flows.dashboard.sample import build_sample
from flows.settings import config_dir
from warehouse.dashboard import (
    DashboardModel,
    counts_by_day_and_type,
    entity_briefing,
    events_page,
    filter_options,
)
from warehouse.db import connect
from warehouse.timeline import TimelineFilter, export_table, stored_entity_names, timeline_rows


def entity_names_for(name: str) -> tuple[str, ...]:
    return names_in_gazetteer(name, config_dir())



@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_sample(tmp_path_factory.mktemp("aq") / "newsignal.duckdb")
    c = connect(path, read_only=True)
    yield c
    c.close()


def slugs(rows, columns) -> set[str]:
    at = columns.index("article_url")
    return {r[at].rsplit("/", 1)[-1] for r in rows}


@pytest.mark.parametrize("name", ["Moonshot AI", "moonshot ai", "MOONSHOT", "Moonshot"])
def test_entity_matches_canonical_names_and_aliases_in_any_case(con, name):
    columns, rows = timeline_rows(con, TimelineFilter(entity_names=entity_names_for(name)))
    assert slugs(rows, columns) == {"openai-accuses-moonshot", "moonshot-denies", "garante-blocks-kimi",
                                    "openai-memo-moonshot"}


def test_an_entity_unknown_to_the_gazetteer_matches_its_stored_name(con):
    names = entity_names_for("garante")  # not a gazetteer name: matched as stored, ignoring case
    assert names == ("garante",)
    assert len(timeline_rows(con, TimelineFilter(entity_names=names))[1]) == 1
    assert stored_entity_names(con, ["GARANTE", "nobody"]) == ["Garante"]


def test_filters_combine(con):
    f = TimelineFilter(entity_names=entity_names_for("OpenAI"), event_type="distillation_claim",
                       stance="alleged", since=date(2026, 11, 15), until=date(2026, 11, 17),
                       source="MODELWATCH")
    columns, rows = timeline_rows(con, f)
    assert slugs(rows, columns) == {"openai-memo-moonshot"}
    assert len(timeline_rows(con, TimelineFilter(until=date(2026, 11, 11)))[1]) == 3  # until is inclusive
    columns, rows = timeline_rows(con, TimelineFilter(limit=2))
    assert [r[columns.index("event_date")] for r in rows] == [date(2026, 11, 17)] * 2  # newest first


def test_values_are_bound_not_pasted(con):
    hostile = "x' OR 1=1 --"
    for f in (TimelineFilter(entity_names=(hostile,)), TimelineFilter(source=hostile),
              TimelineFilter(event_type=hostile), TimelineFilter(stance=hostile)):
        assert timeline_rows(con, f)[1] == []


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
@pytest.mark.parametrize("what,rows", [("timeline", 13), ("events", 13), ("entities", 17), ("articles", 12)])
def test_export_writes_every_row(con, tmp_path, fmt, what, rows):
    out = tmp_path / f"{what}.{fmt}"
    assert export_table(con, what, fmt, out) == rows
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind
    if fmt == "parquet":
        count = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()
        assert count == (rows,)
    elif fmt == "csv":
        with out.open(newline="") as fh:
            assert len(list(csv.DictReader(fh))) == rows
    else:
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(records) == rows
        if what == "events":
            claim = next(r for r in records if len(r["evidence_sentences"]) == 2)
            assert claim["evidence_sentences"][0] == claim["evidence"]


def test_dashboard_queries_agree_with_the_timeline(con):
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    model = DashboardModel(path)
    con = model.cursor()
    f = TimelineFilter(stance="alleged")
    assert sum(c.events for c in counts_by_day_and_type(con, f)) == 3
    page = events_page(con, f, limit=2)
    assert [e.event_date for e in page] == [date(2026, 11, 17), date(2026, 11, 15)]
    options = filter_options(con)
    assert (options.first_day, options.last_day) == (date(2026, 11, 10), date(2026, 11, 17))
    assert dict(options.stances) == {"asserted": 9, "alleged": 3, "denied": 1}
    b = entity_briefing(con, entity_names_for("deepseek"))
    assert (b.names, b.events, b.first_day, b.last_day) == (
        ("DeepSeek",), 3, date(2026, 11, 10), date(2026, 11, 15)
    )
    assert dict(b.co_actors)["Zhipu AI"] == 1 and "DeepSeek" not in dict(b.co_actors)
    assert [e.event_date for e in b.recent] == [date(2026, 11, 15), date(2026, 11, 12), date(2026, 11, 10)]
    page = events_page(con, TimelineFilter(entity_names=("moonshot ai",)))
    assert [len(e.evidence) for e in page] == [1, 1, 1, 2]
    con.close()
    model.close()


def test_the_entity_filter_uses_stored_spellings_and_falls_back_to_a_scan(con):
    both = TimelineFilter(entity_names=entity_names_for("openai"))
    unstored = TimelineFilter(entity_names=("fund x",))  # never stored as an entity: the slow path
    assert len(timeline_rows(con, both)[1]) == 3
    assert timeline_rows(con, unstored)[1] == []
