from __future__ import annotations

import csv
import io
import json
import re

from typer.testing import CliRunner

from storyline.cli.app import app
from storyline.export import WHATS, export_rows, write_export
from storyline.store import feeds as feed_store
from storyline.store.feeds import Change
from storyline.watch.cycle import poll

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
