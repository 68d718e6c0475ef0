"""The stages that run over the store after ingest, one function each.

Per-article stages (dates, NLP) read what is pending a chunk at a time, map the chunks over an
executor and store each chunk as it comes back, so memory holds a few chunks whatever the
corpus size and an interrupted run resumes after the last stored chunk. Corpus stages (dedupe,
entity merging, quality, clustering, briefings) read the store in chunks too and write their
results back in one transaction each; quality (per article) and briefings (per storyline) map
over the executor as well.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from storyline.abstractive import Endpoint, rewrite_briefing
from storyline.briefing import build_briefing, to_json
from storyline.claims import find_claims, find_conflicts
from storyline.cluster import ClusterState, cluster_articles
from storyline.dedupe import DuplicateIndex
from storyline.extract.annotate import Chunk, annotate_chunk
from storyline.extract.dates import find_timexes, infer_published
from storyline.extract.entities import merge_entities
from storyline.extract.events import find_events, find_leads
from storyline.extract.quotes import canonicalise_speakers
from storyline.extract.stamps import page_stamps
from storyline.quality import UNTRUSTED_FLAGS, assess_quality
from storyline.runners import map_ordered
from storyline.timeline import build_timeline

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from concurrent.futures import Executor

    from storyline.config import Settings
    from storyline.models import (
        Claim,
        CleanArticle,
        Conflict,
        DatedEvent,
        QualityReport,
        Quote,
        Story,
        TimeExpr,
    )
    from storyline.store import Store

_CLUSTER_STATE = "cluster.v1"
# Articles read from the store at a time by the corpus stages, and dated per task: small
# enough that memory stays flat, large enough that a task outweighs its scheduling.
_READ_CHUNK = 500
_DATE_CHUNK = 64
_STAMP_LINES = 12  # removed lines this near the top may carry the page's time stamp
# Fresh articles clustered at a time (bench/cluster_scale.py measures batches of this size).
_CLUSTER_BATCH = 5000
# Articles per quality task, and (about) per briefing task: a pool spreads them evenly.
_QUALITY_CHUNK = 50
_BRIEFING_CHUNK = 100


def pending_ids(store: Store, stage: str) -> list[str]:
    """Return the ids of the articles a per-article stage has not processed, in ingest order.

    Only ids are held, never the articles: a stage then reads them chunk by chunk.
    """
    return store.pending_ids(stage)


def article_ids(store: Store) -> list[str]:
    """Return every stored article's id, in ingest order."""
    return store.article_ids()


def in_chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """Yield consecutive slices of ``items`` of at most ``size``."""
    for begin in range(0, len(items), size):
        yield list(items[begin : begin + size])


def iter_articles(
    store: Store, ids: Sequence[str], size: int | None = None
) -> Iterator[CleanArticle]:
    """Yield the articles with these ids, in ingest order, reading ``size`` at a time."""
    for chunk in in_chunks(ids, size or _READ_CHUNK):
        yield from store.articles(ids=chunk)


def run_dedupe(store: Store) -> dict[str, str]:
    """Find exact and near copies among all stored articles; return copy id -> original id."""
    # the index keeps each article's signature, not its text: the articles stream through
    index = DuplicateIndex()
    index.add(iter_articles(store, article_ids(store)))
    return index.duplicates()


def run_nlp(store: Store, settings: Settings, executor: Executor | None, *, skip: set[str]) -> str:
    """Parse pending articles and store their mentions and quotes; copies are not parsed.

    The articles are read, parsed on ``executor`` and stored one chunk at a time, so memory
    holds a few chunks whatever the corpus size, and an interrupted run resumes after the
    last stored chunk.
    """
    pending = pending_ids(store, "nlp")
    # a copy's text is parsed once, in its original; an article parsed in an earlier run that
    # has since turned out to be a copy loses its records, so the store ends as a single run's
    store.save_stage("nlp", sorted(skip), mentions=[], quotes=[])
    todo = [a for a in pending if a not in skip]
    size = settings.nlp.batch_size * 4
    chunks = (
        Chunk(tuple(store.articles(ids=ids)), settings.nlp.model, settings.nlp.batch_size)
        for ids in in_chunks(todo, size)
    )
    mentions = quotes = 0
    for results in map_ordered(annotate_chunk, chunks, executor):
        store.save_stage(
            "nlp",
            [r.article_id for r in results],
            mentions=[(m, None) for r in results for m in r.mentions],
            quotes=[q for r in results for q in r.quotes],
        )
        mentions += sum(len(r.mentions) for r in results)
        quotes += sum(len(r.quotes) for r in results)
    return f"{len(todo)} articles parsed, {mentions} mentions, {quotes} quotes"


def run_entities(store: Store, settings: Settings) -> str:
    """Merge every stored mention into entities and map quote speakers onto them."""
    entities, mention_map = merge_entities(store.mentions(), aliases=settings.aliases)
    quotes = canonicalise_speakers(store.quotes(local=True), entities, mention_map)
    store.replace_entities(entities, mention_map, quotes)
    people = sum(e.type == "PERSON" for e in entities)
    attributed = sum(q.speaker is not None for q in quotes)
    return (
        f"{len(entities)} entities ({people} people), "
        f"{attributed} of {len(quotes)} quotes attributed"
    )


@dataclasses.dataclass(frozen=True, slots=True)
class DatedArticle:
    """What the dates stage found in one article."""

    article_id: str
    published: str | None
    published_source: str
    published_confidence: float
    timexes: tuple[TimeExpr, ...]
    events: tuple[DatedEvent, ...] = ()
    leads: tuple[DatedEvent, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class CorpusWindow:
    """The span of time a corpus's dated articles cover, which bounds undated ones."""

    earliest: dt.date | None = None
    latest: dt.date | None = None

    @classmethod
    def of(cls, dates: Iterable[str]) -> CorpusWindow:
        """Return the window around known publication dates, a year of slack on each side."""
        known = sorted(dt.date.fromisoformat(d) for d in dates)
        if not known:
            return cls()
        slack = dt.timedelta(days=366)
        return cls(known[0] - slack, known[-1] + slack)


def date_article(article: CleanArticle, window: CorpusWindow | None = None) -> DatedArticle:
    """Infer the publication date when metadata has none, then resolve the article's timexes."""
    published, source, confidence = (
        article.published,
        article.published_source,
        article.published_confidence,
    )
    if published is None:
        # an article cannot be published in the future, nor far outside its corpus's window
        today = dt.datetime.now(tz=dt.UTC).date()
        window = window or CorpusWindow()
        inferred, confidence = infer_published(
            article.text,
            title=article.title,
            today=min(today, window.latest or today),
            earliest=window.earliest,
            # a page's time stamp is boilerplate to the cleaner but the best date evidence
            head="\n".join(r.text for r in article.removed if r.line_no < _STAMP_LINES),
        )
        if inferred is not None:
            published, source = inferred.isoformat(), "inferred"
    anchor = dt.date.fromisoformat(published) if published else None
    timexes = find_timexes(article.text, anchor=anchor, article_id=article.id)
    text, aid = article.text, article.id
    stamps = page_stamps(text, timexes)  # read once, used by both
    events = find_events(text, article_id=aid, published=anchor, timexes=timexes, stamps=stamps)
    leads = find_leads(text, article_id=aid, published=anchor, timexes=timexes, stamps=stamps)
    return DatedArticle(
        article.id, published, source, confidence, tuple(timexes), tuple(events), tuple(leads)
    )


def date_chunk(articles: Sequence[CleanArticle], window: CorpusWindow) -> list[DatedArticle]:
    """Date a chunk of articles (``date_article`` on each), in input order."""
    return [date_article(article, window) for article in articles]


def run_dates(store: Store, executor: Executor | None) -> str:
    """Date pending articles: inferred publication dates and resolved time expressions.

    Chunk by chunk, like ``run_nlp``: each chunk's results are stored before the next is read.
    """
    window = CorpusWindow.of(store.known_dates())
    chunks = (
        tuple(store.articles(ids=ids))
        for ids in in_chunks(pending_ids(store, "dates"), _DATE_CHUNK)
    )
    dated = inferred = unknown = timexes = 0
    for results in map_ordered(functools.partial(date_chunk, window=window), chunks, executor):
        store.set_published(
            [
                (r.article_id, r.published, r.published_source, r.published_confidence)
                for r in results
                if r.published_source == "inferred"
            ]
        )
        store.save_stage(
            "dates",
            [r.article_id for r in results],
            timexes=[t for r in results for t in r.timexes],
            events=[(e, False) for r in results for e in r.events]
            + [(e, True) for r in results for e in r.leads],
        )
        dated += len(results)
        inferred += sum(r.published_source == "inferred" for r in results)
        unknown += sum(r.published is None for r in results)
        timexes += sum(len(r.timexes) for r in results)
    return (
        f"{dated} articles dated ({inferred} publication dates inferred, "
        f"{unknown} unknown), {timexes} time expressions"
    )


def assess_chunk(
    items: Sequence[tuple[CleanArticle, str | None, Sequence[Quote]]],
    sentence_model: str | None = None,
) -> list[QualityReport]:
    """Assess a chunk of (article, the original it copies, its quotes), in input order."""
    return [
        assess_quality(a, duplicate_of=original, quotes=q, sentence_model=sentence_model)
        for a, original, q in items
    ]


def run_quality(
    store: Store,
    duplicates: dict[str, str],
    executor: Executor | None = None,
    sentence_model: str | None = None,
) -> str:
    """Score every article's trustworthiness and store its flags.

    Each article is assessed on its own, so chunks of articles map over ``executor``;
    ``sentence_model`` names the encoder the coherence signals use (None: word vectors only).
    """
    quotes: dict[str, list[Quote]] = defaultdict(list)
    for quote in store.quotes():
        quotes[quote.article_id].append(quote)
    chunks = (
        [(a, duplicates.get(a.id), quotes.get(a.id, [])) for a in store.articles(ids=ids)]
        for ids in in_chunks(article_ids(store), _QUALITY_CHUNK)
    )
    rows: list[tuple[str, float, Sequence[str]]] = []
    flagged = 0
    assess = functools.partial(assess_chunk, sentence_model=sentence_model)
    for reports in map_ordered(assess, chunks, executor):
        rows.extend((r.article_id, r.score, r.flags) for r in reports)
        flagged += sum(bool(set(r.flags) & set(UNTRUSTED_FLAGS)) for r in reports)
    store.set_quality(rows)
    return f"{flagged} of {len(rows)} articles flagged as untrustworthy copy"


def run_clusters(store: Store, duplicates: dict[str, str]) -> str:
    """Add new articles to the events and storylines; old assignments never move."""
    saved = store.get_state(_CLUSTER_STATE)
    # our own state, written by this function into the user's own database
    state: ClusterState = pickle.loads(saved) if saved else ClusterState()  # noqa: S301
    entities = store.entity_names()
    fresh = [a for a in article_ids(store) if a not in state.seq]
    stories: list[Story] = []
    # a very large run is clustered in batches, as separate runs would be: memory then holds
    # one batch of texts (plus the state), never the corpus
    for ids in list(in_chunks(fresh, _CLUSTER_BATCH)) or [[]]:
        stories, state = cluster_articles(
            list(store.articles(ids=ids)),
            entities=entities,
            duplicates=duplicates,
            state=state,
            events=store.events(ids)[0],  # each article's event on the day it took place
        )
    store.replace_stories(stories, duplicates)
    store.set_state(_CLUSTER_STATE, pickle.dumps(state))
    storylines = sum(s.level == "storyline" for s in stories)
    return f"{storylines} storylines, {len(stories) - storylines} events"


def run_timelines(store: Store, *, max_dates: int | None = None) -> str:
    """Build each storyline's timeline from the dated events of its articles."""
    entries = []
    storylines = [s for s in store.rows("stories", order="id") if s["level"] == "storyline"]
    untrusted = store.untrusted()
    for story in storylines:
        events, leads = store.events(story["article_ids"])
        participants = store.participants(story["article_ids"])
        entries.extend(
            build_timeline(
                events,
                max_dates=max_dates,
                story_id=story["id"],
                leads=leads,
                participants=participants,
                untrusted=untrusted,
            )
        )
    store.replace_timelines(entries)
    return f"{len(entries)} dated entries on {len(storylines)} timelines"


@dataclasses.dataclass(frozen=True, slots=True)
class BriefingTask:
    """One storyline's articles, with what its briefing needs to know about them."""

    story_id: str
    articles: tuple[CleanArticle, ...]
    duplicates: dict[str, str]  # the copy -> original links its articles lead to
    untrusted: frozenset[str]  # those of its articles whose copy is untrustworthy
    max_sentences: int = 8
    endpoint: Endpoint | None = None  # reword through this model (abstractive mode)


Briefed = tuple["list[Claim]", "list[Conflict]", dict[str, Any]]


def brief_storyline(task: BriefingTask) -> Briefed:
    """Return a storyline's claims, its conflicts and its briefing (as JSON)."""
    articles, sid = list(task.articles), task.story_id
    claims = find_claims(
        articles, story_id=sid, duplicates=task.duplicates, untrusted=task.untrusted
    )
    conflicts = find_conflicts(claims, articles, story_id=sid, duplicates=task.duplicates)
    briefing = build_briefing(
        articles,
        claims,
        conflicts,
        story_id=sid,
        max_sentences=task.max_sentences,
        untrusted=task.untrusted,
    )
    if task.endpoint is not None:
        briefing, _ = rewrite_briefing(briefing, task.endpoint)
    return claims, conflicts, to_json(briefing)


def brief_chunk(tasks: Sequence[BriefingTask]) -> list[Briefed]:
    """Brief a chunk of storylines, in input order."""
    return [brief_storyline(task) for task in tasks]


def _links(duplicates: dict[str, str], ids: Iterable[str]) -> dict[str, str]:
    """Return the copy -> original links reachable from ``ids`` (chains included)."""
    found: dict[str, str] = {}
    for article_id in ids:
        current = article_id
        while current in duplicates and current not in found:
            found[current] = duplicates[current]
            current = duplicates[current]
    return found


def _briefing_tasks(
    store: Store, duplicates: dict[str, str], max_sentences: int, endpoint: Endpoint | None
) -> Iterator[list[BriefingTask]]:
    untrusted = store.untrusted()
    chunk: list[BriefingTask] = []
    size = 0
    for story in store.rows("stories", order="id"):
        if story["level"] != "storyline":
            continue
        ids = story["article_ids"]
        chunk.append(
            BriefingTask(
                story["id"],
                tuple(store.articles(ids=ids)),
                _links(duplicates, ids),
                frozenset(untrusted.intersection(ids)),
                max_sentences,
                endpoint,
            )
        )
        size += len(ids)
        if size >= _BRIEFING_CHUNK:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run_briefings(
    store: Store,
    duplicates: dict[str, str],
    executor: Executor | None = None,
    *,
    max_sentences: int = 8,
    endpoint: Endpoint | None = None,
) -> str:
    """Align each storyline's claims, find where its sources conflict, and write its briefing.

    Storylines are independent of each other: chunks of them map over ``executor``. With an
    ``endpoint``, each briefing is reworded by that model (``abstractive.rewrite_briefing``).
    """
    all_claims: list[Claim] = []
    all_conflicts: list[Conflict] = []
    briefings: list[dict[str, Any]] = []
    tasks = _briefing_tasks(store, duplicates, max_sentences, endpoint)
    for results in map_ordered(brief_chunk, tasks, executor):
        for claims, conflicts, briefing in results:
            all_claims.extend(claims)
            all_conflicts.extend(conflicts)
            briefings.append(briefing)
    store.replace_briefings(all_claims, all_conflicts, briefings)
    corroborated = sum(c.kind == "corroborated" for c in all_claims)
    reworded = sum(b.get("mode") == "abstractive" for b in briefings)
    return (
        f"{len(all_claims)} claims ({corroborated} corroborated), "
        f"{len(all_conflicts)} conflicts, {len(briefings)} briefings"
        + (f" ({reworded} reworded by {endpoint.url})" if endpoint is not None else "")
    )
