"""Schema migrations, applied in order and recorded in ``PRAGMA user_version``.

They are written in SQLite's dialect; on PostgreSQL ``dialect.translate_ddl`` rewrites them
(types, identity keys) and the version lives in a ``schema_version`` table
(``postgres.migrate``). ``POSTGRES_VARIANTS`` replaces the few that have no translation.

A migration is only ever appended: a database created by any earlier version upgrades by
running the ones it has not seen, each in its own transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Final

# Full-text search over articles (FTS5, external content kept in step by triggers).
FTS_MIGRATION: Final = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
"""

# Migration number -> its SQL on PostgreSQL, where the SQLite text has no translation.
POSTGRES_VARIANTS: Final[dict[int, str]] = {
    # FTS5 is SQLite's; the web UI that searches it serves SQLite databases only.
    5: "SELECT 1",
    # 15: the full-text index PostgreSQL searches (store.fulltext.PG_SEARCH_VECTOR, verbatim).
    15: "CREATE INDEX articles_search ON articles USING GIN "
    "(to_tsvector('simple'::regconfig, title || ' ' || text))",
}

MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: articles, the boilerplate removed from them, and rejected inputs.
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        raw_text TEXT NOT NULL,
        source TEXT,
        url TEXT,
        published TEXT,
        published_source TEXT NOT NULL DEFAULT 'unknown',
        published_confidence REAL NOT NULL DEFAULT 0,
        language TEXT,
        format TEXT NOT NULL,
        locator TEXT NOT NULL,
        raw_sha256 TEXT,
        meta TEXT NOT NULL DEFAULT '{}',
        duplicate_of TEXT,
        quality REAL,
        quality_flags TEXT NOT NULL DEFAULT '[]',
        seq INTEGER NOT NULL
    );
    CREATE INDEX articles_content_hash ON articles(content_hash);
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE removed_lines (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        line_no INTEGER NOT NULL,
        text TEXT NOT NULL,
        reason TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (article_id, line_no)
    );
    CREATE TABLE rejected (
        locator TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT
    );
    """,
    # 2: what the extraction stages find in each article, and the corpus-level records.
    """
    CREATE TABLE timexes (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        anchor TEXT,
        PRIMARY KEY (article_id, start, "end")
    );
    CREATE TABLE mentions (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        entity_id TEXT,
        PRIMARY KEY (article_id, start, "end")
    );
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]',
        roles TEXT NOT NULL DEFAULT '[]',
        article_ids TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE quotes (
        id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        speaker TEXT,
        speaker_text TEXT,
        cue TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        nested_in TEXT,
        speaker_entity_id TEXT
    );
    CREATE INDEX quotes_article ON quotes(article_id);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        level TEXT NOT NULL,
        parent TEXT,
        article_ids TEXT NOT NULL DEFAULT '[]',
        first_date TEXT,
        last_date TEXT
    );
    CREATE TABLE stage_state (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    """,
    # 3: which per-article stage has processed which article, so reruns skip them.
    """
    CREATE TABLE article_stages (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        PRIMARY KEY (article_id, stage)
    );
    """,
    # 4: the speaker name as resolved inside its article, kept so that speakers can be mapped
    # again to canonical entities when new articles change the merged entity table.
    """
    ALTER TABLE quotes ADD COLUMN speaker_local TEXT;
    """,
    # 5: full-text search for the web UI and API.
    FTS_MIGRATION,
    # 6: dated events per article (and undated lead sentences), and each story's timeline.
    """
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        published TEXT,
        lead INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX events_article ON events(article_id);
    CREATE TABLE timeline (
        story_id TEXT NOT NULL,
        date TEXT NOT NULL,
        text TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]',
        rank INTEGER NOT NULL,
        PRIMARY KEY (story_id, rank)
    );
    """,
    # 7: claims aligned across a story's articles, where they conflict, and its briefing.
    """
    CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        text TEXT NOT NULL,
        article_ids TEXT NOT NULL DEFAULT '[]',
        sources TEXT NOT NULL DEFAULT '[]',
        kind TEXT NOT NULL,
        support INTEGER NOT NULL,
        date TEXT,
        conflicts TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX claims_story ON claims(story_id);
    CREATE TABLE conflicts (
        id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        "values" TEXT NOT NULL DEFAULT '[]',
        claim_ids TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE briefings (
        story_id TEXT PRIMARY KEY,
        briefing TEXT NOT NULL
    );
    """,
    # 8: feeds and sitemaps to watch, what each URL's last fetch returned (validators for
    # conditional requests), and the change log of every watch cycle.
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT,
        site TEXT,
        added_at TEXT NOT NULL,
        polled_at TEXT,
        status TEXT,
        error TEXT
    );
    CREATE TABLE fetch_state (
        url TEXT PRIMARY KEY,
        final_url TEXT,
        etag TEXT,
        last_modified TEXT,
        status INTEGER,
        fetched_at TEXT NOT NULL,
        ok INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        warc TEXT,
        feed TEXT
    );
    CREATE TABLE changes (
        cycle TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        story_id TEXT,
        text TEXT NOT NULL,
        PRIMARY KEY (cycle, seq)
    );
    """,
    # 9: who and where for each timeline entry, from the entities its sentences name.
    """
    ALTER TABLE timeline ADD COLUMN actors TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE timeline ADD COLUMN place TEXT;
    """,
    # 10: where in its sentence an event's date is written, so that a sentence giving two
    # dates ("over Egypt on Oct. 31 and in Paris on Nov. 13") places each one apart; and the
    # end of an event that spans days ("from 22 to 25 October").
    """
    ALTER TABLE events ADD COLUMN date_at INTEGER;
    ALTER TABLE events ADD COLUMN until TEXT;
    ALTER TABLE timeline ADD COLUMN until TEXT;
    """,
    # 11: the stage that rejected an item after ingest (dates, nlp, ... briefing) and that
    # item's id (an article or a storyline); both NULL for inputs rejected at ingest.
    """
    ALTER TABLE rejected ADD COLUMN stage TEXT;
    ALTER TABLE rejected ADD COLUMN item_id TEXT;
    CREATE INDEX rejected_item ON rejected(item_id);
    """,
    # 12: how much of the publication date is known (day / month / year): a year-only date is
    # kept as a year, not as 1 January. Dates stored before were read as days.
    """
    ALTER TABLE articles ADD COLUMN published_precision TEXT;
    UPDATE articles SET published_precision = 'day' WHERE published IS NOT NULL;
    """,
    # 13: a story's readable title (its most representative headline; the keyword label stays),
    # and each quality flag's reason, so a reader can check why a page is flagged.
    """
    ALTER TABLE stories ADD COLUMN title TEXT;
    ALTER TABLE articles ADD COLUMN quality_reasons TEXT NOT NULL DEFAULT '[]';
    """,
    # 14: quote groups: the quotes of a storyline that report one statement by one speaker,
    # with every variant (JSON) and the number of independent outlets (storyline.quote_groups).
    """
    CREATE TABLE quote_groups (
        id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        speaker TEXT NOT NULL,
        representative TEXT NOT NULL,
        representative_kind TEXT NOT NULL,
        variants TEXT NOT NULL DEFAULT '[]',
        first_date TEXT,
        last_date TEXT,
        outlets INTEGER NOT NULL,
        flagged_only INTEGER NOT NULL DEFAULT 0,
        rank INTEGER NOT NULL
    );
    CREATE INDEX quote_groups_story ON quote_groups(story_id, rank);
    """,
    # 15: full-text search on PostgreSQL (a GIN index, POSTGRES_VARIANTS); SQLite has FTS5 (5).
    """
    SELECT 1;
    """,
    # 16: what a plug-in stage (storyline.registry) made, one JSON value per item: a stage
    # without its own tables stores here, and `export --what stage:NAME` reads it back.
    """
    CREATE TABLE stage_outputs (
        stage TEXT NOT NULL,
        item_id TEXT NOT NULL,
        output TEXT NOT NULL,
        PRIMARY KEY (stage, item_id)
    );
    """,
    # 17: the version of the code (and output-changing settings) that did a per-article stage's
    # work on an article (``stage_runner.article_version``): another version is done again.
    # Rows written before it have none: unknown, so each is done once more, then stamped.
    """
    ALTER TABLE article_stages ADD COLUMN version TEXT;
    """,
    # 18: an HTML page read again is found by its bytes (``ArticleStore._stored_page``): its
    # id is the hash of the text read, which changes when the reader does.
    """
    CREATE INDEX articles_raw_sha256 ON articles(raw_sha256);
    """,
    # 19: the content hash each article had when the stories stage clustered it
    # (``stages.run_clusters``): one that has another now (cleaned again, a page re-read, a row
    # re-ingested under its id) makes the stage cluster the corpus again. A store written
    # before it has none: its clustered articles are taken as clustered with today's texts.
    """
    CREATE TABLE clustered (
        article_id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL
    );
    """,
    # 20: a claim whose articles' wordings of a quote differ (``Claim.wording_differs``):
    # its text is one outlet's wording, marked so that no one prints it as another's.
    """
    ALTER TABLE claims ADD COLUMN wording_differs INTEGER NOT NULL DEFAULT 0;
    """,
    # 21: the count the latest ``left_out`` note said, per listing (``feeds.last_left_out``):
    # each watch cycle reads it for every listing it read, by key, not through the change log
    # (which grows every cycle).
    """
    CREATE TABLE left_out_counts (
        listing TEXT PRIMARY KEY,
        said INTEGER NOT NULL
    );
    """,
)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; return the version it is now at.

    Each migration runs in its own write transaction (``BEGIN IMMEDIATE``) and the version is
    read again inside it: two processes opening a new database at once would otherwise both
    read version 0 and both create the tables. The second waits for the first's lock, then
    finds the migration applied. ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    if _version(conn) >= len(MIGRATIONS):
        return len(MIGRATIONS)  # up to date: no write lock, so read-only openers never wait
    waited = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {_MIGRATION_WAIT_MS}")
    try:
        while _migrate_one(conn):
            pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {waited}")
    return len(MIGRATIONS)


# How long an opener waits for another process's migration: rebuilding the FTS index of a
# large store takes minutes (a bound, not a fitted value; sqlite3's default is 5 s).
_MIGRATION_WAIT_MS: Final = 600_000


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate_one(conn: sqlite3.Connection) -> bool:
    """Apply the next migration under the write lock; return False when there is none."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn)  # inside the lock: another process may have moved it
        if version >= len(MIGRATIONS):
            conn.execute("COMMIT")
            return False
        # not executescript: it commits first, which would drop the lock taken above
        for statement in _statements(MIGRATIONS[version]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True


def _statements(script: str) -> list[str]:
    """Split a migration into statements (a trigger's body keeps its own semicolons)."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n\t;"):
        raise ValueError(f"incomplete statement in a migration: {pending.strip()[:80]}")
    return statements
