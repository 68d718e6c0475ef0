"""HTML reader: trafilatura for the body and metadata, htmldate when no date is found."""

from __future__ import annotations

import hashlib
import logging

import trafilatura
from htmldate import find_date

from storyline import errors
from storyline.errors import InputError
from storyline.extract.stamps import page_date_period
from storyline.ingest.decode import decode_bytes
from storyline.models import RawArticle, content_hash

# trafilatura logs every page it finds hard; our Rejected rows say it once, with a code.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

# Fewer words than this is a menu or an error page, not an article.
_MIN_WORDS = 5


def extract_body(html: str, url: str | None = None) -> tuple[str, dict[str, str | None]]:
    """Return the main text of a page (one paragraph a line) and its metadata."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return "", {}
    fields = doc if isinstance(doc, dict) else doc.as_dict()
    meta = {
        key: (str(fields[key]) if fields.get(key) else None)
        for key in ("title", "date", "sitename", "url", "author", "language")
    }
    return str(fields.get("text") or ""), meta


def read_html(data: bytes, locator: str, *, url: str | None = None) -> RawArticle:
    """Read one HTML page into a RawArticle.

    Raises:
        InputError: S101/S104/S105 from decoding, S108 when no article text is found.
    """
    html = decode_bytes(data, locator)
    body, meta = extract_body(html, url)
    if len(body.split()) < _MIN_WORDS:
        raise InputError(errors.NO_ARTICLE_TEXT, locator, "no article text found in the HTML")
    published = meta.get("date")
    if not published:
        published = find_date(html, original_date=True, outputformat="%Y-%m-%d")
    if published:  # a copyright year is a year, not 1 January
        published = page_date_period(html, published)
    title = meta.get("title") or ""
    # trafilatura repeats the headline as the first line of the text: drop that copy.
    lines = body.split("\n")
    if title and lines and lines[0].strip() == title.strip():
        body = "\n".join(lines[1:]).strip("\n")
    return RawArticle(
        id=content_hash(title, body),
        title=title,
        text=body,
        locator=locator,
        format="html",
        source=meta.get("sitename"),
        url=url or meta.get("url"),
        published=published or None,
        published_source="metadata" if published else "unknown",
        language=meta.get("language"),
        raw_sha256=hashlib.sha256(data).hexdigest(),
        meta=_page_meta(html, meta),
    )


def _page_meta(html: str, meta: dict[str, str | None]) -> dict[str, object]:
    """Return what the page says about itself that RawArticle has no field for."""
    extra: dict[str, object] = {}
    if meta.get("author"):
        extra["author"] = meta["author"]
    if "</html>" not in html[-2000:].lower():
        extra["html_truncated"] = True  # kept: the article may be cut short
    return extra
