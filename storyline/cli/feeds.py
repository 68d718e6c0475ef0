"""The ``storyline feeds`` and ``storyline watch`` commands, and URL arguments for ``ingest``.

``cli.app`` registers them; the fetching itself goes through ``api.Workspace`` like every
other command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

import storyline
from storyline.cli.console import console, err_console
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.cli.options import ConfigOption, DbOption
from storyline.config import load_settings
from storyline.errors import UsageError
from storyline.fetch.urls import is_url, read_url_list
from storyline.models import IngestSummary
from storyline.render import plain, printable

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from storyline.watch.cycle import CycleReport

feeds_app = typer.Typer(
    help="Feeds and sitemaps that `storyline watch` polls.", no_args_is_help=True
)


def split_sources(
    sources: Sequence[str], urls_file: Path | None, *, max_bytes: int
) -> tuple[list[Path], list[str]]:
    """Split command-line sources into paths and URLs, adding the URLs of a list file.

    ``max_bytes`` bounds what is read of the list file (``[ingest] max_bytes``).

    Raises:
        UsageError: nothing to read was given.
    """
    if any(not s.strip() for s in sources):
        # Path("") is the working folder: `storyline ingest "$UNSET"` read all of it
        raise UsageError("an empty path names no file or folder (use '.' for the working folder)")
    paths = [Path(s) for s in sources if not is_url(s)]
    urls = [s for s in sources if is_url(s)]
    if urls_file is not None:
        urls.extend(read_url_list(urls_file, max_bytes=max_bytes))
    if not paths and not urls:
        raise UsageError("give files, folders or URLs to read (or --urls FILE)")
    return paths, urls


def merge_summaries(summaries: Iterable[IngestSummary]) -> IngestSummary:
    """Return the counts of several ingests added up."""
    parts = list(summaries)
    return IngestSummary(
        read=sum(s.read for s in parts),
        stored=sum(s.stored for s in parts),
        unchanged=sum(s.unchanged for s in parts),
        rejected=tuple(r for s in parts for r in s.rejected),
    )


@feeds_app.command("add")
def feeds_add(
    urls: Annotated[list[str], typer.Argument(help="Feed, sitemap or home-page URLs.")],
    db: DbOption = "storyline.db",
    config: ConfigOption = None,
) -> None:
    """Watch feeds: an RSS/Atom feed, a (news) sitemap, or a home page announcing its feeds."""
    with storyline.open(db, settings=load_settings(config)) as workspace:
        for url in urls:
            for feed, kind, new in workspace.add_feeds(url):
                state = "added" if new else "already watched"
                # URLs come from a page's links: "[/]" in one was a MarkupError
                console.print(printable(f"{state}: {feed} ({kind})"), soft_wrap=True, markup=False)


@feeds_app.command("list")
def feeds_list(db: DbOption = "storyline.db") -> None:
    """List the watched feeds and how their last poll went."""
    with storyline.open(db) as workspace:
        rows = workspace.feeds()
    if not rows:
        console.print("no feeds yet: storyline feeds add URL")
        return
    table = Table(title="watched feeds")
    for column in ("url", "kind", "title", "last poll", "status"):
        table.add_column(column, overflow="fold")
    for row in rows:
        status = row.status or "never polled"
        if row.error:
            status = f"{status}: {row.error}"
        cells = (row.url, row.kind, row.title or "", row.polled_at or "", status)
        table.add_row(*(plain(cell) for cell in cells))  # a feed's own title is not markup
    console.print(table)


@feeds_app.command("remove")
def feeds_remove(
    urls: Annotated[list[str], typer.Argument(help="Feed URLs, as `feeds list` shows them.")],
    db: DbOption = "storyline.db",
) -> None:
    """Stop watching feeds (their articles stay in the store)."""
    with storyline.open(db) as workspace:
        results = workspace.remove_feeds(urls)
    missing = [url for url, found in results if not found]
    for url, found in results:
        if found:
            console.print(printable(f"removed: {url}"), soft_wrap=True, markup=False)
    if missing:
        raise UsageError(f"not watched: {', '.join(missing)}")


def print_cycle(report: CycleReport) -> None:
    """Print one watch cycle's change log."""
    for line in report.lines():
        console.print(printable(line), soft_wrap=True, markup=False, highlight=False)
    for item in report.summary.rejected:
        line = f"  rejected [{item.code}] {item.locator}: {item.reason}"
        console.print(printable(line), markup=False)


def watch_command(
    db: DbOption = "storyline.db",
    config: ConfigOption = None,
    every: Annotated[
        str, typer.Option("--every", help="Time between polls: 30s, 15m, 1h.")
    ] = "15m",
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    cycles: Annotated[
        int | None, typer.Option("--cycles", help="Stop after this many polls.")
    ] = None,
) -> None:
    """Poll the watched feeds, ingest what is new, update the stories, print what changed."""
    from storyline.watch.schedule import parse_interval  # noqa: PLC0415 - httpx loads only here

    seconds = parse_interval(every)
    rejected = False
    with storyline.open(db, settings=load_settings(config)) as workspace:
        if not workspace.feeds():
            raise UsageError("no feeds to watch: storyline feeds add URL")
        try:
            reports = workspace.watch(
                every=seconds,
                once=once,
                cycles=cycles,
                on_cycle=print_cycle,
                on_error=lambda exc: err_console.print(f"cycle skipped, database busy: {exc}"),
            )
            rejected = any(r.summary.rejected for r in reports)
        except KeyboardInterrupt:
            console.print("stopped")
    if rejected and (once or cycles is not None):
        raise typer.Exit(EXIT_REJECTED)
