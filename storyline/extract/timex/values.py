"""Calendar arithmetic and the tense heuristic behind TimeML values.

Every function takes the anchor (publication date) as ``date | None``; with None it returns a
value whose unknown parts are ``X`` ("XXXX-10-31", "XXXX-WXX-4"), never an invented date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from storyline.extract.timex.rules import UNIT_CODES, word_number
from storyline.models import TimexType

Tense = Literal["past", "future"]
Resolved = tuple[TimexType, str]

_WORD_RE = re.compile(r"[A-Za-z']+|[.;!?\n]")
_FUTURE = frozenset(
    {"will", "'ll", "shall", "scheduled", "expected", "expects", "expect", "plans", "planned",
     "plan", "due", "slated", "upcoming", "next", "won't", "wo", "going", "intends", "set",
     "planning", "soon", "ahead", "begins", "starting", "would", "tomorrow", "resumes", "reopens",
     "opens", "starts", "takes", "reopen", "resume"}
)  # fmt: skip
_PAST = frozenset(
    {"said", "was", "were", "had", "did", "ago", "last", "told", "reported", "announced",
     "earlier", "came", "went", "met", "took", "made", "gave", "rose", "fell", "began", "won",
     "lost", "left", "died", "killed", "held", "flew", "saw", "became", "sent", "got", "hit",
     "struck", "ended", "closed", "former", "previous", "wrote", "spoke", "found", "led",
     "brought", "shot", "sold", "bought", "paid", "quit", "ran", "set", "fled", "arrived", "since"}
)  # fmt: skip
_FUTURE_LEFT = re.compile(
    r"(?:\bas\s+(?:soon|early)\s+as|\b(?:set|is|are|due|scheduled|expected)\s+to\s+\w+"
    r"(?:\s+\w+){0,4}|\buntil)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r",\s*(?:who|which|whose|whom)\b[^,.;!?\n]*,", re.IGNORECASE)
_DETERMINERS = frozenset({"a", "an", "the", "his", "her", "its", "their", "our", "this", "that"})
DAY_BIAS = 200  # days a tense cue may outweigh: "the year ended March 31" is the last March
MONTH_BIAS = 6
_NOT_PAST_ED = frozenset({"expected", "scheduled", "planned", "slated", "proposed", "needed"})


def tense_near(text: str, start: int, end: int) -> Tense | None:
    """Guess the tense of the clause around ``text[start:end]`` from the nearest cue word."""
    if _FUTURE_LEFT.search(text[max(0, start - 60) : start]):
        return "future"
    # A relative clause between commas has its own tense: "On Tuesday his brothers, who will
    # be taking part, defended the decision" is past. It is heard only when nothing else speaks.
    before, after = text[max(0, start - 240) : start], text[end : end + 240]
    main = _nearest_cue(_RELATIVE.sub(",", before)[-90:], _RELATIVE.sub(",", after)[:60])
    return main or _nearest_cue(before[-90:], after[:60])


def tense_after(text: str, end: int) -> Tense | None:
    """Return the tense of the first cue after ``end`` in its sentence ("Monday's talks will")."""
    return _nearest_cue("", _RELATIVE.sub(",", text[end : end + 240])[:60])


def _nearest_cue(left_text: str, right_text: str) -> Tense | None:
    """Return the tense of the cue word nearest an expression, from the text either side."""
    left = _WORD_RE.findall(left_text)
    right = _WORD_RE.findall(right_text)
    # Stay inside the sentence: cut at the nearest sentence mark on each side.
    for i in range(len(left) - 1, -1, -1):
        if left[i] in {".", ";", "!", "?", "\n"}:
            left = left[i + 1 :]
            break
    for i, w in enumerate(right):
        if w in {".", ";", "!", "?", "\n"}:
            right = right[:i]
            break
    best: tuple[float, Tense] | None = None
    words = [(float(len(left) - i), w, left[i - 1] if i else "") for i, w in enumerate(left)]
    words += [(i + 1.5, w, right[i - 1] if i else "") for i, w in enumerate(right)]
    for dist, word, before in words:
        # "should be completed in October": a participle after a bare "be" is not past.
        participle = word.endswith("ed") or word.lower() in _PAST
        cue = "future" if before.lower() == "be" and participle else _cue(word)
        if before.lower() in _DETERMINERS and word.lower() in _FUTURE:
            cue = None  # "work out a plan on Tuesday": a noun, not a verb of intent
        if cue is not None and (best is None or dist < best[0]):
            best = (dist, cue)
    return best[1] if best else None


def _cue(word: str) -> Tense | None:
    low = word.lower()
    if (low in _FUTURE and low != "set") or low.endswith("'ll"):
        return "future"
    if low in _PAST:
        return "past"
    # "-ed" marks a past verb, but not in names ("United", "Ahmed").
    if low.endswith("ed") and len(low) > 4 and low not in _NOT_PAST_ED and word[0].islower():
        return "past"
    return None


def day(d: dt.date) -> str:
    """Return an ISO day value."""
    return d.isoformat()


def week(d: dt.date) -> str:
    """Return an ISO week value such as 2015-W43."""
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def month_value(year: int, month: int) -> str:
    """Return YYYY-MM."""
    return f"{year:04d}-{month:02d}"


def shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """Return (year, month) moved by ``delta`` months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def quarter_of(d: dt.date) -> tuple[int, int]:
    """Return (year, quarter 1-4) of a date."""
    return d.year, (d.month - 1) // 3 + 1


def shift_quarter(year: int, quarter: int, delta: int) -> tuple[int, int]:
    """Return (year, quarter) moved by ``delta`` quarters."""
    index = year * 4 + (quarter - 1) + delta
    return index // 4, index % 4 + 1


def weekday_date(
    anchor: dt.date, wd: int, how: Literal["past", "future", "last", "next"]
) -> dt.date:
    """Return the date of weekday ``wd`` (0=Monday) nearest ``anchor`` in the given direction."""
    if how in {"past", "last"}:
        back = (anchor.weekday() - wd) % 7
        return anchor - dt.timedelta(days=back or (7 if how == "last" else 0))
    ahead = (wd - anchor.weekday()) % 7
    return anchor + dt.timedelta(days=ahead or (7 if how == "next" else 0))


def year_for_month_day(anchor: dt.date, month: int, dom: int, tense: Tense | None) -> int | None:
    """Pick the year of a month-day without year: the occurrence nearest the anchor, tense aware."""
    best: tuple[int, int] | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            when = dt.date(year, month, dom)
        except ValueError:
            continue
        gap = (when - anchor).days
        # Past-tense clauses lean towards the past, future ones towards the future.
        cost = abs(gap) + (DAY_BIAS if tense == "past" and gap > 7 else 0)
        cost += DAY_BIAS if tense == "future" and gap < -7 else 0
        if best is None or cost < best[0]:
            best = (cost, year)
    return best[1] if best else None


def year_for_month(anchor: dt.date, month: int, how: str | None) -> int:
    """Pick the year of a bare month name ("in January", "last May", "next March")."""
    if how == "last":  # said in March, "last February" is a year back: else "last month"
        return anchor.year if month < anchor.month - 1 else anchor.year - 1
    if how in {"next", "coming"}:
        return anchor.year if month > anchor.month else anchor.year + 1
    best: tuple[int, int] = (99, anchor.year)
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        gap = (year - anchor.year) * 12 + month - anchor.month
        cost = abs(gap) + (MONTH_BIAS if how == "past" and gap > 0 else 0)
        cost += MONTH_BIAS if how == "future" and gap < 0 else 0
        best = min(best, (cost, year))
    return best[1]


def shift_value(value: str, years: int) -> str | None:
    """Move an absolute value (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, ...) by whole years."""
    m = re.match(r"(\d{4})(.*)", value)
    if m is None:
        return None
    rest = m.group(2)
    if rest.startswith("-02-29"):
        rest = "-02-28" + rest[6:]
    return f"{int(m.group(1)) + years:04d}{rest}"


def easter(year: int) -> dt.date:
    """Return Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return dt.date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)


def nth_weekday(year: int, month: int, wd: int, n: int) -> dt.date:
    """Return the n-th weekday ``wd`` of a month (n=-1: the last one)."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - wd) % 7)


def holiday_date(name: str, year: int) -> dt.date | None:
    """Return the date of a named holiday in a year, or None if unknown."""
    n = " ".join(name.lower().replace("’", "'").split())
    fixed = {
        "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
        "new year's": (1, 1), "new year's day": (1, 1), "new year's eve": (12, 31),
        "independence day": (7, 4), "halloween": (10, 31), "valentine's day": (2, 14),
        "veterans day": (11, 11),
    }  # fmt: skip
    if n in fixed:
        return dt.date(year, *fixed[n])
    if n.startswith("thanksgiving"):
        return nth_weekday(year, 11, 3, 4)
    if n == "memorial day":
        return nth_weekday(year, 5, 0, -1)
    if n == "labor day":
        return nth_weekday(year, 9, 0, 1)
    if n == "election day":  # US: the Tuesday after the first Monday of November
        return nth_weekday(year, 11, 0, 1) + dt.timedelta(days=1)
    if n.startswith("easter"):
        return easter(year)
    if n == "good friday":
        return easter(year) - dt.timedelta(days=2)
    return None


def duration_value(num: str, unit: str) -> str | None:
    """Return a TimeML duration ("P3W", "PT5H30M", "PXY") for an amount and a unit word."""
    unit = unit.lower().rstrip("s")
    unit = "century" if unit == "centurie" else unit
    n = word_number(num)
    code = UNIT_CODES[unit]
    timed = unit in {"second", "minute", "hour"}
    if n is None:
        amount = "X"
    elif n != int(n):
        if unit == "hour":
            return f"PT{int(n)}H{int((n % 1) * 60)}M" if n >= 1 else f"PT{int(n * 60)}M"
        if unit == "year":
            return f"P{int(n)}Y{round((n % 1) * 12)}M" if n >= 1 else f"P{round(n * 12)}M"
        if unit == "day":
            return f"PT{int(n * 24)}H"
        amount = f"{n:g}"
    else:
        amount = str(int(n))
    if code == "DE":
        return f"P{int(n) * 10}Y" if n is not None and n == int(n) else "PXDE"
    if code == "CE":
        return f"P{int(n) * 100}Y" if n is not None and n == int(n) else "PXCE"
    return f"P{'T' if timed else ''}{amount}{code}"


def granular_value(value: str, unit: str) -> tuple[Literal["DATE"], str] | None:
    """Cut an absolute reference value down to a unit ("that year" after "Aug. 7, 1998")."""
    if unit == "year":
        return "DATE", value[:4]
    if unit == "month" and re.match(r"\d{4}-\d\d", value):
        return "DATE", value[:7]
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)", value)
    if unit == "week" and m:
        return "DATE", week(dt.date(*map(int, m.groups())))
    if unit == "quarter" and "-Q" in value:
        return "DATE", value[:7]
    return None


@dataclass
class StoryState:
    """What the story has said so far: the anchor and the latest absolute date mentioned.

    Reading ``ref``, ``ref_day`` or ``ref_quarter`` records the reference in ``used``, so each
    expression can store the date it was actually resolved against.
    """

    anchor: dt.date | None
    last: str | None = None  # latest absolute DATE value, any granularity
    last_day: dt.date | None = None
    last_quarter: str | None = None
    used: str | None = field(default=None, compare=False)

    def remember(self, value: str) -> None:
        """Make an absolute value the story's reference date."""
        self.last = value
        if "-Q" in value:
            self.last_quarter = value
        with_day = re.match(r"(\d{4})-(\d\d)-(\d\d)", value)
        if with_day:
            self.last_day = dt.date(*map(int, with_day.groups()))

    @property
    def ref(self) -> str | None:
        """Return the latest absolute value and note that it was used."""
        self.used = self.last or self.used
        return self.last

    @property
    def ref_day(self) -> dt.date | None:
        """Return the latest day mentioned and note that it was used."""
        if self.last_day is not None:
            self.used = self.last_day.isoformat()
        return self.last_day

    @property
    def ref_quarter(self) -> str | None:
        """Return the latest quarter mentioned and note that it was used."""
        self.used = self.last_quarter or self.used
        return self.last_quarter
