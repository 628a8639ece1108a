"""Text stored by the writer carries no control characters, whichever record brought it."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from extractors.models import ArticleText, FeedEntry
from warehouse.polls import write_polls
from warehouse.records import ArticleRecord, EntryFailure, FeedPoll, FeedSpec, FetchRecord
from warehouse.writer import writer

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
DIRTY = "Acme\x1b[2J\x1b]0;owned\x07 cuts\x00 prices\x08\x7f \x9b31mtoday\r\nnow\x1bc"
ONE_LINE = {("articles", "title"), ("articles", "author"), ("entries", "title"), ("feeds", "name"),
            ("feeds", "title"), ("feeds", "last_error"), ("feeds", "last_warning"), ("fetches", "error"),
            ("entries", "failure_message")}


def stored_text(con) -> dict[tuple[str, str], list[str]]:
    """Every VARCHAR value of every table, by (table, column)."""
    columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE t.table_type = 'BASE TABLE' AND c.data_type = 'VARCHAR'"
    ).fetchall()
    out = {}
    for table, column in columns:
        values = con.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
        out[(table, column)] = [v[0] for v in values]
    return out


def test_every_stored_string_is_clean(db_path):
    feed = FeedSpec(f"Outlet {DIRTY}", "http://127.0.0.1/a.xml", owner=DIRTY)
    url = "https://news.example/acme"
    polls = [
        FeedPoll(feed=feed, polled_at=NOW, status=200, warning=DIRTY, feed_title=DIRTY,
                 entries=(FeedEntry("k1", "g1", url, DIRTY, DIRTY, DIRTY, DIRTY, NOW),
                          FeedEntry("k2", "g2", url + "/2", DIRTY, DIRTY, "", None, NOW)),
                 articles=(ArticleRecord(ArticleText(url, DIRTY, f"{DIRTY}\n\n{DIRTY}", author=DIRTY),
                                         feed.name, feed.url, "k1", "f1", None),),
                 failures=(EntryFailure(feed.url, "k2", url + "/2", "not_found", DIRTY),),
                 fetches=(FetchRecord("f1", url, "article", NOW, 404, "not_found", DIRTY),)),
        FeedPoll(feed=FeedSpec("Broken", "http://127.0.0.1/b.xml"), polled_at=NOW, status=None,
                 error_kind="not_a_feed", error=DIRTY),
    ]
    with writer(db_path) as con:
        write_polls(con, polls)
        stored = stored_text(con)
    seen = 0
    for (table, column), values in stored.items():
        for value in values:
            allowed = "" if (table, column) in ONE_LINE else "\n\t"
            assert all(unicodedata.category(ch) != "Cc" or ch in allowed for ch in value), (table, column,
                                                                                            value)
            seen += "Acme cuts prices" in value
    assert seen >= 10  # the words themselves were kept
    assert stored[("articles", "text")] == ["Acme cuts prices today\nnow\n\nAcme cuts prices today\nnow"]
    assert stored[("articles", "title")] == ["Acme cuts prices today now"]
