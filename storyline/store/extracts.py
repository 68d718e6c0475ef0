"""What the per-article stages extract: time expressions, mentions, quotes, dated events.

Each stage replaces its own records of the articles it processed and marks them done in one
transaction, so an interrupted run resumes exactly where it stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.models import DatedEvent, Mention, Quote, TimeExpr
from storyline.store.base import StoreBase, chunks, upsert

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from storyline.store.dialect import Connection

_SPAN = ("article_id", "start", "end")
_TIMEX_COLUMNS = (*_SPAN, "text", "type", "value", "anchor")
_MENTION_COLUMNS = (*_SPAN, "text", "label", "entity_id")
_QUOTE_COLUMNS = (
    "id",
    "article_id",
    "speaker",
    "speaker_text",
    "cue",
    "kind",
    "text",
    "start",
    "end",
    "nested_in",
    "speaker_entity_id",
    "speaker_local",
)
_EVENT_COLUMNS = (
    "id",
    "article_id",
    "date",
    "text",
    "start",
    "end",
    "published",
    "lead",
    "date_at",
    "until",
)


class ExtractStore(StoreBase):
    """Writing and reading the records of the per-article stages, and stages' saved state."""

    def save_stage(
        self,
        stage: str,
        article_ids: Sequence[str],
        *,
        timexes: Sequence[TimeExpr] | None = None,
        mentions: Sequence[tuple[Mention, str | None]] | None = None,
        quotes: Sequence[Quote] | None = None,
        events: Sequence[tuple[DatedEvent, bool]] | None = None,
    ) -> None:
        """Replace what one per-article stage found in these articles and mark them done.

        Only the record kinds passed (not None) are replaced; all of it is one transaction, so
        an interrupted run resumes exactly where it stopped.
        """
        with self.transaction() as conn:
            done = [(a,) for a in article_ids]
            rows: list[tuple[Any, ...]]
            if timexes is not None:
                rows = [
                    (t.article_id, t.start, t.end, t.text, t.type, t.value, t.anchor)
                    for t in timexes
                ]
                _replace(conn, "timexes", done, rows, columns=_TIMEX_COLUMNS, key=_SPAN)
            if mentions is not None:
                rows = [(m.article_id, m.start, m.end, m.text, m.label, e) for m, e in mentions]
                _replace(conn, "mentions", done, rows, columns=_MENTION_COLUMNS, key=_SPAN)
            if quotes is not None:
                # the speaker as resolved in its own article is kept beside the canonical one
                rows = [
                    (
                        q.id,
                        q.article_id,
                        q.speaker,
                        q.speaker_text,
                        q.cue,
                        q.kind,
                        q.text,
                        q.start,
                        q.end,
                        q.nested_in,
                        q.speaker_entity_id,
                        q.speaker,
                    )
                    for q in quotes
                ]
                _replace(conn, "quotes", done, rows, columns=_QUOTE_COLUMNS, key=("id",))
            if events is not None:
                rows = [
                    (
                        e.id,
                        e.article_id,
                        e.date,
                        e.text,
                        e.start,
                        e.end,
                        e.published,
                        lead,
                        e.date_at,
                        e.until,
                    )
                    for e, lead in events
                ]
                _replace(conn, "events", done, rows, columns=_EVENT_COLUMNS, key=("id",))
            conn.executemany(
                "INSERT INTO article_stages (article_id, stage) VALUES (?, ?) "
                "ON CONFLICT (article_id, stage) DO NOTHING",
                [(a, stage) for a in article_ids],
            )

    def unmark(self, stage: str, article_ids: Sequence[str]) -> None:
        """Make these articles pending again for a per-article stage (their records stay)."""
        if article_ids:
            with self.transaction() as conn:
                conn.executemany(
                    "DELETE FROM article_stages WHERE article_id = ? AND stage = ?",
                    [(a, stage) for a in article_ids],
                )

    def mentions(self) -> list[Mention]:
        """Return every stored mention, by article and position."""
        rows = self.conn.execute('SELECT * FROM mentions ORDER BY article_id, start, "end"')
        return [Mention(r["article_id"], r["start"], r["end"], r["text"], r["label"]) for r in rows]

    def timexes(self, article_ids: Iterable[str]) -> list[TimeExpr]:
        """Return the stored time expressions of these articles, by article and position."""
        found: list[TimeExpr] = []
        for chunk, marks in chunks(article_ids):
            rows = self.conn.execute(
                f"SELECT * FROM timexes WHERE article_id IN ({marks}) "  # noqa: S608
                'ORDER BY article_id, start, "end"',
                chunk,
            )
            found.extend(
                TimeExpr(
                    r["article_id"],
                    r["start"],
                    r["end"],
                    r["text"],
                    r["type"],
                    r["value"],
                    r["anchor"],
                )
                for r in rows
            )
        return found

    def quotes(
        self, *, local: bool = False, article_ids: Iterable[str] | None = None
    ) -> list[Quote]:
        """Return the stored quotes (of ``article_ids``, default all).

        ``local`` gives speakers as resolved in their own article.
        """
        if article_ids is None:
            rows = list(
                self.conn.execute('SELECT * FROM quotes ORDER BY article_id, start, "end", id')
            )
        else:
            rows = []
            for chunk, marks in chunks(article_ids):
                rows.extend(
                    self.conn.execute(
                        f"SELECT * FROM quotes WHERE article_id IN ({marks}) "  # noqa: S608
                        'ORDER BY article_id, start, "end", id',
                        chunk,
                    )
                )
        return [
            Quote(
                id=r["id"],
                article_id=r["article_id"],
                speaker=r["speaker_local"] if local else r["speaker"],
                speaker_text=r["speaker_text"],
                cue=r["cue"],
                kind=r["kind"],
                text=r["text"],
                start=r["start"],
                end=r["end"],
                nested_in=r["nested_in"],
                speaker_entity_id=None if local else r["speaker_entity_id"],
            )
            for r in rows
        ]

    def events(self, article_ids: Iterable[str]) -> tuple[list[DatedEvent], list[DatedEvent]]:
        """Return the dated events and the lead sentences of these articles."""
        dated: list[DatedEvent] = []
        leads: list[DatedEvent] = []
        for chunk, marks in chunks(article_ids):
            rows = self.conn.execute(
                f"SELECT * FROM events WHERE article_id IN ({marks}) "  # noqa: S608
                "ORDER BY article_id, start, id",
                chunk,
            )
            for r in rows:
                event = DatedEvent(
                    r["id"],
                    r["article_id"],
                    r["date"],
                    r["text"],
                    r["start"],
                    r["end"],
                    (r["article_id"],),
                    r["published"],
                    r["date_at"],
                    r["until"],
                )
                (leads if r["lead"] else dated).append(event)
        return dated, leads

    def get_state(self, name: str) -> bytes | None:
        """Return a stage's saved state (e.g. an incremental index), or None."""
        row = self.conn.execute("SELECT value FROM stage_state WHERE name = ?", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    def set_state(self, name: str, value: bytes) -> None:
        """Save a stage's state."""
        with self.transaction() as conn:
            conn.execute(upsert("stage_state", ("name", "value"), ("name",)), (name, value))

    def keyed_state(self, prefix: str) -> dict[str, bytes]:
        """Return a stage's state kept one entry a row, by key (the row names after ``prefix``).

        ``prefix`` must hold no LIKE wildcard (``%`` or ``_``).
        """
        rows = self.conn.execute(
            "SELECT name, value FROM stage_state WHERE name LIKE ?", (prefix + "%",)
        ).fetchall()
        return {str(name)[len(prefix) :]: bytes(value) for name, value in rows}

    def update_keyed_state(
        self, prefix: str, put: Mapping[str, bytes], drop: Sequence[str]
    ) -> None:
        """Write the entries ``put`` and delete the keys ``drop`` of a keyed state, at once."""
        if not put and not drop:
            return
        with self.transaction() as conn:
            conn.executemany(
                "DELETE FROM stage_state WHERE name = ?", [(prefix + k,) for k in drop]
            )
            conn.executemany(
                upsert("stage_state", ("name", "value"), ("name",)),
                [(prefix + k, v) for k, v in put.items()],
            )

    def drop_state(self, name: str) -> None:
        """Delete a stage's state row (a format no longer read)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM stage_state WHERE name = ?", (name,))


def _replace(
    conn: Connection,
    table: str,
    done: list[tuple[str]],
    rows: Sequence[tuple[Any, ...]],
    *,
    columns: Sequence[str],
    key: Sequence[str],
) -> None:
    """Drop what ``table`` held for the ``done`` articles, then upsert ``rows`` on ``key``."""
    conn.executemany(f"DELETE FROM {table} WHERE article_id = ?", done)  # noqa: S608 - fixed names
    conn.executemany(upsert(table, columns, key), rows)
