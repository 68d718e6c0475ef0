"""Value handlers for spans and repeats: durations, sets, clock times and holidays.

The rule kinds that place a day or a month live in ``handlers``, which dispatches to these
too ("weekly", "every Monday", "three years", "at 5 p.m.", "Easter"); split from it by family
so each module stays readable.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from storyline.extract.timex import values as tv
from storyline.extract.timex.rules import PARTS_OF_DAY, Candidate, word_number
from storyline.text.calendar import WEEKDAY_NUMBERS, month_number

if TYPE_CHECKING:
    from storyline.extract.timex.values import Resolved, StoryState

SET_WORDS = {
    "daily": "P1D", "weekly": "P1W", "monthly": "P1M", "quarterly": "P3M", "annually": "P1Y",
    "yearly": "P1Y", "nightly": "P1D", "hourly": "PT1H",
}  # fmt: skip
PER_BEFORE = re.compile(
    r"(?:\bonce|\btwice|\btimes|\bper|%|\bpercent|\bmillion|\bbillion|\bcents?|\bdollars|\d)\s*$",
    re.IGNORECASE,
)
SEASON_AFTER = re.compile(
    r"\s+(?:holidays?|break|period|season|recess|vacation|rush|shopping|sales)\b", re.IGNORECASE
)


def duration(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """A span ("three years", "a decade-long"); "a year" after "twice" or "per" is a SET."""
    del st
    if "long" in g:
        g = {**g, "num": "a", "unit": g["long"]}
    if re.search(r"years?-old", text[c.start : c.end], re.IGNORECASE) or re.match(
        r"\s+old\b", text[c.end : c.end + 5]
    ):
        return None  # a person's age, which TimeML does not mark
    if g["unit"].lower() == "quarter" and not (g.get("det") or g.get("dmod")):
        return None  # "three-quarters" is a fraction
    value = tv.duration_value(g["num"], g["unit"])
    if value is None or (g["num"].lower() in {"a", "an"} and g["unit"].lower() == "second"):
        return None
    before = text[max(0, c.start - 30) : c.start]
    if g["num"].lower() in {"a", "an"} and PER_BEFORE.search(before):
        return "SET", value
    return "DURATION", value


def bare_units(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """Units with no count ("years", "for months"): a duration of unknown length."""
    del text, c, st
    unit = g.get("unit") or g["unit2"]
    if g.get("vague", "").lower() == "recent" and unit.lower() == "years":
        return "DATE", "PAST_REF"
    return "DURATION", tv.duration_value("several", unit) or "PXY"


def set_value(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """A frequency word ("weekly", "daily"): a SET; a title-case one before a name is a paper."""
    del st
    if g["set"].istitle() and re.match(r"\s+[A-Z]", text[c.end : c.end + 2]):
        return None  # "the Daily Express" is a newspaper
    return "SET", SET_WORDS[g["set"].lower()]


def set_every(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """An "every ..." repeat: a month, weekday, part of day or counted unit."""
    del text, c, st
    if g.get("setmonth"):
        return "SET", f"XXXX-{month_number(g['setmonth']):02d}"
    unit = g["unit"].lower()
    if unit in WEEKDAY_NUMBERS:
        return "SET", f"XXXX-WXX-{WEEKDAY_NUMBERS[unit] + 1}"
    if unit in PARTS_OF_DAY:
        return "SET", f"XXXX-XX-XXT{PARTS_OF_DAY[unit]}"
    num = (g.get("num") or "1").lower()
    n = 2 if num == "other" else int(word_number(num) or 1)
    if unit == "quarter":
        return "SET", f"P{3 * n}M"
    return "SET", tv.duration_value(str(n), unit) or "P1D"


def clock(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """A clock time on the reference day (or the anchor), "XXXX-XX-XX" when neither is known."""
    del c
    zone = ""
    if g.get("noon"):
        hour, minute = (12, 0) if g["noon"].lower() != "midnight" else (24, 0)
    elif g.get("h24"):
        hour, minute, zone = int(g["h24"]), int(g["m24"]), "Z"  # UTC and GMT are ISO's Z
    else:
        hour, minute = int(g["hour"]), int(g.get("minute") or 0)
        if not 1 <= hour <= 12:
            return None
        pm = g["ampm"].lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    del text
    base = st.ref_day or st.anchor
    prefix = base.isoformat() if base else "XXXX-XX-XX"
    return "TIME", f"{prefix}T{hour:02d}:{minute:02d}{zone}"


def holiday(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """A named holiday: its stated year, or the anchor year nearest in the sentence's tense."""
    name = g["holiday"]
    if g.get("year"):
        when = tv.holiday_date(name, int(g["year"]))
        return ("DATE", when.isoformat()) if when else None
    if st.anchor is None:
        return None
    tense = tv.tense_near(text, c.start, c.end)
    options = [
        tv.holiday_date(name, y) for y in (st.anchor.year - 1, st.anchor.year, st.anchor.year + 1)
    ]
    dates = [d for d in options if d is not None]
    if not dates:
        return None
    anchor = st.anchor
    if tense == "past" and any(d <= anchor for d in dates):
        dates = [d for d in dates if d <= anchor]
    elif tense == "future" and any(d >= anchor for d in dates):
        dates = [d for d in dates if d >= anchor]
    best = min(dates, key=lambda d: abs((d - anchor).days))
    if SEASON_AFTER.match(text, c.end):  # "over the Easter holidays": a stretch, not the day
        return "DATE", best.isoformat()[:7]
    return "DATE", best.isoformat()
