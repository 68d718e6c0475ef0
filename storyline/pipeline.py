"""Composes the stages: read and clean in batches, store, then the corpus stages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from storyline import errors
from storyline.boundary import RunTally
from storyline.builtin_stages import endpoint_of
from storyline.clean import clean_article
from storyline.clean_stage import Cleaner
from storyline.errors import ConfigError, UsageError
from storyline.ingest import FormatChoice, iter_files, read_file
from storyline.ingest.html_vote import VotePolicy
from storyline.models import CleanArticle, IngestSummary, RawArticle, Rejected
from storyline.quality import encoder
from storyline.quote_groups import params_from
from storyline.registry import Pipeline, RunContext
from storyline.stage_runner import (
    CLEAN_STAGE,
    clean_version,
    forget_run,
    inputs_mark,
    last_run,
    remember_run,
    replay_stage,
    run_stage,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor
    from pathlib import Path

    from storyline.config import Settings
    from storyline.registry import StageSpec
    from storyline.store import Store
    from storyline.summaries import StageSummary

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
    vote_policy = VotePolicy.from_settings(settings.ingest, settings.text)

    def items() -> Iterator[RawArticle | Rejected | StoredRejected]:
        for done, item in enumerate(files, start=1):
            if isinstance(item, Rejected):
                yield item
            else:
                try:
                    yield from read_file(
                        item, fmt=fmt, max_bytes=settings.ingest.max_bytes, vote_policy=vote_policy
                    )
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
    ids = _IdGuard(store)
    version = clean_version(settings)

    def flush() -> None:
        cleaned, failed = _clean_batch(batch, settings, store)
        all_rejected.extend(failed)
        outcomes = store.save_batch(cleaned, rejected, cleaned_by=version)
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
        admitted, clashes = ids.admit(found)
        rejected.extend(clashes)
        if admitted is None:
            continue
        counts["read"] += 1
        batch.append(_dated(admitted, published))
        if len(batch) >= settings.ingest.batch_size:
            flush()
    for held in ids.held():  # updates of stored ids, now that every copy of them was read
        counts["read"] += 1
        batch.append(_dated(held, published))
        if len(batch) >= settings.ingest.batch_size:
            flush()
    flush()
    return IngestSummary(
        read=counts["read"],
        stored=counts["stored"],
        unchanged=counts["unchanged"],
        rejected=tuple(all_rejected),
    )


# updates of stored articles held to the end of a run, at most: a memory bound (a few
# thousand articles' text), not fitted on any data
_HELD_MAX = 5_000


def _dated(raw: RawArticle, published: str | None) -> RawArticle:
    """Return ``raw`` with ``--published`` applied, if given."""
    if published is None:
        return raw
    return dataclasses.replace(raw, published=published, published_source="metadata")


def _digest(title: str | None, text: str) -> bytes:
    """Return the digest of what an article was read as (a run may read millions of them)."""
    return hashlib.blake2b(
        f"{title}\0{text}".encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


class _IdGuard:
    """One version per id and run (S118), never undoing a stored version.

    Two inputs with one id (``"id": 1`` in two exports) used to overwrite each other in turn:
    one was lost without a word and every re-run stored the pair again. Within a run the
    first version read is kept and a later one with other content is an S118 row; a copy
    with the same content is no clash. An update of a stored article is held until the run
    has read every input: when the stored version comes again later in the same run, the
    stored one stays and the update is the S118 row. So re-reading ``day1, day2`` after
    ``day2`` was stored on its own does not bring ``day1`` back, and re-runs change nothing.
    Held updates are bounded (``_HELD_MAX``): past it an update is stored at once, without
    that protection, so re-reading a large edited corpus keeps ingest's memory flat.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # id -> (locator, digest of title and text) of the first version read in this run
        self.first: dict[str, tuple[str, bytes]] = {}
        self.updates: dict[str, list[RawArticle]] = {}  # held updates of stored ids

    def admit(self, raw: RawArticle) -> tuple[RawArticle | None, list[Rejected]]:
        """Return what to clean now (or None: held or refused) and its S118 rows."""
        digest = _digest(raw.title, raw.text)
        if raw.id not in self.first:
            self.first[raw.id] = (raw.locator, digest)
            stored = self.store.read_as(raw.id)
            held_room = len(self.updates) < _HELD_MAX
            if stored is not None and held_room and _digest(*stored) != digest:
                self.updates[raw.id] = [raw]
                return None, []
            return raw, []
        locator, first = self.first[raw.id]
        if first == digest:  # a copy of the version kept
            if raw.id in self.updates:
                self.updates[raw.id].append(raw)
                return None, []
            return raw, []
        held = self.updates.get(raw.id)
        stored = self.store.read_as(raw.id) if held else None
        if held and stored is not None and _digest(*stored) == digest:
            del self.updates[raw.id]  # the stored version came again: it stays
            self.first[raw.id] = (raw.locator, digest)
            return raw, [
                Rejected(
                    update.locator,
                    errors.DUPLICATE_ID,
                    f"id {raw.id!r} is stored with the content read again from {raw.locator}; "
                    "that one is kept and this other content is not stored",
                )
                for update in held
            ]
        return None, [
            Rejected(
                raw.locator,
                errors.DUPLICATE_ID,
                f"id {raw.id!r} was already read from {locator} with other content; "
                "that one is kept",
            )
        ]

    def held(self) -> Iterator[RawArticle]:
        """Yield the held updates (and their copies), in the order they were read."""
        for raws in self.updates.values():
            yield from raws


def _clean_batch(
    batch: Iterable[RawArticle], settings: Settings, store: Store
) -> tuple[list[tuple[RawArticle, CleanArticle]], list[Rejected]]:
    """Clean a batch; an article that makes the cleaner raise is one S199 row, the rest go on.

    Each article is cleaned from its own text alone. Lines recurring across the batch
    (``find_furniture``) are not used: a batch is whatever one ingest call read, 500 rows at a
    time, so an article's clean text (and its dates and quotes) would depend on which articles
    happened to share its batch, and a store grown run by run would differ from one built at
    once. A corpus-wide count would instead change old articles as new ones arrive.
    """
    raws = list(batch)
    cleaner = Cleaner.from_settings(settings)  # as the clean stage cleans a stored article again
    cleaned: list[tuple[RawArticle, CleanArticle]] = []
    failed: list[Rejected] = []
    for raw in raws:
        try:
            article = clean_article(raw, **cleaner.options(raw))
        except Exception as exc:  # noqa: BLE001 - the per-item boundary of cleaning: a cleaner bug must not lose the batch
            failed.append(store.record_internal_error(raw.locator, exc))
            continue
        cleaned.append((raw, article))
    return cleaned, failed


def threshold_for(raw: RawArticle, settings: Settings) -> float:
    """Return the cleaning threshold for an article's input format."""
    return settings.clean.threshold_html if raw.format == "html" else settings.clean.threshold


def _run(spec: StageSpec, ctx: RunContext, _saved: object) -> StageSummary:
    return run_stage(spec, ctx)


def analyse(
    store: Store,
    *,
    settings: Settings,
    executor: Executor | None = None,
    tally: RunTally | None = None,
    pipeline: Pipeline | None = None,
) -> list[tuple[StageSpec, StageSummary]]:
    """Run the resolved pipeline over the stored articles not yet processed.

    The order comes from the stages' requires/provides (``registry.Pipeline``): copies are
    found first so they are not analysed twice, entities before clustering, and quality
    before anything that weighs sources. Everything that can fail for the whole run (a
    missing stage input, a bad sentence model or briefing endpoint) is checked before any
    stage runs. Items a stage rejects are stored as Rejected rows and added to ``tally``,
    whose ``progress`` hears how far each stage is.

    Returns:
        Each stage with its summary, in run order.
    """
    pipeline = pipeline or Pipeline.load()
    pipeline.validate()
    try:
        sentence_model = encoder.resolve(settings.quality.sentence_model)
    except encoder.EncoderUnavailableError as exc:
        msg = f"[quality] sentence_model: {exc}"
        raise ConfigError(msg) from exc
    ctx = RunContext(store, settings, executor, tally or RunTally())
    ctx.values["sentence_model"] = sentence_model
    ctx.values["endpoint"] = endpoint_of(settings)
    try:  # checked before any stage runs, as the sentence model above
        ctx.values["quote_group_params"] = params_from(settings.quote_groups)
    except encoder.EncoderUnavailableError as exc:
        msg = f"[quote_groups] sentence_model: {exc}"
        raise ConfigError(msg) from exc
    # nothing new since the last complete run: each stage's stored output stands
    saved = last_run(store)
    replaying = saved.get("mark") == inputs_mark(store, settings, pipeline.stages)
    seen: dict[str, str] = {}
    if not replaying:
        forget_run(store)
        seen = store.content_hashes()  # an article stored meanwhile (watch, web) was not read
    done: list[tuple[StageSpec, StageSummary]] = []
    for spec in pipeline.stages:
        # no safety net for a stage that redoes stored articles during a replay: a version
        # change is in the mark (``stage_versions``), so a run that redoes any is no replay
        runner = replay_stage if replaying else _run
        done.append((spec, runner(spec, ctx, saved.get("summaries", {}))))
        if spec.name == CLEAN_STAGE and not replaying:
            # the one stage that rewrites articles (cleaned again by a new cleaner): what it
            # wrote was read by the stages after it, unlike an article stored meanwhile
            seen = store.content_hashes()
    if replaying:
        return done
    if store.content_hashes() == seen:
        mark = inputs_mark(store, settings, pipeline.stages)
        remember_run(store, pipeline.stages, mark, [s for _, s in done])
    return done
