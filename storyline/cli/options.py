"""The options and arguments several commands share, so each reads the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storyline.models import FORMATS

DbOption = Annotated[
    str,
    typer.Option("--db", help="SQLite database file, or postgresql://user@host/dbname."),
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML file overriding defaults.toml keys.")
]
SourcesArgument = Annotated[
    list[str] | None, typer.Argument(help="Files, folders or http(s) URLs to read.")
]
FormatOption = Annotated[str, typer.Option("--format", help=f"Input format: {'|'.join(FORMATS)}.")]
PublishedOption = Annotated[
    str | None,
    typer.Option(
        "--published", help="ISO date (or YYYY-MM, YYYY) overriding every publication date."
    ),
]
UrlsOption = Annotated[
    Path | None,
    typer.Option("--urls", help="File of URLs to fetch, one a line (# comments allowed)."),
]
