"""Named, ordered schema migrations, recorded in ``schema_migrations``.

Each migration runs in its own transaction together with the row that records
it, so a crash leaves the schema at a whole version. Never edit a migration
that has shipped: add the next one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from warehouse.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


# The two views outside tools depend on. Column names and order are a public
# contract (docs/schema.md); extend with care.
TIMELINE_V1 = """
CREATE OR REPLACE VIEW timeline AS
SELECT e.event_id,
       e.event_date,
       e.event_type,
       e.stance,
       e.actors,
       e.evidence,
       a.title         AS article_title,
       a.url           AS article_url,
       a.source,
       a.published_at,
       a.first_seen_at,
       1               AS corroboration   -- distinct outlets; 1 until stories are clustered
FROM events e
JOIN articles a USING (article_id)
"""

ARTICLE_ENTITIES_V1 = """
CREATE OR REPLACE VIEW article_entities AS
SELECT DISTINCT a.url AS article_url, m.label, m.name
FROM mentions m
JOIN articles a USING (article_id)
"""

# Migration 3: the timeline gains each event's story and signal, and corroboration becomes the
# signal's count of independent outlets (1 until the event is placed in a signal). The first
# twelve columns keep their names and order.
TIMELINE_V3 = """
CREATE OR REPLACE VIEW timeline AS
SELECT e.event_id,
       e.event_date,
       e.event_type,
       e.stance,
       e.actors,
       e.evidence,
       a.title         AS article_title,
       a.url           AS article_url,
       a.source,
       a.published_at,
       a.first_seen_at,
       coalesce(ss.corroboration, 1) AS corroboration,   -- independent outlets of the event's signal
       ast.story_id,
       se.signal_id
FROM events e
JOIN articles a ON a.article_id = e.article_id
LEFT JOIN article_stories ast ON ast.article_id = e.article_id
LEFT JOIN signal_events se ON se.event_id = e.event_id
LEFT JOIN signal_state ss ON ss.signal_id = se.signal_id
"""

# One row per signal (extractors/signals.py decides membership and the roll-up; warehouse/stories.py
# stores it). The first nine columns are the public contract; the rest are extra detail.
SIGNALS_V3 = """
CREATE OR REPLACE VIEW signals AS
SELECT signal_id,
       event_type,
       actors,
       first_seen,
       last_seen,
       corroboration,
       stance_summary,
       best_evidence,
       sources,
       status,
       alleged_by,
       denied_by,
       best_event_id,
       event_count,
       article_count,
       story_count
FROM signal_state
"""

# Migration 4: who plays which role. The timeline keeps its fourteen columns and gains the event's
# initiator and targets (NULL and [] for events read before roles existed, until `newsignal reprocess`).
TIMELINE_V4 = """
CREATE OR REPLACE VIEW timeline AS
SELECT e.event_id,
       e.event_date,
       e.event_type,
       e.stance,
       e.actors,
       e.evidence,
       a.title         AS article_title,
       a.url           AS article_url,
       a.source,
       a.published_at,
       a.first_seen_at,
       coalesce(ss.corroboration, 1) AS corroboration,   -- independent outlets of the event's signal
       ast.story_id,
       se.signal_id,
       e.initiator,
       coalesce(e.targets, []::VARCHAR[]) AS targets
FROM events e
JOIN articles a ON a.article_id = e.article_id
LEFT JOIN article_stories ast ON ast.article_id = e.article_id
LEFT JOIN signal_events se ON se.event_id = e.event_id
LEFT JOIN signal_state ss ON ss.signal_id = se.signal_id
"""

# Migration 5: each signal's headline, written from its roles (extractors.signals.role_headline); the view
# keeps its columns and appends it. NULL until the signal is next updated (or `newsignal reprocess`).
SIGNALS_V5 = """
CREATE OR REPLACE VIEW signals AS
SELECT signal_id,
       event_type,
       actors,
       first_seen,
       last_seen,
       corroboration,
       stance_summary,
       best_evidence,
       sources,
       status,
       alleged_by,
       denied_by,
       best_event_id,
       event_count,
       article_count,
       story_count,
       headline
FROM signal_state
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "core_tables",
        (
            """
            CREATE TABLE feeds (
                url                  VARCHAR PRIMARY KEY,
                name                 VARCHAR NOT NULL,
                tags                 VARCHAR[],
                owner                VARCHAR,
                title                VARCHAR,
                etag                 VARCHAR,
                last_modified        VARCHAR,
                last_polled_at       TIMESTAMP,
                last_status          INTEGER,
                last_error_kind      VARCHAR,
                last_error           VARCHAR,
                last_warning         VARCHAR,
                last_success_at      TIMESTAMP,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                next_poll_at         TIMESTAMP,
                added_at             TIMESTAMP NOT NULL
            )
            """,
            """
            CREATE TABLE fetches (
                fetch_id       VARCHAR PRIMARY KEY,
                url            VARCHAR NOT NULL,
                kind           VARCHAR NOT NULL,
                feed_url       VARCHAR,
                started_at     TIMESTAMP NOT NULL,
                status         INTEGER,
                error_kind     VARCHAR,
                error          VARCHAR,
                content_sha256 VARCHAR,
                content_type   VARCHAR,
                bytes          BIGINT,
                elapsed_ms     INTEGER
            )
            """,
            """
            CREATE TABLE entries (
                feed_url        VARCHAR NOT NULL,
                entry_key       VARCHAR NOT NULL,
                guid            VARCHAR,
                link            VARCHAR,
                title           VARCHAR,
                summary         VARCHAR,
                published_at    TIMESTAMP,
                first_seen_at   TIMESTAMP NOT NULL,
                article_url     VARCHAR,
                status          VARCHAR NOT NULL,
                failure_reason  VARCHAR,
                failure_message VARCHAR,
                PRIMARY KEY (feed_url, entry_key)
            )
            """,
            """
            CREATE TABLE articles (
                article_id        VARCHAR PRIMARY KEY,
                url               VARCHAR NOT NULL UNIQUE,
                title             VARCHAR,
                author            VARCHAR,
                source            VARCHAR NOT NULL,
                feed_url          VARCHAR,
                published_at      TIMESTAMP,
                language          VARCHAR,
                text              VARCHAR NOT NULL,
                fetched_url       VARCHAR,
                fetch_id          VARCHAR,
                from_feed         BOOLEAN NOT NULL DEFAULT false,
                first_seen_at     TIMESTAMP NOT NULL,
                extractor_version VARCHAR
            )
            """,
            """
            CREATE TABLE entities (
                label         VARCHAR NOT NULL,
                name          VARCHAR NOT NULL,
                known         BOOLEAN NOT NULL,
                first_seen_at TIMESTAMP NOT NULL,
                PRIMARY KEY (label, name)
            )
            """,
            """
            CREATE TABLE mentions (
                article_id VARCHAR NOT NULL,
                label      VARCHAR NOT NULL,
                name       VARCHAR NOT NULL,
                surface    VARCHAR NOT NULL,
                start_char INTEGER NOT NULL,
                end_char   INTEGER NOT NULL,
                known      BOOLEAN NOT NULL
            )
            """,
            """
            CREATE TABLE events (
                event_id          VARCHAR PRIMARY KEY,
                article_id        VARCHAR NOT NULL,
                event_type        VARCHAR NOT NULL,
                stance            VARCHAR NOT NULL CHECK (stance IN ('asserted', 'alleged', 'denied')),
                actors            VARCHAR[] NOT NULL,
                event_date        DATE NOT NULL,
                evidence          VARCHAR NOT NULL,
                evidence_start    INTEGER NOT NULL,
                evidence_end      INTEGER NOT NULL,
                confidence        DOUBLE NOT NULL CHECK (confidence BETWEEN 0 AND 1),
                extractor_version VARCHAR NOT NULL,
                created_at        TIMESTAMP NOT NULL
            )
            """,
            TIMELINE_V1,
            ARTICLE_ENTITIES_V1,
        ),
    ),
    Migration(
        2,
        "raw_documents_evidence_digests",
        (
            # Raw bytes of every fetched page, gzip-compressed and keyed by the SHA-256
            # of the uncompressed body, so extraction can be re-run without the network.
            """
            CREATE TABLE documents (
                sha256       VARCHAR PRIMARY KEY,
                body_gz      BLOB NOT NULL,
                content_type VARCHAR,
                size         BIGINT NOT NULL,
                stored_at    TIMESTAMP NOT NULL
            )
            """,
            "ALTER TABLE articles ADD COLUMN document_sha256 VARCHAR",
            # Every sentence an event was read from; events.evidence keeps the best one.
            """
            CREATE TABLE event_evidence (
                event_id   VARCHAR NOT NULL,
                ordinal    INTEGER NOT NULL,
                sentence   VARCHAR NOT NULL,
                start_char INTEGER NOT NULL,
                end_char   INTEGER NOT NULL,
                PRIMARY KEY (event_id, ordinal)
            )
            """,
            """
            INSERT INTO event_evidence
            SELECT event_id, 0, evidence, evidence_start, evidence_end FROM events
            """,
            # One row per digest delivered (or attempted), so a date is sent once per recipient list.
            """
            CREATE TABLE digests (
                digest_date DATE NOT NULL,
                recipients  VARCHAR NOT NULL,
                status      VARCHAR NOT NULL,
                subject     VARCHAR,
                attempts    INTEGER NOT NULL DEFAULT 0,
                last_error  VARCHAR,
                sent_at     TIMESTAMP,
                PRIMARY KEY (digest_date, recipients)
            )
            """,
        ),
    ),
    Migration(
        3,
        "stories_signals",
        (
            # A story is one piece of reporting however many outlets carry it (extractors/stories.py).
            # story_id is the article_id of its first stored member; the row is refreshed as members join.
            """
            CREATE TABLE stories (
                story_id           VARCHAR PRIMARY KEY,
                title              VARCHAR,
                first_published_at TIMESTAMP NOT NULL,
                last_published_at  TIMESTAMP NOT NULL,
                article_count      INTEGER NOT NULL,
                source_count       INTEGER NOT NULL,
                updated_at         TIMESTAMP NOT NULL
            )
            """,
            # Each article's story, with its MinHash signature so later articles are matched
            # without re-hashing history. published_at is coalesce(published_at, first_seen_at):
            # the key of the 14-day candidate window. scheme names the hashing parameters.
            """
            CREATE TABLE article_stories (
                article_id         VARCHAR PRIMARY KEY,
                story_id           VARCHAR NOT NULL,
                published_at       TIMESTAMP NOT NULL,
                matched_article_id VARCHAR,
                jaccard            DOUBLE,
                shingles           INTEGER NOT NULL,
                signature          BLOB NOT NULL,
                scheme             VARCHAR NOT NULL,
                assigned_at        TIMESTAMP NOT NULL
            )
            """,
            # LSH band keys: articles sharing a key are candidate copies. Finding candidates is a
            # join on band_key bounded by published_at, so no run loads the whole window.
            """
            CREATE TABLE story_bands (
                band_key     BIGINT NOT NULL,
                article_id   VARCHAR NOT NULL,
                published_at TIMESTAMP NOT NULL
            )
            """,
            # Signal membership: every event is in at most one signal (signal_id = first member's event_id).
            """
            CREATE TABLE signal_events (
                event_id        VARCHAR PRIMARY KEY,
                signal_id       VARCHAR NOT NULL,
                linked_event_id VARCHAR,
                assigned_at     TIMESTAMP NOT NULL
            )
            """,
            # The roll-up of each signal, recomputed whenever its membership changes.
            """
            CREATE TABLE signal_state (
                signal_id      VARCHAR PRIMARY KEY,
                event_type     VARCHAR NOT NULL,
                actors         VARCHAR[] NOT NULL,
                first_seen     TIMESTAMP NOT NULL,
                last_seen      TIMESTAMP NOT NULL,
                corroboration  INTEGER NOT NULL,
                status         VARCHAR NOT NULL,
                stance_summary VARCHAR NOT NULL,
                alleged_by     VARCHAR[] NOT NULL,
                denied_by      VARCHAR[] NOT NULL,
                best_event_id  VARCHAR NOT NULL,
                best_evidence  VARCHAR NOT NULL,
                sources        STRUCT(source VARCHAR, title VARCHAR, url VARCHAR)[] NOT NULL,
                event_count    INTEGER NOT NULL,
                article_count  INTEGER NOT NULL,
                story_count    INTEGER NOT NULL
            )
            """,
            SIGNALS_V3,
            TIMELINE_V3,
        ),
    ),
    Migration(
        4,
        "event_roles",
        (
            # One row per role holder of an event (roles per type: config/event_types.toml). name is the
            # canonical entity name, or for an item (chips, weights) the words as written; label says which.
            """
            CREATE TABLE event_roles (
                event_id VARCHAR NOT NULL,
                role     VARCHAR NOT NULL,
                name     VARCHAR NOT NULL,
                label    VARCHAR NOT NULL,
                ordinal  INTEGER NOT NULL,
                PRIMARY KEY (event_id, role, name)
            )
            """,
            "ALTER TABLE events ADD COLUMN initiator VARCHAR",
            "ALTER TABLE events ADD COLUMN targets VARCHAR[]",
            TIMELINE_V4,
        ),
    ),
    Migration(5, "signal_headlines", ("ALTER TABLE signal_state ADD COLUMN headline VARCHAR", SIGNALS_V5)),
    # Short news briefs are stored, marked: main text under [ingest] min_article_chars, when neither the
    # page nor the feed had more. Every article stored before was of full length.
    Migration(7, "short_articles", (
        "ALTER TABLE articles ADD COLUMN short BOOLEAN DEFAULT false",
        "UPDATE articles SET short = false WHERE short IS NULL",
    )),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       VARCHAR NOT NULL,
            applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )
        """
    )


def applied_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Versions recorded as applied, ascending; [] for a database never migrated."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    rows = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [row[0] for row in rows]


def apply_migrations(con: duckdb.DuckDBPyConnection, *, up_to: int | None = None) -> list[int]:
    """Apply every migration not yet recorded (up to ``up_to``); returns the versions applied."""
    done = set(applied_versions(con))
    pending = [m for m in MIGRATIONS if m.version not in done and (up_to is None or m.version <= up_to)]
    if not pending:
        return []
    _ensure_ledger(con)
    applied = []
    for migration in pending:
        with transaction(con):
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
        log.info("applied migration %03d_%s", migration.version, migration.name)
        applied.append(migration.version)
    return applied
