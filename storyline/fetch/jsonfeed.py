"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1): the feed ``application/feed+json``.

Discovery lists JSON feeds beside RSS and Atom, so they are read as a feed format of their
own: the same ``FeedEntry`` per item, the same Rejected rows for items naming no page, and
the same S115 for a document that is not a feed.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

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
from storyline.ingest.jsonl import has_lone_surrogate
from storyline.ingest.published import date_order
from storyline.models import Rejected

# 1 and 1.1 share the item shape ("version/10" or a 2 would not)
VERSIONS = frozenset({"https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1"})
_BOM = b"\xef\xbb\xbf"
# a UTF-16 surrogate written as a JSON escape, or as UTF-8 bytes (ED A0..BF)
_SURROGATE_RE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SPACE_RE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# what is left of a number cut after its sign, point or exponent mark ("-", "1.", "1e+")
_NUMBER_END_RE = re.compile(r"-|[.eE]|[eE][+-]")


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


def _content(item: object) -> bytes:
    """Return an item's canonical bytes, which name a skipped item that has no title or id."""
    # serialised only for a skipped item: every item's took a third of a 50,000-item feed's time
    return json.dumps(item, sort_keys=True, default=str).encode()


def _load(body: bytes, url: str) -> tuple[dict[str, Any], Rejected | None, Rejected | None]:
    """Return the document's top-level object, and the S115 row of a break or a flaw in it.

    A document that breaks off (the input ends inside it: a dropped connection) keeps the
    items complete before the break (``_read_until_break``), and the break is the second
    value; an error in the middle of it keeps the items before the error, and the error is
    the third (said in the decoder's words). Bytes after a whole top-level object (a NUL, a
    cache's comment) are not read and are no error, as after an XML document's root.

    Raises:
        InputError: S115 when it is not JSON, not an object, or not a JSON Feed 1.x.
    """
    body = body.removeprefix(_BOM)
    cut = flawed = None
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8; nesting past the stack
        bad = f"not a feed (bad JSON: {exc})"
        whole = _whole_object(body)
        if whole is not None:
            doc = whole
        else:
            doc, where, at_end = _read_until_break(body)
            if not isinstance(doc.get("items"), list) or not doc["items"]:
                raise InputError(errors.MALFORMED_FEED, url, bad) from None
            read = len(doc["items"])
            if at_end:
                cut = broke_off(url, read, where)
            else:
                reason = f"bad JSON ({where}); the {read} items before it are read"
                flawed = Rejected(url, errors.MALFORMED_FEED, reason)
    if not isinstance(doc, dict):
        raise InputError(errors.MALFORMED_FEED, url, "not a feed (JSON, but not an object)")
    if _may_hold_lone_surrogate(body) and has_lone_surrogate(doc):
        # a title or author the store could not write would end the cycle
        raise InputError(
            errors.MALFORMED_FEED, url, "not a feed (a string holds a lone UTF-16 surrogate)"
        )
    version = doc.get("version")
    if not isinstance(version, str) or version.rstrip("/") not in VERSIONS:
        raise InputError(errors.MALFORMED_FEED, url, "not a feed (no JSON Feed 1.x version)")
    if not isinstance(doc.get("items"), list):
        raise InputError(errors.MALFORMED_FEED, url, "not a feed (JSON Feed without items)")
    return doc, cut, flawed


def _whole_object(body: bytes) -> dict[str, Any] | None:
    """Return the top-level object when it is whole and only other bytes follow it, else None."""
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
        doc, _ = _DECODER.raw_decode(text, _skip(text, 0))
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, dict) else None


def _may_hold_lone_surrogate(body: bytes) -> bool:
    """Return False when no string of the parsed document can hold a lone surrogate.

    One scan of the bytes instead of serialising the document: in UTF-8 a surrogate comes only
    from a JSON escape or from its own three bytes (``json.loads`` decodes with surrogatepass).
    """
    if json.detect_encoding(body) != "utf-8":  # UTF-16 or UTF-32: ask the document itself
        return True
    return _SURROGATE_RE.search(body) is not None


def _read_until_break(body: bytes) -> tuple[dict[str, Any], str, bool]:
    """Return the top-level members and complete items before the first break, and where it is.

    Members are read one by one, and the ``items`` array item by item, with the decoder
    ``json.loads`` uses: what is returned is what ``json.loads`` would have read of them.
    The last value is True when the input ends inside the document (it breaks off), False
    for an error in the middle of it (the decoder's own words are then where it is).
    """
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except UnicodeDecodeError as exc:  # what came before the bad bytes is whole
        text = body[: exc.start].decode(exc.encoding, "surrogatepass")
        if exc.end < len(body) or exc.reason != "unexpected end of data":
            return _read_members(text)[0], f"bad {exc.encoding} at byte {exc.start}", False
    doc, error = _read_members(text)
    if error is None:
        return doc, f"bad JSON at char {len(text)} of {len(text)}", True
    where = f"{error.msg}: char {error.pos} of {len(text)}"
    return doc, where, _ends_inside(text, error)


def _read_members(text: str) -> tuple[dict[str, Any], json.JSONDecodeError | None]:
    """Return the top-level members read before the first error, and that error.

    None: the text ended where the object would go on (no error was met before its end).
    """
    doc: dict[str, Any] = {}
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return doc, json.JSONDecodeError("no object", text, at)
    at = _skip(text, at + 1)
    try:
        while not (text.startswith("}", at) and not doc):  # "{}" has no members
            key, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if not isinstance(key, str) or not text.startswith(":", at):
                return doc, json.JSONDecodeError("expected a key and ':'", text, at)
            at = _skip(text, at + 1)
            if key == "items" and text.startswith("[", at):
                doc[key] = []
                at = _read_items(text, _skip(text, at + 1), doc[key])
            else:
                doc[key], at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if not text.startswith(",", at):
                break
            at = _skip(text, at + 1)
    except json.JSONDecodeError as exc:
        return doc, exc
    except (ValueError, RecursionError):  # nesting past the stack
        return doc, json.JSONDecodeError("nested too deep", text, at)
    return doc, None if at >= len(text) else json.JSONDecodeError("expected ','", text, at)


def _ends_inside(text: str, error: json.JSONDecodeError) -> bool:
    """Return True when ``error`` is the text ending inside a value, not a wrong character.

    At the end of the text; in a string that never closes; in a unicode escape, a literal
    ("tr") or a number ("1.", "-") cut short.
    """
    rest = text[error.pos :].rstrip(" \t\n\r")
    if not rest or error.msg.startswith("Unterminated string"):
        return True
    if error.msg.startswith("Invalid \\uXXXX"):  # at the "u": fewer than four digits left
        digits = rest[1:]
        return len(digits) < 4 and all(c in "0123456789abcdefABCDEF" for c in digits)
    if any(word.startswith(rest) for word in ("true", "false", "null")):
        return True
    return _NUMBER_END_RE.fullmatch(rest) is not None


def _read_items(text: str, at: int, items: list[Any]) -> int:
    """Append the items of the array at ``at`` to ``items``; return the index after it.

    Raises:
        ValueError: at the first item that is not whole (the items before it are appended).
    """
    while not text.startswith("]", at):
        item, at = _DECODER.raw_decode(text, at)
        items.append(item)
        at = _skip(text, at)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
        elif not text.startswith("]", at):
            raise json.JSONDecodeError("expected ',' or ']'", text, at)
    return at + 1


def _skip(text: str, at: int) -> int:
    """Return the index of the first character at or after ``at`` that is not JSON whitespace."""
    return _SPACE_RE.match(text, at).end()  # type: ignore[union-attr]


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """Parse a JSON Feed; keep every item with a usable http(s) ``url`` (else its ``id``).

    An item without one, or one that is not an object, is a Rejected row in ``skipped``.

    Raises:
        InputError: S115 when the document is not a JSON Feed 1.0 or 1.1.
    """
    doc, cut, flawed = _load(body, url)
    outlet = _text(doc.get("title"))
    # 1.1's feed language states a numeric date's order, as an RSS <language> does
    language = _text(doc.get("language"))
    order = date_order(language)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    skipped: list[Rejected] = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            error = InputError(errors.MISSING_FIELD, url, "item is not a JSON object")
            skipped.append(skipped_entry(url, _content(item), None, error))
            continue
        title, page, key = _text(item.get("title")), _text(item.get("url")), _text(item.get("id"))
        try:
            link = http_link(url, page or _permalink(key))
        except InputError as exc:
            skipped.append(skipped_entry(url, _content(item), title or page or key, exc))
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
    return ParsedFeed(
        title=outlet, entries=tuple(entries), skipped=tuple(skipped), cut=cut, flawed=flawed
    )
