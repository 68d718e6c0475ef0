"""Hostile inputs, seventh probe round: a folder holding its own store, a store the user may
not write, WARC files cut short, the server's config for uploads, and the Python API's
arguments.

Each case ended otherwise on main: `storyline ingest .` beside its store exited 3 forever (the
store's lock file read as an input), a read-only store was an S199 "bug" traceback, a WARC cut
inside a record stored its page cut in silence (or said "malformed WARC ()"), and uploads to
`storyline serve --config FILE` were read under the defaults.
"""

from __future__ import annotations

import gzip as gzip_module
import json
import os
import shutil
import subprocess
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import storyline
from storyline import errors
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_FATAL, EXIT_REJECTED
from storyline.config import Settings, load_settings
from storyline.errors import ConfigError, UsageError
from storyline.store import Store
from storyline.web import create_app
from tests.test_cli import _installed, _script, _script_env
from tests.test_hostile_inputs_4 import BRIDGE, FERRY, _exported, _write_rows

if TYPE_CHECKING:
    from pathlib import Path


# -- the folder of the store -------------------------------------------------------------------


def test_hostile_inputs_a_folder_holding_its_store_ingests_clean_twice(tmp_path: Path):
    # the run lock (storyline.db.lock) was an S107 row: every `storyline ingest .` exited 3
    (tmp_path / "bridge.txt").write_text(f"Bridge\n{BRIDGE}\n", encoding="utf-8")
    for _ in range(2):
        done = subprocess.run(
            [str(_script()), "ingest", "."],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            env=_script_env(),
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "storyline.db.lock").exists()
    assert _exported(tmp_path / "storyline.db", "rejected") == []
    assert [a["title"] for a in _exported(tmp_path / "storyline.db", "articles")] == ["Bridge"]


# -- a store the user may not write ------------------------------------------------------------


def _as_plain_user() -> list[str]:
    """Return a command prefix under which file modes bind (root passes them otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv: file modes cannot be made to bind")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


@pytest.mark.parametrize("command", ["ingest", "run"])
def test_hostile_inputs_a_read_only_store_is_a_coded_store_error(tmp_path: Path, command: str):
    db = tmp_path / "s.db"
    first = _write_rows(tmp_path / "a.jsonl", [{"id": "a1", "text": BRIDGE}])
    assert _installed("ingest", str(first), "--db", str(db)).returncode == 0
    db.chmod(0o444)
    more = _write_rows(tmp_path / "b.jsonl", [{"id": "b1", "text": FERRY}])
    done = subprocess.run(
        [*_as_plain_user(), str(_script()), command, str(more), "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
        env=_script_env(),
    )
    assert done.returncode == EXIT_FATAL, done.stdout + done.stderr
    assert done.stderr.startswith("error: [S002] the database cannot be written"), done.stderr
    assert "Traceback" not in done.stderr
    assert "S199" not in done.stderr
    assert [a["id"] for a in _exported(db, "articles")] == ["a1"]  # it still reads


# -- WARC files cut short ----------------------------------------------------------------------


def _page(number: int) -> bytes:
    paragraphs = "".join(f"<p>{BRIDGE} Part {number}.{j}.</p>" for j in range(6))
    return (
        f"<html><head><title>Page {number}</title></head><body><article>"
        f"<h1>Page {number}</h1>{paragraphs}</article></body></html>"
    ).encode()


def _record(number: int) -> bytes:
    """Return one WARC response record holding an HTML page (written by hand: warcio's writer
    leaves a spooled temporary file open)."""
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + _page(number)
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: http://example.com/{number}\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000000{number}>\r\n"
        "WARC-Date: 2024-05-01T00:00:00Z\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def _warc(*, gzip: bool) -> tuple[bytes, int]:
    """Return a WARC of three HTML responses, and the offset of its last record."""
    records = [_record(n) for n in range(3)]
    if gzip:
        records = [gzip_module.compress(r) for r in records]
    return b"".join(records), len(records[0]) + len(records[1])


@pytest.mark.parametrize(
    ("gzip", "reason"),
    [
        # 200 bytes cut: the record's closing CRLF CRLF (4) and 196 of its block
        (False, "truncated record: the file ends 196 bytes before its Content-Length"),
        (True, "truncated WARC: the file ends in a record"),
    ],
)
def test_hostile_inputs_a_warc_cut_inside_a_record_is_one_coded_row_for_that_record(
    tmp_path: Path, gzip: bool, reason: str
):
    data, last = _warc(gzip=gzip)
    path = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    path.write_bytes(data[:-200])
    db = tmp_path / "s.db"
    done = _installed("ingest", str(path), "--db", str(db))
    assert done.returncode == EXIT_REJECTED, done.stdout + done.stderr
    titles = [a["title"] for a in _exported(db, "articles")]
    assert titles == ["Page 0", "Page 1"]  # the cut page is not stored cut
    rejected = _exported(db, "rejected")
    assert [(r["locator"], r["code"], r["reason"]) for r in rejected] == [
        (f"{path}@{last}", errors.MALFORMED_WARC, reason)
    ]


def test_hostile_inputs_a_whole_warc_reads_every_record(tmp_path: Path):
    data, _ = _warc(gzip=False)
    path = tmp_path / "whole.warc"
    path.write_bytes(data)
    db = tmp_path / "s.db"
    done = _installed("ingest", str(path), "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    articles = _exported(db, "articles")
    assert [a["title"] for a in articles] == ["Page 0", "Page 1", "Page 2"]
    assert all("Part 2.5." in a["text"] for a in articles[2:])


# -- the server's config for uploads -----------------------------------------------------------


def test_hostile_inputs_uploads_are_read_under_the_servers_settings(tmp_path: Path):
    # `storyline serve --config FILE --allow-ingest` read uploads under the defaults: a
    # max_bytes (or any [ingest]/[clean] key) the user set applied to `ingest`, not to uploads
    settings = load_settings(overrides={"ingest": {"max_bytes": 60}})
    row = json.dumps({"id": "u1", "text": BRIDGE}) + "\n"
    with Store(tmp_path / "s.db") as store:
        client = TestClient(create_app(store, allow_ingest=True, settings=settings))
        answer = client.post(
            "/api/ingest", content=row, headers={"content-type": "application/x-ndjson"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["rejected"] == [
            {"locator": "upload.jsonl:1", "code": errors.TOO_LARGE, "reason": "line over 60 bytes"}
        ]
        assert [a.id for a in store.articles()] == []


def test_hostile_inputs_serve_hands_its_config_to_the_app(tmp_path: Path, monkeypatch):
    # the CLI passed only [timeline] min_outlets of --config on to the app
    config = tmp_path / "c.toml"
    config.write_text("[ingest]\nmax_bytes = 60\n[timeline]\nmin_outlets = 3\n", encoding="utf-8")
    db = _write_rows(tmp_path / "a.jsonl", [{"id": "a1", "text": BRIDGE}])
    assert _installed("ingest", str(db), "--db", str(tmp_path / "s.db")).returncode == 0
    seen: dict[str, object] = {}

    def fake_serve(db: str, **kwargs: object) -> None:
        seen.update(kwargs, db=db)

    monkeypatch.setattr("storyline.web.serve", fake_serve)
    monkeypatch.setattr("storyline.cli.app._check_port", lambda host, port: None)
    done = CliRunner().invoke(
        app, ["serve", "--db", str(tmp_path / "s.db"), "--config", str(config), "--allow-ingest"]
    )
    assert done.exit_code == 0, done.output
    settings = seen["settings"]
    assert isinstance(settings, Settings)
    assert (settings.ingest.max_bytes, settings.timeline.min_outlets) == (60, 3)
    assert seen["allow_ingest"] is True


# -- the Python API's arguments ----------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path):
    rows = _write_rows(tmp_path / "a.jsonl", [{"id": "a1", "text": BRIDGE}])
    with storyline.open(tmp_path / "s.db") as ws:
        ws.ingest([rows])
        yield ws


BAD_CALLS = {
    "ingest a number": lambda ws: ws.ingest(5),
    "run workers -1": lambda ws: ws.run(workers=-1),
    "run workers text": lambda ws: ws.run(workers="2"),
    "timelines max_dates 0": lambda ws: ws.timelines(max_dates=0),
    "timelines max_dates text": lambda ws: ws.timelines(max_dates="3"),
    "timelines sentences 0": lambda ws: ws.timelines(sentences_per_date=0),
    "timelines keywords None": lambda ws: ws.timelines(keywords=None),
    "timelines keywords numbers": lambda ws: ws.timelines(keywords=[1]),
    "briefing max 0": lambda ws: ws.briefing("s-", max_sentences=0),
    "briefing max -1": lambda ws: ws.briefing("s-", max_sentences=-1),
    "briefing max 2.5": lambda ws: ws.briefing("s-", max_sentences=2.5),
    "add_feeds a number": lambda ws: ws.add_feeds(5),
    "changes since a number": lambda ws: ws.changes(since=5),
}


@pytest.mark.parametrize("call", sorted(BAD_CALLS))
def test_hostile_inputs_api_arguments_of_the_wrong_kind_are_usage_errors(workspace, call: str):
    # each was a TypeError/AttributeError from deep inside, or (0, -1) an empty timeline or
    # briefing, or the default size, in silence
    with pytest.raises(UsageError):
        BAD_CALLS[call](workspace)


def test_hostile_inputs_api_numpy_integers_are_whole_numbers(workspace):
    numpy = pytest.importorskip("numpy")
    # the checks above refused numpy's integers, which slicing and comparisons take
    workspace.run(workers=numpy.int64(1))
    timelines = workspace.timelines(max_dates=numpy.int64(3), sentences_per_date=numpy.int32(1))
    assert timelines == workspace.timelines(max_dates=3, sentences_per_date=1)
    (story_id,) = timelines
    briefing = workspace.briefing(story_id, max_sentences=numpy.int64(2))
    assert briefing.sentences == workspace.briefing(story_id, max_sentences=2).sentences
    assert "close the old bridge" in briefing.sentences[0].text


def test_hostile_inputs_api_a_lone_string_is_one_value_not_its_characters(workspace):
    # remove_feeds("http://x") answered for "h", "t", "t", "p", ... each "not watched"
    assert workspace.remove_feeds("http://example.com/feed") == [("http://example.com/feed", False)]


def test_hostile_inputs_api_open_and_settings_refuse_what_is_not_theirs(tmp_path: Path):
    with pytest.raises(UsageError):
        storyline.open(tmp_path / "a\x00b.db")  # ValueError: embedded null byte
    with pytest.raises(UsageError):
        storyline.open(tmp_path / "s.db", settings={"ingest": {}})  # AttributeError later
    with pytest.raises(ConfigError):
        storyline.load_settings(overrides=[("ingest", {})])  # AttributeError: no 'items'
    assert not (tmp_path / "s.db").exists()


# -- ids the web cannot address ----------------------------------------------------------------


@pytest.mark.parametrize("article_id", ["line\nbreak", "tab\there", "a/b/../c", "cr\r\nlf"])
def test_hostile_inputs_an_article_id_with_a_line_break_has_its_api_row_and_page(
    tmp_path: Path, article_id: str
):
    # JSONL ids are kept as given; one holding "\n" was stored and then answered 404
    rows = _write_rows(tmp_path / "a.jsonl", [{"id": article_id, "text": BRIDGE}])
    with storyline.open(tmp_path / "s.db") as ws:
        assert ws.ingest([rows]).stored == 1
        client = TestClient(create_app(ws.store, cache_entries=0, min_outlets=2))
        quoted = quote(article_id, safe="")
        answer = client.get(f"/api/articles/{quoted}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["article"]["id"] == article_id
        assert answer.json()["article"]["text"] == BRIDGE
        assert client.get(f"/articles/{quoted}").status_code == 200
        assert client.get(f"/api/articles/{quote('no' + article_id, safe='')}").status_code == 404


def test_hostile_inputs_run_refuses_negative_workers_before_reading(tmp_path: Path):
    # --workers -1 was refused (or failed) only after every input had been read and stored
    rows = _write_rows(tmp_path / "a.jsonl", [{"id": "a1", "text": BRIDGE}])
    done = _installed("run", str(rows), "--db", str(tmp_path / "s.db"), "--workers", "-1")
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith("error: [S003] Invalid value for '--workers'"), done.stderr
    assert not (tmp_path / "s.db").exists()
