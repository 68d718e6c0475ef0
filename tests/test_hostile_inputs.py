"""Hostile inputs found by hand-probing the CLI and the API: each ends in a coded error.

Every case here once ended otherwise: a silent overwrite, a traceback, a file named "None",
the working folder read for an empty path. The tests assert on codes and exit codes.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from typer.testing import Result as CliResult

import storyline
from storyline import errors
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_FATAL, EXIT_REJECTED
from storyline.errors import UsageError
from storyline.store import Store
from storyline.web import create_app
from tests.conftest import BACKENDS, open_store
from tests.test_cli import _installed
from tests.test_web import seed

runner = CliRunner()
BRIDGE = "The council voted on Tuesday to close the old bridge after engineers found cracks."
FERRY = "The ferry service will run twice a day from Monday while the bridge is repaired."


def _rejected(db: Path) -> dict[str, str]:
    """Return locator -> code of the stored Rejected rows."""
    result = runner.invoke(app, ["export", "--db", str(db), "--what", "rejected"])
    return {row["locator"]: row["code"] for row in map(json.loads, result.stdout.splitlines())}


def _articles(db: Path) -> dict[str, str]:
    """Return id -> text of the stored articles."""
    result = runner.invoke(app, ["export", "--db", str(db), "--what", "articles"])
    return {row["id"]: row["text"] for row in map(json.loads, result.stdout.splitlines())}


def test_hostile_inputs_an_id_read_twice_with_other_content_is_rejected_and_reruns_are_idempotent(
    tmp_path: Path,
):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(f"id,text\ndup,{BRIDGE}\n", encoding="utf-8")
    rows = [{"id": "dup", "text": FERRY}, {"id": "dup", "text": BRIDGE}]  # a clash, a copy
    (folder / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "s.db"

    first = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    second = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])

    assert first.exit_code == second.exit_code == EXIT_REJECTED
    assert _articles(db) == {"dup": BRIDGE}  # the first read is kept, not overwritten
    rejected = _rejected(db)
    assert [code for loc, code in rejected.items() if loc.endswith("b.jsonl:1")] == ["S118"]
    assert not [loc for loc in rejected if loc.endswith("b.jsonl:2")]  # same content: no clash
    assert re.search(r"stored \(new or changed\)\s*│\s*0 ", second.stdout)  # nothing again
    assert re.search(r"unchanged\s*│\s*2 ", second.stdout)  # the first read and its copy


def test_hostile_inputs_a_stored_version_read_again_is_never_undone_by_an_older_copy(
    tmp_path: Path,
):
    # daily snapshots reusing one id: day2 (the correction) was stored on its own; reading
    # day1 and day2 together must not bring day1 back, and the rerun must change nothing
    day1, day2 = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    day1.write_text(json.dumps({"id": "a1", "text": BRIDGE}) + "\n", encoding="utf-8")
    day2.write_text(json.dumps({"id": "a1", "text": FERRY}) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert runner.invoke(app, ["ingest", str(day2), "--db", str(db)]).exit_code == 0

    both = runner.invoke(app, ["ingest", str(day1), str(day2), "--db", str(db)])
    again = runner.invoke(app, ["ingest", str(day1), str(day2), "--db", str(db)])

    assert both.exit_code == again.exit_code == EXIT_REJECTED
    assert _articles(db) == {"a1": FERRY}  # the stored correction stays
    rejected = _rejected(db)
    assert [code for loc, code in rejected.items() if loc.endswith("day1.jsonl:1")] == ["S118"]
    assert not [loc for loc in rejected if loc.endswith("day2.jsonl:1")]
    assert re.search(r"stored \(new or changed\)\s*│\s*0 ", again.stdout)


def test_hostile_inputs_an_update_read_once_is_stored_after_every_input_was_read(tmp_path: Path):
    # an update with no clash is held to the end of the run, then stored as usual
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": BRIDGE}) + "\n", encoding="utf-8")
    with storyline.open(tmp_path / "s.db") as ws:
        assert ws.ingest([path]).stored == 1
        path.write_text(
            json.dumps({"id": "a1", "text": FERRY})
            + "\n"
            + json.dumps({"id": "a2", "text": BRIDGE}),
            encoding="utf-8",
        )
        summary = ws.ingest([path])
        assert (summary.read, summary.stored, summary.rejected) == (2, 2, ())
        assert {a.id: a.text for a in ws.store.articles()} == {"a1": FERRY, "a2": BRIDGE}


def test_hostile_inputs_a_too_long_jsonl_integer_is_one_coded_line_and_the_rest_is_read(
    tmp_path: Path,
):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"text": "big", "id": 1' + "0" * 5000 + "}\n" + json.dumps({"text": BRIDGE}) + "\n",
        encoding="utf-8",
    )
    summary = storyline.open(":memory:").ingest([path])
    assert [(Path(r.locator).name, r.code) for r in summary.rejected] == [
        ("rows.jsonl:1", errors.MALFORMED_JSONL)
    ]
    assert summary.read == 1


def test_hostile_inputs_a_text_of_nul_bytes_alone_is_missing_text(tmp_path: Path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"text": "\x00\x00 \x00"}) + "\n", encoding="utf-8")
    summary = storyline.open(":memory:").ingest([path])
    assert [r.code for r in summary.rejected] == [errors.MISSING_FIELD]
    assert summary.read == 0


@pytest.mark.parametrize("fmt", ["txt", "jsonl"])
def test_hostile_inputs_a_one_line_article_the_cleaner_scores_a_caption_is_kept_whole(
    tmp_path: Path, fmt: str
):
    line = "Photo: The minister opened the new bridge on Monday, resting on four pillars."
    path = tmp_path / f"bridge.{fmt}"
    if fmt == "txt":
        path.write_text(f"Bridge opens\n\n{line}\n", encoding="utf-8")
    else:
        path.write_text(json.dumps({"id": "bridge", "title": "Bridge opens", "text": line}))
    workspace = storyline.open(":memory:")
    assert workspace.ingest([path]).read == 1
    (article,) = workspace.articles()
    # scored a caption (its only line), once stored as an empty text with no Rejected row
    assert article.text == line
    assert [k["guard"] for k in article.meta["clean_kept"]] == ["whole_article"]


def test_hostile_inputs_a_config_that_is_a_folder_is_a_config_error(tmp_path: Path):
    done = _installed("ingest", str(tmp_path), "--db", str(tmp_path / "s.db"), "--config", ".")
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith("error: [S001] cannot read config file"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_hostile_inputs_serve_refuses_a_port_out_of_range(tmp_path: Path, port: str):
    db = tmp_path / "s.db"
    storyline.open(db).close()
    done = _installed("serve", "--db", str(db), "--port", port)
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith("error: [S003] Invalid value for '--port'"), done.stderr
    assert "than or equal to" in done.stderr  # to 0, or to 65535


def test_hostile_inputs_error_lines_print_emoji_codes_as_written(tmp_path: Path):
    # a message holding ":-1:" was printed with a thumbs-down emoji in its place
    storyline.open(tmp_path / "s.db").close()
    result = runner.invoke(app, ["brief", ":-1:", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == EXIT_FATAL
    assert "no story with id ':-1:'" in result.stderr


def test_hostile_inputs_an_empty_path_reads_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(f"Bridge\n{BRIDGE}\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "", "--db", "s.db"])
    assert result.exit_code == EXIT_FATAL
    assert result.stderr.startswith("error: [S003] an empty path"), result.stderr
    assert not Path("s.db").exists()


def test_hostile_inputs_api_refuses_paths_that_would_read_something_else(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text(f"Bridge\n{BRIDGE}\n", encoding="utf-8")
    workspace = storyline.open(":memory:")
    assert workspace.ingest(str(path)).read == 1  # one path, not its characters
    for paths in (None, [""], [None]):
        with pytest.raises(UsageError):
            workspace.ingest(paths)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        workspace.ingest([path], fmt="pdf")
    with pytest.raises(UsageError):
        workspace.briefing(None)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        workspace.fetch([None])  # type: ignore[list-item]


def test_hostile_inputs_api_open_refuses_a_db_that_is_not_a_path(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for db in (None, 5, ""):
        with pytest.raises(UsageError):
            storyline.open(db)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []  # no file named "None" or "5"


@pytest.mark.parametrize(
    ("command", "option"),
    [("timeline", "--dates"), ("timeline", "--per-date"), ("brief", "--sentences")],
)
@pytest.mark.parametrize("value", ["0", "-3"])
def test_hostile_inputs_sizes_below_one_are_usage_errors(
    tmp_path: Path, command: str, option: str, value: str
):
    # --dates -1 printed an empty timeline and --sentences -3 a briefing without sentences
    storyline.open(tmp_path / "s.db").close()
    result = runner.invoke(app, [command, "s-x", "--db", str(tmp_path / "s.db"), option, value])
    assert result.exit_code == EXIT_FATAL
    assert result.stderr.startswith(f"error: [S003] Invalid value for '{option}'"), result.stderr


def _exported(db: Path, output: Path) -> CliResult:
    return runner.invoke(app, ["export", "--db", str(db), "--what", "articles", "-o", str(output)])


def test_hostile_inputs_export_to_an_unwritable_path_is_a_usage_error(tmp_path: Path):
    # each was an S199 traceback: open() straight on the path the user named
    db = tmp_path / "s.db"
    with storyline.open(db) as ws:
        ws.ingest([_bridge_file(tmp_path)])
    for output in (tmp_path / "missing" / "a.jsonl", tmp_path):
        result = _exported(db, output)
        assert result.exit_code == EXIT_FATAL
        assert result.stderr.startswith(f"error: [S003] cannot write to {output}"), result.stderr
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "s.db", "s.db.lock"]


def test_hostile_inputs_a_failed_export_leaves_the_last_one_whole(tmp_path: Path, monkeypatch):
    db = tmp_path / "s.db"
    with storyline.open(db) as ws:
        ws.ingest([_bridge_file(tmp_path)])
    output = tmp_path / "out.jsonl"
    output.write_text("the last good export\n", encoding="utf-8")
    output.chmod(0o640)
    assert _exported(db, output).exit_code == 0
    assert json.loads(output.read_text(encoding="utf-8"))["text"] == BRIDGE
    assert output.stat().st_mode & 0o777 == 0o640  # the file's own mode, not the temp file's

    def full_disk(rows, handle, fmt, columns=()):
        handle.write('{"half": ')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("storyline.cli.app.write_export", full_disk)
    result = _exported(db, output)
    assert result.exit_code == EXIT_FATAL
    assert result.stderr.startswith(f"error: [S003] cannot write to {output}: No space left")
    assert json.loads(output.read_text(encoding="utf-8"))["text"] == BRIDGE  # kept whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "out.jsonl", "s.db", "s.db.lock"]


def test_hostile_inputs_export_to_a_writable_file_in_a_folder_it_cannot_create_in(
    tmp_path: Path, monkeypatch
):
    # a shared folder: the file is writable but no temporary file can be made beside it
    db = tmp_path / "s.db"
    with storyline.open(db) as ws:
        ws.ingest([_bridge_file(tmp_path)])
    output = tmp_path / "shared.jsonl"
    output.write_text("yesterday's export\n", encoding="utf-8")

    def no_new_files(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("storyline.cli.files.tempfile.NamedTemporaryFile", no_new_files)
    assert _exported(db, output).exit_code == 0
    assert json.loads(output.read_text(encoding="utf-8"))["text"] == BRIDGE
    # a new file there cannot be made at all: the coded error, as before
    result = _exported(db, tmp_path / "new.jsonl")
    assert result.exit_code == EXIT_FATAL
    assert result.stderr.startswith("error: [S003] cannot write to"), result.stderr


def test_hostile_inputs_export_writes_through_to_a_device(tmp_path: Path):
    # /dev/null is written, never replaced by a regular file (the rename would do that)
    db = tmp_path / "s.db"
    with storyline.open(db) as ws:
        ws.ingest([_bridge_file(tmp_path)])
    assert _exported(db, Path(os.devnull)).exit_code == 0
    assert Path(os.devnull).is_char_device()


def test_hostile_inputs_a_jsonl_starting_with_a_utf8_bom_is_read(tmp_path: Path):
    # the mark made line 1 S102 ("Unexpected UTF-8 BOM"); only line 1 may carry it
    path = tmp_path / "rows.jsonl"
    rows = [{"id": "a1", "text": BRIDGE}, {"id": "a2", "text": FERRY}]
    path.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\r\n" for r in rows).encode())
    with storyline.open(":memory:") as ws:
        summary = ws.ingest([path])
        assert (summary.read, summary.rejected) == (2, ())
        assert {a.id: a.text for a in ws.store.articles()} == {"a1": BRIDGE, "a2": FERRY}
    path.write_bytes(b"\xef\xbb\xbf\n\xef\xbb\xbf" + json.dumps(rows[0]).encode())
    summary = storyline.open(":memory:").ingest([path])
    assert [(Path(r.locator).name, r.code) for r in summary.rejected] == [
        ("rows.jsonl:2", errors.MALFORMED_JSONL)
    ]


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("[ingest]\nmax_bytes = 99999999999999999999", "ingest.max_bytes"),
        ("[nlp]\nbatch_size = 9223372036854775807", "nlp.batch_size"),
        ("[fetch]\ndelay = inf", "fetch.delay"),
        ("[run]\nlock_wait = nan", "run.lock_wait"),
    ],
)
def test_hostile_inputs_settings_out_of_any_range_are_config_errors(
    tmp_path: Path, setting: str, field: str
):
    # a 20-digit max_bytes made every input an S199 row (OverflowError in readline)
    config = tmp_path / "storyline.toml"
    config.write_text(setting + "\n", encoding="utf-8")
    path = _bridge_file(tmp_path)
    args = ["ingest", str(path), "--db", str(tmp_path / "s.db"), "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_FATAL
    assert result.stderr.startswith(f"error: [S001] invalid settings: {field}"), result.stderr
    assert not (tmp_path / "s.db").exists()


def _bridge_file(folder: Path) -> Path:
    path = folder / "a.txt"
    path.write_text(f"Bridge\n{BRIDGE}\n", encoding="utf-8")
    return path


@pytest.fixture(params=BACKENDS)
def web(request):
    """The web tests' seeded store behind the app, on SQLite and on PostgreSQL."""
    with open_store(request.param) as db:
        yield TestClient(create_app(seed(db), cache_entries=0), raise_server_exceptions=False)


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR(", '"dam', "-dam", "((dam", "dam)", "dam:*", "'", "dam & | !", "\x00"]
)
def test_hostile_inputs_search_syntax_is_words_on_both_backends(web, query: str):
    # FTS5 and tsquery operators are read as words (or nothing), never as syntax: no 500
    answer = web.get("/api/search", params={"q": query})
    assert answer.status_code == 200, answer.text
    ids = [hit["id"] for hit in answer.json()["items"]]
    assert ids == (["a1"] if "dam" in query else [])  # only a1 says "dam"


@pytest.mark.parametrize("day", ["2015-02-30", "9999-99-99", "0000-01-01"])
def test_hostile_inputs_a_day_the_calendar_lacks_is_a_coded_400(web, day: str):
    # "2015-02-30" was compared as text and filtered the stories by it
    answer = web.get("/api/stories", params={"from": day})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["errors"][0].split(":")[0]) == ("invalid_request", "query.from")
    assert web.get("/", params={"to": day}).status_code == 400
    assert web.get("/api/stories", params={"from": "2015-10-23"}).json()["total"] == 1


def test_hostile_inputs_a_malformed_url_is_one_row_and_the_files_are_read(tmp_path: Path):
    # "http://[::1" raised ValueError while the URLs were sorted by host: S199 for the batch
    db = tmp_path / "s.db"
    result = runner.invoke(
        app, ["ingest", "http://[::1", str(_bridge_file(tmp_path)), "--db", str(db)]
    )
    assert result.exit_code == EXIT_REJECTED
    assert _rejected(db) == {"http://[::1": errors.FETCH_REFUSED}
    assert list(_articles(db).values()) == [BRIDGE]


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1", "nonsense://["])
def test_hostile_inputs_an_unreachable_dask_scheduler_is_a_usage_error(address: str):
    pytest.importorskip("distributed")
    import dask  # noqa: PLC0415 - only with the dask extra

    from storyline.runners import make_executor  # noqa: PLC0415

    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(UsageError, match="cannot reach the Dask scheduler at"),
        make_executor(dask=address),
    ):
        pass


@pytest.mark.parametrize(("command", "story"), [("timeline", ""), ("brief", ""), ("brief", " ")])
def test_hostile_inputs_an_empty_story_id_is_a_usage_error(
    tmp_path: Path, command: str, story: str
):
    # "" is a prefix of every id: `timeline ""` printed every storyline's timeline, exit 0
    with Store(tmp_path / "s.db") as db:
        seed(db)
    result = runner.invoke(app, [command, story, "--db", str(tmp_path / "s.db")])
    assert result.exit_code == EXIT_FATAL
    assert result.stderr.startswith("error: [S003] an empty story id names no story"), result.stderr
    assert result.stdout == ""
    # the Python API refuses it the same way: the check lives in the Workspace, not the CLI
    with storyline.open(tmp_path / "s.db") as workspace:
        call = workspace.timelines if command == "timeline" else workspace.briefing
        with pytest.raises(UsageError, match="an empty story id names no story"):
            call(story)


@pytest.mark.parametrize(
    "value", ["2015-10-01garbage", "2015-10-01T99:99", "2015-10-01 and later", "2015-13-01"]
)
def test_hostile_inputs_a_published_value_is_read_whole_never_by_its_first_ten_characters(
    tmp_path: Path, value: str
):
    # "2015-10-01garbage" used to be stored as 2015-10-01: only value[:10] was checked
    rows = [
        {"id": "bad", "text": BRIDGE, "published": value},
        {"id": "stamp", "text": FERRY, "published": "2015-10-01T23:30:00-05:00"},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "harbour.txt").write_text(BRIDGE, encoding="utf-8")
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        json.dumps({"file": "harbour.txt", "id": "m1", "published": value}) + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.db"

    result = runner.invoke(app, ["ingest", str(path), str(manifest), "--db", str(db)])

    assert result.exit_code == EXIT_REJECTED, result.output
    assert _rejected(db) == {
        f"{path}:1": errors.INVALID_FIELD,
        f"{manifest}:1": errors.INVALID_FIELD,
    }
    exported = runner.invoke(app, ["export", "--db", str(db), "--what", "articles"]).stdout
    stored = {row["id"]: row["published"] for row in map(json.loads, exported.splitlines())}
    assert stored == {"stamp": "2015-10-01"}  # a whole date-time keeps its own day
