"""Where the story page gets the records of stages that may not have landed yet.

Each provider takes the store's connection and a story row and returns export-shaped rows.
The briefing and claims providers return nothing until ``storyline/briefing.py`` and
``storyline/claims.py`` exist; the page shows their slots as "nothing yet" meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.web import queries

if TYPE_CHECKING:
    import sqlite3

Row = dict[str, Any]
BriefingProvider = Callable[["sqlite3.Connection", Row], Row | None]
RowsProvider = Callable[["sqlite3.Connection", Row], list[Row]]


def no_briefing(conn: sqlite3.Connection, story: Row) -> Row | None:  # noqa: ARG001
    """Return no briefing: the briefing stage has not landed.

    A briefing is ``{"story_id", "sentences": [{"text", "sources": [article ids]}]}``; the
    story page renders each sentence with numbered citation links to its sources.
    """
    return None


def no_claims(conn: sqlite3.Connection, story: Row) -> list[Row]:  # noqa: ARG001
    """Return no claims: the claims stage has not landed.

    A claim is ``{"id", "story_id", "statement", "supporting": [article ids],
    "conflicts": [article ids]}``, the rows of ``storyline export --what claims``.
    """
    return []


def stored_briefing(conn: sqlite3.Connection, story: Row) -> Row | None:
    """Return the briefing the briefing stage stored for the story.

    An event has its own, from its own articles; its storyline's is shown only for a database
    briefed before events were.
    """
    query = "SELECT briefing FROM briefings WHERE story_id = ?"
    row = conn.execute(query, (story["id"],)).fetchone()
    if row is None and story["parent"]:
        row = conn.execute(query, (story["parent"],)).fetchone()
    if row is None:
        return None
    briefing = json.loads(row[0])
    for sentence in briefing["sentences"]:
        sentence["sources"] = sentence["citations"]
    return dict(briefing)


def stored_claims(conn: sqlite3.Connection, story: Row) -> list[Row]:
    """Return the story's claims with the articles that support them and that disagree."""
    storyline = story["parent"] or story["id"]
    disagreeing: dict[str, list[str]] = {}
    for conflict_id, values in conn.execute(
        'SELECT id, "values" FROM conflicts WHERE story_id = ?', (storyline,)
    ):
        disagreeing[conflict_id] = sorted({a for v in json.loads(values) for a in v["article_ids"]})
    members = set(story["article_ids"])
    claims = []
    for claim_id, text, article_ids, conflicts in conn.execute(
        "SELECT id, text, article_ids, conflicts FROM claims WHERE story_id = ? "
        "ORDER BY support DESC, id LIMIT 40",
        (storyline,),
    ):
        supporting = json.loads(article_ids)
        if not members & set(supporting):
            continue
        against = sorted({a for c in json.loads(conflicts) for a in disagreeing.get(c, [])})
        claims.append(
            {
                "id": claim_id,
                "story_id": storyline,
                "statement": text,
                "supporting": supporting,
                "conflicts": against,
            }
        )
    flagged = queries.flagged_in(conn, (a for c in claims for a in c["supporting"]))
    for claim in claims:  # as the export marks it: only flagged pages support it
        claim["flagged_only"] = all(a in flagged for a in claim["supporting"])
    return claims


@dataclass(frozen=True, slots=True)
class Providers:
    """The functions that fill the story page's briefing, timeline and claims slots."""

    briefing: BriefingProvider = stored_briefing
    timeline: RowsProvider = queries.stored_timeline
    claims: RowsProvider = stored_claims
