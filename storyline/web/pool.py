"""Read-only connections to the served database, so that requests read side by side.

One SQLite connection behind a lock made every request queue behind the one before it,
even though SQLite in WAL mode lets any number of readers run beside the one writer. The
pool hands each request a read-only connection of its own (opened on first need, kept for
the next request), and each request reads inside one transaction: every query of a page
sees the same snapshot, even while ``POST /api/ingest`` or another process writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class ReadPool:
    """Read-only connections to one SQLite file, one per request in flight, ``size`` at most."""

    # how each lent connection starts its read transaction (one snapshot per request)
    BEGIN = "BEGIN"

    def __init__(self, path: Path | None, size: int) -> None:
        self.uri = path.resolve().as_uri() + "?mode=ro" if path is not None else ""
        self.size = size
        self._lent_out = 0
        self._waiting: deque[threading.Event] = deque()  # requests waiting, first come first
        self._memos: dict[sqlite3.Connection, dict[str, Any]] = {}
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.opened = 0  # connections opened so far: as many as requests ever overlapped

    def _open(self) -> Any:  # noqa: ANN401 - a sqlite3 or PostgreSQL connection
        conn = sqlite3.connect(self.uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        with self._lock:
            self.opened += 1
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """Lend a connection for one request's reads, inside one read transaction.

        At most ``size`` are lent at once; a request beyond that waits for one to come back,
        and they are handed out in the order requests asked (a semaphore lets a newcomer take
        a freed one first: under load some requests then waited seconds while others passed).
        """
        self._take_turn()
        try:
            with self._lent() as conn:
                yield conn
        finally:
            self._end_turn()

    def _take_turn(self) -> None:
        with self._lock:
            if self._lent_out < self.size and not self._waiting:
                self._lent_out += 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # _end_turn hands its place over: _lent_out already counts this one

    def _end_turn(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._lent_out -= 1

    @contextmanager
    def _lent(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._open()
        reusable = False
        try:
            conn.execute(self.BEGIN)
            try:
                yield conn
            finally:
                try:
                    conn.execute("ROLLBACK")  # nothing was written: this ends the snapshot
                    reusable = True
                except Exception:  # noqa: BLE001, S110 - sqlite3's or psycopg's error alike
                    pass  # a connection that cannot end its transaction is not lent again
        finally:
            self._give_back(conn, reusable=reusable)

    def memo(self, conn: sqlite3.Connection) -> dict[str, Any]:
        """Return what may be kept with a lent connection from one request to the next.

        A connection is lent to one request at a time, so its memo needs no lock; it goes
        when the connection is closed.
        """
        with self._lock:
            return self._memos.setdefault(conn, {})

    def _give_back(self, conn: sqlite3.Connection, *, reusable: bool) -> None:
        with self._lock:
            if reusable and not self._closed:
                self._idle.append(conn)
                return
            self._memos.pop(conn, None)
        conn.close()

    def close(self) -> None:
        """Close the idle connections; those lent out are closed when they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            with self._lock:
                self._memos.pop(conn, None)
            conn.close()


class PgReadPool(ReadPool):
    """Connections to a PostgreSQL store, each request reading one read-only snapshot."""

    BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def __init__(self, url: str, size: int) -> None:
        super().__init__(None, size)
        self.url = url

    def _open(self) -> Any:  # noqa: ANN401 - a PgConnection
        from storyline.store.postgres import PgConnection  # noqa: PLC0415 - psycopg is optional

        conn = PgConnection(self.url)
        with self._lock:
            self.opened += 1
        return conn
