"""Ctrl-C stops a run: exit 130 and one line, the store consistent, a re-run finishes the work.

A Ctrl-C that landed while a module defined a class (a dataclass field's ``__set_name__``,
during an import) came out of Python 3.11 as a RuntimeError. The per-item boundary of ingest
took that for one input's bug: an S199 row, and the run went on as if nothing was pressed.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from storyline import pipeline
from storyline.boundary import is_item_error
from storyline.cli import app as cli_app
from storyline.cli import main as cli_main
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_INTERRUPTED
from storyline.errors import interrupt_behind
from storyline.export import WHATS
from storyline.ingest import read_file
from storyline.stage_runner import last_run
from storyline.store import Store
from tests.conftest import EXAMPLES
from tests.test_cli import _script_env

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
# a few articles of two storylines: enough for every stage, quick to run three times
_FILES = (
    "a1_marenholt_courier_dam_breach.txt",
    "a3_northern_ledger_marrow_visit.txt",
    "b1_estmark_tribune_strike_begins.txt",
    "b2_circuit_weekly_supply.html",
)


def _interrupt_while_defining_a_class() -> None:
    """Raise what Python raises when Ctrl-C lands in ``__set_name__`` during an import."""

    class Field:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    type("Defined", (), {"field": Field()})  # 3.11: RuntimeError from KeyboardInterrupt


def _wrapped_interrupt() -> BaseException:
    try:
        _interrupt_while_defining_a_class()
    except BaseException as exc:  # noqa: BLE001 - the value is what the test looks at
        return exc
    raise AssertionError("no exception")


def test_interrupt_wrapped_in_another_exception_is_the_runs_not_an_items():
    wrapped = _wrapped_interrupt()
    assert isinstance(interrupt_behind(wrapped), KeyboardInterrupt)
    assert not is_item_error(wrapped)
    assert interrupt_behind(RuntimeError("a bug")) is None
    assert is_item_error(RuntimeError("a bug"))


def test_interrupt_wrapped_during_ingest_stops_it_with_130_and_no_rejected_row(
    tmp_path, monkeypatch
):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in _FILES:
        shutil.copy(EXAMPLES / name, folder / name)
    calls = []

    def reader(path: Path, **kwargs: object):
        calls.append(path.name)
        if len(calls) == 2:  # the second file's reader meets the Ctrl-C
            _interrupt_while_defining_a_class()
        return read_file(path, **kwargs)

    monkeypatch.setattr(pipeline, "read_file", reader)
    db = tmp_path / "s.db"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])

    assert result.exit_code == EXIT_INTERRUPTED, result.output
    assert result.stderr.startswith("interrupted: ")
    assert "Traceback" not in result.stderr
    assert len(calls) == 2  # stopped there: the later files were not read
    with sqlite3.connect(db) as conn:  # the batch was never written, nor any S199 row
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM rejected").fetchone() == (0,)


def test_interrupt_of_the_app_raised_wrapped_is_130_not_a_bug(monkeypatch):
    def load_settings(*args: object, **kwargs: object) -> None:
        _interrupt_while_defining_a_class()

    monkeypatch.setattr(cli_app, "load_settings", load_settings)
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.stderr.startswith("interrupted: ")
    assert "S199" not in result.stderr


def _storyline(*args: str) -> subprocess.Popen[str]:
    """Start ``python -m storyline`` on this checkout, with Ctrl-C's default handling."""
    return subprocess.Popen(
        [sys.executable, "-m", "storyline", *args],
        env=_script_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell starts background jobs with SIGINT ignored, and a child inherits that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )


def _stored_articles(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def _exports(db: Path) -> dict[str, str]:
    return {
        what: runner.invoke(app, ["export", "--db", str(db), "--what", what]).stdout
        for what in WHATS
    }


def test_interrupt_sigint_stops_a_run_and_a_rerun_equals_a_clean_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in _FILES:
        shutil.copy(EXAMPLES / name, folder / name)
    stopped, clean = tmp_path / "stopped.db", tmp_path / "clean.db"
    reference = _storyline("run", str(folder), "--db", str(clean), "--workers", "1")
    child = _storyline("run", str(folder), "--db", str(stopped), "--workers", "1")
    try:
        deadline = time.monotonic() + 300
        # working: ingest has stored its batch, the stages (models loading, nlp) come next
        while not _stored_articles(stopped) and child.poll() is None:
            assert time.monotonic() < deadline, "the run stored nothing in 300 s"
            time.sleep(0.05)
        assert child.poll() is None, "the run ended before it could be interrupted"
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = child.communicate(timeout=120)
        waited = time.monotonic() - sent
    finally:
        child.kill()
    assert child.returncode == EXIT_INTERRUPTED, err
    assert err.strip().splitlines() == [
        "interrupted: what was stored stays; run the command again to finish"
    ]
    assert waited < 30, waited  # promptly, not at the end of the run
    with Store(stopped) as store:  # consistent, and the run not remembered as complete
        assert store.count("articles") == len(_FILES)
        assert last_run(store).get("mark") is None

    again = _storyline("run", str(folder), "--db", str(stopped), "--workers", "1")
    _, again_err = again.communicate(timeout=600)
    _, clean_err = reference.communicate(timeout=600)
    assert reference.returncode == 0, clean_err
    assert again.returncode == 0, again_err
    finished, expected = _exports(stopped), _exports(clean)
    assert json.loads(expected["articles"].splitlines()[0])["id"]  # something was exported
    for what in WHATS:
        assert finished[what] == expected[what], what


class _Interrupting:
    """A meta path finder: importing the app meets Ctrl-C, as a slow first import may."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name == "storyline.cli.app":
            raise KeyboardInterrupt


def test_interrupt_while_the_app_is_imported_is_one_line_and_130(monkeypatch, capsys):
    # Ctrl-C before the app's own error mapping exists (its imports): no traceback
    monkeypatch.delitem(sys.modules, "storyline.cli.app")
    monkeypatch.setattr(sys, "meta_path", [_Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        cli_main()
    assert stopped.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err.startswith("interrupted: ")
