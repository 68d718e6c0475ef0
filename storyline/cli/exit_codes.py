"""Exit codes (DESIGN.md) and the one place that maps errors to them.

0 all items processed, 1 usage or fatal error, 3 finished but some inputs were rejected.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from storyline.cli.console import err_console
from storyline.errors import StorylineError

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_REJECTED = 3


def run(app: typer.Typer) -> NoReturn:
    """Run the app, turning storyline errors into a message and exit 1."""
    try:
        # without standalone mode click returns the code of a ``typer.Exit`` instead of
        # leaving: dropping it made every "rejected inputs" run exit 0
        code = app(standalone_mode=False)
    except StorylineError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        sys.exit(EXIT_FATAL)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(EXIT_FATAL)
    except Exception as exc:
        from click import ClickException  # noqa: PLC0415

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(EXIT_FATAL)
        raise
    sys.exit(code if isinstance(code, int) else EXIT_OK)
