"""The web's reads, as functions of a connection: a thin layer over ``store.read.Reader``.

Every function takes a connection of the store (SQLite or PostgreSQL) and returns plain dicts
whose keys match ``storyline.export.export_rows`` for the same object; the SQL lives in the
read model, so the web UI reads a PostgreSQL store as it reads a SQLite file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.outlets import count_outlets
from storyline.store.read import (
    EntityIndex,
    Reader,
    coverage,
    filter_stories,
    sentence_around,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from storyline.store.dialect import Connection

__all__ = [
    "EntityIndex",
    "all_stories",
    "article_briefs",
    "article_page",
    "article_rows",
    "change_page",
    "child_stories",
    "coverage",
    "entities_in",
    "entity",
    "entity_index",
    "entity_page",
    "filter_stories",
    "flagged_in",
    "mark_corroboration",
    "quote_page",
    "quotes_by_entity",
    "quotes_for",
    "sentence_around",
    "speaker_entities",
    "stored_timeline",
    "story",
    "story_titles",
    "timexes_for",
]

Row = dict[str, Any]


def flagged_in(conn: Connection, article_ids: Iterable[str]) -> set[str]:
    """Return those of the articles whose copy is flagged as untrustworthy."""
    return Reader(conn).flagged_in(article_ids)


def all_stories(conn: Connection) -> list[Row]:
    """Return every story, in the export's order."""
    return Reader(conn).stories()


def story(conn: Connection, story_id: str) -> Row | None:
    """Return one story row, or None."""
    reader = Reader(conn)
    story = reader.story(story_id)
    return None if story is None else reader.mark_stories([story])[0]


def child_stories(conn: Connection, story_id: str) -> list[Row]:
    """Return the events inside a storyline."""
    return Reader(conn).child_stories(story_id)


def article_briefs(conn: Connection, article_ids: Sequence[str]) -> list[Row]:
    """Return what a list of articles shows: id, title, outlet, date, duplicate_of."""
    return Reader(conn).article_briefs(article_ids)


def article_rows(conn: Connection, article_ids: Sequence[str]) -> list[Row]:
    """Return articles as export rows (``removed`` lines and ``story_ids`` included)."""
    return Reader(conn).article_rows(article_ids)


def article_page(conn: Connection, *, offset: int, limit: int) -> tuple[int, list[Row]]:
    """Return the number of articles and one page of them, in ingest order."""
    return Reader(conn).article_page(offset=offset, limit=limit)


def story_titles(conn: Connection, story_ids: Sequence[str]) -> dict[str, str]:
    """Return the readable title of each story id (its keyword label when it has none)."""
    return Reader(conn).story_titles(story_ids)


def quotes_for(conn: Connection, article_ids: Sequence[str]) -> list[Row]:
    """Return the quotes in these articles, as export rows."""
    return Reader(conn).quotes_for(article_ids)


def speaker_entities(conn: Connection, speaker: str) -> list[Row]:
    """Return the entities whose name or any alias is ``speaker``, ignoring case."""
    return Reader(conn).speaker_entities(speaker)


def quote_page(
    conn: Connection, *, speaker: str | None, offset: int, limit: int, outlet: str | None = None
) -> tuple[int, list[Row]]:
    """Return the number of quotes (by a speaker, from an outlet, if given) and a page."""
    return Reader(conn).quote_page(speaker=speaker, offset=offset, limit=limit, outlet=outlet)


def timexes_for(conn: Connection, article_ids: Sequence[str]) -> list[Row]:
    """Return the time expressions in these articles, as export rows."""
    return Reader(conn).timexes_for(article_ids)


def entity(conn: Connection, entity_id: str) -> Row | None:
    """Return one entity row, or None."""
    return Reader(conn).entity(entity_id)


def entity_page(conn: Connection, *, offset: int, limit: int) -> tuple[int, list[Row]]:
    """Return the number of entities and one page of them, by name."""
    return Reader(conn).entity_page(offset=offset, limit=limit)


def change_page(conn: Connection, *, offset: int, limit: int) -> tuple[int, list[Row]]:
    """Return the size of the watch change log and one page of it, newest cycle first."""
    return Reader(conn).change_page(offset=offset, limit=limit)


def entity_index(conn: Connection) -> EntityIndex:
    """Return the entity index of the store as ``conn`` reads it."""
    return Reader(conn).entity_index()


def entities_in(
    conn: Connection,
    article_ids: Sequence[str],
    limit: int | None = None,
    index: EntityIndex | None = None,
) -> list[Row]:
    """Return the entities mentioned in these articles, most widely mentioned first."""
    return Reader(conn).entities_in(article_ids, limit, index)


def quotes_by_entity(conn: Connection, ent: Row) -> list[Row]:
    """Return the quotes attributed to an entity."""
    return Reader(conn).quotes_by_entity(ent)


def stored_timeline(conn: Connection, story_row: Row) -> list[Row]:
    """Return the story's timeline as the timeline stage stored it (export rows)."""
    return Reader(conn).timeline(story_row)


def mark_corroboration(conn: Connection, entries: list[Row], *, min_outlets: int) -> list[Row]:
    """Mark each timeline row with how many independent outlets report it; return the rows.

    Sets ``outlets`` (independent outlets among the row's sources) and ``corroborated`` (at
    least ``min_outlets`` of them: ``[timeline] min_outlets``, as ``storyline timeline
    --corroborated`` keeps) in place. As the claims count: an article with no
    known outlet is its own source, and a page flagged untrustworthy corroborates nothing.
    """
    ids = sorted({a for e in entries for a in e.get("sources") or ()})
    outlet_of = {r["id"]: r["source"] for r in Reader(conn).article_briefs(ids)}
    flagged = flagged_in(conn, ids)
    for entry in entries:
        trusted = [a for a in entry.get("sources") or () if a not in flagged]
        entry["outlets"] = count_outlets(trusted, outlet_of)
        entry["corroborated"] = entry["outlets"] >= min_outlets
    return entries
