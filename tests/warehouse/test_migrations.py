from __future__ import annotations

import duckdb

from tests.sql import scalar
from warehouse.migrations import LATEST_VERSION, MIGRATIONS, applied_versions, apply_migrations

TIMELINE_COLUMNS = [
    "event_id", "event_date", "event_type", "stance", "actors", "evidence", "article_title", "article_url",
    "source", "published_at", "first_seen_at", "corroboration",
]  # the contract of issue 2; later migrations may only append columns


def versions_from(first: int) -> list[int]:
    """The versions from ``first`` on (numbers may skip: branches reserve theirs, see migrations.py)."""
    return [m.version for m in MIGRATIONS if m.version >= first]


def columns(con, relation: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM {relation} LIMIT 0").description]


def test_empty_file_upgrades_to_latest_and_records_each_version(db_path):
    con = duckdb.connect(str(db_path))
    assert applied_versions(con) == []
    assert apply_migrations(con) == [m.version for m in MIGRATIONS]
    assert applied_versions(con) == versions_from(1)
    assert apply_migrations(con) == []  # idempotent
    assert columns(con, "timeline")[:len(TIMELINE_COLUMNS)] == TIMELINE_COLUMNS
    assert columns(con, "article_entities") == ["article_url", "label", "name"]
    assert con.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'timeline' "
                       "AND column_name = 'actors'").fetchone() == ("VARCHAR[]",)


def test_upgrade_from_v1_keeps_data_and_backfills_evidence(db_path):
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con, up_to=1) == [1]
    con.execute("""INSERT INTO articles (article_id, url, title, source, text, first_seen_at)
                   VALUES ('a1', 'https://x.example/a', 'T', 'Outlet', 'Body.', now())""")
    con.execute("""INSERT INTO events VALUES ('e1', 'a1', 'pricing', 'asserted', ['Acme'], DATE '2026-11-20',
                   'Acme cut prices.', 0, 16, 0.8, 'v1', now())""")
    con.close()

    con = duckdb.connect(str(db_path))
    assert apply_migrations(con) == versions_from(2)
    assert con.execute("SELECT event_id, ordinal, sentence FROM event_evidence").fetchall() == [
        ("e1", 0, "Acme cut prices.")]
    assert con.execute("SELECT article_title, source, corroboration FROM timeline").fetchall() == [
        ("T", "Outlet", 1)]
    assert "document_sha256" in columns(con, "articles")


def test_failed_migration_leaves_previous_version(db_path, monkeypatch):
    import warehouse.migrations as m

    broken = m.Migration(LATEST_VERSION + 1, "broken",
                         ("CREATE TABLE ok_then (x INT)", "SELECT * FROM nowhere"))
    monkeypatch.setattr(m, "MIGRATIONS", (*m.MIGRATIONS, broken))
    con = duckdb.connect(str(db_path))
    try:
        m.apply_migrations(con)
    except duckdb.Error:
        pass
    else:
        raise AssertionError("the broken migration should raise")
    assert applied_versions(con) == versions_from(1)
    assert scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ok_then'") == 0


def test_upgrade_from_v3_adds_roles_and_keeps_the_timeline_contract(db_path):
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con, up_to=3) == [1, 2, 3]
    v3_columns = columns(con, "timeline")
    con.execute("""INSERT INTO articles (article_id, url, title, source, text, first_seen_at)
                   VALUES ('a1', 'https://x.example/a', 'T', 'Outlet', 'Body.', now())""")
    con.execute("""INSERT INTO events (event_id, article_id, event_type, stance, actors, event_date, evidence,
                   evidence_start, evidence_end, confidence, extractor_version, created_at)
                   VALUES ('e1', 'a1', 'pricing', 'asserted', ['Acme'], DATE '2026-11-20', 'Acme cut prices.',
                   0, 16, 0.8, 'v1', now())""")
    con.close()

    con = duckdb.connect(str(db_path))
    assert apply_migrations(con) == versions_from(4)
    assert columns(con, "timeline")[:len(v3_columns)] == v3_columns  # every column it had, in order
    assert columns(con, "timeline")[len(v3_columns):] == ["initiator", "targets"]
    # An event read before roles existed: no initiator and no targets until `newsignal reprocess`.
    assert con.execute("SELECT event_id, actors, initiator, targets FROM timeline").fetchall() == [
        ("e1", ["Acme"], None, [])]
    assert columns(con, "event_roles") == ["event_id", "role", "name", "label", "ordinal"]
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'timeline'").fetchall())
    assert (types["initiator"], types["targets"]) == ("VARCHAR", "VARCHAR[]")


def test_upgrade_from_v4_appends_the_signal_headline(db_path):
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con, up_to=4) == [1, 2, 3, 4]
    v4_columns = columns(con, "signals")
    con.close()
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con) == versions_from(5)
    assert columns(con, "signals") == [*v4_columns, "headline"]
    assert "headline" in columns(con, "signal_state")


def test_upgrade_from_v5_marks_every_stored_article_full_length(db_path):
    con = duckdb.connect(str(db_path))
    assert apply_migrations(con, up_to=5) == [1, 2, 3, 4, 5]
    con.execute("""INSERT INTO articles (article_id, url, title, source, text, first_seen_at)
                   VALUES ('a1', 'https://x.example/a', 'T', 'Outlet', 'Body.', now())""")
    con.close()
    con = duckdb.connect(str(db_path))
    assert 7 in apply_migrations(con)
    assert con.execute("SELECT article_id, title, short FROM articles").fetchall() == [("a1", "T", False)]
    con.execute("""INSERT INTO articles (article_id, url, title, source, text, first_seen_at)
                   VALUES ('a2', 'https://x.example/b', 'T', 'Outlet', 'Body.', now())""")
    assert scalar(con, "SELECT short FROM articles WHERE article_id = 'a2'") is False  # the default
