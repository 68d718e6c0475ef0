"""Exit codes (DESIGN.md) and the one place that maps errors to them.

0 all items processed, 1 usage or fatal error, 3 finished but some inputs were rejected;
130 when interrupted (Ctrl-C, the shell's convention for SIGINT).

The mapping lives inside the app, in ``StorylineGroup.main``: the installed script,
``python -m storyline`` and ``CliRunner().invoke(app, ...)`` all go through it, so a test
reads exactly the exit code and message a user gets. (It used to wrap the app from outside,
and ``CliRunner`` never saw it: a broken exit code passed the tests.)
"""

from __future__ import annotations

import errno
import sys
import traceback
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from storyline.cli.console import err_console
from storyline.errors import INTERNAL, StorylineError, UsageError, interrupt_behind
from storyline.render import printable

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import ModuleType

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_REJECTED = 3
EXIT_INTERRUPTED = 130
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _click_modules() -> tuple[ModuleType, ...]:
    """The ``exceptions`` modules of the click that typer raises from.

    typer 0.2x bundles its own copy (``typer._click``), whose ``UsageError`` is not
    ``click.UsageError``: catching the real click's let ``storyline frobnicate`` end in a
    traceback. Ask typer which module its ``BadParameter`` comes from, and add the real click
    only when something already loaded it (importing it would slow ``--help``).
    """
    modules = [sys.modules[typer.BadParameter.__module__]]
    real = sys.modules.get("click.exceptions")
    if real is not None and real not in modules:
        modules.append(real)
    return tuple(modules)


def _classes(modules: Sequence[ModuleType], name: str) -> tuple[type[BaseException], ...]:
    return tuple(getattr(m, name) for m in modules if isinstance(getattr(m, name, None), type))


def _error(message: str) -> None:
    """Print one ``error:`` line to stderr (never wrapped: users grep it)."""
    # emoji=False: rich turned "127.0.0.1:-1:" into a thumbs-down emoji
    # printable: a file name holding ESC sequences must not drive the terminal
    line = f"[red]error:[/red] {escape(printable(message))}"
    err_console.print(line, soft_wrap=True, emoji=False)


def _click_error(exc: Exception) -> int:
    """Report a click error (unknown command, bad option, missing argument) as a usage error."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        # a bare ``storyline``: typer has printed the help already; nothing was asked
        message = exc.format_message().strip()  # type: ignore[attr-defined]
        if message:
            err_console.print(message, markup=False, highlight=False)
        return EXIT_FATAL
    _error(f"[{UsageError.code}] {exc.format_message()}")  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        err_console.print(ctx.get_usage(), markup=False, highlight=False, soft_wrap=True)
        if ctx.help_option_names:
            hint = f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help."
            err_console.print(hint, markup=False, highlight=False, soft_wrap=True)
    return EXIT_FATAL


def exit_code_of(call: Callable[[], Any]) -> int:
    """Run ``call`` (the app, not in standalone mode), print what went wrong, return the code.

    Every error class ends here: a storyline error is one ``error: [Sxxx] ...`` line, a click
    error the same plus the usage, an unexpected exception a line and its traceback (a bug
    to report); all exit 1. ``typer.Exit(n)`` (3 for rejected inputs) comes back from the call
    as its value; Ctrl-C is one line and 130, also when the code it landed in wrapped it in
    another exception (``errors.interrupt_behind``).
    """
    try:
        code = call()
    except StorylineError as exc:
        _error(str(exc))
        return EXIT_FATAL
    except KeyboardInterrupt:
        return interrupted()
    except Exception as exc:  # noqa: BLE001 - sorted below; a bug is reported, never hidden
        if interrupt_behind(exc) is not None:
            return interrupted()  # Ctrl-C that the code it landed in wrapped: not a bug
        return _code_of(exc)
    # a command's own return value is not an exit code unless it is a plain int (typer.Exit)
    if type(code) is not int:
        return EXIT_OK
    # typer turns Ctrl-C inside a command into Exit(130), silently (no command exits 130)
    return interrupted() if code == EXIT_INTERRUPTED else code


def interrupted() -> int:
    """Say that Ctrl-C stopped the command (no traceback) and return 130.

    What the command stored before it stays: each batch of articles and each stage's writes
    are one transaction, and a run is remembered as complete only once its last stage ends,
    so running the same command again finishes the work.
    """
    err_console.print("interrupted: what was stored stays; run the command again to finish")
    return EXIT_INTERRUPTED


def _code_of(exc: Exception) -> int:
    """Report an exception that is not a storyline error and return its exit code."""
    # the modules are read now, not before the call: a command may load the real click
    # (``serve`` imports uvicorn, which does)
    clicks = _click_modules()
    if isinstance(exc, _classes(clicks, "ClickException")):
        return _click_error(exc)
    # typer's bundled click has no Abort or Exit (typer's own replace them); the real one has
    if isinstance(exc, (typer.Abort, *_classes(clicks, "Abort"))):
        _error("aborted")
        return EXIT_FATAL
    if isinstance(exc, (typer.Exit, *_classes(clicks, "Exit"))):
        # typer returns its Exit's code in non-standalone mode; in case one escapes it
        return int(getattr(exc, "exit_code", EXIT_FATAL))
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        # `storyline export > file` on a full disk: the output was cut short, nothing is wrong
        # with storyline (`-o FILE` says the same through its own check)
        where = exc.filename or "the output"
        _error(f"[{UsageError.code}] cannot write to {where}: {exc.strerror} (the disk is full)")
        return EXIT_FATAL
    from storyline.store.base import store_error_of  # noqa: PLC0415 - only once a command failed

    store_error = store_error_of(exc)
    if store_error is not None:  # the database file or another program, not a bug
        _error(str(store_error))
        return EXIT_FATAL
    _error(f"[{INTERNAL}] unexpected internal error (a bug): {type(exc).__name__}: {exc}")
    traceback.print_exception(exc, file=sys.stderr)
    return EXIT_FATAL


class StorylineGroup(TyperGroup):
    """The root command of ``storyline``: runs the app through ``exit_code_of``."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: object,
    ) -> int:
        """Run the app and exit with the DESIGN.md code (return it when not standalone)."""
        code = exit_code_of(
            # without standalone mode click returns the code of a ``typer.Exit`` instead of
            # leaving, and raises its errors for us to map
            lambda: super(StorylineGroup, self).main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code
