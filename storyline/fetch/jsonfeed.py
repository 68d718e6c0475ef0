"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1): the feed ``application/feed+json``.

Discovery lists JSON feeds beside RSS and Atom, so they are read as a feed format of their
own: the same ``FeedEntry`` per item, the same Rejected rows for items naming no page, and
the same S115 for a document that is not a feed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from storyline import errors
from storyline.errors import InputError
from storyline.fetch.feeds import FeedEntry, ParsedFeed, http_link, listed_date, skipped_entry
from storyline.ingest.jsonl import has_lone_surrogate
from storyline.ingest.published import date_order

if TYPE_CHECKING:
    from storyline.models import Rejected
# 1 and 1.1 share the item shape ("version/10" or a 2 would not)
VERSIONS = frozenset({"https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1"})
_BOM = b"\xef\xbb\xbf"


def looks_like_json_feed(body: bytes) -> bool:
    """Return True when a document starts as a JSON object (a JSON Feed, if anything)."""
    return body[:2048].removeprefix(_BOM).lstrip().startswith(b"{")


def _text(value: Any) -> str | None:  # noqa: ANN401 - any JSON value
    """Return a JSON string stripped, or None for anything else (a number is no title)."""
    return (value.strip() or None) if isinstance(value, str) else None


def _permalink(key: str | None) -> str:
    """Return an item's ``id`` when it is an absolute http(s) URL (a permalink), else "".

    An id is only unique ("tessel-2026-0504"); read as a link relative to the feed it would
    name a page that does not exist.
    """
    try:
        return key if key and urlsplit(key).scheme in {"http", "https"} else ""
    except ValueError:  # "http://[::1" is no URL
        return ""


def _author(item: dict[str, Any]) -> str | None:
    """Return the first author's name: 1.1 ``authors`` (a list), 1.0 ``author`` (one)."""
    authors = item.get("authors")
    first = authors[0] if isinstance(authors, list) and authors else item.get("author")
    return _text(first.get("name")) if isinstance(first, dict) else None


def _load(body: bytes, url: str) -> dict[str, Any]:
    """Return the document's top-level object.

    Raises:
        InputError: S115 when it is not JSON, not an object, or not a JSON Feed 1.x.
    """
    try:
        doc = json.loads(body.removeprefix(_BOM))
    except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8; nesting past the stack
        raise InputError(errors.MALFORMED_FEED, url, f"not a feed (bad JSON: {exc})") from None
    if not isinstance(doc, dict):
        raise InputError(errors.MALFORMED_FEED, url, "not a feed (JSON, but not an object)")
    if has_lone_surrogate(doc):  # a title or author the store could not write would end the cycle
        raise InputError(
            errors.MALFORMED_FEED, url, "not a feed (a string holds a lone UTF-16 surrogate)"
        )
    version = doc.get("version")
    if not isinstance(version, str) or version.rstrip("/") not in VERSIONS:
        raise InputError(errors.MALFORMED_FEED, url, "not a feed (no JSON Feed 1.x version)")
    if not isinstance(doc.get("items"), list):
        raise InputError(errors.MALFORMED_FEED, url, "not a feed (JSON Feed without items)")
    return doc


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """Parse a JSON Feed; keep every item with a usable http(s) ``url`` (else its ``id``).

    An item without one, or one that is not an object, is a Rejected row in ``skipped``.

    Raises:
        InputError: S115 when the document is not a JSON Feed 1.0 or 1.1.
    """
    doc = _load(body, url)
    outlet = _text(doc.get("title"))
    # 1.1's feed language states a numeric date's order, as an RSS <language> does
    language = _text(doc.get("language"))
    order = date_order(language)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    skipped: list[Rejected] = []
    for item in doc["items"]:
        content = json.dumps(item, sort_keys=True, default=str).encode()
        if not isinstance(item, dict):
            error = InputError(errors.MISSING_FIELD, url, "item is not a JSON object")
            skipped.append(skipped_entry(url, content, None, error))
            continue
        title, page, key = _text(item.get("title")), _text(item.get("url")), _text(item.get("id"))
        try:
            link = http_link(url, page or _permalink(key))
        except InputError as exc:
            skipped.append(skipped_entry(url, content, title or page or key, exc))
            continue
        if link in seen:  # the same page listed twice: fetched once, nothing is lost
            continue
        seen.add(link)
        # RFC 3339 dates, read as every listing's are: the writer's own day, not UTC's
        published = listed_date(_text(item.get("date_published")), None, order, language)
        entries.append(
            FeedEntry(
                url=link,
                feed=url,
                title=title,
                published=published.value,
                updated=listed_date(_text(item.get("date_modified")), None, order, language).value,
                author=_author(item) or _author(doc),
                outlet=outlet,
                published_note=published.note,
            )
        )
    return ParsedFeed(title=outlet, entries=tuple(entries), skipped=tuple(skipped))
