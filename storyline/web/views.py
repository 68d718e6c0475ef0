"""Pure helpers that shape rows for the templates: highlighted spans, SVG charts, pages.

Nothing here produces markup from article text: spans come back as (text, classes) pairs and
charts as numbers, so the templates escape every piece of untrusted text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.speaker_kinds import majority_kind

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of article text and the highlight kinds (``quote``, ``timex``) covering it."""

    text: str
    kinds: tuple[str, ...] = ()
    note: str = ""
    anchor: str = ""  # the id of a span starting here, so that links can point at it


Span = tuple[int, int, str, str, str]  # start, end, kind, note, anchor id


def highlight(text: str, spans: Sequence[Span]) -> list[Segment]:
    """Cut ``text`` into segments at every span edge.

    Overlapping spans are fine (a date inside a quote): a segment carries every kind that
    covers it. Spans outside the text are clipped or dropped.
    """
    size = len(text)
    clean = [(s, min(size, e), k, n, a) for s, e, k, n, a in spans if 0 <= s < e and s < size]
    edges = sorted({0, size, *(c[0] for c in clean), *(c[1] for c in clean)})
    segments: list[Segment] = []
    for begin, end in itertools.pairwise(edges):
        covering = [c for c in clean if c[0] <= begin and end <= c[1]]
        kinds = tuple(sorted({c[2] for c in covering}))
        note = "; ".join(dict.fromkeys(c[3] for c in covering if c[3]))
        anchor = next((c[4] for c in covering if c[0] == begin and c[4]), "")
        segments.append(Segment(text[begin:end], kinds, note, anchor))
    return segments


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def daily_counts(per_day: Sequence[tuple[str, int]]) -> list[tuple[dt.date, int]]:
    """Return one count per calendar day from the first to the last day, gaps as 0."""
    counts = {d: n for day, n in per_day if (d := _parse_day(day)) is not None}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    span = min((last - first).days, 3650)  # a stray date years away must not make huge charts
    return [
        (first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0))
        for i in range(span + 1)
    ]


def sparkline(per_day: Sequence[tuple[str, int]], width: int = 120, height: int = 24) -> str:
    """Return the ``points`` attribute of an SVG polyline of coverage per day ("" if none)."""
    days = daily_counts(per_day)
    if not days:
        return ""
    if len(days) == 1:
        days = [days[0], days[0]]
    top = max(n for _, n in days) or 1
    step = width / (len(days) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (n / top) * (height - 4):.1f}"
        for i, (_, n) in enumerate(days)
    )


@dataclass(frozen=True, slots=True)
class ChartDot:
    """One timeline event placed on the chart."""

    x: float
    y: float
    r: float
    date: str
    count: int
    anchor: str
    x_end: float | None = None  # where a span of days ("from 22 to 25 October") ends
    corroborated: bool = False  # two or more independent outlets report it: drawn filled
    outlets: int = 0


def timeline_chart(
    events: Sequence[dict[str, Any]], width: int = 640, height: int = 80
) -> dict[str, Any]:
    """Place timeline rows on a horizontal date axis; dot size grows with the sources.

    A row with an ``until`` day also gets where its span ends (``x_end``); a row's
    ``corroborated`` and ``outlets`` (``queries.mark_corroboration``) are carried to its dot,
    drawn filled when corroborated and hollow when one outlet alone reports the date.
    """
    dated = [(d, e) for e in events if (d := _parse_day(str(e.get("date", "")))) is not None]
    if not dated:
        return {"dots": [], "width": width, "height": height, "ticks": []}
    ends = {
        i: end for i, (_, e) in enumerate(dated) if (end := _parse_day(str(e.get("until") or "")))
    }
    first = min(d for d, _ in dated)
    last = max([d for d, _ in dated] + list(ends.values()))
    days = (last - first).days
    pad = 16

    def x_of(day: dt.date) -> float:
        # a single day sits in the middle rather than at the left edge
        share = (day - first).days / days if days else 0.5
        return round(pad + (width - 2 * pad) * share, 1)

    dots = []
    for index, (day, event) in enumerate(dated):
        count = len(event.get("sources") or ())
        end = ends.get(index)
        dots.append(
            ChartDot(
                x=x_of(day),
                y=height / 2,
                r=round(3 + 2 * math.log2(1 + count), 1),
                date=day.isoformat(),
                count=count,
                anchor=f"ev{index}",
                x_end=x_of(end) if end is not None and end > day else None,
                corroborated=bool(event.get("corroborated")),
                outlets=int(event.get("outlets") or 0),
            )
        )
    if days:
        ticks = [
            {"x": pad, "label": first.isoformat(), "anchor": "start"},
            {"x": width - pad, "label": last.isoformat(), "anchor": "end"},
        ]
    else:
        ticks = [{"x": width / 2, "label": first.isoformat(), "anchor": "middle"}]
    return {"dots": dots, "width": width, "height": height, "ticks": ticks}


@dataclass(frozen=True, slots=True)
class Page:
    """Where one page of a paginated list sits."""

    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        """Return the index of the first item on this page."""
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        """Return the number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        """Return whether a later page exists."""
        return self.number < self.pages

    @property
    def has_prev(self) -> bool:
        """Return whether an earlier page exists."""
        return self.number > 1


@dataclass(frozen=True, slots=True)
class SpeakerQuotes:
    """One speaker's quotes in a story: the first few shown, and how many there are."""

    speaker: str
    entity_id: str | None
    shown: list[dict[str, Any]]
    total: int
    kind: str | None = None  # the kind most of the speaker's quotes were given


def group_quotes(quotes: Sequence[dict[str, Any]], per_speaker: int = 12) -> list[SpeakerQuotes]:
    """Group quotes by speaker, most quoted first, unattributed last; keep a few of each."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for quote in quotes:
        groups.setdefault(quote.get("speaker") or "", []).append(quote)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0]))
    return [
        SpeakerQuotes(
            speaker=speaker or "Unattributed",
            entity_id=next(
                (q["speaker_entity_id"] for q in items if q.get("speaker_entity_id")), None
            ),
            shown=list(items[:per_speaker]),
            total=len(items),
            kind=majority_kind(q.get("speaker_kind") for q in items) if speaker else None,
        )
        for speaker, items in ordered
    ]


def source_count(cover: dict[str, Any]) -> str:
    """Return how many sources a story has: "3 outlets + 2 unknown", never "0 outlets".

    Each article without an outlet is its own unknown source.
    """
    outlets, unknown = len(cover["outlets"]), cover.get("unknown", 0)
    named = f"{outlets} outlet{'' if outlets == 1 else 's'}"
    if not unknown:
        return named
    alone = f"{unknown} unknown source{'' if unknown == 1 else 's'}"
    return f"{named} + {unknown} unknown" if outlets else alone


# English verbs of saying that take a "that" clause (a grammar list, fitted on no data): other
# cues take their object directly ("accused Washington of ...", "urging them to ...")
_THAT_VERBS = frozenset(
    [
        "add",
        "added",
        "adds",
        "announce",
        "announced",
        "announces",
        "argue",
        "argued",
        "argues",
        "claim",
        "claimed",
        "claims",
        "explain",
        "explained",
        "explains",
        "insist",
        "insisted",
        "insists",
        "note",
        "noted",
        "notes",
        "say",
        "said",
        "saying",
        "says",
        "state",
        "stated",
        "states",
        "suggest",
        "suggested",
        "suggests",
        "tell",
        "telling",
        "tells",
        "told",
        "warn",
        "warned",
        "warns",
    ]
)


_THAT_WITHIN = 4  # "on Saturday that", "last week that": a time phrase of up to 3 words (grammar)


def reported_speech(cue: str, text: str) -> str:
    """Return the lead-in of an indirect quote shown as reported speech, not as quotation.

    A verb of saying gets "that" ("said that ...", "told reporters that ..."); any other cue
    ("accused", "according to") stays as written, and a text already starting with "that"
    gets no second one.
    """
    cue = " ".join(cue.split()) or "said"
    # "said on Saturday that he would ...": the clause's own "that" comes within a few words
    opening = [w.strip(",;:") for w in text.lower().split()[:_THAT_WITHIN]]
    if "that" in opening or not _THAT_VERBS.intersection(cue.lower().split()):
        return cue
    return f"{cue} that"


def quote_marks(quote: dict[str, Any]) -> bool:
    """Return whether a quote is shown in quotation marks: only verbatim (direct) words are."""
    return quote.get("kind") == "direct"


def claim_matrix(claims: Sequence[dict[str, Any]], outlet_of: dict[str, str]) -> dict[str, Any]:
    """Return a source-by-claim matrix: for each claim, per outlet, supports/conflicts/blank.

    A claim row carries ``supporting`` (or ``article_ids``) and optional ``conflicts``, both
    lists of article ids; an article's outlet comes from ``outlet_of``. An article missing
    from ``outlet_of`` is its own column ("unknown: <id>"): two pages of unknown origin are
    two sources, not one "unknown" outlet.
    """
    outlets: set[str] = set()
    rows = []
    for claim in claims:
        cells: dict[str, str] = {}
        for aid in claim.get("supporting") or claim.get("article_ids") or ():
            outlet = outlet_of.get(aid) or f"unknown: {aid}"
            cells[outlet] = "supports"
        for aid in claim.get("conflicts") or ():
            outlet = outlet_of.get(aid) or f"unknown: {aid}"
            cells[outlet] = "conflict" if cells.get(outlet) == "supports" else "disputes"
        outlets.update(cells)
        text = claim.get("statement") or claim.get("text") or ""
        rows.append({"claim": claim, "text": text, "cells": cells})
    return {"outlets": sorted(outlets), "rows": rows}


def entity_graph(
    entities: Sequence[dict[str, Any]],
    article_ids: Sequence[str],
    *,
    nodes: int = 12,
    links: int = 2,
    size: int = 360,
) -> dict[str, Any]:
    """Lay out the story's most mentioned entities on a circle, linked when they co-occur.

    An edge's weight is the number of the story's articles mentioning both entities; each
    entity keeps its ``links`` strongest edges.
    """
    story = set(article_ids)
    top = list(entities[:nodes])
    if len(top) < 2:
        return {"nodes": [], "edges": [], "size": size}
    centre, radius = size / 2, size / 2 - 60
    placed = []
    for index, ent in enumerate(top):
        angle = 2 * math.pi * index / len(top) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        placed.append(
            {
                "id": ent["id"],
                "name": ent["name"],
                # long names are cut so that labels stay inside a phone-width chart
                "label": ent["name"] if len(ent["name"]) <= 18 else ent["name"][:17] + "…",
                "type": str(ent.get("type", "")).lower(),
                "x": round(x, 1),
                "y": round(y, 1),
                "r": round(4 + 2 * math.log2(1 + ent.get("story_mentions", 1)), 1),
                "anchor": "start" if x > centre + 1 else "end" if x < centre - 1 else "middle",
                "lx": round(x + (8 if x > centre + 1 else -8 if x < centre - 1 else 0), 1),
                "ly": round(y + (14 if y > centre else -10), 1),
            }
        )
    sets = [story.intersection(ent["article_ids"]) for ent in top]
    pairs = {}
    for i, j in itertools.combinations(range(len(top)), 2):
        if shared := len(sets[i] & sets[j]):
            pairs[i, j] = shared
    # in a small story everyone co-occurs: draw only each entity's strongest links
    kept: set[tuple[int, int]] = set()
    for i in range(len(top)):
        mine = sorted((p for p in pairs if i in p), key=lambda p: (-pairs[p], p))
        kept.update(mine[:links])
    edges = [
        {
            "x1": placed[i]["x"],
            "y1": placed[i]["y"],
            "x2": placed[j]["x"],
            "y2": placed[j]["y"],
            "w": round(min(6.0, 0.5 + math.log2(1 + pairs[i, j])), 1),
            "shared": pairs[i, j],
            "names": f"{top[i]['name']} – {top[j]['name']}",
        }
        for i, j in sorted(kept)
    ]
    return {"nodes": placed, "edges": edges, "size": size}
