"""Temporal expressions: find dates, times, durations and sets and give them TimeML values.

``find_timexes`` resolves relative expressions against the publication date (the anchor) and a
reference date carried through the story; ``infer_published`` guesses that date when metadata
has none. Rules live in ``timex_rules``, values in ``timex_handlers`` and ``timex_values``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field, replace

from storyline.extract import timex_values as tv
from storyline.extract.ranges import complete_ranges
from storyline.extract.stamps import page_stamps
from storyline.extract.timex_handlers import (
    SHIFT_KINDS,
    SHIFT_MODS,
    resolve_candidate,
    resolve_weekday,
)
from storyline.extract.timex_rules import WEEKDAYS, find_candidates, month_number
from storyline.extract.timex_values import StoryState
from storyline.models import TimeExpr

__all__ = ["find_timexes", "infer_published", "resolve_weekday", "stamped_date"]

STAMP_CONFIDENCE = 0.85  # "last updated" can be a day or two after publication
_STAMP_HEAD_CHARS = 1500
_FULL_DAY_RE = re.compile(r"\d{4}-\d\d-\d\d")


def find_timexes(text: str, *, anchor: dt.date | None, article_id: str = "") -> list[TimeExpr]:
    """Return the temporal expressions in ``text``, their values resolved against ``anchor``."""
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
    """Dates an article states, split by how much of the date it spells out."""

    full: list[dt.date] = field(default_factory=list)  # past or neutral dates with a year
    month_days: list[tuple[int, int, int | None]] = field(default_factory=list)  # month, day, wd
    years: list[int] = field(default_factory=list)
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
                wd = WEEKDAYS.get(named.group(1).lower()) if named else None
                ev.month_days.append((month_number(g["month"]), int(g["day"]), wd))
            elif c.kind == "clock_day" and (named_month := g.get("wdmonth") or g.get("wdmonth2")):
                # "6 a.m. on Monday, 16 March": the weekday is attached to the date.
                day = int(g.get("wdday") or g["wdday2"])
                wd = WEEKDAYS[g["when"].split(",")[0].split()[0].lower()]
                if g.get("wdyear"):
                    ev.full.append(dt.date(int(g["wdyear"]), month_number(named_month), day))
                else:
                    ev.month_days.append((month_number(named_month), day, wd))
            elif c.kind in {"year", "my"}:
                ev.years.append(int(g["year"]))
            elif c.kind == "weekday" and not g.get("rel"):
                ev.weekdays.append(WEEKDAYS[g["wd"].lower()])
        except (ValueError, KeyError):
            continue
    return ev


def _year_from_weekdays(ev: _Evidence, years: list[int]) -> int | None:
    """Return the only year whose calendar fits the weekdays the text names, else None.

    A fit is a stated month-day falling on a weekday the text names; "Thursday, Oct. 22" must
    fit. One loose weekday is weak evidence (every date is some weekday), so a year needs two
    fits, or one attached weekday, and must be the only year in ``years`` that scores best.
    """
    scores: dict[int, int] = {}
    for year in years:
        try:
            days = [(dt.date(year, m, d), wd) for m, d, wd in ev.month_days]
        except ValueError:
            continue
        if any(wd is not None and day.weekday() != wd for day, wd in days):
            continue
        attached = sum(wd is not None for _, wd in days)
        loose = len({day for day, wd in days if wd is None and day.weekday() in ev.weekdays})
        scores[year] = 2 * attached + loose
    if not scores:
        return None
    top = max(scores.values())
    winners = [y for y, v in scores.items() if v == top]
    return winners[0] if top >= 2 and len(winners) == 1 else None


def stamped_date(text: str) -> dt.date | None:
    """Return the day of the page's first time stamp ("Last updated at 06:28, 8 May 2011").

    Only the page's head is read: a stamp further down is a reader's comment, written later.
    """
    text = text[:_STAMP_HEAD_CHARS]
    found = [tx for tx in find_timexes(text, anchor=None) if _FULL_DAY_RE.match(tx.value)]
    for start, end in page_stamps(text, found):
        for tx in found:
            if start <= tx.start < end:
                return dt.date.fromisoformat(tx.value[:10])
    return None


def infer_published(
    text: str,
    *,
    title: str = "",
    today: dt.date | None = None,
    earliest: dt.date | None = None,
    head: str = "",
) -> tuple[dt.date | None, float]:
    """Guess the publication date from the text alone; (None, 0.0) when there is no evidence.

    A page's own time stamp ("Page last updated at 08:14 GMT, Tuesday, 8 November 2011", see
    ``stamps.page_stamps``) decides when there is one, at confidence ``STAMP_CONFIDENCE``.
    Otherwise: an article is written on or after the latest day it reports in the past, so the guess
    is the latest date the text states outside future-tense clauses ("the vote on 22 October
    2015"), unless that date lies more than 60 days beyond all the others (then it is a forecast
    and the next one is used). Dates without a year ("on 22 October") count only when a year can
    be fixed by the calendar: among the years from the latest year the text names (else 30 years
    back) to ``today``, the only one where the stated days fall on the weekdays the text names
    ("Thursday, Oct. 22"; or "on 22 October" and "on 23 October" with "Thursday" and "Friday";
    see ``_year_from_weekdays``); with no such year the answer is (None, 0.0). Confidence: 0.6 for a
    stated full date, 0.3 for a year fixed by the calendar, plus 0.1 when several dates agree
    within a week and 0.15 when a weekday named in the text falls on one of them; at most 0.9.
    ``earliest`` narrows the years searched (the corpus's other articles say when it was written).
    ``head``: the lines the cleaner removed from the top of the page, where stamps usually are.
    """
    stamped = stamped_date(f"{head}\n{text}" if head else text)
    if stamped is not None and (today is None or stamped <= today):
        return stamped, STAMP_CONFIDENCE
    ev = _gather(f"{title}\n{text}" if title else text)
    confidence = 0.6
    dates = sorted(ev.full)
    if not dates and ev.month_days:
        last = (today or dt.datetime.now(tz=dt.UTC).date()).year
        # The article is no older than the latest year it names.
        first = max(ev.years) if ev.years and max(ev.years) <= last else last - 30
        if earliest is not None:
            first = max(first, earliest.year)
        year = _year_from_weekdays(ev, list(range(first, last + 1)))
        if year is None:
            return None, 0.0
        dates = sorted(dt.date(year, m, d) for m, d, _ in ev.month_days)
        confidence = 0.3
    if not dates:
        return None, 0.0
    pick = dates[-1]
    if len(dates) > 1 and (pick - dates[-2]).days > _FORECAST_GAP_DAYS:
        pick = dates[-2]
    near = {d for d in dates if 0 <= (pick - d).days <= _OUTLIER_DAYS - 1}
    if len(near) > 1:
        confidence += 0.1
    if any(d.weekday() == w for d in near for w in ev.weekdays):
        confidence += 0.15
    explained = {d.weekday() for d in near}
    unexplained = [w for w in ev.weekdays if w not in explained]
    return _after_weekdays(pick, unexplained, today), round(min(confidence, 0.9), 2)


def _after_weekdays(pick: dt.date, weekdays: list[int], today: dt.date | None) -> dt.date:
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
