"""Validation of JSONL/CSV rows: the trust boundary for structured input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ftfy
from dateutil import parser as dateutil_parser
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from storyline import errors
from storyline.errors import InputError
from storyline.models import InputFormat, RawArticle, content_hash

_KNOWN = ("id", "title", "source", "url", "published", "language", "text")
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
# "03/04/2015" is 3 April or 4 March: dateutil read it as month/day without a word. When both
# numbers could be the month and differ, only the year is sure (no config names a corpus's order)
_DAY_MONTH_RE = re.compile(r"\s*(\d{1,2})([/.-])(\d{1,2})\2\d{2,4}(?=$|[\sT,])")
# the article meta key that says why a publication date kept less than it seemed to give
PUBLISHED_NOTE = "published_note"


class ArticleRow(BaseModel):
    """One structured input row; unknown columns are kept aside as ``meta``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    text: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        # Numeric ids are common in CSV/JSONL exports; they are still ids.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


def parse_published(value: str) -> str:
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
    lie in, else its year. An ISO ordinal date ("2015-292") names a day. "03/04/2015" is 3 April
    or 4 March: only its year is sure (``published_note`` says so in the article's meta).
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
        _refuse_what_dateutil_would_misread(value)
        # parsed twice with different defaults: a part that changes is one the value lacks
        parsed = dateutil_parser.parse(value, default=dt.datetime(1, 1, 1), ignoretz=True)  # noqa: DTZ001
        other = dateutil_parser.parse(value, default=dt.datetime(1, 12, 28), ignoretz=True)  # noqa: DTZ001
        if parsed.year == 1:
            raise ValueError(f"no year in {value!r}") from None
        if ambiguous_day_month(value):
            return f"{parsed.year:04d}"
        if parsed.month != other.month:
            return f"{parsed.year:04d}"
        if parsed.day != other.day:
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return str(parsed.date().isoformat())


def ambiguous_day_month(value: str) -> bool:
    """Tell whether ``value`` starts with two numbers that could each be its month ("03/04/2015").

    "13/04/2015", "04/13/2015" and "04/04/2015" name one day whichever the order.
    """
    found = _DAY_MONTH_RE.match(value)
    if found is None:
        return False
    first, second = int(found[1]), int(found[3])
    return 1 <= first <= 12 and 1 <= second <= 12 and first != second


def published_note(value: str) -> dict[str, str]:
    """Return the meta entry that says a publication date lost its day to an ambiguous order."""
    if not ambiguous_day_month(value):
        return {}
    return {
        PUBLISHED_NOTE: f"{value!r}: day/month or month/day is not stated; only the year is kept"
    }


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
        raise ValueError(f"a year before year 1 in {value!r}")
    offset = _OFFSET_RE.search(value)
    if offset and offset.end() == len(value):
        hours, minutes = int(offset[1]), int(offset[2] or 0)
        if hours > 23 or minutes > 59:  # the clock's own bounds
            raise ValueError(f"a UTC offset out of range in {value!r}")


def row_to_article(record: dict[str, Any], locator: str, fmt: InputFormat) -> RawArticle:
    """Validate one row and turn it into a RawArticle.

    Raises:
        InputError: S103 when ``text`` is missing or empty, S111 when a field is invalid.
    """
    # NULs are dropped from stored text: a text of NULs alone is as empty as ""
    if not str(record.get("text") or "").replace("\x00", "").strip():
        raise InputError(errors.MISSING_FIELD, locator, "row has no 'text'")
    try:
        row = ArticleRow.model_validate(record)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(errors.INVALID_FIELD, locator, problems) from exc
    published = None
    if row.published:
        try:
            published = parse_published(row.published)
        except (ValueError, OverflowError) as exc:
            raise InputError(
                errors.INVALID_FIELD, locator, f"published: not a date ({row.published!r})"
            ) from exc
    text = ftfy.fix_text(row.text.replace("\r\n", "\n"), uncurl_quotes=False)
    title = ftfy.fix_text(row.title or "", uncurl_quotes=False)
    meta = {k: v for k, v in record.items() if k not in _KNOWN}
    if published:
        meta |= published_note(row.published or "")
    return RawArticle(
        id=row.id or content_hash(title, text),
        title=title,
        text=text,
        locator=locator,
        format=fmt,
        source=row.source or None,
        url=row.url or None,
        published=published,
        published_source="metadata" if published else "unknown",
        language=row.language or None,
        meta=meta,
    )
