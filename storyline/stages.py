"""The stages that run over the store after ingest, one function each.

Per-article stages (NLP, quality) declare their work per chunk, writes and counts;
``article_runner`` reads what is pending a chunk at a time, maps the chunks over an executor
and stores each chunk as it comes back, so memory holds a few chunks whatever the corpus size
and an interrupted run resumes after the last stored chunk. The timeline declares its work
per storyline for ``storyline_runner``. Corpus stages (dedupe, entity merging, clustering)
read the store in chunks too and write their results back in one transaction each; they run
through ``corpus_runner``.

Every stage has per-item boundaries (``boundary``): an article or storyline that makes a stage
raise becomes a Rejected row naming the stage, and the run goes on without it.
"""

from __future__ import annotations

import functools
import json
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from storyline.article_runner import ArticleStage, in_chunks, run_articles
from storyline.boundary import (
    Failure,
    RunTally,
    guard,
    isolate,
)
from storyline.cluster.state import ClusterState
from storyline.cluster.state_json import dump_state, load_state
from storyline.cluster.storylines import cluster_articles
from storyline.code_version import stage_version
from storyline.dedupe import DuplicateIndex, Signed, dump_signatures, load_signatures, signed
from storyline.extract.entities import merge_entities
from storyline.extract.entity_parts import PartCache, add_headline_articles
from storyline.extract.quotes.find import canonicalise_speakers
from storyline.nlp_work import nlp_work
from storyline.quality.assess import QualityThresholds, assess_quality
from storyline.store.records import Clusters
from storyline.story_marks import mark_of
from storyline.storyline_runner import StorylineStage, Task, run_storylines
from storyline.summaries import StageSummary
from storyline.timeline import TimelineSettings, build_timeline

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from concurrent.futures import Executor

    from storyline.cluster.settings import ClusterSettings
    from storyline.config import DedupeSettings, Settings
    from storyline.extract.annotate import Annotations
    from storyline.models import (
        CleanArticle,
        Mention,
        QualityReport,
        Quote,
        Story,
        TimelineEntry,
    )
    from storyline.store import Store


_CLUSTER_STATE = "cluster.v1"  # the clusterer's state (``run_clusters``)
_DEDUPE_STATE = "dedupe.v1"
_NLP_COPIES = "nlp_copies.v1"  # the articles the nlp stage marked parsed as copies, last run
_ENTITY_STATE = "entities.v1"  # the merged entity parts as one blob: the old format, dropped
_ENTITY_PARTS = "entity-parts.v2:"  # the merged entity parts, one row each (``PartCache``)
# The chunk sizes are [run] settings (defaults.toml says why); these defaults are theirs.
_READ_CHUNK = 500


def pending_ids(store: Store, stage: str) -> list[str]:
    """Return the ids of the articles a per-article stage has not processed, in ingest order.

    Only ids are held, never the articles: a stage then reads them chunk by chunk.
    """
    return store.pending_ids(stage)


def article_ids(store: Store) -> list[str]:
    """Return every stored article's id, in ingest order."""
    return store.article_ids()


def iter_articles(
    store: Store, ids: Sequence[str], size: int | None = None
) -> Iterator[CleanArticle]:
    """Yield the articles with these ids, in ingest order, reading ``size`` at a time."""
    for chunk in in_chunks(ids, size or _READ_CHUNK):
        yield from store.articles(ids=chunk)


def run_dedupe(
    store: Store,
    settings: DedupeSettings | None = None,
    *,
    read_chunk: int = _READ_CHUNK,
    tally: RunTally | None = None,
) -> dict[str, str]:
    """Find exact and near copies among all stored articles; return copy id -> original id.

    Each article's MinHash signature is stored with the facts its rank reads as they were
    when it was first seen, so a run reads only new or changed articles and rebuilds the
    index in ingest order: the same calls, hence the same groups, as one run over every
    article. The signatures are kept per (num_perm, shingle_size): other ``[dedupe]``
    values sign every article again.

    An article that makes signing raise (``guard``), or whose signature makes the index
    raise (``isolate``), is a Rejected row (stage dedupe) and is left out of the index: no
    copy of anything, and nothing a copy of it, as an original; it stays out until it
    changes (ingest then drops its row).
    """
    tally = tally or RunTally()

    def empty() -> DuplicateIndex:
        return DuplicateIndex.from_values(settings.model_dump()) if settings else DuplicateIndex()

    index = empty()
    key = f"{_DEDUPE_STATE}:{index.num_perm}:{index.shingle_size}"
    saved = load_signatures(store.get_state(key))
    skip = store.rejected_items("dedupe")
    ids = [a for a in article_ids(store) if a not in skip]
    hashes = store.content_hashes()
    fresh = [a for a in ids if a not in saved or saved[a].content_hash != hashes[a]]
    failed: list[Failure] = []
    sign = functools.partial(signed, num_perm=index.num_perm, shingle_size=index.shingle_size)
    for article in iter_articles(store, fresh, read_chunk):
        found = guard("dedupe", sign, article, article.id)
        if isinstance(found, Failure):
            failed.append(found)
            saved.pop(article.id, None)
        else:
            saved[article.id] = found
    entries = [(a, saved[a]) for a in ids if a in saved]

    def build(chosen: Sequence[tuple[str, Signed]]) -> DuplicateIndex:
        built = empty()  # a pure function of ``chosen``: isolate calls it on subsets
        for article_id, entry in chosen:
            built.add_signature(
                article_id,
                entry.signature,
                published=entry.published,
                length=entry.length,
                content_hash=entry.content_hash,
            )
        return built

    index, unindexed = isolate("dedupe", build, entries, key=lambda e: e[0])
    for failure in unindexed:  # a signature the index cannot read: signed anew once it changes
        saved.pop(failure.item_id, None)
    failed.extend(unindexed)
    tally.reject(store, failed)
    kept = {a: saved[a] for a in ids if a in saved}
    if fresh or failed or len(saved) != len(kept):
        store.set_state(key, dump_signatures(kept))
    return index.duplicates()


def _save_nlp(store: Store, results: list[Annotations], failed: list[Failure]) -> None:
    store.save_stage(
        "nlp",
        [r.article_id for r in results] + [f.item_id for f in failed],
        mentions=[(m, None) for r in results for m in r.mentions],
        quotes=[q for r in results for q in r.quotes],
    )


def _count_nlp(results: Sequence[Annotations], failed: Sequence[Failure]) -> dict[str, int]:
    return {
        "parsed": len(results) + len(failed),
        "mentions": sum(len(r.mentions) for r in results),
        "quotes": sum(len(r.quotes) for r in results),
    }


def nlp_stage(settings: Settings, skip: set[str]) -> ArticleStage:
    """Declare the NLP stage for ``article_runner``: pending articles that are not copies."""

    def prepare(store: Store) -> tuple[str, int, int]:
        # a copy is marked parsed without records; one that is no copy any more (its original
        # changed) is parsed now. The copies of the last run: the state row, and the stored
        # ``duplicate_of`` (written by clustering), should a run have stopped in between
        marked = json.loads(store.get_state(_NLP_COPIES) or b"[]")
        store.unmark("nlp", sorted((set(marked) | set(store.duplicates())) - skip))
        if marked != sorted(skip):
            store.set_state(_NLP_COPIES, json.dumps(sorted(skip)).encode())
        # a copy's text is parsed once, in its original; an article parsed in an earlier run
        # that has since turned out to be a copy loses its records, so the store ends as a
        # single run's
        store.save_stage("nlp", sorted(skip), mentions=[], quotes=[])
        return settings.nlp.model, settings.nlp.batch_size, settings.nlp.piece_chars

    return ArticleStage(
        "nlp",
        work=nlp_work,
        save=_save_nlp,
        count=_count_nlp,
        chunk=settings.nlp.batch_size * 4,
        prepare=prepare,
        skip=frozenset(skip),
    )


def run_nlp(
    store: Store,
    settings: Settings,
    executor: Executor | None,
    *,
    skip: set[str],
    tally: RunTally | None = None,
) -> StageSummary:
    """Parse pending articles and store their mentions and quotes; copies are not parsed.

    The articles are read, parsed on ``executor`` and stored one chunk at a time
    (``article_runner``), so memory holds a few chunks whatever the corpus size, and an
    interrupted run resumes after the last stored chunk.
    """
    return run_articles(nlp_stage(settings, skip), store, executor, tally)


def run_entities(
    store: Store, settings: Settings, *, tally: RunTally | None = None
) -> StageSummary:
    """Merge every stored mention into entities and map quote speakers onto them.

    The articles whose mentions or quotes make merging raise are left out (``isolate``) and
    rejected for this stage until they change.
    """
    tally = tally or RunTally()
    tally.step("entities", 0, 1)
    skip = store.rejected_items("entities")
    by_article: dict[str, list[Mention]] = defaultdict(list)
    for mention in store.mentions():
        if mention.article_id not in skip:
            by_article[mention.article_id].append(mention)
    groups = list(by_article.items())
    # the parts merged last run: only the parts the new articles' names join are merged again
    cache = PartCache(store.keyed_state(_ENTITY_PARTS), setting=stage_version())

    def merge(chosen: Sequence[tuple[str, list[Mention]]]) -> Any:  # noqa: ANN401
        mentions = [m for _, ms in chosen for m in ms]
        return merge_entities(mentions, aliases=settings.aliases, cache=cache)

    (entities, mention_map), failed = isolate("entities", merge, groups, key=lambda g: g[0])
    store.update_keyed_state(_ENTITY_PARTS, *cache.changes())  # only what changed
    if store.get_state(_ENTITY_STATE) is not None:  # a store written before parts had rows
        store.drop_state(_ENTITY_STATE)
    left_out = skip | {f.item_id for f in failed}
    quoted: dict[str, list[Quote]] = defaultdict(list)
    for quote in store.quotes(local=True):
        if quote.article_id not in left_out:
            quoted[quote.article_id].append(quote)

    def canonical(chosen: Sequence[tuple[str, list[Quote]]]) -> list[Quote]:
        return canonicalise_speakers([q for _, qs in chosen for q in qs], entities, mention_map)

    quotes, unmapped = isolate("entities", canonical, list(quoted.items()), key=lambda g: g[0])
    tally.reject(store, [*failed, *unmapped])
    entities = add_headline_articles(entities, store.titles())  # headlines name, never quote
    store.replace_entities(entities, mention_map, quotes)
    tally.step("entities", 1, 1)
    counts = {
        "entities": len(entities),
        "people": sum(e.type == "PERSON" for e in entities),
        "attributed": sum(q.speaker is not None for q in quotes),
        "quotes": len(quotes),
    }
    return StageSummary("entities", counts)


def assess_chunk(
    items: Sequence[tuple[CleanArticle, str | None, Sequence[Quote]]],
    sentence_model: str | None = None,
    thresholds: QualityThresholds | None = None,
) -> list[QualityReport | Failure]:
    """Assess a chunk of (article, the original it copies, its quotes), in input order.

    An article that makes assessing raise comes back as a Failure.
    """
    return [
        guard(
            "quality",
            functools.partial(
                _assess_one,
                duplicate_of=original,
                quotes=q,
                sentence_model=sentence_model,
                thresholds=thresholds,
            ),
            article,
            article.id,
        )
        for article, original, q in items
    ]


def _assess_one(
    article: CleanArticle,
    *,
    duplicate_of: str | None,
    quotes: Sequence[Quote],
    sentence_model: str | None,
    thresholds: QualityThresholds | None = None,
) -> QualityReport:
    # looked up at call time, so a test can replace ``stages.assess_quality``
    return assess_quality(
        article,
        duplicate_of=duplicate_of,
        quotes=quotes,
        sentence_model=sentence_model,
        thresholds=thresholds,
    )


def quality_work(
    items: Sequence[tuple[CleanArticle, str | None, Sequence[Quote]]],
    params: tuple[str | None, QualityThresholds | None],
) -> list[QualityReport | Failure]:
    """The quality stage's work on one chunk: ``assess_chunk`` with (model, thresholds)."""
    return assess_chunk(items, *params)


def run_clusters(
    store: Store,
    duplicates: dict[str, str],
    *,
    tally: RunTally | None = None,
    settings: ClusterSettings | None = None,
    batch: int = 5000,
) -> StageSummary:
    """Add new articles to the events and storylines; old assignments never move.

    Each article's content hash is stored as it was clustered (``records.Clusters``).
    Clustering is online and never moves an assignment, so an article whose text changed
    since (cleaned again by a new cleaner, a page re-read, a row re-ingested under its id)
    is placed as a run from scratch places it only by a new pass: the state is dropped and
    every article clustered again, in ingest order, and counted as ``redone``.

    Articles that make clustering raise are left out (``isolate``) and rejected for this
    stage until they change.
    """
    tally = tally or RunTally()
    # our own state, written by this function into the user's own database
    state = load_state(store.get_state(_CLUSTER_STATE))  # JSON; an old store's is a pickle
    redone = len(state.seq) if state.seq and store.clustered_changed() else 0
    anew = redone > 0 or not state.seq  # no hash stored before stands for this state
    hashes: dict[str, str] = {}
    if redone:
        state = ClusterState()
    elif state.seq and not store.count("clustered"):
        # a state from before the hashes were stored: clustered with the texts stored now
        current = store.content_hashes()
        hashes = {a: current[a] for a in state.seq if a in current}
    entities = store.entity_names()
    skip = store.rejected_items("stories")
    fresh = [a for a in article_ids(store) if a not in state.seq and a not in skip]
    stories: list[Story] = []
    done = 0
    tally.step("stories", done, len(fresh))
    # a very large run is clustered in batches, as separate runs would be: memory then holds
    # one batch of texts (plus the state), never the corpus
    for ids in list(in_chunks(fresh, batch)) or [[]]:
        # clustering updates the state in place: each try starts from the state before it
        before = pickle.dumps(state)

        def cluster(
            articles: Sequence[CleanArticle], before: bytes = before
        ) -> tuple[list[Story], ClusterState]:
            start: ClusterState = pickle.loads(before)  # noqa: S301 - our own state, just made
            return cluster_articles(
                list(articles),
                entities=entities,
                duplicates=duplicates,
                state=start,
                events=store.events([a.id for a in articles])[0],  # each on the day it happened
                settings=settings,
            )

        read = list(store.articles(ids=ids))
        (stories, state), failed = isolate("stories", cluster, read, key=lambda a: a.id)
        tally.reject(store, failed)
        # the text each article was clustered with (an article stored meanwhile: not this one)
        hashes.update((a.id, a.content_hash) for a in read if a.id in state.seq)
        done += len(ids)
        tally.step("stories", done, len(fresh))
    # one transaction: the stories are never stored without the state they come from
    clusters = Clusters((_CLUSTER_STATE, dump_state(state)), hashes, anew=anew)
    store.replace_stories(stories, duplicates, clusters=clusters)
    storylines = sum(s.level == "storyline" for s in stories)
    counts = {"storylines": storylines, "events": len(stories) - storylines}
    return StageSummary("stories", counts | ({"redone": redone} if redone else {}))


def timeline_stage(
    settings: TimelineSettings | None = None, max_dates: int | None = None
) -> StorylineStage:
    """Declare the timeline stage for ``storyline_runner``: each storyline's dated entries.

    A storyline's task is everything ``build_timeline`` reads about it (the dated events of
    its articles, their participants, its untrusted articles only); its mark digests them.
    """

    def tasks(store: Store, storylines: Sequence[Story]) -> Iterator[Task]:
        untrusted = store.untrusted()
        for story in storylines:
            ids = story.article_ids
            args = (*store.events(ids), store.participants(ids), untrusted.intersection(ids))
            mark = mark_of("timeline.v1", story.id, max_dates, settings, args)
            yield story.id, mark, (story.id, args)

    def work(task: tuple[str, tuple[Any, ...]]) -> list[TimelineEntry]:
        story_id, (events, leads, participants, distrusted) = task
        return build_timeline(
            events,
            max_dates=max_dates,
            story_id=story_id,
            leads=leads,
            participants=participants,
            untrusted=distrusted,
            settings=settings,
        )

    def save(
        store: Store, built: list[list[TimelineEntry]], keep: set[str], state: tuple[str, bytes]
    ) -> None:
        store.replace_timelines([e for entries in built for e in entries], keep=keep, state=state)

    def summary(counts: dict[str, int], storylines: int, _unsettled: bool) -> StageSummary:
        return StageSummary("timeline", {**counts, "timelines": storylines})

    return StorylineStage(
        "timeline",
        stories=lambda store: store.stories(level="storyline", order="id"),
        tasks=tasks,
        work=work,
        count=lambda entries: {"entries": len(entries)},
        save=save,
        totals=("entries",),
        summary=summary,
    )


def run_timelines(
    store: Store,
    *,
    max_dates: int | None = None,
    tally: RunTally | None = None,
    settings: TimelineSettings | None = None,
) -> StageSummary:
    """Build each storyline's timeline from the dated events of its articles.

    Only storylines whose inputs changed since their timeline was stored are built again
    (``story_marks``). One whose timeline raises is a Rejected row (stage timeline), tried
    again next run.
    """
    return run_storylines(timeline_stage(settings, max_dates), store, None, tally)
