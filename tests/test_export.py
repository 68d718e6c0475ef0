from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

import storyline
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.export import (
    COLUMNS,
    STAGE_COLUMNS,
    WHATS,
    export_columns,
    export_rows,
    write_export,
)
from storyline.store import feeds as feed_store
from storyline.store.feeds import Change
from storyline.watch.cycle import poll
from tests.conftest import EXAMPLES
from tests.test_cli import _installed

runner = CliRunner()


def _cycle(workspace) -> None:
    with workspace.fetcher() as fetcher:
        poll(workspace, fetcher)


def test_export_changes_are_the_watch_change_log(fetch_server, fetch_workspace):
    """Two watch cycles: the export lists each logged change once, in cycle and log order."""
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))
    _cycle(fetch_workspace)  # the ferry report and the festival notice
    fetch_server.behaviour.aliases["/feed.xml"] = "/feed-later.xml"
    _cycle(fetch_workspace)  # adds the refloating report to the ferry storyline
    rows = list(export_rows(fetch_workspace.store, "changes"))
    log = fetch_workspace.changes()

    assert "changes" in WHATS
    assert all(list(row) == ["cycle", "seq", "kind", "story_id", "text"] for row in rows)
    assert [(r["cycle"], r["kind"], r["story_id"], r["text"]) for r in rows] == [
        (cycle, c.kind, c.story_id, c.text) for cycle, c in log
    ]
    first, second = sorted({r["cycle"] for r in rows})
    for cycle in (first, second):
        assert [r["seq"] for r in rows if r["cycle"] == cycle] == list(
            range(sum(r["cycle"] == cycle for r in rows))
        )
    storylines = {
        r["id"] for r in fetch_workspace.store.rows("stories") if r["level"] == "storyline"
    }
    opened = [r for r in rows if r["cycle"] == first]
    assert opened[0]["kind"] == "new_story"
    assert {r["story_id"] for r in opened} <= storylines
    assert re.search(r" \(\d+ articles\)$", opened[0]["text"])
    grown = [r for r in rows if r["cycle"] == second]
    assert grown[0]["kind"] == "story_grew"
    assert grown[0]["story_id"] in storylines
    was, now = map(int, re.findall(r": (\d+) -> (\d+) articles$", grown[0]["text"])[0])
    assert now == was + 1  # one article was added
    assert any(r["kind"] == "new_event" and "refloated" in r["text"] for r in grown)
    assert any(r["kind"] == "conflict" for r in grown)


def test_export_changes_as_jsonl_and_csv_from_the_command_line(fetch_server, fetch_workspace):
    fetch_workspace.add_feeds(fetch_server.url("/feed.xml"))
    _cycle(fetch_workspace)
    db = fetch_workspace.store.path
    stored = list(export_rows(fetch_workspace.store, "changes"))
    assert stored
    assert {r["kind"] for r in stored} >= {"new_story", "new_event"}

    as_jsonl = runner.invoke(app, ["export", "--what", "changes", "--db", db])
    assert as_jsonl.exit_code == 0, as_jsonl.output
    assert [json.loads(line) for line in as_jsonl.output.splitlines()] == stored
    as_csv = runner.invoke(app, ["export", "--what", "changes", "--db", db, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    expected = io.StringIO()
    assert write_export(iter(stored), expected, "csv") == len(stored)
    assert as_csv.output == expected.getvalue()
    assert as_csv.output.splitlines()[0] == "cycle,seq,kind,story_id,text"
    by_csv = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["seq"], r["kind"], r["text"]) for r in by_csv] == [
        (str(r["seq"]), r["kind"], r["text"]) for r in stored
    ]


def test_export_changes_sorted_by_cycle_then_log_order(db_store):
    """Cycles logged out of order come out oldest first, each in its own log order."""
    later = [Change("story_grew", "s-1", "ferry: 2 -> 3 articles"), Change("conflict", None, "x")]
    earlier = [Change("new_story", "s-1", "ferry (2 articles)")]
    feed_store.record_changes(db_store, "2026-05-06T08:00:00+00:00", later)
    feed_store.record_changes(db_store, "2026-05-04T08:00:00+00:00", earlier)
    assert list(export_rows(db_store, "changes")) == [
        {
            "cycle": "2026-05-04T08:00:00+00:00",
            "seq": 0,
            "kind": "new_story",
            "story_id": "s-1",
            "text": "ferry (2 articles)",
        },
        {
            "cycle": "2026-05-06T08:00:00+00:00",
            "seq": 0,
            "kind": "story_grew",
            "story_id": "s-1",
            "text": "ferry: 2 -> 3 articles",
        },
        {
            "cycle": "2026-05-06T08:00:00+00:00",
            "seq": 1,
            "kind": "conflict",
            "story_id": None,
            "text": "x",
        },
    ]


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory) -> str:
    """The example corpus run, one input rejected and one change logged: every export has rows."""
    folder = tmp_path_factory.mktemp("filled")
    bad = folder / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    db = str(folder / "s.db")
    result = runner.invoke(app, ["run", str(EXAMPLES), str(bad), "--db", db])
    assert result.exit_code == EXIT_REJECTED, result.output
    with storyline.open(db) as workspace:
        feed_store.record_changes(
            workspace.store, "2026-05-04T08:00:00+00:00", [Change("new_story", None, "ferry")]
        )
    return db


def _export(db: str, what: str, fmt: str) -> str:
    result = runner.invoke(app, ["export", "--what", what, "--db", db, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def empty_db(tmp_path) -> str:
    db = str(tmp_path / "empty.db")
    with storyline.open(db):
        pass  # creates the schema, stores nothing
    return db


@pytest.mark.parametrize("what", WHATS)
def test_export_empty_csv_is_the_header_of_a_filled_one(what, filled_db, empty_db):
    filled = _export(filled_db, what, "csv").splitlines()
    assert len(filled) > 1  # the filled store has rows of every export
    assert filled[0] == ",".join(COLUMNS[what])
    assert _export(empty_db, what, "csv") == filled[0] + "\n"
    assert _export(empty_db, what, "jsonl") == ""


def test_export_empty_csv_has_the_design_fields():
    # DESIGN.md names these fields of the exports; each is a column, empty or not
    design = {
        "quotes": ("speaker", "speaker_text", "cue", "kind", "text", "start", "end", "nested_in"),
        "timeline": ("story_id", "date", "text", "sources"),
        "timexes": ("article_id", "start", "end", "text", "type", "value"),
        "stories": ("id", "label", "article_ids", "first_date", "last_date"),
        "claims": ("id", "story_id", "text", "article_ids", "conflicts"),
        "rejected": ("locator", "code", "reason"),
        "articles": ("id", "content_hash", "source", "url", "published", "published_source"),
        "entities": ("id", "name", "type", "aliases", "roles", "article_ids"),
    }
    for what, fields in design.items():
        assert set(fields) <= set(export_columns(what)), what


def test_export_empty_stage_export_is_its_header(empty_db):
    assert export_columns("stage:storyline.dates.v1") == STAGE_COLUMNS
    assert _export(empty_db, "stage:storyline.dates.v1", "csv") == "stage,item_id,output\n"
    assert _export(empty_db, "stage:storyline.dates.v1", "jsonl") == ""


def test_export_empty_csv_from_the_installed_script(empty_db):
    done = _installed("export", "--what", "quotes", "--db", empty_db, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ",".join(COLUMNS["quotes"]) + "\n"


def test_export_unknown_what_is_a_usage_error(empty_db):
    result = runner.invoke(app, ["export", "--what", "quote", "--db", empty_db, "--format", "csv"])
    assert result.exit_code == 1
    assert "unknown export 'quote'" in result.output
