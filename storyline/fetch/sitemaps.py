"""Sitemaps and news sitemaps: the article URLs a site lists, with news: metadata."""

from __future__ import annotations

import zlib
from xml.etree.ElementTree import Element, ParseError, XMLPullParser, tostring

from storyline import errors
from storyline.errors import InputError
from storyline.fetch.feeds import (
    FeedEntry,
    ParsedFeed,
    broke_off,
    http_link,
    listed_date,
    skipped_entry,
)
from storyline.models import Rejected

_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_UNZIPPED = 50_000_000  # the sitemap protocol's own limit on an uncompressed file


def looks_like_sitemap(body: bytes) -> bool:
    """Return True when a document's first bytes look like a sitemap or sitemap index."""
    head = _gunzip(body)[:4096].lower() if body.startswith(_GZIP_MAGIC) else body[:4096].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def _gunzip(body: bytes) -> bytes:
    return _gunzip_capped(body)[0]


def _gunzip_capped(body: bytes) -> tuple[bytes, bool]:
    """Return a gzipped body unzipped (up to the protocol's limit), and whether it went over."""
    unzip = zlib.decompressobj(wbits=47)
    try:
        return unzip.decompress(body, _MAX_UNZIPPED), bool(unzip.unconsumed_tail)
    except zlib.error:
        return body, False


def _text(element: Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(body: bytes, url: str) -> ParsedFeed:
    """Parse a sitemap, news sitemap or sitemap index (gzipped or not).

    Parsing is incremental, so a sitemap that breaks off (the input ends inside it: a dropped
    connection) still gives the entries complete before the break (a ``<url>`` cut inside is
    not read), and the break is ``cut``: S115. An error in the middle of the document (an
    unescaped ``&``) or a gzipped sitemap over the size limit gives the entries before it,
    and the error is ``flawed`` (S115 with the parser's own words; S106). Anything after a
    complete root element (a NUL, a cache's HTML comment) is not read and is no error.
    The ``news:`` namespace supplies each article's title, publication date and outlet.

    Raises:
        InputError: S115 when the document is not a sitemap or yields nothing before an error.
    """
    over = False
    if body.startswith(_GZIP_MAGIC):
        body, over = _gunzip_capped(body)
    entries: list[FeedEntry] = []
    children: list[str] = []
    skipped: list[Rejected] = []  # <url> and <sitemap> elements naming no page to fetch
    root_seen: str | None = None
    read = 0  # complete <url> and <sitemap> elements
    elements, error, at_end = _elements(body)
    for element in elements:
        name = _local(str(element.tag))
        if name in {"urlset", "sitemapindex"}:
            root_seen = name
        elif name in {"url", "sitemap"}:
            read += 1
            loc = _text(element, f"{_SM}loc") or _text(element, "loc")
            try:
                link = http_link(url, loc or "")
            except InputError as exc:
                skipped.append(skipped_entry(url, tostring(element), loc, exc))
                continue
            if name == "url":
                entries.append(_entry(element, url, link))
            else:
                children.append(link)
    if not entries and not children and (error or root_seen is None):
        raise InputError(errors.MALFORMED_FEED, url, f"not a sitemap ({error or 'no urlset'})")
    outlet = next((e.outlet for e in entries if e.outlet), None)
    cut = flawed = None
    if over and error:
        why = f"it unzips to over {_MAX_UNZIPPED:,} bytes, the sitemap protocol's limit"
        flawed = Rejected(url, errors.TOO_LARGE, f"{why}; the {read} items before it are read")
    elif error and at_end:
        cut = broke_off(url, read, error)
    elif error:
        reason = f"not well-formed ({error}); the {read} items before it are read"
        flawed = Rejected(url, errors.MALFORMED_FEED, reason)
    return ParsedFeed(
        title=outlet,
        entries=tuple(entries),
        children=tuple(children),
        skipped=tuple(skipped),
        oldest_first=True,
        cut=cut,
        flawed=flawed,
    )


def _elements(body: bytes) -> tuple[list[Element], str | None, bool]:
    """Return the elements parsed before the first error (if any), that error, and where it is.

    The last value is True for an error at the end of the input (it ends inside an element:
    the document breaks off), False for one in the middle of it. An error after the root
    element ended (junk after a whole document) is no error: None.
    """
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    parser.feed(body)  # an error in the middle of the input is queued among the events
    at_end: str | None = None
    try:
        parser.close()
    except ParseError as exc:  # the input ended inside the document
        at_end = str(exc)
    found: list[Element] = []
    depth = 0
    events = parser.read_events()
    while True:
        try:
            event = next(events)
        except StopIteration:
            break
        except ParseError as exc:  # queued by feed(): what came before it still counts
            return found, str(exc), False
        if event[0] == "start":
            depth += 1
            continue
        depth -= 1
        element = event[-1]
        if isinstance(element, Element):
            found.append(element)
        if depth == 0:  # the root ended: what follows it is not the document's
            return found, None, False
    return found, at_end, at_end is not None


def _entry(element: Element, sitemap_url: str, link: str) -> FeedEntry:
    news = element.find(f"{_NEWS}news")
    updated = _text(element, f"{_SM}lastmod") or _text(element, "lastmod")
    published = title = outlet = None
    if news is not None:
        published = _text(news, f"{_NEWS}publication_date")
        title = _text(news, f"{_NEWS}title")
        outlet = _text(news, f"{_NEWS}publication/{_NEWS}name")
    # a W3C datetime may be a year or a month ("2015-03"): kept as such, not dropped
    stated = listed_date(published)
    return FeedEntry(
        url=link,
        feed=sitemap_url,
        title=title,
        published=stated.value,
        updated=listed_date(updated).value,
        outlet=outlet,
        published_note=stated.note,
    )
