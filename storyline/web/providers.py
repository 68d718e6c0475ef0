"""Where the story page and ``/api/stories/{id}`` get a story's briefing, timeline and claims.

Each provider takes the store's connection and a story row and returns export-shaped rows;
the defaults read what the stages stored, and tests pass their own to fill a slot.
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
