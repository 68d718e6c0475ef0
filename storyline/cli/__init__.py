"""The ``storyline`` command: a thin typer layer over the library.

Modules of the package:

- ``app``: the typer app and the commands that read, run, export and serve;
- ``feeds``: the ``feeds`` and ``watch`` commands, and URL arguments for ``ingest``/``run``;
- ``options``: the options and arguments the commands share (``--db``, ``--config``, ...);
- ``console``: the two consoles (results to stdout, messages to stderr);
- ``exit_codes``: the exit codes of DESIGN.md and the root command that maps errors to them.

The package imports nothing when it loads: import the module you need. ``main`` is here only
because installed ``storyline`` scripts (pyproject ``[project.scripts]``) and
``python -m storyline`` name ``storyline.cli:main``, and an editable install keeps the script
it was installed with.
"""

from __future__ import annotations


def main() -> None:
    """Entry point: run the app; its root command maps errors to exit codes (``exit_codes``).

    Ctrl-C while the app itself is being imported (a second or two before any command runs)
    is not the app's to map: it is caught here, so it too is one line and exit 130, not a
    traceback.
    """
    import sys  # noqa: PLC0415 - the package itself loads nothing

    try:
        from storyline.cli.app import app  # noqa: PLC0415
    except BaseException as exc:
        from storyline.errors import interrupt_behind  # noqa: PLC0415

        if interrupt_behind(exc) is None:
            raise
        from storyline.cli.exit_codes import interrupted  # noqa: PLC0415

        sys.exit(interrupted())
    app()
