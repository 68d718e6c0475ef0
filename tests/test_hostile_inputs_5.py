"""Hostile inputs, fifth probe round: a PostgreSQL connection lost mid-command, publication
dates that say less than a day (an ISO week, a day/month order nobody stated), and invisible
characters inside names.

Each case ended otherwise on main: a killed connection was an S199 traceback (a bug), "2015-W43"
was stored as the day 2015-10-19, "03/04/2015" as 4 March without a word, and "Ilse Var\\xadga"
a second person beside "Ilse Varga".
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from storyline.cli.exit_codes import EXIT_FATAL
from storyline.errors import StoreError
from storyline.store import Store
from storyline.store.base import store_error_of
from tests.conftest import postgres_schema
from tests.test_cli import _installed
from tests.test_hostile_inputs_4 import BRIDGE, FERRY, _exported, _write_rows

if TYPE_CHECKING:
    from pathlib import Path

# -- a PostgreSQL connection lost mid-command ------------------------------------------------


def test_hostile_inputs_a_killed_postgres_connection_is_a_coded_store_error():
    # only this store's own backend is ended: the server and other sessions are untouched
    import psycopg  # noqa: PLC0415 - only the PostgreSQL cases need it

    with postgres_schema() as url, Store(url) as db:
        with pytest.raises(psycopg.OperationalError) as killed:
            db.conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        with pytest.raises(psycopg.OperationalError) as closed:
            db.count("articles")
    for exc in (killed.value, closed.value):
        found = store_error_of(exc)
        assert isinstance(found, StoreError), exc
        assert str(found).startswith("[S002] the connection to the PostgreSQL server was lost")
    # an OperationalError that is no lost connection (a statement cancelled) stays a bug
    assert store_error_of(psycopg.errors.QueryCanceled("canceling statement")) is None


# a sitecustomize on PYTHONPATH ends the script's own backend (by its pid, from a second
# connection) just before the first statement that names STORYLINE_TEST_KILL_ON
_KILL = """
import os

word = os.environ.get("STORYLINE_TEST_KILL_ON")
if word:
    import psycopg
    from storyline.store import postgres

    execute = postgres.PgConnection.execute

    def killing(self, sql, parameters=(), /):
        if word in sql and not getattr(self, "killed", False):
            self.killed = True
            with psycopg.connect(os.environ["STORYLINE_TEST_KILL_URL"], autocommit=True) as pg:
                pg.execute("SELECT pg_terminate_backend(%s)", (self.raw.info.backend_pid,))
        return execute(self, sql, parameters)

    postgres.PgConnection.execute = killing
"""


@pytest.mark.parametrize(
    ("command", "word"),
    # a read, and a write inside a transaction (its ROLLBACK meets the closed connection too)
    [(("export", "--what", "articles"), "FROM articles"), (("ingest", "more.jsonl"), "INSERT")],
)
def test_hostile_inputs_the_cli_reports_a_lost_postgres_connection_as_s002(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], word: str
):
    rows = _write_rows(tmp_path / "rows.jsonl", [{"id": "r1", "text": BRIDGE}])
    _write_rows(tmp_path / "more.jsonl", [{"id": "r2", "text": FERRY}])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(textwrap.dedent(_KILL), encoding="utf-8")
    with postgres_schema() as url:
        assert _installed("ingest", str(rows), "--db", url).returncode == 0
        monkeypatch.setenv("STORYLINE_TEST_KILL_ON", word)
        monkeypatch.setenv("STORYLINE_TEST_KILL_URL", url)
        done = _installed(*command, "--db", url, path=[tmp_path / "site"])
    assert done.returncode == EXIT_FATAL, done.stderr
    assert done.stderr.startswith(
        "error: [S002] the connection to the PostgreSQL server was lost"
    ), done.stderr
    assert "S199" not in done.stderr
    assert "Traceback" not in done.stderr


# -- publication dates that name no day --------------------------------------------------------


def _published(tmp_path: Path, values: dict[str, str]) -> dict[str, tuple[str, str, dict]]:
    """Ingest one row per value through the real script; return id: (published, precision, meta)."""
    rows = [
        {"id": key, "text": f"{BRIDGE} {FERRY} Row {key}.", "published": value}
        for key, value in values.items()
    ]
    db = str(tmp_path / "dates.db")
    done = _installed("ingest", str(_write_rows(tmp_path / "dates.jsonl", rows)), "--db", db)
    assert done.returncode == 0, done.stderr
    return {
        a["id"]: (a["published"], a["published_precision"], a["meta"])
        for a in _exported(db, "articles")
    }


def test_hostile_inputs_an_iso_week_is_stored_as_the_period_it_names(tmp_path: Path):
    # "2015-W43" was the day 2015-10-19 (its Monday), precision "day": a day never given
    found = _published(
        tmp_path,
        {
            "in one month": "2015-W43",  # 19-25 October 2015
            "compact with a time": "2015W43T10:00",
            "across two months": "2015-W44",  # 26 October - 1 November 2015
            "across New Year": "2015-W01",  # 29 December 2014 - 4 January 2015
            "with its weekday": "2015-W43-3",
            "ordinal": "2015-292",  # was refused (S111): day 292 of 2015
        },
    )
    assert {key: value[:2] for key, value in found.items()} == {
        "in one month": ("2015-10-01", "month"),
        "compact with a time": ("2015-10-01", "month"),
        "across two months": ("2015-01-01", "year"),
        "across New Year": ("2015-01-01", "year"),
        "with its weekday": ("2015-10-21", "day"),
        "ordinal": ("2015-10-19", "day"),
    }


def test_hostile_inputs_a_day_month_order_nobody_stated_keeps_only_the_year(tmp_path: Path):
    # "03/04/2015" was 4 March 2015 (dateutil's month first), day precision, without a word
    found = _published(
        tmp_path,
        {
            "either order": "03/04/2015",
            "dotted with a time": "03.04.2015 10:00",
            "day first": "13/04/2015",
            "month first": "04/13/2015",
            "the same both ways": "04/04/2015",
        },
    )
    assert {key: value[:2] for key, value in found.items()} == {
        "either order": ("2015-01-01", "year"),
        "dotted with a time": ("2015-01-01", "year"),
        "day first": ("2015-04-13", "day"),
        "month first": ("2015-04-13", "day"),
        "the same both ways": ("2015-04-04", "day"),
    }
    assert "day/month or month/day is not stated" in found["either order"][2]["published_note"]
    assert "'03.04.2015 10:00'" in found["dotted with a time"][2]["published_note"]
    assert all("published_note" not in found[key][2] for key in ("day first", "month first"))


# -- invisible characters inside names ---------------------------------------------------------

# one speaker in five outlets, her name spelled with an invisible character in four of them
_SPELLINGS = (
    "Ilse Varga",
    "Ilse Var\xadga",
    "Ilse\u200b Varga",
    "Ilse Var\u2060ga",
    "Ilse Varga\ufeff",
)
_LEADS = (
    (
        "The Dunmore council voted on Tuesday to close the old Kessel bridge after engineers found"
        " cracks in its main span."
    ),
    (
        "Dunmore's old Kessel bridge will close after inspectors reported deep cracks, the town"
        " council decided on Tuesday."
    ),
    (
        "Cracks in the main span have forced Dunmore to shut the Kessel bridge, councillors agreed"
        " in a vote on Tuesday."
    ),
    (
        "The Kessel bridge in Dunmore is closed from this week after a council vote prompted by"
        " cracks found by engineers."
    ),
    (
        "Councillors in Dunmore shut the century-old Kessel bridge on Tuesday, citing cracks that"
        " engineers found last month."
    ),
)
_TAILS = (
    FERRY,
    "A ferry will carry commuters across the river twice daily until the work is done.",
    "Drivers face a detour of twenty kilometres through Oldham until the span reopens.",
    "Local shops fear a drop in trade while the crossing stays shut for the repairs.",
    "The council has set aside four million euros for the repair work this year.",
)
_OUTLETS = ("Harbour Post", "Valley Ledger", "Coast Courier", "Hill Times", "River Gazette")


def test_hostile_inputs_invisible_characters_do_not_split_a_speaker(tmp_path: Path):
    # "Ilse Var\xadga" was a second person beside "Ilse Varga", and each spelling had its own
    # quote groups: one statement in five outlets shown as four statements
    rows = [
        {
            "id": f"a{i}",
            "title": f"Kessel bridge closes ({outlet})",
            "source": outlet,
            "published": f"2026-03-0{i + 2}",
            "text": f'{lead}\n\n"The bridge is not safe for anyone to cross," said {name},'
            f" the council's chief engineer.\n\n{name} said repairs to the Kessel bridge would"
            f" take at least six months. {tail}",
        }
        for i, (name, outlet, lead, tail) in enumerate(
            zip(_SPELLINGS, _OUTLETS, _LEADS, _TAILS, strict=True)
        )
    ]
    db = str(tmp_path / "names.db")
    done = _installed("run", str(_write_rows(tmp_path / "names.jsonl", rows)), "--db", db)
    assert done.returncode == 0, done.stderr
    # (the NER also tags "Ilse Varga" as an ORG in two articles: its own error, kept apart)
    people = [e for e in _exported(db, "entities") if e["type"] == "PERSON" and "Var" in e["name"]]
    assert [p["name"] for p in people] == ["Ilse Varga"]
    # the NER reads the soft-hyphened and zero-width-spaced names; the word joiner hides it
    assert {"a0", "a1", "a2", "a4"} <= set(people[0]["article_ids"])
    groups = _exported(db, "quote_groups")
    assert {(g["speaker"], g["representative_kind"], g["outlets"]) for g in groups} == {
        ("Ilse Varga", "direct", 5),
        ("Ilse Varga", "indirect", 5),
    }
    # the article text is the input's, invisible characters and all (extraction offsets)
    texts = {a["id"]: a["text"] for a in _exported(db, "articles")}
    assert "Var\xadga" in texts["a1"]
    assert "Ilse\u200b Varga" in texts["a2"]
