"""The stages that run over the store after ingest, one function each.

Per-article stages (dates, NLP) take only what is pending and map over an executor; corpus
stages (dedupe, entity merging, quality, clustering) read the store and write their results
back in one transaction each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import pickle
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from storyline.briefing import build_briefing, to_json
from storyline.claims import find_claims, find_conflicts
from storyline.cluster import ClusterState, cluster_articles
from storyline.dedupe import find_duplicates
from storyline.extract.annotate import annotate_chunk, chunked
from storyline.extract.dates import find_timexes, infer_published
from storyline.extract.entities import merge_entities
from storyline.extract.events import find_events, find_leads
from storyline.extract.quotes import canonicalise_speakers
from storyline.quality import UNTRUSTED_FLAGS, assess_quality
from storyline.runners import map_ordered
from storyline.timeline import build_timeline

if TYPE_CHECKING:
    from collections.abc import Iterable
    from concurrent.futures import Executor

    from storyline.config import Settings
    from storyline.models import Claim, CleanArticle, Conflict, DatedEvent, Quote, TimeExpr
    from storyline.store import Store

_CLUSTER_STATE = "cluster.v1"


def run_dedupe(store: Store) -> dict[str, str]:
    """Find exact and near copies among all stored articles; return copy id -> original id."""
    return find_duplicates(list(store.articles()))


def run_nlp(store: Store, settings: Settings, executor: Executor | None, *, skip: set[str]) -> str:
    """Parse pending articles and store their mentions and quotes; copies are not parsed."""
    pending = store.pending("nlp")
    copies = [a.id for a in pending if a.id in skip]
    store.save_stage("nlp", copies)  # a copy's sources count; its text is analysed once
    pending = [a for a in pending if a.id not in skip]
    chunks = chunked(
        pending,
        model=settings.nlp.model,
        size=settings.nlp.batch_size * 4,
        batch_size=settings.nlp.batch_size,
    )
    mentions = quotes = 0
    # each chunk is stored as soon as it is done: an interrupted run resumes after it
    for results in map_ordered(annotate_chunk, chunks, executor):
        store.save_stage(
            "nlp",
            [r.article_id for r in results],
            mentions=[(m, None) for r in results for m in r.mentions],
            quotes=[q for r in results for q in r.quotes],
        )
        mentions += sum(len(r.mentions) for r in results)
        quotes += sum(len(r.quotes) for r in results)
    return f"{len(pending)} articles parsed, {mentions} mentions, {quotes} quotes"


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
        )
        if inferred is not None:
            published, source = inferred.isoformat(), "inferred"
    anchor = dt.date.fromisoformat(published) if published else None
    timexes = find_timexes(article.text, anchor=anchor, article_id=article.id)
    events = find_events(article.text, article_id=article.id, published=anchor, timexes=timexes)
    leads = find_leads(article.text, article_id=article.id, published=anchor, timexes=timexes)
    return DatedArticle(
        article.id, published, source, confidence, tuple(timexes), tuple(events), tuple(leads)
    )


def run_dates(store: Store, executor: Executor | None) -> str:
    """Date pending articles: inferred publication dates and resolved time expressions."""
    pending = store.pending("dates")
    window = CorpusWindow.of(store.known_dates())
    results = list(map_ordered(functools.partial(date_article, window=window), pending, executor))
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
    inferred = sum(r.published_source == "inferred" for r in results)
    unknown = sum(r.published is None for r in results)
    timexes = sum(len(r.timexes) for r in results)
    return (
        f"{len(results)} articles dated ({inferred} publication dates inferred, "
        f"{unknown} unknown), {timexes} time expressions"
    )


def run_quality(store: Store, duplicates: dict[str, str]) -> str:
    """Score every article's trustworthiness and store its flags."""
    quotes: dict[str, list[Quote]] = defaultdict(list)
    for quote in store.quotes():
        quotes[quote.article_id].append(quote)
    reports = [
        assess_quality(a, duplicate_of=duplicates.get(a.id), quotes=quotes[a.id])
        for a in store.articles()
    ]
    store.set_quality([(r.article_id, r.score, r.flags) for r in reports])
    flagged = sum(bool(set(r.flags) & set(UNTRUSTED_FLAGS)) for r in reports)
    return f"{flagged} of {len(reports)} articles flagged as untrustworthy copy"


def run_clusters(store: Store, duplicates: dict[str, str]) -> str:
    """Add new articles to the events and storylines; old assignments never move."""
    saved = store.get_state(_CLUSTER_STATE)
    # our own state, written by this function into the user's own database
    state: ClusterState = pickle.loads(saved) if saved else ClusterState()  # noqa: S301
    fresh = [a for a in store.articles() if a.id not in state.seq]
    stories, state = cluster_articles(
        fresh, entities=store.entity_names(), duplicates=duplicates, state=state
    )
    store.replace_stories(stories, duplicates)
    store.set_state(_CLUSTER_STATE, pickle.dumps(state))
    storylines = sum(s.level == "storyline" for s in stories)
    return f"{storylines} storylines, {len(stories) - storylines} events"


def run_timelines(store: Store, *, max_dates: int | None = None) -> str:
    """Build each storyline's timeline from the dated events of its articles."""
    entries = []
    storylines = [s for s in store.rows("stories", order="id") if s["level"] == "storyline"]
    for story in storylines:
        events, leads = store.events(story["article_ids"])
        entries.extend(
            build_timeline(events, max_dates=max_dates, story_id=story["id"], leads=leads)
        )
    store.replace_timelines(entries)
    return f"{len(entries)} dated entries on {len(storylines)} timelines"


def run_briefings(store: Store, duplicates: dict[str, str], *, max_sentences: int = 8) -> str:
    """Align each storyline's claims, find where its sources conflict, and write its briefing."""
    untrusted = store.untrusted()
    all_claims: list[Claim] = []
    all_conflicts: list[Conflict] = []
    briefings: list[dict[str, Any]] = []
    for story in store.rows("stories", order="id"):
        if story["level"] != "storyline":
            continue
        articles = list(store.articles(ids=story["article_ids"]))
        claims = find_claims(
            articles, story_id=story["id"], duplicates=duplicates, untrusted=untrusted
        )
        conflicts = find_conflicts(claims, articles, story_id=story["id"], duplicates=duplicates)
        briefing = build_briefing(
            articles,
            claims,
            conflicts,
            story_id=story["id"],
            max_sentences=max_sentences,
            untrusted=untrusted,
        )
        all_claims.extend(claims)
        all_conflicts.extend(conflicts)
        briefings.append(to_json(briefing))
    store.replace_briefings(all_claims, all_conflicts, briefings)
    corroborated = sum(c.kind == "corroborated" for c in all_claims)
    return (
        f"{len(all_claims)} claims ({corroborated} corroborated), "
        f"{len(all_conflicts)} conflicts, {len(briefings)} briefings"
    )
