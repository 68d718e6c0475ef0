"""What claims read of the per-article stages: each article's resolved days and its quotes.

The dates stage stores every time expression resolved against the article's publication date
(at its precision), and the nlp stage stores every attributed quote with its span; claims read
those (``Extracted.of``) rather than finding them again. Only what claims use is kept (days as
ISO values, quotes as their words), so a storyline's briefing mark does not move when a quote's
canonical speaker or a non-day timex changes.

``Extracted.found_in`` is the fallback for callers that hold articles but no store (the library
functions ``find_claims``/``brief_story`` on bare articles, their tests): it resolves the
timexes itself and takes every quoted stretch of 5+ words between quote marks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.extract.timex.find import find_timexes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from storyline.models import CleanArticle, Quote, TimeExpr

_ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUOTE_RE = re.compile(r"[\"“]([^\"“”]{10,400})[\"”]")
# a quote shorter than this is a phrase ("a 'red line'"), too short to compare or to group
_MIN_QUOTE_WORDS = 5
# indirect speech has no words of the speaker's own: it neither groups nor contradicts
_QUOTED_KINDS = ("direct", "mixed")


@dataclass(frozen=True, slots=True)
class Extracted:
    """One article's dated spans and quotes, as claims read them."""

    article_id: str
    days: tuple[tuple[int, str], ...]  # (start, ISO day) of each DATE timex naming a day
    # the words of each quote (5+ words), spaces folded, in text order; None: not stored, a
    # statement's quotes are the stretches between its quote marks
    quotes: tuple[str, ...] | None
    # the days among ``days`` that the page writes with their number ("10 March", "2026-03-10"),
    # not resolved from a weekday or "yesterday": what date conflicts compare, since "on
    # Thursday" in two pages published a week apart names two days without disagreeing
    written: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, article_id: str, timexes: Iterable[TimeExpr], quotes: Iterable[Quote]) -> Extracted:
        """Return what the stored timexes and quotes of one article give claims."""
        dated = [
            t
            for t in sorted(timexes, key=lambda t: (t.start, t.end))
            if t.type == "DATE" and _ISO_DAY_RE.match(t.value)
        ]
        ordered = sorted(quotes, key=lambda q: (q.start, q.end, q.id))
        found = (_fold(q.text) for q in ordered if q.kind in _QUOTED_KINDS)
        return cls(
            article_id,
            tuple((t.start, t.value) for t in dated),
            tuple(q for q in found if len(q.split()) >= _MIN_QUOTE_WORDS),
            tuple((t.start, t.value) for t in dated if any(c.isdigit() for c in t.text)),
        )

    @classmethod
    def found_in(cls, article: CleanArticle) -> Extracted:
        """Return the same, found in the article's text (for a caller without a store)."""
        timexes = find_timexes(article.text, anchor=anchor(article), article_id=article.id)
        found = cls.of(article.id, timexes, ())
        return cls(article.id, found.days, None, found.written)

    def quotes_in(self, statement: str) -> list[str]:
        """Return the article's quotes that the statement (spaces folded) holds."""
        if self.quotes is None:
            return marked_quotes(statement)
        return [q for q in self.quotes if q in statement]


def marked_quotes(text: str) -> list[str]:
    """Return the stretches of 5+ words between quote marks (when no quotes are stored)."""
    found = _QUOTE_RE.findall(text)
    return [q.strip(" ,.") for q in found if len(q.split()) >= _MIN_QUOTE_WORDS]


def anchor(article: CleanArticle) -> dt.date | None:
    """Return the article's publication day, None when only its month or year is known."""
    if article.published_precision != "day":
        return None  # only the month or year is known: no day to anchor on or to compare
    try:
        return dt.date.fromisoformat(article.published[:10]) if article.published else None
    except ValueError:
        return None


def _fold(text: str) -> str:
    """Return a quote's words with spaces folded and edge punctuation dropped."""
    return " ".join(text.split()).strip(" ,.")
