"""Export: the stable JSONL/CSV interface that benchmarks and outside tools read."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, Any, Literal, TextIO, get_args

from storyline.errors import UsageError
from storyline.models import timeline_entry_id

if TYPE_CHECKING:
    from collections.abc import Iterator

    from storyline.store import Store

What = Literal[
    "articles",
    "entities",
    "quotes",
    "timexes",
    "timeline",
    "stories",
    "claims",
    "rejected",
    "changes",
    "quote_groups",
]
WHATS: tuple[str, ...] = get_args(What)
ExportFormat = Literal["jsonl", "csv"]
# ``stage:NAME`` exports what a plug-in stage stored (``stage_outputs``).
STAGE_PREFIX = "stage:"


def export_rows(store: Store, what: str) -> Iterator[dict[str, Any]]:
    """Yield the rows of one export, in a stable order.

    Raises:
        UsageError: ``what`` is not a known export.
    """
    if what.startswith(STAGE_PREFIX):
        yield from stage_rows(store, what.removeprefix(STAGE_PREFIX))
    elif what == "articles":
        yield from _article_rows(store)
    elif what == "rejected":
        yield from store.rows("rejected", order="locator")
    elif what == "timexes":
        yield from store.rows("timexes", order='article_id, start, "end"')
    elif what == "quotes":
        untrusted = store.untrusted()
        for row in store.rows("quotes", order="article_id, start"):
            row.pop("speaker_local", None)  # internal: the speaker before entity merging
            row["flagged_only"] = row["article_id"] in untrusted
            yield row
    elif what == "entities":
        yield from store.rows("entities", order="name, id")
    elif what == "timeline":
        untrusted = store.untrusted()
        for row in store.rows("timeline", order="story_id, rank"):
            row.pop("rank")
            row["flagged_only"] = _flagged_only(row["sources"], untrusted)
            yield {"id": timeline_entry_id(row["story_id"], row["date"]), **row}
    elif what == "claims":
        untrusted = store.untrusted()
        for row in store.rows("claims", order="story_id, support DESC, id"):
            row["flagged_only"] = _flagged_only(row["article_ids"], untrusted)
            yield row
    elif what == "stories":
        yield from store.rows("stories", order="level DESC, first_date, id")
    elif what == "changes":
        # the watch change log: each cycle's start time, its order in the cycle, what changed
        yield from store.rows("changes", order="cycle, seq")
    elif what == "quote_groups":
        # one statement by one speaker across a storyline's articles, best-reported first
        yield from store.quote_groups()
    elif what in WHATS:
        raise UsageError(f"nothing to export for {what!r} yet: that stage has not run")
    else:
        choices = ", ".join((*WHATS, f"{STAGE_PREFIX}NAME"))
        raise UsageError(f"unknown export {what!r}; choose one of {choices}")


def stage_rows(store: Store, name: str) -> Iterator[dict[str, Any]]:
    """Yield what a plug-in stage stored, ``{"stage", "item_id", "output"}``, by item id.

    ``name`` is the stage's full name or a built-in's label; a stage no longer registered
    still exports what it stored under its full name.

    Raises:
        UsageError: no registered stage and nothing stored has that name.
    """
    from storyline.registry import Pipeline, PipelineError  # noqa: PLC0415 - loads entry points

    try:
        name = Pipeline.load().find(name).name
    except PipelineError:
        if not any(True for _ in store.stage_outputs(name)):
            msg = f"no stage {name!r} and nothing stored by one: see `storyline stages`"
            raise UsageError(msg) from None
    for row in store.stage_outputs(name):
        yield {"stage": name, **row}


def _flagged_only(article_ids: list[str], untrusted: set[str]) -> bool:
    """Return True when every article behind a row is flagged as untrustworthy copy."""
    return bool(article_ids) and all(a in untrusted for a in article_ids)


def _article_rows(store: Store) -> Iterator[dict[str, Any]]:
    story_ids: dict[str, list[str]] = {}
    for story in store.rows("stories", order="id"):
        for article_id in story["article_ids"]:
            story_ids.setdefault(article_id, []).append(story["id"])
    removed: dict[str, list[dict[str, Any]]] = {}
    for line in store.rows("removed_lines", order="article_id, line_no"):
        article_id = line.pop("article_id")
        removed.setdefault(article_id, []).append(line)
    for row in store.rows("articles", order="seq"):
        row.pop("raw_text")
        row.pop("seq")
        row["removed"] = removed.get(row["id"], [])
        row["story_ids"] = story_ids.get(row["id"], [])
        yield row


def write_export(rows: Iterator[dict[str, Any]], out: TextIO, fmt: ExportFormat) -> int:
    """Write rows as JSONL or CSV (nested values JSON-encoded); return how many were written."""
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
        return count
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        flat = {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
            for k, v in row.items()
        }
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
            writer.writeheader()
        writer.writerow(flat)
        count += 1
    return count
