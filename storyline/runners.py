"""Executors for per-article stages: sequential, a process pool, or a Dask cluster.

Per-article stages are pure functions of one article, so any ``concurrent.futures.Executor``
can map them; results come back in input order whichever executor ran them, and only the
driver writes the store.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from storyline.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

In = TypeVar("In")
Out = TypeVar("Out")


def map_ordered(
    fn: Callable[[In], Out], items: Iterable[In], executor: Executor | None = None
) -> Iterator[Out]:
    """Apply ``fn`` to every item, in order; on ``executor`` when given, else in this process."""
    if executor is None:
        return map(fn, items)
    return executor.map(fn, items)


@contextmanager
def make_executor(workers: int | None = None, dask: str | None = None) -> Iterator[Executor | None]:
    """Yield the executor a run asked for: None (sequential), a process pool, or Dask's.

    Args:
        workers: process count; 1 or None runs in this process, 0 means one per core.
        dask: a scheduler address ``tcp://host:8786``, or ``local`` for a LocalCluster.

    Raises:
        UsageError: Dask was asked for but is not installed.
    """
    if dask:
        try:
            from dask.distributed import Client, LocalCluster  # noqa: PLC0415 - optional extra
        except ImportError as exc:
            raise UsageError("Dask is not installed: pip install 'storyline[dask]'") from exc
        if dask == "local":
            with (
                LocalCluster(n_workers=workers or 2, threads_per_worker=1) as cluster,
                Client(cluster) as client,
            ):
                yield client.get_executor()
        else:
            with Client(dask) as client:
                yield client.get_executor()
        return
    count = (os.cpu_count() or 1) if workers == 0 else (workers or 1)
    if count <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=count) as pool:
        yield pool
