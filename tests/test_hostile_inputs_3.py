"""Hostile inputs, third probe round: mixed encodings in a CSV, --urls on an endless device,
HEAD requests, and feed or sitemap entries that name no page to fetch.

Each case ended otherwise on main: a whole CSV lost for one cp1252 byte, a run that never
returned, a 405 for HEAD, entries dropped without a word or a ValueError out of a watch cycle.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import storyline
from storyline import errors
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_FATAL, EXIT_REJECTED
from storyline.store import Store
from storyline.watch.cycle import poll
from storyline.web import create_app
from tests.conftest import FETCH_DATA, FETCH_TIMEOUT, settings_for, watch_config
from tests.data.fetch.server import FetchServer
from tests.test_cli import _script, _script_env
from tests.test_web import seed

if TYPE_CHECKING:
    from fastapi import FastAPI

runner = CliRunner()
BRIDGE = "The council voted on Tuesday to close the old bridge after engineers found cracks."
FERRY = "The ferry service will run twice a day from Monday while the bridge is repaired."


def test_hostile_inputs_a_cp1252_row_in_a_utf8_csv_is_one_s105_row_and_the_rest_is_read(
    tmp_path: Path,
):
    # Excel on Windows pastes cp1252 into UTF-8 files: one "é" made the whole file one S109
    # row ("unreadable header") and every other row was lost
    path = tmp_path / "rows.csv"
    path.write_bytes(
        f"id,text\nr1,{BRIDGE}\n".encode()
        + b"r2,Caf\xe9 owners said the flood ruined them.\n"
        + f"r3,{FERRY}\n".encode()
    )
    with storyline.open(tmp_path / "s.db") as ws:
        summary = ws.ingest([path])
        assert [(Path(r.locator).name, r.code) for r in summary.rejected] == [
            ("rows.csv:3", errors.UNDECODABLE)
        ]
        assert "byte 0xe9" in summary.rejected[0].reason
        assert {a.id: a.text for a in ws.store.articles()} == {"r1": BRIDGE, "r3": FERRY}
        again = ws.ingest([path])  # idempotent: the same row, nothing stored twice
        assert (again.stored, again.unchanged, len(again.rejected)) == (0, 2, 1)


def test_hostile_inputs_a_csv_header_that_is_not_utf8_is_one_s105_row(tmp_path: Path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"id,t\xeatle,text\nr1,Bridge,The bridge closed on Monday.\n")
    summary = storyline.open(":memory:").ingest([path])
    assert [(Path(r.locator).name, r.code) for r in summary.rejected] == [
        ("rows.csv", errors.UNDECODABLE)
    ]


def test_hostile_inputs_a_url_list_that_never_ends_is_a_usage_error(tmp_path: Path):
    # `--urls /dev/zero` (or a runaway pipe) read without end: the run never returned
    config = tmp_path / "storyline.toml"
    config.write_text("[ingest]\nmax_bytes = 4096\n", encoding="utf-8")
    args = [
        "ingest",
        "--urls",
        "/dev/zero",
        "--db",
        str(tmp_path / "s.db"),
        "--config",
        str(config),
    ]
    done = subprocess.run(
        [str(_script()), *args],
        capture_output=True,
        text=True,
        check=False,
        env=_script_env(()),
        timeout=60,
    )
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith(
        "error: [S003] cannot read the URL list /dev/zero: over 4096 bytes"
    ), done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("cache_entries", [0, 256])
@pytest.mark.parametrize("path", ["/", "/api/stories", "/stories/s1", "/static/app.js", "/api/x"])
def test_hostile_inputs_head_is_answered_as_get_without_a_body(cache_entries: int, path: str):
    # link checkers, uptime monitors and `curl -I` send HEAD: every page answered 405
    client = TestClient(create_app_over_seed(cache_entries), raise_server_exceptions=False)
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["x-content-type-options"] == "nosniff"  # the security headers too


def create_app_over_seed(cache_entries: int) -> FastAPI:
    return create_app(seed(Store(":memory:")), cache_entries=cache_entries)


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Weekly</title>
<item><title>No link at all</title><description>a note</description></item>
<item><title>A script</title><link>javascript:alert(1)</link></item>
<item><title>Stranded ferry refloated</title><link>/ferry-refloated.html</link></item>
</channel></rss>
"""
SITEMAP = """<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://[::1</loc></url>
<url><lastmod>2026-05-01</lastmod></url>
<url><loc>/ferry-inquiry.html</loc></url>
</urlset>
"""


def test_hostile_inputs_listing_entries_without_a_usable_link_are_rejected_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # such entries were dropped without a word, and a malformed sitemap <loc> raised a
    # ValueError out of the whole watch cycle (no feed of that store was read again)
    root = tmp_path / "site"
    root.mkdir()
    for name in ("ferry-refloated.html", "ferry-inquiry.html"):
        shutil.copy(FETCH_DATA / name, root / name)
    (root / "feed.xml").write_text(FEED, encoding="utf-8")
    (root / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    settings = settings_for(tmp_path, timeout=FETCH_TIMEOUT)
    with FetchServer(root) as server, storyline.open(tmp_path / "s.db", settings=settings) as ws:
        feed, sitemap = server.url("/feed.xml"), server.url("/sitemap.xml")
        ws.add_feeds(feed)
        ws.add_feeds(sitemap)
        # a cycle asks the store for its skipped entries' rows only, never the whole table
        monkeypatch.setattr(ws.store, "rejected", _whole_table)
        with ws.fetcher() as fetcher:
            first = poll(ws, fetcher, run_stages=False)
            (root / "feed.xml").write_text(FEED.replace("a note", "a new note"), encoding="utf-8")
            second = poll(ws, fetcher, run_stages=False)
        monkeypatch.undo()
        stored = {r.locator: r.code for r in ws.store.rejected()}
    expected = {
        f"{feed} entry 'No link at all'": errors.MISSING_FIELD,
        f"{feed} entry 'A script'": errors.FETCH_REFUSED,
        f"{sitemap} entry 'http://[::1'": errors.FETCH_REFUSED,
    }
    nameless = [r for r in first.summary.rejected if r.locator.startswith(f"{sitemap} entry #")]
    assert [r.code for r in nameless] == [errors.MISSING_FIELD]  # the <url> without a <loc>
    expected[nameless[0].locator] = errors.MISSING_FIELD
    assert {r.locator: r.code for r in first.summary.rejected} == expected
    assert stored == expected  # the changed feed read again updates the same rows
    assert first.summary.stored == 2  # the good entries of both listings
    # entries already on record are not reported again: the second cycle rejects nothing new
    assert (second.summary.stored, second.summary.rejected) == (0, ())


def _whole_table():
    raise AssertionError("the whole rejected table was read")


_SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NAMELESS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Weekly</title>
<item><description>no title, no link</description></item>
<item><guid isPermaLink="false">urn:harbour:77</guid><description>an id only</description></item>
<item><title>Stranded ferry refloated</title><link>/ferry-refloated.html</link></item>
</channel></rss>
"""


def test_hostile_inputs_skipped_entries_are_reported_once_across_cycles(tmp_path: Path):
    # an entry without a title was located as "entry N", N moving as items came in, and every
    # cycle reported the same skipped entries again: `watch --once` from cron exited 3 forever
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(FETCH_DATA / "ferry-refloated.html", root / "ferry-refloated.html")
    (root / "feed.xml").write_text(NAMELESS_FEED, encoding="utf-8")
    config = watch_config(tmp_path)
    db = str(tmp_path / "s.db")
    watch = ["watch", "--once", "--db", db, "--config", str(config)]
    with FetchServer(root) as server:
        feed = server.url("/feed.xml")
        added = runner.invoke(app, ["feeds", "add", feed, "--db", db, "--config", str(config)])
        assert added.exit_code == 0, added.output
        first = runner.invoke(app, watch)
        # a new item on top moves every entry one place down
        newer = "<item><title>Inquiry opens</title><link>javascript:void(0)</link></item>"
        (root / "feed.xml").write_text(
            NAMELESS_FEED.replace("</title>\n", f"</title>\n{newer}", 1), encoding="utf-8"
        )
        second = runner.invoke(app, watch)
        third = runner.invoke(app, watch)
    assert first.exit_code == EXIT_REJECTED, first.output
    assert second.exit_code == EXIT_REJECTED, second.output  # the new bad entry, only it
    assert third.exit_code == 0, third.output
    with storyline.open(db) as ws:
        stored = {r.locator: r.code for r in ws.store.rejected()}
    # still listed, once each: the id names its entry, a short hash of it the bare one
    assert len(stored) == 3
    assert stored[f"{feed} entry 'urn:harbour:77'"] == errors.FETCH_REFUSED
    assert stored[f"{feed} entry 'Inquiry opens'"] == errors.FETCH_REFUSED
    (bare,) = [k for k in stored if k.startswith(f"{feed} entry #")]
    assert stored[bare] == errors.MISSING_FIELD


def test_hostile_inputs_sitemaps_past_the_per_index_limit_are_one_rejected_row(tmp_path: Path):
    # an index read its first 50 sitemaps in every cycle and left the others out unseen
    root = tmp_path / "site"
    root.mkdir()
    listed = "".join(f"<sitemap><loc>/part-{n}.xml</loc></sitemap>" for n in range(52))
    for n in [*range(52), "x"]:  # empty sitemaps: only the index's own row is at stake
        (root / f"part-{n}.xml").write_text(f"<urlset xmlns='{_SM_NS}'/>", encoding="utf-8")
    (root / "index.xml").write_text(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + listed
        + "</sitemapindex>",
        encoding="utf-8",
    )
    settings = settings_for(tmp_path, timeout=FETCH_TIMEOUT)
    with FetchServer(root) as server, storyline.open(tmp_path / "s.db", settings=settings) as ws:
        index = server.url("/index.xml")
        ws.add_feeds(index)
        with ws.fetcher() as fetcher:
            report = poll(ws, fetcher, run_stages=False)
            index_file = root / "index.xml"  # read again: a changed index is not a 304
            index_file.write_text(index_file.read_text().replace("/part-0.", "/part-x."))
            again = poll(ws, fetcher, run_stages=False)
        fetched = {h.path for h in server.behaviour.log}
        stored = [r.locator for r in ws.store.rejected()]
    assert again.summary.rejected == ()  # on record already: not a rejection of every cycle
    assert stored == [f"{index} sitemaps left out"]  # still listed in the rejected export
    (left_out,) = [r for r in report.summary.rejected if r.locator == f"{index} sitemaps left out"]
    assert left_out.code == errors.TOO_LARGE
    assert "lists 52 sitemaps; the first 50 are read, 2 are not" in left_out.reason
    assert server.url("/part-50.xml") in left_out.reason
    assert "/part-49.xml" in fetched
    assert "/part-50.xml" not in fetched


def test_hostile_inputs_titles_and_outlets_are_printed_as_data_not_markup_or_escapes(
    tmp_path: Path,
):
    # a title holding "[/]" made `run` and `stories` an S199 MarkupError with a traceback;
    # an outlet holding ESC sequences cleared the terminal and set its title when printed
    titles = ["Closing [/] tag: dam to be rebuilt", "[bold]Alarm[/bold] :fire: dam [link=x]y"]
    outlet = "Herald \x1b[2J\x1b]0;pwned\x07 Daily"
    rows = [
        {
            "id": f"r{n}",
            "title": title,
            "source": outlet if n else f"Ledger {n}",
            "published": f"2015-10-2{n + 1}",
            "text": f'Mayor Ilse Varga said "the dam will be rebuilt before winter" ({title}).\n'
            "The breach happened on 20 October after three days of rain in Marenholt.",
        }
        for n, title in enumerate(titles)
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "s.db")
    wide = {"COLUMNS": "300"}  # one line per title: nothing wrapped
    ran = runner.invoke(app, ["run", str(path), "--db", db], env=wide)
    assert ran.exit_code == 0, ran.output
    listed = runner.invoke(app, ["stories", "--db", db], env=wide)
    assert listed.exit_code == 0, listed.output
    for output in (ran.stdout, listed.stdout):
        assert "Closing [/] tag" in output
        assert "\x1b" not in output
        assert "\x07" not in output
    assert "[bold]Alarm[/bold] :fire:" in ran.stdout  # as written: no style, no emoji
    assert "Herald [2J]0;pwned Daily" in ran.stdout  # the outlet, without its control bytes
    # the data itself is kept whole: only the screen is spared
    with storyline.open(db) as ws:
        assert {a.source for a in ws.articles()} == {"Ledger 0", outlet}
