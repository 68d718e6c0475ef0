"""An undated article is dated again when later articles move the corpus's window (#17 item 3).

The dates stage guesses a year for a date written with its weekday ("Monday, 13 January")
only when one year of the window around the corpus's metadata dates has that weekday on that
day. Articles ingested later can make a guess possible, or ambiguous: the store grown run by
run must then hold the dates and time expressions a run of every article from scratch holds.
"""

from __future__ import annotations

import json

import pytest

import storyline
from tests.conftest import BACKENDS, store_url

_DATED = (
    ("d1", "2012-03-01", "The mill in Orsa reopened after a long winter, its owners said."),
    ("d2", "2012-09-20", "Fishermen in Vik landed the largest catch of the decade this week."),
)
_LATER = (  # they widen the window to 2005-05 .. 2015-06
    ("d3", "2006-05-02", "A new school opened in Tarn with two hundred pupils enrolled."),
    ("d4", "2014-06-10", "The rail line to Bergen closed for repairs until the autumn."),
)
_UNDATED = (
    # 13 January is a Monday in 2014 alone of 2005-2015, in no year of 2011-2013
    ("ferry", "The ferry to Holm was cancelled on Monday, 13 January. It sails again next week."),
    # 9 January is a Monday in 2012 and in 2006: a guess in 2011-2013, none in 2005-2015
    ("pier", "The harbour council met on Monday, 9 January, to close the pier for a month."),
)


def _write(path, rows) -> list:
    lines = [
        json.dumps({"id": aid, "title": aid, "text": text, "source": "Ledger", **extra})
        for aid, text, extra in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]


def _dated(rows) -> list:
    return [(aid, text, {"published": day}) for aid, day, text in rows]


def _dates(store) -> dict[str, tuple]:
    """Each article's publication date and its time expressions (value and anchor)."""
    found = {}
    for article in store.articles():
        timexes = [(t.text, t.value, t.anchor) for t in store.timexes([article.id])]
        published = (article.published, article.published_source, article.published_precision)
        found[article.id] = (published, article.published_confidence, timexes)
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_window_a_moved_window_redates_guessed_dates_as_from_scratch(tmp_path, backend):
    first = _write(tmp_path / "first.jsonl", [*_dated(_DATED), *((a, t, {}) for a, t in _UNDATED)])
    later = _write(tmp_path / "later.jsonl", _dated(_LATER))
    for side in ("fresh", "grown"):
        (tmp_path / side).mkdir()
    with store_url(backend, tmp_path / "fresh") as url, storyline.open(url) as fresh:
        fresh.ingest(first + later)
        fresh.run(workers=1)
        expected = _dates(fresh.store)
    assert expected["ferry"][0] == ("2014-01-13", "inferred", "day")
    assert expected["pier"][0] == (None, "unknown", "day")
    # resolved against the guessed day
    assert {anchor for _t, _v, anchor in expected["ferry"][2]} == {"2014-01-13"}

    with store_url(backend, tmp_path / "grown") as url, storyline.open(url) as grown:
        grown.ingest(first)
        grown.run(workers=1)
        before = _dates(grown.store)
        assert before["ferry"][0] == (None, "unknown", "day")
        assert before["pier"][0] == ("2012-01-09", "inferred", "day")

        grown.ingest(later)
        moved = grown.run(workers=1)
        # the two undated ones (the dated ones keep their metadata dates), and the new two
        assert moved.counts("dates")["redone"] == 2
        assert moved.counts("dates")["dated"] == 4
        assert _dates(grown.store) == expected

        again = grown.run(workers=1)
        assert "redone" not in again.counts("dates")
        assert again.counts("dates")["dated"] == 0
        assert _dates(grown.store) == expected


def test_window_unchanged_redates_nothing(tmp_path):
    first = _write(tmp_path / "first.jsonl", [*_dated(_DATED), *((a, t, {}) for a, t in _UNDATED)])
    more = _write(tmp_path / "more.jsonl", _dated([("d5", "2012-05-05", "Rain fell in Orsa.")]))
    with storyline.open(tmp_path / "same.db") as workspace:
        workspace.ingest(first)
        workspace.run(workers=1)
        workspace.ingest(more)  # inside the window: no guess can change
        summary = workspace.run(workers=1)
        assert "redone" not in summary.counts("dates")
        assert summary.counts("dates")["dated"] == 1


def test_window_moved_leaves_an_article_stating_no_day_undated_and_not_redone(tmp_path):
    # the reviewer's case: one article dated a day later moves the window; an undated
    # article that states no day cannot be dated within any window, so it is not redone
    quiet = ("quiet", "The council said the pier will reopen soon, after repairs.", {})
    first = _write(tmp_path / "first.jsonl", [*_dated(_DATED), quiet, (*_UNDATED[0], {})])
    later = _write(tmp_path / "later.jsonl", _dated([("d6", "2012-09-21", "Snow fell.")]))
    with storyline.open(tmp_path / "feed.db") as workspace:
        workspace.ingest(first)
        workspace.run(workers=1)
        workspace.ingest(later)
        summary = workspace.run(workers=1)
        # the ferry states "Monday, 13 January": the window bounds its guess, so it is redone
        assert summary.counts("dates")["redone"] == 1
        assert summary.counts("dates")["dated"] == 2
        published = {a.id: (a.published, a.published_source) for a in workspace.store.articles()}
        assert published["quiet"] == (None, "unknown")


def test_window_saved_is_the_one_the_run_dated_with(tmp_path):
    from storyline.dates_stage import _WINDOW, dates_stage  # noqa: PLC0415

    first = _write(tmp_path / "first.jsonl", [*_dated(_DATED), *((a, t, {}) for a, t in _UNDATED)])
    later = _write(tmp_path / "later.jsonl", _dated(_LATER))
    with storyline.open(tmp_path / "watch.db") as workspace:
        workspace.ingest(first)
        workspace.run(workers=1)
        stage = dates_stage()
        used = stage.prepare(workspace.store)
        workspace.ingest(later)  # stored meanwhile (watch, web): the window moves
        stage.finish(workspace.store, {})
        assert workspace.store.get_state(_WINDOW) == used.dump()
        # so the next run sees the move and dates the two undated ones again
        assert workspace.run(workers=1).counts("dates")["redone"] == 2
