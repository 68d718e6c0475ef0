"""Stored records read back as the frozen records the stages made (``models``).

The store keeps a briefing as the JSON of ``brief --format json``; ``briefing_from_json``
turns it back into a ``Briefing``, the cited articles' outlets and titles read from the
articles table as ``briefing.build_briefing`` numbers them (in order of first citation).
A sentence's ``claim_id`` is not stored and comes back None (nothing renders it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.models import Briefing, BriefingSentence, Conflict, Story

if TYPE_CHECKING:
    from collections.abc import Mapping

Row = dict[str, Any]


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


def briefing_from_json(doc: Row, heads: Mapping[str, tuple[str | None, str]]) -> Briefing:
    """Return the ``Briefing`` a stored JSON document holds.

    ``heads`` maps article id -> (outlet, title) for at least the cited articles.
    """
    sentences = tuple(
        BriefingSentence(
            text=s["text"],
            citations=tuple(s["citations"]),
            date=s["date"],
            corroboration=s["corroboration"],
            flagged_only=bool(s["flagged_only"]),
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
    cited = dict.fromkeys(a for s in sentences for a in s.citations)
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
    )
