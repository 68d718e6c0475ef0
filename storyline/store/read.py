"""The read model: every read the export, the web UI and the API make, on either backend.

``Reader`` wraps one connection of a store (the store's own, or a read-only one lent to a web
request) and returns rows in the export's shapes: ``storyline export`` writes its whole-table
reads, the API pages through the same rows, and the store's typed reads (``Store.claims``,
``Store.timeline``, ...) turn them into records (``store.records``).
The SQL is the store's portable SQLite dialect (``store.postgres`` translates it): no
``json_each``, ``COLLATE NOCASE``, ``rowid`` or ``PRAGMA``; JSON columns are decoded here.
Full-text search is FTS5 on SQLite (``web.search``) and a ``tsvector`` GIN index on PostgreSQL
(``Reader.search``, migration 15).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.flagged import flagged_only
from storyline.models import timeline_entry_id
from storyline.store.read_base import KIND_BATCH, ReaderBase, decode, quote_group_row
from storyline.store.records import briefing_document_sources

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

Row = dict[str, Any]

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_CLAIMS_SHOWN = 40  # claims a story page lists (a page-length bound, not fitted)


@dataclass(frozen=True, slots=True)
class EntityIndex:
    """Which entities each article mentions (entity ids), and each entity's name."""

    by_article: dict[str, tuple[str, ...]]
    names: dict[str, str]


class Reader(ReaderBase):
    """Typed, read-only access to a store through one connection (see the module docstring)."""

    # -- stories ---------------------------------------------------------------------------

    def stories(self) -> list[Row]:
        """Return every story, in the export's order."""
        rows = self.conn.execute("SELECT * FROM stories ORDER BY level DESC, first_date, id")
        return self.mark_stories([decode(r) for r in rows], whole=True)

    def story(self, story_id: str) -> Row | None:
        """Return one story row, or None."""
        row = self.conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return None if row is None else decode(row)

    def child_stories(self, story_id: str) -> list[Row]:
        """Return the events inside a storyline."""
        rows = self.conn.execute(
            "SELECT * FROM stories WHERE parent = ? ORDER BY first_date, id", (story_id,)
        )
        return self.mark_stories([decode(r) for r in rows])

    def mark_stories(self, stories: list[Row], *, whole: bool = False) -> list[Row]:
        """Return story rows with ``flagged_only``: every article of the story is flagged copy.

        An event of one spun page alone is that page's story: shown unmarked, it would read
        as a happening the other outlets missed (as the timeline and claims rows mark it).
        ``whole``: the rows are every story, so every flagged article is read at once.
        """
        if whole:
            flagged = self.untrusted()
        else:
            flagged = self.flagged_in(a for s in stories for a in s["article_ids"])
        for story in stories:
            story["flagged_only"] = flagged_only(story["article_ids"], flagged)
        return stories

    def story_titles(self, story_ids: Sequence[str]) -> dict[str, str]:
        """Return the readable title of each story id (its keyword label when it has none)."""
        rows = self._rows_in("stories", story_ids, key="id", columns="id, title, label")
        return {r["id"]: r["title"] or r["label"] for r in rows}

    # -- articles --------------------------------------------------------------------------

    def article_briefs(self, article_ids: Sequence[str]) -> list[Row]:
        """Return what a list of articles shows: id, title, outlet, date, its precision, copy."""
        columns = "id, title, source, published, published_precision, duplicate_of"
        rows = self._rows_in("articles", article_ids, key="id", columns=columns, order="seq")
        return [{k: r[k] for k in r.keys()} for r in rows]  # noqa: SIM118

    def article_rows(self, article_ids: Sequence[str]) -> list[Row]:
        """Return articles as export rows (``removed`` lines and ``story_ids`` included)."""
        columns = self._article_columns()
        rows = self._rows_in("articles", article_ids, key="id", columns=columns, order="seq")
        return self._complete([decode(r) for r in rows])

    def article_page(self, *, offset: int, limit: int) -> tuple[int, list[Row]]:
        """Return the number of articles and one page of them, in ingest order."""
        total = self.count("articles")
        rows = self.conn.execute(
            f"SELECT {self._article_columns()} FROM articles ORDER BY seq "  # noqa: S608
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return total, self._complete([decode(r) for r in rows])

    # -- quotes, dates, entities -------------------------------------------------------------

    def quotes_for(self, article_ids: Sequence[str]) -> list[Row]:
        """Return the quotes in these articles, as export rows."""
        return self._quotes(self._rows_in("quotes", article_ids, order="article_id, start"))

    def speaker_entities(self, speaker: str) -> list[Row]:
        """Return the entities whose name or any alias is ``speaker``, ignoring case.

        "Putin" finds Vladimir Putin when the entity stage recorded "Putin" as one of his
        aliases. The LIKE narrows the rows (a name inside the aliases' JSON); the exact test
        on each decoded alias is made here.
        """
        wanted = speaker.casefold()
        rows = self.conn.execute(
            "SELECT * FROM entities WHERE lower(name) = lower(?) OR lower(aliases) LIKE lower(?) "
            "ORDER BY name, id",
            (speaker, "%" + json.dumps(speaker, ensure_ascii=False)[1:-1] + "%"),
        )
        found = []
        for row in rows:
            decoded = decode(row)
            names = [decoded["name"], *decoded["aliases"]]
            if any(n.casefold() == wanted for n in names):
                found.append(decoded)
        return found

    def quote_page(
        self, *, speaker: str | None, offset: int, limit: int, outlet: str | None = None
    ) -> tuple[int, list[Row]]:
        """Return the number of quotes (by a speaker, from an outlet, if given) and a page.

        ``speaker`` is any name or alias of an entity, or a speaker name as stored; ``outlet``
        is an article's outlet. Both ignore case.
        """
        clauses: list[str] = []
        args: list[Any] = []
        if speaker:
            found = self.speaker_entities(speaker)
            ids = [e["id"] for e in found]
            names = sorted({speaker, *(e["name"] for e in found)})
            by_name = f"lower(q.speaker) IN ({','.join(['lower(?)'] * len(names))})"
            if ids:
                marks = ",".join("?" * len(ids))
                clauses.append(f"(q.speaker_entity_id IN ({marks}) OR {by_name})")
                args += ids
            else:
                clauses.append(by_name)
            args += names
        if outlet:
            clauses.append("lower(a.source) = lower(?)")
            args.append(outlet)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        source = "quotes AS q JOIN articles AS a ON a.id = q.article_id"
        total = int(
            self.conn.execute(f"SELECT COUNT(*) FROM {source} {where}", args).fetchone()[0]  # noqa: S608
        )
        rows = self.conn.execute(
            f"SELECT q.* FROM {source} {where} "  # noqa: S608 - fixed clauses, values bound
            "ORDER BY q.article_id, q.start LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return total, self._quotes(rows)

    def timexes_for(self, article_ids: Sequence[str]) -> list[Row]:
        """Return the time expressions in these articles, as export rows."""
        rows = self._rows_in("timexes", article_ids, order='article_id, start, "end"')
        return [decode(r) for r in rows]

    def entity(self, entity_id: str) -> Row | None:
        """Return one entity row, or None."""
        row = self.conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return None if row is None else decode(row)

    def entity_page(self, *, offset: int, limit: int) -> tuple[int, list[Row]]:
        """Return the number of entities and one page of them, by name."""
        rows = self.conn.execute(
            "SELECT * FROM entities ORDER BY name, id LIMIT ? OFFSET ?", (limit, offset)
        )
        return self.count("entities"), [decode(r) for r in rows]

    def change_page(self, *, offset: int, limit: int) -> tuple[int, list[Row]]:
        """Return the size of the watch change log and one page of it, newest cycle first."""
        rows = self.conn.execute(
            "SELECT cycle, seq, kind, story_id, text FROM changes ORDER BY cycle DESC, seq "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return self.count("changes"), [{k: r[k] for k in r.keys()} for r in rows]  # noqa: SIM118

    def entity_index(self) -> EntityIndex:
        """Return which entities each article mentions."""
        by_article: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for entity_id, name, article_ids in self.conn.execute(
            "SELECT id, name, article_ids FROM entities"
        ):
            names[entity_id] = name
            for article_id in set(json.loads(article_ids)):
                by_article.setdefault(article_id, []).append(entity_id)
        return EntityIndex({k: tuple(v) for k, v in by_article.items()}, names)

    def entities_in(
        self,
        article_ids: Sequence[str],
        limit: int | None = None,
        index: EntityIndex | None = None,
    ) -> list[Row]:
        """Return the entities mentioned in these articles, most widely mentioned first.

        Ties go by name, then id (code point order on both backends). With an ``index`` (the
        web app keeps one per database state) no entity's article list is decoded per request:
        on a 300-entity store that was a third of a story page's CPU time.
        """
        index = index or self.entity_index()
        shared: Counter[str] = Counter()
        for article_id in set(article_ids):
            shared.update(index.by_article.get(article_id, ()))
        ranked = sorted(shared, key=lambda eid: (-shared[eid], index.names[eid], eid))
        chosen = ranked if limit is None else ranked[:limit]
        by_id = {r["id"]: r for r in self._rows_in("entities", chosen, key="id")}
        found = []
        for entity_id in chosen:
            row = by_id.get(entity_id)
            if row is None:
                continue  # gone since the index was built (it is rebuilt on the next change)
            decoded = decode(row)
            decoded["story_mentions"] = shared[entity_id]
            found.append(decoded)
        return found

    def quotes_by_entity(self, ent: Row) -> list[Row]:
        """Return the quotes attributed to an entity."""
        rows = self.conn.execute(
            "SELECT * FROM quotes WHERE speaker_entity_id = ? OR speaker = ? "
            "ORDER BY article_id, start",
            (ent["id"], ent["name"]),
        ).fetchall()
        return self._quotes(rows)

    # -- what the corpus stages stored -------------------------------------------------------

    def quote_groups(self, story_id: str | None = None, *, kinds: bool = True) -> list[Row]:
        """Return the stored quote groups (of one story), best first, as export rows.

        Each row also says what kind of source its speaker is (``speaker_kind``, the kind
        most of its variants' quotes were given); ``kinds=False`` skips that lookup for a
        stage that reads groups back as records.
        """
        where, args = ("WHERE story_id = ? ", (story_id,)) if story_id is not None else ("", ())
        rows = self.conn.execute(
            f"SELECT * FROM quote_groups {where}ORDER BY story_id, rank",  # noqa: S608 - fixed
            args,
        )
        groups = [quote_group_row(decode(r)) for r in rows]
        return self._group_kinds(groups) if kinds else groups

    def speaker_quote_groups(self, speaker: str) -> list[Row]:
        """Return the quote groups of one speaker (a canonical name), by story and rank."""
        rows = self.conn.execute(
            "SELECT * FROM quote_groups WHERE speaker = ? ORDER BY story_id, rank", (speaker,)
        )
        return self._group_kinds([quote_group_row(decode(r)) for r in rows])

    def timeline_rows(self, story_id: str | None = None) -> Iterator[Row]:
        """Yield the stored timeline entries (of one storyline) as export rows, by rank."""
        if story_id is None:
            rows: Iterable[Any] = self.conn.execute(
                "SELECT * FROM timeline ORDER BY story_id, rank"
            )
            flagged = self.untrusted()
        else:
            rows = self.conn.execute(
                "SELECT * FROM timeline WHERE story_id = ? ORDER BY rank", (story_id,)
            ).fetchall()
            flagged = self.flagged_in(a for r in rows for a in json.loads(r["sources"]))
        for row in rows:
            entry = decode(row)
            entry.pop("rank")
            # every source a flagged page: as the export marks it
            entry["flagged_only"] = flagged_only(entry["sources"], flagged)
            yield {"id": timeline_entry_id(entry["story_id"], entry["date"]), **entry}

    def claim_rows(self, story_id: str | None = None, limit: int | None = None) -> Iterator[Row]:
        """Yield the stored claims (of one storyline; the ``limit`` best) as export rows."""
        order = "ORDER BY story_id, support DESC, id" + (
            "" if limit is None else f" LIMIT {limit:d}"
        )
        if story_id is None:
            rows: Iterable[Any] = self.conn.execute(f"SELECT * FROM claims {order}")  # noqa: S608
            flagged = self.untrusted()
        else:
            rows = self.conn.execute(
                f"SELECT * FROM claims WHERE story_id = ? {order}",  # noqa: S608 - fixed
                (story_id,),
            ).fetchall()
            flagged = self.flagged_in(a for r in rows for a in json.loads(r["article_ids"]))
        for row in rows:
            claim = decode(row)
            claim["wording_differs"] = bool(claim.get("wording_differs"))
            claim["flagged_only"] = flagged_only(claim["article_ids"], flagged)
            yield claim

    def conflict_rows(self, story_id: str | None = None) -> list[Row]:
        """Return the stored conflicts (of one storyline), by id."""
        if story_id is None:
            rows = self.conn.execute("SELECT * FROM conflicts ORDER BY id")
        else:
            rows = self.conn.execute(
                "SELECT * FROM conflicts WHERE story_id = ? ORDER BY id", (story_id,)
            )
        return [decode(r) for r in rows]

    def timeline(self, story_row: Row) -> list[Row]:
        """Return the story's timeline as the timeline stage stored it (export rows).

        An event shows the entries of its storyline that its own articles report; a store
        the timeline stage has not filled falls back to ``timeline_from_timexes``.
        """
        entries = list(self.timeline_rows(story_row["parent"] or story_row["id"]))
        if not entries:
            return self.timeline_from_timexes(story_row)
        members = set(story_row["article_ids"])
        return [e for e in entries if members & set(e["sources"])]

    def timeline_from_timexes(self, story_row: Row) -> list[Row]:
        """Return timeline rows (story_id, date, text, sources) from the dated expressions.

        For a store the timeline stage has not filled: every full ISO date mentioned in the
        story's articles, with the sentence it was first found in and the articles naming it.
        """
        rows = self._in_chunks(
            "SELECT t.article_id, t.start, t.value, "
            # 400 chars either side of the date are enough to find its sentence
            "substr(a.text, CAST(CASE WHEN t.start > 400 THEN t.start - 399 ELSE 1 END "
            "AS INTEGER), 800) "
            "AS around, CASE WHEN t.start > 400 THEN t.start - 400 ELSE 0 END AS shift "
            "FROM timexes AS t JOIN articles AS a ON a.id = t.article_id "
            "WHERE t.type = 'DATE' AND t.article_id IN ({marks})",
            story_row["article_ids"],
            " ORDER BY t.article_id, t.start",
        )
        by_date: dict[str, Row] = {}
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

    def briefing(self, story: Row) -> Row | None:
        """Return the briefing the briefing stage stored for the story, citations as sources.

        An event has its own, from its own articles; its storyline's is shown only for a
        database briefed before events were.
        """
        query = "SELECT briefing FROM briefings WHERE story_id = ?"
        row = self.conn.execute(query, (story["id"],)).fetchone()
        if row is None and story["parent"]:
            row = self.conn.execute(query, (story["parent"],)).fetchone()
        if row is None:
            return None
        briefing = json.loads(row[0])
        for sentence in briefing["sentences"]:
            sentence["sources"] = sentence["citations"]
        # the cited pages flagged as untrustworthy copy, as the flags stand now
        briefing["flagged"] = sorted(self.flagged_in(briefing_document_sources(briefing)))
        return dict(briefing)

    def claims(self, story: Row) -> list[Row]:
        """Return the story's claims with the articles that support them and that disagree.

        The storyline's 40 best-supported claims, of those one of the story's articles makes.
        """
        storyline = story["parent"] or story["id"]
        disagreeing = {
            c["id"]: sorted({a for v in c["values"] for a in v["article_ids"]})
            for c in self.conflict_rows(storyline)
        }
        members = set(story["article_ids"])
        claims = []
        for row in self.claim_rows(storyline, _CLAIMS_SHOWN):
            if not members & set(row["article_ids"]):
                continue
            against = sorted({a for c in row["conflicts"] for a in disagreeing.get(c, [])})
            claims.append(
                {
                    "id": row["id"],
                    "story_id": storyline,
                    "statement": row["text"],
                    "supporting": row["article_ids"],
                    "conflicts": against,
                    "flagged_only": row["flagged_only"],
                    "wording_differs": row["wording_differs"],
                }
            )
        return claims

    # -- whole tables, as ``storyline export`` writes them -------------------------------------

    def articles(self) -> Iterator[Row]:
        """Yield every article as an export row, in ingest order."""
        removed, story_ids = self._removed(None), self._story_ids(None)
        for row in self._all("articles", "seq", self._article_columns()):
            yield self._article_row(row, removed, story_ids)

    def quotes(self) -> Iterator[Row]:
        """Yield every quote as an export row, by article and offset."""
        flagged = self.untrusted()
        rows = iter(self.conn.execute("SELECT * FROM quotes ORDER BY article_id, start"))
        # speaker kinds are looked up a batch of quotes at a time: the export streams
        while batch := [self._quote_row(r, flagged) for r in itertools.islice(rows, KIND_BATCH)]:
            yield from self._with_kinds(batch)

    def timexes(self) -> Iterator[Row]:
        """Yield every time expression, by article and offset."""
        return self._all("timexes", 'article_id, start, "end"')

    def entities(self) -> Iterator[Row]:
        """Yield every entity, by name."""
        return self._all("entities", "name, id")

    def rejected(self) -> Iterator[Row]:
        """Yield every rejected input or stage item, by locator."""
        return self._all("rejected", "locator")

    def changes(self) -> Iterator[Row]:
        """Yield the watch change log: each cycle's start, its order in the cycle, the change."""
        return self._all("changes", "cycle, seq")


def filter_stories(
    stories: Iterable[Row],
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    entity_articles: set[str] | None = None,
    top_level: bool = False,
) -> list[Row]:
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


def coverage(briefs: Sequence[Row]) -> Row:
    """Return the outlets of a story's articles and how many appeared per publication day.

    An article with no outlet is its own unknown source (``unknown`` counts them): a story
    of five such pages has five sources, never "0 outlets".
    """
    outlets = sorted({b["source"] for b in briefs if b["source"]})
    unknown = sum(1 for b in briefs if not b["source"])
    days = Counter(b["published"][:10] for b in briefs if b["published"])
    return {"outlets": outlets, "unknown": unknown, "per_day": sorted(days.items())}


def sentence_around(text: str, offset: int, limit: int = 240) -> str:
    """Return the sentence of ``text`` that contains ``offset``, cut to ``limit`` chars."""
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, offset):
        start = match.end()
    found = _SENTENCE_END.search(text, offset)
    end = found.start() + 1 if found else len(text)
    sentence = text[start:end].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
