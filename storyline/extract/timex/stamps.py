"""Page time stamps: the dates a page gives itself, not the dates of what it reports.

Copied or extracted pages keep lines such as "Page last updated at 08:14 GMT, Tuesday, 8 November
2011" or a reader comment's "At 4:16 pm on 18 Jan 2010, Jo wrote:". Counted as reports they
would make every publication day an event; they are, however, the best evidence of when the
page was written. ``page_stamps`` finds their spans; the events stage skips the dates inside
them and the dates stage reads the publication date from the first one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storyline.models import TimeExpr

__all__ = ["after_stamp", "is_stamp", "page_stamps"]

# Page stamps date the page, not what it reports. Examples: Page last updated at 08:14 GMT,
# Tuesday, 8 November 2011 / Published: Monday, 18 January, 2010 / posted on Thursday, 28 May
# 2009 / 8 November 2011 Last updated at 06:28 / updated 9:34 p.m. EST, Mon January 31, 2011 /
# a dateline's Tue Feb 1, 2011 6:03pm EST / a reader comment's 8th November 2011 - 17:42.
# Each is found from the words before it (``_STAMP_RE``) or after its date (``_STAMP_AFTER_RE``).
_ZONE = r"(?-i:(?:[A-Z]{1,4}T|GMT|UTC|BST|UK)\b)"  # EST, IST, HKT, CEST, ...
_STAMP_PART = (
    r"(?:[,:|]|-{1,2}|at|on|\d\d?[:.]?\d\d|\d{1,4}(?:st|nd|rd|th)?|[a-z]+day|jan\w*|feb\w*"
    rf"|mar\w*|apr\w*|may|june?|july?|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|{_ZONE}"
    r"|[ap]\.?m\.?|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?"
    r"|\(\d\d?[:.]?\d\d\s*[a-z]{2,4}\))"
)
_STAMP_RE = re.compile(
    r"\b(?P<key>(?:page\s+)?last\s+updated|published\s*:|updated\s*:|updated(?=\s+\d\d?[:.]?\d\d\b)"
    r"|posted\s+(?:on|by\s+[\w-]+))"
    rf"(?:\s*{_STAMP_PART}(?![\w:]))+",
    re.IGNORECASE,
)
_STAMP_AFTER_RE = re.compile(
    r"[\s,]*(?:(?:page\s+)?last\s+updated\b|-{1,2}\s*(?:\d\d?:\d\d|updated\s+\d\d?[:.]?\d\d"
    r"(?:\s*[a-z]{2,4}\b)?(?:\s*\(\d\d?[:.]?\d\d\s*[a-z]{2,4}\))?)"
    # a clock with its zone straight after the date, no "at": "1 February 2011 17.52 GMT"
    rf"|[;|]?\s*\d\d?[:.]?\d\d\s*(?:[ap]\.?m\.?)?\s*{_ZONE}"
    r"|[\w.'-]+(?:\s+[\w.'-]+){0,3}\s+wrote\s*:)",  # a reader's comment: "18 Jan 2010, Jo wrote:"
    re.IGNORECASE,
)
_COMMENT_RE = re.compile(  # "At 4:16 pm on 18 Jan 2010, Jo wrote:"
    r"\bat\s+\d\d?[:.]\d\d\s*[ap]\.?m\.?\s+on\s+[^,.]{4,30},\s*[\w.'-]+(?:\s+[\w.'-]+){0,3}"
    r"\s+wrote\s*:",
    re.IGNORECASE,
)
# A blog's byline stamp puts the clock first: "Fergus Walsh | 10:25 UK time, Monday, 15 June 2009";
# "at 17:00 GMT 15 June" is a report's time and "as of 17:00 GMT 15 June" a figure's cut-off.
_CLOCK_BEFORE_RE = re.compile(
    rf"(?<![Aa]t\s)(?<!\bof\s)\b\d\d?[:.]\d\d\s*(?:UK\s+time|[AP]\.?M\.?|{_ZONE})\s*,?\s*"
    r"(?:[A-Z][a-z]+day\s*,?\s*)?$"
)
# A wire dateline before the report: "MEXICO CITY (Reuters) -", "CAIRO, Egypt (CNN) --".
_DATELINE_RE = re.compile(
    r"[A-Z][A-Z.'-]+(?:[\s,/]+[A-Z][A-Za-z.'-]+){0,3}\s*"
    r"\(\s*(?:Reuters|AP|AFP|CNN|Bloomberg|UPI|dpa)\s*\)\s*(?:-{1,2}|–|—|_)\s*"
)
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def page_stamps(text: str, timexes: Sequence[TimeExpr] = ()) -> list[tuple[int, int]]:
    """Return the spans of the page's own time stamps ("Last updated at 06:28 GMT, 8 May 2011").

    A "posted on/by" stamp must name a year, so "He posted on Tuesday" stays a report. A date
    of ``timexes`` followed by a stamp's tail ("17.52 GMT", "Last updated") or after a byline's
    clock ("| 10:25 UK time, Monday, 15 June 2009") is one too.
    """
    spans = [
        (m.start(), m.end())
        for m in _STAMP_RE.finditer(text)
        if not m.group("key").lower().startswith("posted") or _YEAR_RE.search(m.group())
    ]
    spans += [(m.start(), m.end()) for m in _COMMENT_RE.finditer(text)]
    for tx in timexes:
        if m := _STAMP_AFTER_RE.match(text, tx.end, tx.end + 40):
            spans.append((tx.start, m.end()))
        if m := _CLOCK_BEFORE_RE.search(text, max(0, tx.start - 40), tx.start):
            spans.append((m.start(), tx.end))
    return sorted(spans)


def is_stamp(tx: TimeExpr, stamps: Sequence[tuple[int, int]]) -> bool:
    """Return True when the expression lies inside one of the ``stamps`` spans."""
    return any(s <= tx.start < e for s, e in stamps)


def after_stamp(text: str, start: int, end: int, stamps: Sequence[tuple[int, int]]) -> int:
    """Return where the sentence's report begins: after a page stamp or wire dateline."""
    stamped = False
    for s, e in stamps:
        if s <= start + 40 and start < e < end:
            start, stamped = e, True
    while start < end and (text[start].isspace() or text[start] in ",|"):
        start += 1
    if stamped and text.startswith("Help ", start):  # a news site's menu word after its stamp
        start += len("Help ")
    if m := _DATELINE_RE.match(text, start, end):
        start = m.end()
    return start
