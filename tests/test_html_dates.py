"""The page date search: dateparser limited to the page's languages, htmldate's answers kept."""

from __future__ import annotations

import htmldate.extractors
import lxml.html

from storyline.ingest import html_dates
from storyline.ingest.html_dates import page_date, page_languages


def test_page_languages_read_the_declared_language_and_keep_english():
    assert page_languages(lxml.html.fromstring('<html lang="de-DE"><p>x</p></html>')) == (
        "en",
        "de",
    )
    head = '<html><head><meta http-equiv="content-language" content="fr"></head><p>x</p></html>'
    assert page_languages(lxml.html.fromstring(head)) == ("en", "fr")
    # a tag dateparser does not know: every locale, as htmldate's own search
    assert page_languages(lxml.html.fromstring('<html lang="zz"><p>x</p></html>')) is None


def test_other_callers_of_htmldate_keep_every_locale():
    # outside page_date, htmldate's parser still reads a Spanish date
    parsed = htmldate.extractors.get_external_parser().get_date_data("12 de marzo de 2015")
    assert parsed["date_obj"].date().isoformat() == "2015-03-12"
    token = html_dates._LANGUAGES.set(("en",))
    try:  # inside, an English page's parser does not try Spanish
        limited = htmldate.extractors.get_external_parser().get_date_data("12 de marzo de 2015")
    finally:
        html_dates._LANGUAGES.reset(token)
    assert limited["date_obj"] is None


def test_page_date_reads_the_metadata_date():
    page = (
        '<html lang="en"><head><meta property="article:published_time" '
        'content="2016-04-03T10:00:00Z"></head><body><p>Text of the article.</p></body></html>'
    )
    assert page_date(lxml.html.fromstring(page), None) == "2016-04-03"


def test_a_copyright_year_is_a_year_not_1_january():
    page = (
        "<html><body><p>Some article text here about things.</p>"
        "<footer>Copyright 2015 Example Inc.</footer></body></html>"
    )
    assert page_date(lxml.html.fromstring(page), "https://example.com/news/story.html") == "2015"


def test_a_date_in_the_page_language_is_read_by_the_extensive_search():
    page = (
        '<html lang="de"><body><p>Ein Artikel.</p>'
        '<div class="date">Veröffentlicht am Donnerstag, 15. Dezember 2011</div></body></html>'
    )
    assert page_date(lxml.html.fromstring(page), None) == "2011-12-15"


def test_a_limited_reading_never_answers_for_another_caller():
    # htmldate caches a string's reading by the string and bounds alone: an English page's
    # search must not leave "no date" behind for a caller that reads every locale (Polish)
    import datetime as dt  # noqa: PLC0415

    text = "12 marca 2015 r."
    page = f'<html lang="en"><body><article><p>Some text.</p><p>{text}</p></article></body></html>'
    page_date(lxml.html.fromstring(page), None)
    # the arguments htmldate's search passes (trafilatura's date parameters: up to today)
    today = dt.datetime.combine(dt.datetime.now(tz=dt.UTC).date(), dt.time())
    low = dt.datetime(1995, 1, 1)  # noqa: DTZ001 - htmldate's naive bounds
    found = htmldate.extractors.try_date_expr(text, "%Y-%m-%dT%H:%M:%S.%f%z", True, low, today)
    assert (found or "").startswith("2015-03-12")


def test_a_language_dateparser_does_not_know_keeps_every_locale():
    assert page_languages(lxml.html.fromstring('<html lang="no"><p>x</p></html>')) is None


def test_a_date_inside_a_linked_url_in_the_text_is_not_the_page_date():
    # the story cites another page by its written-out URL: that page's day is not this page's
    linked = (
        "<html><body><p>Posted on July 24, 2012</p><p>An article about budgets.</p>"
        "<p>Source: www.abc.net.au/news/2012-02-15/sbs-admits-financial-trouble/3830502</p>"
        "</body></html>"
    )
    assert page_date(lxml.html.fromstring(linked), None) == "2012-07-24"
    # a bare date in the text is still read
    bare = "<html><body><p>An article about budgets.</p><p>Posted 2012-07-24</p></body></html>"
    assert page_date(lxml.html.fromstring(bare), None) == "2012-07-24"
