"""Fetched responses become articles: the content-type check, then the HTML reader."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from storyline import errors
from storyline.errors import InputError
from storyline.fetch.feeds import FeedEntry
from storyline.ingest import sniff_format
from storyline.ingest.html import read_html
from storyline.ingest.published import PUBLISHED_NOTE
from storyline.models import RawArticle, Rejected, content_hash
from storyline.store.feeds import FetchState, now

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from storyline.fetch.client import Fetched, Fetcher, FetchRequest

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# servers that do not know what they send: the body decides
_UNSURE_TYPES = frozenset({"", "application/octet-stream", "text/plain"})


def is_html(fetched: Fetched) -> bool:
    """Return True when a response is an HTML page (by its type, or its bytes when unsure)."""
    kind = fetched.content_type
    if kind in HTML_TYPES:
        return True
    return kind in _UNSURE_TYPES and sniff_format(fetched.body[:4096]) == "html"


def outlet_of(url: str) -> str:
    """Return a URL's host without ``www.``: the outlet when nothing better is known."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def to_article(fetched: Fetched, entry: FeedEntry | None = None) -> RawArticle:
    """Read a fetched HTML page with the HTML reader; the feed entry fills missing fields.

    The locator is the URL asked for; ``meta`` keeps the WARC record, fetch time and feed.

    Raises:
        InputError: S114 when the response is not HTML; S101/S104/S105/S108 from the reader.
    """
    if not is_html(fetched):
        raise InputError(
            errors.NOT_AN_ARTICLE,
            fetched.url,
            f"content-type {fetched.content_type or '(none)'} is not an HTML page",
        )
    raw = read_html(fetched.body, fetched.url, url=fetched.final_url)
    meta = dict(raw.meta)
    meta["fetched_at"] = fetched.fetched_at
    if fetched.warc:
        meta["warc"] = fetched.warc
    title, published, source = raw.title, raw.published, raw.source
    published_source = raw.published_source
    if entry is not None:
        meta["feed"] = entry.feed
        if entry.author and "author" not in meta:
            meta["author"] = entry.author
        title = title or entry.title or ""
        if _listing_decides(published, entry.published):
            published, published_source = entry.published, "metadata"
            # the page's own note explains a date no longer kept; the listing's, if any, does
            meta.pop(PUBLISHED_NOTE, None)
            if entry.published_note:
                meta[PUBLISHED_NOTE] = entry.published_note
        elif not published and entry.updated:
            # kept as before (a news feed's only date), but it is the last change: said so
            published, published_source = entry.updated, "metadata"
            meta[PUBLISHED_NOTE] = "the listing's last-change date (updated / lastmod)"
        elif not published and entry.published_note:
            # neither states a date: the listing's string did not state its year
            meta[PUBLISHED_NOTE] = entry.published_note
        source = source or entry.outlet
    return dataclasses.replace(
        raw,
        id=content_hash(title, raw.text),
        title=title,
        published=published,
        published_source=published_source,
        source=source or outlet_of(fetched.final_url),
        meta=meta,
    )


def _listing_decides(page: str | None, listing: str | None) -> bool:
    """Return True when a listing's (feed, sitemap) date is stored instead of the page's own.

    When the page states none, or the listing states more (a day where the page gives only a
    year, often its copyright year). A listing's month or year never overrides the page's day
    (a sitemap's "2015-03" against a page's 2015-03-04), nor a day another day.
    """
    if not listing:
        return False
    return not page or len(listing) > len(page)


def _state(fetched: Fetched, *, ok: bool, error: str | None, feed: str | None) -> FetchState:
    return FetchState(
        url=fetched.url,
        fetched_at=fetched.fetched_at,
        ok=ok,
        final_url=fetched.final_url,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        status=fetched.status,
        error=error,
        warc=fetched.warc,
        feed=feed,
    )


@dataclasses.dataclass(slots=True)
class FetchTally:
    """What a fetch produced besides articles: states to store and 304 answers."""

    states: list[FetchState] = dataclasses.field(default_factory=list)
    not_modified: int = 0


def fetch_articles(
    fetcher: Fetcher, requests: Iterable[FetchRequest], tally: FetchTally
) -> Iterator[RawArticle | Rejected]:
    """Fetch pages concurrently and yield each as an article or a Rejected row, in order.

    A request's ``context`` may be the ``FeedEntry`` it came from. Each URL's fetch state is
    appended to ``tally.states`` for the caller to store once the articles are stored.
    """
    for request, result in fetcher.fetch_many(requests):
        entry = request.context if isinstance(request.context, FeedEntry) else None
        feed = entry.feed if entry is not None else None
        if isinstance(result, InputError):
            tally.states.append(
                FetchState(
                    url=request.url,
                    fetched_at=now(),
                    ok=False,
                    error=f"{result.code}: {result.reason}",
                    feed=feed,
                )
            )
            yield Rejected(request.url, result.code, result.reason)
            continue
        if result.not_modified:
            tally.not_modified += 1
            tally.states.append(_state(result, ok=True, error=None, feed=feed))
            continue
        try:
            article = to_article(result, entry)
        except InputError as exc:
            tally.states.append(
                _state(result, ok=False, error=f"{exc.code}: {exc.reason}", feed=feed)
            )
            yield Rejected(request.url, exc.code, exc.reason)
            continue
        tally.states.append(_state(result, ok=True, error=None, feed=feed))
        yield article
