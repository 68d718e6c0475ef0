"""Small frozen records that the pipeline stages pass to each other.

Records refer to each other by id, never by nesting, so that one record is one row in the
store and is cheap to pickle for a process pool or a Dask worker.

Flow: ``RawArticle -> CleanArticle -> (TimeExpr, Quote, Mention, Entity) -> Story``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

InputFormat = Literal["txt", "html", "jsonl", "csv", "warc"]
FormatChoice = Literal["auto", "txt", "html", "jsonl", "csv", "warc"]  # --format: auto detects
FORMATS: tuple[FormatChoice, ...] = ("auto", "txt", "html", "jsonl", "csv", "warc")
PublishedSource = Literal["metadata", "inferred", "unknown"]
# How much of a publication date is known: a day the source states, or only its month or year
# (then ``published`` holds the period's first day and that day itself is unknown).
PublishedPrecision = Literal["day", "month", "year"]
QuoteKind = Literal["direct", "indirect", "mixed"]
TimexType = Literal["DATE", "TIME", "DURATION", "SET"]

_SPACE_RE = re.compile(r"\s+")


def normalise_content(title: str, text: str) -> str:
    """Return the form of an article that its content hash is computed from."""
    joined = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return _SPACE_RE.sub(" ", joined).strip()


def content_hash(title: str, text: str) -> str:
    """Return a short stable hash of an article's normalised title and text."""
    return hashlib.sha256(normalise_content(title, text).encode("utf-8")).hexdigest()[:16]


# A year or month given as the whole publication date by metadata (a JSONL row's "2015", a
# page's copyright year) has the right year about half the time: 5 of 11 year-only dates of
# ~1,000 news and blog pages (issue #21's measurement), so it is not worth metadata's 1.0.
COARSE_METADATA_CONFIDENCE = 0.45
_PERIOD_RE = re.compile(r"(\d{4})(?:-(\d\d))?")


def published_period(value: str | None) -> tuple[str | None, PublishedPrecision]:
    """Return an ISO date, month or year as (the period's first day, its precision).

    >>> published_period("2015"), published_period("2015-03"), published_period("2015-03-10")
    (('2015-01-01', 'year'), ('2015-03-01', 'month'), ('2015-03-10', 'day'))
    """
    if value is None or len(value) >= len("YYYY-MM-DD"):
        return value, "day"
    found = _PERIOD_RE.fullmatch(value)
    if found is None:
        return value, "day"
    year, month = found.groups()
    return f"{year}-{month or '01'}-01", "month" if month else "year"


def published_confidence(source: PublishedSource, precision: PublishedPrecision) -> float:
    """Return how far a publication date that came with the article can be trusted."""
    if source != "metadata":
        return 0.0
    return 1.0 if precision == "day" else COARSE_METADATA_CONFIDENCE


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as a reader found it, before any cleaning."""

    id: str  # the input's own id, else the content hash
    title: str
    text: str  # body as extracted, boilerplate still in
    locator: str  # where it came from: path, path:line, path@warc-offset
    format: InputFormat
    source: str | None = None  # outlet
    url: str | None = None
    # ISO date (YYYY-MM-DD); YYYY-MM or YYYY when the source gives no day (``published_period``)
    published: str | None = None
    published_source: PublishedSource = "unknown"
    language: str | None = None
    raw_sha256: str | None = None  # hash of the raw bytes the article was read from
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line the cleaner dropped, kept with the reason so nothing is lost."""

    line_no: int  # 0-based index into the raw text's lines
    text: str
    reason: str  # a code such as "newsletter", "related", "caption", "url", "bio", "repeated"
    score: float


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """An article with page boilerplate removed; ``text`` is what later stages read."""

    id: str
    title: str
    text: str
    locator: str
    format: InputFormat
    content_hash: str
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO day; the period's first day unless precision is "day"
    published_source: PublishedSource = "unknown"
    published_confidence: float = 0.0
    language: str | None = None
    raw_sha256: str | None = None
    removed: tuple[RemovedLine, ...] = ()
    published_precision: PublishedPrecision = "day"
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not become an article, with a stable error code."""

    locator: str  # path, path:line, path@offset
    code: str  # "S101" ... see errors.py
    reason: str


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A temporal expression found in an article's clean text, normalised TimeML-style."""

    article_id: str
    start: int
    end: int
    text: str
    type: TimexType
    value: str  # "2015-10-22", "2015-W43", "P3W", "PAST_REF", ...
    anchor: str | None  # the date the value was resolved against, ISO


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an entity in one article."""

    article_id: str
    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, LOC, NORP, EVENT, ...


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation or place with its aliases merged across the corpus."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """Who said what: a direct, indirect or mixed quote with its speaker."""

    id: str
    article_id: str
    speaker: str | None  # canonical entity name; None = unattributed, never a guess
    speaker_text: str | None  # as written ("he", "Mr Putin")
    cue: str  # "said", "told reporters", "according to"
    kind: QuoteKind
    text: str  # content only, without the quote marks
    start: int  # char span of the content in CleanArticle.text
    end: int
    nested_in: str | None = None  # id of the quote this one is quoted inside
    speaker_entity_id: str | None = None
    # id of the first piece of a quotation printed in pieces (same speaker and cue, one sentence
    # or paragraph run), set on every piece; None for a quote in one piece. Not stored (yet).
    attribution_id: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """A group of articles: an event (level "event") inside a storyline (level "storyline")."""

    id: str
    label: str
    level: Literal["event", "storyline"]
    article_ids: tuple[str, ...]
    parent: str | None = None
    first_date: str | None = None
    last_date: str | None = None
    title: str | None = None  # readable: the most representative headline (titles.py)


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What one ingest did: the counts the CLI prints at the end."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: tuple[Rejected, ...] = ()

    @property
    def rejected_by_code(self) -> dict[str, int]:
        """Return how many inputs were rejected, per error code."""
        counts: dict[str, int] = {}
        for item in self.rejected:
            counts[item.code] = counts.get(item.code, 0) + 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class QualityReport:
    """How far an article's copy can be trusted: a 0..1 score, flag codes and their reasons."""

    article_id: str
    score: float  # 1 = trustworthy
    flags: tuple[str, ...] = ()  # "incoherent", "spliced", "attribution_mismatch", ...
    reasons: tuple[str, ...] = ()  # one human-readable reason per flag, same order


ClaimKind = Literal["corroborated", "single_source", "conflicting"]
ConflictKind = Literal["number", "date", "quote"]
Corroboration = Literal["corroborated", "single_source", "conflicting"]


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement made by one or more articles of a story, aligned across them."""

    id: str
    story_id: str
    text: str  # the representative statement, as one article wrote it
    article_ids: tuple[str, ...]  # every supporting article, copies included
    sources: tuple[str, ...]  # distinct outlets (or original article ids when no outlet)
    kind: ClaimKind  # "conflicting": its own articles disagree on a number, date or quote
    support: int = 1  # independent supporters: a copy counts once with its original per outlet
    statements: tuple[tuple[str, str], ...] = ()  # (article_id, sentence as written)
    numbers: tuple[tuple[str, str, str], ...] = ()  # (article_id, counted thing, value)
    date: str | None = None  # ISO date the statement names (the event's, not the page's)
    position: float = 1.0  # best relative position of a statement in its article (0 = lead)
    # words one of its articles quotes are not printed word for word by another of them (it
    # quotes them otherwise, "We are now thinking" / "We are contemplating", or reports them
    # unquoted): its text is one outlet's wording, never to be printed as the others'
    wording_differs: bool = False


@dataclass(frozen=True, slots=True)
class Conflict:
    """Values that disagree for one quantity, date or quote across a story's articles."""

    id: str
    story_id: str
    kind: ConflictKind
    subject: str  # the counted thing ("killed", "targets"), the event or the speaker
    values: tuple[tuple[str, tuple[str, ...]], ...]  # (value, article ids stating it)
    claim_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BriefingSentence:
    """One sentence of a briefing with the articles it comes from."""

    text: str
    citations: tuple[str, ...]  # article ids
    date: str | None = None
    corroboration: Corroboration = "single_source"
    claim_id: str | None = None
    flagged_only: bool = False  # every citation is a page flagged as untrustworthy copy
    wording_differs: bool = False  # its claim's ``wording_differs``: one outlet's wording


@dataclass(frozen=True, slots=True)
class Briefing:
    """A short cited summary of one story."""

    story_id: str
    sentences: tuple[BriefingSentence, ...]
    conflicts: tuple[Conflict, ...] = ()
    titles: tuple[tuple[str, str, str], ...] = ()  # (article_id, outlet, title) of cited articles
    mode: str = "extractive"  # or "abstractive": sentences reworded by a model, citations kept
    note: str = ""  # why an abstractive briefing fell back to the extractive one
    all_flagged: bool = False  # every cited page is flagged as untrustworthy copy
    # the cited pages flagged as untrustworthy copy: a sentence trusted outlets carry may
    # also cite one, and its reference is marked wherever the briefing is shown
    flagged: tuple[str, ...] = ()


def briefing_sources(
    sentences: Iterable[BriefingSentence], conflicts: Iterable[Conflict]
) -> tuple[str, ...]:
    """Return the articles a briefing lists as its sources, numbered in this order.

    Each sentence's citations first, then the articles only a conflict cites: a bare id in
    "where the sources differ" names nothing a reader can look up.
    """
    listed = dict.fromkeys(a for s in sentences for a in s.citations)
    listed.update(dict.fromkeys(a for c in conflicts for _, ids in c.values for a in ids))
    return tuple(listed)


@dataclass(frozen=True, slots=True)
class DatedEvent:
    """A sentence reporting something that happened on a resolved date, with its sources."""

    id: str
    article_id: str
    date: str  # ISO day (YYYY-MM-DD), or month (YYYY-MM) when the text says no more
    text: str  # the sentence
    start: int  # char span of the sentence in CleanArticle.text
    end: int
    sources: tuple[str, ...] = ()  # article ids that report it; merging fills this
    published: str | None = None  # ISO publication day of the reporting article
    date_at: int | None = None  # char offset of the expression that gives the date
    until: str | None = None  # last day (or month) when the sentence gives a span ("22-23 Oct")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One date of a story's timeline: what happened then and which articles say so."""

    story_id: str
    date: str  # ISO
    text: tuple[str, ...]  # selected sentences, most central first
    sources: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()  # canonical names of the people and organisations named
    place: str | None = None  # the first place named
    until: str | None = None  # end of the span when the kept sentence gives one; date starts it

    @property
    def id(self) -> str:
        """Return the entry's id: stable across runs, one date per story."""
        return timeline_entry_id(self.story_id, self.date)

    @property
    def corroborated(self) -> bool:
        """Return whether two or more articles independently report this date's happening."""
        return len(set(self.sources)) >= 2


def timeline_entry_id(story_id: str, date: str) -> str:
    """Return the id of a story's timeline entry for one date (DESIGN's Event id)."""
    return "t-" + hashlib.sha256(f"{story_id}|{date}".encode()).hexdigest()[:12]


# How a quote relates to its group's representative wording.
VariantMatch = Literal["representative", "verbatim", "partial", "reworded"]


@dataclass(frozen=True, slots=True)
class QuoteVariant:
    """One report of a grouped statement: a quote as one article gives it."""

    quote_id: str
    article_id: str
    outlet: str | None
    text: str
    kind: QuoteKind
    date: str | None  # the reporting article's publication day
    match: VariantMatch = "reworded"  # reworded covers a different translation
    flagged: bool = False  # the article is flagged as untrustworthy copy


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """One statement by one canonical speaker, as every article of a storyline reports it."""

    id: str  # "qg-" + hash of story id, speaker and representative wording
    story_id: str
    speaker: str
    representative: str  # the longest direct wording, else the longest indirect one
    representative_kind: QuoteKind
    variants: tuple[QuoteVariant, ...]
    first_date: str | None = None
    last_date: str | None = None
    outlets: int = 0  # independent outlets: a copy counts once, a flagged page never
    flagged_only: bool = False  # every report comes from a flagged page
