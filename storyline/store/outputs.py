"""What plug-in stages made: one JSON value per (stage, item), in ``stage_outputs``.

A stage registered through ``storyline.stages`` that has no tables of its own stores here;
``export --what stage:NAME`` reads it back. Per-article stages mark the articles they have
done in ``article_stages`` (under their full name), as the built-in per-article stages do,
so a rerun only sees new articles.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storyline.store.base import StoreBase

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence


class OutputStore(StoreBase):
    """Reading and writing ``stage_outputs``."""

    def save_outputs(
        self,
        stage: str,
        outputs: Mapping[str, Any],
        *,
        done: Sequence[str] = (),
        replace: bool = False,
    ) -> None:
        """Store ``outputs`` (item id -> JSON-able value) of ``stage`` in one transaction.

        Args:
            stage: the stage's full name.
            outputs: what it made, by item id; an item already stored is overwritten.
            done: article ids to mark as processed by ``stage`` (with or without an output).
            replace: forget every earlier output of ``stage`` first (storyline and corpus
                stages redo every item each run).
        """
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM stage_outputs WHERE stage = ?", (stage,))
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

    def stage_outputs(self, stage: str) -> Iterator[dict[str, Any]]:
        """Yield ``{"item_id", "output"}`` rows of ``stage``, by item id."""
        rows = self.conn.execute(
            "SELECT item_id, output FROM stage_outputs WHERE stage = ? ORDER BY item_id",
            (stage,),
        )
        for row in rows:
            yield {"item_id": row["item_id"], "output": json.loads(row["output"])}
