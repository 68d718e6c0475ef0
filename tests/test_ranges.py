from __future__ import annotations

import datetime as dt

import pytest

from storyline.extract.events import find_events
from storyline.extract.timex.find import find_timexes
from storyline.extract.timex.ranges import range_pairs
from storyline.timeline import build_timeline

PUB = dt.date(2015, 10, 28)  # a Wednesday


def values(text: str) -> list[tuple[str, str]]:
    return [(t.text, t.value) for t in find_timexes(text, anchor=PUB)]


def spans(text: str) -> list[tuple[str, str]]:
    return [(a.value, b.value) for a, b in range_pairs(text, find_timexes(text, anchor=PUB))]


@pytest.mark.parametrize(
    ("text", "found", "span"),
    [
        # The first day of a range borrows the month written once at its end ...
        (
            "The festival ran from 22 to 25 October.",
            [("22", "2015-10-22"), ("25 October", "2015-10-25")],
            ("2015-10-22", "2015-10-25"),
        ),
        (
            "The summit ran 22-23 October.",
            [("22", "2015-10-22"), ("23 October", "2015-10-23")],
            ("2015-10-22", "2015-10-23"),
        ),
        # ... or the year, also from after a bare last day,
        (
            "The summit ran October 22-23, 2014, in Sochi.",
            [("October 22", "2014-10-22"), ("23", "2014-10-23"), ("2014", "2014")],
            ("2014-10-22", "2014-10-23"),
        ),
        (
            "The trial lasted from September 27 through November 7, 2011.",
            [("September 27", "2011-09-27"), ("November 7, 2011", "2011-11-07")],
            ("2011-09-27", "2011-11-07"),
        ),
        # and the year before when it crosses New Year.
        (
            "Talks ran from December 28 to January 3, 2011.",
            [("December 28", "2010-12-28"), ("January 3, 2011", "2011-01-03")],
            ("2010-12-28", "2011-01-03"),
        ),
        # A start written with its weekday is that day, not the last such weekday.
        (
            "The festival runs from Monday 26 to Friday 30 October.",
            [("Monday 26", "2015-10-26"), ("Friday 30 October", "2015-10-30")],
            ("2015-10-26", "2015-10-30"),
        ),
        (
            "Between Monday and Wednesday, 300 people fled.",
            [("Monday", "2015-10-26"), ("Wednesday", "2015-10-28")],
            ("2015-10-26", "2015-10-28"),
        ),
        ("He ruled from 1991 to 1997.", [("1991", "1991"), ("1997", "1997")], ("1991", "1997")),
    ],
)
def test_ranges_complete_the_start_and_pair_the_ends(
    text: str, found: list[tuple[str, str]], span: tuple[str, str]
) -> None:
    assert values(text) == found
    assert spans(text) == [span]


def test_ranges_two_days_named_together_are_two_dates_not_a_span() -> None:
    assert values("They met on April 24 and 25 in Rome.") == [
        ("April 24", "2015-04-24"),
        ("25", "2015-04-25"),
    ]
    assert spans("They met on April 24 and 25 in Rome.") == []  # no "between"


def test_ranges_a_moved_date_is_no_span() -> None:
    text = "The vote was postponed from 3 to 5 October."
    assert values(text) == [("3", "2015-10-03"), ("5 October", "2015-10-05")]
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("On May 5 and 6 people died.", [("May 5", "2015-05-05")]),  # a count, not a day
        ("On Monday, 7 to 9 people died.", [("Monday", "2015-10-26")]),
        ("The index rose from 22 to 25 in October.", [("October", "2015-10")]),
        ("Scores went from 31 to 33 October.", []),
    ],
)
def test_ranges_leave_numbers_that_are_not_days(text: str, found: list[tuple[str, str]]) -> None:
    assert values(text) == found


def test_ranges_ordinal_days_and_a_noun_named_change_still_make_spans() -> None:
    assert spans("The fair ran from 22nd to 25th October.") == [("2015-10-22", "2015-10-25")]
    assert spans("Climate change talks run from 30 November to 11 December.") == [
        ("2015-11-30", "2015-12-11")
    ]
    assert spans("The vote was pushed back from 3 to 5 October.") == []


def test_ranges_a_count_after_the_days_is_not_their_year() -> None:
    assert values("On October 22 to 25, 2000 people marched.")[:2] == [
        ("October 22", "2015-10-22"),
        ("25", "2015-10-25"),
    ]


def test_ranges_never_complete_a_start_into_a_day_the_calendar_lacks() -> None:
    text = "The talks ran from February 29 to March 2, 2015."
    assert all(t.value != "2015-02-29" for t in find_timexes(text, anchor=PUB))
    events = find_events(
        text, article_id="a1", published=PUB, timexes=find_timexes(text, anchor=PUB)
    )
    assert [e.date for e in build_timeline(events)]  # no ValueError on the way


def test_ranges_bare_day_is_found_without_a_publication_date() -> None:
    found = find_timexes("The fair ran from 22 to 25 October.", anchor=None)
    assert [(t.text, t.value) for t in found] == [
        ("22", "XXXX-10-22"),
        ("25 October", "XXXX-10-25"),
    ]
