"""The store, on both backends: SQLite, and PostgreSQL when STORYLINE_TEST_PG names a server."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.clean import clean_article
from storyline.errors import StoreError
from storyline.models import (
    RawArticle,
    Rejected,
    Story,
    TimeExpr,
    TimelineEntry,
    content_hash,
)
from storyline.store import Store
from storyline.store.dialect import translate_ddl
from storyline.store.migrations import MIGRATIONS
from tests.conftest import BACKENDS, open_store, postgres_schema

# PostgreSQL text cannot hold NUL (the PostgreSQL store writes U+FFFD instead: see below)
_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=300,
)


def _raw(title: str, text: str, **kw) -> RawArticle:
    return RawArticle(
        id=kw.pop("id", content_hash(title, text)),
        title=title,
        text=text,
        locator="mem.txt",
        format="txt",
        **kw,
    )


def _wipe(store: Store) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM articles")
        conn.execute("DELETE FROM rejected")


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_round_trip(backend):
    with open_store(backend) as store:

        @settings(max_examples=40, deadline=None)
        @given(
            title=_text,
            text=_text,
            source=st.none() | _text,
            meta=st.dictionaries(
                st.text(max_size=10).filter(lambda k: k != "clean_kept"), st.integers()
            ),
        )
        def check(title, text, source, meta):
            _wipe(store)
            raw = _raw(
                title,
                text,
                source=source,
                meta=meta,
                published="2026-03-10",
                published_source="metadata",
            )
            clean = clean_article(raw)
            assert store.save_batch([(raw, clean)], []) == ["stored"]
            back = store.article(raw.id)
            assert back == clean
            # the input's meta, plus what cleaning recorded (lines it kept whole: clean_kept)
            assert {k: v for k, v in back.meta.items() if k != "clean_kept"} == meta
            assert back.meta == clean.meta
            assert store.raw_text(raw.id) == text

        check()


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_reingest_is_idempotent(backend):
    with open_store(backend) as store:

        @settings(max_examples=25, deadline=None)
        @given(texts=st.lists(_text, min_size=1, max_size=5))
        def check(texts):
            _wipe(store)
            raws = [_raw(f"t{i}", t) for i, t in enumerate(texts)]
            batch = [(r, clean_article(r)) for r in raws]
            store.save_batch(batch, [])
            before = list(store.rows("articles", order="id"))
            second = store.save_batch(batch, [])
            assert set(second) == {"unchanged"}
            assert list(store.rows("articles", order="id")) == before

        check()


def test_store_same_id_new_content_is_updated(db_store):
    first = _raw("T", "Old body.", id="a1")
    second = _raw("T", "New body.", id="a1")
    db_store.save_batch([(first, clean_article(first))], [])
    assert db_store.save_batch([(second, clean_article(second))], []) == ["updated"]
    assert db_store.article("a1").text == "New body."
    assert db_store.count("articles") == 1


def test_store_rejected_rows_are_upserted_and_cleared_when_input_reads(db_store):
    db_store.save_batch([], [Rejected("x.jsonl:2", "S102", "malformed JSONL")])
    db_store.save_batch([], [Rejected("x.jsonl:2", "S102", "malformed JSONL")])
    assert db_store.rejected() == [Rejected("x.jsonl:2", "S102", "malformed JSONL")]
    raw = RawArticle(id="a", title="T", text="Body.", locator="x.jsonl:2", format="jsonl")
    db_store.save_batch([(raw, clean_article(raw))], [])
    assert db_store.rejected() == []


def test_store_internal_error_replaces_the_rejected_row(db_store):
    db_store.save_batch([], [Rejected("x.txt", "S102", "malformed")])
    db_store.record_internal_error("x.txt", ValueError("boom"))
    (row,) = db_store.rows("rejected")
    assert (row["code"], row["reason"]) == ("S199", "ValueError: boom")
    assert "ValueError: boom" in row["detail"]


def test_store_failed_batch_leaves_nothing_half_written(db_store):
    good = _raw("T", "Body.")
    db_store.save_batch([(good, clean_article(good))], [])
    broken = _raw("U", "Other body.")
    try:
        with db_store.transaction() as conn:
            conn.execute("DELETE FROM articles")
            raise RuntimeError("crash mid-batch")
    except RuntimeError:
        pass
    assert db_store.count("articles") == 1
    assert broken.id != good.id


def test_store_stage_marks_and_records(db_store):
    raw = _raw("T", "On Tuesday the bridge closed.")
    db_store.save_batch([(raw, clean_article(raw))], [])
    assert [a.id for a in db_store.pending("dates")] == [raw.id]
    timex = TimeExpr(raw.id, 3, 10, "Tuesday", "DATE", "2026-03-10", "2026-03-11")
    db_store.save_stage("dates", [raw.id], timexes=[timex])
    db_store.save_stage("dates", [raw.id], timexes=[timex, timex])  # a rerun, a repeat
    assert db_store.pending("dates") == []
    assert [r["value"] for r in db_store.rows("timexes")] == ["2026-03-10"]
    assert [r["stage"] for r in db_store.rows("article_stages")] == ["dates"]


def test_store_state_is_bytes_and_upserted(db_store):
    assert db_store.get_state("index") is None
    db_store.set_state("index", b"\x00\xff first")
    db_store.set_state("index", b"\x00\xff second")
    assert db_store.get_state("index") == b"\x00\xff second"


def test_store_order_puts_nulls_first_and_compares_bytes(db_store):
    # SQLite sorts NULL first and text by code point; PostgreSQL must give the same order.
    names = ["zeta", "Zeta", "éclair", "eclair", "Ωmega", "a b", "a-b", "ab", ""]
    stories = [
        Story(f"s{i}", name, "event", (), first_date=None if i % 3 == 0 else f"2026-03-{i:02d}")
        for i, name in enumerate(names)
    ]
    db_store.replace_stories(stories, {})
    by_label = [r["label"] for r in db_store.rows("stories", order="label")]
    assert by_label == sorted(names)
    by_date = [r["id"] for r in db_store.rows("stories", order="first_date, id")]
    assert by_date == ["s0", "s3", "s6", "s1", "s2", "s4", "s5", "s7", "s8"]
    by_date_desc = [r["id"] for r in db_store.rows("stories", order="first_date DESC, id")]
    assert by_date_desc[:6] == ["s8", "s7", "s5", "s4", "s2", "s1"]
    assert by_date_desc[6:] == ["s0", "s3", "s6"]


def test_store_stories_come_back_as_records_by_level_and_order(db_store):
    # callers outside the store read Story records and the copy links, never table rows
    raws = [_raw(f"Title {n}", f"Body {n}.", id=n) for n in ("a1", "a2", "a3")]
    db_store.save_batch([(r, clean_article(r)) for r in raws], [])
    stories = [
        Story("s2", "dam", "storyline", ("a1", "a2"), first_date="2026-03-01", title="Dam"),
        Story("e1", "dam opens", "event", ("a2",), parent="s2", first_date="2026-03-02"),
        Story("s1", "vote", "storyline", ("a3",), first_date="2026-03-05", title="Vote"),
    ]
    db_store.replace_stories(stories, {"a2": "a1"})
    assert [s.id for s in db_store.stories(order="id")] == ["e1", "s1", "s2"]
    by_date = db_store.stories(level="storyline", order="first_date, id")
    assert [(s.id, s.article_ids, s.title) for s in by_date] == [
        ("s2", ("a1", "a2"), "Dam"),
        ("s1", ("a3",), "Vote"),
    ]
    assert [s.id for s in db_store.stories()] == ["s2", "s1", "e1"]  # the export's order
    (event,) = db_store.stories(level="event")
    assert (event.parent, event.level) == ("s2", "event")
    assert db_store.duplicates() == {"a2": "a1"}
    entries = [
        TimelineEntry("s2", "2026-03-01", ("Dam breaks.",), ("a1",)),
        TimelineEntry("s1", "2026-03-05", ("Vote held.",), ("a3",), place="Marenholt"),
        TimelineEntry("s2", "2026-03-02", ("Dam opens.",), ("a2",), actors=("Ana",)),
    ]
    db_store.replace_timelines(entries)
    assert db_store.timeline() == [entries[1], entries[0], entries[2]]  # by story, then rank
    assert db_store.timeline("s2") == [entries[0], entries[2]]
    with pytest.raises(StoreError, match="no story order"):
        db_store.stories(order="label; DROP TABLE stories")


def test_store_floats_round_trip_exactly(db_store):
    raw = _raw("T", "Body.")
    db_store.save_batch([(raw, clean_article(raw))], [])
    for value in (0.1 + 0.2, 1e-300, 2.0**-1074, 1.7976931348623157e308, -0.5, 1 / 3, 0.0):
        db_store.set_quality([(raw.id, value, ["short"])])
        (row,) = db_store.rows("articles")
        assert row["quality"] == value
        assert math.copysign(1.0, row["quality"]) == math.copysign(1.0, value)
        assert json.dumps(row["quality"]) == json.dumps(value)
        assert row["quality_flags"] == ["short"]


def test_store_migrates_an_old_sqlite_database(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.schema_version() == len(MIGRATIONS)
        assert store.count("quotes") == 0


def test_store_migrates_an_old_postgres_schema():
    import psycopg  # noqa: PLC0415

    with postgres_schema() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(translate_ddl(MIGRATIONS[0], lambda _table: ()).encode())
            conn.execute("CREATE TABLE schema_version (version BIGINT NOT NULL)")
            conn.execute("INSERT INTO schema_version VALUES (1)")
            conn.execute(
                "INSERT INTO articles (id, content_hash, title, text, raw_text, format, "
                "locator, seq) VALUES ('a', 'h', 'T', 'Body.', 'Body.', 'txt', 'a.txt', 1)"
            )
        with Store(url) as store:
            assert store.schema_version() == len(MIGRATIONS)
            assert store.count("quotes") == 0
            assert [a.id for a in store.articles()] == ["a"]
            assert store.conn.execute("SELECT speaker_local FROM quotes").fetchall() == []
        with Store(url) as again:  # opening an up-to-date schema changes nothing
            assert again.schema_version() == len(MIGRATIONS)


def _open_after_barrier(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        with Store(path) as store:
            results.put(("ok", store.schema_version(), store.count("articles")))
    except Exception as exc:  # noqa: BLE001 - the parent asserts on what came back
        results.put(("error", getattr(exc, "code", type(exc).__name__), str(exc)))


@pytest.mark.parametrize("processes", [2, 3])
def test_store_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path, processes):
    """Issue #16 row 9: 8 of 10 trials failed with "[S002] table articles already exists"."""
    import multiprocessing  # noqa: PLC0415

    context = multiprocessing.get_context("fork")
    for trial in range(6):
        path = str(tmp_path / f"new-{trial}.db")
        barrier = context.Barrier(processes)
        results = context.Queue()
        workers = [
            context.Process(target=_open_after_barrier, args=(path, barrier, results))
            for _ in range(processes)
        ]
        for worker in workers:
            worker.start()
        got = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(60)
        assert got == [("ok", len(MIGRATIONS), 0)] * processes, (trial, got)
        assert [w.exitcode for w in workers] == [0] * processes
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()


def test_store_migration_statements_keep_trigger_bodies_whole():
    from storyline.store.migrations import FTS_MIGRATION, _statements  # noqa: PLC0415

    statements = _statements(FTS_MIGRATION)
    assert [s.split("(", 1)[0].split()[:3] for s in statements] == [
        ["CREATE", "VIRTUAL", "TABLE"],
        ["INSERT", "INTO", "articles_fts"],
        ["CREATE", "TRIGGER", "articles_fts_insert"],
        ["CREATE", "TRIGGER", "articles_fts_delete"],
        ["CREATE", "TRIGGER", "articles_fts_update"],
    ]
    assert statements[-1].endswith("END;")
