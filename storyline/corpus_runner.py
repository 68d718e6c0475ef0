"""One runner entry for every corpus stage: dedupe, entity merging, clustering, plug-ins.

A corpus stage sees every article at once, so it runs once, on the driver. It declares its
work (``CorpusStage``): one function of the store that reads what it needs (its own
incremental state included), writes its rows and returns its value, and the counts of that
value. Items that make a corpus function raise are found inside it (``boundary.isolate``,
which needs the function's own view of its items) and stored through the run's tally as
Rejected rows (S199, stage and item). This module owns the rest: the stage's progress, its
one summary, and handing its value to the later stages of the run (``RunSetup.values``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.boundary import RunTally
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from storyline.store import Store


@dataclass(frozen=True, slots=True)
class CorpusStage:
    """What a corpus stage is made of; ``run_corpus`` does the rest."""

    name: str  # the label of its progress, its Rejected rows and its summary
    # (store, the run's tally) -> its value; it reads and writes its own tables, rejects
    # through the tally the items it left out, and may report finer progress through it
    apply: Callable[[Store, RunTally], Any]
    count: Callable[[Any], Mapping[str, int]]  # its value -> the summary's counts
    hands: str | None = None  # the run value its value is handed on as (``RunSetup.values``)


def run_corpus(
    stage: CorpusStage, store: Store, tally: RunTally | None = None
) -> tuple[StageSummary, Any]:
    """Run ``stage`` once over the store; return its summary and its value."""
    tally = tally or RunTally()
    value = stage.apply(store, tally)
    return StageSummary(stage.name, dict(stage.count(value))), value
