"""The PostgreSQL backend: the part of sqlite3's API the store uses, over psycopg 3.

``PgConnection`` takes the store's SQLite-dialect SQL (``?`` and ``:name`` marks, ``INSERT OR
IGNORE``...), rewrites it with ``dialect.translate_query`` and returns rows that read like
``sqlite3.Row`` (by position and by column name). Values come back as SQLite gives them:
NUMERIC as int (float when not whole), booleans as 0/1. The schema version lives in a
``schema_version`` table instead of ``PRAGMA user_version``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final

from storyline.errors import StoreError
from storyline.store.dialect import Query, libpq_url, redact, translate_ddl, translate_query

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    import psycopg

# Any fixed number: every storyline migration on one server takes this lock in turn.
_MIGRATION_LOCK: Final = 0x5701_1E5E


class Row(tuple[Any, ...]):
    """A result row read by position or by column name, like ``sqlite3.Row``."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}
    _names: ClassVar[tuple[str, ...]] = ()

    def __getitem__(self, key: Any) -> Any:  # noqa: ANN401
        if isinstance(key, str):
            try:
                key = self._index[key] if key in self._index else self._index[key.lower()]
            except KeyError:
                raise IndexError(f"no column {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """Return the column names, in order."""
        return list(self._names)


_ROW_CLASSES: dict[tuple[str, ...], type[Row]] = {}


def _row_class(names: tuple[str, ...]) -> type[Row]:
    cls = _ROW_CLASSES.get(names)
    if cls is None:
        # the first of two same-named columns wins, as in sqlite3.Row
        index = {name: i for i, name in reversed(list(enumerate(names)))}
        index.update({k.lower(): v for k, v in index.items() if k.lower() not in index})
        cls = type("Row", (Row,), {"__slots__": (), "_index": index, "_names": names})
        _ROW_CLASSES[names] = cls
    return cls


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:  # noqa: ANN401 - psycopg cursor
    names = tuple(column.name for column in cursor.description or ())
    return _row_class(names)


def _value(value: Any) -> Any:  # noqa: ANN401 - any SQL parameter
    """Return a parameter as PostgreSQL should store it to read back what SQLite would."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
    return value


def _params(query: Query, parameters: Any) -> Any:  # noqa: ANN401
    if query.style == "none":
        if parameters:
            raise StoreError(f"parameters given to a statement without marks: {query.sql[:80]}")
        return None
    if query.style == "named":
        named: Mapping[str, Any] = parameters
        return {k: _value(v) for k, v in named.items()}
    return tuple(_value(v) for v in parameters)


class PgCursor:
    """The result of one statement; empty (not an error) when it returns no rows."""

    def __init__(self, cursor: psycopg.Cursor[Row]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        """Rows changed by the statement."""
        return int(self._cursor.rowcount)

    def fetchone(self) -> Row | None:
        """Return the next row, or None."""
        return self._cursor.fetchone() if self._cursor.description is not None else None

    def fetchall(self) -> list[Row]:
        """Return the remaining rows."""
        return self._cursor.fetchall() if self._cursor.description is not None else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection that runs the store's SQLite-dialect SQL (autocommit + BEGIN)."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # noqa: PLC0415 - only PostgreSQL users need it
        except ImportError as exc:
            raise StoreError("PostgreSQL needs psycopg: pip install 'storyline[postgres]'") from exc
        try:
            self.raw: psycopg.Connection[Row] = psycopg.connect(
                libpq_url(url), autocommit=True, row_factory=_row_factory
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {redact(url)}: {exc}") from exc
        _register_loaders(self.raw)
        self._queries: dict[str, Query] = {}
        self._keys: dict[str, tuple[str, ...]] = {}

    def _translate(self, sql: str) -> Query:
        query = self._queries.get(sql)
        if query is None:
            query = translate_query(sql, self.primary_key)
            self._queries[sql] = query
        return query

    def execute(self, sql: str, parameters: Any = (), /) -> PgCursor:  # noqa: ANN401
        """Run one statement (SQLite dialect) and return its cursor."""
        query = self._translate(sql)
        cursor = self.raw.cursor()
        cursor.execute(query.sql, _params(query, parameters))
        return PgCursor(cursor)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> PgCursor:
        """Run one statement once per parameter set."""
        query = self._translate(sql)
        rows = [_params(query, p) for p in parameters]
        cursor = self.raw.cursor()
        if rows:
            cursor.executemany(query.sql, rows)
        return PgCursor(cursor)

    def executescript(self, script: str) -> None:
        """Run several statements without parameters, as they are (PostgreSQL dialect)."""
        self.raw.execute(script.encode())

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()

    def primary_key(self, table: str) -> tuple[str, ...]:
        """Return the primary key columns of a table of the current schema, in key order."""
        keys = self._keys.get(table)
        if keys is None:
            rows = self.raw.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                (table,),
            ).fetchall()
            keys = tuple(str(r[0]) for r in rows)
            if keys:
                self._keys[table] = keys
        return keys


def _register_loaders(conn: psycopg.Connection[Row]) -> None:
    from psycopg.adapt import Loader  # noqa: PLC0415 - psycopg is imported lazily

    class NumericLoader(Loader):
        """NUMERIC (SUM of integers, for one) as SQLite returns it: int, or float."""

        def load(self, data: Any) -> int | float:  # noqa: ANN401 - a buffer
            value = Decimal(bytes(data).decode())
            return int(value) if value == value.to_integral_value() else float(value)

    class BoolLoader(Loader):
        """Booleans (comparisons, EXISTS) as SQLite returns them: 1 or 0."""

        def load(self, data: Any) -> int:  # noqa: ANN401 - a buffer
            return 1 if bytes(data) == b"t" else 0

    conn.adapters.register_loader("numeric", NumericLoader)
    conn.adapters.register_loader("bool", BoolLoader)


def migrate(conn: PgConnection, migrations: Sequence[str], variants: Mapping[int, str]) -> int:
    """Bring a PostgreSQL schema up to date; return the version it is now at.

    Each migration runs in its own transaction under an advisory lock, so two processes
    opening a new database at once apply it once; ``variants`` replaces a migration's SQL.
    """
    current = schema_version(conn)
    for number, script in enumerate(migrations[current:], start=current + 1):
        conn.execute("BEGIN")
        try:
            conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            row = conn.raw.execute("SELECT MAX(version) FROM schema_version").fetchone()
            version = int(row[0]) if row is not None and row[0] is not None else 0
            if version < number:  # another process may have applied it meanwhile
                sql = variants.get(number)
                if sql is None:
                    sql = translate_ddl(script, conn.primary_key)
                conn.executescript(sql)
                conn.raw.execute("DELETE FROM schema_version")
                conn.raw.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return len(migrations)


def schema_version(conn: PgConnection) -> int:
    """Return the schema version recorded in the current schema (0 when none)."""
    row = conn.raw.execute(
        "SELECT version FROM schema_version" if _has_table(conn, "schema_version") else "SELECT 0"
    ).fetchone()
    return int(row[0]) if row is not None else 0


def _has_table(conn: PgConnection, table: str) -> bool:
    row = conn.raw.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    return bool(row is not None and row[0])
