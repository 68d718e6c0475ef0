"""Composes the stages: read and clean in batches, store, then the corpus stages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from storyline.clean import clean_article, find_furniture
from storyline.config import Settings
from storyline.ingest import FormatChoice, iter_files, read_file
from storyline.models import CleanArticle, IngestSummary, RawArticle, Rejected
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
                        found = dataclasses.replace(
                            found, published=published, published_source="metadata"
                        )
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
        (raw, clean_article(raw, furniture=furniture, threshold=settings.clean.threshold))
        for raw in raws
    ]


def analyse(store: Store, *, settings: Settings) -> list[tuple[str, str]]:
    """Run the corpus stages over the stored articles; return (stage, what it produced) pairs."""
    del settings  # read by the stages that land after the foundation
    articles = store.count("articles")
    removed = store.count("removed_lines")
    return [("clean", f"{articles} articles stored, {removed} boilerplate lines set aside")]
