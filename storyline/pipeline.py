"""Composes the stages: read and clean in batches, store, then the corpus stages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from storyline import encoder, stages
from storyline.abstractive import endpoint_from
from storyline.boundary import RunTally
from storyline.briefing_stage import run_briefings
from storyline.clean import PageGuard, clean_article, find_furniture
from storyline.cluster import ClusterSettings
from storyline.errors import ConfigError, UsageError
from storyline.ingest import FormatChoice, iter_files, read_file
from storyline.models import CleanArticle, IngestSummary, RawArticle, Rejected
from storyline.quote_groups import params_from
from storyline.quote_groups_stage import run_quote_groups
from storyline.timeline import TimelineSettings

if TYPE_CHECKING:
    from concurrent.futures import Executor
    from pathlib import Path

    from storyline.config import Settings
    from storyline.store import Store

Progress = Callable[[int, int], None]  # (files done, files total)
_PERIOD_RE = re.compile(r"(\d{4})(?:-(\d\d))?")  # a year or a month: the day is unknown


def check_published(value: str | None) -> str | None:
    """Return ``--published`` as an ISO date, month or year (a date-time keeps its day), or None.

    A month or a year (``2015-10``, ``2015``) is kept as such: the day is unknown, and the
    article's ``published_precision`` says so, as for a JSONL row's month-only date.

    Raises:
        UsageError: the value is not an ISO date ("yesterday"): stored, it broke every run.
    """
    if value is None:
        return None
    period = _PERIOD_RE.fullmatch(value.strip())
    if period is not None and (period.group(2) is None or 1 <= int(period.group(2)) <= 12):
        return value.strip()
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        raise UsageError(
            f"--published {value!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY); "
            "nothing was stored"
        ) from None


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
    published = check_published(published)
    files = list(iter_files(paths))

    def items() -> Iterator[RawArticle | Rejected | StoredRejected]:
        for done, item in enumerate(files, start=1):
            if isinstance(item, Rejected):
                yield item
            else:
                try:
                    yield from read_file(item, fmt=fmt, max_bytes=settings.ingest.max_bytes)
                except Exception as exc:  # noqa: BLE001 - the one per-item boundary: a bug in a reader must not kill the run
                    yield StoredRejected(store.record_internal_error(str(item), exc))
            if progress is not None:
                progress(done, len(files))

    return ingest_items(store, items(), settings=settings, published=published)


@dataclasses.dataclass(frozen=True, slots=True)
class StoredRejected:
    """A Rejected row already written (with its traceback): counted, not written again."""

    rejected: Rejected


def ingest_items(
    store: Store,
    items: Iterable[RawArticle | Rejected | StoredRejected],
    *,
    settings: Settings,
    published: str | None = None,
) -> IngestSummary:
    """Clean and store articles from any source (files, fetched pages) in batches.

    Args:
        store: where articles and rejected inputs are written, one transaction per batch.
        items: articles, and Rejected rows for inputs that could not become one.
        settings: resolved settings (batch size, cleaning threshold).
        published: an ISO date that overrides every article's publication date.

    Returns:
        Counts of what was read, stored, found unchanged, and rejected.
    """
    published = check_published(published)
    batch: list[RawArticle] = []
    rejected: list[Rejected] = []
    counts = {"read": 0, "stored": 0, "unchanged": 0}
    all_rejected: list[Rejected] = []

    def flush() -> None:
        cleaned, failed = _clean_batch(batch, settings, store)
        all_rejected.extend(failed)
        outcomes = store.save_batch(cleaned, rejected)
        for outcome in outcomes:
            counts["unchanged" if outcome == "unchanged" else "stored"] += 1
        all_rejected.extend(rejected)
        batch.clear()
        rejected.clear()

    for found in items:
        if isinstance(found, StoredRejected):
            all_rejected.append(found.rejected)
            continue
        if isinstance(found, Rejected):
            rejected.append(found)
            continue
        counts["read"] += 1
        if published is not None:
            found = dataclasses.replace(found, published=published, published_source="metadata")  # noqa: PLW2901
        batch.append(found)
        if len(batch) >= settings.ingest.batch_size:
            flush()
    flush()
    return IngestSummary(
        read=counts["read"],
        stored=counts["stored"],
        unchanged=counts["unchanged"],
        rejected=tuple(all_rejected),
    )


def _clean_batch(
    batch: Iterable[RawArticle], settings: Settings, store: Store
) -> tuple[list[tuple[RawArticle, CleanArticle]], list[Rejected]]:
    """Clean a batch; an article that makes the cleaner raise is one S199 row, the rest go on."""
    raws = list(batch)
    furniture = find_furniture(
        (raw.text for raw in raws), min_count=settings.clean.corpus_repeat_min
    )
    guard = PageGuard.from_values(settings.clean.model_dump())  # used on HTML pages only
    cleaned: list[tuple[RawArticle, CleanArticle]] = []
    failed: list[Rejected] = []
    for raw in raws:
        try:
            article = clean_article(
                raw,
                furniture=furniture,
                threshold=threshold_for(raw, settings),
                guard=guard if raw.format == "html" else None,
            )
        except Exception as exc:  # noqa: BLE001 - the per-item boundary of cleaning: a cleaner bug must not lose the batch
            failed.append(store.record_internal_error(raw.locator, exc))
            continue
        cleaned.append((raw, article))
    return cleaned, failed


def threshold_for(raw: RawArticle, settings: Settings) -> float:
    """Return the cleaning threshold for an article's input format."""
    return settings.clean.threshold_html if raw.format == "html" else settings.clean.threshold


def analyse(
    store: Store,
    *,
    settings: Settings,
    executor: Executor | None = None,
    tally: RunTally | None = None,
) -> list[tuple[str, str]]:
    """Run every stage over the stored articles not yet processed; report what each produced.

    Order matters: copies are found first so they are not analysed twice, dates before the
    NLP stage, entities before clustering, and quality before anything that weighs sources.
    Items a stage rejects are stored as Rejected rows and added to ``tally``, whose
    ``progress`` hears how far each stage is.
    """
    try:
        sentence_model = encoder.resolve(settings.quality.sentence_model)
    except encoder.EncoderUnavailableError as exc:
        msg = f"[quality] sentence_model: {exc}"
        raise ConfigError(msg) from exc
    tally = tally or RunTally()
    articles = store.count("articles")
    removed = store.count("removed_lines")
    duplicates = stages.run_dedupe(store)
    briefing = _briefing(settings)
    try:
        groups = params_from(settings.quote_groups)
    except encoder.EncoderUnavailableError as exc:
        msg = f"[quote_groups] sentence_model: {exc}"
        raise ConfigError(msg) from exc
    clusters = ClusterSettings(**settings.cluster.model_dump())
    timelines = TimelineSettings(**settings.timeline.model_dump())
    return [
        ("clean", f"{articles} articles, {removed} boilerplate lines set aside"),
        ("dedupe", f"{len(duplicates)} copies of other articles"),
        ("dates", stages.run_dates(store, executor, tally=tally)),
        ("nlp", stages.run_nlp(store, settings, executor, skip=set(duplicates), tally=tally)),
        ("entities", stages.run_entities(store, settings, tally=tally)),
        ("quality", stages.run_quality(store, duplicates, executor, sentence_model, tally=tally)),
        ("stories", stages.run_clusters(store, duplicates, tally=tally, settings=clusters)),
        ("timeline", stages.run_timelines(store, tally=tally, settings=timelines)),
        ("quote_groups", run_quote_groups(store, duplicates, params=groups, tally=tally)),
        ("briefing", run_briefings(store, duplicates, executor, tally=tally, **briefing)),
    ]


def _briefing(settings: Settings) -> dict[str, Any]:
    """Return the briefing stage's options from ``[briefing]``."""
    brief = settings.briefing
    endpoint = endpoint_from(brief) if brief.mode == "abstractive" else None
    return {"max_sentences": brief.max_sentences, "endpoint": endpoint}
