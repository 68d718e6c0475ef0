from __future__ import annotations

import datetime as dt

import pytest

from storyline.extract.events import find_events, find_leads
from storyline.extract.timex.find import find_timexes
from storyline.models import DatedEvent, TimeExpr
from storyline.text.sentences import sentence_spans
from tests.conftest import seed_events

PUB = dt.date(2015, 10, 21)  # a Wednesday


def timex(text: str, expr: str, value: str, *, nth: int = 0) -> TimeExpr:
    start = -1
    for _ in range(nth + 1):
        start = text.index(expr, start + 1)
    return TimeExpr("a1", start, start + len(expr), expr, "DATE", value, PUB.isoformat())


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_events_split_sentences_keeps_abbreviations_and_initials() -> None:
    text = "Mr. Smith met George W. Bush in the U.S. capital. They talked.\nNew line here"
    assert sentences(text) == [
        "Mr. Smith met George W. Bush in the U.S. capital.",
        "They talked.",
        "New line here",
    ]


def test_events_split_sentences_handles_ptb_tokens_and_quotes() -> None:
    text = "He left . `` It is over , '' she said . \"Yes.\" He nodded -RRB- . Then 5 more ."
    assert sentences(text) == [
        "He left .",
        "`` It is over , '' she said .",
        '"Yes."',
        "He nodded -RRB- .",
        "Then 5 more .",
    ]


def test_events_sentence_with_day_becomes_event() -> None:
    text = "Intro without a date. Assad flew to Moscow on Tuesday for talks. Nothing else."
    events = find_events(
        text, article_id="a1", published=PUB, timexes=[timex(text, "Tuesday", "2015-10-20")]
    )
    assert [(e.date, e.text, e.article_id, e.sources) for e in events] == [
        ("2015-10-20", "Assad flew to Moscow on Tuesday for talks.", "a1", ("a1",))
    ]
    assert text[events[0].start : events[0].end] == events[0].text
    assert events[0].published == "2015-10-21"


def test_events_reporting_date_gives_way_to_content_date() -> None:
    text = "Assad flew to Moscow on Tuesday, the Kremlin said Wednesday."
    tx = [timex(text, "Tuesday", "2015-10-20"), timex(text, "Wednesday", "2015-10-21")]
    events = find_events(text, article_id="a1", published=PUB, timexes=tx)
    assert [e.date for e in events] == ["2015-10-20"]
    assert events[0].date_at == text.index("Tuesday")  # where the date is written


def test_events_a_span_of_days_is_one_event_until_its_last_day() -> None:
    text = "The festival ran from 22 to 25 October in Vienna. It met again on 26 October."
    events = find_events(
        text, article_id="a1", published=PUB, timexes=find_timexes(text, anchor=PUB)
    )
    assert [(e.date, e.until) for e in events] == [
        ("2015-10-22", "2015-10-25"),
        ("2015-10-26", None),
    ]


def test_events_publication_day_statement_alone_is_no_event() -> None:
    text = "The ministry said on Wednesday it was ready."
    tx = [timex(text, "Wednesday", "2015-10-21")]
    assert find_events(text, article_id="a1", published=PUB, timexes=tx) == []


def test_events_earlier_statement_is_an_event_of_saying() -> None:
    text = "The ministry said Tuesday it had struck 72 targets."
    tx = [timex(text, "Tuesday", "2015-10-20")]
    events = find_events(text, article_id="a1", published=PUB, timexes=tx)
    assert [e.date for e in events] == ["2015-10-20"]


def test_events_two_days_in_one_sentence_give_two_events() -> None:
    text = "After the crash on Oct. 31 and the attacks on Nov. 13, France asked for help."
    tx = [timex(text, "Oct. 31", "2015-10-31"), timex(text, "Nov. 13", "2015-11-13")]
    events = find_events(text, article_id="a1", published=PUB, timexes=tx)
    assert [e.date for e in events] == ["2015-10-31", "2015-11-13"]
    assert len({e.id for e in events}) == 2


def test_events_month_only_when_no_day() -> None:
    text = "The campaign began in September. It peaked on 3 October, in October."
    tx = [
        timex(text, "September", "2015-09"),
        timex(text, "3 October", "2015-10-03"),
        timex(text, "October", "2015-10", nth=1),
    ]
    events = find_events(text, article_id="a1", published=PUB, timexes=tx)
    assert [e.date for e in events] == ["2015-09", "2015-10-03"]


def test_events_ignore_durations_and_vague_references() -> None:
    text = "The air campaign is three weeks old. It will go on for now."
    tx = [
        TimeExpr("a1", 19, 30, "three weeks", "DURATION", "P3W", None),
        TimeExpr("a1", 53, 56, "now", "DATE", "PRESENT_REF", None),
    ]
    assert find_events(text, article_id="a1", published=PUB, timexes=tx) == []


def test_events_leads_are_undated_first_sentences() -> None:
    text = "Troops entered the city. Officials met on Tuesday. Shops reopened. Later news."
    tx = [timex(text, "Tuesday", "2015-10-20")]
    leads = find_leads(text, article_id="a1", published=PUB, timexes=tx, n=3)
    assert [(e.date, e.text) for e in leads] == [
        ("2015-10-21", "Troops entered the city."),
        ("2015-10-21", "Shops reopened."),
    ]
    assert find_leads(text, article_id="a1", published=None, timexes=tx) == []


@pytest.fixture(scope="module")
def seeds() -> list[DatedEvent]:
    return seed_events()


@pytest.mark.parametrize(
    ("date", "seed", "words"),
    [
        ("2015-10-20", "004", ("Assad", "Moscow")),  # "on Tuesday", published Wednesday
        ("2015-10-23", "001", ("talks", "Friday")),  # Vienna talks "on Friday"
        ("2015-10-23", "000", ("Vienna", "23 October")),
        ("2015-11-26", "003", ("Hollande", "Moscow")),  # "on Thursday", published Friday
        ("2015-09-30", "000", ("air strikes", "began")),
        ("2015-09-30", "001", ("bombing", "began")),
    ],
)
def test_events_seeds_have_their_dated_happenings(
    seeds: list[DatedEvent], date: str, seed: str, words: tuple[str, ...]
) -> None:
    found = [
        e
        for e in seeds
        if e.date == date and e.article_id.startswith(seed) and all(w in e.text for w in words)
    ]
    assert found, (date, seed, words)


def test_events_seed_visit_is_not_dated_on_the_report_day(seeds: list[DatedEvent]) -> None:
    visit = [e for e in seeds if e.article_id.startswith("004") and "flew to Moscow" in e.text]
    assert [e.date for e in visit] == ["2015-10-20"]


def real_events(text: str, published: dt.date) -> tuple[list[DatedEvent], list[DatedEvent]]:
    """Return the events and leads of ``text`` with its timexes found by the dates stage."""
    found = find_timexes(text, anchor=published, article_id="a1")
    kwargs = {"article_id": "a1", "published": published, "timexes": found}
    return find_events(text, **kwargs), find_leads(text, **kwargs)


@pytest.mark.parametrize(
    "stamp",
    [
        "Page last updated at 08:14 GMT, Tuesday, 8 November 2011",
        "8 November 2011 Last updated at 06:28 GMT",
        "Last updated: 8 November, 2011 - 17:26 GMT",
        "Published: Tuesday, 8 November, 2011, 15:33 GMT",
        "Posted by madfortravel 8 Nov 2011 |",
        "updated 9:34 p.m. EST, Tue November 8, 2011",
        "LOS ANGELES | Tue Nov 8, 2011 6:03pm EST",
        "guardian.co.uk, Tuesday 8 November 2011 17.52 GMT",
        "November 8, 2011 -- Updated 0251 GMT (1051 HKT)",
    ],
)
def test_events_page_stamp_dates_the_page_not_the_report(stamp: str) -> None:
    text = f"{stamp} Doctor Conrad Murray was jailed after a six-week trial. He will appeal."
    events, leads = real_events(text, dt.date(2011, 11, 8))
    assert events == []
    # The stamped sentence is the article's lead; its text starts where the report does.
    assert leads[0].text.startswith("Doctor Conrad Murray was jailed")


def test_events_reader_comment_stamps_are_not_events() -> None:
    text = (
        "At 4:16 pm on 18 Jan 2010, CComment wrote: Aid is far too slow. "
        "8th January 2010 - 17:42 This comment was removed by the moderators."
    )
    assert real_events(text, dt.date(2010, 1, 19))[0] == []


def test_events_publishing_and_posting_in_a_report_still_date_it() -> None:
    text = (
        "A report published on Monday shows the flu spread. He posted on Tuesday that he quit. "
        "The rally on October 1, 2015 at 6 p.m. drew crowds. Figures were updated 3 times Friday."
    )
    events, _ = real_events(text, PUB)
    assert [(e.date, e.text.split()[0]) for e in events] == [
        ("2015-10-19", "A"),
        ("2015-10-20", "He"),
        ("2015-10-01", "The"),
        ("2015-10-16", "Figures"),
    ]
