"""The Python API, mirroring the CLI: ``storyline.open(db).ingest(paths)``, ``.run()``."""

from __future__ import annotations

import operator
import os
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

from storyline import pipeline, stages
from storyline.boundary import RunTally
from storyline.briefing.abstractive import endpoint_from, rewrite_briefing
from storyline.briefing.select import SelectionParams, brief_story
from storyline.claims.params import ClaimsParams
from storyline.config import Settings, load_settings
from storyline.errors import UsageError
from storyline.models import FORMATS
from storyline.runners import make_executor
from storyline.store import Store
from storyline.store.lock import run_lock
from storyline.summaries import StageSummary, render
from storyline.timeline import TimelineSettings, build_timeline

# Below this many articles a process pool costs more (a model load per worker) than it saves.
_POOL_MIN_ARTICLES = 200

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from storyline.fetch import Fetcher
    from storyline.ingest import FormatChoice
    from storyline.models import Briefing, CleanArticle, IngestSummary, Rejected, TimelineEntry
    from storyline.store.feeds import Change, FeedRow
    from storyline.watch.cycle import CycleReport


@dataclass(frozen=True, slots=True)
class RunReport:
    """What ``run`` did, stage by stage: each stage's counts, and the lines a person reads."""

    summaries: tuple[StageSummary, ...] = ()
    # items a stage could not process in this run (also stored, with the stage and traceback)
    rejected: tuple[Rejected, ...] = ()
    # each stage's report templates (StageSpec.report), by stage label: how its line reads
    templates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def stages(self) -> tuple[tuple[str, str], ...]:
        """Return (stage, what it produced) pairs, in run order."""
        return tuple((s.stage, render(s, self.templates.get(s.stage, ()))) for s in self.summaries)

    def counts(self, stage: str) -> Mapping[str, int]:
        """Return the counts one stage reported (``{}`` for a stage that did not run)."""
        return next((s.counts for s in self.summaries if s.stage == stage), {})

    def lines(self) -> list[str]:
        """Return one line per stage: its name and what it produced."""
        return [f"{name}: {what}" for name, what in self.stages]


class Workspace:
    """A store plus the settings that every stage reads."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._held = 0  # how deep this workspace is inside ``locked`` blocks

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's run lock (``store.lock``) for the block; nested blocks share it.

        Ingest, fetch and run take it, so ``run`` (ingest, then the stages) holds it once
        throughout; another process's run waits ``[run] lock_wait`` seconds, then fails.

        Raises:
            StoreBusyError: another run holds the store (S004).
        """
        if self._held:
            self._held += 1
            try:
                yield
            finally:
                self._held -= 1
            return
        with run_lock(self.store, wait=self.settings.run.lock_wait):
            self._held = 1
            try:
                yield
            finally:
                self._held = 0

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
        """Read, clean and store articles; see ``pipeline.ingest``.

        Raises:
            UsageError: ``paths`` is not a list of paths, holds an empty one, or ``fmt`` or
                ``published`` is invalid; nothing is read then.
        """
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        chosen: FormatChoice = fmt
        if published is not None and not isinstance(published, str):
            raise UsageError(f"published must be an ISO date string, not {published!r}")
        published = pipeline.check_published(published)  # before waiting for the lock
        checked = _paths_of(paths)
        with self.locked():
            return pipeline.ingest(
                self.store,
                checked,
                settings=self.settings,
                fmt=chosen,
                published=published,
                progress=progress,
            )

    def fetcher(self) -> Fetcher:
        """Return an HTTP fetcher under the [fetch] settings, archiving beside the database."""
        from storyline.fetch import open_fetcher  # noqa: PLC0415 - httpx loads only when fetching

        return open_fetcher(self.settings, self.store.path)

    def fetch(self, urls: Sequence[str], *, published: str | None = None) -> IngestSummary:
        """Fetch pages, archive them as WARC, read and store them as articles.

        A URL fetched before is asked for conditionally; a 304 counts as unchanged. Failures
        (S106, S108, S112-S114) become Rejected rows.
        """
        from storyline.fetch import fetch_urls  # noqa: PLC0415 - httpx loads only when fetching

        if isinstance(urls, str):
            urls = [urls]  # one URL, not its characters
        if urls is None or not all(isinstance(u, str) for u in urls):
            raise UsageError(f"urls must be a list of URL strings, not {urls!r}")
        published = pipeline.check_published(published)  # before any page is fetched
        with self.locked(), self.fetcher() as fetcher:
            return fetch_urls(
                self.store, fetcher, urls, settings=self.settings, published=published
            )

    def add_feeds(self, url: str) -> list[tuple[str, str, bool]]:
        """Watch the feed or sitemap at ``url``, or the feeds its home page announces.

        Returns:
            (feed url, kind, newly added) for each feed found.

        Raises:
            UsageError: nothing to watch was found at ``url``.
        """
        from storyline.fetch import subscribe  # noqa: PLC0415 - httpx loads only when fetching

        if not isinstance(url, str):
            raise UsageError(f"url must be a URL string, not {url!r}")
        with self.fetcher() as fetcher:
            return subscribe(self.store, fetcher, url)

    def remove_feeds(self, urls: Sequence[str]) -> list[tuple[str, bool]]:
        """Stop watching feeds; return (url, was watched) for each."""
        from storyline.fetch import unsubscribe  # noqa: PLC0415

        # one URL, not its characters (each was "not watched" in silence)
        return unsubscribe(self.store, _strings("urls", urls))

    def feeds(self) -> list[FeedRow]:
        """Return the watched feeds and how their last poll went."""
        from storyline.store.feeds import list_feeds  # noqa: PLC0415

        return list_feeds(self.store)

    def changes(self, *, since: str | None = None) -> list[tuple[str, Change]]:
        """Return the watch change log as (cycle timestamp, change), oldest first."""
        from storyline.store.feeds import changes  # noqa: PLC0415

        if since is not None and not isinstance(since, str):
            raise UsageError(f"since must be a cycle timestamp string, not {since!r}")
        return changes(self.store, since=since)

    def watch(
        self,
        *,
        every: float = 900.0,
        once: bool = False,
        cycles: int | None = None,
        on_cycle: Callable[[CycleReport], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> list[CycleReport]:
        """Poll the watched feeds, ingest what is new, rerun the stages, log what changed.

        Args:
            every: seconds from the start of one cycle to the start of the next.
            once: run one cycle and return.
            cycles: stop after this many cycles, skipped ones included (None: until interrupted).
            on_cycle: called with each cycle's report as soon as it is done.
            on_error: called when a cycle is skipped because the database was busy.
        """
        from storyline.watch.schedule import watch  # noqa: PLC0415 - httpx loads only when fetching

        with self.fetcher() as fetcher:
            return watch(
                self,
                fetcher,
                every=every,
                once=once,
                cycles=cycles,
                on_cycle=on_cycle,
                on_error=on_error,
            )

    def run(
        self,
        *,
        workers: int | None = None,
        dask: str | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> RunReport:
        """Run every stage over what is stored and not yet processed; report what each produced.

        An article or storyline that makes a stage raise is stored as a Rejected row naming
        the stage (S199, traceback kept) and listed in the report's ``rejected``; the run
        goes on without it.

        Args:
            workers: processes for the per-article stages; None picks one per core for large
                batches and this process for small ones (a pool costs a model load per worker).
            dask: a Dask scheduler address, or "local" for a LocalCluster.
            progress: called with (stage, items done, items total) as each stage goes.

        Raises:
            StoreBusyError: another run holds the store (S004).
        """
        _size("workers", workers, minimum=0)  # 0: one per core
        with self.locked():
            if workers is None and dask is None:
                large = len(stages.pending_ids(self.store, "nlp")) >= _POOL_MIN_ARTICLES
                workers = (os.cpu_count() or 1) if large else 1
            tally = RunTally(progress)
            with make_executor(workers, dask) as executor:
                report = pipeline.analyse(
                    self.store, settings=self.settings, executor=executor, tally=tally
                )
        return RunReport(
            tuple(summary for _, summary in report),
            tuple(tally.rejected),
            {spec.label: spec.report for spec, _ in report},
        )

    def timelines(
        self,
        story_id: str | None = None,
        *,
        max_dates: int | None = None,
        sentences_per_date: int = 1,
        keywords: Sequence[str] = (),
        corroborated: bool = False,
    ) -> dict[str, list[TimelineEntry]]:
        """Return storyline id -> its timeline, built to the size asked for.

        ``corroborated`` (without ``max_dates``) lets the story size it: the dates that
        ``timeline.min_outlets`` independent outlets report, at most ``timeline.max_dates``.

        ``story_id`` may be any unique prefix of a storyline id; None means every storyline.
        At the timeline stage's size (every date, one sentence each, no keywords) the stored
        timeline is returned; another size is built again from the stored events.
        """
        if story_id is not None:
            _named(story_id)
        _size("max_dates", max_dates)
        _size("sentences_per_date", sentences_per_date, optional=False)
        keywords = _strings("keywords", keywords)
        timelines: dict[str, list[TimelineEntry]] = {}
        untrusted = self.store.untrusted()
        outlets = (
            {a: outlet for a, (outlet, _) in self.store.outlets_and_dates().items()}
            if corroborated
            else None
        )
        settings = TimelineSettings(**self.settings.timeline.model_dump())
        # the timeline stage's own size: what `storyline run` stored is read, not rebuilt
        stage_size = (
            max_dates is None and sentences_per_date == 1 and not keywords and not corroborated
        )
        for story in self.store.stories(level="storyline", order="first_date, id"):
            if story_id is not None and not story.id.startswith(story_id):
                continue
            stored = self.store.timeline(story.id) if stage_size else []
            if stored:
                timelines[story.id] = stored
                continue
            events, leads = self.store.events(story.article_ids)
            timelines[story.id] = build_timeline(
                events,
                max_dates=max_dates,
                sentences_per_date=sentences_per_date,
                keywords=keywords,
                story_id=story.id,
                leads=leads,
                participants=self.store.participants(story.article_ids),
                untrusted=untrusted,
                outlets=outlets,
                settings=settings,
            )
        return timelines

    def briefing(
        self, story_id: str, *, max_sentences: int | None = None, mode: str | None = None
    ) -> Briefing:
        """Return the cited briefing of a story (any unique prefix of its id).

        ``max_sentences`` and ``mode`` (extractive / abstractive) default to ``[briefing]``;
        with those the briefing ``storyline run`` stored is returned, built again only for
        another size or mode (or a store the briefing stage has not filled).
        An abstractive briefing that the endpoint cannot give comes back extractive, with
        the reason in its ``note``.

        Raises:
            UsageError: no story, or more than one, has that id; or an unknown mode.
            ConfigError: abstractive mode without an endpoint.
        """
        _named(story_id)
        _size("max_sentences", max_sentences)  # 0 was read as the default, -1 as none
        chosen = mode or self.settings.briefing.mode
        if chosen not in ("extractive", "abstractive"):
            raise UsageError(f"unknown briefing mode {chosen!r}; choose extractive or abstractive")
        matches = [s for s in self.store.stories(order="id") if s.id.startswith(story_id)]
        exact = [s for s in matches if s.id == story_id]
        if len(exact or matches) != 1:
            problem = "no story" if not matches else "more than one story"
            raise UsageError(f"{problem} with id {story_id!r}: see `storyline stories`")
        story = (exact or matches)[0]
        size = max_sentences or self.settings.briefing.max_sentences
        if size == self.settings.briefing.max_sentences:
            # what `storyline run` stored, unless another size or mode is asked for: the
            # abstractive endpoint is then called once per storyline per run, not again here
            stored = self.store.stored_briefing(story.id)
            tried = chosen == "abstractive" and bool(stored and stored.note)  # fell back
            if stored is not None and (stored.mode == chosen or tried):
                return stored
        articles = list(self.store.articles(ids=story.article_ids))
        briefing = brief_story(
            articles,
            story_id=story.id,
            duplicates=self.store.duplicates(),
            untrusted=self.store.untrusted(),
            max_sentences=size,
            claims_params=ClaimsParams(**self.settings.claims.model_dump()),
            params=SelectionParams.from_values(self.settings.briefing.model_dump()),
        )
        if chosen == "abstractive":
            endpoint = endpoint_from(self.settings.briefing)
            briefing, _ = rewrite_briefing(briefing, endpoint)
        return briefing

    def articles(self) -> list[CleanArticle]:
        """Return every stored article, in ingest order."""
        return list(self.store.articles())


def open(  # noqa: A001 - mirrors the built-in on purpose: storyline.open(db)
    db: str | Path = "storyline.db", *, settings: Settings | None = None
) -> Workspace:
    """Open (or create) a storyline database.

    Args:
        db: a SQLite file path, ":memory:", or a PostgreSQL URL
            (``postgresql://user:password@host:5432/dbname``; psycopg 3 must be installed).
        settings: resolved settings; defaults (plus ./storyline.toml) when None.
    """
    if not isinstance(db, str | Path) or not str(db) or "\x00" in str(db):
        # Store(None) used to create a database file named "None" in the working folder
        raise UsageError(f"db must be a file path, ':memory:' or a PostgreSQL URL, not {db!r}")
    if settings is not None and not isinstance(settings, Settings):
        # a dict failed at the first command as AttributeError: 'dict' object has no ...
        raise UsageError(
            f"settings must be storyline.load_settings(...), not {type(settings).__name__}"
        )
    return Workspace(Store(db), settings or load_settings())


def _paths_of(paths: Sequence[str | Path]) -> list[Path]:
    """Return ``paths`` as Paths, refusing what would read something other than was meant.

    A lone string was read character by character ("ok" became the missing paths "o" and
    "k"), and ``""`` is ``Path(".")``: it read the whole working folder.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    if paths is None or isinstance(paths, bytes) or not isinstance(paths, Iterable):
        raise UsageError(f"paths must be a list of files or folders, not {paths!r}")
    checked = []
    for path in paths:
        if not isinstance(path, str | Path) or not str(path).strip():
            raise UsageError(
                f"{path!r} is not a file or folder path (use '.' for the working folder); "
                "nothing was read"
            )
        checked.append(Path(path))
    return checked


def _named(story_id: object) -> None:
    """Refuse what names no story: an empty id is a prefix of every id (one story or all)."""
    if not isinstance(story_id, str):
        raise UsageError(f"story_id must be a story id (a string), not {story_id!r}")
    if not story_id.strip():
        raise UsageError("an empty story id names no story: see `storyline stories`")


def _size(name: str, value: object, *, minimum: int = 1, optional: bool = True) -> None:
    """Refuse a size that is not a whole number from ``minimum`` (None too unless optional).

    A string failed deep inside as TypeError; 0 or -1 gave an empty timeline or briefing (or
    the default) in silence, where the CLI refuses them.
    """
    if value is None and optional:
        return
    try:
        whole = operator.index(value)  # type: ignore[arg-type]  # numpy integers too
    except TypeError:
        whole = None
    if isinstance(value, bool) or whole is None or whole < minimum:
        raise UsageError(f"{name} must be a whole number from {minimum}, not {value!r}")


def _strings(name: str, values: object) -> list[str]:
    """Return ``values`` as a list of strings; a lone string is one value, not its characters."""
    if isinstance(values, str):
        return [values]
    if values is None or not isinstance(values, Iterable):
        raise UsageError(f"{name} must be a list of strings, not {values!r}")
    listed = list(values)
    if not all(isinstance(v, str) for v in listed):
        raise UsageError(f"{name} must be a list of strings, not {listed!r}")
    return listed
