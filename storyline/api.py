"""The Python API, mirroring the CLI: ``storyline.open(db).ingest(paths)``, ``.run()``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

from storyline import pipeline
from storyline.briefing import brief_story
from storyline.config import Settings, load_settings
from storyline.errors import UsageError
from storyline.runners import make_executor
from storyline.store import Store
from storyline.timeline import build_timeline

# Below this many articles a process pool costs more (a model load per worker) than it saves.
_POOL_MIN_ARTICLES = 200

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.ingest import FormatChoice
    from storyline.models import Briefing, CleanArticle, IngestSummary, TimelineEntry


@dataclass(frozen=True, slots=True)
class RunReport:
    """What ``run`` did, stage by stage, as lines a person reads."""

    stages: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """Return one line per stage: its name and what it produced."""
        return [f"{name}: {what}" for name, what in self.stages]


class Workspace:
    """A store plus the settings that every stage reads."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        fmt: str = "auto",
        published: str | None = None,
        progress: pipeline.Progress | None = None,
    ) -> IngestSummary:
        """Read, clean and store articles; see ``pipeline.ingest``."""
        chosen: FormatChoice = fmt  # type: ignore[assignment]
        return pipeline.ingest(
            self.store,
            [Path(p) for p in paths],
            settings=self.settings,
            fmt=chosen,
            published=published,
            progress=progress,
        )

    def run(self, *, workers: int | None = None, dask: str | None = None) -> RunReport:
        """Run every stage over what is stored and not yet processed; report what each produced.

        Args:
            workers: processes for the per-article stages; None picks one per core for large
                batches and this process for small ones (a pool costs a model load per worker).
            dask: a Dask scheduler address, or "local" for a LocalCluster.
        """
        if workers is None and dask is None:
            large = len(self.store.pending("nlp")) >= _POOL_MIN_ARTICLES
            workers = (os.cpu_count() or 1) if large else 1
        with make_executor(workers, dask) as executor:
            stages = pipeline.analyse(self.store, settings=self.settings, executor=executor)
        return RunReport(tuple(stages))

    def timelines(
        self,
        story_id: str | None = None,
        *,
        max_dates: int | None = None,
        sentences_per_date: int = 1,
        keywords: Sequence[str] = (),
    ) -> dict[str, list[TimelineEntry]]:
        """Return storyline id -> its timeline, built to the size asked for.

        ``story_id`` may be any unique prefix of a storyline id; None means every storyline.
        """
        timelines: dict[str, list[TimelineEntry]] = {}
        for story in self.store.rows("stories", order="first_date, id"):
            if story["level"] != "storyline":
                continue
            if story_id is not None and not story["id"].startswith(story_id):
                continue
            events, leads = self.store.events(story["article_ids"])
            timelines[story["id"]] = build_timeline(
                events,
                max_dates=max_dates,
                sentences_per_date=sentences_per_date,
                keywords=keywords,
                story_id=story["id"],
                leads=leads,
            )
        return timelines

    def briefing(self, story_id: str, *, max_sentences: int = 8) -> Briefing:
        """Return the cited briefing of a story (any unique prefix of its id).

        Raises:
            UsageError: no story, or more than one, has that id.
        """
        matches = [
            s for s in self.store.rows("stories", order="id") if s["id"].startswith(story_id)
        ]
        exact = [s for s in matches if s["id"] == story_id]
        if len(exact or matches) != 1:
            problem = "no story" if not matches else "more than one story"
            raise UsageError(f"{problem} with id {story_id!r}: see `storyline stories`")
        story = (exact or matches)[0]
        articles = list(self.store.articles(ids=story["article_ids"]))
        duplicates = {
            r["id"]: r["duplicate_of"] for r in self.store.rows("articles") if r["duplicate_of"]
        }
        return brief_story(
            articles,
            story_id=story["id"],
            duplicates=duplicates,
            untrusted=self.store.untrusted(),
            max_sentences=max_sentences,
        )

    def articles(self) -> list[CleanArticle]:
        """Return every stored article, in ingest order."""
        return list(self.store.articles())


def open(  # noqa: A001 - mirrors the built-in on purpose: storyline.open(db)
    db: str | Path = "storyline.db", *, settings: Settings | None = None
) -> Workspace:
    """Open (or create) a storyline database.

    Args:
        db: a SQLite file path, or ":memory:".
        settings: resolved settings; defaults (plus ./storyline.toml) when None.
    """
    return Workspace(Store(db), settings or load_settings())
