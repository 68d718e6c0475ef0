"""Full-text search over article titles and texts: SQLite FTS5, or PostgreSQL's tsvector.

A PostgreSQL store is searched with ``store.fulltext`` (a GIN-indexed tsvector, migration 15).
On SQLite:
when the database has an ``articles_fts`` table (external content, kept in step by
triggers: ``MIGRATION_SQL`` below) it is used as it is, through the request's own connection.
Otherwise the index is a TEMP table of the web server's own connection (used under its lock),
built on the first search and rebuilt after the articles change, so that serving never
writes to the user's database.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from storyline.store import fulltext
from storyline.store.migrations import FTS_MIGRATION

if TYPE_CHECKING:
    import threading

    from storyline.store.dialect import Connection

MAX_QUERY_CHARS = fulltext.MAX_QUERY_CHARS
_HIT_OPEN, _HIT_CLOSE = fulltext.HIT_OPEN, fulltext.HIT_CLOSE
_TOKEN = re.compile(r"\w+", re.UNICODE)
_SNIPPET_PARTS = re.compile(f"({_HIT_OPEN}.*?{_HIT_CLOSE})", re.DOTALL)

# The migration that makes the index persistent and incremental (applied by the store).
MIGRATION_SQL = FTS_MIGRATION


class SearchIndex:
    """An FTS5 index of the articles, the stored one or a TEMP one of ``conn``.

    ``conn`` is None for a PostgreSQL store: each search then runs on the request's connection.
    """

    def __init__(
        self, conn: sqlite3.Connection | None, lock: threading.RLock | None = None
    ) -> None:
        self.conn = conn  # where a TEMP index is built, used under ``lock``
        self.lock = lock
        self._signature: tuple[int, int] | None = None

    @staticmethod
    def _stored(conn: sqlite3.Connection) -> bool:
        row = conn.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'articles_fts'")
        return row.fetchone() is not None

    def _fresh(self) -> None:
        """Build the temporary index if the articles have changed since it was built."""
        conn = self.conn
        if conn is None:
            return  # PostgreSQL: nothing to build
        if self._stored(conn):
            conn.execute("DROP TABLE IF EXISTS temp.articles_fts")
            self._signature = None
            return
        row = conn.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM articles").fetchone()
        # a stored or updated article always gets a new, higher seq
        signature = (int(row[0]), int(row[1]))
        if signature == self._signature:
            return
        conn.execute("DROP TABLE IF EXISTS temp.articles_fts")
        conn.execute(
            "CREATE VIRTUAL TABLE temp.articles_fts USING fts5("
            "title, text, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute(
            "INSERT INTO temp.articles_fts (rowid, title, text) "
            "SELECT rowid, title, text FROM articles"
        )
        self._signature = signature

    def search(
        self,
        query: str,
        *,
        offset: int,
        limit: int,
        conn: sqlite3.Connection | Connection | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """Return how many articles match every word of ``query``, and one page of them.

        ``conn`` is the request's connection, used when the database has the stored index.
        Each hit is ``{"id", "title", "source", "published", "snippet"}`` where ``snippet`` is
        a list of ``[text, is_match]`` pairs, so that the caller escapes all of it.
        """
        if conn is not None and not isinstance(conn, sqlite3.Connection):
            total, hits = fulltext.search(conn, query, offset=offset, limit=limit)  # type: ignore[arg-type]
            for hit in hits:
                hit["snippet"] = split_snippet(hit["snippet"])
            return total, hits
        match = fts_query(query)
        if not match or self.conn is None:
            return 0, []
        if conn is not None and conn is not self.conn and self._stored(conn):
            return self._search(conn, match, offset, limit)
        with self.lock if self.lock is not None else nullcontext():
            self._fresh()
            return self._search(self.conn, match, offset, limit)

    @staticmethod
    def _search(
        conn: sqlite3.Connection, match: str, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        total = int(
            conn.execute(
                "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
            ).fetchone()[0]
        )
        rows = conn.execute(
            "SELECT a.id, a.title, a.source, a.published, "
            "snippet(articles_fts, 1, ?, ?, '…', 16) AS snip "
            "FROM articles_fts JOIN articles AS a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
            (_HIT_OPEN, _HIT_CLOSE, match, limit, offset),
        ).fetchall()
        hits = [
            {
                "id": r["id"],
                "title": r["title"],
                "source": r["source"],
                "published": r["published"],
                "snippet": split_snippet(r["snip"]),
            }
            for r in rows
        ]
        return total, hits


def fts_query(query: str) -> str:
    """Return an FTS5 query matching every word of ``query``, each word quoted.

    Quoting every token means no user input is ever read as FTS5 syntax; the last word is
    a prefix so that results appear while typing.
    """
    tokens = _TOKEN.findall(query[:MAX_QUERY_CHARS])
    if not tokens:
        return ""
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def split_snippet(snippet: str) -> list[tuple[str, bool]]:
    """Split an FTS5 snippet into (text, is_match) parts."""
    parts: list[tuple[str, bool]] = []
    for piece in _SNIPPET_PARTS.split(snippet or ""):
        if not piece:
            continue
        if piece.startswith(_HIT_OPEN):
            parts.append((piece[1:-1], True))
        else:
            parts.append((piece, False))
    return parts
