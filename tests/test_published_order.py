"""A page's declared numeric order decides its day; a listing's date never overrides a better one.

Fictional pages and listings: htmldate reads "03/04/2015" day first, an en-US page means 4 March;
a sitemap's month must not replace the day a page's own markup states.
"""

from __future__ import annotations

import lxml.html
import pytest

from storyline.fetch.client import Fetched
from storyline.fetch.feeds import FeedEntry
from storyline.fetch.pages import to_article
from storyline.ingest.html_dates import page_published
from storyline.ingest.published import Published, date_order, read_published

NOTE = "published_note"
TEXT = (
    "The harbour master said the new pier would open in spring after the council approved "
    "the money for its repair. Fishermen welcomed the news at a meeting in the town hall."
)


def _page(lang: str = "", body: str = "", head: str = "") -> str:
    declared = f' lang="{lang}"' if lang else ""
    return (
        f"<html{declared}><head><title>Pier to open</title>{head}</head><body><article>"
        f"<h1>Pier to open</h1><p>{TEXT}</p><p>{TEXT}</p>{body}</article></body></html>"
    )


def _published(page: str, url: str | None = None) -> tuple[str | None, str | None]:
    found = page_published(lxml.html.fromstring(page), url)
    return found.value, found.note


def test_a_first_of_the_month_reading_of_an_unordered_date_keeps_only_its_year() -> None:
    # "1.2.2015" is 1 February or 2 January: only 2015 is sure (it was cut to 2015-02, no note)
    value, note = _published(_page(body="<p>Veröffentlicht 1.2.2015</p>"))
    assert value == "2015"
    assert note is not None
    assert "'1.2.2015'" in note
    assert "only the year" in note


def test_a_first_of_the_month_day_the_page_states_keeps_its_month() -> None:
    # a day stated unambiguously (German order) on the 1st: the fallback cut still applies
    value, _ = _published(_page("de", body="<p>Veröffentlicht 1.2.2015</p>"))
    assert value == "2015-02"


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ('<meta name="date" content="03/04/2015">', ""),
        ("", "<time>03/04/2015</time>"),
        ("", "<p>Posted 03/04/2015</p>"),
    ],
)
def test_an_en_us_page_writes_month_first(head: str, body: str) -> None:
    # htmldate reads each day first (2015-04-03); the page's language says 4 March
    assert _published(_page("en-US", body, head)) == ("2015-03-04", None)


def test_a_day_first_page_keeps_its_day_where_htmldate_agrees() -> None:
    assert _published(_page("en-GB", "<p>Posted 03/04/2015</p>")) == ("2015-04-03", None)


def test_a_page_writing_against_its_order_keeps_the_one_valid_day() -> None:
    # 13 is no month: whatever the language, the day is 13 April
    assert _published(_page("en-US", "<p>Posted 13/04/2015</p>")) == ("2015-04-13", None)


def test_the_url_states_the_day_an_unordered_text_date_leaves_open() -> None:
    url = "https://news.example/2015/04/03/pier-to-open"
    assert _published(_page(body="<p>Posted 03/04/2015</p>"), url) == ("2015-04-03", None)
    # without the URL only the year is stated
    value, note = _published(_page(body="<p>Posted 03/04/2015</p>"))
    assert value == "2015"
    assert note is not None
    assert "'03/04/2015'" in note


def _fetched(page: str) -> Fetched:
    url = "https://news.example/pier"
    return Fetched(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=page.encode(),
        fetched_at="2026-12-01T10:00:00+00:00",
    )


def _entry(published: str | None, note: str | None = None) -> FeedEntry:
    return FeedEntry(
        url="https://news.example/pier",
        feed="https://news.example/sitemap.xml",
        published=published,
        published_note=note,
    )


def test_a_listing_month_never_overrides_the_page_day() -> None:
    page = _page("en", head='<meta property="article:published_time" content="2015-03-04T10:00Z">')
    article = to_article(_fetched(page), _entry("2015-03"))
    assert (article.published, article.published_source) == ("2015-03-04", "metadata")
    assert NOTE not in article.meta


def test_a_listing_note_is_kept_only_when_the_listing_decided() -> None:
    dated = _page("en", head='<meta property="article:published_time" content="2015-03-04">')
    note = "'12/11/10': the order of day, month and year is not stated"
    # the listing's "12/11/10" set no date: its note does not describe the page's day
    article = to_article(_fetched(dated), _entry(None, note))
    assert article.published == "2015-03-04"
    assert NOTE not in article.meta
    # a page with no date: the stored date (none) is the listing's, and so is the note
    undated = to_article(_fetched(_page("en")), _entry(None, note))
    assert undated.published is None
    assert undated.meta[NOTE] == note


def test_a_listing_day_refines_a_page_year() -> None:
    # the page gives only a year (its copyright line); the listing states the day
    page = _page("en", body="<footer>Copyright 2015 Pier News</footer>")
    article = to_article(_fetched(page), _entry("2015-03-04"))
    assert (article.published, article.published_source) == ("2015-03-04", "metadata")
    assert NOTE not in article.meta
    # a page year beside no listing date stays the page's
    assert to_article(_fetched(page), _entry(None)).published == "2015"


def test_a_language_whose_regions_differ_still_orders_a_four_digit_year_last() -> None:
    # French is written day first in every region; only Canada writes year first, which a
    # year-last date cannot be: "03/04/2015" is 3 April, "12/11/10" stays unknown
    assert read_published("03/04/2015", date_order("fr")) == Published("2015-04-03")
    assert read_published("12/11/10", date_order("fr")).value is None
    # Spanish: day first, month first in Panama and Puerto Rico, never year first
    spanish = read_published("12/11/10", date_order("es"))
    assert spanish.value == "2010"
    assert "only the year" in (spanish.note or "")
    assert read_published("03/04/2015", date_order("es")).value == "2015"
    # English regions write all three orders: none is stated
    assert date_order("en") is None
    page = _page("fr", body="<p>Publié le 03/04/2015</p>")
    assert _published(page) == ("2015-04-03", None)


def test_numbers_inside_words_are_read_in_the_page_order_not_month_first() -> None:
    # dateutil reads the whole string month first (5 November); htmldate day first (11 May);
    # no weekday is named (test_published_weekday: "Monday, 11.05.2012" is 5 November)
    line = '<div class="date">Posted 11.05.2012 / 9:44 PM / News</div>'
    value, note = _published(_page(body=line))
    assert value == "2012"
    assert note is not None
    assert "'11.05.2012'" in note
    assert _published(_page("de", body=line)) == ("2012-05-11", None)
    assert _published(_page("en-US", body=line)) == ("2012-11-05", None)


def test_numbers_leading_a_string_that_is_no_date_keep_only_their_year() -> None:
    # "11/09/2012 in 12+ years old": no reader takes the whole string; the numbers lead it
    line = '<p class="post-footers">11/09/2012 in <a href="/crafts/">12+ years old</a></p>'
    value, note = _published(_page(body=line))
    assert value == "2012"
    assert note is not None
    assert "'11/09/2012'" in note
