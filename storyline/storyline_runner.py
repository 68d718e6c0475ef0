"""One runner for every storyline stage: timeline, quote groups, claims and briefing, plug-ins.

A storyline stage declares only what is its own (``StorylineStage``): which stories it covers,
each story's task with the mark of everything the task reads (``story_marks.mark_of``), a pure
``work`` function from one task to that story's outputs, their counts, and how the outputs are
stored. This module owns the rest, the same for every such stage: the stage's old Rejected
rows go first (each changed story is tried again), a story whose mark equals the stored one
keeps its rows (not read again, not rewritten), the changed ones are worked on (in the driver,
or in chunks over the run's executor), the per-story boundary (a story that makes ``work``
raise is a Rejected row naming the stage and the story, S199 with its traceback, and the
others go on), progress, the writes with the marks in the same transaction, and the counts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.boundary import Failure, RunTally, guard
from storyline.runners import map_ordered
from storyline.story_marks import StoryMarks, total
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from concurrent.futures import Executor

    from storyline.models import Story
    from storyline.store import Store

# (story id, the mark of its inputs, its task): what ``tasks`` yields for each story, in order
Task = tuple[str, str, Any]


@dataclass(frozen=True, slots=True)
class StorylineStage:
    """What a storyline stage is made of; ``run_storylines`` does the rest.

    With a ``chunk``, ``work`` runs on the executor's workers: a top-level function, and the
    tasks picklable. The other hooks run in the driver, which alone writes the store.
    """

    name: str  # the label of its progress, its Rejected rows and marks, and its summary
    stories: Callable[[Store], list[Story]]  # the stories it covers, in the order stored
    # (store, those stories) -> each story's Task, lazily: read only as the work needs them
    tasks: Callable[[Store, Sequence[Story]], Iterable[Task]]
    work: Callable[[Any], Any]  # one task -> the story's outputs (or a Failure it names itself)
    count: Callable[
        [Any], Mapping[str, int]
    ]  # one story's outputs -> its counts (kept with the mark)
    # (store, the changed stories' outputs in story order, ids whose rows stand, marks' state row)
    save: Callable[[Store, list[Any], set[str], tuple[str, bytes]], None]
    totals: tuple[str, ...]  # the counts summed over stories
    labels: tuple[str, ...] = ()  # the stages its Rejected rows name; default (name,)
    chunk: int | None = None  # about this much ``weight`` per executor task; None: in the driver
    weight: Callable[[Any], int] | None = None  # a task's share of a chunk; default 1
    # whether a story's outputs are final (marked); one that is not is worked on again next run
    settled: Callable[[Any], bool] | None = None
    # (summed counts, stories covered, whether some outputs are not settled) -> the summary
    summary: Callable[[dict[str, int], int, bool], StageSummary] | None = None


def _work_chunk(
    name: str, work: Callable[[Any], Any], tasks: Sequence[tuple[str, Any]]
) -> list[tuple[str, Any] | Failure]:
    """Return (story id, outputs) or the Failure for each task, in order (on a worker)."""
    found: list[tuple[str, Any] | Failure] = []
    for story_id, task in tasks:
        out = guard(name, work, task, story_id)
        found.append(out if isinstance(out, Failure) else (story_id, out))
    return found


def _chunks(
    tasks: Iterable[tuple[str, Any]], stage: StorylineStage
) -> Iterator[list[tuple[str, Any]]]:
    """Group tasks so that a chunk weighs about ``stage.chunk`` (one task without a chunk)."""
    chunk: list[tuple[str, Any]] = []
    size = 0
    for item in tasks:
        chunk.append(item)
        size += stage.weight(item[1]) if stage.weight is not None else 1
        if stage.chunk is None or size >= stage.chunk:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run_storylines(
    stage: StorylineStage,
    store: Store,
    executor: Executor | None = None,
    tally: RunTally | None = None,
) -> StageSummary:
    """Run ``stage`` over the stories whose inputs changed; return its summed counts."""
    tally = tally or RunTally()
    store.clear_failures(list(stage.labels or (stage.name,)))  # each changed story is retried
    stories = stage.stories(store)
    stored = StoryMarks.load(store, stage.name)
    marks: dict[str, tuple[str, dict[str, int]]] = {}
    todo: dict[str, str] = {}  # story id -> mark, of the stories worked on again

    def changed() -> Iterator[tuple[str, Any]]:  # read and marked as the chunks are needed
        for story_id, mark, task in stage.tasks(store, stories):
            counts = stored.kept(story_id, mark)
            if counts is None:
                todo[story_id] = mark
                yield story_id, task
            else:
                marks[story_id] = (mark, counts)

    built: dict[str, Any] = {}
    done = 0
    tally.step(stage.name, done, len(stories))
    apply = functools.partial(_work_chunk, stage.name, stage.work)
    for results in map_ordered(apply, _chunks(changed(), stage), executor if stage.chunk else None):
        tally.reject(store, [r for r in results if isinstance(r, Failure)])
        built.update(r for r in results if not isinstance(r, Failure))
        done += len(results)
        tally.step(stage.name, done, len(stories))
    tally.step(stage.name, len(stories), len(stories))  # the others' rows stand
    unsettled: list[Any] = []
    for story_id, out in built.items():
        if stage.settled is None or stage.settled(out):
            marks[story_id] = (todo[story_id], dict(stage.count(out)))
        else:  # stored, not marked: worked on again next run, counted all the same
            unsettled.append(out)
    outputs = [built[s.id] for s in stories if s.id in built]
    stage.save(store, outputs, set(marks) - set(built), stored.state(marks))
    rows = [c for _, c in marks.values()] + [dict(stage.count(out)) for out in unsettled]
    counts = total(rows, stage.totals)
    if stage.summary is not None:
        return stage.summary(counts, len(stories), bool(unsettled))
    return StageSummary(stage.name, counts)
