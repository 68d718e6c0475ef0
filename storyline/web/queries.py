"""Read-only queries behind the web pages and the API; rows have the export's shapes.

Every function takes the ``sqlite3.Connection`` of a store and returns plain dicts whose keys
match ``storyline.export.export_rows`` for the same object, so the API mirrors the export.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.models import timeline_entry_id
from storyline.outlets import count_outlets
from storyline.quality import UNTRUSTED_FLAGS
from storyline.store.base import chunks

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable, Sequence

_JSON_COLUMNS = {"meta", "quality_flags", "quality_reasons", "aliases", "roles", "article_ids"}
_INTERNAL_QUOTE_COLUMNS = ("speaker_local",)  # left out of the export too
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
# A timeline date two independent outlets report is corroborated (as a claim is, claims.py).
CORROBORATING_OUTLETS = 2


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    return {
        key: json.loads(row[key])
        if key in _JSON_COLUMNS and isinstance(row[key], str)
        else row[key]
        for key in row.keys()  # noqa: SIM118 - sqlite3.Row is not a mapping
    }


def _quote(row: sqlite3.Row, flagged: set[str]) -> dict[str, Any]:
    decoded = _decode(row)
    for key in _INTERNAL_QUOTE_COLUMNS:
        decoded.pop(key, None)
    decoded["flagged_only"] = decoded["article_id"] in flagged  # as the export marks it
    return decoded


def flagged_in(conn: sqlite3.Connection, article_ids: Iterable[str]) -> set[str]:
    """Return those of the articles whose copy is flagged as untrustworthy."""
    rows = _rows_in(
        conn, "articles", sorted(set(article_ids)), key="id", columns="id, quality_flags", order=""
    )
    return {r[0] for r in rows if set(json.loads(r[1])) & set(UNTRUSTED_FLAGS)}


def _in_chunks(
    conn: sqlite3.Connection, sql: str, ids: Sequence[str], order: str = ""
) -> list[sqlite3.Row]:
    """Run ``sql`` (with one ``{marks}`` placeholder) for ids, chunk by chunk."""
    rows: list[sqlite3.Row] = []
    for chunk, marks in chunks(ids):
        rows.extend(conn.execute(sql.format(marks=marks) + order, chunk).fetchall())
    return rows


def _rows_in(
    conn: sqlite3.Connection,
    table: str,
    ids: Sequence[str],
    *,
    key: str = "article_id",
    columns: str = "*",
    order: str,
) -> list[sqlite3.Row]:
    """Return the rows of ``table`` whose ``key`` is one of ``ids``, chunk by chunk."""
    sql = f"SELECT {columns} FROM {table} WHERE {key} IN ({{marks}})"  # noqa: S608 - fixed names
    return _in_chunks(conn, sql, ids, f" ORDER BY {order}" if order else "")


# -- stories ---------------------------------------------------------------------------------


def all_stories(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Return every story, in the export's order."""
    rows = conn.execute("SELECT * FROM stories ORDER BY level DESC, first_date, id")
    return [_decode(r) for r in rows]


def filter_stories(
    stories: Iterable[dict[str, Any]],
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    entity_articles: set[str] | None = None,
    top_level: bool = False,
) -> list[dict[str, Any]]:
    """Keep the stories overlapping a date range and sharing an article with an entity."""
    kept = []
    for story in stories:
        if top_level and story.get("parent"):
            continue
        if date_from and (story.get("last_date") or "") < date_from:
            continue
        if date_to and (story.get("first_date") or "9999") > date_to:
            continue
        if entity_articles is not None and not entity_articles.intersection(story["article_ids"]):
            continue
        kept.append(story)
    return kept


def story(conn: sqlite3.Connection, story_id: str) -> dict[str, Any] | None:
    """Return one story row, or None."""
    row = conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
    return None if row is None else _decode(row)


def child_stories(conn: sqlite3.Connection, story_id: str) -> list[dict[str, Any]]:
    """Return the events inside a storyline."""
    rows = conn.execute(
        "SELECT * FROM stories WHERE parent = ? ORDER BY first_date, id", (story_id,)
    )
    return [_decode(r) for r in rows]


def coverage(briefs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Return the outlets of a story's articles and how many appeared per publication day.

    An article with no outlet is its own unknown source (``unknown`` counts them): a story
    of five such pages has five sources, never "0 outlets".
    """
    outlets = sorted({b["source"] for b in briefs if b["source"]})
    unknown = sum(1 for b in briefs if not b["source"])
    days = Counter(b["published"][:10] for b in briefs if b["published"])
    return {"outlets": outlets, "unknown": unknown, "per_day": sorted(days.items())}


def article_briefs(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Return what a list of articles shows: id, title, outlet, date, duplicate_of."""
    columns = "id, title, source, published, duplicate_of"
    rows = _rows_in(conn, "articles", article_ids, key="id", columns=columns, order="seq")
    return [dict(r) for r in rows]


# -- articles --------------------------------------------------------------------------------


def _article_columns(conn: sqlite3.Connection) -> str:
    """Return the articles' columns in table order, less the two the export leaves out.

    The names come from the table's own schema, never from a request.
    """
    names = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    return ", ".join(f'"{n}"' for n in names if n not in {"raw_text", "seq"})


def article_rows(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Return articles as export rows (``removed`` lines and ``story_ids`` included)."""
    columns = _article_columns(conn)
    rows = _rows_in(conn, "articles", article_ids, key="id", columns=columns, order="seq")
    return _complete(conn, [_decode(r) for r in rows])


def article_page(
    conn: sqlite3.Connection, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Return the number of articles and one page of them, in ingest order."""
    total = int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    rows = conn.execute(
        f"SELECT {_article_columns(conn)} FROM articles ORDER BY seq LIMIT ? OFFSET ?",  # noqa: S608
        (limit, offset),
    )
    return total, _complete(conn, [_decode(r) for r in rows])


def _complete(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    removed: dict[str, list[dict[str, Any]]] = {}
    columns = "article_id, line_no, text, reason, score"
    for line in _rows_in(conn, "removed_lines", ids, columns=columns, order="article_id, line_no"):
        removed.setdefault(line["article_id"], []).append(
            {k: line[k] for k in ("line_no", "text", "reason", "score")}
        )
    wanted = set(ids)
    story_ids: dict[str, list[str]] = {}
    for s in conn.execute("SELECT id, article_ids FROM stories ORDER BY id"):
        for aid in json.loads(s["article_ids"]):
            if aid in wanted:
                story_ids.setdefault(aid, []).append(s["id"])
    for row in rows:
        row.pop("raw_text", None)
        row.pop("seq", None)
        row["removed"] = removed.get(row["id"], [])
        row["story_ids"] = story_ids.get(row["id"], [])
    return rows


def story_titles(conn: sqlite3.Connection, story_ids: Sequence[str]) -> dict[str, str]:
    """Return the readable title of each story id (its keyword label when it has none)."""
    rows = _rows_in(conn, "stories", story_ids, key="id", columns="id, title, label", order="")
    return {r["id"]: r["title"] or r["label"] for r in rows}


# -- quotes, dates, entities -----------------------------------------------------------------


def quotes_for(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Return the quotes in these articles, as export rows."""
    rows = _rows_in(conn, "quotes", article_ids, order="article_id, start")
    flagged = flagged_in(conn, (r["article_id"] for r in rows))
    return [_quote(r, flagged) for r in rows]


def speaker_entities(conn: sqlite3.Connection, speaker: str) -> list[dict[str, Any]]:
    """Return the entities whose name or any alias is ``speaker``, ignoring case.

    "Putin" finds Vladimir Putin when the entity stage recorded "Putin" as one of his aliases.
    """
    rows = conn.execute(
        "SELECT DISTINCT e.* FROM entities AS e "
        "WHERE e.name = ? COLLATE NOCASE OR EXISTS "
        "(SELECT 1 FROM json_each(e.aliases) AS a WHERE a.value = ? COLLATE NOCASE) "
        "ORDER BY e.name, e.id",
        (speaker, speaker),
    )
    return [_decode(r) for r in rows]


def quote_page(
    conn: sqlite3.Connection,
    *,
    speaker: str | None,
    offset: int,
    limit: int,
    outlet: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Return the number of quotes (by a speaker, from an outlet, if given) and a page of them.

    ``speaker`` is any name or alias of an entity, or a speaker name as stored; ``outlet``
    is an article's outlet. Both ignore case.
    """
    clauses: list[str] = []
    args: list[str] = []
    if speaker:
        found = speaker_entities(conn, speaker)
        ids = [e["id"] for e in found]
        names = [speaker, *(e["name"] for e in found)]
        clauses.append(
            "(q.speaker_entity_id IN (SELECT value FROM json_each(?)) OR lower(q.speaker) IN "
            "(SELECT lower(value) FROM json_each(?)))"
        )
        args += [json.dumps(ids), json.dumps(names)]
    if outlet:
        clauses.append("a.source = ? COLLATE NOCASE")
        args.append(outlet)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    source = "quotes AS q JOIN articles AS a ON a.id = q.article_id"
    total = int(conn.execute(f"SELECT COUNT(*) FROM {source} {where}", args).fetchone()[0])  # noqa: S608
    rows = conn.execute(
        f"SELECT q.* FROM {source} {where} "  # noqa: S608 - fixed clauses, values bound
        "ORDER BY q.article_id, q.start LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    flagged = flagged_in(conn, (r["article_id"] for r in rows))
    return total, [_quote(r, flagged) for r in rows]


def timexes_for(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Return the time expressions in these articles, as export rows."""
    rows = _rows_in(conn, "timexes", article_ids, order='article_id, start, "end"')
    return [_decode(r) for r in rows]


def entity(conn: sqlite3.Connection, entity_id: str) -> dict[str, Any] | None:
    """Return one entity row, or None."""
    row = conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return None if row is None else _decode(row)


def entity_page(
    conn: sqlite3.Connection, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Return the number of entities and one page of them, by name."""
    total = int(conn.execute("SELECT COUNT(*) FROM entities").fetchone()[0])
    rows = conn.execute(
        "SELECT * FROM entities ORDER BY name, id LIMIT ? OFFSET ?", (limit, offset)
    )
    return total, [_decode(r) for r in rows]


def change_page(
    conn: sqlite3.Connection, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Return the size of the watch change log and one page of it, newest cycle first."""
    total = int(conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0])
    rows = conn.execute(
        "SELECT cycle, seq, kind, story_id, text FROM changes ORDER BY cycle DESC, seq "
        "LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return total, [dict(r) for r in rows]


@dataclass(frozen=True, slots=True)
class EntityIndex:
    """Which entities each article mentions (entity rowids), and each entity's name."""

    by_article: dict[str, tuple[int, ...]]
    names: dict[int, str]


def entity_index(conn: sqlite3.Connection) -> EntityIndex:
    """Return the entity index of the store as ``conn`` reads it."""
    by_article: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    for rowid, name, article_ids in conn.execute("SELECT rowid, name, article_ids FROM entities"):
        names[rowid] = name
        for article_id in set(json.loads(article_ids)):
            by_article.setdefault(article_id, []).append(rowid)
    return EntityIndex({k: tuple(v) for k, v in by_article.items()}, names)


def entities_in(
    conn: sqlite3.Connection,
    article_ids: Sequence[str],
    limit: int | None = None,
    index: EntityIndex | None = None,
) -> list[dict[str, Any]]:
    """Return the entities mentioned in these articles, most widely mentioned first.

    Without an ``index`` SQLite matches them (``json_each``); with one (the web app keeps
    one per database state) only these articles' entities are looked at. Either way no
    entity's article list is decoded in Python per request: on a 300-entity store that was
    a third of a story page's CPU time.
    """
    if index is None:
        rows = conn.execute(
            "SELECT e.*, COUNT(DISTINCT j.value) AS story_mentions "
            "FROM entities AS e, json_each(e.article_ids) AS j "
            "WHERE j.value IN (SELECT value FROM json_each(?)) "
            "GROUP BY e.id ORDER BY story_mentions DESC, e.name, e.rowid LIMIT ?",
            (json.dumps(list(article_ids)), -1 if limit is None else limit),
        )
        return [_decode(row) for row in rows]
    shared: Counter[int] = Counter()
    for article_id in set(article_ids):
        shared.update(index.by_article.get(article_id, ()))
    # the order of the SQL above: most shared, then name (code point order = SQLite's), rowid
    ranked = sorted(shared, key=lambda rowid: (-shared[rowid], index.names[rowid], rowid))
    chosen = ranked if limit is None else ranked[:limit]
    rows_by_id = {
        row["rowid"]: row
        for chunk, marks in chunks([str(r) for r in chosen])
        for row in conn.execute(
            f"SELECT rowid, * FROM entities WHERE rowid IN ({marks})",  # noqa: S608 - marks
            [int(r) for r in chunk],
        )
    }
    found = []
    for rowid in chosen:
        row = rows_by_id.get(rowid)
        if row is None:
            continue  # gone since the index was built (it is rebuilt on the next change)
        decoded = _decode(row)
        decoded.pop("rowid", None)
        decoded["story_mentions"] = shared[rowid]
        found.append(decoded)
    return found


def quotes_by_entity(conn: sqlite3.Connection, ent: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the quotes attributed to an entity."""
    rows = conn.execute(
        "SELECT * FROM quotes WHERE speaker_entity_id = ? OR speaker = ? "
        "ORDER BY article_id, start",
        (ent["id"], ent["name"]),
    ).fetchall()
    flagged = flagged_in(conn, (r["article_id"] for r in rows))
    return [_quote(r, flagged) for r in rows]


# -- derived views ---------------------------------------------------------------------------


def stored_timeline(conn: sqlite3.Connection, story_row: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the story's timeline as the timeline stage stored it (export rows).

    An event shows the entries of its storyline that its own articles report; a store the
    timeline stage has not filled falls back to ``timeline_from_timexes``.
    """
    storyline_id = story_row["parent"] or story_row["id"]
    rows = conn.execute(
        "SELECT story_id, date, text, sources, actors, place, until FROM timeline "
        "WHERE story_id = ? "
        "ORDER BY rank",
        (storyline_id,),
    ).fetchall()
    if not rows:
        return timeline_from_timexes(conn, story_row)
    members = set(story_row["article_ids"])
    entries = [
        {
            "id": timeline_entry_id(r[0], r[1]),
            "story_id": r[0],
            "date": r[1],
            "text": r[2],
            "sources": json.loads(r[3]),
            "actors": json.loads(r[4]),
            "place": r[5],
            "until": r[6],
        }
        for r in rows
    ]
    kept = [e for e in entries if members & set(e["sources"])]
    flagged = flagged_in(conn, (a for e in kept for a in e["sources"]))
    for entry in kept:  # as the export marks it: every source is a flagged page
        entry["flagged_only"] = all(a in flagged for a in entry["sources"])
    return kept


def mark_corroboration(
    conn: sqlite3.Connection, entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Mark each timeline row with how many independent outlets report it; return the rows.

    Sets ``outlets`` (independent outlets among the row's sources) and ``corroborated`` (at
    least ``CORROBORATING_OUTLETS`` of them) in place. An article with no known outlet is its
    own source, as the claims count it.
    """
    ids = sorted({a for e in entries for a in e.get("sources") or ()})
    rows = _rows_in(conn, "articles", ids, key="id", columns="id, source", order="")
    outlet_of = {r[0]: r[1] for r in rows}
    for entry in entries:
        entry["outlets"] = count_outlets(entry.get("sources") or (), outlet_of)
        entry["corroborated"] = entry["outlets"] >= CORROBORATING_OUTLETS
    return entries


def timeline_from_timexes(
    conn: sqlite3.Connection, story_row: dict[str, Any]
) -> list[dict[str, Any]]:
    """Return timeline rows (story_id, date, text, sources) from the dated expressions.

    A stand-in until the timeline stage lands: every full ISO date mentioned in the story's
    articles, with the sentence it was first found in and the articles mentioning it.
    """
    rows = _in_chunks(
        conn,
        "SELECT t.article_id, t.start, t.value, "
        # 400 chars either side of the date are enough to find its sentence
        "substr(a.text, max(1, t.start - 399), 800) AS around, max(0, t.start - 400) AS shift "
        "FROM timexes AS t JOIN articles AS a ON a.id = t.article_id "
        "WHERE t.type = 'DATE' AND t.article_id IN ({marks})",
        story_row["article_ids"],
        " ORDER BY t.article_id, t.start",
    )
    by_date: dict[str, dict[str, Any]] = {}
    for row in rows:
        value = row["value"]
        if not _ISO_DAY.match(value):
            continue
        entry = by_date.get(value)
        if entry is None:
            text = sentence_around(row["around"], row["start"] - row["shift"])
            entry = {"story_id": story_row["id"], "date": value, "text": text, "sources": []}
            by_date[value] = entry
        if row["article_id"] not in entry["sources"]:
            entry["sources"].append(row["article_id"])
    return [by_date[d] for d in sorted(by_date)]


def sentence_around(text: str, offset: int, limit: int = 240) -> str:
    """Return the sentence of ``text`` that contains ``offset``, cut to ``limit`` chars."""
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, offset):
        start = match.end()
    found = _SENTENCE_END.search(text, offset)
    end = found.start() + 1 if found else len(text)
    sentence = text[start:end].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
