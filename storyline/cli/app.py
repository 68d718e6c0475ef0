"""The ``storyline`` typer app and its commands: read, run, export, brief, list and serve.

Exit codes come from ``cli.exit_codes``: the app's root command (``StorylineGroup``) maps
every error to them, so ``CliRunner`` sees the codes the installed script gives.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import storyline
from storyline.cli.console import console, err_console
from storyline.cli.exit_codes import EXIT_REJECTED, StorylineGroup
from storyline.cli.feeds import feeds_app, merge_summaries, split_sources, watch_command
from storyline.cli.files import write_file
from storyline.cli.options import (
    ConfigOption,
    DbOption,
    FormatOption,
    PublishedOption,
    SourcesArgument,
    UrlsOption,
)
from storyline.config import Settings, load_settings
from storyline.errors import UsageError
from storyline.export import WHATS, ExportFormat, export_columns, export_rows, write_export
from storyline.models import FORMATS
from storyline.render import (
    StageBars,
    briefing_panel,
    plain,
    printable,
    rejected_table,
    stages_table,
    stories_table,
    summary_table,
    timeline_table,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from storyline import api
    from storyline.models import IngestSummary

app = typer.Typer(
    name="storyline",
    cls=StorylineGroup,
    help="Turn a pile of news articles from many outlets into sourced stories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Show the resolved settings.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(feeds_app, name="feeds")
app.command("watch")(watch_command)


def _settings(config: Path | None) -> Settings:
    return load_settings(config)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _ingest_with_progress(
    workspace: api.Workspace, paths: list[Path], fmt: str, published: str | None
) -> IngestSummary:
    with Progress(
        TextColumn("[bold]reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("files", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return workspace.ingest(paths, fmt=fmt, published=published, progress=progress)


@contextmanager
def _ingested(
    db: str,
    config: Path | None,
    sources: list[str] | None,
    *,
    urls: Path | None,
    fmt: str,
    published: str | None,
) -> Iterator[tuple[api.Workspace, IngestSummary]]:
    """Open the workspace and ingest the files, folders and URLs given (ingest and run)."""
    _check_format(fmt)
    from storyline.pipeline import check_published  # noqa: PLC0415 - keeps --help fast

    published = check_published(published)  # before the store is even created
    settings = _settings(config)
    paths, fetched = split_sources(sources or [], urls, max_bytes=settings.ingest.max_bytes)
    # one run per store: ingest and run hold the lock from the first file to the last stage
    with storyline.open(db, settings=settings) as workspace, workspace.locked():
        summaries = []
        if paths:
            summaries.append(_ingest_with_progress(workspace, paths, fmt, published))
        if fetched:
            summaries.append(workspace.fetch(fetched, published=published))
        yield workspace, merge_summaries(summaries)


def _finish(summary: IngestSummary, title: str) -> None:
    console.print(summary_table(summary, title=title))
    if summary.rejected:
        console.print(rejected_table(summary))
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def ingest(
    sources: SourcesArgument = None,
    db: DbOption = "storyline.db",
    fmt: FormatOption = "auto",
    published: PublishedOption = None,
    config: ConfigOption = None,
    urls: UrlsOption = None,
) -> None:
    """Read articles (txt, html, jsonl, csv, warc files, or fetched URLs) and store them."""
    with _ingested(db, config, sources, urls=urls, fmt=fmt, published=published) as (_, summary):
        _finish(summary, "storyline ingest")


@app.command()
def run(
    sources: SourcesArgument = None,
    db: DbOption = "storyline.db",
    fmt: FormatOption = "auto",
    published: PublishedOption = None,
    config: ConfigOption = None,
    workers: Annotated[
        int | None,
        # bounded here: -1 was refused only once every input had been read and stored
        typer.Option("--workers", help="Processes for per-article stages (default: auto).", min=0),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Dask scheduler tcp://host:8786, or 'local'."),
    ] = None,
    urls: UrlsOption = None,
) -> None:
    """Ingest files, folders or URLs and run every stage over the store."""
    from storyline.registry import Pipeline  # noqa: PLC0415 - loads the stage entry points

    Pipeline.load().validate()  # a stage input nothing makes: stop before reading anything
    with _ingested(db, config, sources, urls=urls, fmt=fmt, published=published) as (
        workspace,
        summary,
    ):
        with StageBars(err_console) as bars:
            report = workspace.run(workers=workers, dask=dask, progress=bars)
        storylines = workspace.store.stories(level="storyline", order="first_date, id")
        briefings = [workspace.briefing(story.id) for story in storylines]
    for line in report.lines():
        console.print(printable(line), markup=False)
    for story, briefing in zip(storylines, briefings, strict=True):
        console.print(briefing_panel(story, briefing))
    # items a stage rejected count like inputs rejected at ingest: listed, and exit 3
    _finish(
        dataclasses.replace(summary, rejected=summary.rejected + report.rejected),
        "storyline run",
    )


@app.command()
def export(
    what: Annotated[str, typer.Option("--what", help=f"One of {'|'.join(WHATS)}|stage:NAME.")],
    db: DbOption = "storyline.db",
    out_format: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Export stored records as JSONL or CSV."""
    if out_format not in ("jsonl", "csv"):
        raise UsageError(f"unknown --format {out_format!r}; choose jsonl or csv")
    fmt: ExportFormat = "csv" if out_format == "csv" else "jsonl"
    if not _db_exists(db):
        raise UsageError(f"no database at {db}: run `storyline ingest` first")
    with storyline.open(db) as workspace:
        rows = export_rows(workspace.store, what)
        columns = export_columns(what)
        if output is None:
            write_export(rows, sys.stdout, fmt, columns)
        else:
            count = write_file(output, lambda handle: write_export(rows, handle, fmt, columns))
            err_console.print(printable(f"wrote {count} {what} rows to {output}"), markup=False)


@app.command()
def brief(
    story: Annotated[str, typer.Argument(help="A story id (or a unique prefix of one).")],
    db: DbOption = "storyline.db",
    out_format: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    sentences: Annotated[
        int | None, typer.Option("--sentences", help="At most this many (default 8).", min=1)
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode", help="extractive, or abstractive through [briefing] endpoint (a local LLM)."
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Print a story's briefing: every sentence cites the articles it comes from."""
    if out_format not in ("md", "html", "json"):
        raise UsageError(f"unknown --format {out_format!r}; choose md, html or json")
    with _open_existing(db, config) as workspace:
        briefing = workspace.briefing(story, max_sentences=sentences, mode=mode)
    if briefing.note:
        err_console.print(plain(briefing.note, "yellow"))
    from storyline.briefing.select import render_html, render_markdown, to_json  # noqa: PLC0415

    if out_format == "json":
        print(json.dumps(to_json(briefing), ensure_ascii=False, indent=2))
    # printable: an outlet or a title holding ESC sequences ("\x1bc" resets the terminal) or
    # a bidi override reached the terminal through the document; neither belongs in one
    elif out_format == "html":
        print(printable(render_html(briefing)))
    else:
        print(printable(render_markdown(briefing)))


@app.command()
def stories(db: DbOption = "storyline.db") -> None:
    """List the storylines and the events inside them."""
    with _open_existing(db) as workspace:
        found = workspace.store.stories(order="first_date, id")
        flagged = workspace.store.untrusted()
    if not found:
        console.print("no stories yet: run `storyline run PATH`")
        return
    console.print(stories_table(found, flagged=flagged))


@app.command()
def timeline(
    story: Annotated[
        str | None, typer.Argument(help="A storyline id (default: every storyline).")
    ] = None,
    db: DbOption = "storyline.db",
    dates: Annotated[
        int | None, typer.Option("--dates", help="Number of dates to keep.", min=1)
    ] = None,
    corroborated: Annotated[
        bool,
        typer.Option(
            "--corroborated",
            help="Without --dates: keep the dates timeline.min_outlets outlets report.",
        ),
    ] = False,
    per_date: Annotated[int, typer.Option("--per-date", help="Sentences per date.", min=1)] = 1,
    keywords: Annotated[
        list[str] | None, typer.Option("--keyword", "-k", help="Favour sentences with these words.")
    ] = None,
) -> None:
    """Print a story's timeline, of a given size when asked (dates x sentences per date)."""
    with _open_existing(db) as workspace:
        timelines = workspace.timelines(
            story,
            max_dates=dates,
            sentences_per_date=per_date,
            keywords=keywords or (),
            corroborated=corroborated,
        )
        flagged = workspace.store.untrusted()
    if not timelines:
        raise UsageError(f"no storyline {story!r}" if story else "no stories yet")
    for story_id, entries in timelines.items():
        console.print(timeline_table(entries, title=f"timeline of {story_id}", flagged=flagged))


def _db_exists(db: str) -> bool:
    from storyline.store.dialect import dialect_of  # noqa: PLC0415 - the store loads numpy

    # a PostgreSQL database exists on its server; opening it creates the tables if missing
    return dialect_of(db) == "postgresql" or Path(db).exists()


def _open_existing(db: str, config: Path | None = None) -> api.Workspace:
    if not _db_exists(db):
        raise UsageError(f"no database at {db}: run `storyline run PATH` first")
    return storyline.open(db, settings=_settings(config))


@app.command()
def serve(
    db: DbOption = "storyline.db",
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    # bounded here: 99999 used to start a server on a port the OS wrapped to another
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)
    ] = 8000,
    allow_ingest: Annotated[
        bool, typer.Option("--allow-ingest", help="Accept POST /api/ingest uploads.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Serve the web UI and REST API (read-only unless --allow-ingest)."""
    from storyline.store.dialect import dialect_of  # noqa: PLC0415

    if dialect_of(db) != "postgresql" and not Path(db).exists():
        raise UsageError(f"no database at {db}: run `storyline run PATH` first")
    _check_port(host, port)
    from storyline.web import serve as serve_app  # noqa: PLC0415 - the web stack loads only here

    settings = _settings(config)
    try:
        # the settings whole: uploads (--allow-ingest) are read under the same config
        serve_app(db, host=host, port=port, allow_ingest=allow_ingest, settings=settings)
    except SystemExit as exc:
        # uvicorn exits 3 when it cannot start (the port taken between our check and its
        # bind); 3 means "finished with rejected inputs" here, so that is a fatal error
        if exc.code == EXIT_REJECTED:
            raise UsageError(f"cannot listen on {host}:{port}: see the server log above") from exc
        raise


def _check_port(host: str, port: int) -> None:
    """Fail with a usage error when ``host:port`` cannot be listened on (taken, not ours)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # as uvicorn binds: a port left in TIME_WAIT by a stopped server is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise UsageError(
                f"cannot listen on {host}:{port}: {reason} "
                "(another server is using it? choose another --port)"
            ) from exc


@app.command("stages")
def stages_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the stages as JSON.")] = False,
) -> None:
    """List the resolved pipeline: each stage's name, unit, requires and provides, in run order."""
    from storyline.registry import Pipeline  # noqa: PLC0415 - loads the stage entry points

    pipeline = Pipeline.load()
    pipeline.validate()
    if as_json:
        print(json.dumps(pipeline.describe(), indent=2))
        return
    console.print(stages_table(pipeline.describe()), soft_wrap=True)


@config_app.command("show")
def config_show(config: ConfigOption = None) -> None:
    """Print the resolved settings (defaults, then the user file)."""
    settings = _settings(config)
    data: dict[str, Any] = settings.model_dump()
    for section, values in data.items():
        _print_table(section, values)


def _print_table(name: str, values: dict[str, Any]) -> None:
    """Print one settings table, then its sub-tables (``[clean.scores]``) under their own name."""
    console.print(f"[bold]\\[{name}][/bold]")
    tables = {k: v for k, v in values.items() if isinstance(v, dict) and name != "aliases"}
    for key, value in values.items():
        if key not in tables:
            console.print(f"{key} = {value!r}")
    for key, value in tables.items():
        _print_table(f"{name}.{key}", value)
