"""One run per store at a time: the lock that ``ingest``, ``run`` and watch cycles take.

Two runs on one store lost no data, but both parsed every pending article and printed
different reports. Readers (``serve``, ``export``) never take this lock.

SQLite: an OS file lock (``flock``) on ``<db>.lock`` beside the database; the kernel drops it
when the holder exits, however it exits (kill -9 included), so a crashed run never wedges the
store. The file is never deleted: removing it while another process waits on it would let two
runs hold "the" lock at once. PostgreSQL: a session advisory lock, dropped by the server when
the connection ends. Its key is the database's and the schema's (a store is a schema): one
fixed key made two workspaces in two schemas of one database wait for each other, and the
second fail with S004 though they share no table.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from storyline.errors import StoreBusyError, StoreError
from storyline.store.dialect import redact

if TYPE_CHECKING:
    from collections.abc import Iterator

    from storyline.store.base import StoreBase

# The advisory lock's key on PostgreSQL is hashed from this prefix ("storyline" and the lock's
# purpose, unlikely to meet another application's key), the database and the schema.
_PG_KEY_PREFIX = b"storyline run lock\0"
_POLL = 0.1  # seconds between two tries while waiting


def lock_path(db: str) -> str:
    """Return the lock file of the SQLite database at ``db``."""
    return f"{db}.lock"


@contextmanager
def run_lock(store: StoreBase, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's run lock for the block, waiting up to ``wait`` seconds for it.

    Raises:
        StoreBusyError: another run held it for the whole wait.
    """
    if store.dialect == "postgresql":
        with _advisory_lock(store, wait):
            yield
    elif store.path == ":memory:":
        yield  # no other process can open it
    else:
        with _file_lock(store.path, wait):
            yield


def _busy(db: str, holder: str) -> StoreBusyError:
    who = f" (process {holder})" if holder else ""
    return StoreBusyError(
        f"{redact(db)} is being written by another storyline run{who}: "
        "one run per store at a time; try again when it ends (readers such as serve go on)"
    )


@contextmanager
def _file_lock(db: str, wait: float) -> Iterator[None]:
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows: runs are not serialised there
        yield
        return
    path = lock_path(db)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    raise _busy(db, holder) from None
                time.sleep(_POLL)
        # who holds it, for the message a second run prints
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def advisory_key(database: str, schema: str) -> int:
    """Return the run lock's advisory key of one schema of one database (a signed 64-bit int).

    Advisory locks are shared by every schema of a database, so the schema is in the key; the
    database is too, though the server already keeps each database's locks apart (a key read
    in a log names its store).
    """
    name = f"{database}\0{schema}".encode()
    digest = hashlib.blake2b(_PG_KEY_PREFIX + name, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _store_key(store: StoreBase) -> int:
    row = store.conn.execute("SELECT current_database(), current_schema()").fetchone()
    if row is None or row[1] is None:
        # no schema on the search path: the store could not have created its tables anyway
        raise StoreError(f"{redact(store.path)}: no current schema to lock")
    return advisory_key(str(row[0]), str(row[1]))


@contextmanager
def _advisory_lock(store: StoreBase, wait: float) -> Iterator[None]:
    key = _store_key(store)
    deadline = time.monotonic() + wait
    while True:
        row = store.conn.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()
        if row is not None and row[0]:
            break
        if time.monotonic() >= deadline:
            raise _busy(store.path, "")
        time.sleep(_POLL)
    try:
        yield
    finally:
        # a connection already gone has dropped the lock with it
        with contextlib.suppress(Exception):
            store.conn.execute("SELECT pg_advisory_unlock(?)", (key,))
