from __future__ import annotations

import pytest

from storyline.extract.timex.find import find_timexes
from storyline.extract.timex.stamps import after_stamp, is_stamp, page_stamps


def stamped_texts(text: str) -> list[str]:
    """Return the stamp spans of ``text`` as strings, with the timexes the dates stage finds."""
    return [text[s:e] for s, e in page_stamps(text, find_timexes(text, anchor=None))]


@pytest.mark.parametrize(
    ("text", "stamp"),
    [
        ("Page last updated at 08:14 GMT, Tuesday, 8 November 2011 Doctor", "08:14 GMT"),
        ("Published: Monday, 18 January, 2010, 15:33 GMT The aid", "18 January, 2010"),
        ("updated 9:34 p.m. EST, Mon January 31, 2011 Protesters", "January 31, 2011"),
        ("CAIRO | Tue Feb 1, 2011 6:03pm EST CAIRO (Reuters) - Crowds", "6:03pm EST"),
        ("Fergus Walsh | 10:25 UK time, Monday, 15 June 2009 I have", "15 June 2009"),
        ("At 4:16 pm on 18 Jan 2010, CComment wrote: Aid is slow.", "CComment wrote:"),
    ],
)
def test_stamps_cover_the_page_time_stamp(text: str, stamp: str) -> None:
    spans = stamped_texts(text)
    assert any(stamp in span for span in spans), spans
    # The report after the stamp is never part of it.
    assert not any(text.rsplit(maxsplit=1)[-1] in span for span in spans)


@pytest.mark.parametrize(
    "text",
    [
        "A report published on Monday, 18 January 2010 showed the spread.",
        "He posted on Tuesday that he would resign.",
        "The rally on February 1, 2011 at 6 p.m. drew crowds.",
        "Figures were updated 3 times on Friday.",
        "Polls close at 8:00 PM, Tuesday, 3 November 2009.",
    ],
)
def test_stamps_leave_reported_dates_alone(text: str) -> None:
    found = find_timexes(text, anchor=None)
    stamps = page_stamps(text, found)
    assert found
    assert not any(is_stamp(tx, stamps) for tx in found), stamped_texts(text)


def test_stamps_report_starts_after_an_opening_stamp() -> None:
    text = "8 November 2011 Last updated at 06:28 GMT Murray was found guilty."
    stamps = page_stamps(text, find_timexes(text, anchor=None))
    assert text[after_stamp(text, 0, len(text), stamps) :] == "Murray was found guilty."


@pytest.mark.parametrize(
    ("sentence", "report"),
    [
        (
            "MEXICO CITY (Reuters) - A new flu strain has killed 60.",
            "A new flu strain has killed 60.",
        ),
        ("CAIRO, Egypt (CNN) -- Protesters filled the square.", "Protesters filled the square."),
        ("Help arrived in Brask on Monday.", "Help arrived in Brask on Monday."),
        ("Reuters reported (AP) nothing.", "Reuters reported (AP) nothing."),
    ],
)
def test_stamps_report_starts_after_a_wire_dateline(sentence: str, report: str) -> None:
    assert sentence[after_stamp(sentence, 0, len(sentence), []) :] == report


def test_stamps_menu_word_after_a_stamp_is_not_the_report() -> None:
    text = "9 November 2011 Last updated at 10:48 GMT Help The family of Michael Jackson spoke."
    stamps = page_stamps(text, find_timexes(text, anchor=None))
    assert text[after_stamp(text, 0, len(text), stamps) :] == "The family of Michael Jackson spoke."


def test_stamps_a_figure_as_of_a_time_is_no_page_stamp() -> None:
    # A report's cut-off ("as of 17:00 GMT 15 June 2009") dates a figure, not the page.
    text = "Cases reported to the agency as of 17:00 GMT 15 June 2009 are listed below."
    assert stamped_texts(text) == []
    byline = "Fergus Walsh | 10:25 UK time, Monday, 15 June 2009 I have been asked"
    assert any("15 June 2009" in span for span in stamped_texts(byline))
