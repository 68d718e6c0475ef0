"""Dated events: sentences that report something happening on a resolved date.

``find_events`` reads an article's text and its temporal expressions (from
``timex.find.find_timexes``) and turns every sentence that names a day (or, failing that, a month)
into a ``DatedEvent``.
Sentences come from ``storyline.text.sentences``, the splitter every stage shares.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from typing import TYPE_CHECKING

from storyline.extract.timex.ranges import range_pairs
from storyline.extract.timex.stamps import after_stamp, is_stamp, page_stamps
from storyline.models import DatedEvent
from storyline.text.cues import REPORTING_PATTERN
from storyline.text.sentences import sentence_spans

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from storyline.models import TimeExpr

__all__ = ["find_events", "find_leads"]

_DAY_RE = re.compile(r"^\d{4}-\d\d-\d\d")
_MONTH_RE = re.compile(r"^\d{4}-\d\d$")
# "the Kremlin said Wednesday", "announced on Tuesday": the date of the statement, not its content.
_REPORTING_RE = re.compile(
    rf"\b(?:{REPORTING_PATTERN})\s+(?:\w+\s+)?(?:on\s+|late\s+|early\s+)?$", re.IGNORECASE
)
_MAX_EVENT_CHARS = 600  # a "sentence" longer than this is a run of unsplit text, not an event


def _is_reporting(text: str, tx: TimeExpr, sent_start: int) -> bool:
    """Return True when the expression dates a statement ("said Wednesday"), not its content."""
    before = text[max(sent_start, tx.start - 40) : tx.start]
    return _REPORTING_RE.search(before) is not None


def _unit(value: str) -> str:
    """Return a DATE value as events date it: the day of a day or time, else the value."""
    return value[:10] if _DAY_RE.match(value) else value


def _event_id(article_id: str, start: int, date: str) -> str:
    return hashlib.sha256(f"{article_id}|{start}|{date}".encode()).hexdigest()[:16]


def find_events(
    text: str,
    *,
    article_id: str,
    published: dt.date | None,
    timexes: Sequence[TimeExpr],
    stamps: Sequence[tuple[int, int]] | None = None,
) -> list[DatedEvent]:
    """Return one event per sentence and resolved date it reports.

    A sentence's dates are the day-level values (``YYYY-MM-DD``, times keep their day) of the
    expressions inside it; month values (``YYYY-MM``) count only when it names no day. A date
    attached to a reporting verb ("the Kremlin said Wednesday") gives way to the other dates of
    the sentence, and is dropped when it is only the day of publication: that is when the
    article was written, not what it reports.

    Args:
        text: the article's clean text, the one ``timexes`` point into.
        article_id: id stored on each event (and as its first source).
        published: publication date of the article, if known.
        timexes: the article's temporal expressions, values already resolved.
        stamps: the page's time stamps (``timex.stamps.page_stamps``), when the caller has them.

    Returns:
        Events in text order; one sentence naming two days gives two events, unless they bound
        one span ("from 22 to 25 October"): that is one event with ``until`` its last day.
    """
    pub = published.isoformat() if published else None
    stamps = page_stamps(text, timexes) if stamps is None else stamps
    ordered = sorted(
        (tx for tx in timexes if tx.type in {"DATE", "TIME"} and not is_stamp(tx, stamps)),
        key=lambda tx: tx.start,
    )
    events: list[DatedEvent] = []
    i = 0
    for start, end in sentence_spans(text):
        while i < len(ordered) and ordered[i].start < start:
            i += 1
        inside: list[TimeExpr] = []
        j = i
        while j < len(ordered) and ordered[j].start < end:
            inside.append(ordered[j])
            j += 1
        if not inside or end - start > _MAX_EVENT_CHARS:
            continue
        content: list[str] = []
        reporting: list[str] = []
        months: list[str] = []
        written_at: dict[str, int] = {}  # date -> where its first expression starts
        for tx in inside:
            if _DAY_RE.match(tx.value):
                bucket = reporting if _is_reporting(text, tx, start) else content
                bucket.append(tx.value[:10])
                written_at.setdefault(tx.value[:10], tx.start)
            elif _MONTH_RE.match(tx.value):
                months.append(tx.value)
                written_at.setdefault(tx.value, tx.start)
        dates = content or [d for d in reporting if d != pub] or months
        # "from 22 to 25 October": one event from the first day until the last.
        until = {_unit(a.value): _unit(b.value) for a, b in range_pairs(text, inside)}
        dates = [d for d in dates if d in until or d not in until.values()]
        sentence = " ".join(text[after_stamp(text, start, end, stamps) : end].split())
        events.extend(
            DatedEvent(
                id=_event_id(article_id, start, date),
                article_id=article_id,
                date=date,
                text=sentence,
                start=start,
                end=end,
                sources=(article_id,),
                published=pub,
                date_at=written_at[date],
                until=until.get(date),
            )
            for date in dict.fromkeys(dates)
        )
    return events


def find_leads(
    text: str,
    *,
    article_id: str,
    published: dt.date | None,
    timexes: Sequence[TimeExpr],
    n: int = 5,
    stamps: Sequence[tuple[int, int]] | None = None,
) -> list[DatedEvent]:
    """Return the undated sentences among the first ``n``, dated on the publication day.

    A news lead reports the latest happening (that day or the day before) without naming the
    day; these are candidate sentences for a timeline, not references to a date.
    """
    if published is None:
        return []
    stamps = page_stamps(text, timexes) if stamps is None else stamps
    starts = sorted(
        tx.start for tx in timexes if tx.type in {"DATE", "TIME"} and not is_stamp(tx, stamps)
    )
    date = pub = published.isoformat()
    leads: list[DatedEvent] = []
    for start, end in sentence_spans(text)[:n]:
        k = bisect.bisect_left(starts, start)
        if (k < len(starts) and starts[k] < end) or end - start > _MAX_EVENT_CHARS:
            continue
        leads.append(
            DatedEvent(
                id=_event_id(article_id, start, date),
                article_id=article_id,
                date=date,
                text=" ".join(text[after_stamp(text, start, end, stamps) : end].split()),
                start=start,
                end=end,
                sources=(article_id,),
                published=pub,
            )
        )
    return leads
