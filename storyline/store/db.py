"""The store: one table per record type, written by the driver only.

Writes happen in short transactions, one per batch, so a crash mid-run leaves the store as it
was after the last complete batch (WAL journal, foreign keys on). The database is a SQLite
file, or a PostgreSQL database when ``path`` is a ``postgresql://`` URL: the SQL below is
written in SQLite's dialect, in portable forms, and ``store.postgres`` translates it.
"""

from __future__ import annotations

import json
import sqlite3
import traceback
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Literal, Self

from storyline.errors import StoreError, UsageError
from storyline.models import (
    Claim,
    CleanArticle,
    Conflict,
    DatedEvent,
    Entity,
    Mention,
    Quote,
    RawArticle,
    Rejected,
    RemovedLine,
    Story,
    TimeExpr,
    TimelineEntry,
)
from storyline.store.dialect import dialect_of, redact
from storyline.store.migrations import MIGRATIONS, POSTGRES_VARIANTS, migrate

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

    from storyline.store.dialect import Connection, Dialect

Outcome = Literal["stored", "updated", "unchanged"]

_ARTICLE_COLUMNS = (
    "id, content_hash, title, text, raw_text, source, url, published, published_source, "
    "published_confidence, language, format, locator, raw_sha256, meta, seq"
)


class Store:
    """A storyline database: articles, what was removed from them, and everything derived."""

    def __init__(self, path: str | Path = "storyline.db") -> None:
        self.path = str(path)
        self.dialect: Dialect = dialect_of(self.path)
        self.conn: Connection
        if self.dialect == "postgresql":
            self.conn = self._open_postgres()
            return
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn = conn
            conn.row_factory = sqlite3.Row
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc

    def _open_postgres(self) -> Connection:
        from storyline.store import postgres  # noqa: PLC0415 - psycopg loads only for PostgreSQL

        conn = postgres.PgConnection(self.path)
        try:
            postgres.migrate(conn, MIGRATIONS, POSTGRES_VARIANTS)
        except Exception as exc:
            conn.close()
            raise StoreError(f"cannot open the database {redact(self.path)}: {exc}") from exc
        return conn

    @classmethod
    def memory(cls) -> Store:
        """Return a store that lives in memory (tests, one-off runs)."""
        return cls(":memory:")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def schema_version(self) -> int:
        """Return the number of migrations applied to the database."""
        if isinstance(self.conn, sqlite3.Connection):
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        from storyline.store import postgres  # noqa: PLC0415

        return postgres.schema_version(self.conn)  # type: ignore[arg-type]

    def sqlite_connection(self) -> sqlite3.Connection:
        """Return the SQLite connection, for code that needs SQLite itself (the web UI).

        Raises:
            UsageError: the store is a PostgreSQL database.
        """
        if not isinstance(self.conn, sqlite3.Connection):
            raise UsageError(
                f"{redact(self.path)} is a PostgreSQL database; this needs a SQLite one "
                "(storyline serve and the web UI read SQLite files only)"
            )
        return self.conn

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Run a block in one transaction: all of it is written, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- articles -----------------------------------------------------------------------

    def save_batch(
        self, articles: Sequence[tuple[RawArticle, CleanArticle]], rejected: Sequence[Rejected]
    ) -> list[Outcome]:
        """Write a batch of cleaned articles and rejected inputs in one transaction.

        Returns:
            For each article, whether it was new, changed, or already stored as it is.
        """
        outcomes: list[Outcome] = []
        with self.transaction() as conn:
            seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0])
            for raw, clean in articles:
                row = conn.execute(
                    "SELECT content_hash, raw_text, title FROM articles WHERE id = ?", (clean.id,)
                ).fetchone()
                if row is not None and (row["raw_text"], row["title"]) == (raw.text, raw.title):
                    outcomes.append("unchanged")
                    continue
                seq += 1
                self._write_article(conn, raw, clean, seq)
                outcomes.append("updated" if row is not None else "stored")
                # an input that was rejected before and now reads fine is no longer rejected
                conn.execute("DELETE FROM rejected WHERE locator = ?", (clean.locator,))
            for item in rejected:
                conn.execute(
                    "INSERT INTO rejected (locator, code, reason, detail) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(locator) DO UPDATE SET code=excluded.code, reason=excluded.reason,"
                    " detail=excluded.detail",
                    (item.locator, item.code, item.reason, None),
                )
        return outcomes

    @staticmethod
    def _write_article(conn: Connection, raw: RawArticle, clean: CleanArticle, seq: int) -> None:
        conn.execute("DELETE FROM articles WHERE id = ?", (clean.id,))
        conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES "  # noqa: S608 - fixed columns
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clean.id,
                clean.content_hash,
                clean.title,
                clean.text,
                raw.text,
                clean.source,
                clean.url,
                clean.published,
                clean.published_source,
                clean.published_confidence,
                clean.language,
                clean.format,
                clean.locator,
                clean.raw_sha256,
                json.dumps(clean.meta, ensure_ascii=False, sort_keys=True, default=str),
                seq,
            ),
        )
        conn.executemany(
            "INSERT INTO removed_lines (article_id, line_no, text, reason, score) "
            "VALUES (?, ?, ?, ?, ?)",
            [(clean.id, r.line_no, r.text, r.reason, r.score) for r in clean.removed],
        )

    def record_internal_error(self, locator: str, exc: BaseException) -> Rejected:
        """Store an unexpected exception as a Rejected row with its traceback (S199)."""
        from storyline.errors import INTERNAL  # noqa: PLC0415 - avoid a cycle at import

        item = Rejected(locator, INTERNAL, f"{type(exc).__name__}: {exc}")
        detail = "".join(traceback.format_exception(exc))
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO rejected (locator, code, reason, detail) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (locator) DO UPDATE SET code = excluded.code, "
                "reason = excluded.reason, detail = excluded.detail",
                (item.locator, item.code, item.reason, detail),
            )
        return item

    def articles(self, *, ids: Iterable[str] | None = None) -> Iterator[CleanArticle]:
        """Yield stored articles in the order they were first stored."""
        if ids is None:
            # by id chunks: the whole corpus is never held at once, on either backend
            ids = self.article_ids()
        wanted = list(ids)
        # chunks keep under SQLite's limit on bound variables
        for begin in range(0, len(wanted), 500):
            chunk = wanted[begin : begin + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT * FROM articles WHERE id IN ({marks}) ORDER BY seq",  # noqa: S608
                chunk,
            )
            for row in rows.fetchall():
                yield self._article_from_row(row)

    def article(self, article_id: str) -> CleanArticle | None:
        """Return one article, or None."""
        return next(self.articles(ids=[article_id]), None)

    def raw_text(self, article_id: str) -> str | None:
        """Return the body as it was read, boilerplate included."""
        row = self.conn.execute("SELECT raw_text FROM articles WHERE id = ?", (article_id,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def _article_from_row(self, row: Any) -> CleanArticle:  # noqa: ANN401 - a row of either backend
        removed = tuple(
            RemovedLine(r["line_no"], r["text"], r["reason"], r["score"])
            for r in self.conn.execute(
                "SELECT * FROM removed_lines WHERE article_id = ? ORDER BY line_no", (row["id"],)
            )
        )
        return CleanArticle(
            id=row["id"],
            title=row["title"],
            text=row["text"],
            locator=row["locator"],
            format=row["format"],
            content_hash=row["content_hash"],
            source=row["source"],
            url=row["url"],
            published=row["published"],
            published_source=row["published_source"],
            published_confidence=row["published_confidence"],
            language=row["language"],
            raw_sha256=row["raw_sha256"],
            removed=removed,
            meta=json.loads(row["meta"]),
        )

    def count(self, table: str) -> int:
        """Return the number of rows of one of the store's tables."""
        if table not in _TABLES:
            raise StoreError(f"no table {table!r}")
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608

    def rejected(self) -> list[Rejected]:
        """Return every rejected input, by locator."""
        rows = self.conn.execute("SELECT locator, code, reason FROM rejected ORDER BY locator")
        return [Rejected(r["locator"], r["code"], r["reason"]) for r in rows]

    # -- derived records ----------------------------------------------------------------

    def set_published(self, updates: Sequence[tuple[str, str | None, str, float]]) -> None:
        """Set (article id, date, source, confidence) for articles whose date was inferred."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET published = ?, published_source = ?, published_confidence = ?"
                " WHERE id = ?",
                [(date, source, conf, aid) for aid, date, source, conf in updates],
            )

    def save_stage(
        self,
        stage: str,
        article_ids: Sequence[str],
        *,
        timexes: Sequence[TimeExpr] | None = None,
        mentions: Sequence[tuple[Mention, str | None]] | None = None,
        quotes: Sequence[Quote] | None = None,
        events: Sequence[tuple[DatedEvent, bool]] | None = None,
    ) -> None:
        """Replace what one per-article stage found in these articles and mark them done.

        Only the record kinds passed (not None) are replaced; all of it is one transaction, so
        an interrupted run resumes exactly where it stopped.
        """
        with self.transaction() as conn:
            done = [(a,) for a in article_ids]
            if timexes is not None:
                conn.executemany("DELETE FROM timexes WHERE article_id = ?", done)
                conn.executemany(
                    'INSERT INTO timexes (article_id, start, "end", text, type, value, anchor) '
                    "VALUES (:article_id, :start, :end, :text, :type, :value, :anchor) "
                    'ON CONFLICT (article_id, start, "end") DO UPDATE SET text = excluded.text, '
                    "type = excluded.type, value = excluded.value, anchor = excluded.anchor",
                    [asdict(t) for t in timexes],
                )
            if mentions is not None:
                conn.executemany("DELETE FROM mentions WHERE article_id = ?", done)
                conn.executemany(
                    'INSERT INTO mentions (article_id, start, "end", text, label, entity_id) '
                    "VALUES (?, ?, ?, ?, ?, ?) "
                    'ON CONFLICT (article_id, start, "end") DO UPDATE SET text = excluded.text, '
                    "label = excluded.label, entity_id = excluded.entity_id",
                    [(m.article_id, m.start, m.end, m.text, m.label, eid) for m, eid in mentions],
                )
            if quotes is not None:
                conn.executemany("DELETE FROM quotes WHERE article_id = ?", done)
                conn.executemany(
                    "INSERT INTO quotes (id, article_id, speaker, speaker_text, cue, "
                    'kind, text, start, "end", nested_in, speaker_entity_id, speaker_local) '
                    "VALUES (:id, :article_id, :speaker, :speaker_text, :cue, :kind, :text, "
                    ":start, :end, :nested_in, :speaker_entity_id, :speaker) "
                    "ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, "
                    "speaker = excluded.speaker, speaker_text = excluded.speaker_text, "
                    "cue = excluded.cue, kind = excluded.kind, text = excluded.text, "
                    'start = excluded.start, "end" = excluded."end", '
                    "nested_in = excluded.nested_in, "
                    "speaker_entity_id = excluded.speaker_entity_id, "
                    "speaker_local = excluded.speaker_local",
                    [asdict(q) for q in quotes],
                )
            if events is not None:
                conn.executemany("DELETE FROM events WHERE article_id = ?", done)
                conn.executemany(
                    'INSERT INTO events (id, article_id, date, text, start, "end", published, '
                    "lead) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, "
                    "date = excluded.date, text = excluded.text, start = excluded.start, "
                    '"end" = excluded."end", published = excluded.published, '
                    "lead = excluded.lead",
                    [
                        (e.id, e.article_id, e.date, e.text, e.start, e.end, e.published, lead)
                        for e, lead in events
                    ],
                )
            conn.executemany(
                "INSERT INTO article_stages (article_id, stage) VALUES (?, ?) "
                "ON CONFLICT (article_id, stage) DO NOTHING",
                [(a, stage) for a in article_ids],
            )

    def pending(self, stage: str) -> list[CleanArticle]:
        """Return the articles a per-article stage has not processed yet, in ingest order."""
        return list(self.articles(ids=self.pending_ids(stage)))

    def pending_ids(self, stage: str) -> list[str]:
        """Return the ids of the articles a per-article stage has not processed, in ingest order."""
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE id NOT IN "
            "(SELECT article_id FROM article_stages WHERE stage = ?) ORDER BY seq",
            (stage,),
        )
        return [r[0] for r in rows.fetchall()]

    def article_ids(self) -> list[str]:
        """Return every stored article's id, in ingest order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq").fetchall()]

    def mentions(self) -> list[Mention]:
        """Return every stored mention, by article and position."""
        rows = self.conn.execute('SELECT * FROM mentions ORDER BY article_id, start, "end"')
        return [Mention(r["article_id"], r["start"], r["end"], r["text"], r["label"]) for r in rows]

    def quotes(self, *, local: bool = False) -> list[Quote]:
        """Return every stored quote; ``local`` gives speakers as resolved in their article."""
        rows = self.conn.execute('SELECT * FROM quotes ORDER BY article_id, start, "end", id')
        return [
            Quote(
                id=r["id"],
                article_id=r["article_id"],
                speaker=r["speaker_local"] if local else r["speaker"],
                speaker_text=r["speaker_text"],
                cue=r["cue"],
                kind=r["kind"],
                text=r["text"],
                start=r["start"],
                end=r["end"],
                nested_in=r["nested_in"],
                speaker_entity_id=None if local else r["speaker_entity_id"],
            )
            for r in rows
        ]

    def replace_entities(
        self,
        entities: Sequence[Entity],
        mention_entities: dict[tuple[str, int, int], str],
        quotes: Sequence[Quote],
    ) -> None:
        """Replace the merged entities, link mentions to them, and set canonical speakers."""
        with self.transaction() as conn:
            conn.execute("UPDATE mentions SET entity_id = NULL")
            conn.executemany(
                "UPDATE mentions SET entity_id = ? "
                'WHERE article_id = ? AND start = ? AND "end" = ?',
                [(eid, aid, start, end) for (aid, start, end), eid in mention_entities.items()],
            )
            conn.executemany(
                "UPDATE quotes SET speaker = ?, speaker_entity_id = ? WHERE id = ?",
                [(q.speaker, q.speaker_entity_id, q.id) for q in quotes],
            )
            conn.execute("DELETE FROM entities")
            conn.executemany(
                "INSERT INTO entities (id, name, type, aliases, roles, article_ids) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (e.id, e.name, e.type, _dump(e.aliases), _dump(e.roles), _dump(e.article_ids))
                    for e in entities
                ],
            )

    def replace_stories(self, stories: Sequence[Story], duplicates: dict[str, str]) -> None:
        """Replace the stories and every article's ``duplicate_of``."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM stories")
            conn.executemany(
                "INSERT INTO stories (id, label, level, parent, article_ids, first_date, last_date)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.id,
                        s.label,
                        s.level,
                        s.parent,
                        _dump(s.article_ids),
                        s.first_date,
                        s.last_date,
                    )
                    for s in stories
                ],
            )
            conn.execute("UPDATE articles SET duplicate_of = NULL")
            conn.executemany(
                "UPDATE articles SET duplicate_of = ? WHERE id = ?",
                [(original, copy) for copy, original in duplicates.items()],
            )

    def set_quality(self, rows: Sequence[tuple[str, float, Sequence[str]]]) -> None:
        """Set (article id, quality score, flags) for articles."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET quality = ?, quality_flags = ? WHERE id = ?",
                [(score, _dump(tuple(flags)), aid) for aid, score, flags in rows],
            )

    def events(self, article_ids: Iterable[str]) -> tuple[list[DatedEvent], list[DatedEvent]]:
        """Return the dated events and the lead sentences of these articles."""
        dated: list[DatedEvent] = []
        leads: list[DatedEvent] = []
        wanted = list(article_ids)
        for begin in range(0, len(wanted), 500):
            chunk = wanted[begin : begin + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT * FROM events WHERE article_id IN ({marks}) "  # noqa: S608
                "ORDER BY article_id, start, id",
                chunk,
            )
            for r in rows:
                event = DatedEvent(
                    r["id"],
                    r["article_id"],
                    r["date"],
                    r["text"],
                    r["start"],
                    r["end"],
                    (r["article_id"],),
                    r["published"],
                )
                (leads if r["lead"] else dated).append(event)
        return dated, leads

    def replace_timelines(self, entries: Sequence[TimelineEntry]) -> None:
        """Replace every story's timeline."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM timeline")
            conn.executemany(
                "INSERT INTO timeline (story_id, date, text, sources, rank) VALUES (?, ?, ?, ?, ?)",
                [
                    (e.story_id, e.date, " ".join(e.text), _dump(e.sources), rank)
                    for rank, e in enumerate(entries)
                ],
            )

    def replace_briefings(
        self,
        claims: Sequence[Claim],
        conflicts: Sequence[Conflict],
        briefings: Sequence[dict[str, Any]],
    ) -> None:
        """Replace every story's claims, conflicts and briefing (briefings as their JSON)."""
        conflicted: dict[str, list[str]] = {}
        for conflict in conflicts:
            for claim_id in conflict.claim_ids:
                conflicted.setdefault(claim_id, []).append(conflict.id)
        with self.transaction() as conn:
            for table in ("claims", "conflicts", "briefings"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            conn.executemany(
                "INSERT OR REPLACE INTO claims (id, story_id, text, article_ids, sources, kind, "
                "support, date, conflicts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        c.story_id,
                        c.text,
                        _dump(c.article_ids),
                        _dump(c.sources),
                        c.kind,
                        c.support,
                        c.date,
                        _dump(conflicted.get(c.id, [])),
                    )
                    for c in claims
                ],
            )
            conn.executemany(
                'INSERT OR REPLACE INTO conflicts (id, story_id, kind, subject, "values", '
                "claim_ids) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        c.story_id,
                        c.kind,
                        c.subject,
                        json.dumps([{"value": v, "article_ids": list(ids)} for v, ids in c.values]),
                        _dump(c.claim_ids),
                    )
                    for c in conflicts
                ],
            )
            conn.executemany(
                "INSERT INTO briefings (story_id, briefing) VALUES (?, ?)",
                [(b["story_id"], json.dumps(b, ensure_ascii=False)) for b in briefings],
            )

    def untrusted(self) -> set[str]:
        """Return the ids of articles whose copy itself is flagged as untrustworthy."""
        rows = self.conn.execute("SELECT id, quality_flags FROM articles")
        return {r[0] for r in rows if _UNTRUSTED.intersection(json.loads(r[1]))}

    def briefing(self, story_id: str) -> dict[str, Any] | None:
        """Return a story's stored briefing (the JSON of ``brief --format json``), or None."""
        row = self.conn.execute(
            "SELECT briefing FROM briefings WHERE story_id = ?", (story_id,)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def entity_names(self) -> dict[str, list[str]]:
        """Return article id -> canonical names of the entities it mentions."""
        rows = self.conn.execute(
            "SELECT DISTINCT m.article_id, e.name FROM mentions m JOIN entities e "
            "ON e.id = m.entity_id ORDER BY m.article_id, e.name"
        )
        names: dict[str, list[str]] = {}
        for article_id, name in rows:
            names.setdefault(article_id, []).append(name)
        return names

    def known_dates(self) -> list[str]:
        """Return the publication dates that came with the articles (metadata, not inferred)."""
        rows = self.conn.execute(
            "SELECT published FROM articles WHERE published IS NOT NULL "
            "AND published_source = 'metadata'"
        )
        return [r[0] for r in rows]

    def get_state(self, name: str) -> bytes | None:
        """Return a stage's saved state (e.g. an incremental index), or None."""
        row = self.conn.execute("SELECT value FROM stage_state WHERE name = ?", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    def set_state(self, name: str, value: bytes) -> None:
        """Save a stage's state."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO stage_state (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # -- reading for export -------------------------------------------------------------

    def rows(self, table: str, order: str | None = None) -> Iterator[dict[str, Any]]:
        """Yield the rows of a table as plain dicts, JSON columns decoded.

        ``order`` is an ORDER BY list; by default the table's key (articles: ingest order).
        """
        if table not in _TABLES:
            raise StoreError(f"no table {table!r}")
        order = order or _KEY_ORDER.get(table) or self._key_order(table)
        cursor = self.conn.execute(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608
        for row in cursor:
            yield {key: _load(key, row[key]) for key in row.keys()}  # noqa: SIM118

    def _key_order(self, table: str) -> str:
        if isinstance(self.conn, sqlite3.Connection):
            return "rowid"
        keys = self.conn.primary_key(table)  # type: ignore[attr-defined]
        return ", ".join(f'"{k}"' for k in keys) or "1"


_JSON_COLUMNS = {
    "meta",
    "quality_flags",
    "aliases",
    "roles",
    "article_ids",
    "sources",
    "conflicts",
    "values",
    "claim_ids",
    "briefing",
}
# Flags that make an article's copy itself untrustworthy (``untrusted``).
_UNTRUSTED = frozenset({"incoherent", "spliced", "attribution_mismatch"})
# The default order of ``rows``: each table's primary key, the same on every backend.
_KEY_ORDER = {
    "articles": "seq",
    "removed_lines": "article_id, line_no",
    "rejected": "locator",
    "timexes": 'article_id, start, "end"',
    "mentions": 'article_id, start, "end"',
    "entities": "id",
    "quotes": "id",
    "stories": "id",
    "stage_state": "name",
    "article_stages": "article_id, stage",
    "events": "id",
    "timeline": "story_id, rank",
    "claims": "id",
    "conflicts": "id",
    "briefings": "story_id",
}
_TABLES = {
    "articles",
    "removed_lines",
    "rejected",
    "timexes",
    "mentions",
    "entities",
    "quotes",
    "stories",
    "stage_state",
    "article_stages",
    "events",
    "timeline",
    "claims",
    "conflicts",
    "briefings",
}


def _dump(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _load(key: str, value: Any) -> Any:  # noqa: ANN401 - SQLite values are loosely typed
    if key in _JSON_COLUMNS and isinstance(value, str):
        return json.loads(value)
    return value
