"""Timelines: merge the dated events of a story and pick the dates and sentences that tell it.

``merge_events`` joins the reports of one happening (same date, shared content words) into one
event with all its sources; ``build_timeline`` ranks dates by how many articles refer to them
(DATEWISE-style counts, ``rank_dates``) and keeps, per date, the most central sentences (TF-IDF
similarity to the other sentences of that date and to the whole story).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.models import DatedEvent, TimelineEntry
from storyline.text.calendar import MONTH_ABBREVIATIONS, MONTH_NAMES, WEEKDAY_NAMES
from storyline.text.words import BROAD_STOP_WORDS, plural_stem, words
from storyline.timeline_dates import day_before, days_between, rank_dates, story_sized
from storyline.timeline_dates import sources as _sources
from storyline.timeline_places import Participant, named_in

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = [
    "Participant",
    "TimelineSettings",
    "build_timeline",
    "date_leads",
    "merge_events",
    "rank_dates",
]


_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Words that say when or how something was reported, not what happened.
_CALENDAR_WORDS = (
    frozenset(MONTH_NAMES)
    | frozenset(WEEKDAY_NAMES)
    | MONTH_ABBREVIATIONS
    | words("today yesterday tomorrow tonight week month year day night morning evening afternoon")
    | words("said says say told tell reported announced added according")
)
STORY_WEIGHT = 1.0
MERGE_THRESHOLD = 0.2  # IDF-weighted share of the shorter sentence's content words
_MIN_SHARED = 2  # one shared word ("Syria") is topic, not happening
_NEAR_DUPLICATE = 0.3  # cosine above which a second sentence mostly repeats the first
_MIN_WORDS, _MAX_WORDS = 8, 40  # shorter is a caption or headline, longer reads as a paragraph


@dataclass(frozen=True, slots=True)
class TimelineSettings:
    """What ``build_timeline`` keeps; the ``[timeline]`` section of defaults.toml sets these.

    The defaults equal the packaged defaults.toml (a test holds them equal); their provenance is
    written there.
    """

    # a story sizes its own timeline: the dates at least min_outlets outlets report, at most
    # max_dates of them
    max_dates: int = 30
    min_outlets: int = 2
    # a date next to a kept date is the same happening told a day later (or earlier) when at
    # least this share of its articles repeat a report of the kept date (the merge_events rule)
    same_happening_share: float = 0.5
    # ...but only on a sparse timeline (fewer kept dates per day of its span than this)
    sparse_density: float = 0.25
    merge_threshold: float = MERGE_THRESHOLD
    # an undated lead ("X has won the election") is told on the day its article's first
    # dated sentence gives, when that day is at most this many days before publication
    happening_days: int = 6


def _content_words(text: str) -> frozenset[str]:
    """Return the stemmed words of ``text`` that carry content (no stop, calendar or number)."""
    words = (plural_stem(w) for w in _WORD_RE.findall(text))
    return frozenset(
        w
        for w in words
        if len(w) > 1 and not w.isdigit() and w not in BROAD_STOP_WORDS and w not in _CALENDAR_WORDS
    )


def _idf(bags: Iterable[frozenset[str]]) -> dict[str, float]:
    bags = list(bags)
    df = Counter(w for bag in bags for w in bag)
    n = len(bags)
    return {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}


def _overlap(a: frozenset[str], b: frozenset[str], idf: dict[str, float]) -> float:
    """Return the IDF-weighted share of the smaller bag that the other bag also has."""
    shared = a & b
    if len(shared) < _MIN_SHARED:
        return 0.0
    weight = sum(idf[w] for w in shared)
    return weight / min(sum(idf[w] for w in a), sum(idf[w] for w in b))


def merge_events(
    events: Sequence[DatedEvent], *, threshold: float = MERGE_THRESHOLD
) -> list[DatedEvent]:
    """Merge the reports of one happening into one event that lists all their sources.

    Two events are one happening when they carry the same date and share at least two content
    words that make up ``threshold`` of the shorter sentence's IDF-weighted content (IDF over
    the events given). A merged event keeps the text and span of its first report.

    Returns:
        Events ordered by date, then by first appearance.
    """
    bags = [_content_words(e.text) for e in events]
    idf = _idf(bags)
    by_date: dict[str, list[int]] = defaultdict(list)
    for i, event in enumerate(events):
        by_date[event.date].append(i)
    merged: list[DatedEvent] = []
    for date in sorted(by_date):
        groups: list[list[int]] = []
        for i in by_date[date]:
            best, best_score = None, threshold
            for group in groups:
                score = max(_overlap(bags[i], bags[j], idf) for j in group)
                if score >= best_score:
                    best, best_score = group, score
            if best is None:
                groups.append([i])
            else:
                best.append(i)
        for group in groups:
            sources = dict.fromkeys(s for i in group for s in _sources(events[i]))
            merged.append(replace(events[group[0]], sources=tuple(sources)))
    return merged


def build_timeline(
    events: Sequence[DatedEvent],
    *,
    max_dates: int | None = None,
    sentences_per_date: int = 1,
    keywords: Sequence[str] = (),
    story_id: str = "",
    leads: Sequence[DatedEvent] = (),
    participants: Mapping[str, Sequence[Participant]] | None = None,
    untrusted: Collection[str] = (),
    outlets: Mapping[str, str | None] | None = None,
    settings: TimelineSettings | None = None,
) -> list[TimelineEntry]:
    """Return a timeline of the events: its dates in order, each with its central sentences.

    Dates are ranked by ``rank_dates`` (articles referring to them, DATEWISE-style) and the
    top ``max_dates`` kept (all when None, or, given ``outlets``, the story's own size:
    ``story_sized``). For each date the sentences are scored by TF-IDF
    cosine to the centroid of that date's reports plus ``STORY_WEIGHT`` times the cosine to the
    whole story's centroid; the best are kept, near-duplicates skipped. Sentences with one of
    the ``keywords``, written on or after the date (not previews) and of 8 to 40 words come
    first. An entry's sources are the articles whose reports merge with a kept sentence (the
    ``merge_events`` rule).

    Args:
        events: dated events of one story, merged or not.
        max_dates: number of dates to keep, the most referred to.
        sentences_per_date: sentences to keep per date.
        keywords: words that mark on-topic sentences (case-insensitive).
        story_id: stored on every entry.
        leads: undated lead sentences dated on their publication day (``find_leads``); they
            do not count as references but are candidates for that day and the day before;
            the articles they come from add weight to one of the two (``rank_dates``), or to
            the happening's day when a dated sentence of the article repeats the lead
            (``date_leads``, within ``settings.happening_days`` of publication).
        participants: article id -> its entity mentions; an entry's ``actors`` (people,
            organisations, countries that act) and ``place`` are those its sentences name.
        untrusted: articles whose copy is flagged untrustworthy (spun, spliced, misattributed);
            their sentences are told only when no other article reports the date.
        outlets: article id -> its outlet (None when unknown); with ``max_dates`` None the
            timeline keeps the dates that ``settings.min_outlets`` outlets report.
        settings: thresholds and sizes (``TimelineSettings()`` when None).

    Returns:
        Entries ordered by date; an entry's sources are the articles behind its sentences, and
        its ``until`` the end of the span a kept sentence gives ("from 22 to 25 October").
    """
    if not events:
        return []
    wanted = tuple(k.casefold() for k in keywords)
    settings = settings or TimelineSettings()
    # a lead its article dates counts for the happening's day, not the report's; as a
    # sentence it stays a candidate for the report's day and the day before (moving it there
    # too cost T17 dev AR1 0.195 -> 0.188: a lead tells the latest news best)
    happened = date_leads(
        events, leads, within=settings.happening_days, threshold=settings.merge_threshold
    )
    ranked = _rank_on_topic(events, happened, wanted)
    dates, absorbed = _one_date_per_happening(events, happened, ranked, max_dates, settings)
    texts = sorted({e.text for e in events} | {e.text for e in leads})
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)  # = BROAD_STOP_WORDS
    try:
        vectorizer.fit(texts)
    except ValueError:  # only stop words in every sentence: fall back to plain order
        vectorizer = None
    by_date: dict[str, list[DatedEvent]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for event in events:
        # A sentence an article repeats is page furniture (related links), not emphasis.
        key = (event.date, event.article_id, event.text)
        if key not in seen:
            seen.add(key)
            by_date[event.date].append(event)
    for event in absorbed:
        by_date[event.date].append(event)
    for lead in leads:
        by_date[lead.date].append(lead)
        if len(lead.date) == 10 and lead.date_at is None:
            by_date[day_before(lead.date)].append(replace(lead, date=day_before(lead.date)))
    story = _centroid(vectorizer, [e.text for e in events]) if vectorizer is not None else None
    entries: list[TimelineEntry] = []
    distrusted = frozenset(untrusted)
    for date in sorted(dates):
        group = by_date[date]
        chosen = _pick_sentences(
            group, vectorizer, wanted, sentences_per_date, story, untrusted=distrusted
        )
        actors, place = named_in(chosen, participants or {})
        entries.append(
            TimelineEntry(
                story_id=story_id,
                date=date,
                text=tuple(e.text for e in chosen),
                sources=_supporting(chosen, group, settings.merge_threshold),
                actors=actors,
                place=place,
                until=next((e.until for e in chosen if e.until and e.until > date), None),
            )
        )
    if max_dates is None and outlets is not None:
        return story_sized(
            entries,
            dates,
            outlets,
            min_outlets=settings.min_outlets,
            max_dates=settings.max_dates,
            untrusted=distrusted,
        )
    return entries


def date_leads(
    events: Sequence[DatedEvent],
    leads: Sequence[DatedEvent],
    *,
    within: int,
    threshold: float = MERGE_THRESHOLD,
) -> list[DatedEvent]:
    """Return the leads, each moved onto the day of the happening it reports when its article says.

    A lead has no time expression ("X has won the election"); when a dated sentence of the same
    article repeats it (the ``merge_events`` rule: "won the vote on Sunday") and that day is at
    most ``within`` days before publication, the lead is dated on it (``date_at`` that
    sentence's expression). Other leads keep their publication day (``date_at`` None: told on
    that day or the day before).
    """
    by_article: dict[str, list[DatedEvent]] = defaultdict(list)
    for event in events:
        days = days_between(event.date, event.published or "")
        if event.published and len(event.date) == 10 and 0 <= days <= within:
            by_article[event.article_id].append(event)
    if not by_article:
        return list(leads)
    bags = {e.text: _content_words(e.text) for e in (*events, *leads)}
    idf = _idf(bags.values())
    out = []
    for lead in leads:
        best, best_score = None, threshold
        for event in by_article.get(lead.article_id, ()) if lead.date_at is None else ():
            score = _overlap(bags[lead.text], bags[event.text], idf)
            if score >= best_score:
                best, best_score = event, score
        if best is None:
            out.append(lead)
        else:
            out.append(replace(lead, date=best.date, date_at=best.date_at or best.start))
    return out


def _on_topic(text: str, wanted: tuple[str, ...]) -> bool:
    return not wanted or any(k in text.casefold() for k in wanted)


def _rank_on_topic(
    events: Sequence[DatedEvent], leads: Sequence[DatedEvent], wanted: tuple[str, ...]
) -> list[str]:
    """Return the dates ranked on the reports that name a keyword, then the other dates.

    A date that only off-topic sentences mention (a sports fixture in a flu story) is ranked
    after every date an on-topic report gives; without keywords all reports count.
    """
    ranked = rank_dates(events, leads)
    if not wanted:
        return ranked
    first = rank_dates(
        [e for e in events if _on_topic(e.text, wanted)],
        [e for e in leads if _on_topic(e.text, wanted)],
    )
    told = set(first)
    return first + [d for d in ranked if d not in told]


def _one_date_per_happening(
    events: Sequence[DatedEvent],
    leads: Sequence[DatedEvent],
    ranked: Sequence[str],
    max_dates: int | None,
    settings: TimelineSettings,
) -> tuple[list[str], list[DatedEvent]]:
    """Return the dates to keep, best first, and the reports moved onto a kept neighbour.

    Dates are taken in rank order; a date one day from a kept (better-supported) date is the
    same happening told a day later (or earlier) when ``settings.same_happening_share`` of its
    articles either repeat that date's reports ("won the election" the day after the vote) or,
    written at the time (published on the date or the next day), date a report of their own on
    the kept day ("ruled on Monday" beside "today's press conference") and a dated report of
    the date shares the happening with one of the kept day's (``_one_happening``): the article
    tells one news across the two days. Its repeating reports join the kept date (as sources)
    and the next ranked date is taken instead, so the timeline has one date per happening. A
    date's articles include those whose undated lead may tell it (``leads``: published that day
    or the next), so a report day weighed only by the news of the day before is not a
    happening of its own.
    Dense timelines (``settings.sparse_density``) keep their dates as ranked.
    """
    days = sorted(d for d in ranked if len(d) == 10)
    span = days_between(days[0], days[-1]) + 1 if days else 1
    if (max_dates or len(ranked)) / span >= settings.sparse_density:
        return list(ranked[:max_dates] if max_dates is not None else ranked), []
    pool = [*events, *leads]  # reports, then leads: indices below len(events) are reports
    bags = [_content_words(e.text) for e in pool]
    idf = _idf(bags)
    by_date: dict[str, list[int]] = defaultdict(list)
    told: dict[str, list[int]] = defaultdict(list)  # a date's reports and leads that may tell it
    dated: dict[str, set[str]] = defaultdict(set)  # articles with a dated report of the day
    for i, event in enumerate(pool):
        if i < len(events):
            by_date[event.date].append(i)
            dated[event.date].update(_sources(event))
        told[event.date].append(i)
        if i >= len(events) and event.date_at is None and len(event.date) == 10:
            told[day_before(event.date)].append(i)
    kept: list[str] = []
    absorbed: list[DatedEvent] = []
    threshold = settings.merge_threshold

    def same_happening(date: str, k: str) -> bool:
        if abs(days_between(k, date)) != 1:
            return False
        if _told_with(date, told[date], pool, dated[k]) and _one_happening(
            by_date[date], by_date[k], bags
        ):
            return True
        repeated = _repeats(told[date], by_date[k], pool, bags, idf, threshold=threshold)
        return repeated >= settings.same_happening_share

    for date in ranked:
        if max_dates is not None and len(kept) >= max_dates:
            break
        host = next((k for k in kept if same_happening(date, k)), None)
        if host is None:
            kept.append(date)
            continue
        absorbed.extend(
            replace(events[i], date=host)
            for i in by_date[date]
            if any(_overlap(bags[i], bags[j], idf) >= threshold for j in by_date[host])
        )
    return kept, absorbed


def _told_with(
    date: str, minor: Sequence[int], events: Sequence[DatedEvent], host: set[str]
) -> bool:
    """Return whether every article that tells ``date`` tells it beside the host day, at the time.

    Each was published on ``date`` or the next day and dates a report of its own on the host
    day: no article tells ``date`` alone, nor looks back on it later (a look back weeks later
    that names both days lists them as two entries).
    """
    mine = {source for i in minor for source in _sources(events[i])}
    at_the_time = {
        source
        for i in minor
        if events[i].published and 0 <= days_between(date, events[i].published or "") <= 1
        for source in _sources(events[i])
    }
    return bool(mine) and mine == at_the_time and mine <= host


def _one_happening(
    minor: Sequence[int], major: Sequence[int], bags: Sequence[frozenset[str]]
) -> bool:
    """Return whether a dated report of the neighbour day tells the kept day's happening.

    It shares at least ``_MIN_SHARED`` content words (who, what, where) with one of the kept
    day's reports: an article written at the time may date two happenings a day apart (the
    security council on Tuesday night, the air strikes on Wednesday), and only shared words
    say they are one. One shared word is the story's topic, not its happening.
    """
    return any(len(bags[i] & bags[j]) >= _MIN_SHARED for i in minor for j in major)


def _repeats(
    minor: Sequence[int],
    major: Sequence[int],
    events: Sequence[DatedEvent],
    bags: Sequence[frozenset[str]],
    idf: dict[str, float],
    *,
    threshold: float,
) -> float:
    """Return the share of ``minor``'s articles with a report that repeats one of ``major``."""
    repeats: dict[str, bool] = {}
    for i in minor:
        hit = any(_overlap(bags[i], bags[j], idf) >= threshold for j in major)
        for source in _sources(events[i]):
            repeats[source] = repeats.get(source, False) or hit
    return sum(repeats.values()) / len(repeats) if repeats else 0.0


def _centroid(vectorizer: TfidfVectorizer, texts: list[str]) -> np.ndarray:
    """Return the unit-length mean TF-IDF vector of ``texts``."""
    mean = np.asarray(vectorizer.transform(texts).mean(axis=0)).ravel()
    norm = np.linalg.norm(mean)
    return mean / norm if norm else mean


def _supporting(
    chosen: list[DatedEvent], group: list[DatedEvent], threshold: float
) -> tuple[str, ...]:
    """Return the articles of ``group`` that report the same happening as a chosen sentence."""
    bags = [_content_words(e.text) for e in group]
    idf = _idf(bags)
    sources: dict[str, None] = {}
    for event in chosen:
        bag = _content_words(event.text)
        sources.update(dict.fromkeys(_sources(event)))
        for other, other_bag in zip(group, bags, strict=True):
            if other.text == event.text or _overlap(bag, other_bag, idf) >= threshold:
                sources.update(dict.fromkeys(_sources(other)))
    return tuple(sources)


def _pick_sentences(
    group: list[DatedEvent],
    vectorizer: TfidfVectorizer | None,
    keywords: tuple[str, ...],
    k: int,
    story: np.ndarray | None = None,
    *,
    untrusted: frozenset[str] = frozenset(),
) -> list[DatedEvent]:
    """Return up to ``k`` events of one date, most central first, without near-duplicates.

    Sentences of ``untrusted`` articles are left out when any other article reports the date.
    """
    trusted = [e for e in group if e.article_id not in untrusted]
    group = trusted or group
    if vectorizer is None:
        return group[:k]
    x = vectorizer.transform([e.text for e in group])
    # A report written before the day ("talks will be held on Friday") is a plan, not a record.
    preview = [e.published is not None and e.published < e.date for e in group]
    weights = np.array([float(len(_sources(e))) for e in group])
    if not all(preview):
        weights[np.array(preview)] = 0.0
    centroid = np.asarray(x.multiply(weights[:, None]).sum(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    sims = x @ (centroid / norm) if norm else np.zeros(len(group))
    if story is not None:
        sims = sims + STORY_WEIGHT * (x @ story)

    def rank(i: int) -> tuple[bool, bool, bool, float]:
        text = group[i].text
        n_words = len(text.split())
        on_topic = _on_topic(text, keywords)
        return (not on_topic, preview[i], not _MIN_WORDS <= n_words <= _MAX_WORDS, -float(sims[i]))

    chosen: list[int] = []
    for i in sorted(range(len(group)), key=rank):
        if all((x[i] @ x[j].T).toarray()[0, 0] < _NEAR_DUPLICATE for j in chosen):
            chosen.append(i)
        if len(chosen) == k:
            break
    return [group[i] for i in chosen]
