"""Temporal expressions: find dates, times, durations and sets and give them TimeML values.

``find_timexes`` resolves relative expressions against the publication date (the anchor) and a
reference date carried through the story; ``infer_published`` guesses that date when metadata
has none. Rules live in ``rules``, values in ``handlers``, ``fiscal`` and ``values``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field, replace

from storyline.extract.timex import values as tv
from storyline.extract.timex.handlers import (
    SHIFT_KINDS,
    SHIFT_MODS,
    resolve_candidate,
    resolve_weekday,
)
from storyline.extract.timex.ranges import complete_ranges
from storyline.extract.timex.rules import find_candidates
from storyline.extract.timex.stamps import page_stamps
from storyline.extract.timex.values import StoryState
from storyline.models import PublishedPrecision, TimeExpr
from storyline.text.calendar import WEEKDAY_NUMBERS, month_number

__all__ = [
    "PublishedGuess",
    "find_timexes",
    "infer_publication",
    "infer_published",
    "resolve_weekday",
    "stamped_date",
]

STAMP_CONFIDENCE = 0.85  # "last updated" can be a day or two after publication
# Reported days stay below the stamps' band: the only kind of answer that may reach >= 0.8 is a
# page's own stamp (issue #21: a blog's latest reported day came a week after its post).
_REPORTED_CONFIDENCE = 0.75
# The latest reported day was the day of writing in 4 of 44 answers on T17, MEANTIME and
# TempEval-3 together (bench/published_t17.py; 28 of 59 stated days on issue #21's web pages,
# stamps included): low, whatever agrees with it.
_REPORTED_BASE = 0.3
_STAMP_HEAD_CHARS = 1500
_PAGE_STAMPS = 2  # published and last updated
_WROTE_RE = re.compile(r"\bwrote\s*:", re.IGNORECASE)
_FULL_DAY_RE = re.compile(r"\d{4}-\d\d-\d\d")


def find_timexes(
    text: str,
    *,
    anchor: dt.date | None,
    article_id: str = "",
    precision: PublishedPrecision = "day",
) -> list[TimeExpr]:
    """Return the temporal expressions in ``text``, their values resolved against ``anchor``.

    With ``precision`` "month" or "year", ``anchor`` is the first day of the month or year the
    article was published in and its day is unknown: an expression keeps a value only when
    every day of that period gives the same one ("last year", "in March"); the others ("on
    Tuesday", "yesterday") are left as they are without an anchor ("XXXX-WXX-2").
    """
    if anchor is None or precision == "day":
        return _find_timexes(text, anchor=anchor, article_id=article_id)
    first, last = _period(anchor, precision)
    at_last = {
        (t.start, t.end): t.value for t in _find_timexes(text, anchor=last, article_id=article_id)
    }
    unanchored = {
        (t.start, t.end): t for t in _find_timexes(text, anchor=None, article_id=article_id)
    }
    period = first.isoformat()[: _ISO_CHARS[precision]]
    out: list[TimeExpr] = []
    for tx in _find_timexes(text, anchor=first, article_id=article_id):
        span = (tx.start, tx.end)
        if at_last.get(span) == tx.value:
            out.append(replace(tx, anchor=period) if tx.anchor == first.isoformat() else tx)
        elif span in unanchored:
            out.append(unanchored[span])
    return out


def _period(anchor: dt.date, precision: PublishedPrecision) -> tuple[dt.date, dt.date]:
    """Return the first and last day of the month or year that ``anchor`` begins."""
    if precision == "year":
        return anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
    first = anchor.replace(day=1)
    following = (first + dt.timedelta(days=31)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _find_timexes(text: str, *, anchor: dt.date | None, article_id: str) -> list[TimeExpr]:
    state = StoryState(anchor=anchor)
    out: list[TimeExpr] = []
    anchor_iso = anchor.isoformat() if anchor else None
    for cand in find_candidates(text):
        state.used = None
        resolved = resolve_candidate(text, cand, state)
        if resolved is None:
            continue
        typ, value = resolved
        used = state.used or anchor_iso
        # Shifted values ("a year earlier") must not become the reference, or chains drift.
        shifted = cand.kind in SHIFT_KINDS or bool(SHIFT_MODS.search(cand.groups.get("qmod", "")))
        if typ in {"DATE", "TIME"} and value[:4].isdigit() and not shifted:
            state.remember(value)
        out.append(
            TimeExpr(
                article_id=article_id,
                start=cand.start,
                end=cand.end,
                text=text[cand.start : cand.end],
                type=typ,
                value=value,
                anchor=used,
            )
        )
    return _clock_days(text, complete_ranges(text, out))


_CLOCK_THEN_DAY = re.compile(r"^\s*,?\s*(?:on\s+)?$", re.IGNORECASE)
_NAMES_DAY = re.compile(r"day\b|tonight|tomorrow", re.IGNORECASE)


def _clock_days(text: str, timexes: list[TimeExpr]) -> list[TimeExpr]:
    """Return ``timexes`` with a clock time that a day follows set on that day.

    "at 16:15 UTC, June 1st" happened on June 1st, not on the day of publication.
    """
    out = list(timexes)
    for i, (clock, day) in enumerate(itertools.pairwise(out)):
        if clock.type != "TIME" or "T" not in clock.value or not _FULL_DAY_RE.match(day.value):
            continue
        if len(day.value) != 10 or not _CLOCK_THEN_DAY.match(text[clock.end : day.start]):
            continue
        if not _FULL_DAY_RE.match(clock.value) or _NAMES_DAY.search(clock.text):
            continue  # "Tuesday night, 10 March" already says its day
        out[i] = replace(clock, value=day.value + clock.value[10:])
    return out


_FULL_DATE_KINDS = {"iso", "mdy", "dmy"}
_OUTLIER_DAYS = 7
# A stated past date this far beyond all others is more likely a forecast or a typo than the
# day of writing; a story that looks back weeks (a fund approved three weeks after a flood) is
# common, so the gap is generous.
_FORECAST_GAP_DAYS = 60


@dataclass
class _Evidence:
    """Dates an article states that bear on when it was written."""

    full: list[dt.date] = field(default_factory=list)  # past or neutral dates with a year
    # month, day and weekday of a date written with its weekday but no year ("Tuesday, 10 March")
    weekday_dates: list[tuple[int, int, int]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # years named alone or with a month only
    weekdays: list[int] = field(default_factory=list)  # bare weekday names, past or neutral


def _gather(body: str) -> _Evidence:
    ev = _Evidence()
    for c in find_candidates(body):
        g = c.groups
        if tv.tense_near(body, c.start, c.end) == "future":
            continue  # "the summit on Nov. 30" says nothing about the day of writing
        try:
            if c.kind in _FULL_DATE_KINDS:
                month = int(g["month"]) if g["month"].isdigit() else month_number(g["month"])
                ev.full.append(dt.date(int(g["year"]), month, int(g["day"])))
            elif c.kind in {"md", "dm"}:
                named = re.match(r"\s*([a-z]+day)\b", body[c.start : c.end], re.IGNORECASE)
                if named and (wd := WEEKDAY_NUMBERS.get(named.group(1).lower())) is not None:
                    ev.weekday_dates.append((month_number(g["month"]), int(g["day"]), wd))
            elif c.kind == "clock_day" and (named_month := g.get("wdmonth") or g.get("wdmonth2")):
                # "6 a.m. on Monday, 16 March": the weekday is attached to the date.
                day = int(g.get("wdday") or g["wdday2"])
                wd = WEEKDAY_NUMBERS[g["when"].split(",")[0].split()[0].lower()]
                if g.get("wdyear"):
                    ev.full.append(dt.date(int(g["wdyear"]), month_number(named_month), day))
                else:
                    ev.weekday_dates.append((month_number(named_month), day, wd))
            elif c.kind in {"year", "my"}:
                ev.years.append(int(g["year"]))
            elif c.kind == "weekday" and not g.get("rel"):
                ev.weekdays.append(WEEKDAY_NUMBERS[g["wd"].lower()])
        except (ValueError, KeyError):
            continue
    return ev


def _corpus_year(ev: _Evidence, earliest: dt.date | None, today: dt.date | None) -> int | None:
    """Return the one year of the corpus's window whose calendar has the stated weekdays.

    "Tuesday, 10 March" names no year, but the corpus's other articles bound it (``earliest``
    to ``today``): a day and its weekday recur only every few years, so a window of a few
    years holds at most one fit. No window, a window holding two fits, or a date with no
    weekday of its own: no year (a year fitted over decades was wrong on issue #21's pages).
    """
    if earliest is None or today is None or not ev.weekday_dates:
        return None
    fits = []
    for year in range(earliest.year, today.year + 1):
        try:
            days = [(dt.date(year, m, d), wd) for m, d, wd in ev.weekday_dates]
        except ValueError:
            continue
        if all(day.weekday() == wd for day, wd in days):
            fits.append(year)
    return fits[0] if len(fits) == 1 else None


def stamped_date(text: str) -> dt.date | None:
    """Return the day of the page's first time stamp ("Last updated at 06:28, 8 May 2011").

    Only the page's head is read: a stamp further down is a reader's comment, written later.
    A page stamps itself at most twice (published, updated): stamps of three or more different
    days in the head are a list of dated posts ("More on vaccines - 16:10 UK time, Wednesday,
    8 July 2009 / Policy shift expected - 08:55 UK time, ..."), none of them this page's.
    """
    text = text[:_STAMP_HEAD_CHARS]
    found = [tx for tx in find_timexes(text, anchor=None) if _FULL_DAY_RE.match(tx.value)]
    days: list[dt.date] = []
    for start, end in page_stamps(text, found):
        if _WROTE_RE.search(text, start, end):
            continue  # a reader's comment, written after the page
        days += [dt.date.fromisoformat(tx.value[:10]) for tx in found if start <= tx.start < end]
    if not days or len(set(days)) > _PAGE_STAMPS:
        return None
    return days[0]


@dataclass(frozen=True, slots=True)
class PublishedGuess:
    """A publication date inferred from the text: a day it states, or only a month or year."""

    day: dt.date | None = None  # the first day of the period when precision is not "day"
    precision: PublishedPrecision = "day"
    confidence: float = 0.0

    @property
    def iso(self) -> str | None:
        """Return the date as ISO at its precision: 2015-03-10, 2015-03 or 2015."""
        if self.day is None:
            return None
        return self.day.isoformat()[: _ISO_CHARS[self.precision]]


_ISO_CHARS = {"day": 10, "month": 7, "year": 4}
_NO_GUESS = PublishedGuess()


def infer_publication(
    text: str,
    *,
    title: str = "",
    today: dt.date | None = None,
    earliest: dt.date | None = None,
    head: str = "",
) -> PublishedGuess:
    """Guess the publication date from the text alone; never a day the text does not state.

    A page's own time stamp ("Page last updated at 08:14 GMT, Tuesday, 8 November 2011", see
    ``stamps.page_stamps``) decides when there is one, at confidence ``STAMP_CONFIDENCE``.
    Otherwise: an article is written on or after the latest day it reports in the past, so the
    guess is the latest full date (day, month and year) the text states outside future-tense
    clauses ("the vote on 22 October 2015") and not after ``today``, unless that date lies more
    than 60 days beyond all the others (then it is a forecast and the next one is used).
    No guess when that date cannot be the day of writing: it is older than a year the text
    names ("sank on June 11, 1943 ... found in 2020") or than ``earliest`` (the corpus's other
    articles say when it was written). Dates without a year ("on 22 October") give no guess,
    except a date written with its weekday ("Tuesday, 10 March") when exactly one year of the
    corpus's window (``earliest`` to ``today``) has that weekday on that day: a year fitted to
    weekdays over decades is a guess the text never states.
    When the text also names a weekday that no stated date near the guess falls on ("the
    president toured the town on Thursday"), the article was written on that later day or the
    stated one: the day is unknown and only the month (or year) they share is kept.
    Confidence: 0.3 for a stated full date, plus 0.1 when several dates agree within a week and
    0.15 when a weekday named in the text falls on one of them; at most 0.75, below a stamp's:
    the latest day a text reports bounds the day of writing from below, it does not prove it.
    ``head``: the lines the cleaner removed from the top of the page, where stamps usually are.
    """
    stamped = stamped_date(f"{head}\n{text}" if head else text)
    if stamped is not None and (today is None or stamped <= today):
        return PublishedGuess(stamped, "day", STAMP_CONFIDENCE)
    ev = _gather(f"{title}\n{text}" if title else text)
    dates = sorted(d for d in ev.full if today is None or d <= today)
    if not dates and (year := _corpus_year(ev, earliest, today)) is not None:
        dates = sorted(dt.date(year, m, d) for m, d, _ in ev.weekday_dates)
        dates = [d for d in dates if today is None or d <= today]
    if not dates:
        return _NO_GUESS
    pick = dates[-1]
    if len(dates) > 1 and (pick - dates[-2]).days > _FORECAST_GAP_DAYS:
        pick = dates[-2]
    later_years = [y for y in ev.years if y > pick.year and (today is None or y <= today.year)]
    if later_years or (earliest is not None and pick < earliest):
        return _NO_GUESS  # a date the article looks back to ("on June 11, 1943")
    near = {d for d in dates if 0 <= (pick - d).days <= _OUTLIER_DAYS - 1}
    confidence = _REPORTED_BASE + (0.1 if len(near) > 1 else 0.0)
    if any(d.weekday() == w for d in near for w in ev.weekdays):
        confidence += 0.15
    confidence = round(min(confidence, _REPORTED_CONFIDENCE), 2)
    explained = {d.weekday() for d in near}
    unexplained = {w for w in ev.weekdays if w not in explained}
    last = _after_weekdays(pick, unexplained, today)
    if last == pick:
        return PublishedGuess(pick, "day", confidence)
    if (last.year, last.month) == (pick.year, pick.month):
        return PublishedGuess(pick.replace(day=1), "month", confidence)
    if last.year == pick.year:
        return PublishedGuess(pick.replace(month=1, day=1), "year", confidence)
    return _NO_GUESS


def infer_published(
    text: str,
    *,
    title: str = "",
    today: dt.date | None = None,
    earliest: dt.date | None = None,
    head: str = "",
) -> tuple[dt.date | None, float]:
    """Return the publication day the text states and its confidence, else (None, 0.0).

    ``infer_publication`` with only its day answers: a month or a year is no day.
    """
    guess = infer_publication(text, title=title, today=today, earliest=earliest, head=head)
    if guess.day is None or guess.precision != "day":
        return None, 0.0
    return guess.day, guess.confidence


def _after_weekdays(pick: dt.date, weekdays: set[int], today: dt.date | None) -> dt.date:
    """Return the latest day of the week after ``pick`` among ``weekdays`` (named in the past).

    News dates old happenings in full ("the dam gave way on Tuesday, 10 March") and the latest
    ones by weekday ("the president toured the town on Thursday"): an article that names both
    was written no earlier than that Thursday. Weekdays that fall on a stated date are that
    date, not a later day, so the caller leaves them out.
    """
    later = [
        day
        for day in (pick + dt.timedelta(days=k) for k in range(1, 7))
        if day.weekday() in weekdays and (today is None or day <= today)
    ]
    return max(later, default=pick)
