"""Fetching: URLs, RSS/Atom feeds and sitemaps over HTTP(S), archived as WARC, and watch mode.

One module per noun: ``safety`` (schemes, SSRF), ``politeness`` (robots.txt, per-host delay),
``client`` (httpx, retries, limits, conditional requests), ``archive`` (WARC), ``feeds`` and
``sitemaps`` (listings), ``pages`` (responses to articles), ``session`` (entry points),
``watch`` (poll cycles and the change log).
"""

from __future__ import annotations

from storyline.fetch.archive import Archive, default_archive_dir
from storyline.fetch.client import Fetched, Fetcher, FetchRequest
from storyline.fetch.feeds import FeedEntry, ParsedFeed, discover_feeds, parse_feed
from storyline.fetch.pages import to_article
from storyline.fetch.safety import check_url
from storyline.fetch.session import (
    fetch_urls,
    find_feeds,
    is_url,
    open_fetcher,
    read_url_list,
    subscribe,
    unsubscribe,
)
from storyline.fetch.sitemaps import parse_sitemap
from storyline.fetch.watch import CycleReport, diff, parse_interval, poll, snapshot, watch

__all__ = [
    "Archive",
    "CycleReport",
    "FeedEntry",
    "FetchRequest",
    "Fetched",
    "Fetcher",
    "ParsedFeed",
    "check_url",
    "default_archive_dir",
    "diff",
    "discover_feeds",
    "fetch_urls",
    "find_feeds",
    "is_url",
    "open_fetcher",
    "parse_feed",
    "parse_interval",
    "parse_sitemap",
    "poll",
    "read_url_list",
    "snapshot",
    "subscribe",
    "to_article",
    "unsubscribe",
    "watch",
]
