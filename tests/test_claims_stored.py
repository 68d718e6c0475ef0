"""Claims read what the dates and nlp stages stored: resolved days, attributed quotes."""

from __future__ import annotations

import dataclasses

from storyline.claims.align import _group_of, find_claims, groups_quoted
from storyline.claims.conflicts import find_conflicts
from storyline.claims.extracted import Extracted
from storyline.dates_stage import date_article
from storyline.models import Quote
from tests.conftest import make_article

TEXT = (
    "The harbour authority of Port Elsin said the fuel depot fire began on 5 March after a "
    "tanker struck the pier. Rescuers from Karsk arrived two days later with pumps and foam."
)


def _quote(aid, text, kind, start=0):
    return Quote(
        id=f"{aid}-q{start}",
        article_id=aid,
        speaker="Teodor Brun",
        speaker_text="Brun",
        cue="said",
        kind=kind,
        text=text,
        start=start,
        end=start + len(text),
    )


def test_claims_date_a_statement_with_the_stored_resolved_day():
    # only the month of publication is known: the text alone cannot give "5 March" a year,
    # the dates stage resolved it against the month (every day of March 2031 gives one value)
    article = dataclasses.replace(
        make_article("m", "t", TEXT, "2031-03-01", locator="test:m", source="Ledger"),
        published_precision="month",
    )
    stored = Extracted.of("m", date_article(article).timexes, ())
    assert (TEXT.index("5 March"), "2031-03-05") in stored.days
    [claim] = [
        c
        for c in find_claims([article], story_id="s", extracted={"m": stored})
        if "5 March" in c.text
    ]
    assert claim.date == "2031-03-05"
    [guessed] = [c for c in find_claims([article], story_id="s") if "5 March" in c.text]
    assert guessed.date is None  # the fallback (no store) has no day to resolve it against


def test_claims_keep_stored_quoted_words_not_indirect_speech():
    said = "we will not lift the blockade before the talks"
    found = Extracted.of(
        "a",
        (),
        [
            _quote("a", f"{said},", "direct", 40),
            _quote("a", "that the port would reopen soon enough", "indirect", 5),
            _quote("a", "too short", "direct", 90),
        ],
    )
    assert found.quotes == (said,)
    assert found.quotes_in(f'Brun said: "{said}," on Tuesday.') == [said]
    assert found.quotes_in("The port would reopen soon enough, he said.") == []


def test_claims_a_task_reads_only_the_quote_groups_its_quotes_can_be_read_as():
    groups = {
        "g1": ("we will not lift the blockade before the talks",),
        "g2": ("the harbour stays closed to every ship",),
        "g3": ("we will not lift the blockade",),  # held by g1's wording: both match it
    }
    quotes = ["We will not lift the blockade before the talks"]
    narrowed = groups_quoted(quotes, groups)
    assert set(narrowed) == {"g1", "g3"}
    for quote in [*quotes, "we will not lift the blockade", "stays closed to every ship"]:
        if _group_of(quote, narrowed) is not None or quote in quotes:
            assert _group_of(quote, narrowed) == _group_of(quote, groups)


def _dated(aid: str, text: str, published: str, source: str):
    return make_article(aid, "t", text, published, locator=f"test:{aid}", source=source)


def _date_conflicts(articles, stored):
    claims = find_claims(articles, story_id="s", extracted=stored)
    return [c for c in find_conflicts(claims, articles, extracted=stored) if c.kind == "date"]


def test_claims_date_conflicts_read_the_stored_days_of_each_statement():
    # "May 3rd" is no day-month pattern of the fallback: only the stored timex reads it
    three = _dated("r", "The siege of Orvel by the northern army began on May 3rd, officials said.", "2031-05-06", "X")  # fmt: skip
    four = _dated("s", "The northern army began its siege of Orvel on 5 May, officials said.", "2031-05-06", "Y")  # fmt: skip
    articles = [three, four]
    stored = {a.id: Extracted.of(a.id, date_article(a).timexes, ()) for a in articles}
    assert [day for _, day in stored["r"].written] == ["2031-05-03"]
    found = _date_conflicts(articles, stored)
    assert [dict(c.values) for c in found] == [{"3 May": ("r",), "5 May": ("s",)}]
    # the fallback (no store) reads day-month words only: one date, nothing to compare
    bare = find_claims(articles, story_id="s")
    assert [c for c in find_conflicts(bare, articles) if c.kind == "date"] == []
    # the same day written two ways: no conflict
    same = dataclasses.replace(four, text=four.text.replace("5 May", "3 May"))
    stored["s"] = Extracted.of("s", date_article(same).timexes, ())
    assert _date_conflicts([three, same], stored) == []


def test_claims_date_conflicts_leave_out_days_resolved_from_a_weekday():
    # "on Thursday" in two pages published 11 days apart: two days, and no disagreement
    # (examples/corpus: the Herald's "Thursday's print edition" and the Courier's report)
    text = "The ministry of water published the full inspection report on Thursday, it said."
    early, late = _dated("e", text, "2031-03-11", "X"), _dated("l", text, "2031-03-22", "Y")
    stored = {a.id: Extracted.of(a.id, date_article(a).timexes, ()) for a in (early, late)}
    assert {a: [d for _, d in e.days] for a, e in stored.items()} == {
        "e": ["2031-03-06"],
        "l": ["2031-03-20"],
    }
    assert all(e.written == () for e in stored.values())
    assert _date_conflicts([early, late], stored) == []
