"""Executors for per-article stages: sequential, a process pool, or a Dask cluster.

Per-article stages are pure functions of one article (or one chunk of articles), so any
``concurrent.futures.Executor`` can map them; results come back in input order whichever
executor ran them, and only the driver writes the store. Mapping is lazy and bounded: at most
``window`` items are in flight, so a corpus larger than memory streams through a pool.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
import weakref
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from storyline.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import Future

In = TypeVar("In")
Out = TypeVar("Out")

# How many workers each executor made here has: it sizes the window of work in flight.
_WIDTHS: weakref.WeakKeyDictionary[Executor, int] = weakref.WeakKeyDictionary()


def executor_width(executor: Executor | None) -> int:
    """Return how many items ``executor`` runs at once (1 in this process, cores if unknown)."""
    if executor is None:
        return 1
    return _WIDTHS.get(executor) or os.cpu_count() or 1


def map_ordered(
    fn: Callable[[In], Out],
    items: Iterable[In],
    executor: Executor | None = None,
    *,
    window: int | None = None,
) -> Iterator[Out]:
    """Apply ``fn`` to every item, in order; on ``executor`` when given, else in this process.

    Items are read lazily: no more than ``window`` (default twice the executor's width) are
    submitted ahead of the result being yielded, unlike ``Executor.map``, which submits all.
    """
    if executor is None:
        return map(fn, items)
    return _bounded_map(fn, items, executor, window or 2 * executor_width(executor))


def _bounded_map(
    fn: Callable[[In], Out], items: Iterable[In], executor: Executor, window: int
) -> Iterator[Out]:
    pending: deque[Future[Out]] = deque()
    try:
        for item in items:
            pending.append(executor.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        # an interrupted run (an error, a closed generator) leaves no work behind
        for future in pending:
            future.cancel()


@contextmanager
def make_executor(workers: int | None = None, dask: str | None = None) -> Iterator[Executor | None]:
    """Yield the executor a run asked for: None (sequential), a process pool, or Dask's.

    Args:
        workers: process count; 1 or None runs in this process, 0 means one per core. With
            ``dask="local"`` it is the number of LocalCluster workers (default 2).
        dask: a scheduler address ``tcp://host:8786``, or ``local`` for a LocalCluster.

    Raises:
        UsageError: Dask was asked for but is not installed, or its scheduler cannot be reached.
    """
    if dask:
        with _dask_executor(dask, workers) as executor:
            yield executor
        return
    count = (os.cpu_count() or 1) if workers == 0 else (workers or 1)
    if count <= 1:
        yield None
        return
    with ProcessPoolExecutor(
        max_workers=count, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        _WIDTHS[pool] = count
        yield pool


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCHDOG_EVERY = 1.0  # seconds between two looks at the parent, where prctl is missing


def die_with_parent(parent: int) -> None:
    """Make this pool worker exit when the process that made the pool is gone.

    A ``kill -9`` of ``storyline run`` left its workers alive (PPID 1, hundreds of MB each,
    for as long as their current task took, and longer). On Linux the kernel sends this
    process SIGKILL when its parent dies (PR_SET_PDEATHSIG); everywhere, a daemon thread
    also checks the parent every second, and covers a parent that died before this ran.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    watchdog = threading.Thread(
        target=_watch_parent, args=(parent,), name="storyline-parent-watchdog", daemon=True
    )
    watchdog.start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCHDOG_EVERY)
    os._exit(1)


@contextmanager
def _dask_executor(address: str, workers: int | None) -> Iterator[Executor]:
    try:
        from dask.distributed import Client, LocalCluster  # noqa: PLC0415 - optional extra
    except ImportError as exc:
        raise UsageError("Dask is not installed: pip install 'storyline[dask]'") from exc
    if address == "local":
        count = workers or 2
        with (
            LocalCluster(
                n_workers=count,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: several clusters may share a host
            ) as cluster,
            Client(cluster) as client,
        ):
            executor = client.get_executor()
            _WIDTHS[executor] = count
            yield executor
        return
    try:
        client = Client(address)
    except (OSError, ValueError, TypeError) as exc:
        # a refused or unreachable address (OSError after the connect timeout), or a
        # malformed one: the user's option, so a usage error rather than an S199 traceback
        raise UsageError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from exc
    with client:
        executor = client.get_executor()
        _WIDTHS[executor] = max(1, sum(client.nthreads().values()))
        yield executor
