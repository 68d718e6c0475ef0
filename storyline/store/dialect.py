"""SQL written for SQLite, rewritten for PostgreSQL: placeholders, upserts, DDL types, NULL order.

The store's SQL is written once, in the SQLite dialect (portable forms preferred, such as
``INSERT ... ON CONFLICT``); ``translate_query`` and ``translate_ddl`` turn it into what
PostgreSQL needs so that both backends return the same rows in the same order:

- ``?`` and ``:name`` become ``%s`` and ``%(name)s``; a literal ``%`` becomes ``%%``;
- ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE`` an upsert on
  the table's primary key (looked up by the caller);
- ``ORDER BY x`` gets ``NULLS FIRST`` (``DESC``: ``NULLS LAST``), since SQLite sorts NULL first;
- ``LIKE`` becomes ``ILIKE`` (SQLite's LIKE ignores ASCII case), ``IFNULL`` ``COALESCE``;
- in DDL, column types map by SQLite's affinity rules: INTEGER -> BIGINT, REAL -> DOUBLE
  PRECISION (floats round-trip bit for bit), BLOB -> BYTEA, TEXT -> TEXT COLLATE "C" (byte
  order, as SQLite's BINARY collation), ``INTEGER PRIMARY KEY`` -> an identity column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

Dialect = Literal["sqlite", "postgresql"]
URL_SCHEMES = ("postgresql", "postgres")


class Cursor(Protocol):
    """What the store reads from a query (sqlite3.Cursor and the PostgreSQL cursor both fit)."""

    @property
    def rowcount(self) -> int:
        """Rows the statement changed."""

    def fetchone(self) -> Any:  # noqa: ANN401 - a row, read by position or by name
        """Return the next row, or None."""

    def fetchall(self) -> list[Any]:
        """Return the remaining rows."""

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The connection ``Store.conn`` and ``Store.transaction()`` give: DB-API, ``?`` marks."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor:  # noqa: ANN401
        """Run one statement."""

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor:
        """Run one statement per parameter set."""

    def close(self) -> None:
        """Close the connection."""


def dialect_of(db: str) -> Dialect:
    """Return which backend a ``--db`` value names: a postgresql:// URL, else a SQLite file."""
    scheme = db.split("://", 1)[0].split("+", 1)[0].lower() if "://" in db else ""
    return "postgresql" if scheme in URL_SCHEMES else "sqlite"


def libpq_url(db: str) -> str:
    """Return the URL libpq accepts (SQLAlchemy-style ``postgresql+psycopg://`` is allowed)."""
    scheme, rest = db.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"


def redact(db: str) -> str:
    """Return ``db`` with any password hidden, for messages."""
    if dialect_of(db) == "sqlite":
        return db
    parts = urlsplit(db)
    if parts.password is None:
        return db
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# -- tokens -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
  | (?P<cast>::)
  | (?P<named>[:@$][A-Za-z_]\w*)
  | (?P<qmark>\?\d*)
  | (?P<word>[A-Za-z_][\w$]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(slots=True, eq=False)  # compared by identity: list.index finds this token
class _Tok:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _tokens(sql: str) -> list[_Tok]:
    out: list[_Tok] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind == "ident" and text.startswith("`"):
            text = '"' + text[1:-1].replace("``", "`").replace('"', '""') + '"'
        out.append(_Tok(kind, text))
    return out


def _significant(tokens: Sequence[_Tok]) -> list[_Tok]:
    return [t for t in tokens if t.kind not in ("ws", "comment")]


# -- queries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """A statement in PostgreSQL's dialect and how its parameters are passed."""

    sql: str
    style: Literal["none", "positional", "named"]


_ORDER_END = {"LIMIT", "OFFSET", "FETCH", "FOR", "UNION", "EXCEPT", "INTERSECT", "RETURNING"}
_BEGIN_MODES = {"IMMEDIATE", "EXCLUSIVE", "DEFERRED"}


def translate_query(sql: str, primary_key: Callable[[str], Sequence[str]]) -> Query:
    """Return ``sql`` (SQLite dialect, one or more statements) in PostgreSQL's dialect.

    Args:
        sql: the statement as the store writes it for SQLite.
        primary_key: the primary key columns of a table, for ``INSERT OR REPLACE``.
    """
    statements = _split_statements(_tokens(sql))
    style: set[str] = set()
    pieces = [_translate_statement(s, primary_key, style) for s in statements]
    if len(style) > 1:
        raise ValueError("mixed ? and :name parameters in one statement")
    chosen = next(iter(style), "none")
    text = "".join(pieces)
    if chosen != "none":
        # psycopg reads every % as the start of a placeholder; ours are marked with \x00
        text = text.replace("%", "%%").replace("\x00", "%")
    return Query(text, chosen)  # type: ignore[arg-type]


def _split_statements(tokens: list[_Tok]) -> list[list[_Tok]]:
    statements: list[list[_Tok]] = [[]]
    depth = 0
    for tok in tokens:
        statements[-1].append(tok)
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.text == ";" and depth == 0:
            statements.append([])
    return [s for s in statements if s]


def _translate_statement(
    tokens: list[_Tok], primary_key: Callable[[str], Sequence[str]], style: set[str]
) -> str:
    words = [t.upper for t in _significant(tokens)]
    conflict = ""
    tokens = list(tokens)
    if words[:1] == ["BEGIN"] and len(words) > 1 and words[1] in _BEGIN_MODES:
        return "BEGIN" + (";" if tokens[-1].text == ";" else "")
    if words[:3] in (["INSERT", "OR", "IGNORE"], ["INSERT", "OR", "REPLACE"]) or words[:1] == [
        "REPLACE"
    ]:
        replace = "REPLACE" in words[:3]
        tokens = _drop_or_clause(tokens)
        conflict = _conflict_clause(tokens, primary_key) if replace else " ON CONFLICT DO NOTHING"
    out: list[str] = []
    order_depths: list[int] = []  # depths at which an ORDER BY list is open
    term: list[str] = []  # upper-cased words of the current ORDER BY term
    depth = 0
    sig = _significant(tokens)
    positions = {id(t): i for i, t in enumerate(sig)}

    last = 0  # where the last significant token ends in ``out``: clauses go in there

    def insert(text: str) -> None:
        nonlocal last
        out.insert(last, text)
        last += 1

    def close_term() -> None:
        if order_depths and term:
            if "NULLS" not in term:
                insert(" NULLS LAST" if term[-1] == "DESC" else " NULLS FIRST")
            term.clear()

    for tok in tokens:
        upper = tok.upper
        at_order = bool(order_depths) and order_depths[-1] == depth
        if at_order and (
            (tok.text in (",", ";")) or upper in _ORDER_END or (tok.text == ")" and depth > 0)
        ):
            close_term()
            if tok.text != ",":
                order_depths.pop()
        if conflict and ((upper == "RETURNING" and depth == 0) or tok.text == ";"):
            insert(conflict)
            conflict = ""
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        if tok.kind == "qmark":
            if tok.text != "?":
                raise ValueError(f"numbered parameter {tok.text} is not supported")
            style.add("positional")
            out.append("\x00s")
            last = len(out)
            continue
        if tok.kind == "named":
            style.add("named")
            out.append(f"\x00({tok.text[1:]})s")
            last = len(out)
            continue
        if upper == "BY" and _previous_word(sig, positions[id(tok)]) == "ORDER":
            out.append(tok.text)
            last = len(out)
            order_depths.append(depth)
            term.clear()
            continue
        at_order = bool(order_depths) and order_depths[-1] == depth
        if at_order and tok.kind not in ("ws", "comment") and tok.text != ",":
            term.append(upper or tok.text)
        if upper == "LIKE":
            out.append("ILIKE")
        elif upper == "IFNULL":
            out.append("COALESCE")
        else:
            out.append(tok.text)
        if tok.kind not in ("ws", "comment"):
            last = len(out)
    if order_depths and order_depths[-1] == depth:
        close_term()
    if conflict:
        insert(conflict)
    return "".join(out)


def _previous_word(sig: list[_Tok], index: int) -> str:
    return sig[index - 1].upper if index > 0 else ""


def _drop_or_clause(tokens: list[_Tok]) -> list[_Tok]:
    """Turn ``INSERT OR X INTO`` / ``REPLACE INTO`` into ``INSERT INTO``."""
    sig = _significant(tokens)
    first = tokens.index(sig[0])
    if sig[0].upper == "REPLACE":
        return [*tokens[:first], _Tok("word", "INSERT"), *tokens[first + 1 :]]
    into = tokens.index(sig[3])
    return [*tokens[: first + 1], _Tok("ws", " "), *tokens[into:]]


def _conflict_clause(tokens: list[_Tok], primary_key: Callable[[str], Sequence[str]]) -> str:
    sig = _significant(tokens)
    table = _unquote(sig[2].text)
    columns: list[str] = []
    if len(sig) > 3 and sig[3].text == "(":
        for tok in sig[4:]:
            if tok.text == ")":
                break
            if tok.text != ",":
                columns.append(_unquote(tok.text))
    keys = list(primary_key(table))
    if not keys:
        raise ValueError(f"INSERT OR REPLACE into {table}: it has no primary key")
    updates = [c for c in columns if c not in keys]
    target = ", ".join(_quote(k) for k in keys)
    if not updates:
        return f" ON CONFLICT ({target}) DO NOTHING"
    sets = ", ".join(f"{_quote(c)} = EXCLUDED.{_quote(c)}" for c in updates)
    return f" ON CONFLICT ({target}) DO UPDATE SET {sets}"


def _unquote(name: str) -> str:
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- DDL ----------------------------------------------------------------------------------

_CONSTRAINT_WORDS = {"PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"}
_TYPE_END = _CONSTRAINT_WORDS | {
    "NOT",
    "NULL",
    "DEFAULT",
    "REFERENCES",
    "COLLATE",
    "GENERATED",
    "AS",
    "AUTOINCREMENT",
}
_NOW_TEXT = {
    "CURRENT_TIMESTAMP": "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')",
    "CURRENT_DATE": "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    "CURRENT_TIME": "to_char(now() AT TIME ZONE 'UTC', 'HH24:MI:SS')",
}


def postgres_type(declared: str) -> str:
    """Return the PostgreSQL type for a SQLite declared type, by SQLite's affinity rules."""
    name = " ".join(declared.upper().split())
    if name in ("BOOLEAN", "BOOL"):
        return "BIGINT"  # SQLite stores and returns 0/1
    if "INT" in name:
        return "BIGINT"
    if any(k in name for k in ("CHAR", "CLOB", "TEXT", "DATE", "TIME", "JSON")) or not name:
        return 'TEXT COLLATE "C"'
    if "BLOB" in name:
        return "BYTEA"
    if any(k in name for k in ("REAL", "FLOA", "DOUB")):
        return "DOUBLE PRECISION"
    return "NUMERIC"


def translate_ddl(script: str, primary_key: Callable[[str], Sequence[str]]) -> str:
    """Return a migration script (SQLite dialect) in PostgreSQL's dialect."""
    out: list[str] = []
    for statement in _split_statements(_tokens(script)):
        sig = _significant(statement)
        words = [t.upper for t in sig]
        if not sig:
            out.append("".join(t.text for t in statement))
        elif words[0] == "CREATE" and "TABLE" in words[1:4]:
            out.append(_create_table(statement))
        elif words[:2] == ["ALTER", "TABLE"] and "ADD" in words:
            add = next(i for i, t in enumerate(statement) if t.upper == "ADD")
            rest = statement[add + 1 :]
            rest_sig = _significant(rest)
            if rest_sig and rest_sig[0].upper == "COLUMN":
                rest = rest[rest.index(rest_sig[0]) + 1 :]
            head = "".join(t.text for t in statement[: add + 1])
            tail = ";" if rest and rest[-1].text == ";" else ""
            body = rest[:-1] if tail else rest
            out.append(f"{head} COLUMN {_column(body)}{tail}")
        else:
            query = translate_query("".join(t.text for t in statement), primary_key)
            out.append(query.sql)
    return "".join(out)


def _create_table(statement: list[_Tok]) -> str:
    start = next(i for i, t in enumerate(statement) if t.text == "(")
    depth = 0
    end = start
    for end in range(start, len(statement)):
        if statement[end].text == "(":
            depth += 1
        elif statement[end].text == ")":
            depth -= 1
            if depth == 0:
                break
    definitions: list[list[_Tok]] = [[]]
    depth = 0
    for tok in statement[start + 1 : end]:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        if tok.text == "," and depth == 0:
            definitions.append([])
        else:
            definitions[-1].append(tok)
    columns = []
    for definition in definitions:
        sig = _significant(definition)
        if sig and sig[0].upper in _CONSTRAINT_WORDS:
            columns.append("".join(t.text for t in definition).strip())
        else:
            columns.append(_column(definition))
    head = "".join(t.text for t in statement[:start])
    tail = ";" if statement[-1].text == ";" else ""  # WITHOUT ROWID / STRICT are dropped
    return head + "(\n    " + ",\n    ".join(columns) + "\n)" + tail


def _column(definition: list[_Tok]) -> str:
    """Translate one column definition: ``name type constraints``."""
    sig = _significant(definition)
    name, rest = sig[0].text, sig[1:]
    type_words: list[str] = []
    index = 0
    while index < len(rest) and rest[index].upper not in _TYPE_END:
        if rest[index].text == "(":  # VARCHAR(20): the size does not matter to SQLite
            while index < len(rest) and rest[index].text != ")":
                index += 1
        else:
            type_words.append(rest[index].text)
        index += 1
    constraints = definition[definition.index(rest[index]) :] if index < len(rest) else []
    words = [t.upper for t in constraints]
    declared = " ".join(type_words)
    pg_type = postgres_type(declared)
    if pg_type == "BIGINT" and "PRIMARY" in words and "INT" in declared.upper():
        pg_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY"
    parts: list[str] = []
    previous = ""
    for tok in constraints:
        if tok.upper == "AUTOINCREMENT":
            continue
        if tok.upper in _NOW_TEXT and previous == "DEFAULT":
            parts.append(f"({_NOW_TEXT[tok.upper]})")
        else:
            parts.append(tok.text)
        if tok.kind not in ("ws", "comment"):
            previous = tok.upper
    return f"{name} {pg_type} {''.join(parts).strip()}".rstrip()
