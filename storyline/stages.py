"""The stages that run over the store after ingest, one function each.

Per-article stages (dates, NLP) read what is pending a chunk at a time, map the chunks over an
executor and store each chunk as it comes back, so memory holds a few chunks whatever the
corpus size and an interrupted run resumes after the last stored chunk. Corpus stages (dedupe,
entity merging, quality, clustering, briefings) read the store in chunks too and write their
results back in one transaction each; quality (per article) and briefings (per storyline) map
over the executor as well.

Every stage has per-item boundaries (``boundary``): an article or storyline that makes a stage
raise becomes a Rejected row naming the stage, and the run goes on without it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from storyline.boundary import (
    Failure,
    RunTally,
    each_storyline,
    failure_of,
    guard,
    is_item_error,
    isolate,
)

# the briefing stage lives in briefing.stage; its names stay reachable here, as before
from storyline.briefing.stage import (  # noqa: F401
    BriefingTask,
    brief_chunk,
    brief_storyline,
    run_briefings,
)
from storyline.cluster.state_json import dump_state, load_state
from storyline.cluster.storylines import cluster_articles
from storyline.dedupe import DuplicateIndex
from storyline.errors import INVALID_FIELD
from storyline.extract.annotate import Chunk, annotate_chunk
from storyline.extract.dates import find_timexes, infer_publication
from storyline.extract.entities import add_headline_articles, merge_entities
from storyline.extract.events import find_events, find_leads
from storyline.extract.quotes import canonicalise_speakers
from storyline.extract.stamps import page_stamps
from storyline.quality.assess import UNTRUSTED_FLAGS, QualityThresholds, assess_quality
from storyline.runners import map_ordered
from storyline.timeline import TimelineSettings, build_timeline

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from concurrent.futures import Executor

    from storyline.cluster.settings import ClusterSettings
    from storyline.cluster.state import ClusterState
    from storyline.config import DedupeSettings, Settings
    from storyline.extract.annotate import Annotations
    from storyline.models import (
        CleanArticle,
        DatedEvent,
        Mention,
        PublishedPrecision,
        QualityReport,
        Quote,
        Story,
        TimeExpr,
        TimelineEntry,
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
# Articles per quality task: a pool spreads them evenly.
_QUALITY_CHUNK = 50


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


def run_dedupe(store: Store, settings: DedupeSettings | None = None) -> dict[str, str]:
    """Find exact and near copies among all stored articles; return copy id -> original id."""
    # the index keeps each article's signature, not its text: the articles stream through
    index = DuplicateIndex.from_values(settings.model_dump()) if settings else DuplicateIndex()
    index.add(iter_articles(store, article_ids(store)))
    return index.duplicates()


def annotate_guarded(chunk: Chunk) -> list[Annotations | Failure]:
    """Parse a chunk (``annotate_chunk``); when it raises, parse its articles one by one.

    Only the articles that raise alone come back as Failures: one article that breaks the
    parser costs its chunk a second, per-article pass, not its annotations.
    """
    try:
        return list(annotate_chunk(chunk))
    except Exception as exc:
        if len(chunk.articles) == 1 or not is_item_error(exc):
            if not is_item_error(exc):
                raise
            return [failure_of("nlp", chunk.articles[0].id, exc)]
    results: list[Annotations | Failure] = []
    for article in chunk.articles:
        alone = Chunk((article,), chunk.model, chunk.batch_size, chunk.piece_chars)
        found = guard("nlp", annotate_chunk, alone, article.id)
        results.append(found if isinstance(found, Failure) else found[0])
    return results


def run_nlp(
    store: Store,
    settings: Settings,
    executor: Executor | None,
    *,
    skip: set[str],
    tally: RunTally | None = None,
) -> str:
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
        Chunk(
            tuple(store.articles(ids=ids)),
            settings.nlp.model,
            settings.nlp.batch_size,
            settings.nlp.piece_chars,
        )
        for ids in in_chunks(todo, size)
    )
    mentions = quotes = done = 0
    tally = tally or RunTally()
    tally.step("nlp", done, len(todo))
    for found in map_ordered(annotate_guarded, chunks, executor):
        failed = [r for r in found if isinstance(r, Failure)]
        results = [r for r in found if not isinstance(r, Failure)]
        tally.reject(store, failed)
        # a failed article is marked done too: a rerun does not parse it again
        store.save_stage(
            "nlp",
            [r.article_id for r in results] + [f.item_id for f in failed],
            mentions=[(m, None) for r in results for m in r.mentions],
            quotes=[q for r in results for q in r.quotes],
        )
        mentions += sum(len(r.mentions) for r in results)
        quotes += sum(len(r.quotes) for r in results)
        done += len(found)
        tally.step("nlp", done, len(todo))
    return f"{len(todo)} articles parsed, {mentions} mentions, {quotes} quotes"


def run_entities(store: Store, settings: Settings, *, tally: RunTally | None = None) -> str:
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

    def merge(chosen: Sequence[tuple[str, list[Mention]]]) -> Any:  # noqa: ANN401
        return merge_entities([m for _, ms in chosen for m in ms], aliases=settings.aliases)

    (entities, mention_map), failed = isolate("entities", merge, groups, key=lambda g: g[0])
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
    invalid_published: str | None = None  # a stored date that is not one ("yesterday")
    published_precision: PublishedPrecision = "day"


@dataclasses.dataclass(frozen=True, slots=True)
class CorpusWindow:
    """The span of time a corpus's dated articles cover, which bounds undated ones."""

    earliest: dt.date | None = None
    latest: dt.date | None = None

    @classmethod
    def of(cls, dates: Iterable[str]) -> CorpusWindow:
        """Return the window around known publication dates, a year of slack on each side."""
        # a stored value that is not a date bounds nothing (its article is flagged when dated)
        known = sorted(filter(None, (_iso_date(d) for d in dates)))
        if not known:
            return cls()
        slack = dt.timedelta(days=366)
        return cls(known[0] - slack, known[-1] + slack)


def _iso_date(value: str) -> dt.date | None:
    """Return the day an ISO date (or date-time) names, or None when it is not one."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def date_article(article: CleanArticle, window: CorpusWindow | None = None) -> DatedArticle:
    """Infer the publication date when metadata has none, then resolve the article's timexes.

    A stored publication date that is not a date (written by an older version that did not
    check ``--published``) is treated as missing, and reported in ``invalid_published``.
    """
    published, source, confidence, precision = (
        article.published,
        article.published_source,
        article.published_confidence,
        article.published_precision,
    )
    invalid = None
    if published is not None and _iso_date(published) is None:
        invalid, published, source, confidence = published, None, "unknown", 0.0
    if published is None:
        # an article cannot be published in the future, nor far outside its corpus's window
        today = dt.datetime.now(tz=dt.UTC).date()
        window = window or CorpusWindow()
        guess = infer_publication(
            article.text,
            title=article.title,
            today=min(today, window.latest or today),
            earliest=window.earliest,
            # a page's time stamp is boilerplate to the cleaner but the best date evidence
            head="\n".join(r.text for r in article.removed if r.line_no < _STAMP_LINES),
        )
        if guess.day is not None:
            published, source, confidence = guess.day.isoformat(), "inferred", guess.confidence
            precision = guess.precision
    anchor = _iso_date(published) if published else None
    timexes = find_timexes(article.text, anchor=anchor, article_id=article.id, precision=precision)
    text, aid = article.text, article.id
    stamps = page_stamps(text, timexes)  # read once, used by both
    # a month or year is no day: nothing is dated on an invented day of publication
    day = anchor if precision == "day" else None
    events = find_events(text, article_id=aid, published=day, timexes=timexes, stamps=stamps)
    leads = find_leads(text, article_id=aid, published=day, timexes=timexes, stamps=stamps)
    return DatedArticle(
        article.id,
        published,
        source,
        confidence,
        tuple(timexes),
        tuple(events),
        tuple(leads),
        invalid,
        precision,
    )


def date_chunk(
    articles: Sequence[CleanArticle], window: CorpusWindow
) -> list[DatedArticle | Failure]:
    """Date a chunk of articles (``date_article`` on each), in input order.

    An article that makes dating raise comes back as a Failure; the others are dated.
    """
    dater = functools.partial(_date_one, window=window)
    return [guard("dates", dater, article, article.id) for article in articles]


def _date_one(article: CleanArticle, window: CorpusWindow) -> DatedArticle:
    # looked up at call time, so a test can replace ``stages.date_article``
    return date_article(article, window)


def _invalid_date(dated: DatedArticle) -> Failure:
    reason = f"stored publication date {dated.invalid_published!r} is not an ISO date: ignored"
    return Failure("dates", dated.article_id, INVALID_FIELD, reason, "")


def run_dates(store: Store, executor: Executor | None, *, tally: RunTally | None = None) -> str:
    """Date pending articles: inferred publication dates and resolved time expressions.

    Chunk by chunk, like ``run_nlp``: each chunk's results are stored before the next is read.
    """
    tally = tally or RunTally()
    window = CorpusWindow.of(store.known_dates())
    todo = pending_ids(store, "dates")
    chunks = (tuple(store.articles(ids=ids)) for ids in in_chunks(todo, _DATE_CHUNK))
    dated = inferred = unknown = timexes = done = 0
    tally.step("dates", 0, len(todo))
    for found in map_ordered(functools.partial(date_chunk, window=window), chunks, executor):
        failed = [r for r in found if isinstance(r, Failure)]
        results = [r for r in found if not isinstance(r, Failure)]
        # a bad stored date is replaced (by an inferred one, or none) and the article flagged
        tally.reject(
            store,
            failed + [_invalid_date(r) for r in results if r.invalid_published is not None],
        )
        store.set_published(
            [
                (
                    r.article_id,
                    r.published,
                    r.published_source,
                    r.published_confidence,
                    r.published_precision,
                )
                for r in results
                if r.published_source == "inferred" or r.invalid_published is not None
            ]
        )
        store.save_stage(
            "dates",
            [r.article_id for r in results] + [f.item_id for f in failed],
            timexes=[t for r in results for t in r.timexes],
            events=[(e, False) for r in results for e in r.events]
            + [(e, True) for r in results for e in r.leads],
        )
        dated += len(results)
        done += len(found)
        tally.step("dates", done, len(todo))
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


def run_quality(
    store: Store,
    duplicates: dict[str, str],
    executor: Executor | None = None,
    sentence_model: str | None = None,
    *,
    tally: RunTally | None = None,
    thresholds: QualityThresholds | None = None,
) -> str:
    """Score every article's trustworthiness and store its flags.

    Each article is assessed on its own, so chunks of articles map over ``executor``;
    ``sentence_model`` names the encoder the coherence signals use (None: word vectors only).
    """
    tally = tally or RunTally()
    quotes: dict[str, list[Quote]] = defaultdict(list)
    for quote in store.quotes():
        quotes[quote.article_id].append(quote)
    skip = store.rejected_items("quality")
    todo = [a for a in article_ids(store) if a not in skip]
    chunks = (
        [(a, duplicates.get(a.id), quotes.get(a.id, [])) for a in store.articles(ids=ids)]
        for ids in in_chunks(todo, _QUALITY_CHUNK)
    )
    rows: list[tuple[str, float, Sequence[str]]] = []
    reasons: dict[str, Sequence[str]] = {}
    flagged = done = 0
    assess = functools.partial(assess_chunk, sentence_model=sentence_model, thresholds=thresholds)
    tally.step("quality", done, len(todo))
    for found in map_ordered(assess, chunks, executor):
        tally.reject(store, [r for r in found if isinstance(r, Failure)])
        reports = [r for r in found if not isinstance(r, Failure)]
        rows.extend((r.article_id, r.score, r.flags) for r in reports)
        reasons.update((r.article_id, r.reasons) for r in reports)
        flagged += sum(bool(set(r.flags) & set(UNTRUSTED_FLAGS)) for r in reports)
        done += len(found)
        tally.step("quality", done, len(todo))
    store.set_quality(rows, reasons)
    return f"{flagged} of {len(rows)} articles flagged as untrustworthy copy"


def run_clusters(
    store: Store,
    duplicates: dict[str, str],
    *,
    tally: RunTally | None = None,
    settings: ClusterSettings | None = None,
) -> str:
    """Add new articles to the events and storylines; old assignments never move.

    Articles that make clustering raise are left out (``isolate``) and rejected for this
    stage until they change.
    """
    tally = tally or RunTally()
    saved = store.get_state(_CLUSTER_STATE)
    # our own state, written by this function into the user's own database
    state = load_state(saved)  # JSON; a store written before it holds a pickle
    entities = store.entity_names()
    skip = store.rejected_items("stories")
    fresh = [a for a in article_ids(store) if a not in state.seq and a not in skip]
    stories: list[Story] = []
    done = 0
    tally.step("stories", done, len(fresh))
    # a very large run is clustered in batches, as separate runs would be: memory then holds
    # one batch of texts (plus the state), never the corpus
    for ids in list(in_chunks(fresh, _CLUSTER_BATCH)) or [[]]:
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

        (stories, state), failed = isolate(
            "stories", cluster, list(store.articles(ids=ids)), key=lambda a: a.id
        )
        tally.reject(store, failed)
        done += len(ids)
        tally.step("stories", done, len(fresh))
    store.replace_stories(stories, duplicates)
    store.set_state(_CLUSTER_STATE, dump_state(state))
    storylines = sum(s.level == "storyline" for s in stories)
    return f"{storylines} storylines, {len(stories) - storylines} events"


def run_timelines(
    store: Store,
    *,
    max_dates: int | None = None,
    tally: RunTally | None = None,
    settings: TimelineSettings | None = None,
) -> str:
    """Build each storyline's timeline from the dated events of its articles.

    A storyline whose timeline raises is a Rejected row (stage timeline), tried again next
    run: a storyline changes as articles join it.
    """
    tally = tally or RunTally()
    storylines = [s for s in store.rows("stories", order="id") if s["level"] == "storyline"]
    untrusted = store.untrusted()

    def timeline_of(story: dict[str, Any]) -> list[TimelineEntry]:
        events, leads = store.events(story["article_ids"])
        return build_timeline(
            events,
            max_dates=max_dates,
            story_id=story["id"],
            leads=leads,
            participants=store.participants(story["article_ids"]),
            untrusted=untrusted,
            settings=settings,
        )

    entries = each_storyline(store, "timeline", timeline_of, storylines, tally)
    store.replace_timelines(entries)
    return f"{len(entries)} dated entries on {len(storylines)} timelines"
