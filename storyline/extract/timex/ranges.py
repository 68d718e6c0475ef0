"""Date ranges: "from 22 to 25 October", "between Monday and Wednesday", "Oct. 31-Nov. 2, 2015".

A range writes its shared parts once, at the end: the first day of "22-23 October" has no month
and the start of "from September 27 through November 7, 2011" has no year of its own.
``complete_ranges`` gives such starts what the end says; ``range_pairs`` tells which two dates of
a text bound one happening, so that an event can span them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from storyline.models import TimeExpr
from storyline.text.calendar import MONTH_PATTERN, WEEKDAY_PATTERN

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["complete_ranges", "range_pairs"]

_HAS_MONTH = re.compile(rf"\b{MONTH_PATTERN}", re.IGNORECASE)
_HAS_YEAR = re.compile(r"\b\d{4}\b|['’]\d\d\b")
_DAY_VALUE = re.compile(r"^\d{4}-\d\d-\d\d")
_ANY_YEAR_DAY = re.compile(r"^(?:\d{4}|XXXX)-\d\d-\d\d$")
_MONTH_VALUE = re.compile(r"^\d{4}-\d\d$")
_DASH = "-‐‒–—−"  # hyphen, Unicode hyphen, figure dash, en and em dash, minus
_CONNECTOR = rf"(?:\s*[{_DASH}]\s*|\s+(?:to|until|till|through|thru|and)\s+)"
_JOINED = re.compile(rf"^{_CONNECTOR}$", re.IGNORECASE)
_DASHED = re.compile(rf"^\s*[{_DASH}]\s*$")
# "from" before the start makes "to/until/through" a span; "between" does the same for "and".
_OPENS = re.compile(r"\b(?P<word>from|between)\s+$", re.IGNORECASE)
# "postponed from 3 to 5 October" moves one happening; it does not last three days. The verb
# is a few words before "from" ("was moved back from").
_MOVED = re.compile(
    # past and -ing forms only: "change", "move" and "delay" are nouns too ("climate change")
    r"\b(?:postpon(?:ed|ing)|delay(?:ed|ing)|mov(?:ed|ing)|push(?:ed|ing)|brought|bringing"
    r"|reschedul(?:ed|ing)|chang(?:ed|ing)|shift(?:ed|ing)|extend(?:ed|ing)|advanced|put)"
    r"(?:\s+[\w'’]+){0,3}\s+(?:from|between)\s+$",
    re.IGNORECASE,
)
_LOOK_BACK = 120  # characters before a span searched for such a verb
_WEEKDAY = WEEKDAY_PATTERN
# A bare day before a "25 October": "22 to 25 October", "22-23 October", "22 and 23 October",
# also with its weekday: "Monday 7 to Friday 11 September".
_DAY_BEFORE = re.compile(
    rf"(?<![\w.,:/-])(?:{_WEEKDAY},?\s+)?(\d{{1,2}})((?:st|nd|rd|th)?){_CONNECTOR}$", re.IGNORECASE
)
_STARTS_WITH_DAY = re.compile(rf"(?:{_WEEKDAY},?\s+)?\d", re.IGNORECASE)
_ENDS_WITH_DAY = re.compile(r"\d(?:st|nd|rd|th)?$", re.IGNORECASE)
_ONLY_WEEKDAY = re.compile(rf"(?:on\s+)?{_WEEKDAY}", re.IGNORECASE)
# A bare day after an "April 24": "April 24 and 25", "October 22-23", "Oct. 22 to 25, 2015".
# "October 22-23, 2014, in Sochi"; not the count in "October 22 to 25, 2000 people marched".
_YEAR_AFTER = re.compile(
    r"^\s*,?\s*((?:19|20)\d\d)\b(?=\s*(?:[,.;:)]|$)|\s+(?:in|at|on|when|and|to|for)\b)"
)
_DAY_AFTER = re.compile(
    rf"^{_CONNECTOR}(\d{{1,2}})((?:st|nd|rd|th)?)"
    r"(?=\s*(?:[,.;:)]|$)|\s+(?:in|at|on|when|the|for)\b)",
    re.IGNORECASE,
)


def complete_ranges(text: str, timexes: Sequence[TimeExpr]) -> list[TimeExpr]:
    """Return ``timexes`` with each range's start completed from its end, in text order.

    A bare day joined to a dated day ("22" in "22-23 October") becomes a DATE of that month; a
    start without a year ("September 27" before "through November 7, 2011") takes the end's
    year, or the year before when the start would then fall after the end ("December 28 to
    January 3, 2011").
    """
    ordered = sorted(timexes, key=lambda t: t.start)
    ordered = _add_bare_days(text, ordered)
    for i in range(len(ordered) - 1):
        first, last = ordered[i], ordered[i + 1]
        if not _joined(text, first, last):
            continue
        if _HAS_YEAR.search(first.text) or not _HAS_YEAR.search(last.text):
            continue
        if not (_DAY_VALUE.match(first.value) or _MONTH_VALUE.match(first.value)):
            continue
        if not last.value[:4].isdigit() or not _HAS_MONTH.search(first.text):
            continue
        year = int(last.value[:4])
        value = f"{year:04d}{first.value[4:]}"
        if value[:10] > last.value[: len(value[:10])]:
            value = f"{year - 1:04d}{first.value[4:]}"
        if _real(value):  # not "February 29" in a year without one
            ordered[i] = replace(first, value=value)
    return ordered


def _real(value: str) -> bool:
    """Return whether a YYYY-MM-DD (or YYYY-MM) value names a day (month) of the calendar.

    An unknown year ("XXXX-02-29") is checked against a leap year.
    """
    value = value.replace("XXXX", "2000", 1)
    try:
        dt.date.fromisoformat(value[:10] if len(value) >= 10 else f"{value[:7]}-01")
    except ValueError:
        return False
    return True


def range_pairs(text: str, timexes: Sequence[TimeExpr]) -> list[tuple[TimeExpr, TimeExpr]]:
    """Return the (start, end) pairs of dates that bound one span of time.

    A dash joins two dates ("22-23 October"); "from A to/until/through B" and "between A and B"
    do too, unless a verb before them moves a happening ("postponed from 3 to 5 October").
    Both must be dates of the same precision, the end after the start.
    """
    ordered = sorted((t for t in timexes if t.type == "DATE"), key=lambda t: t.start)
    pairs: list[tuple[TimeExpr, TimeExpr]] = []
    for first, last in itertools.pairwise(ordered):
        if not _joined(text, first, last) or not _same_precision(first.value, last.value):
            continue
        if not first.value < last.value:
            continue
        gap = text[first.end : last.start]
        if not _DASHED.match(gap):
            opener = _OPENS.search(text[max(0, first.start - 12) : first.start])
            word = gap.strip().casefold()
            if opener is None or (opener.group("word").casefold() == "between") != (word == "and"):
                continue
            if _MOVED.search(text, max(0, first.start - _LOOK_BACK), first.start):
                continue
        pairs.append((first, last))
    return pairs


def _joined(text: str, first: TimeExpr, last: TimeExpr) -> bool:
    return first.end <= last.start and bool(_JOINED.match(text[first.end : last.start]))


def _same_precision(a: str, b: str) -> bool:
    day = bool(_DAY_VALUE.match(a)) and bool(_DAY_VALUE.match(b))
    month = bool(_MONTH_VALUE.match(a)) and bool(_MONTH_VALUE.match(b))
    return day or month or (a.isdigit() and b.isdigit() and len(a) == len(b) == 4)


def _add_bare_days(text: str, ordered: list[TimeExpr]) -> list[TimeExpr]:
    """Return ``ordered`` with the bare days of "22-23 October" and "April 24 and 25" added.

    "October 22-23, 2014": a year after the bare day is both days' year.
    """
    taken = {(t.start, t.end) for t in ordered}
    starts = [t.start for t in ordered]
    out: list[TimeExpr] = []
    for tx in ordered:
        out.append(tx)
        # "XXXX-10-25" too: with no publication date the month is still known
        if tx.type != "DATE" or not _ANY_YEAR_DAY.match(tx.value):
            continue
        day, stated = int(tx.value[8:]), tx.text.strip()
        before = _DAY_BEFORE.search(text[max(0, tx.start - 28) : tx.start])
        after = _DAY_AFTER.match(text[tx.end : tx.end + 16])
        if _STARTS_WITH_DAY.match(stated) and before and 1 <= int(before.group(1)) < day:
            start = tx.start - len(before.group(0))
            end = start + before.end(2) - before.start(0)  # "22nd" with its ending
            out.append(_bare(text, tx, start, end, int(before.group(1))))
        elif _ENDS_WITH_DAY.search(stated) and after and day < int(after.group(1)) <= 31:
            start = tx.end + after.start(1)
            end = tx.end + after.end(2)
            year = _YEAR_AFTER.match(text[end : end + 24])
            dated = f"{year.group(1)}{tx.value[4:]}" if year else ""
            if dated and not _HAS_YEAR.search(stated) and _real(dated):
                out[-1] = replace(tx, value=dated)
            out.append(_bare(text, out[-1], start, end, int(after.group(1))))
    added = [t for t in out if (t.start, t.end) not in taken and t.value]
    # An added day may swallow the bare weekday it is written with ("Monday 7"), nothing else.
    added = [
        t
        for t in added
        if all(_ONLY_WEEKDAY.fullmatch(o.text.strip()) for o in _overlapping(ordered, starts, t))
    ]
    dropped = {(o.start, o.end) for t in added for o in _overlapping(ordered, starts, t)}
    kept = [t for t in out if (t.start, t.end) in taken and (t.start, t.end) not in dropped]
    return sorted([*kept, *added], key=lambda t: t.start)


def _overlapping(ordered: Sequence[TimeExpr], starts: list[int], span: TimeExpr) -> list[TimeExpr]:
    """Return the expressions of ``ordered`` (by start; ``starts`` theirs) that overlap ``span``."""
    # Expressions do not overlap one another, so only the ones just before and inside count.
    i = max(bisect.bisect_left(starts, span.start) - 1, 0)
    found = []
    while i < len(ordered) and ordered[i].start < span.end:
        if span.start < ordered[i].end:
            found.append(ordered[i])
        i += 1
    return found


def _bare(text: str, dated: TimeExpr, start: int, end: int, day: int) -> TimeExpr:
    """Return the bare ``day`` at ``start:end`` as a DATE in ``dated``'s month (empty if none)."""
    value = f"{dated.value[:8]}{day:02d}"
    if not _real(value):
        value = ""
    return TimeExpr(
        article_id=dated.article_id,
        start=start,
        end=end,
        text=text[start:end],
        type="DATE",
        value=value,
        anchor=dated.anchor,
    )
