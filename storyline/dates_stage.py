"""The dates stage: each pending article's publication date and resolved time expressions.

The stage declares its work, writes and counts (``dates_stage``); ``article_runner`` reads
pending articles, dates them on the executor and stores them a chunk at a time. An article
that makes dating raise is a Rejected row naming the stage, and a stored publication date
that is not a date is replaced and flagged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import TYPE_CHECKING

from storyline.article_runner import ArticleStage, run_articles
from storyline.boundary import Failure, guard
from storyline.errors import INVALID_FIELD
from storyline.extract.events import find_events, find_leads
from storyline.extract.timex.find import find_timexes, infer_publication
from storyline.extract.timex.stamps import page_stamps

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from concurrent.futures import Executor

    from storyline.boundary import RunTally
    from storyline.models import CleanArticle, DatedEvent, PublishedPrecision, TimeExpr
    from storyline.store import Store
    from storyline.summaries import StageSummary

_STAMP_LINES = 12  # removed lines this near the top may carry the page's time stamp
_WINDOW = "dates.window.v1"  # the CorpusWindow the stored guessed dates were made within


@dataclasses.dataclass(frozen=True, slots=True)
class DatedArticle:
    """What the dates stage found in one article."""

    article_id: str
    published: str | None
    published_source: str
    published_confidence: float
    timexes: tuple[TimeExpr, ...]
    events: tuple[DatedEvent, ...] = ()
    leads: tuple[DatedEvent, ...] = ()
    invalid_published: str | None = None  # a stored date that is not one ("yesterday")
    published_precision: PublishedPrecision = "day"


@dataclasses.dataclass(frozen=True, slots=True)
class CorpusWindow:
    """The span of time a corpus's dated articles cover, which bounds undated ones.

    Taken at the start of each run from every stored metadata day, so it is corpus-dependent
    on purpose. The window a run dated with is stored (``_WINDOW``): when later articles move
    it, every article whose date was guessed (or could not be) is dated again within the new
    one (``_redate``), so an incrementally grown store equals one dated from scratch.
    """

    earliest: dt.date | None = None
    latest: dt.date | None = None

    def dump(self) -> bytes:
        """Return the window as stored state (JSON: its two days, ISO, or nulls)."""
        days = [d.isoformat() if d else None for d in (self.earliest, self.latest)]
        return json.dumps(days).encode()

    @classmethod
    def of(cls, dates: Iterable[str]) -> CorpusWindow:
        """Return the window around known publication dates, a year of slack on each side."""
        # a stored value that is not a date bounds nothing (its article is flagged when dated)
        known = sorted(filter(None, (_iso_date(d) for d in dates)))
        if not known:
            return cls()
        # clamped: an article dated 0001-01-01 or 9999-12-31 (both valid dates) overflowed
        # the window, and every later run on that store ended in OverflowError
        slack = dt.timedelta(days=366)
        earliest = known[0] - slack if known[0] > dt.date.min + slack else dt.date.min
        latest = known[-1] + slack if known[-1] < dt.date.max - slack else dt.date.max
        return cls(earliest, latest)


def _iso_date(value: str) -> dt.date | None:
    """Return the day an ISO date (or date-time) names, or None when it is not one."""
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def date_article(article: CleanArticle, window: CorpusWindow | None = None) -> DatedArticle:
    """Infer the publication date when metadata has none, then resolve the article's timexes.

    A stored publication date that is not a date (written by an older version that did not
    check ``--published``) is treated as missing, and reported in ``invalid_published``.
    """
    published, source, confidence, precision = (
        article.published,
        article.published_source,
        article.published_confidence,
        article.published_precision,
    )
    invalid = None
    if source == "inferred":
        # this stage's own guess, from an earlier version of it: guessed again, as a run of
        # this code from scratch would (metadata dates are never guessed over)
        published, source, confidence, precision = None, "unknown", 0.0, "day"
    if published is not None and _iso_date(published) is None:
        invalid, published, source, confidence = published, None, "unknown", 0.0
    if published is None:
        # an article cannot be published in the future, nor far outside its corpus's window
        today = dt.datetime.now(tz=dt.UTC).date()
        window = window or CorpusWindow()
        guess = infer_publication(
            article.text,
            title=article.title,
            today=min(today, window.latest or today),
            earliest=window.earliest,
            # a page's time stamp is boilerplate to the cleaner but the best date evidence
            head="\n".join(r.text for r in article.removed if r.line_no < _STAMP_LINES),
        )
        if guess.day is not None:
            published, source, confidence = guess.day.isoformat(), "inferred", guess.confidence
            precision = guess.precision
    anchor = _iso_date(published) if published else None
    timexes = find_timexes(article.text, anchor=anchor, article_id=article.id, precision=precision)
    text, aid = article.text, article.id
    stamps = page_stamps(text, timexes)  # read once, used by both
    # a month or year is no day: nothing is dated on an invented day of publication
    day = anchor if precision == "day" else None
    events = find_events(text, article_id=aid, published=day, timexes=timexes, stamps=stamps)
    leads = find_leads(text, article_id=aid, published=day, timexes=timexes, stamps=stamps)
    return DatedArticle(
        article.id,
        published,
        source,
        confidence,
        tuple(timexes),
        tuple(events),
        tuple(leads),
        invalid,
        precision,
    )


def date_chunk(
    articles: Sequence[CleanArticle], window: CorpusWindow
) -> list[DatedArticle | Failure]:
    """Date a chunk of articles (``date_article`` on each), in input order.

    An article that makes dating raise comes back as a Failure; the others are dated.
    """
    dater = functools.partial(_date_one, window=window)
    return [guard("dates", dater, article, article.id) for article in articles]


def _date_one(article: CleanArticle, window: CorpusWindow) -> DatedArticle:
    # looked up at call time, so a test can replace ``dates_stage.date_article``
    return date_article(article, window)


def _invalid_date(dated: DatedArticle) -> Failure:
    reason = f"stored publication date {dated.invalid_published!r} is not an ISO date: ignored"
    return Failure("dates", dated.article_id, INVALID_FIELD, reason, "")


def date_work(
    articles: Sequence[CleanArticle], window: CorpusWindow
) -> list[DatedArticle | Failure]:
    """The dates stage's work on one chunk (``date_chunk``, looked up at call time for tests)."""
    return date_chunk(articles, window)


def _set_dates(store: Store, results: list[DatedArticle], failed: list[Failure]) -> None:
    # a bad stored date is replaced (by an inferred one, or none) and the article flagged; an
    # earlier guess that the current window no longer allows is replaced by none
    store.set_published(
        [
            (
                r.article_id,
                r.published,
                r.published_source,
                r.published_confidence,
                r.published_precision,
            )
            for r in results
            if r.published_source != "metadata" or r.invalid_published is not None
        ]
    )
    store.save_stage(
        "dates",
        [r.article_id for r in results] + [f.item_id for f in failed],
        timexes=[t for r in results for t in r.timexes],
        events=[(e, False) for r in results for e in r.events]
        + [(e, True) for r in results for e in r.leads],
    )


def _count_dates(results: Sequence[DatedArticle], _failed: Sequence[Failure]) -> dict[str, int]:
    return {
        "dated": len(results),
        "inferred": sum(r.published_source == "inferred" for r in results),
        "unknown": sum(r.published is None for r in results),
        "timexes": sum(len(r.timexes) for r in results),
    }


def _invalid_dates(results: Sequence[DatedArticle]) -> list[Failure]:
    return [_invalid_date(r) for r in results if r.invalid_published is not None]


def _window(store: Store) -> CorpusWindow:
    return CorpusWindow.of(store.known_dates())


def _redate(store: Store, window: CorpusWindow) -> set[str]:
    """Return the dated articles to date again, if the window moved: those it can change.

    The window bounds only the days a text states (``infer_publication``'s candidates: a
    stamp, a full date, a date with its weekday). A guess always had one, so every guessed
    article is dated again; an undated one only when the store holds such a day for it
    (``Store.undated_done``, a read: the inference itself is not run twice). One that
    states no day stays undated whatever the window, so a daily feed moving the window
    each run does not re-date it. A stored guess is treated as missing (``date_article``),
    so each is dated as a run from scratch dates it; a metadata date is never guessed over.
    A store without a saved window (dated before it was saved) is dated again once.
    """
    if store.get_state(_WINDOW) == window.dump():
        return set()
    return store.undated_done("dates", _STAMP_LINES)


def _save_window(store: Store, window: CorpusWindow) -> None:
    # saved only once every selected article is dated within it: a run interrupted before
    # leaves the old window stored, so the next run finds the window moved again and
    # selects every guessed or undated article that can change once more (done or not).
    # The window the run dated with, not one taken again now: an article stored meanwhile
    # (watch, web) with a new metadata day moves it, and the next run must see that move.
    if store.get_state(_WINDOW) != window.dump():
        store.set_state(_WINDOW, window.dump())


def dates_stage(chunk: int = 64) -> ArticleStage:
    """Declare the dates stage for ``article_runner``: pending articles, ``chunk`` at a time."""
    used: list[CorpusWindow] = []  # the window ``prepare`` took, for ``finish`` to save

    def prepare(store: Store) -> CorpusWindow:
        used.append(_window(store))
        return used[-1]

    def finish(store: Store, totals: dict[str, int]) -> dict[str, int]:
        _save_window(store, used[-1])
        return totals

    return ArticleStage(
        "dates",
        work=date_work,
        save=_set_dates,
        count=_count_dates,
        chunk=chunk,
        prepare=prepare,
        flag=_invalid_dates,
        redo=_redate,
        finish=finish,
    )


def run_dates(
    store: Store,
    executor: Executor | None,
    *,
    tally: RunTally | None = None,
    chunk: int = 64,
) -> StageSummary:
    """Date pending articles: inferred publication dates and resolved time expressions.

    Chunk by chunk (``article_runner``): each chunk's results are stored before the next is read.
    """
    return run_articles(dates_stage(chunk), store, executor, tally)
