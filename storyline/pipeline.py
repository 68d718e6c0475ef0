"""Composes the stages: read and clean in batches, store, then the corpus stages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from storyline.clean import clean_article, find_furniture
from storyline.extract.annotate import annotate_chunk, chunked
from storyline.extract.dates import find_timexes, infer_published
from storyline.extract.entities import merge_entities
from storyline.extract.quotes import canonicalise_speakers
from storyline.ingest import FormatChoice, iter_files, read_file
from storyline.models import CleanArticle, IngestSummary, RawArticle, Rejected, TimeExpr
from storyline.runners import map_ordered

if TYPE_CHECKING:
    from concurrent.futures import Executor
    from pathlib import Path

    from storyline.config import Settings
    from storyline.store import Store

Progress = Callable[[int, int], None]  # (files done, files total)


def ingest(
    store: Store,
    paths: Sequence[Path],
    *,
    settings: Settings,
    fmt: FormatChoice = "auto",
    published: str | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Read, clean and store every article under ``paths``; bad items become Rejected rows.

    Args:
        store: where articles and rejected inputs are written, one transaction per batch.
        paths: files or folders.
        settings: resolved settings (size limit, batch size, cleaning threshold).
        fmt: force an input format instead of detecting it.
        published: an ISO date that overrides every article's publication date.
        progress: called after each file with (files done, files total).

    Returns:
        Counts of what was read, stored, found unchanged, and rejected.
    """
    files = list(iter_files(paths))
    batch: list[RawArticle] = []
    rejected: list[Rejected] = []
    counts = {"read": 0, "stored": 0, "updated": 0, "unchanged": 0}
    all_rejected: list[Rejected] = []

    def flush() -> None:
        outcomes = store.save_batch(_clean_batch(batch, settings), rejected)
        for outcome in outcomes:
            counts["unchanged" if outcome == "unchanged" else "stored"] += 1
        all_rejected.extend(rejected)
        batch.clear()
        rejected.clear()

    for done, item in enumerate(files, start=1):
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            try:
                for found in read_file(item, fmt=fmt, max_bytes=settings.ingest.max_bytes):
                    if isinstance(found, Rejected):
                        rejected.append(found)
                        continue
                    counts["read"] += 1
                    if published is not None:
                        batch.append(
                            dataclasses.replace(
                                found, published=published, published_source="metadata"
                            )
                        )
                    else:
                        batch.append(found)
                    if len(batch) >= settings.ingest.batch_size:
                        flush()
            except Exception as exc:  # noqa: BLE001 - the one per-item boundary: a bug in a reader must not kill the run
                all_rejected.append(store.record_internal_error(str(item), exc))
        if progress is not None:
            progress(done, len(files))
    flush()
    return IngestSummary(
        read=counts["read"],
        stored=counts["stored"],
        unchanged=counts["unchanged"],
        rejected=tuple(all_rejected),
    )


def _clean_batch(
    batch: Iterable[RawArticle], settings: Settings
) -> list[tuple[RawArticle, CleanArticle]]:
    raws = list(batch)
    furniture = find_furniture(
        (raw.text for raw in raws), min_count=settings.clean.corpus_repeat_min
    )
    return [
        (raw, clean_article(raw, furniture=furniture, threshold=threshold_for(raw, settings)))
        for raw in raws
    ]


def threshold_for(raw: RawArticle, settings: Settings) -> float:
    """Return the cleaning threshold for an article's input format."""
    return settings.clean.threshold_html if raw.format == "html" else settings.clean.threshold


def analyse(
    store: Store, *, settings: Settings, executor: Executor | None = None
) -> list[tuple[str, str]]:
    """Run every stage over the stored articles not yet processed; report what each produced."""
    report = [
        (
            "clean",
            (
                f"{store.count('articles')} articles, "
                f"{store.count('removed_lines')} boilerplate lines set aside"
            ),
        )
    ]
    report.append(("dates", _run_dates(store, executor)))
    report.append(("nlp", _run_nlp(store, settings, executor)))
    report.append(("entities", _run_entities(store, settings)))
    return report


def _run_nlp(store: Store, settings: Settings, executor: Executor | None) -> str:
    pending = store.pending("nlp")
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


def _run_entities(store: Store, settings: Settings) -> str:
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
    return DatedArticle(article.id, published, source, confidence, tuple(timexes))


def _run_dates(store: Store, executor: Executor | None) -> str:
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
        "dates", [r.article_id for r in results], timexes=[t for r in results for t in r.timexes]
    )
    inferred = sum(r.published_source == "inferred" for r in results)
    unknown = sum(r.published is None for r in results)
    timexes = sum(len(r.timexes) for r in results)
    return (
        f"{len(results)} articles dated ({inferred} publication dates inferred, "
        f"{unknown} unknown), {timexes} time expressions"
    )
