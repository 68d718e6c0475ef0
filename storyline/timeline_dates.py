"""Timeline days: day arithmetic on stored dates, and the size a story gives its timeline.

``story_sized`` keeps the dates independent outlets corroborate (``storyline timeline
--corroborated``); the day helpers take stored values (a day, or a month the text gave) and
answer 0 or "" where a month has no day to count from.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storyline.outlets import count_outlets

__all__ = ["day_before", "days_between", "next_day", "story_sized"]

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from storyline.models import TimelineEntry


def next_day(day: str) -> str:
    """Return the day after ``day``; "" for a month or a date the calendar lacks."""
    try:
        return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    except ValueError:  # a stored date the calendar lacks: it has no next day
        return ""


def day_before(day: str) -> str:
    """Return the day before ``day``; "" for a month or a date the calendar lacks."""
    try:
        return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
    except ValueError:  # a stored date the calendar lacks: it has no day before
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
