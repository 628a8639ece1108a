"""docs/schema.md stays complete and its example queries keep working.

Every column of every table and view in a freshly built database must be listed under
its ``### name`` heading (and nothing listed there may be missing from the database);
every ```sql block runs. Both on the hand-written sample warehouse and on the demo database
(built once per session, see tests/conftest.py; a failed build fails the ``[demo]`` tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.dashboard.sample import build_sample
from warehouse.db import connect

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
TEXT = DOC.read_text(encoding="utf-8")
QUERIES = re.findall(r"^### (\d+\. .+?)\n.*?```sql\n(.*?)```", TEXT, flags=re.S | re.M)


def documented_columns() -> dict[str, set[str]]:
    """``### relation`` heading -> the backticked names in the first column of its table."""
    out: dict[str, set[str]] = {}
    for heading, body in re.findall(r"^### (\w+)\n(.*?)(?=^##)", TEXT, flags=re.S | re.M):
        out[heading] = set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))
    return out


@pytest.fixture(scope="module", params=["sample", pytest.param("demo", marks=pytest.mark.slow)])
def database(request, tmp_path_factory) -> Path:
    if request.param == "sample":
        return build_sample(tmp_path_factory.mktemp("sample") / "newsignal.duckdb")
    # The demo runs Prefect and spaCy: `newsignal demo` in its own process, as a user would, once per session.
    return request.getfixturevalue("demo_build").db


def test_the_doc_has_ten_numbered_queries():
    assert [title.split(".")[0] for title, _ in QUERIES] == [str(i) for i in range(1, 11)]


def test_every_column_in_the_database_is_documented(database):
    con = connect(database, read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
        ).fetchall()
    finally:
        con.close()
    actual: dict[str, set[str]] = {}
    for table, column in rows:
        actual.setdefault(table, set()).add(column)
    documented = documented_columns()
    missing = {t: sorted(cols - documented.get(t, set())) for t, cols in actual.items()}
    assert {t: c for t, c in missing.items() if c} == {}, "add these to docs/schema.md"
    stale = {t: sorted(documented[t] - cols) for t, cols in actual.items() if t in documented}
    assert {t: c for t, c in stale.items() if c} == {}, "docs/schema.md lists columns the database lacks"


@pytest.mark.parametrize("title,sql", QUERIES, ids=[t.split(".")[0] for t, _ in QUERIES])
def test_example_query_runs(database, title, sql):
    con = connect(database, read_only=True)
    try:
        cur = con.execute(sql)
        assert cur.description, title
        cur.fetchall()
    finally:
        con.close()


def test_example_queries_answer_on_the_sample(tmp_path):
    """A few answers the sample's hand-written articles determine."""
    con = connect(build_sample(tmp_path / "s.duckdb"), read_only=True)
    sql = {t.split(".")[0]: q for t, q in QUERIES}
    try:
        by_month = con.execute(sql["1"]).fetchall()
        months = [(m.isoformat()[:7], n, firms) for m, n, firms in by_month]
        assert months == [("2026-11", 2, ["DeepSeek", "Zhipu AI"])]
        accused = con.execute(sql["2"]).fetchall()
        assert [(a, n) for a, n, *_ in accused] == [("Moonshot AI", 2), ("DeepSeek", 1)]
        first = {model: outlet for model, outlet, *_ in con.execute(sql["3"]).fetchall()}
        assert first == {"GLM-5": "Pacific Stack", "Gemini 3": "Frontier Dispatch"}
        answered = con.execute(sql["4"]).fetchall()
        assert [(r[3], r[5]) for r in answered] == [("Circuit Ledger", "Pacific Stack")]
        assert all(r[-1] for r in con.execute(sql["8"]).fetchall())  # offsets point at the sentences
    finally:
        con.close()
