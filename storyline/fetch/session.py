"""The fetch entry points the API and CLI call: fetch URL lists, subscribe to feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline import pipeline
from storyline.errors import InputError, UsageError
from storyline.fetch.archive import Archive, default_archive_dir
from storyline.fetch.client import Fetcher, FetchRequest
from storyline.fetch.feeds import discover_feeds, looks_like_feed, parse_feed
from storyline.fetch.jsonfeed import looks_like_json_feed, parse_json_feed
from storyline.fetch.pages import FetchTally, fetch_articles, is_html
from storyline.fetch.sitemaps import looks_like_sitemap, parse_sitemap
from storyline.ingest.decode import decode_bytes
from storyline.models import IngestSummary
from storyline.store import feeds as feed_store

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from storyline.config import Settings
    from storyline.store import Store


def open_fetcher(settings: Settings, db: str) -> Fetcher:
    """Return a fetcher whose responses are archived where the settings (or the db) say."""
    folder = default_archive_dir(db, settings.fetch.archive_dir)
    return Fetcher(settings.fetch, archive=Archive(folder))


def fetch_urls(
    store: Store,
    fetcher: Fetcher,
    urls: Iterable[str],
    *,
    settings: Settings,
    published: str | None = None,
) -> IngestSummary:
    """Fetch pages, read them as articles and store them; failures become Rejected rows.

    A URL fetched before is asked for conditionally (ETag / Last-Modified); a 304 counts as
    unchanged. Fetch states are written after the articles, so a crash only means a refetch.
    """
    wanted = list(dict.fromkeys(urls))
    known = feed_store.fetch_states(store, wanted)
    requests = [
        FetchRequest(
            url,
            etag=known[url].etag if url in known else None,
            last_modified=known[url].last_modified if url in known else None,
        )
        for url in wanted
    ]
    tally = FetchTally()
    summary = pipeline.ingest_items(
        store, fetch_articles(fetcher, requests, tally), settings=settings, published=published
    )
    feed_store.save_fetch_states(store, tally.states)
    return IngestSummary(
        read=summary.read,
        stored=summary.stored,
        unchanged=summary.unchanged + tally.not_modified,
        rejected=summary.rejected,
    )


def find_feeds(fetcher: Fetcher, url: str) -> list[tuple[str, str, str | None]]:
    """Return (url, kind, title) of the feeds at ``url``: itself, or those its page announces.

    Raises:
        UsageError: the URL cannot be fetched, or is neither a feed nor a page that has one.
    """
    try:
        fetched = fetcher.fetch(url)
    except InputError as exc:
        raise UsageError(str(exc)) from exc
    try:
        if looks_like_sitemap(fetched.body):
            return [(url, "sitemap", parse_sitemap(fetched.body, url).title)]
        if looks_like_feed(fetched.body):
            return [(url, "feed", parse_feed(fetched.body, url).title)]
        if looks_like_json_feed(fetched.body):
            return [(url, "feed", parse_json_feed(fetched.body, url).title)]
        found = (
            discover_feeds(decode_bytes(fetched.body, url), fetched.final_url)
            if is_html(fetched)
            else []
        )
    except InputError as exc:
        raise UsageError(str(exc)) from exc
    if found:
        return [(feed, "feed", None) for feed in found]
    raise UsageError(f"no RSS/Atom feed, JSON Feed or sitemap found at {url}")


def subscribe(store: Store, fetcher: Fetcher, url: str) -> list[tuple[str, str, bool]]:
    """Watch the feeds found at ``url``; return (feed url, kind, newly added) for each."""
    added = []
    for feed, kind, title in find_feeds(fetcher, url):
        site = url if feed != url else None
        added.append(
            (feed, kind, feed_store.add_feed(store, feed, kind=kind, title=title, site=site))
        )
    return added


def unsubscribe(store: Store, urls: Sequence[str]) -> list[tuple[str, bool]]:
    """Stop watching feeds; return (url, was watched) for each."""
    return [(url, feed_store.remove_feed(store, url)) for url in urls]
