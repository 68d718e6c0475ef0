"""The store's connection: opening either backend, transactions, and reading any table.

The noun modules (``articles``, ``extracts``, ``stories``) add their methods to this base;
``db.Store`` puts them together. The SQL is written in SQLite's dialect, in portable forms, and
``store.postgres`` translates it when the database is a ``postgresql://`` URL.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

from storyline.errors import StoreBusyError, StoreError, UsageError
from storyline.store.dialect import dialect_of, redact
from storyline.store.migrations import MIGRATIONS, POSTGRES_VARIANTS, migrate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from pathlib import Path

    from storyline.store.dialect import Connection, Dialect

CHUNK = 500  # bound variables per IN (...) query, under every engine's limit

JSON_COLUMNS = {
    "meta",
    "actors",
    "quality_flags",
    "quality_reasons",
    "aliases",
    "roles",
    "article_ids",
    "sources",
    "conflicts",
    "values",
    "claim_ids",
    "briefing",
    "variants",
    "output",
}
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
    "changes": "cycle, seq",
    "quote_groups": "story_id, rank",
    "stage_outputs": "stage, item_id",
    "clustered": "article_id",
}
_TABLES = frozenset(_KEY_ORDER)
# How long an opener retries switching a new database to WAL while another process does it.
# SQLite answers "database is locked" at once there (no busy wait: a lock upgrade that could
# deadlock); 5 s is sqlite3's own busy timeout. A bound, not a fitted value.
_WAL_WAIT_SECONDS = 5.0


class StoreBase:
    """A connection to a storyline database, SQLite file or PostgreSQL URL."""

    def __init__(self, path: str | Path = "storyline.db") -> None:
        self.path = str(path)
        self.dialect: Dialect = dialect_of(self.path)
        self._on_close: list[Callable[[], None]] = []
        self.conn: Connection
        if self.dialect == "postgresql":
            self.conn = self._open_postgres()
            self._refuse_a_newer_schema()
            return
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn = conn
            conn.row_factory = sqlite3.Row
            if self.path != ":memory:":
                _use_wal(conn)
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self._refuse_a_newer_schema()

    def _open_postgres(self) -> Connection:
        from storyline.store import postgres  # noqa: PLC0415 - psycopg loads only for PostgreSQL

        conn = postgres.PgConnection(self.path)
        try:
            postgres.migrate(conn, MIGRATIONS, POSTGRES_VARIANTS)
        except Exception as exc:
            conn.close()
            raise StoreError(f"cannot open the database {redact(self.path)}: {exc}") from exc
        return conn

    def _refuse_a_newer_schema(self) -> None:
        """Close and raise StoreError when a newer storyline's migrations made the database.

        Such a store was opened and written as if it were current: this version's SQL on a
        schema it does not know (columns renamed or moved) can lose or corrupt data.
        """
        found = self.schema_version()
        if found > len(MIGRATIONS):
            self.close()
            raise StoreError(
                f"cannot open the database {redact(self.path)}: its schema is version {found},"
                f" made by a newer storyline (this one knows up to {len(MIGRATIONS)}):"
                " upgrade storyline to use it"
            )

    @classmethod
    def memory(cls) -> Self:
        """Return a store that lives in memory (tests, one-off runs)."""
        return cls(":memory:")

    def close(self) -> None:
        """Close the connection, and what was opened beside it (``on_close``)."""
        while self._on_close:
            self._on_close.pop()()
        self.conn.close()

    def on_close(self, close: Callable[[], None]) -> None:
        """Call ``close`` when the store closes (a web app's pool of connections to it)."""
        self._on_close.append(close)

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

    # -- reading any table (counts, export) -----------------------------------------------

    def count(self, table: str) -> int:
        """Return the number of rows of one of the store's tables."""
        if table not in _TABLES:
            raise StoreError(f"no table {table!r}")
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608

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


# What SQLite says when another program (not a storyline run, which takes the run lock first)
# holds the write lock past the busy timeout; and when the file or its disk fails.
_BUSY_MESSAGES = ("database is locked", "database table is locked")
_DAMAGE_MESSAGES = ("malformed", "file is not a database")
_DISK_MESSAGES = ("disk i/o error", "or disk is full")
# SQLITE_READONLY: a store file (or its folder) the user may read but not write opens fine
# and failed at the first write as an S199 "bug" traceback
_READONLY_MESSAGES = ("readonly database",)
# sqlite3's words for a TEXT value that is not UTF-8: storyline writes none, so the file's
# bytes changed under it; the message quotes the whole damaged value (an article's text)
_NOT_UTF8_RE = re.compile(r"could not decode to utf-8 column '([^']*)'", re.IGNORECASE)


def store_error_of(exc: BaseException) -> StoreError | None:
    """Return the coded StoreError that an SQLite error met mid-command stands for, else None.

    A store damaged past its first pages opens fine and fails at the first read of a bad
    page; another program's write lock shows at the first write. Both were S199 tracebacks,
    as if storyline had a bug. The edges (CLI, web) ask this before calling anything a bug.
    """
    if not isinstance(exc, sqlite3.DatabaseError):
        return _postgres_error_of(exc)
    message = str(exc)
    lowered = message.lower()
    if isinstance(exc, sqlite3.OperationalError) and lowered in _BUSY_MESSAGES:
        return StoreBusyError(
            f"the database is locked by another program ({message}): retry when it is done"
        )
    if any(part in lowered for part in _READONLY_MESSAGES):
        return StoreError(
            f"the database cannot be written ({message}): make the file and its folder"
            " writable by this user, or work on a copy of it; nothing more was stored"
        )
    if any(part in lowered for part in _DISK_MESSAGES):
        return StoreError(
            f"the database cannot be read or written ({message}): check the disk (free"
            " space, errors) and run the command again"
        )
    not_utf8 = _NOT_UTF8_RE.match(message)
    if not_utf8:
        message = f"a value of column {not_utf8[1]!r} is not UTF-8 text"
    elif not any(part in lowered for part in _DAMAGE_MESSAGES):
        return None
    return StoreError(
        f"the database file is damaged ({message}): restore a copy of it, or run"
        " `sqlite3 DB .recover` into a new file; the command stopped there"
    )


def _postgres_error_of(exc: BaseException) -> StoreError | None:
    """Return the coded StoreError of a PostgreSQL connection lost mid-command, else None.

    A server restarted or a connection killed (``pg_terminate_backend``) ended a command as
    an S199 traceback. Only the loss of the connection is mapped: a client-side error (no
    SQLSTATE: "server closed the connection", "the connection is closed"), class 08
    (connection exception) and 57P01-57P05 (shutdown, crash, not accepting connections yet,
    database dropped, idle session timeout). Other OperationalErrors stay bugs to report.
    """
    psycopg = sys.modules.get("psycopg")  # loaded by any PostgreSQL store; never import it here
    if psycopg is None or not isinstance(exc, psycopg.OperationalError):
        return None
    state = getattr(exc, "sqlstate", None)
    if state is not None and not state.startswith("08") and state not in _PG_LOST_STATES:
        return None
    message = str(exc).strip().replace("\n", " ")
    return StoreError(
        f"the connection to the PostgreSQL server was lost ({message}): what was stored"
        " before stays; run the command again once the server is back"
    )


# SQLSTATEs of a connection the server ended: admin shutdown, crash shutdown, cannot connect
# now, database dropped, idle session timeout (class 57, "operator intervention")
_PG_LOST_STATES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05"})


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode, retrying while another opener holds the lock."""
    stop = time.monotonic() + _WAL_WAIT_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "database is locked" not in str(exc) or time.monotonic() > stop:
                raise
            time.sleep(0.01)
        else:
            return


def chunks(values: Iterable[str]) -> Iterator[tuple[list[str], str]]:
    """Yield (chunk, "?,?,...") pieces of ``values`` small enough for one IN (...) query."""
    wanted = list(values)
    for begin in range(0, len(wanted), CHUNK):
        chunk = wanted[begin : begin + CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """Return an INSERT of ``columns`` (``?`` marks) that updates the other columns on ``key``."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in key)
    conflict = ", ".join(f'"{k}"' for k in key)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608 - fixed names only
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


def dump(values: Sequence[str]) -> str:
    """Return a list of strings as the JSON text a JSON column holds."""
    return json.dumps(list(values), ensure_ascii=False)


def _load(key: str, value: Any) -> Any:  # noqa: ANN401 - SQLite values are loosely typed
    if key in JSON_COLUMNS and isinstance(value, str):
        return json.loads(value)
    return value
