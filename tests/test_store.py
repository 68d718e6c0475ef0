from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.clean import clean_article
from storyline.models import RawArticle, Rejected, TimeExpr, content_hash
from storyline.store import Store
from storyline.store.migrations import MIGRATIONS

_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)


def _raw(title: str, text: str, **kw) -> RawArticle:
    return RawArticle(
        id=kw.pop("id", content_hash(title, text)),
        title=title,
        text=text,
        locator="mem.txt",
        format="txt",
        **kw,
    )


@settings(max_examples=40, deadline=None)
@given(
    title=_text,
    text=_text,
    source=st.none() | _text,
    meta=st.dictionaries(st.text(max_size=10), st.integers()),
)
def test_store_round_trip(title, text, source, meta):
    raw = _raw(
        title, text, source=source, meta=meta, published="2026-03-10", published_source="metadata"
    )
    clean = clean_article(raw)
    with Store.memory() as store:
        assert store.save_batch([(raw, clean)], []) == ["stored"]
        back = store.article(raw.id)
        assert back == clean
        assert back.meta == meta
        assert store.raw_text(raw.id) == text


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(_text, min_size=1, max_size=5))
def test_store_reingest_is_idempotent(texts):
    raws = [_raw(f"t{i}", t) for i, t in enumerate(texts)]
    batch = [(r, clean_article(r)) for r in raws]
    with Store.memory() as store:
        store.save_batch(batch, [])
        before = list(store.rows("articles", order="id"))
        second = store.save_batch(batch, [])
        assert set(second) == {"unchanged"}
        assert list(store.rows("articles", order="id")) == before


def test_store_same_id_new_content_is_updated(store):
    first = _raw("T", "Old body.", id="a1")
    second = _raw("T", "New body.", id="a1")
    store.save_batch([(first, clean_article(first))], [])
    assert store.save_batch([(second, clean_article(second))], []) == ["updated"]
    assert store.article("a1").text == "New body."
    assert store.count("articles") == 1


def test_store_rejected_rows_are_upserted_and_cleared_when_input_reads(store):
    store.save_batch([], [Rejected("x.jsonl:2", "S102", "malformed JSONL")])
    store.save_batch([], [Rejected("x.jsonl:2", "S102", "malformed JSONL")])
    assert store.rejected() == [Rejected("x.jsonl:2", "S102", "malformed JSONL")]
    raw = RawArticle(id="a", title="T", text="Body.", locator="x.jsonl:2", format="jsonl")
    store.save_batch([(raw, clean_article(raw))], [])
    assert store.rejected() == []


def test_store_failed_batch_leaves_nothing_half_written(store):
    good = _raw("T", "Body.")
    store.save_batch([(good, clean_article(good))], [])
    broken = _raw("U", "Other body.")
    try:
        with store.transaction() as conn:
            conn.execute("DELETE FROM articles")
            raise RuntimeError("crash mid-batch")
    except RuntimeError:
        pass
    assert store.count("articles") == 1
    assert broken.id != good.id


def test_store_stage_marks_and_records(store):
    raw = _raw("T", "On Tuesday the bridge closed.")
    store.save_batch([(raw, clean_article(raw))], [])
    assert [a.id for a in store.pending("dates")] == [raw.id]
    timex = TimeExpr(raw.id, 3, 10, "Tuesday", "DATE", "2026-03-10", "2026-03-11")
    store.save_stage("dates", [raw.id], timexes=[timex])
    assert store.pending("dates") == []
    assert [r["value"] for r in store.rows("timexes")] == ["2026-03-10"]


def test_store_migrates_an_old_database(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.count("quotes") == 0
