"""Fetching: URLs, RSS/Atom/JSON feeds and sitemaps over HTTP(S), archived as WARC.

One module per noun: ``safety`` (schemes, SSRF), ``politeness`` (robots.txt, per-host delay),
``client`` (httpx, retries, limits, conditional requests), ``archive`` (WARC), ``feeds``,
``jsonfeed`` and ``sitemaps`` (listings), ``listings`` (polling them for new items),
``pages`` (responses to articles), ``session`` (entry points). Watch mode, which schedules
the polls, is ``storyline.watch``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.fetch.archive import Archive, default_archive_dir
    from storyline.fetch.client import Fetched, Fetcher, FetchRequest
    from storyline.fetch.feeds import FeedEntry, ParsedFeed, discover_feeds, parse_feed
    from storyline.fetch.jsonfeed import parse_json_feed
    from storyline.fetch.pages import to_article
    from storyline.fetch.safety import check_url
    from storyline.fetch.session import (
        fetch_urls,
        find_feeds,
        open_fetcher,
        subscribe,
        unsubscribe,
    )
    from storyline.fetch.sitemaps import parse_sitemap
    from storyline.fetch.urls import is_url, read_url_list

# Each name is loaded from its module on first use (PEP 562): the CLI imports this package to
# register its commands, and the session module pulls in every pipeline stage.
_HOME = {
    "Archive": "archive",
    "default_archive_dir": "archive",
    "Fetched": "client",
    "Fetcher": "client",
    "FetchRequest": "client",
    "FeedEntry": "feeds",
    "ParsedFeed": "feeds",
    "discover_feeds": "feeds",
    "parse_feed": "feeds",
    "parse_json_feed": "jsonfeed",
    "to_article": "pages",
    "check_url": "safety",
    "fetch_urls": "session",
    "find_feeds": "session",
    "is_url": "urls",
    "open_fetcher": "session",
    "read_url_list": "urls",
    "subscribe": "session",
    "unsubscribe": "session",
    "parse_sitemap": "sitemaps",
}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the module holds
    home = _HOME.get(name)
    if home is None:
        msg = f"module 'storyline.fetch' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"storyline.fetch.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Archive",
    "FeedEntry",
    "FetchRequest",
    "Fetched",
    "Fetcher",
    "ParsedFeed",
    "check_url",
    "default_archive_dir",
    "discover_feeds",
    "fetch_urls",
    "find_feeds",
    "is_url",
    "open_fetcher",
    "parse_feed",
    "parse_json_feed",
    "parse_sitemap",
    "read_url_list",
    "subscribe",
    "to_article",
    "unsubscribe",
]
