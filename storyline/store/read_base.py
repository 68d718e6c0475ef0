"""The read model's plumbing: chunked IN queries, JSON decoding and the flags rows carry.

``read.Reader`` builds on ``ReaderBase``; the two are one read model, split for length. The
SQL is the store's portable SQLite dialect (``store.postgres`` translates it).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import TYPE_CHECKING, Any

from storyline.quality.assess import UNTRUSTED_FLAGS
from storyline.speaker_kinds import name_key, speaker_kind
from storyline.store.base import JSON_COLUMNS, chunks

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from storyline.store.dialect import Connection

Row = dict[str, Any]

_INTERNAL_QUOTE_COLUMNS = ("speaker_local",)  # the speaker before entity merging: internal
_REMOVED_COLUMNS = ("line_no", "text", "reason", "score")
KIND_BATCH = 2000  # quotes whose speakers' kinds one lookup reads (a memory bound, not fitted)


def decode(row: Any) -> Row:  # noqa: ANN401 - a sqlite3.Row or a PostgreSQL Row
    """Return a row as a dict in column order, its JSON columns decoded."""
    return {
        key: json.loads(row[key]) if key in JSON_COLUMNS and isinstance(row[key], str) else row[key]
        for key in row.keys()  # noqa: SIM118 - neither row type is a mapping
    }


class ReaderBase:
    """One connection of a store, read (see ``read.Reader``)."""

    def __init__(self, conn: Connection | sqlite3.Connection) -> None:
        self.conn = conn
        self.postgres = not isinstance(conn, sqlite3.Connection)
        # read once per reader: a reader lives for one request or one export, and every batch
        # of quotes it reads asks for the outlets
        self._outlets: frozenset[str] | None = None

    def _in_chunks(self, sql: str, ids: Sequence[str], order: str = "") -> list[Any]:
        """Run ``sql`` (with one ``{marks}`` placeholder) for ids, chunk by chunk."""
        rows: list[Any] = []
        for chunk, marks in chunks(ids):
            rows.extend(self.conn.execute(sql.format(marks=marks) + order, chunk).fetchall())
        return rows

    def _rows_in(
        self,
        table: str,
        ids: Sequence[str],
        *,
        key: str = "article_id",
        columns: str = "*",
        order: str = "",
    ) -> list[Any]:
        """Return the rows of ``table`` whose ``key`` is one of ``ids``, chunk by chunk."""
        sql = f"SELECT {columns} FROM {table} WHERE {key} IN ({{marks}})"  # noqa: S608 - fixed
        return self._in_chunks(sql, ids, f" ORDER BY {order}" if order else "")

    def _all(self, table: str, order: str, columns: str = "*") -> Iterator[Row]:
        """Yield every row of a table (fixed names, never a request's), JSON decoded."""
        for row in self.conn.execute(f"SELECT {columns} FROM {table} ORDER BY {order}"):  # noqa: S608
            yield decode(row)

    def columns(self, table: str) -> list[str]:
        """Return a table's column names in table order (from the schema, never a request)."""
        if self.postgres:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = current_schema() ORDER BY ordinal_position",
                (table,),
            )
            return [r[0] for r in rows]
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]

    def count(self, table: str) -> int:
        """Return the number of rows of a table (a fixed name, never a request's)."""
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608

    def flagged_in(self, article_ids: Iterable[str]) -> set[str]:
        """Return those of the articles whose copy is flagged as untrustworthy."""
        rows = self._rows_in(
            "articles", sorted(set(article_ids)), key="id", columns="id, quality_flags"
        )
        return {r[0] for r in rows if set(json.loads(r[1])) & set(UNTRUSTED_FLAGS)}

    def untrusted(self) -> set[str]:
        """Return the ids of every article whose copy is flagged as untrustworthy."""
        rows = self.conn.execute("SELECT id, quality_flags FROM articles")
        return {r[0] for r in rows if set(json.loads(r[1])) & set(UNTRUSTED_FLAGS)}

    def _quote_row(self, row: Any, flagged: set[str]) -> Row:  # noqa: ANN401 - either backend's row
        """Return a stored quote as its export row (``flagged_only``: its page is flagged)."""
        decoded = decode(row)
        for key in _INTERNAL_QUOTE_COLUMNS:
            decoded.pop(key, None)
        decoded["flagged_only"] = decoded["article_id"] in flagged
        return decoded

    def _quotes(self, rows: Sequence[Any]) -> list[Row]:
        flagged = self.flagged_in(r["article_id"] for r in rows)
        return self._with_kinds([self._quote_row(row, flagged) for row in rows])

    def _with_kinds(self, quotes: list[Row]) -> list[Row]:
        """Return the quote rows, each with its ``speaker_kind`` (``speaker_kinds``).

        The label is the speaker entity's type, else that of a mention of the same article
        naming the speaker as written; the outlets are the articles' own (their metadata).
        """
        if not quotes:
            return quotes
        ids = sorted({q["article_id"] for q in quotes})
        entity_ids = sorted({q["speaker_entity_id"] for q in quotes if q["speaker_entity_id"]})
        types = {
            r[0]: r[1] for r in self._rows_in("entities", entity_ids, key="id", columns="id, type")
        }
        own = {r[0]: r[1] for r in self._rows_in("articles", ids, key="id", columns="id, source")}
        unlinked = sorted({q["article_id"] for q in quotes if q["speaker_entity_id"] not in types})
        # every label of each wording, in the article's order: both backends read them alike
        labels: dict[str, dict[str, list[str]]] = {}
        for r in self._rows_in(
            "mentions", unlinked, columns="article_id, text, label", order="article_id, start"
        ):
            labels.setdefault(r[0], {}).setdefault(name_key(r[1]), []).append(r[2])
        outlets = self.outlet_keys()
        for quote in quotes:
            aid = quote["article_id"]
            label = types.get(quote["speaker_entity_id"]) or _mention_label(
                labels.get(aid, {}), (quote["speaker_text"], quote["speaker"])
            )
            quote["speaker_kind"] = speaker_kind(
                quote["speaker"],
                quote["speaker_text"],
                label=label,
                outlet=own.get(aid),
                outlets=outlets,
            )
        return quotes

    def _group_kinds(self, groups: list[Row]) -> list[Row]:
        """Return the groups, each with the kind most of its variants' speakers were given."""
        wanted = sorted({v["quote_id"] for g in groups for v in g["variants"]})
        kind_of: dict[str, str | None] = {}
        for start in range(0, len(wanted), KIND_BATCH):
            rows = self._rows_in("quotes", wanted[start : start + KIND_BATCH], key="id")
            kind_of.update((q["id"], q["speaker_kind"]) for q in self._quotes(rows))
        for group in groups:
            found = Counter(k for v in group["variants"] if (k := kind_of.get(v["quote_id"])))
            group["speaker_kind"] = found.most_common(1)[0][0] if found else None
        return groups

    def outlet_keys(self) -> frozenset[str]:
        """Return every outlet the articles name in their metadata, as ``name_key`` gives it."""
        if self._outlets is None:
            sql = "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL"
            rows = self.conn.execute(sql)
            self._outlets = frozenset(key for r in rows if (key := name_key(r[0])))
        return self._outlets

    # -- articles as the export writes them --------------------------------------------------

    def _article_columns(self) -> str:
        names = self.columns("articles")
        return ", ".join(f'"{n}"' for n in names if n not in {"raw_text", "seq"})

    def _removed(self, ids: Sequence[str] | None) -> dict[str, list[Row]]:
        """Return the boilerplate lines removed from the articles (all of them: None)."""
        columns = "article_id, " + ", ".join(_REMOVED_COLUMNS)
        order = "article_id, line_no"
        if ids is None:
            lines: Iterable[Any] = self.conn.execute(
                f"SELECT {columns} FROM removed_lines ORDER BY {order}"  # noqa: S608 - fixed
            )
        else:
            lines = self._rows_in("removed_lines", ids, columns=columns, order=order)
        removed: dict[str, list[Row]] = {}
        for line in lines:
            removed.setdefault(line["article_id"], []).append(
                {k: line[k] for k in _REMOVED_COLUMNS}
            )
        return removed

    def _story_ids(self, wanted: set[str] | None) -> dict[str, list[str]]:
        """Return the stories (by id) each article belongs to (of ``wanted``; None: all)."""
        story_ids: dict[str, list[str]] = {}
        for s in self.conn.execute("SELECT id, article_ids FROM stories ORDER BY id"):
            for aid in json.loads(s["article_ids"]):
                if wanted is None or aid in wanted:
                    story_ids.setdefault(aid, []).append(s["id"])
        return story_ids

    @staticmethod
    def _article_row(
        row: Row, removed: dict[str, list[Row]], story_ids: dict[str, list[str]]
    ) -> Row:
        row.pop("raw_text", None)
        row.pop("seq", None)
        row["removed"] = removed.get(row["id"], [])
        row["story_ids"] = story_ids.get(row["id"], [])
        return row

    def _complete(self, rows: list[Row]) -> list[Row]:
        ids = [r["id"] for r in rows]
        removed, story_ids = self._removed(ids), self._story_ids(set(ids))
        return [self._article_row(row, removed, story_ids) for row in rows]


def _mention_label(labels: dict[str, list[str]], names: Iterable[str | None]) -> str | None:
    """Return the label of the article's mentions that are the speaker, else the speaker's head.

    A wording the article labels PERSON even once is a person ("Denzel Washington" in an
    article that also names the city): NER reads a person's name as a place more often than
    the reverse. Else the wording's most frequent label (a tie: its first in the article).
    English puts a noun phrase's head last: "Russia's defence ministry" is a ministry, when
    the article labels "defence ministry" ORG. Only an ORG head counts: "the governor of
    Texas" is a person, not the place his title ends with.
    """
    keys = list(dict.fromkeys(k for name in names if (k := name_key(name))))
    found = _label_of([label for key in keys for label in labels.get(key, ())])
    if found is not None:
        return found
    heads = [m for m, said in labels.items() if any(f" {key}".endswith(f" {m}") for key in keys)]
    return "ORG" if any(_label_of(labels[m]) == "ORG" for m in heads) else None


def _label_of(said: Sequence[str]) -> str | None:
    """Return PERSON if any of one wording's labels is, else the most frequent (first on a tie)."""
    if "PERSON" in said:
        return "PERSON"
    return Counter(said).most_common(1)[0][0] if said else None


def quote_group_row(row: Row) -> Row:
    """Return a stored quote group as its export row: variants decoded, booleans as such."""
    row.pop("rank", None)
    if isinstance(row.get("variants"), str):
        row["variants"] = json.loads(row["variants"])
    row["flagged_only"] = bool(row["flagged_only"])
    return row
