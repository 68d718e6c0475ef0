"""Polling the watched listings: feeds and sitemaps fetched conditionally, then parsed.

Also which of their items are worth fetching: new ones, or ones that failed in a way that may
pass if tried again.

``watch.cycle`` calls it once per cycle; the scheduling and the change log live in ``watch/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from storyline import errors
from storyline.errors import InputError
from storyline.fetch.client import Fetched, FetchRequest
from storyline.fetch.feeds import FeedEntry, ParsedFeed, parse_feed
from storyline.fetch.jsonfeed import looks_like_json_feed, parse_json_feed
from storyline.fetch.sitemaps import looks_like_sitemap, parse_sitemap
from storyline.models import Rejected
from storyline.store import feeds as feed_store
from storyline.store.feeds import FetchState

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.fetch.client import Fetcher
    from storyline.store import Store
    from storyline.store.feeds import FeedRow

_HTTP_STATUS_RE = re.compile(r"HTTP (\d{3})")
_MAX_CHILD_SITEMAPS = 50  # children of one sitemap index read per cycle
_MAX_SITEMAP_DEPTH = 3  # indexes of indexes: how many levels below a watched feed are read


def parse_listing(fetched: Fetched, kind: str) -> ParsedFeed:
    """Parse a fetched feed (RSS, Atom, JSON Feed) or sitemap, by its kind, then its first bytes.

    Raises:
        InputError: S115 when it is neither.
    """
    if kind == "sitemap" or looks_like_sitemap(fetched.body):
        return parse_sitemap(fetched.body, fetched.url)
    if looks_like_json_feed(fetched.body):
        return parse_json_feed(fetched.body, fetched.url)
    return parse_feed(fetched.body, fetched.url)


def worth_retrying(error: str | None) -> bool:
    """Return True for a failure that may pass: network, timeout, 5xx, 408, 429 (not a 404)."""
    if not (error or "").startswith(errors.FETCH_FAILED):
        return False
    http = _HTTP_STATUS_RE.search(error or "")
    return http is None or http.group(1).startswith("5") or http.group(1) in {"408", "429"}


def is_new(state: FetchState | None) -> bool:
    """Return True for an item never fetched, or whose last fetch may pass if tried again."""
    if state is None:
        return True
    return not state.ok and worth_retrying(state.error)


@dataclass(slots=True)
class Polled:
    """What one cycle's poll of the listings found: entries, fetch states and feed marks."""

    entries: list[FeedEntry] = field(default_factory=list)
    states: list[FetchState] = field(default_factory=list)
    marks: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    failed: list[Rejected] = field(default_factory=list)
    skipped: list[Rejected] = field(default_factory=list)  # entries naming no page to fetch
    recovered: list[str] = field(default_factory=list)
    not_modified: int = 0
    # (listing URL, entries left out) of each listing over ``max_entries_per_feed``
    capped: list[tuple[str, int]] = field(default_factory=list)
    # every listing read this cycle (not a 304, not a failure): one not in ``capped`` is under
    # the cap now, which the change log notes when it was over it before
    read: list[str] = field(default_factory=list)


def newest_entries(
    entries: Sequence[FeedEntry], limit: int, *, oldest_first: bool = False
) -> tuple[tuple[FeedEntry, ...], int]:
    """Return the ``limit`` newest entries, in listing order, and how many were left out.

    Newest by the listing's date (published, else updated; compared as text, so a month-only
    "2026-05" ranks before the days of May: a bound, not an exact order); undated entries come
    after dated ones, and entries of one date (or none) by their place in the listing: first
    for a feed (newest first), last for a sitemap (``oldest_first``).
    """
    if len(entries) <= limit:
        return tuple(entries), 0
    sign = 1 if oldest_first else -1  # reverse=True: a later place first in a sitemap
    ranked = sorted(
        range(len(entries)),
        key=lambda i: (entries[i].published or entries[i].updated or "", sign * i),
        reverse=True,
    )
    return tuple(entries[i] for i in sorted(ranked[:limit])), len(entries) - limit


def poll_listings(store: Store, fetcher: Fetcher, feeds: Sequence[FeedRow]) -> Polled:
    """Fetch every feed (conditionally) and, level by level, sitemap indexes' children."""
    out = Polled()
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
            _take(request, result, out, children, fetcher.settings.max_entries_per_feed)
        # an index that lists itself or an ancestor is read once
        level = [c for c in children if c.url not in seen]
        seen.update(c.url for c in level)
        if not level:
            break
    return out


def _take(
    request: FetchRequest,
    result: Fetched | InputError,
    out: Polled,
    children: list[FetchRequest],
    max_entries: int,
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
    kept, cut = newest_entries(parsed.entries, max_entries, oldest_first=parsed.oldest_first)
    out.entries.extend(kept)
    # entries naming no page are Rejected rows: capped too, or a hostile listing of 50,000 such
    # items writes 50,000 rows each cycle (the rest are counted with the entries left out)
    out.skipped.extend(parsed.skipped[:max_entries])
    cut += max(0, len(parsed.skipped) - max_entries)
    out.read.append(request.url)
    if cut:
        out.capped.append((request.url, cut))
    own = parsed.cut or parsed.flawed
    if own is None:
        out.states.append(state)
        out.recovered.append(request.url)
    else:
        # the break or flaw is the feed's own row, said once while it lasts (not cleared as
        # recovered); a break keeps no validators, or a 304 would hide the items after it
        out.skipped.append(own)
        out.states.append(replace(state, etag=None, last_modified=None) if parsed.cut else state)
    if is_feed_row:
        out.marks.append((request.url, "ok", None, parsed.title))
    children.extend(
        FetchRequest(url, context=request.url) for url in parsed.children[:_MAX_CHILD_SITEMAPS]
    )
    if len(parsed.children) > _MAX_CHILD_SITEMAPS:
        # the rest were left out without a word, and in every later cycle as well
        left_out = parsed.children[_MAX_CHILD_SITEMAPS:]
        why = (
            f"the index lists {len(parsed.children)} sitemaps; the first {_MAX_CHILD_SITEMAPS} "
            f"are read, {len(left_out)} are not (from {left_out[0]}); watch those directly"
        )
        out.skipped.append(Rejected(f"{request.url} sitemaps left out", errors.TOO_LARGE, why))
