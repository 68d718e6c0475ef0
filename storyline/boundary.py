"""Per-item boundaries inside the stages: one bad article or storyline never stops a run.

A stage maps a function over items (articles, storylines). When the function raises on one
item, that item becomes a ``Failure`` (the stage, the item's id, a code, the traceback) and the
others go on; the driver stores each failure as a Rejected row and marks the item done for
that stage, so a rerun neither crashes on it nor tries it forever. A ``StorylineError`` that is
not about one item (a bad setting, a store that cannot be written) still stops the run.

Corpus functions (entity merging, clustering) see every item at once; ``isolate`` finds the
items that make one raise by bisection and runs it again without them. That costs
O(poison x log n) extra calls, and only when something raised.
"""

from __future__ import annotations

import sqlite3
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from storyline.errors import INTERNAL, InputError, StorylineError, interrupt_behind

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from storyline.models import Rejected
    from storyline.store import Store

Item = TypeVar("Item")
Out = TypeVar("Out")


@dataclass(frozen=True, slots=True)
class Failure:
    """One item that made a stage raise: stored as a Rejected row with its traceback."""

    stage: str
    item_id: str
    code: str
    reason: str
    detail: str  # the formatted traceback: the bug report

    @property
    def locator(self) -> str:
        """Return the Rejected row's key: one row per item and stage."""
        return f"{self.stage}:{self.item_id}"


def failure_of(stage: str, item_id: str, exc: BaseException) -> Failure:
    """Return the Failure for ``exc`` raised by ``stage`` on ``item_id``.

    An ``InputError`` keeps its own code (the item's data is at fault); anything else is a
    bug, S199.
    """
    code = exc.code if isinstance(exc, InputError) else INTERNAL
    reason = exc.reason if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
    detail = "".join(traceback.format_exception(exc))
    return Failure(stage, item_id, code, reason, detail)


def is_item_error(exc: BaseException) -> bool:
    """Return whether ``exc`` is about the item at hand (caught) rather than the whole run.

    Database errors (locked, disk full, a server gone) and storyline's own run-level errors
    (a bad setting) are the run's; an ``InputError`` or any other exception is the item's.
    """
    if isinstance(exc, InputError):
        return True
    if interrupt_behind(exc) is not None:
        return False  # Ctrl-C, wrapped by the code it landed in: the run's, never an item's
    if not isinstance(exc, Exception) or isinstance(exc, StorylineError | sqlite3.Error):
        return False
    return not type(exc).__module__.startswith("psycopg")


def guard(stage: str, fn: Callable[[Item], Out], item: Item, item_id: str) -> Out | Failure:
    """Return ``fn(item)``, or the Failure it raised."""
    try:
        return fn(item)
    except Exception as exc:
        if not is_item_error(exc):
            raise
        return failure_of(stage, item_id, exc)


def isolate(
    stage: str,
    fn: Callable[[Sequence[Item]], Out],
    items: Sequence[Item],
    key: Callable[[Item], str],
) -> tuple[Out, list[Failure]]:
    """Return ``fn(items)``, leaving out (as Failures) the items that make it raise.

    ``fn`` must be a pure function of the items it is given. When it raises on every subset
    (even none), the error is not any item's: it is raised.
    """
    try:
        return fn(items), []
    except Exception as exc:
        if not is_item_error(exc):
            raise
        first = exc
    poison: list[tuple[Item, BaseException]] = []
    if len(items) == 1:
        poison.append((items[0], first))
    else:
        middle = len(items) // 2
        _bisect(fn, list(items[:middle]), poison)
        _bisect(fn, list(items[middle:]), poison)
    if not poison:
        raise first
    bad = {id(item) for item, _ in poison}
    kept = [item for item in items if id(item) not in bad]
    return fn(kept), [failure_of(stage, key(item), exc) for item, exc in poison]


def _bisect(
    fn: Callable[[Sequence[Item]], object],
    items: list[Item],
    poison: list[tuple[Item, BaseException]],
) -> None:
    """Append to ``poison`` the single items of ``items`` on which ``fn`` raises."""
    if not items:
        return
    try:
        fn(items)
    except Exception as exc:
        if not is_item_error(exc):
            raise
        if len(items) == 1:
            poison.append((items[0], exc))
            return
        middle = len(items) // 2
        _bisect(fn, items[:middle], poison)
        _bisect(fn, items[middle:], poison)


@dataclass(slots=True)
class RunTally:
    """What one run collects across its stages: the items rejected, and progress reports.

    Mutable on purpose: the driver alone adds to it, stage after stage.
    """

    progress: Callable[[str, int, int], None] | None = None
    rejected: list[Rejected] = field(default_factory=list)

    def step(self, stage: str, done: int, total: int) -> None:
        """Report that ``stage`` has processed ``done`` of its ``total`` items."""
        if self.progress is not None:
            self.progress(stage, done, total)

    def reject(self, store: Store, failures: Sequence[Failure]) -> None:
        """Store ``failures`` as Rejected rows and count them in this run."""
        if failures:
            self.rejected.extend(store.record_failures(failures))
