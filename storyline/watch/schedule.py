"""The watch scheduler: a cycle every so often, until interrupted, skipping busy databases."""

from __future__ import annotations

import re
import sqlite3
import time
from typing import TYPE_CHECKING

from storyline.errors import StoreError, UsageError
from storyline.watch.cycle import poll

if TYPE_CHECKING:
    from collections.abc import Callable

    from storyline.api import Workspace
    from storyline.fetch.client import Fetcher
    from storyline.watch.cycle import CycleReport

_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_interval(text: str) -> float:
    """Return seconds for an interval such as ``90``, ``30s``, ``15m``, ``1h``.

    Raises:
        UsageError: the text is not such an interval, or is zero.
    """
    match = _INTERVAL_RE.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(f"bad interval {text!r}: use e.g. 30s, 15m, 1h")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


MAX_FAILED_CYCLES = 3  # store errors in a row before the watcher gives up


def _store_busy_errors() -> tuple[type[Exception], ...]:
    """Return the errors of a database that is busy or gone for a while (locked, restarting)."""
    errors: list[type[Exception]] = [sqlite3.OperationalError, StoreError]
    try:
        import psycopg  # noqa: PLC0415 - only with the PostgreSQL extra

        errors.append(psycopg.OperationalError)
    except ImportError:
        pass
    return tuple(errors)


def watch(
    workspace: Workspace,
    fetcher: Fetcher,
    *,
    every: float,
    once: bool = False,
    on_cycle: Callable[[CycleReport], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    cycles: int | None = None,
) -> list[CycleReport]:
    """Poll every ``every`` seconds until interrupted (or once, or ``cycles`` times).

    A cycle that hits a busy database (locked by another writer, a server restarting) is
    skipped and reported to ``on_error``; the next cycle tries again, since nothing of a cycle
    is marked done before it is stored. ``MAX_FAILED_CYCLES`` such cycles in a row stop it.
    """
    busy = _store_busy_errors()
    reports: list[CycleReport] = []
    attempts = failures = 0
    while True:
        started = time.monotonic()
        attempts += 1
        try:
            # one run per store: a cycle that meets another run is skipped like a busy one
            with workspace.locked():
                report = poll(workspace, fetcher)
        except busy as exc:
            failures += 1
            if once or failures >= MAX_FAILED_CYCLES:
                raise
            if on_error is not None:
                on_error(exc)
        else:
            failures = 0
            reports.append(report)
            if on_cycle is not None:
                on_cycle(report)
        if once or (cycles is not None and attempts >= cycles):
            return reports
        sleep(max(0.0, every - (time.monotonic() - started)))
