"""What plug-in stages made: one JSON value per (stage, item), in ``stage_outputs``.

A stage registered through ``storyline.stages`` that has no tables of its own stores here;
``export --what stage:NAME`` reads it back. Per-article stages mark the articles they have
done in ``article_stages`` (under their full name), as the built-in per-article stages do,
so a rerun only sees new articles.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storyline.store.base import StoreBase, chunks, upsert

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping, Sequence


class OutputStore(StoreBase):
    """Reading and writing ``stage_outputs``."""

    def save_outputs(
        self,
        stage: str,
        outputs: Mapping[str, Any],
        *,
        done: Sequence[str] = (),
        replace: bool = False,
        keep: Collection[str] = (),
        state: tuple[str, bytes] | None = None,
    ) -> None:
        """Store ``outputs`` (item id -> JSON-able value) of ``stage`` in one transaction.

        Args:
            stage: the stage's full name.
            outputs: what it made, by item id; an item already stored is overwritten.
            done: article ids to mark as processed by ``stage`` (with or without an output).
            replace: forget every earlier output of ``stage`` first, but those of ``keep``
                (a corpus stage redoes every item; a storyline stage keeps the storylines
                whose inputs did not change).
            keep: with ``replace``, the items whose stored outputs stand.
            state: a state row saved in the same transaction (a storyline stage's marks,
                ``story_marks``), so the marks never describe rows that were not written.
        """
        with self.transaction() as conn:
            if replace and not keep:
                conn.execute("DELETE FROM stage_outputs WHERE stage = ?", (stage,))
            elif replace:
                stored = conn.execute(
                    "SELECT item_id FROM stage_outputs WHERE stage = ?", (stage,)
                ).fetchall()
                for chunk, marks in chunks(sorted({r[0] for r in stored} - set(keep))):
                    conn.execute(
                        f"DELETE FROM stage_outputs WHERE stage = ? AND item_id IN ({marks})",  # noqa: S608
                        (stage, *chunk),
                    )
            # an article processed again (its text changed) keeps no output of its earlier text
            conn.executemany(
                "DELETE FROM stage_outputs WHERE stage = ? AND item_id = ?",
                [(stage, a) for a in done],
            )
            conn.executemany(
                "INSERT INTO stage_outputs (stage, item_id, output) VALUES (?, ?, ?) "
                "ON CONFLICT (stage, item_id) DO UPDATE SET output = excluded.output",
                [
                    (stage, item, json.dumps(value, ensure_ascii=False, sort_keys=True))
                    for item, value in outputs.items()
                ],
            )
            conn.executemany(
                "INSERT INTO article_stages (article_id, stage) VALUES (?, ?) "
                "ON CONFLICT (article_id, stage) DO NOTHING",
                [(a, stage) for a in done],
            )
            if state is not None:
                conn.execute(upsert("stage_state", ("name", "value"), ("name",)), state)

    def stage_outputs(self, stage: str) -> Iterator[dict[str, Any]]:
        """Yield ``{"item_id", "output"}`` rows of ``stage``, by item id."""
        rows = self.conn.execute(
            "SELECT item_id, output FROM stage_outputs WHERE stage = ? ORDER BY item_id",
            (stage,),
        )
        for row in rows:
            yield {"item_id": row["item_id"], "output": json.loads(row["output"])}
