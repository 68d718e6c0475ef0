"""One watch cycle: poll the feeds, ingest what is new, rerun the stages, log what changed.

Everything a cycle needs to resume is in the store (feeds, per-URL validators, what was
fetched), so a restart picks up where the last cycle ended; a feed whose host fails is
recorded and skipped, never stopping the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyline import pipeline
from storyline.fetch.client import FetchRequest
from storyline.fetch.feeds import FeedEntry
from storyline.fetch.listings import is_new, poll_listings, worth_retrying
from storyline.fetch.pages import FetchTally, fetch_articles
from storyline.models import IngestSummary, Rejected
from storyline.store import feeds as feed_store
from storyline.watch.changes import diff, snapshot

if TYPE_CHECKING:
    from storyline.api import Workspace
    from storyline.fetch.client import Fetcher
    from storyline.store.feeds import Change


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
    # (listing URL, entries left out): listings over [fetch] max_entries_per_feed
    capped: tuple[tuple[str, int], ...] = ()
    # the ``capped`` whose count differs from the one last said (the change log's note):
    # a feed kept over the cap is said once, not in every cycle's log
    capped_news: tuple[tuple[str, int], ...] = ()

    def lines(self) -> list[str]:
        """Return the change log as lines a person reads."""
        head = (
            f"{self.cycle}: {self.feeds} feeds polled, {self.not_modified} unchanged, "
            f"{len(self.failed_feeds)} failed, {self.new_items} new items, "
            f"{self.summary.stored} articles stored"
        )
        if self.capped:
            left = sum(n for _, n in self.capped)
            head += f", {left} older {'entry' if left == 1 else 'entries'} left out"
        body = [f"  {c.kind}: {c.text}" for c in self.changes]
        body += [
            f"  rejected by a stage: {r.locator} [{r.code}] {r.reason}" for r in self.stage_rejected
        ]
        body += [
            f"  left out: {n} older {'entry' if n == 1 else 'entries'} of {url} "
            "(over [fetch] max_entries_per_feed)"
            for url, n in self.capped_news
        ]
        return [head, *body] if body else [head, "  no changes"]


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
    polled = poll_listings(store, fetcher, feeds)
    # items that failed on the network before are tried again even when their feed is 304
    retry = [
        FeedEntry(url, feed=feed)
        for url, feed, error in feed_store.failed_items(store, [f.url for f in feeds])
        if worth_retrying(error)
    ]
    unique = list({e.url: e for e in [*retry, *polled.entries]}.values())
    known = feed_store.fetch_states(store, (e.url for e in unique))
    fresh = [e for e in unique if is_new(known.get(e.url))]
    tally = FetchTally()
    summary = pipeline.ingest_items(
        store,
        fetch_articles(fetcher, [FetchRequest(e.url, context=e) for e in fresh], tally),
        settings=workspace.settings,
    )
    # item states first, feed validators last: a crash in between re-reads the feed
    feed_store.save_fetch_states(store, tally.states)
    # a skipped entry already on record is updated, not reported again: else a feed keeping
    # one bad entry makes every cycle (and `watch --once` from cron) end as rejected
    # (a listing's own row, its break or flaw, is new when what it says changes: a break after
    # "not a feed" is said, one at another byte is not)
    skipped_keys = {_said(r) for r in polled.skipped}
    recorded = feed_store.rejected_kinds(store, (r.locator for r in polled.skipped)) & skipped_keys
    with_rejected = pipeline.ingest_items(
        store, [*polled.failed, *polled.skipped], settings=workspace.settings
    )
    newly_rejected = tuple(r for r in with_rejected.rejected if _said(r) not in recorded)
    feed_store.clear_rejected(store, polled.recovered)
    feed_store.save_fetch_states(store, polled.states)
    feed_store.mark_polled(store, polled.marks)
    stages: tuple[tuple[str, str], ...] = ()
    stage_rejected: tuple[Rejected, ...] = ()
    if run_stages and summary.stored:
        run = workspace.run()
        stages, stage_rejected = tuple(run.stages), run.rejected
    found = diff(before, snapshot(store))
    said = feed_store.last_left_out(store, polled.read)
    capped_news = tuple((url, n) for url, n in polled.capped if said.get(url) != n)
    # a listing back under the cap is noted with 0: when it goes over again, that is news
    # even at the count last said (2, 0, 2 is said twice)
    over = {url for url, _ in polled.capped}
    back_under = [url for url in polled.read if url not in over and said.get(url, 0) > 0]
    notes = [
        *(feed_store.left_out_note(url, n) for url, n in capped_news),
        *(feed_store.left_out_note(url, 0) for url in back_under),
    ]
    feed_store.record_changes(store, cycle, [*found, *notes])
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
            rejected=summary.rejected + newly_rejected + stage_rejected,
        ),
        stages=stages,
        stage_rejected=stage_rejected,
        changes=tuple(found),
        failed_feeds=tuple(polled.failed),
        capped=tuple(polled.capped),
        capped_news=capped_news,
    )


def _said(row: Rejected) -> tuple[str, str, str]:
    """Return what a Rejected row says, for telling a row on record from a new one."""
    return row.locator, row.code, feed_store.reason_kind(row.reason)
