"""Value handlers: one function per rule kind turns a regex match into a TimeML (type, value).

Handlers read the story state (anchor and the latest absolute date mentioned) and never invent
a date: without an anchor, relative values keep their unknown parts as ``X``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from storyline.extract.timex import values as tv
from storyline.extract.timex.fiscal import quarter_value, year_ago_value
from storyline.extract.timex.periods import (
    PER_BEFORE,
    bare_units,
    clock,
    duration,
    holiday,
    set_every,
    set_value,
)
from storyline.extract.timex.rules import (
    PARTS_OF_DAY,
    SEASONS,
    UNIT_CODES,
    Candidate,
    word_number,
)
from storyline.extract.timex.values import Resolved, StoryState
from storyline.text.calendar import WEEKDAY_NUMBERS, month_number

if TYPE_CHECKING:
    from storyline.models import TimexType

_SEASON_MONTH = {"SP": 4, "SU": 7, "FA": 10, "WI": 13}  # winter is named by its December
_PRESENT = {"now", "currently", "nowadays", "at present", "these days", "current", "the present"}
_FUTURE_REF = {"the future", "the near future", "the near term", "the short term", "future", "soon"}
_BACKWARD = {"ago", "earlier", "before", "back"}
SHIFT_KINDS = {"ago", "year_ago", "quarter_ago"}
SHIFT_MODS = re.compile(r"ago|earlier|comparable", re.IGNORECASE)
_ENDED_AFTER = re.compile(r"\s+(?:ended|ending|ends|to\s+date)\b", re.IGNORECASE)


def resolve_weekday(
    anchor: dt.date, weekday: int, tense: tv.Tense | None, rel: str = ""
) -> dt.date:
    """Return the date a weekday name refers to; past unless the clause is future or "next"."""
    how = {"last": "last", "past": "last", "next": "next", "coming": "future"}.get(rel.lower())
    return tv.weekday_date(anchor, weekday, how or tense or "past")  # type: ignore[arg-type]


def resolve_candidate(text: str, c: Candidate, st: StoryState) -> Resolved | None:
    """Return the (type, value) of a candidate, or None when it is not a temporal expression."""
    g = c.groups
    handler = _HANDLERS.get(c.kind)
    if handler is None:
        return None
    try:
        return handler(text, c, g, st)
    except (ValueError, OverflowError, KeyError, IndexError):
        return None


def _explicit_day(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, st
    month = int(g["month"]) if g["month"].isdigit() else month_number(g["month"])
    year = int(g["year"])
    if year < 100:
        year += 1900 if year > 30 else 2000
    if c.kind == "slash" and month > 12:
        return None
    return "DATE", dt.date(year, month, int(g["day"])).isoformat()


def _month_day(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    month, dom = month_number(g["month"]), int(g["day"])
    if not 1 <= dom <= 31:
        return None
    if st.anchor is None:
        return "DATE", f"XXXX-{month:02d}-{dom:02d}"
    year = _that_year(text, c, st) or tv.year_for_month_day(
        st.anchor, month, dom, tv.tense_near(text, c.start, c.end)
    )
    if year is None:
        return None
    return "DATE", dt.date(year, month, dom).isoformat()


_POSSESSIVE = re.compile(r"\s?['’]s\b")
_AWAITED = re.compile(
    # not "for" or "before": "blamed for Sunday's attack", "the day before Tuesday's raid"
    r"\b(?:ahead\s+of|until|till|await(?:ing|s|ed)?)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_THAT_YEAR = re.compile(r"\s*,?\s*(?:of\s+)?(?:that|the\s+same)\s+year\b", re.IGNORECASE)


def _that_year(text: str, c: Candidate, st: StoryState) -> int | None:
    """Return the story's year when "that year" follows ("died on 25 June that year")."""
    if not _THAT_YEAR.match(text, c.end):
        return None
    ref = st.ref
    return int(ref[:4]) if ref and ref[:4].isdigit() else None


def _month_year(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c, st
    return "DATE", tv.month_value(int(g["year"]), month_number(g["month"]))


def _month(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    month = month_number(g["month"])
    if g["month"] == "May" and not g.get("rel") and not _preposition_before(text, c.start):
        return None  # "May" is more often the modal verb
    if st.anchor is None:
        return "DATE", f"XXXX-{month:02d}"
    if year := _that_year(text, c, st):
        return "DATE", tv.month_value(year, month)
    if yrel := (g.get("yrel") or g.get("rel") or "").lower():
        step = {"this": 0, "last": -1, "next": 1}.get(yrel)
        if (step is not None and "yrel" in g) or yrel == "this":
            return "DATE", tv.month_value(st.anchor.year + (step or 0), month)
    how: str | None = (g.get("rel") or "").lower() or tv.tense_near(text, c.start, c.end) or "past"
    return "DATE", tv.month_value(tv.year_for_month(st.anchor, month, how), month)


def _preposition_before(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:in|since|until|of|by|from|through|early|late|mid|and|to)[-\s]+$",
                          text[max(0, start - 12) : start], re.IGNORECASE))  # fmt: skip


def _season(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    code = SEASONS[g["season"].lower()]
    if g.get("year"):
        return "DATE", f"{g['year']}-{code}"
    if st.anchor is None:
        return "DATE", f"XXXX-{code}"
    rel = (g.get("rel") or "").lower()
    a = st.anchor
    mid = _SEASON_MONTH[code]
    year = a.year
    past = rel in {"the", "that", ""} and tv.tense_near(text, c.start, c.end) == "past"
    if rel == "last" or past:
        year = a.year if mid + 1 < a.month else a.year - 1
    elif rel == "next":
        year = a.year if mid > a.month + 1 else a.year + 1
    return "DATE", f"{year:04d}-{code}"


def _year(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c, st
    return "DATE", g["year"]


def _decade(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c
    if "decword" in g:
        tens = {"tw": 2, "th": 3, "fo": 4, "fi": 5, "si": 6, "se": 7, "ei": 8, "ni": 9}
        return "DATE", f"19{tens[g['decword'].lower()[:2]]}"
    raw = g.get("decade") or "'" + g["decade2"]
    if raw.startswith("'"):
        year = f"{st.anchor.year:04d}" if st.anchor else "1999"
        century = year[:2]
        if int(raw[1]) > int(year[2]):  # "'90s" written in 2015 is the 1990s
            century = str(int(century) - 1)
        return "DATE", century + raw[1]
    return "DATE", raw[:3]


def _century(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c, st
    return "DATE", f"{int(g['cent']) - 1:02d}"


def _spelled_year(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c, st
    words = g["sy"].lower().replace("-", " ").split()
    if words[0] == "two":
        rest = word_number(" ".join(w for w in words[2:] if w != "and")) if words[2:] else 0
        year = 2000 + int(rest) if rest is not None else None
    else:
        rest = word_number(" ".join(w for w in words[1:] if w not in {"hundred", "and"}))
        year = 1900 + int(rest) if rest is not None and rest < 100 else None
    if year is None:
        return None
    if g.get("month"):
        return "DATE", tv.month_value(year, month_number(g["month"]))
    if g.get("season"):
        return "DATE", f"{year:04d}-{SEASONS[g['season'].lower()]}"
    return "DATE", f"{year:04d}"


def _weekday(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    wd = WEEKDAY_NUMBERS[g["wd"].lower()]
    part = PARTS_OF_DAY.get((g.get("part") or "").lower(), "")
    suffix = f"T{part}" if part else ""
    typ: TimexType = "TIME" if part else "DATE"
    if st.anchor is None:
        return typ, f"XXXX-WXX-{wd + 1}{suffix}"
    tense = tv.tense_near(text, c.start, c.end)
    if _POSSESSIVE.match(text, c.end) and not g.get("rel"):
        # "Wednesday's ruling" happened, whatever the clause around it plans ("they would
        # appeal Wednesday's ruling"), unless it is awaited ("ahead of Sunday's vote"), its
        # own verb is ahead ("Monday's talks will decide") or it is tomorrow ("for Saturday's
        # show" written on a Friday).
        tomorrow = (wd - st.anchor.weekday()) % 7 == 1
        awaited = _AWAITED.search(text, max(0, c.start - 20), c.start)
        ahead = tv.tense_after(text, c.end) == "future"
        tense = "future" if (awaited or ahead or (tomorrow and tense != "past")) else "past"
    when = resolve_weekday(st.anchor, wd, tense, g.get("rel") or "")
    return typ, when.isoformat() + suffix


def _deictic(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text
    word = " ".join(g.get("deictic", "tonight").lower().split())
    offsets = {"today": 0, "yesterday": -1, "tomorrow": 1, "this": 0, "last": -1, "tonight": 0,
               "the day before yesterday": -2, "the day after tomorrow": 2}  # fmt: skip
    part = PARTS_OF_DAY.get((g.get("part") or "").lower(), "")
    if c.kind == "tonight":
        part = "NI"
    if word in {"that", "the same"}:
        base = st.ref_day or st.anchor
        if base is None:
            return "TIME", f"XXXX-XX-XXT{part}"
        return "TIME", f"{base.isoformat()}T{part}"
    if word == "last" and part != "NI":
        return None  # "last morning" is not an expression
    if st.anchor is None:
        return ("TIME" if part else "DATE"), ("XXXX-XX-XX" + (f"T{part}" if part else ""))
    when = st.anchor + dt.timedelta(days=offsets[word])
    return ("TIME" if part else "DATE"), when.isoformat() + (f"T{part}" if part else "")


def _ref(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del st
    word = " ".join(g["ref"].lower().split())
    if word == "current" and not re.match(r"\s+(?:year|month|week|quarter|period|term|season)\b",
                                          text[c.end : c.end + 12], re.IGNORECASE):  # fmt: skip
        return None
    if word in _PRESENT:
        return "DATE", "PRESENT_REF"
    if word in _FUTURE_REF or "coming" in word:
        return "DATE", "FUTURE_REF"
    if word in {"so far", "to date", "earlier", "later"}:
        return None
    return "DATE", "PAST_REF"


def _ref_years(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c, st
    word = g["refy"].lower()
    if word == "recent":
        return "DATE", "PAST_REF"
    if word == "coming":
        return "DATE", "FUTURE_REF"
    return "DURATION", "PX" + ("DE" if g["unit"].lower() == "decades" else "Y")


def _relative(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    # "earlier this week" is this week; "later that year" is that year.
    rel = re.sub(r"^(?:earlier|later)\s+(?:in\s+)?", "", " ".join(g["rel"].lower().split()))
    unit = g["unit"].lower()
    if g["unit"].istitle():
        return None  # "The Week", "This Year" are names of magazines and shows
    before = text[max(0, c.start - 30) : c.start]
    if "fiscal" in rel or rel == "the full":
        if rel == "the fiscal":
            return "DURATION", "P1Y"
        if a_year := (st.anchor.year if st.anchor else None):
            step = -1 if "last" in rel else 1 if "next" in rel else 0
            return "DATE", str(a_year + step)
        return "DATE", "XXXX"
    if rel in {"a", "an"}:
        if unit == "second":
            return None  # "a second time"
        code = UNIT_CODES[unit]
        value = f"P{'10Y' if code == 'DE' else '100Y' if code == 'CE' else '1' + code}"
        return ("SET" if PER_BEFORE.search(before) else "DURATION"), value
    if unit == "day":
        if rel in {"the", "that", "the same", "the previous", "the following", "the next"}:
            return _same_day(text, c, {"sd": f"{rel} day"}, st)
        return None
    if g.get("prior") and rel in {"the", "that"}:
        rel = "the previous"  # "the year before", "the month previous"
    if rel in {"the following", "the previous"} and unit in {"year", "month"} and st.ref:
        ref = st.ref
        if ref[:4].isdigit() and (unit == "year" or re.match(r"\d{4}-\d\d", ref)):
            step = 1 if rel == "the following" else -1
            if unit == "year":
                return "DATE", str(int(ref[:4]) + step)
            return "DATE", tv.month_value(*tv.shift_months(int(ref[:4]), int(ref[5:7]), step))
    if rel == "the past" and unit in {"decade", "century"}:
        return "DURATION", tv.duration_value("1", unit) or "P10Y"
    rel = "last" if rel == "the last" else rel
    if rel == "the" and unit == "year" and (_ENDED_AFTER.match(text, c.end)):
        return "DURATION", "P1Y"
    if rel in {"the past", "the coming"} and unit in {"week", "month", "decade", "century"}:
        return "DURATION", tv.duration_value("1", unit) or "P1Y"
    step = 0
    if rel in {"last", "past", "the past", "previous", "the previous"} or rel.endswith("last"):
        step = -1
    elif rel in {"next", "coming", "the coming", "following", "the following"} or rel.endswith(
        "next"
    ):
        step = 1
    if rel in {"that", "the same"} and st.ref and st.ref[:4].isdigit():
        return tv.granular_value(st.ref, unit)
    a = st.anchor
    if unit == "quarter":
        if a is None:
            return "DATE", "XXXX-QX"
        y, q = tv.quarter_of(a)
        if rel in {"the", "that", "the same"}:
            step = -1  # "the quarter" in a report is the one just ended
        y, q = tv.shift_quarter(y, q, step)
        return "DATE", f"{y:04d}-Q{q}"
    if a is None:
        masks = {"week": "XXXX-WXX", "weekend": "XXXX-WXX-WE", "month": "XXXX-XX", "year": "XXXX"}
        return ("DATE", masks[unit]) if unit in masks else None
    if unit == "week":
        return "DATE", tv.week(a + dt.timedelta(weeks=step))
    if unit == "weekend":
        tense = tv.tense_near(text, c.start, c.end)
        if step == 0:
            step = 0 if tense == "future" or a.weekday() >= 5 else -1
        return "DATE", tv.week(a + dt.timedelta(weeks=step)) + "-WE"
    if unit == "month":
        return "DATE", tv.month_value(*tv.shift_months(a.year, a.month, step))
    if unit == "year":
        return "DATE", str(a.year + step)
    if unit == "decade":
        return "DATE", str(a.year // 10 + step)
    return "DATE", f"{a.year // 100 + step:02d}"


def _clock_day(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    when = g["when"].lower().split(",")[0].split()[0]
    if g.get("month"):
        day_value = _month_day(text, c, g, st)
    elif month := g.get("wdmonth") or g.get("wdmonth2"):
        day = int(g.get("wdday") or g["wdday2"])
        if year := g.get("wdyear"):
            try:
                day_value = "DATE", dt.date(int(year), month_number(month), day).isoformat()
            except ValueError:
                return None
        else:
            day_value = _month_day(text, c, {"month": month, "day": str(day)}, st)
    elif when in WEEKDAY_NUMBERS:
        day_value = _weekday(text, c, {"wd": when}, st)
    else:
        day_value = _deictic(text, c, {"deictic": when}, st)
    time = clock(text, c, g, StoryState(anchor=st.anchor))
    if day_value is None or time is None:
        return None
    return "TIME", day_value[1] + time[1][time[1].index("T") :]


def _ago(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    n = word_number(g["num"])
    unit = g["unit"].lower().rstrip("s")
    if g["dir"].lower() == "earlier" and unit not in {"year", "decade", "century"}:
        return duration(text, c, g, st)  # "three days earlier" measures, it does not place
    unit = "century" if unit == "centurie" else unit
    direction = g["dir"].lower().split()[0]
    sign = -1 if direction in _BACKWARD else 1
    relative_to_ref = direction == "earlier"
    if n is None or n != int(n):
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF"
    k = int(n) * sign
    if unit == "year" and abs(k) == 1 and st.ref_quarter:
        return "DATE", tv.shift_value(st.ref_quarter, k) or st.ref_quarter
    base = (st.ref_day if relative_to_ref and st.ref_day else None) or st.anchor
    if relative_to_ref and st.ref and st.ref[:4].isdigit() and unit in {"year", "decade"}:
        return "DATE", str(int(st.ref[:4]) + k * (10 if unit == "decade" else 1))
    if base is None:
        masks = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX", "year": "XXXX"}
        return ("DATE", masks[unit]) if unit in masks else None
    if unit == "day":
        return "DATE", (base + dt.timedelta(days=k)).isoformat()
    if unit == "week":
        return "DATE", tv.week(base + dt.timedelta(weeks=k))
    if unit == "month":
        return "DATE", tv.month_value(*tv.shift_months(base.year, base.month, k))
    if unit in {"year", "decade", "century"}:
        span = {"year": 1, "decade": 10, "century": 100}[unit]
        return "DATE", str(base.year + k * span)
    return None


def _year_end(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    del text, c
    if st.anchor is None:
        return "DATE", "XXXX"
    return "DATE", str(st.anchor.year - (1 if g.get("since") else 0))


_OF_AN_EVENT = re.compile(r"\s+(?:(?:the|a|an|his|her|its|their)\b|[A-Z](?!\w*\b\s*\d))")


def _same_day(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    phrase = " ".join(g["sd"].lower().split())
    if phrase in {"the day after", "the day before"} and _OF_AN_EVENT.match(text, c.end):
        return None  # "the day after the vote": a day counted from a happening we cannot date
    unit = phrase.split()[-1]
    if unit in {"week", "month", "year"}:
        found = tv.granular_value(st.ref, unit) if st.ref and st.ref[:4].isdigit() else None
        if found is not None and g.get("yago"):
            shifted = tv.shift_value(found[1], -1)
            return ("DATE", shifted) if shifted else None
        return found
    base = st.ref_day or st.anchor
    if base is None:
        return "DATE", "XXXX-XX-XX"
    shift = 1 if ("next" in phrase or "following" in phrase or "after" in phrase) else 0
    shift = -1 if ("previous" in phrase or "before" in phrase) else shift
    when = (base + dt.timedelta(days=shift)).isoformat()
    if g.get("yago"):  # "the same day a year ago"
        when = tv.shift_value(when, -1) or when
    if unit in PARTS_OF_DAY:
        return "TIME", f"{when}T{PARTS_OF_DAY[unit]}"
    return "DATE", when


_HANDLERS = {
    "iso": _explicit_day, "slash": _explicit_day, "mdy": _explicit_day, "dmy": _explicit_day,
    "md": _month_day, "dm": _month_day, "my": _month_year, "month": _month, "season": _season,
    "year": _year, "decade": _decade, "century": _century, "spelled_year": _spelled_year,
    "weekday": _weekday, "deictic_part": _deictic, "tonight": _deictic, "deictic": _deictic,
    "ref": _ref, "ref_years": _ref_years, "relative": _relative, "quarter": quarter_value,
    "year_ago": year_ago_value, "ago": _ago, "clock_day": _clock_day, "quarter_ago": year_ago_value,
    "duration": duration, "adj_duration": duration, "bare_units": bare_units,
    "plural_units": bare_units, "set": set_value, "set_every": set_every, "clock": clock,
    "holiday": holiday, "same_day": _same_day, "year_end": _year_end,
}  # fmt: skip
