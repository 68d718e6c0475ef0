"""RSS and Atom feeds (feedparser), and finding a site's feeds from its home page."""

from __future__ import annotations

import hashlib
import json
import pyexpat
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import feedparser

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.published import Published, RefusedDateError, date_order, read_published
from storyline.models import Rejected

if TYPE_CHECKING:
    from storyline.ingest.published import DateOrders

_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\(([^()]+)\)$")
# an item of RSS 2.0 or RSS 1.0, an entry of Atom (any prefix)
_ENTRY_NAMES = frozenset({"item", "entry"})
# After an XML error in a feed's middle (an unescaped "&", raw HTML) the parser stops; from
# there on, end tags are found by pattern, as feedparser's lenient reading goes on past it.
_ROOT_END_RE = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|rdf)\s*>", re.IGNORECASE)
_ENTRY_END_RE = re.compile(
    rb"</(?:[\w.-]+:)?(?:item|entry)\s*>|<(?:[\w.-]+:)?(?:item|entry)\b[^<>]*/>", re.IGNORECASE
)
_ENTRY_START_RE = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>]", re.IGNORECASE)

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml"}
)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item a feed or sitemap lists: the article URL and what the listing says of it."""

    url: str
    feed: str  # the feed or sitemap URL it was listed in
    title: str | None = None
    # ISO date, month or year the listing gives as the publication date (``read_published``)
    published: str | None = None
    updated: str | None = None  # ISO date of the last change only (Atom updated, lastmod)
    author: str | None = None
    outlet: str | None = None  # the feed's title or the sitemap's publication name
    published_note: str | None = None  # why the listing's date kept less than it seemed to give


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What one feed document holds."""

    title: str | None
    entries: tuple[FeedEntry, ...]
    children: tuple[str, ...] = ()  # sitemaps listed by a sitemap index
    # entries with no link, or one that is not http(s): a Rejected row each, never dropped unseen
    skipped: tuple[Rejected, ...] = ()
    # the order entries without a date are listed in: feeds newest first; sitemaps (WordPress
    # core, most CMS plug-ins) oldest first, so an undated sitemap's newest are its last
    oldest_first: bool = False
    # S115 when the document breaks off (a dropped connection): the entries complete before
    # the break are read, the break is said once as the feed's own row, nothing after it kept
    cut: Rejected | None = None
    # the feed's own row when its copy is whole but is not read to its end (an error in the
    # middle of it, or over the size limit): the entries before that point are read. Unlike
    # a ``cut`` its validators are kept: the server's copy itself is so, and a 304 says so.
    flawed: Rejected | None = None


def skipped_entry(listing: str, content: bytes, name: str | None, error: InputError) -> Rejected:
    """Return the Rejected row of a listing's entry that names no page to fetch.

    The locator names the entry by ``name`` (its title, id or loc) when it has one, else by
    a short hash of its ``content``; never by its place in the listing, which moves when new
    items come in. A stable locator lets reading the listing again update the same row, and
    lets a watch cycle tell an entry it already reported from a new one.
    """
    if name:
        entry = f"entry {name[:200]!r}"
    else:
        entry = f"entry #{hashlib.sha256(content).hexdigest()[:12]}"
    return Rejected(f"{listing} {entry}", error.code, error.reason)


def http_link(listing: str, link: str) -> str:
    """Return ``link`` made absolute against the listing's URL.

    Raises:
        InputError: S103 when there is no link; S113 when it is malformed or not http(s).
    """
    if not link:
        raise InputError(errors.MISSING_FIELD, listing, "entry has no link")
    try:
        absolute = urljoin(listing, link)
        scheme = urlsplit(absolute).scheme
    except ValueError as exc:  # "http://[::1" (an unclosed IPv6 address) raised in a cycle
        raise InputError(errors.FETCH_REFUSED, listing, f"malformed link {link[:200]!r}") from exc
    if scheme not in {"http", "https"}:
        raise InputError(errors.FETCH_REFUSED, listing, f"link {link[:200]!r} is not http(s)")
    return absolute


def listed_date(
    raw: object,
    parsed: object = None,
    order: DateOrders | None = None,
    language: str | None = None,
) -> Published:
    """Return what a listing's date string states (``read_published``: the writer's local day).

    feedparser's own reading (``parsed``) is kept only for a string ``read_published`` cannot
    read (feedparser knows a few national formats): it is UTC, so "Tue, 10 Mar 2015 23:30
    -0500" was 11 March, and it makes "2015" 1 January.
    """
    text = str(raw or "").strip()
    if not text:
        return Published(None)
    try:
        return read_published(text, order, language)
    except RefusedDateError:  # feedparser takes "+25:00" too
        return Published(None)
    except (ValueError, OverflowError):
        if isinstance(parsed, time.struct_time):
            return Published(time.strftime("%Y-%m-%d", parsed))
        return Published(None)


def _author(item: Any) -> str | None:  # noqa: ANN401 - a feedparser entry
    """Return an entry's author name ("News Desk", not "desk@site (News Desk)")."""
    raw = str(item.get("author") or "").strip()
    # RSS <author> is "email (Name)"; read the name here, feedparser's split is unreliable
    named = _EMAIL_NAME_RE.match(raw)
    if named:
        return named.group(1).strip()
    detail = item.get("author_detail") or {}
    return str(detail.get("name") or raw).strip() or None


def looks_like_feed(body: bytes) -> bool:
    """Return True when a document's first bytes look like RSS, Atom or RDF."""
    head = body[:2048].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    """Parse an RSS or Atom document; keep every entry with a usable http(s) link.

    An entry without one is a Rejected row in ``skipped`` (it was dropped without a word).

    feedparser reads past many errors (``bozo``); a document is rejected only when it yields
    no feed at all. A document that breaks off (no end after its last complete item) is read
    up to that item, so the partial one after it (a link cut short) is not taken for a page;
    the break is ``cut``, an S115 row of the feed.

    Raises:
        InputError: S115 when the document is not a feed, or breaks off before its first item.
    """
    kept, in_item = _complete_part(body)
    if kept == 0:
        where = "in its first item" if in_item else "before its first item"
        raise InputError(errors.MALFORMED_FEED, url, f"not a feed (it breaks off {where})")
    parsed = feedparser.parse(body[:kept], response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom document"
        raise InputError(errors.MALFORMED_FEED, url, f"not a feed ({reason})")
    feed = parsed.get("feed", {})
    outlet = str(feed.get("title") or "").strip() or None
    language = str(feed.get("language") or "")  # RSS <language>, Atom xml:lang
    order = date_order(language)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    skipped: list[Rejected] = []
    for item in parsed.entries:
        title = str(item.get("title") or "").strip() or None
        raw_link = str(item.get("link") or item.get("id") or "").strip()
        try:
            link = http_link(url, raw_link)
        except InputError as exc:
            content = json.dumps(item, sort_keys=True, default=str).encode()
            skipped.append(skipped_entry(url, content, title or raw_link or None, exc))
            continue
        if link in seen:  # the same page listed twice: fetched once, nothing is lost
            continue
        seen.add(link)
        published = listed_date(
            item.get("published"), item.get("published_parsed"), order, language
        )
        entries.append(
            FeedEntry(
                url=link,
                feed=url,
                title=title,
                published=published.value,
                updated=listed_date(
                    item.get("updated"), item.get("updated_parsed"), order, language
                ).value,
                author=_author(item),
                outlet=outlet,
                published_note=published.note,
            )
        )
    cut = None
    if kept is not None:
        cut = broke_off(url, len(parsed.entries), f"no end after byte {kept} of {len(body)}")
    return ParsedFeed(title=outlet, entries=tuple(entries), skipped=tuple(skipped), cut=cut)


def broke_off(listing: str, read: int, where: str) -> Rejected:
    """Return the S115 row of a listing that breaks off after ``read`` complete entries."""
    reason = f"the document breaks off ({where}); the {read} items complete before it are read"
    return Rejected(listing, errors.MALFORMED_FEED, reason)


class _RootEnded(Exception):  # noqa: N818 - a signal, not an error: the document is whole
    """Raised by the parser's handler when the root element ends: nothing after it is read."""


def _complete_part(body: bytes) -> tuple[int | None, bool]:
    """Return where a feed that breaks off ends its last complete item, and if one began after.

    The offset is None when the document does not break off: its root element ends (what
    follows it, a NUL or a server's comment, is not the document's), or an error in its
    middle stops the XML parser (feedparser reads past many such, as it sees fit). It is 0
    when the input ends before any item is complete. The parser knows markup from text: an
    ``</item>`` inside CDATA or a comment is no item's end. A document whose first bytes show
    no feed tags (UTF-16, or no feed at all) is read whole, as feedparser sees fit.
    """
    if not looks_like_feed(body):
        return None, False
    parser = pyexpat.ParserCreate()
    # an HTML entity (&nbsp;) the feed never declares is no error
    parser.UseForeignDTD(True)  # noqa: FBT003 - pyexpat's own flag
    depth = 0
    last_end = 0  # the byte after the last complete item's end tag
    in_item = False  # an item began after it

    def start(name: str, _attributes: object) -> None:
        nonlocal depth, in_item
        depth += 1
        in_item = in_item or name.rsplit(":", 1)[-1].lower() in _ENTRY_NAMES

    def end(name: str) -> None:
        nonlocal depth, last_end, in_item
        depth -= 1
        if name.rsplit(":", 1)[-1].lower() in _ENTRY_NAMES:
            # at the "<" of "</item>" (or of "<item/>"): its end is the next ">"
            last_end = body.index(b">", parser.CurrentByteIndex) + 1
            in_item = False
        if depth == 0:
            raise _RootEnded

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(body, False)  # noqa: FBT003 - pyexpat's own flag: more input may follow
    except _RootEnded:
        return None, False
    except pyexpat.ExpatError:  # an error in the middle: the rest is read by its end tags
        return _scan_rest(body, parser.ErrorByteIndex, last_end, in_item)
    try:
        parser.Parse(b"", True)  # noqa: FBT003 - the end of the input
    except _RootEnded:
        return None, False
    except pyexpat.ExpatError:  # the input ended inside the document: it breaks off
        return last_end, in_item
    return None, False


def _scan_rest(body: bytes, at: int, last_end: int, in_item: bool) -> tuple[int | None, bool]:
    """Return ``_complete_part``'s answer for the bytes after an XML error at byte ``at``.

    The document is whole when its root's end tag follows; else it breaks off after the last
    item end found (or the parser's last one), and an item began after it when a start tag
    follows that end (or the parser was inside one).
    """
    at = max(at, last_end)
    if _ROOT_END_RE.search(body, at):
        return None, False
    for found in _ENTRY_END_RE.finditer(body, at):
        last_end, in_item = found.end(), False
    if _ENTRY_START_RE.search(body, last_end):
        in_item = True
    return last_end, in_item


class _LinkFinder(HTMLParser):
    """Collects <link rel="alternate" type="...feed..."> hrefs from a page's markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"link", "a"}:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";", 1)[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.found.append(values["href"].strip())


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Return the feed URLs a page announces with ``<link rel="alternate">``, in page order."""
    finder = _LinkFinder()
    finder.feed(html)
    finder.close()
    urls: list[str] = []
    for href in finder.found:
        url = urljoin(base_url, href)
        if urlsplit(url).scheme in {"http", "https"} and url not in urls:
            urls.append(url)
    return urls
