"""A stated publication date, read one way on every path (rows, manifests, HTML, feeds, sitemaps).

``read_published`` turns the string a source gives into what it states: a day, a month, a year,
or nothing, with a note when the string seemed to give more than is kept. The one rule: a
publication date is a day only when the source states that day unambiguously. "12/11/10" is
12 November 2010, 11 December 2010 or 10 November 2012: no year is sure, so no date is kept.
A weekday written with the numbers may state it: "Monday, 11.05.2012" is 5 November 2012, the
one reading on a Monday (``settled_part``; every path's numbers are settled there).

A capture time (a WARC-Date, an HTTP Last-Modified, the time a page was fetched) is never read
here: it says when a copy was made, not when the article was published.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from dateparser.data import languages_info
from dateparser.languages.loader import default_loader
from dateutil import parser as dateutil_parser

from storyline.models import published_period

if TYPE_CHECKING:
    from storyline.models import PublishedPrecision

DateOrder = Literal["DMY", "MDY", "YMD"]
# the orders a language's regions write three numbers in ("fr": DMY, and YMD in Canada)
DateOrders = frozenset[DateOrder]
_EVERY_ORDER: DateOrders = frozenset(("DMY", "MDY", "YMD"))
# the article meta key that says why a publication date kept less than it seemed to give
PUBLISHED_NOTE = "published_note"
# ISO 8601 "24:00" is the end of the day it follows; datetime and dateutil reject hour 24
_END_OF_DAY_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ]24:00(?::00(?:[.,]0+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)
# dateutil (ignoretz=True) read "-0044-03-15" as 0044-03-15 (the sign dropped) and took any
# numeric offset after a time, "+25:00" too: a year before 1 and an offset of a day or more
# are no date
_SIGNED_YEAR_RE = re.compile(r"\s*[-\u2212]\s*\d")
_OFFSET_RE = re.compile(r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*[+-](\d{2}):?(\d{2})?\s*")
# An ISO week without its weekday ("2015-W43", "2015W43T10:00") names seven days, not the
# Monday that fromisoformat returns; "2015-W43-1" names a day. An ISO ordinal date
# ("2015-292", extended form only: seven bare digits are no date) names a day.
_WEEK_RE = re.compile(r"\d{4}-?W\d{2}(?=$|[T ])")
_ORDINAL_RE = re.compile(r"(\d{4})-(\d{3})(?=$|[T ])")
# three numbers split by one separator: "03/04/2015", "12.11.10", "2015/03/04 10:00"
_NUMERIC_RE = re.compile(r"\s*(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})(?=$|[\sT,])")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Weekday names of one or two letters ("we", "so", "di", "mo") are words as often as days: only
# names of three letters or more settle an order (a fixed rule, not fitted on any data).
_SHORTEST_WEEKDAY_NAME = 3
# Three numbers written as a date ("11.05.2012"), and the word right before / after them
_TRIPLE_RE = re.compile(r"\d{1,4}([/.-])\d{1,2}\1\d{1,4}")
_WORD_BEFORE_RE = re.compile(r"([^\W\d_]+)\.?,?\s*$")
_WORD_AFTER_RE = re.compile(r"\s*,?\s*\(?([^\W\d_]+)")
# A weekday name leading the numbers ("Mon 03/04/2015", "Montag, 11.05.2012"): read past it
_LEADING_WORD_RE = re.compile(r"\s*([^\W\d_]+)\.?,?\s+(?=\d)")
# RFC 822 as feeds write it ("Tue, 10 Mar 2015 23:30:00 -0500"): read without dateutil, which
# took half a 50,000-item feed's 25 s; anything else this does not match goes to dateutil.
# The zone names are dateutil's own and in its case: it takes "GMT", "UTC", "Z" and "z" but
# refuses "gmt" or "Utc" (only an all-capital name or one of these is a zone to it)
_RFC822_RE = re.compile(
    r"\s*(?:([a-z]+),?\s+)?(\d{1,2})\s+([a-z]+)\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:[+-](\d{2}):?(\d{2})|(?-i:GMT|UTC|Z|z))?\s*",
    re.IGNORECASE,
)
_DATEUTIL_NAMES = dateutil_parser.parserinfo()


class RefusedDateError(ValueError):
    """A value some parser would read that states no date ("+25:00", a year before year 1)."""


@dataclass(frozen=True, slots=True)
class Published:
    """What a date string states: ``value`` is YYYY-MM-DD, YYYY-MM, YYYY or None."""

    value: str | None
    note: str | None = None  # why less was kept than the string seemed to give

    @property
    def precision(self) -> PublishedPrecision | None:
        """Return day / month / year (``published_period``); None when no date is kept."""
        if self.value is None:
            return None
        return published_period(self.value)[1]

    def meta(self) -> dict[str, str]:
        """Return the article meta entry that carries the note (empty without one)."""
        return {PUBLISHED_NOTE: self.note} if self.note else {}


def read_published(
    value: str, order: DateOrders | None = None, language: str | None = None
) -> Published:
    """Return what ``value`` states as a publication date.

    A value that is no date at all raises ValueError (a row with it is rejected, as before).
    The reading itself is ``_read_calendar`` (ISO weeks, ordinal days, end of day, the
    local day of a date-time); a value made of three numbers is then checked against every
    order it may be written in (``numeric_readings``; only the orders in ``order`` when the
    source's language states them) and keeps only what all readings share, unless a weekday
    the value names settles it (``settled_part``; English names, and ``language``'s).
    A weekday name may lead the numbers ("Mon 03/04/2015", "Montag, 11.05.2012").
    """
    numbers = _after_weekday(value, language)
    try:
        parsed = _read_calendar(value)
    except ValueError:
        if numbers == value:
            raise
        parsed = _read_calendar(numbers)  # dateutil knows English weekdays only
    readings = numeric_readings(numbers, order)
    if not readings:
        return Published(parsed)
    return settled_part(value, readings, value, language)


def settled_part(
    value: str, readings: frozenset[dt.date], context: str, language: str | None = None
) -> Published:
    """Return the one reading of ``value``, else the one on the weekday ``context`` names.

    "Monday, 11.05.2012" can only be 5 November 2012 (11 May 2012 was a Friday). When no
    weekday is named, or the one named falls on several readings or on none, what all
    readings share (``shared_part``); a weekday on none of them is said in the note.
    """
    if len(readings) == 1:  # dateutil reads month first: the one reading is the day
        return Published(next(iter(readings)).isoformat())
    named = named_weekdays(context, value, language)
    on_it = [day for day in readings if day.weekday() in named]
    if len(named) == 1 and len(on_it) == 1:
        return Published(on_it[0].isoformat())
    shared = shared_part(value, readings)
    if len(named) == 1 and not on_it:
        weekday = _WEEKDAYS[next(iter(named))].capitalize()
        note = f"{shared.note}; no reading falls on the {weekday} it names"
        return Published(shared.value, note)
    return shared


def named_weekdays(text: str, date: str, language: str | None = None) -> frozenset[int]:
    """Return the weekdays (0 is Monday) ``text`` names next to ``date``'s numbers.

    Only the word written right before the numbers ("Monday, 11.05.2012") or right after them
    ("11.05.2012 (Monday)") counts, in English or in ``language``: a weekday elsewhere in the
    text, or a word that is also a weekday's short name ("The Sun"), says nothing of this date.
    """
    triple = _TRIPLE_RE.search(date)
    found = text.find(triple[0]) if triple else -1
    if triple is None or found < 0:
        return frozenset()
    names = _weekday_names(_language_base(language))
    words = (
        _WORD_BEFORE_RE.search(text[:found]),
        _WORD_AFTER_RE.match(text[found + len(triple[0]) :]),
    )
    return frozenset(names[w[1].lower()] for w in words if w and w[1].lower() in names)


def _after_weekday(value: str, language: str | None) -> str:
    """Return ``value`` without a leading weekday name ("Mon, 03/04/2015" -> "03/04/2015")."""
    leading = _LEADING_WORD_RE.match(value)
    if leading and leading[1].lower() in _weekday_names(_language_base(language)):
        return value[leading.end() :]
    return value


def _language_base(language: str | None) -> str:
    """Return a language tag's base ("de" of "de-AT"), or "en"."""
    return (language or "en").strip().replace("_", "-").split("-")[0].lower() or "en"


@lru_cache(maxsize=64)
def _weekday_names(language: str) -> dict[str, int]:
    """Return each weekday name English and ``language`` write (CLDR, as dateparser ships it).

    A name two weekdays share, in or across the two languages, names neither.
    """
    found: dict[str, set[int]] = {}
    for code in {"en", language}:
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        for number, weekday in enumerate(_WEEKDAYS):
            for name in info.get(weekday, ()):
                if len(name) >= _SHORTEST_WEEKDAY_NAME:
                    found.setdefault(name.lower(), set()).add(number)
    return {name: next(iter(days)) for name, days in found.items() if len(days) == 1}


@lru_cache(maxsize=256)
def date_order(language: str | None) -> DateOrders | None:
    """Return the orders a language tag writes a numeric date in (CLDR, as dateparser ships it).

    "de" and "en-GB" are day/month/year, "en-US" month first, "ja" year first. A tag without a
    region gives every order its regions write: "fr" is DMY, and YMD in Canada, which settles
    "03/04/2015" (a year last is never YMD) but not "12/11/10" (``numeric_readings``). None
    when the regions write all three ("en": US, UK, Canada), or dateparser does not know the tag.
    """
    tag = (language or "").strip().replace("_", "-")
    if not tag:
        return None
    base = tag.split("-")[0].lower()
    region = tag[len(base) + 1 :].upper()
    locales = languages_info.language_locale_dict.get(base)
    if locales is None and base not in languages_info.language_order:
        return None
    named = f"{base}-{region}"
    if region:
        # CLDR's base locale is the language's main region ("fr" is France, "en" the US)
        candidates = [named] if named in (locales or ()) else [base]
    else:
        candidates = [base, *(locales or ())]
    orders = set()
    for code in candidates:
        try:
            orders.add(default_loader.get_locale(code).info.get("date_order"))
        except (KeyError, ValueError):
            continue
    found = _EVERY_ORDER.intersection(orders)
    return found if found and found != _EVERY_ORDER else None


def numeric_readings(value: str, order: DateOrders | None = None) -> frozenset[dt.date] | None:
    """Return every day a leading "a/b/c" may name, or None when ``value`` is not so written.

    A four-digit first number is a year (year/month/day, as ISO writes it): one reading. A
    four-digit last number is a year: day/month or month/day. Three short numbers may also be
    year/month/day ("12/11/10" is 10 November 2012 in Japan); a two-digit year takes
    dateutil's century (the one within 50 years of today), as ``_read_calendar`` does.
    ``order`` holds those the source's language writes ({"DMY"} for a German page,
    ``date_order``): only their readings count, of the orders the shape allows ("fr", DMY and
    YMD, reads "03/04/2015" day first; a shape none of them fits is read every way).
    """
    found = _NUMERIC_RE.match(value)
    if found is None:
        return None
    first, second, last = found[1], found[3], found[4]
    a, b, c = int(first), int(second), int(last)
    if len(first) > 2:
        orders = [(a, b, c)] if len(last) <= 2 else []
    elif len(last) > 2:
        orders = _in_orders({"DMY": (c, b, a), "MDY": (c, a, b)}, order)
    else:
        by_order = {
            "DMY": (_century(c), b, a),
            "MDY": (_century(c), a, b),
            "YMD": (_century(a), b, c),
        }
        orders = _in_orders(by_order, order)
    days = set()
    for year, month, day in orders:
        try:
            days.add(dt.date(year, month, day))
        except ValueError:
            continue
    return frozenset(days)


def _in_orders(
    by_order: dict[str, tuple[int, int, int]], order: DateOrders | None
) -> list[tuple[int, int, int]]:
    """Return the (year, month, day) of each order stated that the shape allows; else all."""
    stated = [numbers for name, numbers in by_order.items() if name in (order or ())]
    return stated or list(by_order.values())


def shared_part(value: str, readings: frozenset[dt.date]) -> Published:
    """Return what every reading of ``value`` agrees on: its month, its year, or nothing."""
    years = {d.year for d in readings}
    months = {(d.year, d.month) for d in readings}
    if len(years) > 1:
        return Published(None, f"{value!r}: the order of day, month and year is not stated")
    if len(months) == 1:
        year, month = next(iter(months))
        return Published(
            f"{year:04d}-{month:02d}",
            f"{value!r}: day/month or month/day is not stated; only the month is kept",
        )
    return Published(
        f"{min(years):04d}",
        f"{value!r}: day/month or month/day is not stated; only the year is kept",
    )


def _read_calendar(value: str) -> str:
    """Return ``value`` as an ISO date, or raise ValueError when it is not a date.

    A value without a day ("2015", "March 2015") stays a year or a month (``YYYY``,
    ``YYYY-MM``): the day is unknown, not the first of the month. A date-time keeps its own
    (local) day. The whole value is read: "2015-10-01garbage" or "2015-10-01T99:99" is no
    date (its first ten characters alone used to be taken, the rest unread).

    "2015-10-01T24:00" (ISO 8601 end of day) is 2015-10-01: the day the value names, as for
    any other time of it; the same instant as the next day's 00:00, but a publication date
    is the writer's calendar day, and moving it would date the article a day late.
    A zone name dateutil does not know ("EST") is ignored: only the local day is kept, and
    dateutil warns now and will raise later for such a name.

    An ISO week without a weekday ("2015-W43") names no day: it is the month its seven days
    lie in, else its year. An ISO ordinal date ("2015-292") names a day. The order of three
    numbers ("03/04/2015") is settled by ``read_published``, not here (dateutil's month first).
    """
    ordinal = _ORDINAL_RE.match(value)
    if ordinal:
        value = _ordinal_day(int(ordinal[1]), int(ordinal[2])) + value[ordinal.end() :]
    end_of_day = _END_OF_DAY_RE.fullmatch(value)
    if end_of_day:
        return dt.date.fromisoformat(end_of_day[1]).isoformat()
    try:
        return _week_period(value, dt.date.fromisoformat(value))
    except ValueError:
        pass
    try:
        return _week_period(value, dt.datetime.fromisoformat(value).date())
    except ValueError:
        rfc822 = _rfc822_day(value)
        if rfc822 is not None:
            return rfc822
        _refuse_what_dateutil_would_misread(value)
        # parsed twice with different defaults: a part that changes is one the value lacks
        parsed = dateutil_parser.parse(value, default=dt.datetime(1, 1, 1), ignoretz=True)  # noqa: DTZ001
        other = dateutil_parser.parse(value, default=dt.datetime(1, 12, 28), ignoretz=True)  # noqa: DTZ001
        if parsed.year == 1:
            raise ValueError(f"no year in {value!r}") from None
        if parsed.month != other.month:
            return f"{parsed.year:04d}"
        if parsed.day != other.day:
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return str(parsed.date().isoformat())


def _rfc822_day(value: str) -> str | None:
    """Return the day of an RFC 822 date-time as dateutil reads it, or None to ask dateutil.

    Only what dateutil reads the same way is taken: its own month and weekday names (a
    weekday beside a day is not checked, as dateutil does not), a four-digit year from 1000,
    a valid clock time and an offset within a day; anything else returns None.
    """
    found = _RFC822_RE.fullmatch(value)
    if found is None:
        return None
    weekday, day, month_name, year, hour, minute, second, off_h, off_m = found.groups()
    month = _DATEUTIL_NAMES.month(month_name)
    if month is None or (weekday and _DATEUTIL_NAMES.weekday(weekday) is None):
        return None
    if int(year) < 1000 or (off_h and (int(off_h) > 23 or int(off_m) > 59)):
        return None
    try:
        stamp = dt.datetime(int(year), month, int(day), int(hour), int(minute), int(second or 0))  # noqa: DTZ001
    except ValueError:
        return None
    return stamp.date().isoformat()


def _ordinal_day(year: int, number: int) -> str:
    """Return day ``number`` of ``year`` (an ISO ordinal date) as YYYY-MM-DD."""
    first = dt.date(year, 1, 1)
    day = first + dt.timedelta(days=number - 1)
    if number < 1 or day.year != year:
        raise ValueError(f"no day {number} in {year}")
    return day.isoformat()


def _week_period(value: str, day: dt.date) -> str:
    """Return ``day`` as read from ``value``, coarsened when ``value`` is a week without a day.

    The week's month when its seven days lie in one month, else its ISO year (the year the
    value names; a week across New Year lies in no one period: the coarsest that is stated).
    """
    if not _WEEK_RE.match(value):
        return day.isoformat()
    sunday = day + dt.timedelta(days=6)
    if (day.year, day.month) == (sunday.year, sunday.month):
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.isocalendar().year:04d}"


def _refuse_what_dateutil_would_misread(value: str) -> None:
    """Raise ValueError for a negative year or an offset out of range (dateutil takes both)."""
    if _SIGNED_YEAR_RE.match(value):
        raise RefusedDateError(f"a year before year 1 in {value!r}")
    offset = _OFFSET_RE.search(value)
    if offset and offset.end() == len(value):
        hours, minutes = int(offset[1]), int(offset[2] or 0)
        if hours > 23 or minutes > 59:  # the clock's own bounds
            raise RefusedDateError(f"a UTC offset out of range in {value!r}")


def _century(year: int) -> int:
    """Return a two-digit year in dateutil's century: the one within 50 years of today."""
    if year >= 100:
        return year
    this_year = dt.datetime.now(tz=dt.UTC).year
    year += this_year // 100 * 100
    if year >= this_year + 50:
        return year - 100
    if year < this_year - 50:
        return year + 100
    return year
