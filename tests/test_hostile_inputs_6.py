"""Hostile inputs, sixth probe round: config files that are no file, config values of the wrong
TOML type, JSON numbers no reader can hold, and upload bodies of a media type that is not JSONL.

Each case ended otherwise on main: a command that never returned (--config naming a FIFO), a
./storyline.toml passed over in silence, "max_bytes = true" read as 1, NaN written back into
the JSONL export, an XML body read as JSONL into the store's rejected log.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

import storyline
from storyline import api, errors
from storyline.cli.exit_codes import EXIT_FATAL, EXIT_REJECTED
from storyline.config import load_settings
from storyline.errors import ConfigError
from storyline.export import export_rows, write_export
from storyline.store import Store
from storyline.web import create_app
from tests.conftest import FETCH_TIMEOUT, settings_for
from tests.test_cli import _script, _script_env

if TYPE_CHECKING:
    from tests.data.fetch.server import FetchServer

BRIDGE = "The council voted on Tuesday to close the old bridge after engineers found cracks."
FERRY = "The ferry service will run twice a day from Monday while the bridge is repaired."
# a command that waits on a FIFO never returns; one that reads no FIFO ends in seconds
TIMEOUT = 60


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed script in ``folder`` (where it looks for ./storyline.toml)."""
    return subprocess.run(
        [str(_script()), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        env=_script_env(),
        timeout=TIMEOUT,
    )


def _bridge_file(folder: Path) -> Path:
    path = folder / "a.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": BRIDGE}) + "\n", encoding="utf-8")
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_hostile_inputs_a_config_that_is_a_fifo_is_a_config_error_not_a_hang(tmp_path: Path):
    # --config naming a FIFO no one writes to: the command waited for ever on its open()
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    path = _bridge_file(tmp_path)
    done = _run(tmp_path, "ingest", str(path), "--db", "s.db", "--config", str(fifo))
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith("error: [S001] cannot read config file"), done.stderr
    assert "not a regular file" in done.stderr
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("kind", ["fifo", "dangling symlink", "symlink loop"])
def test_hostile_inputs_a_storyline_toml_that_cannot_be_read_is_never_passed_over(
    tmp_path: Path, kind: str
):
    # ./storyline.toml was read only when is_file(): a FIFO, a dangling link (a config moved
    # away) or a loop there was ignored without a word and the defaults used in its place
    config = tmp_path / "storyline.toml"
    if kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this system")
        os.mkfifo(config)
    elif kind == "dangling symlink":
        config.symlink_to(tmp_path / "moved-away.toml")
    else:
        config.symlink_to(config)
    path = _bridge_file(tmp_path)
    done = _run(tmp_path, "ingest", str(path), "--db", "s.db")
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith("error: [S001]"), done.stderr
    assert "storyline.toml" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "[ingest]\nmax_bytes = true",
            "ingest.max_bytes: Input should be a TOML integer, not true",
        ),
        ('[ingest]\nmax_bytes = "5"', 'ingest.max_bytes: Input should be a TOML integer, not "5"'),
        ('[fetch]\ndelay = "2"', 'fetch.delay: Input should be a TOML number, not "2"'),
        (
            "[fetch]\nallow_private = 1",
            "fetch.allow_private: Input should be a TOML boolean, not 1",
        ),
        (
            '[fetch]\nallow_private = "no"',
            'fetch.allow_private: Input should be a TOML boolean, not "no"',
        ),
        (
            "[quality]\nsentence_model = 5",
            "quality.sentence_model: Input should be a TOML string, not 5",
        ),
    ],
)
def test_hostile_inputs_a_setting_of_the_wrong_toml_type_is_refused_not_converted(
    tmp_path: Path, setting: str, message: str
):
    # "max_bytes = true" was read as 1: every input then an S106 row, the run "working"
    config = tmp_path / "storyline.toml"
    config.write_text(setting + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert str(raised.value) == f"[S001] invalid settings: {message}"


def test_hostile_inputs_numbers_keep_their_toml_number_types(tmp_path: Path):
    # what stays valid: an integer for a float, an integral float for an integer (5e7 is 50M)
    config = tmp_path / "storyline.toml"
    config.write_text("[ingest]\nmax_bytes = 5e7\n[fetch]\ndelay = 1\n", encoding="utf-8")
    settings = load_settings(config)
    assert (settings.ingest.max_bytes, settings.fetch.delay) == (50_000_000, 1.0)


def test_hostile_inputs_the_cli_refuses_a_boolean_size_before_reading_anything(tmp_path: Path):
    (tmp_path / "storyline.toml").write_text("[ingest]\nmax_bytes = true\n", encoding="utf-8")
    path = _bridge_file(tmp_path)
    done = _run(tmp_path, "ingest", str(path), "--db", "s.db")
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith("error: [S001] invalid settings: ingest.max_bytes"), done.stderr
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ('{"id": NaN, "text": "%s"}', "NaN"),
        ('{"id": "n2", "score": Infinity, "text": "%s"}', "Infinity"),
        ('{"id": "n3", "score": -Infinity, "text": "%s"}', "-Infinity"),
        ('{"id": 1e999, "text": "%s"}', "1e999"),
        ('{"id": "n5", "meta": {"x": [2E400]}, "text": "%s"}', "2E400"),
    ],
)
def test_hostile_inputs_numbers_json_cannot_hold_are_one_s102_row(
    tmp_path: Path, line: str, number: str
):
    # Python's json read NaN and Infinity (not JSON) and 1e999 (as inf): they were stored,
    # exported back as NaN/Infinity, which jq or JSON.parse refuse, and the ids 1e999 and
    # 2e999 were one id, "inf"
    path = tmp_path / "rows.jsonl"
    path.write_text(
        line % BRIDGE + "\n" + json.dumps({"id": "ok", "text": FERRY}) + "\n", encoding="utf-8"
    )
    with storyline.open(tmp_path / "s.db") as ws:
        summary = ws.ingest([path])
        assert [(Path(r.locator).name, r.code) for r in summary.rejected] == [
            ("rows.jsonl:1", errors.MALFORMED_JSONL)
        ]
        assert repr(number) in summary.rejected[0].reason
        assert {a.id: a.text for a in ws.store.articles()} == {"ok": FERRY}
        again = ws.ingest([path])  # idempotent: the same row refused, nothing stored twice
        assert (again.stored, again.unchanged, len(again.rejected)) == (0, 1, 1)
        exported = tmp_path / "articles.jsonl"
        with exported.open("w", encoding="utf-8") as out:
            write_export(export_rows(ws.store, "articles"), out, "jsonl")
    for row in exported.read_text(encoding="utf-8").splitlines():
        json.loads(row, parse_constant=pytest.fail)  # strict JSON: no NaN, no Infinity


def test_hostile_inputs_the_cli_ends_a_run_with_a_nan_row_in_exit_3(tmp_path: Path):
    path = tmp_path / "rows.jsonl"
    path.write_text(
        f'{{"id": "x", "score": NaN, "text": "{BRIDGE}"}}\n{json.dumps({"id": "y", "text": FERRY})}\n',
        encoding="utf-8",
    )
    done = _run(tmp_path, "ingest", str(path), "--db", "s.db")
    assert done.returncode == EXIT_REJECTED, done.stderr
    assert "S102" in done.stdout + done.stderr
    with Store(str(tmp_path / "s.db")) as store:
        assert [a.id for a in store.articles()] == ["y"]


@pytest.mark.parametrize(
    "content_type",
    ["application/xml", "text/html; charset=utf-8", "text/csv", "image/png", "application/pdf"],
)
def test_hostile_inputs_an_upload_body_that_is_not_jsonl_is_a_coded_415(content_type: str):
    # any raw body was read as JSONL: an XML or HTML post became one S102 row per line in
    # the store's rejected log (a 200), and its bytes were parsed for nothing
    with Store(":memory:") as store:
        client = TestClient(create_app(store, allow_ingest=True, cache_entries=0))
        body = f'<?xml version="1.0"?>\n<rss><item>{BRIDGE}</item></rss>\n'.encode()
        answer = client.post("/api/ingest", content=body, headers={"content-type": content_type})
        assert answer.status_code == 415
        error = answer.json()["error"]
        assert error["code"] == "unsupported_media_type"
        assert content_type.split(";", maxsplit=1)[0] in error["message"]
        assert list(store.articles()) == []
        assert list(store.reader().rejected()) == []


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/x-ndjson",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",  # what `curl --data-binary @rows.jsonl` sends
    ],
)
def test_hostile_inputs_a_jsonl_body_is_read_under_the_types_clients_send(
    content_type: str | None,
):
    with Store(":memory:") as store:
        client = TestClient(create_app(store, allow_ingest=True, cache_entries=0))
        headers = {"content-type": content_type} if content_type else {}
        body = json.dumps({"id": "b1", "text": BRIDGE}).encode() + b"\n"
        answer = client.post("/api/ingest", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        assert (answer.json()["stored"], answer.json()["rejected"]) == (1, [])
        assert [a.id for a in store.articles()] == ["b1"]


@pytest.mark.parametrize(
    "location", ["data:text/html,<p>the bridge</p>", "javascript:alert(1)", "mailto:desk@news"]
)
def test_hostile_inputs_a_redirect_to_a_url_httpx_cannot_form_is_one_s113_row(
    fetch_server: FetchServer, fetch_workspace: api.Workspace, location: str
):
    # httpx builds the next request of a redirect even when it does not follow it: a Location
    # of "data:..." raised InvalidURL (no HTTPError) out of the fetch, and the batch was lost
    bad = fetch_server.url("/redirect-to/" + quote(location, safe=""))
    good = fetch_server.url("/ferry-aground.html")
    summary = fetch_workspace.fetch([bad, good])
    assert [(r.locator, r.code) for r in summary.rejected] == [(bad, errors.FETCH_REFUSED)]
    assert "no URL to follow" in summary.rejected[0].reason
    assert [a.locator for a in fetch_workspace.store.articles()] == [good]
    again = fetch_workspace.fetch([bad, good])  # idempotent: the same row, nothing twice
    assert [r.code for r in again.rejected] == [errors.FETCH_REFUSED]
    assert len(list(fetch_workspace.store.articles())) == 1


def test_hostile_inputs_the_cli_reports_a_redirect_to_data_and_exits_3(
    fetch_server: FetchServer, tmp_path: Path
):
    config = tmp_path / "storyline.toml"
    config.write_text(
        "[fetch]\nallow_private = true\npoliteness = false\ndelay = 0.0\nretries = 0\n"
        f'archive_dir = "{tmp_path / "warc"}"\n',
        encoding="utf-8",
    )
    bad = fetch_server.url("/redirect-to/" + quote("data:text/html,hi", safe=""))
    good = fetch_server.url("/ferry-aground.html")
    done = _run(tmp_path, "ingest", bad, good, "--db", "s.db")
    assert done.returncode == EXIT_REJECTED, done.stderr
    assert "Traceback" not in done.stderr
    assert errors.FETCH_REFUSED in done.stdout
    with Store(str(tmp_path / "s.db")) as store:
        assert [a.locator for a in store.articles()] == [good]


def test_hostile_inputs_a_robots_txt_redirected_to_data_is_as_if_absent(
    fetch_server: FetchServer, tmp_path: Path
):
    # robots.txt is read through the same request code: its InvalidURL escaped too, and every
    # URL of the host was lost with it. A robots.txt that cannot be had allows (as a 404 does).
    fetch_server.behaviour.robots_location = "data:text/plain,User-agent: *"
    settings = settings_for(tmp_path, politeness=True, timeout=FETCH_TIMEOUT)
    good = fetch_server.url("/ferry-aground.html")
    with api.open(tmp_path / "s.db", settings=settings) as ws:
        summary = ws.fetch([good])
        assert (summary.stored, summary.rejected) == (1, ())
        assert [a.locator for a in ws.store.articles()] == [good]
    assert "/robots.txt" in [hit.path for hit in fetch_server.behaviour.log]


def test_hostile_inputs_a_date_for_a_string_setting_is_named_as_toml_writes_it(tmp_path: Path):
    config = tmp_path / "storyline.toml"
    config.write_text("[quality]\nsentence_model = 1979-05-27\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"should be a TOML string, not 1979-05-27$"):
        load_settings(config)


@pytest.mark.parametrize(
    ("table", "pair"),
    [
        ('Putin = "   "', '"Putin" = "   "'),
        ('Putin = ""', '"Putin" = ""'),
        ('"" = "Angela Merkel"', '"" = "Angela Merkel"'),
    ],
)
def test_hostile_inputs_a_blank_alias_or_name_is_a_config_error(
    tmp_path: Path, table: str, pair: str
):
    # 'Putin = "   "' merged "Putin" into an entity named "   ", apart from "Vladimir Putin"
    config = tmp_path / "storyline.toml"
    config.write_text(f"[aliases]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert str(raised.value) == (
        "[S001] invalid settings: aliases: an alias and the name it stands for must not be "
        f"blank ({pair})"
    )
    config.write_text('[aliases]\nPutin = "Vladimir Putin"\n', encoding="utf-8")
    assert load_settings(config).aliases == {"Putin": "Vladimir Putin"}
