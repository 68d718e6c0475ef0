"""Timeline days: which dates a story's reports point to, and the size a story gives its timeline.

``rank_dates`` orders a story's dates by the articles that refer to them (DATEWISE-style);
``story_sized`` keeps the dates independent outlets corroborate (``storyline timeline
--corroborated``); the day helpers take stored values (a day, or a month the text gave) and
answer 0 or "" where a month has no day to count from.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from storyline.outlets import count_outlets

__all__ = ["day_before", "days_between", "next_day", "rank_dates", "sources", "story_sized"]

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from storyline.models import DatedEvent, TimelineEntry

LEAD_WEIGHT = 1.0  # an article whose lead tells the date's news counts as one reference
LATER_WEIGHT = 1.0  # an article citing the date days later counts twice
_LATER_DAYS = 2


def sources(event: DatedEvent) -> tuple[str, ...]:
    """Return the articles that report ``event`` (its own article when none are listed)."""
    return event.sources or (event.article_id,)


def rank_dates(
    events: Sequence[DatedEvent],
    leads: Sequence[DatedEvent] = (),
    *,
    lead_weight: float = LEAD_WEIGHT,
    later_weight: float = LATER_WEIGHT,
) -> list[str]:
    """Return the events' dates, most referred to first.

    A date's score is the number of articles that refer to it, plus ``later_weight`` per
    article that still refers to it two days or more after it (a date that is looked back on
    mattered), plus ``lead_weight`` per article whose lead tells that day's news (``leads``). A
    lead its article dates (``date_at`` set, ``date_leads``) counts for that day. An undated lead
    tells one happening, of its publication day or of the day before (news reports yesterday's
    happening): it counts for the one of the two that more articles' dated reports refer to (the
    publication day on a tie), not for both, which would weigh one happening on two days. Ties go
    to the date with more references.
    """
    refs: Counter[str] = Counter()
    articles: dict[str, set[str]] = defaultdict(set)
    later: dict[str, set[str]] = defaultdict(set)
    for event in events:
        refs[event.date] += len(sources(event))
        articles[event.date].update(sources(event))
        if event.published and days_between(event.date, event.published) >= _LATER_DAYS:
            later[event.date].update(sources(event))
    told: dict[str, set[str]] = defaultdict(set)  # day -> articles whose lead tells its news
    for lead in leads:
        day = lead.date
        if lead.date_at is None and len(articles[day_before(day)]) > len(articles[day]):
            day = day_before(day)
        told[day].update(sources(lead))
    score = {
        d: len(articles[d]) + later_weight * len(later[d]) + lead_weight * len(told.get(d, ()))
        for d in refs
    }
    return sorted(refs, key=lambda d: (-score[d], -refs[d], d))


def next_day(day: str) -> str:
    """Return the day after ``day``; "" for a month or a date the calendar lacks."""
    try:
        return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    # OverflowError: 9999-12-31 (a valid date) has no next day in the calendar dates reach
    except (ValueError, OverflowError):  # a stored date the calendar lacks: no next day
        return ""


def day_before(day: str) -> str:
    """Return the day before ``day``; "" for a month or a date the calendar lacks."""
    try:
        return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
    # OverflowError: 0001-01-01 has no day before it: one article so dated made its storyline's
    # timeline an S199 row
    except (ValueError, OverflowError):  # a stored date the calendar lacks: no day before
        return ""


def days_between(date: str, published: str) -> int:
    """Return the days from ``date`` (day or month) to ``published``; 0 when not comparable."""
    if len(date) != 10 or len(published) < 10:
        return 0
    try:
        return (dt.date.fromisoformat(published[:10]) - dt.date.fromisoformat(date)).days
    except ValueError:
        return 0


def story_sized(
    entries: Sequence[TimelineEntry],
    ranked: Sequence[str],
    outlets: Mapping[str, str | None],
    *,
    min_outlets: int,
    max_dates: int,
    untrusted: Collection[str] = (),
) -> list[TimelineEntry]:
    """Return the entries whose date is reported by ``min_outlets`` independent outlets.

    At most ``max_dates`` of them, the best ranked (``ranked``, best first). As the claims
    count, a page flagged untrustworthy (``untrusted``) corroborates nothing. A story no date of
    which has that support (one outlet told it) keeps its best ``max_dates`` dates as they are.
    """
    rank = {d: i for i, d in enumerate(ranked)}
    by_rank = sorted(entries, key=lambda e: rank.get(e.date, len(rank)))
    backed = [
        e
        for e in by_rank
        if count_outlets((a for a in e.sources if a not in untrusted), outlets) >= min_outlets
    ]
    kept = (backed or by_rank)[:max_dates]
    return sorted(kept, key=lambda e: e.date)
