"""Where the story page gets the records of stages that may not have landed yet.

Each provider takes the store's connection and a story row and returns export-shaped rows.
The briefing and claims providers return nothing until ``storyline/briefing.py`` and
``storyline/claims.py`` exist; the page shows their slots as "nothing yet" meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.store.read import Reader
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
    """Return the briefing the briefing stage stored for the story (``Reader.briefing``)."""
    return Reader(conn).briefing(story)


def stored_claims(conn: sqlite3.Connection, story: Row) -> list[Row]:
    """Return the story's claims with the articles that support and that disagree."""
    return Reader(conn).claims(story)


@dataclass(frozen=True, slots=True)
class Providers:
    """The functions that fill the story page's briefing, timeline and claims slots."""

    briefing: BriefingProvider = stored_briefing
    timeline: RowsProvider = queries.stored_timeline
    claims: RowsProvider = stored_claims
