"""What the whole-corpus stages replace: entities, stories, timelines, claims, briefings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storyline.claims.conflicts import settle_claims
from storyline.errors import StoreError
from storyline.store.base import StoreBase, chunks, dump, upsert
from storyline.store.read import Reader
from storyline.store.records import (
    Clusters,
    briefing_document_sources,
    briefing_from_json,
    claim_from_row,
    conflict_from_row,
    quote_group_from_row,
    story_from_row,
    timeline_entry_from_row,
)
from storyline.titles import LEAD_CHARS, Headline, choose_title

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

    from storyline.models import (
        Briefing,
        Claim,
        Conflict,
        Entity,
        Quote,
        QuoteGroup,
        QuoteVariant,
        Story,
        TimelineEntry,
    )
    from storyline.store.records import StoredClaim
    from storyline.timeline import Participant


_PARTICIPANT_COLUMNS = 'm.article_id, m.start, m."end", e.name, e.type, m.text'
_CLUSTERED_UPSERT = upsert("clustered", ("article_id", "content_hash"), ("article_id",))


# The orders ``stories`` reads in: by id (the stages), by date (CLI and API), the export's.
_EXPORT_ORDER = "level DESC, first_date, id"
STORY_ORDERS = ("id", "first_date, id", _EXPORT_ORDER)


class StoryStore(StoreBase):
    """Writing and reading the records built over the whole corpus, each replaced at once."""

    if TYPE_CHECKING:  # the article store's, joined into one Store by store.db

        def untrusted(self) -> set[str]:
            """Return the ids of articles whose copy is flagged as untrustworthy."""

    def replace_entities(
        self,
        entities: Sequence[Entity],
        mention_entities: dict[tuple[str, int, int], str],
        quotes: Sequence[Quote],
    ) -> None:
        """Replace the merged entities, link mentions to them, and set canonical speakers."""
        with self.transaction() as conn:
            conn.execute("UPDATE mentions SET entity_id = NULL")
            conn.executemany(
                "UPDATE mentions SET entity_id = ? "
                'WHERE article_id = ? AND start = ? AND "end" = ?',
                [(eid, aid, start, end) for (aid, start, end), eid in mention_entities.items()],
            )
            conn.executemany(
                "UPDATE quotes SET speaker = ?, speaker_entity_id = ? WHERE id = ?",
                [(q.speaker, q.speaker_entity_id, q.id) for q in quotes],
            )
            conn.execute("DELETE FROM entities")
            conn.executemany(
                "INSERT INTO entities (id, name, type, aliases, roles, article_ids) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (e.id, e.name, e.type, dump(e.aliases), dump(e.roles), dump(e.article_ids))
                    for e in entities
                ],
            )

    def entity_names(self) -> dict[str, list[str]]:
        """Return article id -> canonical names of the entities it mentions."""
        rows = self.conn.execute(
            "SELECT DISTINCT m.article_id, e.name FROM mentions m JOIN entities e "
            "ON e.id = m.entity_id ORDER BY m.article_id, e.name"
        )
        names: dict[str, list[str]] = {}
        for article_id, name in rows:
            names.setdefault(article_id, []).append(name)
        return names

    def participants(self, article_ids: Iterable[str]) -> dict[str, list[Participant]]:
        """Return article id -> (start, end, name, type, text) of its merged entities' mentions."""
        found: dict[str, list[Participant]] = {}
        for chunk, marks in chunks(article_ids):
            query = (
                f"SELECT {_PARTICIPANT_COLUMNS} FROM mentions m JOIN entities e "  # noqa: S608
                f"ON e.id = m.entity_id WHERE m.article_id IN ({marks}) ORDER BY 1, 2"
            )
            for article_id, start, end, name, kind, text in self.conn.execute(query, chunk):
                found.setdefault(article_id, []).append((start, end, name, kind, text))
        return found

    def replace_stories(
        self,
        stories: Sequence[Story],
        duplicates: dict[str, str],
        *,
        clusters: Clusters | None = None,
    ) -> None:
        """Replace the stories and every article's ``duplicate_of``.

        A story without a title gets one here (``titles.choose_title``), from the articles it
        holds now: the title follows the story as it grows. ``clusters`` (the clustering state
        the stories come from, ``save_clusters``) is saved in the same transaction: stored
        stories never come from another state than the one stored beside them.
        """
        titles = self._titles(stories)
        with self.transaction() as conn:
            conn.execute("DELETE FROM stories")
            conn.executemany(
                "INSERT INTO stories (id, label, level, parent, article_ids, first_date, "
                "last_date, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.id,
                        s.label,
                        s.level,
                        s.parent,
                        dump(s.article_ids),
                        s.first_date,
                        s.last_date,
                        s.title or titles.get(s.id),
                    )
                    for s in stories
                ],
            )
            conn.execute("UPDATE articles SET duplicate_of = NULL")
            conn.executemany(
                "UPDATE articles SET duplicate_of = ? WHERE id = ?",
                [(original, copy) for copy, original in duplicates.items()],
            )
            if clusters is not None:
                _write_clusters(conn, clusters)

    def clustered_changed(self) -> bool:
        """Return whether an article was clustered with another content hash than it has now."""
        row = self.conn.execute(
            "SELECT 1 FROM clustered c JOIN articles a ON a.id = c.article_id "
            "WHERE a.content_hash <> c.content_hash LIMIT 1"
        ).fetchone()
        return row is not None

    def save_clusters(
        self, state: tuple[str, bytes], hashes: Mapping[str, str], *, anew: bool
    ) -> None:
        """Save the clustering state and the content hash each article was clustered with.

        In one transaction, so the hashes always describe the state stored beside them.
        ``anew``: the state was rebuilt from nothing, and the hashes of the old one go.
        """
        with self.transaction() as conn:
            _write_clusters(conn, Clusters(state, hashes, anew=anew))

    def _titles(self, stories: Sequence[Story]) -> dict[str, str]:
        """Return story id -> readable title, for the stories that do not carry one."""
        wanted = {a for s in stories if not s.title for a in s.article_ids}
        untrusted = self.untrusted() if wanted else set()
        heads: dict[str, Headline] = {}
        for chunk, marks in chunks(sorted(wanted)):
            query = (
                "SELECT id, title, substr(text, 1, ?), source FROM articles "  # noqa: S608
                f"WHERE id IN ({marks})"
            )
            for aid, title, lead, source in self.conn.execute(query, [LEAD_CHARS, *chunk]):
                trusted = aid not in untrusted
                heads[aid] = Headline(aid, title or "", lead or "", source, trusted)
        return {
            s.id: choose_title([heads[a] for a in s.article_ids if a in heads], label=s.label)
            for s in stories
            if not s.title
        }

    def replace_timelines(
        self,
        entries: Sequence[TimelineEntry],
        *,
        keep: Collection[str] = (),
        state: tuple[str, bytes] | None = None,
    ) -> None:
        """Replace every story's timeline but those of the ``keep`` stories.

        ``state`` (a stage's marks, ``story_marks``) is saved in the same transaction.
        """
        with self.transaction() as conn:
            _drop_stories(conn, ("timeline",), keep, state)
            conn.executemany(
                "INSERT INTO timeline (story_id, date, text, sources, actors, place, until, rank) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*_entry_row(e), rank) for rank, e in enumerate(entries)],
            )

    def replace_briefings(
        self,
        claims: Sequence[Claim],
        conflicts: Sequence[Conflict],
        briefings: Sequence[dict[str, Any]],
        *,
        keep: Collection[str] = (),
        state: tuple[str, bytes] | None = None,
    ) -> None:
        """Replace every story's claims, conflicts and briefing (briefings as their JSON).

        The ``keep`` stories' rows stay as stored; ``state`` (the stage's marks) is saved in
        the same transaction. A claim whose own articles disagree is stored ``conflicting``,
        never ``corroborated``.
        """
        claims = settle_claims(claims, conflicts)
        conflicted: dict[str, list[str]] = {}
        for conflict in conflicts:
            for claim_id in conflict.claim_ids:
                conflicted.setdefault(claim_id, []).append(conflict.id)
        with self.transaction() as conn:
            _drop_stories(conn, ("claims", "conflicts", "briefings"), keep, state)
            conn.executemany(
                "INSERT OR REPLACE INTO claims (id, story_id, text, article_ids, sources, kind, "
                "support, date, conflicts, wording_differs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        c.story_id,
                        c.text,
                        dump(c.article_ids),
                        dump(c.sources),
                        c.kind,
                        c.support,
                        c.date,
                        dump(conflicted.get(c.id, [])),
                        int(c.wording_differs),
                    )
                    for c in claims
                ],
            )
            conn.executemany(
                'INSERT OR REPLACE INTO conflicts (id, story_id, kind, subject, "values", '
                "claim_ids) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.id,
                        c.story_id,
                        c.kind,
                        c.subject,
                        json.dumps([{"value": v, "article_ids": list(ids)} for v, ids in c.values]),
                        dump(c.claim_ids),
                    )
                    for c in conflicts
                ],
            )
            conn.executemany(
                "INSERT INTO briefings (story_id, briefing) VALUES (?, ?)",
                [(b["story_id"], json.dumps(b, ensure_ascii=False)) for b in briefings],
            )

    def replace_quote_groups(
        self,
        groups: Sequence[QuoteGroup],
        *,
        keep: Collection[str] = (),
        state: tuple[str, bytes] | None = None,
    ) -> None:
        """Replace every storyline's quote groups but the ``keep`` ones', in the order given.

        Each storyline's groups come best first; ``state`` (the stage's marks) is saved in
        the same transaction.
        """
        with self.transaction() as conn:
            _drop_stories(conn, ("quote_groups",), keep, state)
            conn.executemany(
                "INSERT OR REPLACE INTO quote_groups (id, story_id, speaker, representative, "
                "representative_kind, variants, first_date, last_date, outlets, flagged_only, "
                "rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        g.id,
                        g.story_id,
                        g.speaker,
                        g.representative,
                        g.representative_kind,
                        json.dumps([_variant_row(v) for v in g.variants], ensure_ascii=False),
                        g.first_date,
                        g.last_date,
                        g.outlets,
                        int(g.flagged_only),
                        rank,
                    )
                    for g, rank in zip(groups, _ranks(groups), strict=True)
                ],
            )

    def outlets_and_dates(self) -> dict[str, tuple[str | None, str | None]]:
        """Return each article's outlet and publication day (for grouping its quotes)."""
        rows = self.conn.execute("SELECT id, source, published FROM articles")
        return {r["id"]: (r["source"], r["published"]) for r in rows}

    # -- typed reads (the read model: ``reader()`` for the web's export-shaped rows) ----------

    def quote_groups(self, story_id: str | None = None) -> list[QuoteGroup]:
        """Return the stored quote groups (of one storyline), by story id, best first."""
        rows = self.reader().quote_groups(story_id, kinds=False)  # a record has no kind
        return [quote_group_from_row(r) for r in rows]

    def claims(self, story_id: str | None = None) -> list[StoredClaim]:
        """Return the stored claims (of one storyline), by story id, best supported first."""
        return [claim_from_row(r) for r in self.reader().claim_rows(story_id)]

    def conflicts(self, story_id: str | None = None) -> list[Conflict]:
        """Return the stored conflicts (of one storyline), by id."""
        return [conflict_from_row(r) for r in self.reader().conflict_rows(story_id)]

    def reader(self) -> Reader:
        """Return the read model over this store's connection."""
        return Reader(self.conn)

    def stories(self, level: str | None = None, order: str = _EXPORT_ORDER) -> list[Story]:
        """Return the stored stories (of one level), by default in the export's order.

        ``order`` is one of ``STORY_ORDERS``: the stages walk storylines by id, the CLI and
        the API by date.
        """
        if order not in STORY_ORDERS:
            raise StoreError(f"no story order {order!r}; choose one of {STORY_ORDERS}")
        found = [story_from_row(r) for r in self.rows("stories", order=order)]
        return [s for s in found if level is None or s.level == level]

    def story(self, story_id: str) -> Story | None:
        """Return one stored story, or None."""
        row = self.reader().story(story_id)
        return None if row is None else story_from_row(row)

    def duplicates(self) -> dict[str, str]:
        """Return copy -> original for every article stored as a copy of another."""
        rows = self.conn.execute(
            "SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL ORDER BY seq"
        )
        return {r[0]: r[1] for r in rows}

    def timeline(self, story_id: str | None = None) -> list[TimelineEntry]:
        """Return a storyline's timeline as the timeline stage stored it (empty if none).

        Without ``story_id``: every storyline's, by story id. The stage keeps one sentence
        per date, so an entry's text is that one sentence.
        """
        return [timeline_entry_from_row(r) for r in self.reader().timeline_rows(story_id)]

    def stored_briefing(self, story_id: str) -> Briefing | None:
        """Return the briefing the briefing stage stored for a story, or None.

        The one way to read a stored briefing outside the store: the row holds the JSON of
        ``brief --format json``, which stays inside (the web's read model, ``Reader.briefing``,
        serves it as export-shaped rows).
        """
        row = self.conn.execute(
            "SELECT briefing FROM briefings WHERE story_id = ?", (story_id,)
        ).fetchone()
        if row is None:
            return None
        doc = json.loads(row[0])
        cited = sorted(briefing_document_sources(doc))
        reader = self.reader()
        heads = {r["id"]: (r["source"], r["title"]) for r in reader.article_briefs(cited)}
        # the flags as they stand: a page flagged after the briefing was stored is marked too
        return briefing_from_json(doc, heads, reader.flagged_in(cited))


def _drop_stories(
    conn: Any,  # noqa: ANN401 - a SQLite or PostgreSQL connection
    tables: Sequence[str],
    keep: Collection[str],
    state: tuple[str, bytes] | None,
) -> None:
    """Delete the rows of ``tables`` of every story not in ``keep``; save ``state`` if given."""
    for table in tables:
        if not keep:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            continue
        stored = [r[0] for r in conn.execute(f"SELECT DISTINCT story_id FROM {table}")]  # noqa: S608
        for chunk, marks in chunks(sorted(set(stored) - set(keep))):
            conn.execute(f"DELETE FROM {table} WHERE story_id IN ({marks})", chunk)  # noqa: S608
    if state is not None:
        conn.execute(upsert("stage_state", ("name", "value"), ("name",)), state)


def _write_clusters(conn: Any, clusters: Clusters) -> None:  # noqa: ANN401 - either backend's
    """Save the clustering state and the hash each article was clustered with."""
    if clusters.anew:
        conn.execute("DELETE FROM clustered")
    conn.executemany(_CLUSTERED_UPSERT, sorted(clusters.hashes.items()))
    conn.execute(upsert("stage_state", ("name", "value"), ("name",)), clusters.state)


def _entry_row(entry: TimelineEntry) -> tuple[str, str, str, str, str, str | None, str | None]:
    """Return a timeline entry's columns before its rank."""
    text = " ".join(entry.text)
    sources, actors = dump(entry.sources), dump(entry.actors)
    return entry.story_id, entry.date, text, sources, actors, entry.place, entry.until


def _variant_row(variant: QuoteVariant) -> dict[str, Any]:
    return {
        "quote_id": variant.quote_id,
        "article_id": variant.article_id,
        "outlet": variant.outlet,
        "text": variant.text,
        "kind": variant.kind,
        "date": variant.date,
        "match": variant.match,
        "flagged": variant.flagged,
    }


def _ranks(groups: Sequence[QuoteGroup]) -> list[int]:
    """Return each group's place among its storyline's, in the order given.

    Per storyline, not over the call: a run that rebuilds some storylines and keeps others
    stores the ranks a run from scratch stores.
    """
    seen: dict[str, int] = {}
    ranks: list[int] = []
    for group in groups:
        ranks.append(seen.get(group.story_id, 0))
        seen[group.story_id] = ranks[-1] + 1
    return ranks
