"""Which outlet published a page that does not say so in its metadata.

A page names its publisher in a handful of conventional places, tried from the most to the
least explicit: the HTML site name, the URL's host, a byline or sign-off ("By Jane Roe, Daily
Post", "Peter Weber, The Week US"), a publisher line in the page furniture (a copyright
notice, "X delivers independent coverage ... republishing this content", "Sign up for X's
newsletter"), or a wire dateline ("MOSCOW (Reuters) -"). A page that names none stays its own
unknown source (the claims count it as one supporter by itself, never as zero outlets).

The rules are patterns of how pages are written, not a list of outlets: nothing here was fitted
on the seeds (tests/test_outlets.py tests them on texts of our own writing, then on the seeds).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from storyline.models import RemovedLine

SourceFrom = Literal["site_name", "url", "byline", "publisher_line", "dateline"]

# A page's sign-off and furniture sit at its ends: lines looked at from each end of the raw text.
EDGE_LINES = 25
# A wire dateline opens the body: characters looked at from its start.
DATELINE_CHARS = 200

_NAME = r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}"  # a person: two to four capitalised words
_OUTLET = r"(?:The\s+)?[A-Z][\w.'’&-]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w.'’&-]*){0,5}"
_SIGN_OFF_RE = re.compile(
    rf"^(?:by\s+)?(?P<person>{_NAME})\s*(?:,|\||—|–|-)\s*(?P<outlet>{_OUTLET})$"
)
_BY_RE = re.compile(rf"^by\s+{_NAME}\s*(?:,|\||—|–|-|for)\s*(?P<outlet>{_OUTLET})$", re.IGNORECASE)
# Roles and desks a sign-off gives instead of an outlet ("Jane Roe, Staff Writer").
_ROLES = re.compile(
    r"\b(?:reporter|correspondent|editor|writer|staff|contributor|journalist|columnist|"
    r"producer|analyst|desk|bureau|chief|senior|associate|freelance)\b",
    re.IGNORECASE,
)
_OUTLET_WORD_RE = re.compile(
    r"\b(?:News|Times|Post|Journal|Herald|Guardian|Telegraph|Tribune|Press|Daily|Weekly|Mail|"
    r"Express|Gazette|Courier|Chronicle|Observer|Independent|Review|Magazine|Today|Radio|TV|"
    r"Television|Network|Media|Wire|Agency|Online)\b"
)
_COPYRIGHT_RE = re.compile(
    rf"(?:©|\(c\)|\b(?i:copyright)\b)\s*(?:\d{{4}}\s*)?(?P<outlet>{_OUTLET})"
)
_SELF_DESCRIBED_RE = re.compile(
    rf"^(?P<outlet>{_OUTLET})\s+(?:delivers|provides|publishes|offers|brings|produces|is an?\s+"
    r"(?:independent|leading|award))\b"
)
_SELF_DESCRIBED_CONTEXT = re.compile(
    r"republish|newsletter|subscri|coverage|journalism|reporting|analysis", re.IGNORECASE
)
_NEWSLETTER_RE = re.compile(
    rf"\b(?i:sign up (?:to|for)|subscribe to|newsletters? from)\s+(?P<outlet>{_OUTLET})"
    r"(?:['’]s)?\b"
)
_ORIGIN_RE = re.compile(
    rf"\b(?i:originally|first) (?:appeared|published|ran) (?:in|on|at|by) (?P<outlet>{_OUTLET})"
)
_DATELINE_RE = re.compile(
    r"^\s*(?:[A-Z][A-Z.' -]{1,40}(?:,\s*[A-Z][\w.' -]{1,30})?\s*)?"
    r"\((?P<wire>[A-Z][A-Za-z&. ]{1,25})\)\s*[-–—]"
)
_CALL_TO_ACTION_RE = re.compile(
    r"subscri|sign up|newsletter|copyright|©|republish|follow us|contact us|rights reserved",
    re.IGNORECASE,
)
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.", "edition.")


@dataclass(frozen=True, slots=True)
class Outlet:
    """An outlet found on a page, and which rule found it."""

    name: str
    source_from: SourceFrom


def outlet_from_url(url: str | None) -> str | None:
    """Return the host a page was published on, without "www." ("theweek.com").

    >>> outlet_from_url("https://www.example-news.co.uk/world/2015/10/22/story.html")
    'example-news.co.uk'
    >>> outlet_from_url("file:///home/me/a.txt") is None
    True
    """
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").casefold().rstrip(".")
    except ValueError:  # a row's url may be anything ("http://[::1/news"): no host, no outlet
        return None
    if "." not in host or host == "localhost":
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None  # an address names a machine, not a publisher
    for prefix in _HOST_PREFIXES:
        host = host.removeprefix(prefix)
    return host


def _clean_outlet(name: str) -> str | None:
    # "Reuters. All rights reserved", "The Week's Free Newsletters": the name ends there
    name = re.split(r"[.,;:!?]\s|['’]s\b", " ".join(name.split()))[0].strip(" .,;:-")
    if not name or _ROLES.search(name) or len(name) < 2:
        return None
    return name


def _sign_off(lines: Sequence[str], furniture: str) -> str | None:
    """Return the outlet of a byline or sign-off line.

    "By <name>, <outlet>" states an outlet outright. A bare "<name>, <words>" could end with a
    place ("Jane Roe, Moscow"), so its words count as an outlet only when they look like one
    (an outlet word, a leading "The") or the page's furniture names them again.
    """
    for line in lines:
        text = " ".join(line.split())
        if (found := _BY_RE.match(text)) and (name := _clean_outlet(found.group("outlet"))):
            return name
        found = _SIGN_OFF_RE.match(text)
        if not found or not (name := _clean_outlet(found.group("outlet"))):
            continue
        words = name.split()
        head = " ".join(words[:2]) if len(words) > 1 else name
        elsewhere = furniture.replace(text, " ")
        if _OUTLET_WORD_RE.search(name) or words[0] == "The" or head in elsewhere:
            return name
    return None


def _publisher_line(lines: Sequence[str]) -> str | None:
    """Return the publisher that a copyright, self-description or newsletter line names."""
    for pattern in (_COPYRIGHT_RE, _ORIGIN_RE):
        for line in lines:
            if (found := pattern.search(line)) and (name := _clean_outlet(found.group("outlet"))):
                return name
    for line in lines:
        found = _SELF_DESCRIBED_RE.match(line.strip())
        name = _clean_outlet(found.group("outlet")) if found else None
        if name and _SELF_DESCRIBED_CONTEXT.search(line):
            return name
    for line in lines:
        if (found := _NEWSLETTER_RE.search(line)) and (
            name := _clean_outlet(found.group("outlet"))
        ):
            return name
    return None


def _dateline(text: str) -> str | None:
    found = _DATELINE_RE.match(text[:DATELINE_CHARS])
    return _clean_outlet(found.group("wire")) if found else None


def find_outlet(
    *,
    text: str,
    url: str | None = None,
    meta: Mapping[str, object] | None = None,
    removed: Sequence[RemovedLine] = (),
) -> Outlet | None:
    """Return the outlet a page names, or None when it names none.

    Args:
        text: the page's raw body (boilerplate still in: sign-offs and publisher lines are
            boilerplate).
        url: the page's address.
        meta: the page's extra fields; ``site_name`` / ``sitename`` is the HTML site name.
        removed: the lines the cleaner removed, with their reasons (bylines are marked).

    >>> find_outlet(text="LONDON (Wirepress) - Talks resumed on Monday.").name
    'Wirepress'
    """
    meta = meta or {}
    for key in ("site_name", "sitename", "og:site_name"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return Outlet(value.strip(), "site_name")
    if host := outlet_from_url(url):
        return Outlet(host, "url")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    edges = lines[:EDGE_LINES] + lines[-EDGE_LINES:] if len(lines) > 2 * EDGE_LINES else lines
    bylines = [r.text for r in removed if r.reason == "byline"]
    # where a publisher names itself: removed boilerplate and calls to action, never the story
    furniture = "\n".join(
        [*(r.text for r in removed), *(e for e in edges if _CALL_TO_ACTION_RE.search(e))]
    )
    if name := _sign_off([*bylines, *edges], furniture):
        return Outlet(name, "byline")
    if name := _publisher_line([*(r.text for r in removed), *edges]):
        return Outlet(name, "publisher_line")
    if name := _dateline(text.lstrip()):
        return Outlet(name, "dateline")
    return None


def count_outlets(article_ids: Iterable[str], outlet_of: Mapping[str, str | None]) -> int:
    """Return how many independent outlets the articles come from.

    Outlets are compared case-insensitively; an article with no known outlet is its own unknown
    source (as the claims count it), never merged with another unknown page.
    """
    return len({(outlet_of.get(a) or "").strip().casefold() or f"\0{a}" for a in article_ids})
