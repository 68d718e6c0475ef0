"""Stored records read back as the frozen records the stages made (``models``).

The store keeps a briefing as the JSON of ``brief --format json``; ``briefing_from_json``
turns it back into a ``Briefing``, the cited articles' outlets and titles read from the
articles table as ``briefing.build_briefing`` numbers them (in order of first citation).
A sentence's ``claim_id`` is not stored and comes back None (nothing renders it).

The claims table keeps no statements, numbers or position, so a stored claim reads back as a
``StoredClaim`` (what the table holds, and the conflicts it is part of), not a partial
``Claim``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.models import (
    Briefing,
    BriefingSentence,
    Conflict,
    QuoteGroup,
    QuoteVariant,
    Story,
    TimelineEntry,
    briefing_sources,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from storyline.models import ClaimKind

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Clusters:
    """The clustering state the stories come from, stored beside them (``save_clusters``)."""

    state: tuple[str, bytes]  # the stage_state row: its name and the serialised state
    hashes: Mapping[str, str]  # article id -> the content hash it was clustered with
    anew: bool = False  # the state was rebuilt from nothing: the old hashes go


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """A claim as the claims table keeps it: its statements and numbers are not stored."""

    id: str
    story_id: str  # the storyline's
    text: str
    article_ids: tuple[str, ...]
    sources: tuple[str, ...]
    kind: ClaimKind
    support: int
    date: str | None
    conflicts: tuple[str, ...]  # ids of the conflicts the claim is part of
    wording_differs: bool = False  # its articles word a quote differently (``Claim``)


def claim_from_row(row: Row) -> StoredClaim:
    """Return a stored claim (JSON columns decoded) as a ``StoredClaim``."""
    return StoredClaim(
        id=row["id"],
        story_id=row["story_id"],
        text=row["text"],
        article_ids=tuple(row["article_ids"]),
        sources=tuple(row["sources"]),
        kind=row["kind"],
        support=int(row["support"]),
        date=row["date"],
        conflicts=tuple(row["conflicts"]),
        wording_differs=bool(row.get("wording_differs")),
    )


def conflict_from_row(row: Row) -> Conflict:
    """Return a stored conflict (JSON columns decoded) as a ``Conflict``."""
    return Conflict(
        id=row["id"],
        story_id=row["story_id"],
        kind=row["kind"],
        subject=row["subject"],
        values=tuple((v["value"], tuple(v["article_ids"])) for v in row["values"]),
        claim_ids=tuple(row["claim_ids"]),
    )


def quote_group_from_row(row: Row) -> QuoteGroup:
    """Return a stored quote group (its export row, ``quote_group_row``) as a ``QuoteGroup``."""
    return QuoteGroup(
        id=row["id"],
        story_id=row["story_id"],
        speaker=row["speaker"],
        representative=row["representative"],
        representative_kind=row["representative_kind"],
        variants=tuple(
            QuoteVariant(
                quote_id=v["quote_id"],
                article_id=v["article_id"],
                outlet=v["outlet"],
                text=v["text"],
                kind=v["kind"],
                date=v["date"],
                match=v["match"],
                flagged=bool(v["flagged"]),
            )
            for v in row["variants"]
        ),
        first_date=row["first_date"],
        last_date=row["last_date"],
        outlets=int(row["outlets"]),
        flagged_only=bool(row["flagged_only"]),
    )


def story_from_row(row: Row) -> Story:
    """Return a stored story (``article_ids`` decoded) as a ``Story``."""
    return Story(
        id=row["id"],
        label=row["label"],
        level=row["level"],
        article_ids=tuple(row["article_ids"]),
        parent=row["parent"],
        first_date=row["first_date"],
        last_date=row["last_date"],
        title=row["title"],
    )


def briefing_document_sources(doc: Row) -> set[str]:
    """Return the articles a stored briefing document lists (``briefing_sources``' set)."""
    cited = {a for s in doc["sentences"] for a in s["citations"]}
    return cited | {a for c in doc["conflicts"] for v in c["values"] for a in v["article_ids"]}


def briefing_from_json(
    doc: Row,
    heads: Mapping[str, tuple[str | None, str]],
    flagged: Collection[str] | None = None,
) -> Briefing:
    """Return the ``Briefing`` a stored JSON document holds.

    ``heads`` maps article id -> (outlet, title) for at least the listed articles; ``flagged``
    the articles whose copy is flagged now (None: as the document recorded them; a document
    stored before the mark recorded none).
    """
    sentences = tuple(
        BriefingSentence(
            text=s["text"],
            citations=tuple(s["citations"]),
            date=s["date"],
            corroboration=s["corroboration"],
            flagged_only=bool(s["flagged_only"]),
            # absent from a briefing stored before the mark
            wording_differs=bool(s.get("wording_differs")),
        )
        for s in doc["sentences"]
    )
    conflicts = tuple(
        Conflict(
            id=c["id"],
            story_id=doc["story_id"],
            kind=c["kind"],
            subject=c["subject"],
            values=tuple((v["value"], tuple(v["article_ids"])) for v in c["values"]),
            claim_ids=tuple(c["claim_ids"]),
        )
        for c in doc["conflicts"]
    )
    cited = briefing_sources(sentences, conflicts)
    titles = tuple(
        (a, (heads[a][0] or "") if a in heads else "", heads[a][1] if a in heads else "")
        for a in cited
    )
    return Briefing(
        story_id=doc["story_id"],
        sentences=sentences,
        conflicts=conflicts,
        titles=titles,
        mode=doc.get("mode", "extractive"),
        note=doc.get("note", ""),
        all_flagged=bool(doc.get("all_flagged", False)),
        flagged=tuple(
            a for a in cited if a in (doc.get("flagged", ()) if flagged is None else flagged)
        ),
    )


def timeline_entry_from_row(row: Row) -> TimelineEntry:
    """Return a stored timeline entry (its export row) as a ``TimelineEntry``.

    The stage keeps one sentence per date: the entry's text is that one sentence.
    """
    return TimelineEntry(
        story_id=row["story_id"],
        date=row["date"],
        text=(row["text"],),
        sources=tuple(row["sources"]),
        actors=tuple(row["actors"]),
        place=row["place"],
        until=row["until"],
    )
