"""One runner for every per-article stage: the built-ins (dates, nlp, quality) and plug-ins.

A per-article stage declares only what is its own (``ArticleStage``): a pure ``work``
function from a chunk of articles and the run's parameters to one result or Failure per
article, how its results are stored, and what it counts. This module owns the rest, the same
for every such stage: which articles are pending, reading them a chunk at a time, mapping the
chunks over the run's executor (sequential, a process pool or Dask: ``runners.map_ordered``
keeps the input order), the per-item boundary (a Failure is a Rejected row, S199 with its
traceback, and the article is still marked done), the writes, progress, and summing the counts.

A stage with a ``version`` (``stage_runner.article_version``: a digest of its code and of the
settings that change its output) stamps each article it does with it; an article done by
another version, or before versions were stored, is pending again. Its new rows replace the
old ones (``save`` replaces an article's rows) and the summary counts it under ``redone``
(present only when some were). An article that now makes the stage raise keeps none of its old
rows: it is a Rejected row (S199) and stored as a run of the new code from scratch would
store it, rather than keep what old code made beside what new code makes.
A stage's ``redo`` selects more done articles to do again, counted the same way (dates: the
articles whose date was guessed, when the corpus's window moved since they were dated).

Each chunk is stored before the next is read, so memory holds a few chunks whatever the corpus
size and an interrupted run resumes after the last stored chunk.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.boundary import Failure, RunTally
from storyline.runners import map_ordered
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from concurrent.futures import Executor

    from storyline.models import CleanArticle
    from storyline.store import Store


def in_chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """Yield consecutive slices of ``items`` of at most ``size``."""
    for begin in range(0, len(items), size):
        yield list(items[begin : begin + size])


@dataclass(frozen=True, slots=True)
class ArticleStage:
    """What a per-article stage is made of; ``run_articles`` does the rest.

    ``work`` runs on the executor's workers: a top-level function, and ``prepare``'s value
    picklable, for a process pool or Dask. The other hooks run in the driver, which alone
    writes the store.
    """

    name: str  # the label of its progress, its Rejected rows and its summary
    # (what ``read`` made of a chunk, the params) -> one result or Failure per article, in order
    work: Callable[[Any, Any], Sequence[Any]]
    save: Callable[[Store, list[Any], list[Failure]], None]  # a chunk's results and failures
    # a chunk's counts, summed over the run; called on ([], []) for the keys of an empty run
    count: Callable[[Sequence[Any], Sequence[Failure]], Mapping[str, int]]
    chunk: int  # articles per chunk
    prepare: Callable[[Store], Any] | None = None  # the params given to ``work``; default None
    pending: Callable[[Store], list[str]] | None = None  # default: store.pending_ids(name)
    read: Callable[[Iterable[CleanArticle]], Any] | None = None  # default: a tuple of them
    # (store, a chunk's ids) -> what ``read`` is given; default: the stored articles (clean
    # reads each one's raw text too)
    load: Callable[[Store, list[str]], Iterable[Any]] | None = None
    flag: Callable[[Sequence[Any]], list[Failure]] | None = None  # results that are rejections
    # the run's last write, given the summed counts; returns the summary's counts
    finish: Callable[[Store, dict[str, int]], Mapping[str, int]] | None = None
    # what made the stored rows: with the default ``pending`` an article done by another
    # version is done again (``stage_runner`` sets it; None: done once, whatever the code)
    version: str | None = None
    skip: frozenset[str] = frozenset()  # articles never given to the stage (nlp: copies)
    # (store, the params) -> articles done before that the params make stale (dates: those
    # whose date was guessed within a corpus window that has moved): done again, as ``redone``
    redo: Callable[[Store, Any], Iterable[str]] | None = None


def _apply(work: Callable[[Any, Any], Sequence[Any]], params: object, chunk: object) -> Any:  # noqa: ANN401
    """Return ``work(chunk, params)``: a top-level function, so a process pool can pickle it."""
    return work(chunk, params)


def run_articles(
    stage: ArticleStage,
    store: Store,
    executor: Executor | None,
    tally: RunTally | None = None,
) -> StageSummary:
    """Run ``stage`` over its pending articles, chunk by chunk; return its summed counts."""
    tally = tally or RunTally()
    params = stage.prepare(store) if stage.prepare is not None else None
    versioned = stage.version is not None and stage.pending is None
    if stage.pending is not None:
        todo = stage.pending(store)
    else:
        todo = store.pending_ids(stage.name, version=stage.version)
    again = set(stage.redo(store, params)) if stage.redo is not None else set()
    if again.difference(todo):  # in ingest order, as pending ones are
        wanted = again.union(todo)
        todo = [a for a in store.article_ids() if a in wanted]
    todo = [a for a in todo if a not in stage.skip]
    if versioned and stage.version is not None:
        again |= store.stale_ids(stage.name, stage.version)
    again.intersection_update(todo)
    if again:
        store.forget_failures(stage.name, sorted(again))  # the S199 rows of the earlier try
    read = stage.read or tuple
    load = stage.load or (lambda store, ids: store.articles(ids=ids))
    chunks = (read(load(store, ids)) for ids in in_chunks(todo, stage.chunk))
    totals = dict(stage.count([], []))
    done = 0
    tally.step(stage.name, done, len(todo))
    work = functools.partial(_apply, stage.work, params)
    for ids, found in zip(
        in_chunks(todo, stage.chunk), map_ordered(work, chunks, executor), strict=True
    ):
        failed = [r for r in found if isinstance(r, Failure)]
        results = [r for r in found if not isinstance(r, Failure)]
        flagged = stage.flag(results) if stage.flag is not None else []
        tally.reject(store, failed + flagged)
        # a failed article is marked done too: a rerun does not give it to the stage again
        stage.save(store, results, failed)
        if versioned and stage.version is not None:
            # after ``save``: an interrupted run leaves the chunk unstamped, done again next run
            store.stamp_stage(stage.name, ids, stage.version)
        for key, value in stage.count(results, failed).items():
            totals[key] = totals.get(key, 0) + value
        done += len(found)
        tally.step(stage.name, done, len(todo))
    if again:
        totals["redone"] = len(again)
    if stage.finish is not None:
        totals = dict(stage.finish(store, totals))
    return StageSummary(stage.name, totals)
