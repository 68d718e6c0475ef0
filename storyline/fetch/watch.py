"""Watch mode: poll the feeds, ingest what is new, rerun the stages, log what changed.

Everything a cycle needs to resume is in the store (feeds, per-URL validators, what was
fetched), so a restart picks up where the last cycle ended; a feed whose host fails is
recorded and skipped, never stopping the others.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storyline import errors, pipeline
from storyline.errors import InputError, StoreError, UsageError
from storyline.fetch.client import Fetched, FetchRequest
from storyline.fetch.feeds import FeedEntry, ParsedFeed, parse_feed
from storyline.fetch.pages import FetchTally, fetch_articles
from storyline.fetch.sitemaps import looks_like_sitemap, parse_sitemap
from storyline.models import IngestSummary, Rejected
from storyline.store import feeds as feed_store
from storyline.store.feeds import Change, FetchState

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from storyline.api import Workspace
    from storyline.fetch.client import Fetcher
    from storyline.store import Store
    from storyline.store.feeds import FeedRow

_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_HTTP_STATUS_RE = re.compile(r"HTTP (\d{3})")
_MAX_CHILD_SITEMAPS = 50  # children of one sitemap index read per cycle
_MAX_SITEMAP_DEPTH = 3  # indexes of indexes: how many levels below a watched feed are read


def parse_interval(text: str) -> float:
    """Return seconds for an interval such as ``90``, ``30s``, ``15m``, ``1h``.

    Raises:
        UsageError: the text is not such an interval, or is zero.
    """
    match = _INTERVAL_RE.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(f"bad interval {text!r}: use e.g. 30s, 15m, 1h")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one watch cycle did and what changed in the stories."""

    cycle: str  # ISO timestamp the cycle started, also its key in the change log
    feeds: int
    not_modified: int
    new_items: int
    summary: IngestSummary
    stages: tuple[tuple[str, str], ...] = ()
    changes: tuple[Change, ...] = ()
    failed_feeds: tuple[Rejected, ...] = field(default_factory=tuple)
    # items a stage could not process this cycle (stored as S199 rows, tried again next run)
    stage_rejected: tuple[Rejected, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """Return the change log as lines a person reads."""
        head = (
            f"{self.cycle}: {self.feeds} feeds polled, {self.not_modified} unchanged, "
            f"{len(self.failed_feeds)} failed, {self.new_items} new items, "
            f"{self.summary.stored} articles stored"
        )
        body = [f"  {c.kind}: {c.text}" for c in self.changes]
        body += [
            f"  rejected by a stage: {r.locator} [{r.code}] {r.reason}" for r in self.stage_rejected
        ]
        return [head, *body] if body else [head, "  no changes"]


# -- polling ------------------------------------------------------------------------------


def parse_listing(fetched: Fetched, kind: str) -> ParsedFeed:
    """Parse a fetched feed or sitemap, going by its kind, then by its first bytes.

    Raises:
        InputError: S115 when it is neither.
    """
    if kind == "sitemap" or looks_like_sitemap(fetched.body):
        return parse_sitemap(fetched.body, fetched.url)
    return parse_feed(fetched.body, fetched.url)


def worth_retrying(error: str | None) -> bool:
    """Return True for a failure that may pass: network, timeout, 5xx, 408, 429 (not a 404)."""
    if not (error or "").startswith(errors.FETCH_FAILED):
        return False
    http = _HTTP_STATUS_RE.search(error or "")
    return http is None or http.group(1).startswith("5") or http.group(1) in {"408", "429"}


def _is_new(state: FetchState | None) -> bool:
    """Return True for an item never fetched, or whose last fetch may pass if tried again."""
    if state is None:
        return True
    return not state.ok and worth_retrying(state.error)


@dataclass(slots=True)
class _Polled:
    entries: list[FeedEntry] = field(default_factory=list)
    states: list[FetchState] = field(default_factory=list)
    marks: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    failed: list[Rejected] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    not_modified: int = 0


def _poll_listings(store: Store, fetcher: Fetcher, feeds: Sequence[FeedRow]) -> _Polled:
    """Fetch every feed (conditionally) and, level by level, sitemap indexes' children."""
    out = _Polled()
    known = feed_store.fetch_states(store, (f.url for f in feeds))
    requests = [
        FetchRequest(
            f.url,
            etag=known[f.url].etag if f.url in known else None,
            last_modified=known[f.url].last_modified if f.url in known else None,
            context=f,
        )
        for f in feeds
    ]
    seen = {f.url for f in feeds}
    level = requests
    for _ in range(_MAX_SITEMAP_DEPTH + 1):
        children: list[FetchRequest] = []
        for request, result in fetcher.fetch_many(level):
            _take(request, result, out, children)
        # an index that lists itself or an ancestor is read once
        level = [c for c in children if c.url not in seen]
        seen.update(c.url for c in level)
        if not level:
            break
    return out


def _take(
    request: FetchRequest,
    result: Fetched | InputError,
    out: _Polled,
    children: list[FetchRequest],
) -> None:
    """Fold one feed's answer into the cycle: its entries, state, and how the poll went."""
    row = request.context
    kind = getattr(row, "kind", "sitemap")
    is_feed_row = hasattr(row, "kind")
    if isinstance(result, InputError):
        out.failed.append(Rejected(request.url, result.code, result.reason))
        out.states.append(
            FetchState(
                request.url,
                feed_store.now(),
                ok=False,
                error=f"{result.code}: {result.reason}",
            )
        )
        if is_feed_row:
            out.marks.append((request.url, result.code, result.reason, None))
        return
    state = FetchState(
        request.url,
        result.fetched_at,
        ok=True,
        final_url=result.final_url,
        etag=result.etag,
        last_modified=result.last_modified,
        status=result.status,
        warc=result.warc,
    )
    if result.not_modified:
        out.not_modified += 1
        out.states.append(state)
        if is_feed_row:
            out.marks.append((request.url, "not-modified", None, None))
        return
    try:
        parsed = parse_listing(result, kind)
    except InputError as exc:
        out.failed.append(Rejected(request.url, exc.code, exc.reason))
        # validators are not kept: the next poll must read the document again
        out.states.append(
            FetchState(request.url, result.fetched_at, ok=False, error=f"{exc.code}: {exc.reason}")
        )
        if is_feed_row:
            out.marks.append((request.url, exc.code, exc.reason, None))
        return
    out.entries.extend(parsed.entries)
    out.states.append(state)
    out.recovered.append(request.url)
    if is_feed_row:
        out.marks.append((request.url, "ok", None, parsed.title))
    children.extend(
        FetchRequest(url, context=request.url) for url in parsed.children[:_MAX_CHILD_SITEMAPS]
    )


def poll(workspace: Workspace, fetcher: Fetcher, *, run_stages: bool = True) -> CycleReport:
    """Run one watch cycle over every watched feed.

    Args:
        workspace: the store and settings; its stages run when something new was stored.
        fetcher: the HTTP client (its politeness state carries across cycles).
        run_stages: run the analysis stages after ingesting (off for fetch-only tests).

    Returns:
        Counts and the change log, which is also stored in the ``changes`` table.
    """
    store = workspace.store
    cycle = feed_store.now()
    feeds = feed_store.list_feeds(store)
    before = snapshot(store)
    polled = _poll_listings(store, fetcher, feeds)
    # items that failed on the network before are tried again even when their feed is 304
    retry = [
        FeedEntry(url, feed=feed)
        for url, feed, error in feed_store.failed_items(store, [f.url for f in feeds])
        if worth_retrying(error)
    ]
    unique = list({e.url: e for e in [*retry, *polled.entries]}.values())
    known = feed_store.fetch_states(store, (e.url for e in unique))
    fresh = [e for e in unique if _is_new(known.get(e.url))]
    tally = FetchTally()
    summary = pipeline.ingest_items(
        store,
        fetch_articles(fetcher, [FetchRequest(e.url, context=e) for e in fresh], tally),
        settings=workspace.settings,
    )
    # item states first, feed validators last: a crash in between re-reads the feed
    feed_store.save_fetch_states(store, tally.states)
    with_rejected = pipeline.ingest_items(store, polled.failed, settings=workspace.settings)
    feed_store.clear_rejected(store, polled.recovered)
    feed_store.save_fetch_states(store, polled.states)
    feed_store.mark_polled(store, polled.marks)
    stages: tuple[tuple[str, str], ...] = ()
    stage_rejected: tuple[Rejected, ...] = ()
    if run_stages and summary.stored:
        run = workspace.run()
        stages, stage_rejected = tuple(run.stages), run.rejected
    found = diff(before, snapshot(store))
    feed_store.record_changes(store, cycle, found)
    return CycleReport(
        cycle=cycle,
        feeds=len(feeds),
        not_modified=polled.not_modified,
        new_items=len(fresh),
        summary=IngestSummary(
            read=summary.read,
            stored=summary.stored,
            unchanged=summary.unchanged + tally.not_modified,
            # an article a stage rejected (S199) is a rejected input of this cycle too
            rejected=summary.rejected + with_rejected.rejected + stage_rejected,
        ),
        stages=stages,
        stage_rejected=stage_rejected,
        changes=tuple(found),
        failed_feeds=tuple(polled.failed),
    )


MAX_FAILED_CYCLES = 3  # store errors in a row before the watcher gives up


def _store_busy_errors() -> tuple[type[Exception], ...]:
    """Return the errors of a database that is busy or gone for a while (locked, restarting)."""
    errors: list[type[Exception]] = [sqlite3.OperationalError, StoreError]
    try:
        import psycopg  # noqa: PLC0415 - only with the PostgreSQL extra

        errors.append(psycopg.OperationalError)
    except ImportError:
        pass
    return tuple(errors)


def watch(
    workspace: Workspace,
    fetcher: Fetcher,
    *,
    every: float,
    once: bool = False,
    on_cycle: Callable[[CycleReport], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    cycles: int | None = None,
) -> list[CycleReport]:
    """Poll every ``every`` seconds until interrupted (or once, or ``cycles`` times).

    A cycle that hits a busy database (locked by another writer, a server restarting) is
    skipped and reported to ``on_error``; the next cycle tries again, since nothing of a cycle
    is marked done before it is stored. ``MAX_FAILED_CYCLES`` such cycles in a row stop it.
    """
    busy = _store_busy_errors()
    reports: list[CycleReport] = []
    attempts = failures = 0
    while True:
        started = time.monotonic()
        attempts += 1
        try:
            # one run per store: a cycle that meets another run is skipped like a busy one
            with workspace.locked():
                report = poll(workspace, fetcher)
        except busy as exc:
            failures += 1
            if once or failures >= MAX_FAILED_CYCLES:
                raise
            if on_error is not None:
                on_error(exc)
        else:
            failures = 0
            reports.append(report)
            if on_cycle is not None:
                on_cycle(report)
        if once or (cycles is not None and attempts >= cycles):
            return reports
        sleep(max(0.0, every - (time.monotonic() - started)))


# -- the change log -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts of the store a change log compares: stories, timelines, claims, conflicts."""

    stories: dict[str, tuple[str, int]]  # storyline id -> (label, article count)
    timeline: set[tuple[str, str, str]]  # (story id, date, text)
    # story id -> its corroborated claims as (text, supporting article ids, support)
    corroborated: dict[str, list[tuple[str, frozenset[str], int]]]
    conflicts: dict[tuple[str, str, str], str]  # (story id, kind, subject) -> values as JSON


def snapshot(store: Store) -> Snapshot:
    """Read what a change log compares from the store."""
    stories = {
        str(r["id"]): (str(r["label"]), len(r["article_ids"]))
        for r in store.rows("stories", order="id")
        if r["level"] == "storyline"
    }
    timeline = {
        (str(r["story_id"]), str(r["date"]), str(r["text"]))
        for r in store.rows("timeline", order="story_id, rank")
    }
    corroborated: dict[str, list[tuple[str, frozenset[str], int]]] = {}
    for row in store.rows("claims", order="id"):
        if row["kind"] == "corroborated":
            corroborated.setdefault(str(row["story_id"]), []).append(
                (str(row["text"]), frozenset(row["article_ids"]), int(row["support"]))
            )
    conflicts = {
        (str(r["story_id"]), str(r["kind"]), str(r["subject"])): json.dumps(r["values"])
        for r in store.rows("conflicts", order="id")
    }
    return Snapshot(
        stories=stories,
        timeline=timeline,
        corroborated=corroborated,
        conflicts=conflicts,
    )


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    """Return what is new in ``after``: stories, growth, events, corroborations, conflicts."""
    changes: list[Change] = []
    for story_id, (label, count) in sorted(after.stories.items()):
        if story_id not in before.stories:
            changes.append(Change("new_story", story_id, f"{label} ({count} articles)"))
        elif count > before.stories[story_id][1]:
            was = before.stories[story_id][1]
            changes.append(Change("story_grew", story_id, f"{label}: {was} -> {count} articles"))
    changes.extend(
        Change("new_event", story_id, f"{date}: {text}")
        for story_id, date, text in sorted(after.timeline - before.timeline)
    )
    for story_id, claims in sorted(after.corroborated.items()):
        earlier = before.corroborated.get(story_id, [])
        for text, article_ids, support in claims:
            # the same claim is the one whose supporters it still has (its wording may change)
            was = max((s for _, ids, s in earlier if ids <= article_ids), default=0)
            if support > was:
                since = f" (was {was})" if was else ""
                changes.append(
                    Change("corroborated", story_id, f"now {support} sources{since}: {text}")
                )
    for key, values in sorted(after.conflicts.items()):
        if before.conflicts.get(key) != values:
            story_id, kind, subject = key
            changes.append(
                Change("conflict", story_id, f"{kind} {subject}: {_values(json.loads(values))}")
            )
    return changes


def _values(values: Iterable[Any]) -> str:
    """Return a conflict's values as ``v1 (a, b) vs v2 (c)``."""
    parts = []
    for item in values:
        if isinstance(item, dict):
            value, ids = item.get("value"), item.get("article_ids") or []
        else:
            value, ids = item[0], item[1]
        parts.append(f"{value} ({', '.join(str(i) for i in ids)})")
    return " vs ".join(parts)
