"""One read model: typed store reads on both backends, and no table reads outside the store.

The store hands callers records (``Story``, ``StoredClaim``, ``Conflict``, ``QuoteGroup``,
``TimelineEntry``); ``store.read.Reader`` gives the export's rows, to ``storyline export`` and
to the web alike. PostgreSQL runs when STORYLINE_TEST_PG names a server (``db_store``).
"""

from __future__ import annotations

import ast
from pathlib import Path

from storyline.clean import clean_article
from storyline.export import export_rows
from storyline.models import (
    Briefing,
    Claim,
    Conflict,
    QuoteGroup,
    QuoteVariant,
    RawArticle,
    Story,
    TimelineEntry,
    content_hash,
)
from storyline.store.read import Reader
from storyline.store.records import StoredClaim

PACKAGE = Path(__file__).resolve().parents[1] / "storyline"

# Modules outside ``storyline/store`` that run SQL of their own, and why each may.
SQL_OUTSIDE_STORE = {
    # opens and ends the read snapshot a web request reads through (BEGIN / ROLLBACK)
    "web/pool.py",
    # SQLite's FTS5 index of a store written before migration 15: a TEMP table of the
    # connection (PostgreSQL searches through ``Reader.search``)
    "web/search.py",
    # PRAGMA data_version: has the file changed since the cached entity index was built
    "web/app.py",
}


def _calls(tree: ast.AST, name: str) -> list[int]:
    """Return the lines that call a method ``name`` (``x.name(...)``)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
    ]


def test_read_model_no_module_outside_the_store_reads_table_rows():
    # ``Store.rows(table)`` hands out a table's dicts: only the store itself may use it, and
    # only the modules listed above run SQL beside the read model
    rows, sql = {}, {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith("store/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if found := _calls(tree, "rows"):
            rows[name] = found
        if (found := _calls(tree, "execute") + _calls(tree, "executemany")) and (
            name not in SQL_OUTSIDE_STORE
        ):
            sql[name] = found
    assert rows == {}
    assert sql == {}


def _article(title: str, text: str, source: str) -> RawArticle:
    return RawArticle(
        id=content_hash(title, text),
        title=title,
        text=text,
        source=source,
        published="2026-03-10",
        locator=f"{source}.txt",
        format="txt",
    )


def _fill(store):
    """Store three articles of one storyline (the third flagged) and what the stages made."""
    a, b, c = (
        _article("Dam breaks", "The dam broke on Monday. Twelve people died.", "north"),
        _article("Dam collapse", "The dam collapsed Monday. Fifteen people died.", "south"),
        _article("Dam copy", "The dam broke on Monday, officials said.", "spam"),
    )
    store.save_batch([(r, clean_article(r)) for r in (a, b, c)], [])
    store.set_quality([(a.id, 0.9, ()), (b.id, 0.8, ()), (c.id, 0.1, ("spliced",))])
    story = Story("s1", "dam", "storyline", (a.id, b.id, c.id), first_date="2026-03-09")
    store.replace_stories([story], {})
    claims = [
        Claim("c1", "s1", "The dam broke on Monday.", (a.id, b.id), ("north", "south"), "corroborated", 2),
        Claim("c2", "s1", "The dam broke, officials said.", (c.id,), (c.id,), "single_source", 1, date="2026-03-09"),
        Claim("c3", "s1", "Twelve people died.", (a.id, b.id), ("north", "south"), "corroborated", 2),
    ]  # fmt: skip
    conflict = Conflict("k1", "s1", "number", "died", (("12", (a.id,)), ("15", (b.id,))), ("c3",))
    store.replace_briefings(claims, [conflict], [])
    variant = QuoteVariant("q1", a.id, "north", "It held", "direct", "2026-03-10", "representative")
    copied = QuoteVariant("q2", c.id, "spam", "It held", "direct", "2026-03-10", "verbatim", True)
    group = QuoteGroup("qg-1", "s1", "Mayor", "It held", "direct", (variant, copied), outlets=1)
    store.replace_quote_groups([group])
    entries = [
        TimelineEntry("s1", "2026-03-09", ("The dam broke.",), (a.id, b.id), ("Mayor",)),
        TimelineEntry("s1", "2026-03-10", ("A copy said so.",), (c.id,), place="Dam"),
    ]
    store.replace_timelines(entries)
    return (a.id, b.id, c.id), conflict, group, entries


def test_read_model_claims_and_conflicts_come_back_as_records(db_store):
    (a, b, c), conflict, _, _ = _fill(db_store)
    claims = db_store.claims()
    # best supported first; the claim whose own articles disagree is stored conflicting
    assert [x.id for x in claims] == ["c1", "c3", "c2"]
    assert claims[0] == StoredClaim(
        "c1", "s1", "The dam broke on Monday.", (a, b), ("north", "south"), "corroborated", 2,
        None, (),
    )  # fmt: skip
    assert (claims[1].kind, claims[1].conflicts) == ("conflicting", ("k1",))
    assert (claims[2].date, claims[2].article_ids) == ("2026-03-09", (c,))
    assert db_store.claims("s1") == claims
    assert db_store.claims("other") == []
    assert db_store.conflicts() == [conflict]
    assert db_store.conflicts("s1") == [conflict]


def test_read_model_quote_groups_and_timeline_come_back_as_written(db_store):
    _, _, group, entries = _fill(db_store)
    assert db_store.quote_groups() == [group]
    assert db_store.quote_groups("s1") == [group]
    assert db_store.quote_groups("other") == []
    assert db_store.timeline("s1") == entries


def test_read_model_export_and_web_read_the_same_rows(db_store):
    (a, b, c), _, _, _ = _fill(db_store)
    reader = db_store.reader()
    claims = list(export_rows(db_store, "claims"))
    assert claims == list(reader.claim_rows("s1"))
    # only the flagged copy supports c2: its row says so, as the export always marked it
    assert [(r["id"], r["flagged_only"]) for r in claims] == [
        ("c1", False),
        ("c3", False),
        ("c2", True),
    ]
    timeline = list(export_rows(db_store, "timeline"))
    assert [(r["date"], r["flagged_only"]) for r in timeline] == [
        ("2026-03-09", False),
        ("2026-03-10", True),
    ]
    story = reader.story("s1")
    assert reader.timeline(story) == timeline
    # the story page's claims are the export's, named as the page shows them
    shown = reader.claims(story)
    assert [(x["id"], x["supporting"], x["flagged_only"]) for x in shown] == [
        (r["id"], r["article_ids"], r["flagged_only"]) for r in claims
    ]
    assert next(x for x in shown if x["id"] == "c3")["conflicts"] == sorted([a, b])
    articles = list(export_rows(db_store, "articles"))
    assert articles == reader.article_rows([a, b, c])
    assert [r["story_ids"] for r in articles] == [["s1"]] * 3
    assert list(export_rows(db_store, "quote_groups")) == reader.quote_groups("s1")
    assert reader.speaker_quote_groups("Mayor") == reader.quote_groups()


def test_read_model_a_reader_of_the_stored_briefing_is_typed(db_store):
    (a, _, _), _, _, _ = _fill(db_store)
    doc = {
        "story_id": "s1",
        "sentences": [
            {
                "text": "The dam broke.",
                "citations": [a],
                "date": None,
                "corroboration": "single_source",
                "flagged_only": False,
            }
        ],
        "conflicts": [],
    }
    db_store.replace_briefings([], [], [doc])
    briefing = db_store.stored_briefing("s1")
    assert isinstance(briefing, Briefing)
    assert not hasattr(db_store, "briefing")  # the one way: a record, never the stored JSON
    assert [(s.text, s.citations) for s in briefing.sentences] == [("The dam broke.", (a,))]
    assert briefing.titles == ((a, "north", "Dam breaks"),)
    assert Reader(db_store.conn).briefing(db_store.reader().story("s1"))["sentences"][0][
        "sources"
    ] == [a]
