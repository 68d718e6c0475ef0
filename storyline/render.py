"""Rich renderables for what the CLI prints: run summaries, rejected inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from storyline.errors import DESCRIPTIONS

if TYPE_CHECKING:
    from storyline.models import IngestSummary


def summary_table(summary: IngestSummary, *, title: str = "storyline ingest") -> Table:
    """Return the end-of-run table: read, stored, unchanged, rejected by code."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles read", str(summary.read))
    table.add_row("stored (new or changed)", str(summary.stored))
    table.add_row("unchanged", str(summary.unchanged))
    table.add_row("rejected", str(len(summary.rejected)))
    for code, count in summary.rejected_by_code.items():
        table.add_row(f"  {code} {DESCRIPTIONS.get(code, '')}", str(count))
    return table


def rejected_table(summary: IngestSummary, *, limit: int = 20) -> Table:
    """Return a table of the rejected inputs of a run (the first ``limit`` of them)."""
    table = Table(title="rejected inputs", show_header=True, header_style="bold")
    table.add_column("input")
    table.add_column("code")
    table.add_column("reason")
    for item in summary.rejected[:limit]:
        table.add_row(item.locator, item.code, item.reason)
    if len(summary.rejected) > limit:
        table.add_row(f"... {len(summary.rejected) - limit} more", "", "export --what rejected")
    return table
