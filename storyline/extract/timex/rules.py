"""Regular expressions that find temporal expressions, and the lexicon their values need.

Each rule is a (kind, compiled pattern) pair; ``find_candidates`` runs them all and keeps the
longest non-overlapping matches. Values are computed in ``handlers``, called from ``find``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyline.text.calendar import MONTH_NAME_PATTERN, MONTH_PATTERN
from storyline.text.numbers import NUMBER_WORD_PATTERN, number_value

SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
UNIT_CODES = {
    "second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W", "weekend": "WE",
    "month": "M", "quarter": "Q", "year": "Y", "decade": "DE", "century": "CE",
}  # fmt: skip
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}  # fmt: skip
VAGUE = frozenset({"a few", "few", "several", "many", "some"})

_I = re.IGNORECASE
_MONTH = MONTH_PATTERN
# A month name on its own must be capitalised: "may", "march" are also verbs.
_MONTH_CAP = rf"(?-i:{MONTH_NAME_PATTERN}|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[6-9]|20)\d\d)"
# The date a weekday is given with after a clock time: "6 a.m. on Monday, 16 March".
_WD_DATE = (
    rf"(?:,?\s+(?:(?P<wdday>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<wdmonth>{_MONTH})"
    rf"|(?P<wdmonth2>{_MONTH})\s+(?P<wdday2>[0-3]?\d)(?:st|nd|rd|th)?)(?!\w)"
    r"(?:,?\s+(?P<wdyear>(?:1[6-9]|20)\d\d)\b)?)?"
)
_NUMWORD = NUMBER_WORD_PATTERN
_NUM = (
    rf"(?P<num>\d+(?:\.\d+)?(?:\s+1/2)?|{_NUMWORD}(?:\s+and\s+a\s+half)?|an?|a\s+few|few|several"
    r"|many|some|a\s+couple\s+of|couple\s+of|a\s+half|half\s+an?)"
)
_SPELLED_YEAR = (
    rf"(?P<sy>nineteen(?:\s+hundred(?:\s+and)?)?[-\s]+{_NUMWORD}"
    rf"|two\s+thousand(?:\s+(?:and\s+)?{_NUMWORD})?)"
)
_UNIT = r"(?P<unit>second|minute|hour|day|week|month|quarter|year|decade|century|centurie)"
_HEDGE = (
    r"(?:(?:about|nearly|almost|more\s+than|less\s+than|at\s+least|some|roughly|up\s+to"
    r"|only|just|over|under|around|approximately)\s+)?"
)
_PART = r"(?P<part>morning|afternoon|evening|night)"
_CLOCK24 = r"(?P<h24>[01]?\d|2[0-3])(?::|(?<=\d\d))(?P<m24>[0-5]\d)\s*(?:hours\s+)?(?:GMT|UTC)\b"
_DAY_AFTER_CLOCK = rf"(?:{_WD}|today|yesterday|tomorrow)\b"

_RULES: list[tuple[str, str]] = [
    ("iso", r"\b(?P<year>(?:1[6-9]|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    ("slash", r"\b(?P<month>[01]?\d)/(?P<day>[0-3]?\d)/(?P<year>(?:19|20)?\d\d)\b"),
    # "\s*,?" also takes tokenised text's detached comma: "Tuesday , 8 November , 2011".
    ("mdy", rf"\b(?:{_WD}\s*,?\s+)?(?P<month>{_MONTH})\s+{_DAY}(?:\s*,\s*|\s+){_YEAR}\b"),
    ("dmy", rf"\b(?:{_WD}\s*,?\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})\s*,?\s+{_YEAR}\b"),
    (
        "md",
        rf"\b(?:(?:last|this|next|{_WD}\s*,?)\s+)?(?P<month>{_MONTH})\s+{_DAY}\b(?![,.]?\d|\s*%|\s*(?:percent|cents))",
    ),
    ("dm", rf"\b(?:{_WD}\s*,?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH_CAP})\b"),
    ("my", rf"\b(?P<month>{_MONTH})\s*,?\s+(?:of\s+)?{_YEAR}\b"),
    ("month", rf"\b(?P<month>{_MONTH_CAP}),?\s+(?:of\s+)?(?P<yrel>this|last|next)\s+year\b"),
    (
        "month",
        rf"\b(?:(?P<rel>last|this|next|coming|past)\s+)?(?P<month>{_MONTH_CAP})(?![\w.]\w|\s*\d)",
    ),
    (
        "season",
        (
            r"\b(?:(?P<rel>last|this\s+past|this|next|the|that)\s+)"
            r"(?P<season>spring|summer|fall|autumn|winter)"
            rf"(?:\s+(?:of\s+)?{_YEAR})?\b"
        ),
    ),
    ("season", rf"\b(?P<season>spring|summer|fall|autumn|winter)\s+(?:of\s+)?{_YEAR}\b"),
    # A bare season after a preposition of time: "in spring", "until autumn"
    (
        "season",
        (
            r"(?:(?<=\bin\s)|(?<=\bby\s)|(?<=\buntil\s)|(?<=\bsince\s)|(?<=\bduring\s))"
            r"(?P<season>spring|summer|autumn|winter)\b"
        ),
    ),
    (
        "year",
        (
            rf"(?<![$\d,.])\b(?:(?P<fiscal>fiscal(?:\s+year)?|FY|calendar(?:\s+year)?)\s*)?{_YEAR}\b"
            r"(?![-/]\d|\.\d|,\d|\s*(?:%|percent|cents|to\s+(?!(?:1[6-9]|20)\d\d\b)\d"
            r"|-?\s*(?:mile|foot|feet|ton|pound|car|share)))"
        ),
    ),
    (
        "decade",
        (
            r"(?<![\w'])(?:the\s+)?(?:(?:early|mid|late)[-\s]+)?(?P<decade>(?:1[6-9]|20)\d0s|'\d0s)\b"
            # "the 70s" without its apostrophe; "in his 70s" is an age, so "the" is required
            r"|\bthe\s+(?:(?:early|mid|late)[-\s]+)?(?P<decade2>[1-9]0s)\b"
        ),
    ),
    (
        "decade",
        (
            r"\bthe\s+(?:(?:early|mid|late)[-\s]+)?(?P<decword>twenties|thirties|forties|fifties"
            r"|sixties|seventies|eighties|nineties)\b"
        ),
    ),
    ("century", r"\b(?:the\s+)?(?P<cent>\d{1,2})(?:st|nd|rd|th)[-\s]+century\b"),
    (
        "spelled_year",
        (
            rf"\b(?:(?P<month>{_MONTH_CAP})\s+|(?:the\s+)?(?P<season>spring|summer|fall|autumn"
            rf"|winter)\s+of\s+|the\s+year\s+)?{_SPELLED_YEAR}\b"
            r"(?!\s+(?:years|dollars|people|men|women|troops|of)\b)"
        ),
    ),
    (
        "weekday",
        (
            rf"\b(?:(?P<rel>last|this|next|coming|past)\s+)?(?P<wd>{_WD})"
            rf"(?:\s+{_PART})?\b"
        ),
    ),
    (
        "deictic_part",
        rf"\b(?P<deictic>yesterday|today|tomorrow|this|last|that|the\s+same)\s+{_PART}\b",
    ),
    ("tonight", r"\btonight\b"),
    (
        "deictic",
        (
            r"\b(?P<deictic>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow"
            r"|yesterday|today|tomorrow)\b(?!['’]s\s+(?:\w+\s+)?(?:news|paper|market|world|economy))"
        ),
    ),
    (
        "ref",
        (
            r"\b(?P<ref>now|currently|nowadays|at\s+present|these\s+days|current|recently"
            r"|the\s+past|in\s+the\s+past|the\s+future|the\s+present|lately|the\s+near\s+future"
            r"|the\s+(?:near|short)\s+term|(?:the\s+)?coming\s+(?:days|weeks|months|quarters))\b"
        ),
    ),
    (
        "ref_years",
        r"\b(?P<refy>recent|coming|past|next\s+few|past\s+few)\s+(?P<unit>years|decades)\b",
    ),
    (
        # "the year before": the one before the story's year, not before a named happening
        "relative",
        (
            r"\b(?P<rel>the|that)\s+(?P<unit>month|year)\s+(?P<prior>before|previous|earlier)\b"
            r"(?!\s+(?:(?:the|a|an|his|her|its|their|this|that)\b|(?-i:[A-Z])))"
        ),
    ),
    (
        "relative",
        (
            r"\b(?P<rel>(?:earlier|later)\s+(?:this|that|in\s+the|last|next)|early|late"
            r"|this|last|next|the\s+past|the\s+last|the\s+coming|the\s+previous|the\s+following"
            r"|past|coming|previous"
            r"|following|the\s+current|current|the\s+same|that|the|a|an|(?:the\s+|this\s+|next\s+|last\s+)?"
            r"(?:current\s+|latest\s+|full\s+)?fiscal|the\s+full)\s+"
            r"(?P<unit>week|month|year|quarter|weekend|decade|century|day)\b(?!-)"
        ),
    ),
    (
        "quarter",
        (
            rf"\b(?:the\s+)?(?:(?P<qyear>{_YEAR}|this\s+year['’]s|last\s+year['’]s"
            r"|the\s+year['’]s|next\s+year['’]s)\s+)?"
            r"(?P<qmod>(?:(?:latest|current|recent|same|previous|prior|preceding|year-ago|year-earlier"
            r"|comparable|fiscal|final|last|first|second|third|fourth|1st|2nd|3rd|4th)[-\s]+)+)"
            r"(?P<qunit>quarter|period|half)\b(?:\s+of\s+(?:fiscal\s+)?(?P<ofyear>(?:1[6-9]|20)\d\d))?"
        ),
    ),
    ("quarter", r"\b(?P<qbare>the\s+quarter)\b"),
    (
        "quarter",
        (
            rf"\b(?:the\s+)?(?:{_YEAR}|(?P<qyear>last\s+year['’]s|this\s+year['’]s))\s+"
            r"(?P<qunit>quarter|period)\b"
        ),
    ),
    (
        "quarter_ago",
        (
            r"\b(?:the\s+)?(?:(?:same|corresponding|comparable|year-ago|year-earlier)\s+)?"
            r"(?:quarter|period)\s+(?:a\s+year\s+(?:ago|earlier)|last\s+year|of\s+last\s+year)\b"
        ),
    ),
    ("year_ago", r"\b(?P<ya>year-(?:ago|earlier))\b"),
    ("ago", rf"\b{_HEDGE}{_NUM}\s+{_UNIT}s?\s+(?P<dir>ago|earlier|from\s+now|hence|back)\b"),
    (
        "duration",
        (
            rf"\b(?:(?P<det>the|a|an|his|her|its|their)\s+)?(?:(?P<dmod>past|last|next|first"
            r"|coming|previous|final|following|same|latest|recent|preceding|initial|remaining|full)\s+)?"
            # "20 more years", "an additional year": the amount still measures the stretch
            rf"{_HEDGE}{_NUM}\s+(?:(?:more|additional|extra)\s+)?{_UNIT}s?\b(?!-)"
        ),
    ),
    (
        "adj_duration",
        (
            rf"\b(?P<num>\d+(?:\.\d+)?|{_NUMWORD}|half|several)-{_UNIT}(?:s?-(?:old|long))?\b"
            r"|\b(?P<long>day|week|month|year)-long\b"  # "a week-long strike": one week
        ),
    ),
    (
        "bare_units",
        (
            r"\b(?P<vague>recent|several|many|a\s+few|few|the\s+past\s+few|the\s+last\s+few"
            r"|the\s+next\s+few|the\s+past\s+several|the\s+next\s+several)\s+"
            r"(?P<unit>seconds|minutes|hours|days|weeks|months|years|decades)\b"
        ),
    ),
    (
        "plural_units",
        (
            r"(?:(?<=\bfor\s)|(?<=\bwithin\s))"
            r"(?P<unit>seconds|minutes|hours|days|weeks|months|years|decades)"
            r"\b|\b(?P<unit2>days|weeks|months|years|decades)-long\b"
        ),
    ),
    ("set", r"\b(?P<set>daily|weekly|monthly|nightly|hourly)\b"),
    (
        "set_every",
        (
            rf"\b(?P<every>every|each|per)\s+(?:(?P<num>other|\d+|{_NUMWORD})\s+)?"
            r"(?P<unit>second|minute|hour|day|week|month|quarter|year|morning|afternoon|evening|night"
            rf"|{_WD})s?\b|\b(?:every|each)\s+(?P<setmonth>{_MONTH_CAP})(?![\w.]\w)"
        ),
    ),
    (
        "clock",
        (
            r"\b(?P<hour>[01]?\d)(?::(?P<minute>[0-5]\d))?\s*(?P<ampm>[ap]\.\s?m\.|[ap]m\b)"
            r"(?:\s+(?P<tz>[ECMP][SD]T|GMT|UTC))?"
        ),
    ),
    ("clock", r"\b(?P<noon>noon|midnight|midday)\b"),
    # A 24-hour clock time is only safe with its zone: "18:00 UTC", "0735 GMT"
    ("clock", rf"\b{_CLOCK24}(?!\s*{_DAY_AFTER_CLOCK})"),
    ("clock_day", rf"\b{_CLOCK24},?\s+(?:on\s+)?(?P<when>{_DAY_AFTER_CLOCK})"),
    (
        "clock_day",
        (
            rf"\b(?P<hour>[01]?\d)(?::(?P<minute>[0-5]\d))?\s*(?P<ampm>[ap]\.\s?m\.|[ap]m\b)"
            rf"(?:\s+(?P<tz>[ECMP][SD]T|GMT|UTC))?,?\s+(?:on\s+)?(?P<when>{_WD}{_WD_DATE}|today"
            rf"|yesterday|tomorrow|(?P<month>{_MONTH})\s+{_DAY}\b)"
        ),
    ),
    (
        "clock_day",
        (
            rf"\b(?P<noon>noon|midnight|midday),?\s+(?:on\s+)?(?P<when>{_WD}|today|yesterday"
            rf"|tomorrow|(?P<month>{_MONTH})\s+{_DAY}\b)"
        ),
    ),
    ("year_end", r"\b(?P<since>since\s+)?(?P<ye>(?:the\s+)?year[-\s]end|year['’]s\s+end)\b"),
    (
        "holiday",
        (
            r"(?<!operation\s)\b(?P<holiday>christmas(?:\s+(?:day|eve))?|new\s+year['’]s(?:\s+(?:day|eve))?"
            r"|thanksgiving(?:\s+day)?|easter(?:\s+sunday)?|independence\s+day|memorial\s+day|labor\s+day"
            r"|halloween|valentine['’]s\s+day|veterans\s+day|good\s+friday|election\s+day)\b"
            rf"(?:\s+{_YEAR})?"
            # "Easter eggs", "Operation Christmas", "the Easter Rising": things named after it
            r"(?!\s+(?:eggs?|island|rising|bunny|trees?"
            r"|cards?|carols?|lights|puddings?|crackers?|jumpers?|markets?|number)\b)"
        ),
    ),
    (
        "same_day",
        (
            r"\b(?P<sd>that\s+(?:same\s+)?day|the\s+same\s+day|the\s+next\s+day"
            r"|the\s+following\s+day|the\s+previous\s+day|the\s+day\s+before|the\s+day\s+after"
            r"|the\s+next\s+morning|that\s+night|that\s+morning|that\s+evening|that\s+afternoon"
            r"|that\s+week|that\s+month|that\s+year|the\s+same\s+year|the\s+same\s+month)\b"
            # "the same month a year ago": the story's month, a year back
            r"(?:\s+(?P<yago>a\s+year\s+(?:ago|earlier|before)|last\s+year"
            r"|of\s+(?:the\s+)?(?:last|previous)\s+year))?"
        ),
    ),
]
_COMPILED: list[tuple[str, re.Pattern[str]]] = [(k, re.compile(p, _I)) for k, p in _RULES]
# Prefixes that belong to the expression ("late November", "the end of 1990").
MOD_PREFIX = re.compile(
    r"(?:\b(?:the\s+)?(?P<mod>early|late|mid|end\s+of|beginning\s+of|start\s+of|middle\s+of"
    r"|close\s+of|turn\s+of|earlier|later|(?:earlier|later)\s+in)(?:[-\s]+(?:the\s+)?))$",
    _I,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One regex match before its value is computed."""

    kind: str
    start: int
    end: int
    groups: dict[str, str]


def find_candidates(text: str) -> list[Candidate]:
    """Return the longest non-overlapping rule matches in ``text``, in text order."""
    found: list[Candidate] = []
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if m.end() > m.start():
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                found.append(Candidate(kind, m.start(), m.end(), groups))
    found.sort(key=lambda c: (-(c.end - c.start), c.start))
    taken: list[Candidate] = []
    for cand in found:
        if all(cand.end <= t.start or cand.start >= t.end for t in taken):
            taken.append(cand)
    taken.sort(key=lambda c: c.start)
    return [_extend_prefix(text, c, taken) for c in taken]


def _extend_prefix(text: str, cand: Candidate, taken: list[Candidate]) -> Candidate:
    """Widen a date to include a modifier such as "late" or "the end of" just before it."""
    if cand.kind in {"duration", "adj_duration", "set", "set_every", "ref", "clock", "ago"}:
        return cand
    window = text[max(0, cand.start - 25) : cand.start]
    m = MOD_PREFIX.search(window)
    if m is None:
        return cand
    start = cand.start - (len(window) - m.start())
    if any(t.end > start and t.start < cand.start for t in taken):
        return cand
    return Candidate(cand.kind, start, cand.end, {**cand.groups, "mod": m.group("mod").lower()})


def word_number(word: str) -> float | None:
    """Return the value of a spelled-out or digit number ("twenty-five", "5 1/2"); None if vague."""
    w = " ".join(word.lower().replace("-", " ").split())
    if w in VAGUE:
        return None
    if w in {"a couple of", "couple of"}:
        return 2.0
    if w in {"a", "an"}:
        return 1.0
    if w in {"a half", "half a", "half an", "half"}:
        return 0.5
    half = 0.0
    for tail in (" and a half", " 1/2"):
        if w.endswith(tail):
            w, half = w[: -len(tail)], 0.5
    try:
        return float(w) + half
    except ValueError:
        pass
    value = number_value(w)
    return None if value is None else value + half
