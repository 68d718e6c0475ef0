"""Publication dates are never invented (issue #21): a day the text states, or a month or year."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sqlite3
import warnings

import pytest
from dateutil import parser as dateutil_parser
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import storyline
from storyline.clean import clean_article
from storyline.dates_stage import date_article
from storyline.export import export_rows
from storyline.extract.timex.find import PublishedGuess, find_timexes, infer_publication
from storyline.ingest.html import read_html
from storyline.ingest.published import read_published
from storyline.ingest.rows import row_to_article
from storyline.models import COARSE_METADATA_CONFIDENCE, RawArticle, published_period
from storyline.store import Store
from storyline.store.migrations import MIGRATIONS
from storyline.web import create_app

from .conftest import make_article

published_module = importlib.import_module("storyline.ingest.published")

TODAY = dt.date(2026, 12, 1)


def test_published_weekday_only_text_gives_no_day() -> None:
    text = "The council voted on Tuesday to close the harbour. On Friday the mayor resigned."
    assert infer_publication(text, today=TODAY) == PublishedGuess()


def test_published_later_weekday_keeps_only_the_month() -> None:
    # Written on 10 March (the stated day) or on the Thursday after it: the day is unknown, the
    # month is not. Before the fix the answer was 12 March, a day the text never states.
    text = (
        "The president toured the town on Thursday. The dam gave way before dawn on "
        "Tuesday, 10 March 2026, and 12 people died."
    )
    guess = infer_publication(text, today=TODAY)
    assert (guess.iso, guess.precision) == ("2026-03", "month")


def test_published_later_weekday_across_a_month_keeps_only_the_year() -> None:
    text = "Rescuers arrived on Thursday. The dam gave way on Monday, 30 March 2026."
    guess = infer_publication(text, today=TODAY)
    assert (guess.iso, guess.precision) == ("2026", "year")


def test_published_historical_date_is_not_the_day_of_writing() -> None:
    # The only full date is what the article looks back to; the text names a later year.
    text = (
        "The destroyer sank off the cape on June 11, 1943, with 140 men aboard. Divers from "
        "the navy found the wreck in 2020 and raised its bell last week."
    )
    assert infer_publication(text, today=TODAY).day is None
    # Older than the corpus's other articles: no guess either.
    text = "The destroyer sank off the cape on June 11, 1943, with 140 men aboard."
    assert infer_publication(text, today=TODAY, earliest=dt.date(2019, 1, 1)).day is None


def test_published_calendar_fitted_year_is_no_answer() -> None:
    # 22 and 23 October fall on Thursday and Friday in 2015 only (since 2013): still a year the
    # text never states.
    text = (
        "Talks opened on 22 October and closed on 23 October. On Thursday he spoke; on Friday "
        "he left. Since 2013 it has been so."
    )
    assert infer_publication(text, today=dt.date(2019, 1, 1)) == PublishedGuess()


def test_published_weekday_date_takes_the_one_year_of_the_corpus_window() -> None:
    # "Tuesday, 10 March" has no year; the corpus's other articles (2025-2027) leave one year
    # with 10 March on a Tuesday. Over decades the same date fits several years: no answer.
    text = "The dam gave way early on Tuesday, 10 March, and the town flooded."
    window = {"earliest": dt.date(2025, 3, 1), "today": dt.date(2027, 3, 1)}
    guess = infer_publication(text, **window)  # type: ignore[arg-type]
    assert (guess.iso, guess.precision) == ("2026-03-10", "day")
    assert infer_publication(text, earliest=dt.date(1995, 1, 1), today=TODAY).day is None
    assert infer_publication("The dam gave way on 10 March.", **window).day is None  # type: ignore[arg-type]


def test_published_stamp_is_the_only_top_band_answer() -> None:
    stamped = "Page last updated at 08:14 GMT, Tuesday, 8 November 2011 The verdict came today."
    assert infer_publication(stamped, today=TODAY).confidence >= 0.8
    # A reported day, however well corroborated, is a lower bound for the day of writing.
    text = "The vote took place on Thursday, 22 October 2015; counting ended on 21 October 2015."
    guess = infer_publication(text, today=TODAY)
    assert guess.day == dt.date(2015, 10, 22)
    assert guess.confidence < 0.8


def test_published_list_of_dated_posts_is_no_page_stamp() -> None:
    text = (
        "All posts on Health Files by Jo Smith More on vaccines - 16:10 UK time, Wednesday, "
        "8 July 2009 Policy shift expected - 08:55 UK time, Thursday, 2 July 2009 First case - "
        "23:39 UK time, Sunday, 14 June 2009 I am the medical correspondent."
    )
    guess = infer_publication(text, today=TODAY)
    assert guess.confidence < 0.8


def test_published_reader_comment_does_not_date_the_page() -> None:
    text = "At 4:16 pm on 18 Jan 2010, Jo wrote: The aid is slow to arrive in the port."
    assert infer_publication(text, today=TODAY).confidence < 0.8


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015", "2015"),
        ("March 2015", "2015-03"),
        ("2015-03", "2015-03"),
        ("2015-03-10", "2015-03-10"),
        ("10 March 2015", "2015-03-10"),
    ],
)
def test_published_metadata_keeps_only_what_it_states(value: str, expected: str) -> None:
    assert read_published(value).value == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ISO 8601 end of day: the day it names, not the next one
        ("2015-10-01T24:00:00", "2015-10-01"),
        ("2015-10-01T24:00", "2015-10-01"),
        ("2015-10-01 24:00:00Z", "2015-10-01"),
        ("2015-10-01T24:00:00+02:00", "2015-10-01"),
        # a zone name dateutil does not know: the local day, without a warning
        ("2015-10-01 12:00:00 EST", "2015-10-01"),
        ("2015-10-01 23:30 XYZT", "2015-10-01"),
    ],
)
def test_published_end_of_day_and_unknown_zones_are_dates(value: str, expected: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning today is an exception in a later dateutil
        assert read_published(value).value == expected


@pytest.mark.parametrize(
    "value", ["2015-10-01garbage", "2015-10-01T99:99", "2015-10-01T24:01", "2015-10-01T24:00:01"]
)
def test_published_values_that_are_no_date_stay_rejected(value: str) -> None:
    with pytest.raises(ValueError):
        read_published(value)


def test_published_year_only_row_is_stored_as_a_year() -> None:
    raw = row_to_article(
        {"text": "The harbour reopened.", "published": "2015"}, "a.jsonl:1", "jsonl"
    )
    clean = clean_article(raw)
    assert (clean.published, clean.published_precision) == ("2015-01-01", "year")
    assert clean.published_source == "metadata"
    assert clean.published_confidence == COARSE_METADATA_CONFIDENCE < 1.0
    day = clean_article(row_to_article({"text": "x y", "published": "2015-03-10"}, "b", "jsonl"))
    assert (day.published_precision, day.published_confidence) == ("day", 1.0)


def test_published_copyright_year_of_a_page_is_a_year() -> None:
    body = " ".join(["The council met to discuss the harbour plan and what it costs."] * 5)
    page = (
        f"<html><head><title>Harbour</title></head><body><article><p>{body}</p></article>"
        "<footer>Copyright © 2015 Harbour News</footer></body></html>"
    )
    assert read_html(page.encode(), "p.html").published == "2015"
    dated = page.replace(
        "<head>", '<head><meta property="article:published_time" content="2015-03-01">'
    )
    assert read_html(dated.encode(), "q.html").published == "2015-03-01"  # a real first of March


def test_published_period_helper() -> None:
    assert published_period("2015") == ("2015-01-01", "year")
    assert published_period("2015-03") == ("2015-03-01", "month")
    assert published_period(None) == (None, "day")


def test_published_coarse_anchor_resolves_no_day() -> None:
    text = "On Tuesday the council voted. Last year it refused. Yesterday it rained."
    values = {
        t.text: t.value for t in find_timexes(text, anchor=dt.date(2015, 3, 1), precision="month")
    }
    assert values["Tuesday"] == "XXXX-WXX-2"
    assert values["Last year"] == "2014"
    assert not values["Yesterday"][:4].isdigit()
    # A day anchor still resolves them.
    day = {t.text: t.value for t in find_timexes(text, anchor=dt.date(2015, 3, 4))}
    assert day["Tuesday"] == "2015-03-03"


def test_published_month_precision_dates_no_lead_on_an_invented_day() -> None:
    text = "The harbour closed after the storm. On Tuesday the council voted to rebuild it."
    article = make_article("m1", "Harbour", text, "2015-03-01", published_precision="month")
    dated = date_article(article)
    assert dated.published_precision == "month"
    assert dated.leads == ()
    assert all(not e.date.startswith("2015-03-") or len(e.date) == 7 for e in dated.events)
    assert {t.text: t.value for t in dated.timexes}["Tuesday"] == "XXXX-WXX-2"


def test_published_inferred_month_is_stored_with_its_precision() -> None:
    text = (
        "The president toured the town on Thursday. The dam gave way before dawn on "
        "Tuesday, 10 March 2026, and 12 people died."
    )
    article = make_article("d1", "Dam", text)
    dated = date_article(article)
    assert (dated.published, dated.published_source, dated.published_precision) == (
        "2026-03-01",
        "inferred",
        "month",
    )
    assert dated.leads == ()


def _stored(store: Store) -> None:
    raw = RawArticle(id="y1", title="Harbour", text="The harbour reopened.", locator="y1",
                     format="jsonl", published="2015", published_source="metadata")  # fmt: skip
    store.save_batch([(raw, clean_article(raw))], [])
    raw2 = RawArticle(id="u1", title="Quay", text="The quay reopened.", locator="u1", format="txt")
    store.save_batch([(raw2, clean_article(raw2))], [])


def test_published_precision_round_trips_and_exports_additively() -> None:
    with Store.memory() as store:
        _stored(store)
        article = store.article("y1")
        assert article is not None
        assert (article.published, article.published_precision) == ("2015-01-01", "year")
        rows = {r["id"]: r for r in export_rows(store, "articles")}
        assert rows["y1"]["published"] == "2015-01-01"  # the column keeps its ISO day form
        assert rows["y1"]["published_precision"] == "year"
        assert rows["u1"]["published_precision"] is None  # undated
        assert store.known_dates() == []  # a year is no day for the corpus window
        store.set_published([("u1", "2026-03-01", "inferred", 0.3, "month")])
        assert store.article("u1").published_precision == "month"  # type: ignore[union-attr]


def test_published_precision_is_shown_in_the_rest_api() -> None:
    with Store.memory() as store:
        _stored(store)
        client = TestClient(create_app(store))
        article = client.get("/api/articles/y1").json()["article"]
        assert (article["published"], article["published_precision"]) == ("2015-01-01", "year")


def test_published_web_page_shows_only_the_known_part() -> None:
    with Store.memory() as store:
        _stored(store)
        page = TestClient(create_app(store)).get("/articles/y1").text
        assert '<time datetime="2015">2015</time>' in page
        assert "2015-01-01" not in page


def test_published_migration_marks_stored_dates_as_days(tmp_path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript("".join(MIGRATIONS[:10]) + "\nPRAGMA user_version = 10;")
    conn.execute(
        "INSERT INTO articles (id, content_hash, title, text, raw_text, locator, format, "
        "published, published_source, meta, seq) "
        "VALUES ('a', 'h', 't', 'x', 'x', 'a', 'txt', '2015-03-10', 'metadata', '{}', 1)"
    )
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.article("a").published_precision == "day"  # type: ignore[union-attr]
        assert store.known_dates() == ["2015-03-10"]


def test_published_python_api_shows_precision(tmp_path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"id": "r1", "text": "The harbour reopened.", "published": "March 2015"}) + "\n"
    )
    with storyline.open(tmp_path / "s.db") as ws:
        ws.ingest([rows])
        (article,) = ws.articles()
    assert (article.published, article.published_precision) == ("2015-03-01", "month")


@settings(max_examples=400, deadline=None)
@given(
    weekday=st.sampled_from(["", "Tue, ", "mon ", "Sunday, ", "Xyz, ", "TUES, "]),
    day=st.integers(0, 32),
    month=st.sampled_from(["Jan", "feb", "MAR", "Sept", "June", "Juni", "Mrz", "Dec"]),
    year=st.sampled_from(["0999", "1000", "1900", "2000", "2015", "2016", "9999", "15"]),
    clock=st.tuples(st.integers(0, 25), st.integers(0, 60), st.integers(-1, 61)),
    zone=st.sampled_from(
        # dateutil takes a zone name in its own case only ("gmt" is no zone to it)
        [
            "",
            " GMT",
            " +0000",
            " -0500",
            "+05:30",
            " +2500",
            " EST",
            "Z",
            " UT",
            " gmt",
            " Gmt",
            " utc",
            " UTC",
            " z",
            " est",
        ]
    ),
)
def test_published_rfc822_without_dateutil_reads_what_dateutil_reads(
    weekday, day, month, year, clock, zone
):
    # feeds' dates are read without dateutil (half a 50,000-item feed's time): same result
    hour, minute, second = clock
    seconds = f":{second:02d}" if second >= 0 else ""
    value = f"{weekday}{day:02d} {month} {year} {hour:02d}:{minute:02d}{seconds}{zone}"
    fast = published_module._rfc822_day(value)
    if fast is None:  # left to dateutil (not assume(): most values are, by design)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown zone name: dateutil warns, then ignores it
        parsed = dateutil_parser.parse(value, default=dt.datetime(1, 1, 1), ignoretz=True)  # noqa: DTZ001
    assert fast == parsed.date().isoformat()


def test_published_rfc822_keeps_the_writers_day():
    # 23:30 at -05:00 is the next day in UTC: the writer's own day is the date
    assert read_published("Tue, 10 Mar 2015 23:30:00 -0500").value == "2015-03-10"
    assert read_published("10 Mar 2015 23:30 GMT").value == "2015-03-10"
    with pytest.raises(ValueError, match="offset"):  # out of range: refused, as before
        read_published("Tue, 10 Mar 2015 23:30:00 +2500")


def test_published_rfc822_zone_names_as_dateutil_takes_them():
    # dateutil knows "GMT", "UTC", "Z", "z" (and any all-capital name) but refuses "gmt":
    # the fast path took lower-case names, so a date read one way on a feed was refused
    # on every other path
    assert published_module._rfc822_day("10 Mar 2015 23:30:00 UTC") == "2015-03-10"
    assert published_module._rfc822_day("Tue, 10 Mar 2015 23:30:00 z") == "2015-03-10"
    for value in ("10 Mar 2015 23:30:00 gmt", "Tue, 10 Mar 2015 23:30:00 Utc"):
        assert published_module._rfc822_day(value) is None
        with pytest.raises(ValueError):
            read_published(value)
