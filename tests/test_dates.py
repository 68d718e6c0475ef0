from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.extract.timex.find import find_timexes, infer_published, resolve_weekday
from tests.conftest import shared_path

PUB = dt.date(2015, 10, 21)  # a Wednesday


def only(text: str, anchor: dt.date | None = PUB) -> tuple[str, str, str]:
    found = find_timexes(text, anchor=anchor)
    assert len(found) == 1, found
    return found[0].text, found[0].type, found[0].value


@pytest.mark.parametrize(
    ("text", "expr", "typ", "value"),
    [
        # explicit and month-day dates
        ("The vote was on 22 October 2015.", "22 October 2015", "DATE", "2015-10-22"),
        ("Results came on Oct. 15, 2015, he said.", "Oct. 15, 2015", "DATE", "2015-10-15"),
        ("They met on 30 September.", "30 September", "DATE", "2015-09-30"),
        ("The deadline is Oct. 31.", "Oct. 31", "DATE", "2015-10-31"),
        ("It happened in March 2014.", "March 2014", "DATE", "2014-03"),
        ("The war started in 2011.", "2011", "DATE", "2011"),
        ("Prices rose in January.", "January", "DATE", "2015-01"),
        ("Sales fell in fiscal 1989.", "fiscal 1989", "DATE", "1989"),
        ("Rates were low in the 1990s.", "the 1990s", "DATE", "199"),
        ("It was written in nineteen ninety-six.", "nineteen ninety-six", "DATE", "1996"),
        # weekdays and parts of the day
        ("Assad flew to Moscow on Tuesday.", "Tuesday", "DATE", "2015-10-20"),
        ("The ministers will meet on Friday.", "Friday", "DATE", "2015-10-23"),
        ("Officials said Thursday the talks failed.", "Thursday", "DATE", "2015-10-15"),
        ("He spoke Tuesday night in Moscow.", "Tuesday night", "TIME", "2015-10-20TNI"),
        ("They left last Friday.", "last Friday", "DATE", "2015-10-16"),
        # deictic and relative dates
        ("The pact was signed yesterday.", "yesterday", "DATE", "2015-10-20"),
        ("Talks resume tomorrow.", "tomorrow", "DATE", "2015-10-22"),
        ("Assad visited Moscow earlier this week.", "earlier this week", "DATE", "2015-W43"),
        ("Exports fell last week.", "last week", "DATE", "2015-W42"),
        ("Sales slumped last month.", "last month", "DATE", "2015-09"),
        ("Profit doubled last year.", "last year", "DATE", "2014"),
        ("Prices will rise next year.", "next year", "DATE", "2016"),
        ("It was cold last winter.", "last winter", "DATE", "2014-WI"),
        ("It rained all summer 1998.", "summer 1998", "DATE", "1998-SU"),
        ("Profit rose in the third quarter.", "the third quarter", "DATE", "2015-Q3"),
        ("Revenue grew in the first half of 2014.", "the first half of 2014", "DATE", "2014-H1"),
        ("He left two years ago.", "two years ago", "DATE", "2013"),
        ("We met on Christmas Day.", "Christmas Day", "DATE", "2014-12-25"),
        # references to the present, past and future
        ("Russia is now thinking about it.", "now", "DATE", "PRESENT_REF"),
        ("The firm recently said so.", "recently", "DATE", "PAST_REF"),
        ("Peace may come in the future.", "the future", "DATE", "FUTURE_REF"),
        # durations and sets
        (
            "Jets struck 72 targets over the past 24 hours.",
            "the past 24 hours",
            "DURATION",
            "PT24H",
        ),
        ("Russia's three-week-old air campaign goes on.", "three-week-old", "DURATION", "P3W"),
        ("The strike lasted two weeks.", "two weeks", "DURATION", "P2W"),
        ("Sales in the first nine months rose.", "the first nine months", "DURATION", "P9M"),
        ("The flight took 5 1/2 hours.", "5 1/2 hours", "DURATION", "PT5H30M"),
        ("He signed a ten-year contract.", "ten-year", "DURATION", "P10Y"),
        ("Inspectors visit the site daily.", "daily", "SET", "P1D"),
        ("The board meets every week.", "every week", "SET", "P1W"),
        ("The markets open at 10:35 a.m.", "10:35 a.m.", "TIME", "2015-10-21T10:35"),
        ("Fighting grew over the past decade.", "the past decade", "DURATION", "P10Y"),
        ("More will follow in the coming days.", "the coming days", "DATE", "FUTURE_REF"),
        ("Music of the '80s returned.", "the '80s", "DATE", "198"),
        ("The deal should close by year-end.", "year-end", "DATE", "2015"),
        ("It was a decades-long feud.", "decades-long", "DURATION", "PXDE"),
        ("The parade is held each July.", "each July", "SET", "XXXX-07"),
        ("He spent 2 1/2 years abroad.", "2 1/2 years", "DURATION", "P2Y6M"),
        (
            "The offer expired at 5 p.m. EST Friday.",
            "5 p.m. EST Friday",
            "TIME",
            "2015-10-16T17:00",
        ),
        ("The index fell 2% at 16:08 UTC.", "16:08 UTC", "TIME", "2015-10-21T16:08Z"),
        ("Talks began at 0735 GMT Tuesday.", "0735 GMT Tuesday", "TIME", "2015-10-20T07:35Z"),
        ("Cars of the 70s were boxy.", "the 70s", "DATE", "197"),
        ("Exports picked up in spring.", "spring", "DATE", "2015-SP"),
        ("Troops stay for at least 20 more years.", "at least 20 more years", "DURATION", "P20Y"),
        ("The loan runs for an additional year.", "an additional year", "DURATION", "P1Y"),
        ("A week-long strike began.", "week-long", "DURATION", "P1W"),
        ("A several-year tenure ended.", "several-year", "DURATION", "PXY"),
    ],
)
def test_dates_normalise_expression_kinds(text: str, expr: str, typ: str, value: str) -> None:
    assert only(text) == (expr, typ, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Putin said Thursday that he would go.", "2015-10-15"),
        ("Putin had spoken to Obama on Thursday.", "2015-10-15"),
        ("Putin will travel to Paris on Thursday.", "2015-10-22"),
        ("Putin'll travel to Paris on Thursday.", "2015-10-22"),
        ("Talks are set to resume Thursday in Vienna.", "2015-10-22"),
        ("The ministers met Wednesday.", "2015-10-21"),
        ("The ministers will meet Wednesday.", "2015-10-21"),
        ("The talks resume next Thursday.", "2015-10-22"),
        # The tense of a relative clause between commas is not the sentence's.
        ("On Thursday his brothers, who will be taking part, defended it.", "2015-10-15"),
        ("On Thursday the band, which played here before, will return.", "2015-10-22"),
        ("Obama asked his team to work out a plan on Thursday.", "2015-10-15"),  # "a plan": noun
        # ... but when the rest of the sentence says nothing, the relative clause tells.
        (
            "Thursday's concert, which will be broadcast live, with profits to charity.",
            "2015-10-22",
        ),
        ("Leaflets are to be sent to homes across the country from Thursday.", "2015-10-22"),
        ("A news conference is to be held Thursday.", "2015-10-22"),
        # A present-tense schedule is ahead; so is an untensed "Thursday's" written on Wednesday.
        ("The trial resumes on Thursday.", "2015-10-22"),
        ("Schools reopen on Monday.", "2015-10-26"),
        ("Doors open at 16:00 BST for Thursday's show.", "2015-10-22"),
        ("Thursday's show was a triumph.", "2015-10-15"),
        ("Tuesday's quake hit the capital.", "2015-10-20"),
        # A possessive weekday happened, unless awaited or its own verb is ahead.
        ("They said they would appeal Tuesday's ruling.", "2015-10-20"),
        ("Crowds gathered ahead of Sunday's vote.", "2015-10-25"),
        ("Monday's talks will decide it.", "2015-10-26"),
        ("Rebels were blamed for Monday's attack on the base.", "2015-10-19"),
        ("Rebels claimed responsibility for Thursday's bombing.", "2015-10-15"),
    ],
)
def test_dates_weekday_follows_tense(text: str, value: str) -> None:
    assert only(text)[2] == value


def test_dates_resolve_weekday_directions() -> None:
    assert resolve_weekday(PUB, 4, "past") == dt.date(2015, 10, 16)
    assert resolve_weekday(PUB, 4, "future") == dt.date(2015, 10, 23)
    assert resolve_weekday(PUB, 2, None, "last") == dt.date(2015, 10, 14)
    assert resolve_weekday(PUB, 2, None, "next") == dt.date(2015, 10, 28)


def test_dates_month_follows_modal_passive() -> None:
    anchor = dt.date(2009, 6, 5)
    assert only("The sale should be completed in October.", anchor)[2] == "2009-10"
    assert only("The sale was completed in October.", anchor)[2] == "2008-10"


def test_dates_tokenised_text_keeps_the_year_after_a_detached_comma() -> None:
    anchor = dt.date(2011, 9, 23)
    assert only("He died on 25 June , 2009 at home .", anchor)[1:] == ("DATE", "2009-06-25")
    assert only("Updated Tuesday , 8 November , 2011 .", anchor)[2] == "2011-11-08"
    assert only("It began in June , 2009 .", anchor)[2] == "2009-06"


def test_dates_holiday_season_is_a_stretch_not_the_day() -> None:
    anchor = dt.date(2009, 4, 28)
    assert only("Many came back from Mexico over the Easter holidays.", anchor)[2] == "2009-04"
    assert only("Churches were full on Easter Sunday.", anchor)[2] == "2009-04-12"


def test_dates_year_ranges_keep_both_ends() -> None:
    found = find_timexes("He was fined twice from 1991 to 1997.", anchor=PUB)
    assert [t.value for t in found] == ["1991", "1997"]
    assert find_timexes("Staff rose from 2000 to 3000.", anchor=PUB) == []


def test_dates_clock_time_takes_the_day_written_after_it() -> None:
    found = find_timexes(
        "At 16:15 UTC, June 1st, Fritz Henderson spoke.", anchor=dt.date(2009, 6, 4)
    )
    assert [(t.text, t.value) for t in found] == [
        ("16:15 UTC", "2009-06-01T16:15Z"),
        ("June 1st", "2009-06-01"),
    ]
    # A clock time alone stays on the day of writing.
    assert only("The plant shut at 16:15 UTC.", dt.date(2009, 6, 4))[2] == "2009-06-04T16:15Z"


def test_dates_month_day_year_follows_tense() -> None:
    # "since" looks back: the Oct. 23 before a May article is last year's.
    since = "Police have searched for him since shortly after the Oct. 23 shooting."
    assert only(since, dt.date(1999, 5, 6))[2] == "1998-10-23"
    anchor = dt.date(1989, 10, 31)
    assert only("Sales rose in the period that ended March 31.", anchor)[2] == "1989-03-31"
    assert only("The offer expires Nov. 9.", anchor)[2] == "1989-11-09"


def test_dates_reference_date_carries_through_story() -> None:
    text = "Profit rose in the third quarter. A year earlier, it had fallen."
    found = find_timexes(text, anchor=dt.date(1989, 11, 2))
    assert [(t.value, t.anchor) for t in found] == [
        ("1989-Q3", "1989-11-02"),
        ("1988-Q3", "1989-Q3"),
    ]
    text = "The quake struck on Aug. 7, 1998. The next day, rescuers arrived at 10 a.m."
    found = find_timexes(text, anchor=dt.date(1998, 8, 20))
    assert [(t.value, t.anchor) for t in found] == [
        ("1998-08-07", "1998-08-20"),
        ("1998-08-08", "1998-08-07"),
        ("1998-08-08T10:00", "1998-08-08"),
    ]


def test_dates_the_same_day_a_year_ago_is_a_year_back() -> None:
    text = "On 5 March 2010 he left. The same day a year ago, he came."
    assert [t.value for t in find_timexes(text, anchor=PUB)] == ["2010-03-05", "2009-03-05"]
    text = "In 2010 he left. He had arrived the year before in Paris."
    assert [t.value for t in find_timexes(text, anchor=PUB)] == ["2010", "2009"]
    text = "Talks ended on 3 May. The day after that, he left."
    assert [t.value for t in find_timexes(text, anchor=PUB)] == ["2015-05-03", "2015-05-04"]


def test_dates_the_same_month_a_year_ago_is_a_year_back() -> None:
    text = "Sales fell 35% in January compared to the same month a year ago."
    found = find_timexes(text, anchor=dt.date(2009, 2, 3))
    assert [(t.text, t.value) for t in found] == [
        ("January", "2009-01"),
        ("the same month a year ago", "2008-01"),
    ]


def test_dates_the_year_before_is_the_one_before_the_story_year() -> None:
    text = "Costs rose to $118 billion last year, $19.8 billion more than the year previous."
    found = find_timexes(text, anchor=dt.date(2010, 1, 28))
    assert [(t.text, t.value) for t in found] == [
        ("last year", "2009"),
        ("the year previous", "2008"),
    ]
    # "a year earlier" still counts back from the story's date, not as a stretch of time.
    assert only("Sales rose 5% from a year earlier.", dt.date(2010, 1, 28))[2] == "2009"


def test_dates_the_day_after_counts_from_the_story_date() -> None:
    found = find_timexes("Talks ended on 3 May. The day after, he left.", anchor=PUB)
    assert [(t.text, t.value) for t in found] == [
        ("3 May", "2015-05-03"),
        ("The day after", "2015-05-04"),
    ]
    text = "On Tuesday, three weeks to the day after the disaster, the road opened."
    assert [t.value for t in find_timexes(text, anchor=PUB)] == ["2015-10-20", "P3W"]


def test_dates_that_year_takes_the_year_the_story_is_in() -> None:
    text = (
        "He left in April 2009. He died on 25 June that year. In July of that year, fans mourned."
    )
    found = find_timexes(text, anchor=dt.date(2011, 10, 26))
    assert [(t.text, t.value) for t in found] == [
        ("April 2009", "2009-04"),
        ("25 June", "2009-06-25"),
        ("that year", "2009"),
        ("July", "2009-07"),
        ("that year", "2009"),
    ]


def test_dates_following_year_counts_from_story_year() -> None:
    text = "He fled in June 1996 and returned later that year. The following year he left."
    found = find_timexes(text, anchor=dt.date(1998, 2, 27))
    assert [t.value for t in found] == ["1996-06", "1996", "1997"]


def test_dates_without_anchor_leave_unknown_parts() -> None:
    values = {
        t.text: t.value
        for t in find_timexes(
            "On Tuesday he said Oct. 31 and last year were mentioned; now too.", anchor=None
        )
    }
    assert values == {
        "Tuesday": "XXXX-WXX-2",
        "Oct. 31": "XXXX-10-31",
        "last year": "XXXX",
        "now": "PRESENT_REF",
    }
    assert all(t.anchor is None for t in find_timexes("Yesterday it rained.", anchor=None))


def test_dates_records_anchor_and_article() -> None:
    found = find_timexes("They met yesterday.", anchor=PUB, article_id="a1")
    assert found[0].article_id == "a1"
    assert found[0].anchor == "2015-10-21"
    assert (found[0].start, found[0].end) == (9, 18)


@pytest.mark.parametrize(
    "text",
    [
        "The 6-year-old boy may stay.",
        "She is 52 years old.",
        "Subscribe to The Week for more.",
        "The Daily Express reported it.",
        "Troops may march on the capital.",
        "The singer, in his 70s, retired.",
        "The score was 2:1 at the break.",
        "Water rose from the hot spring.",
        "Adam And Joe's Easter Egg Podcasts are back.",
        "Several were held in Operation Easter by police.",
        "Christmas trees sold out.",
        "Crowds gathered the day after the vote.",  # counted from a happening, not a date
    ],
)
def test_dates_ignore_ages_names_and_verbs(text: str) -> None:
    assert find_timexes(text, anchor=PUB) == []


def seed(number: str) -> tuple[str, dt.date]:
    meta_path = shared_path("seeds", "metadata.jsonl")
    for line in meta_path.read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        if meta["id"].startswith(number):
            text = shared_path("seeds", meta["file"]).read_text(encoding="utf-8")
            return text, dt.date.fromisoformat(meta["published"])
    pytest.fail(f"seed {number} not in metadata")


def value_after(text: str, anchor: dt.date, cue: str, expr: str) -> str:
    at = text.index(cue)
    found = [t for t in find_timexes(text, anchor=anchor) if t.start >= at and t.text == expr]
    assert found, (cue, expr)
    return found[0].value


@pytest.mark.parametrize(
    ("number", "cue", "expr", "value"),
    [
        ("004", "flew to Moscow", "Tuesday", "2015-10-20"),
        ("001", "talks", "Friday", "2015-10-23"),
        ("001", "on Thursday, Putin", "Thursday", "2015-10-22"),
        ("003", "in Moscow on Thursday", "Thursday", "2015-11-26"),
        ("003", "Oct. 31", "Oct. 31", "2015-10-31"),
        ("001", "30 September", "30 September", "2015-09-30"),
        ("004", "three-week-old", "three-week-old", "P3W"),
        ("001", "the past 24 hours", "the past 24 hours", "PT24H"),
    ],
)
def test_dates_seed_articles(number: str, cue: str, expr: str, value: str) -> None:
    text, published = seed(number)
    assert value_after(text, published, cue, expr) == value


def test_dates_infer_published_from_full_dates_and_weekdays() -> None:
    text = "The vote took place on 22 October 2015. On Thursday, Putin said it went well."
    assert infer_published(text) == (dt.date(2015, 10, 22), 0.45)
    # A date in a future-tense clause is a plan, not the day of writing.
    text = "It began on 30 September 2015. The summit will open on 30 November 2015."
    assert infer_published(text)[0] == dt.date(2015, 9, 30)
    # A lone far-future outlier is ignored.
    text = "Voting on 2 October 2015 and 4 October 2015 ended; the 2 March 2016 plan stands."
    assert infer_published(text)[0] == dt.date(2015, 10, 4)


def test_dates_infer_published_never_fits_a_year_to_the_calendar() -> None:
    # The weekdays fit 22-23 October 2015 only, but the text never states that year (issue #21:
    # calendar-fitted years were all wrong).
    text = "Talks opened on 22 October and closed on 23 October. On Thursday he spoke; on Friday he left. Since 2013 it has been so."
    assert infer_published(text, today=dt.date(2019, 1, 1)) == (None, 0.0)
    assert infer_published("He spoke on Thursday, Oct. 22.", today=dt.date(2020, 1, 1)) == (
        None,
        0.0,
    )


def test_dates_infer_published_without_evidence() -> None:
    assert infer_published("Nothing dated here, only Tuesday.") == (None, 0.0)
    assert infer_published("The rally was on 22 October.") == (None, 0.0)


@pytest.mark.parametrize(
    "stamp",
    [
        "Page last updated at 08:14 GMT, Tuesday, 8 November 2011",
        "Fergus Walsh | 10:25 UK time, Tuesday, 8 November 2011",
        "HONG KONG | Tue Nov 8, 2011 9:15 pm IST",
        "guardian.co.uk, Tuesday 8 November 2011 17.52 GMT",
    ],
)
def test_dates_infer_published_reads_the_page_stamp(stamp: str) -> None:
    text = (
        f"{stamp} The verdict came after a six-week trial that began on 27 September 2011. "
        "Comments: At 4:16 pm on 12 Nov 2011, Jo wrote: Justice at last."
    )
    # The latest stated date is a reader's comment; the stamp says when the page was written.
    assert infer_published(text, today=dt.date(2026, 1, 1)) == (dt.date(2011, 11, 8), 0.85)


def test_dates_infer_published_seeds_never_invent() -> None:
    for number in ("000", "001", "002", "003", "004"):
        text, published = seed(number)
        guess, confidence = infer_published(text)
        assert guess is None or guess <= published + dt.timedelta(days=1)
        assert (guess is None) == (confidence == 0.0)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *list("abcdefghijklmnopqrstuvwxyzTFMSJAOND0123456789 .,:-/'\n"),
                "Tuesday",
                "Oct.",
                " 31",
                "2015",
                " ago",
                " last ",
                "week",
                "a.m.",
                "the past",
                "-year-old",
            ]
        ),
        max_size=80,
    ).map("".join),
    st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))),
)
def test_dates_property_spans_match_text(text: str, anchor: dt.date | None) -> None:
    for expr in find_timexes(text, anchor=anchor):
        assert text[expr.start : expr.end] == expr.text
        assert expr.value
    infer_published(text)


def test_dates_clock_time_keeps_the_date_given_with_its_weekday() -> None:
    text = "Workers walked out at 6 a.m. on Monday, 16 March, and again at 9 p.m. Tuesday."
    values = {t.text: t.value for t in find_timexes(text, anchor=dt.date(2026, 3, 18))}
    assert values == {
        "6 a.m. on Monday, 16 March": "2026-03-16T06:00",
        "9 p.m. Tuesday": "2026-03-17T21:00",
    }


def test_dates_infer_published_keeps_no_day_after_a_later_weekday() -> None:
    # The full date is the dam failure; "on Thursday" is the visit two days later: the article
    # was written on 10 or 12 March, and no day of the two is stated as the day of writing.
    text = (
        "The president toured the town on Thursday. The dam gave way before dawn on "
        "Tuesday, 10 March 2026, and 12 people died."
    )
    assert infer_published(text, today=dt.date(2026, 12, 1)) == (None, 0.0)


def test_dates_infer_published_weekday_of_a_stated_date_does_not_move_it() -> None:
    text = "The dam gave way on Tuesday, 10 March 2026. On Tuesday rescuers reached Brask."
    published, _ = infer_published(text, today=dt.date(2026, 12, 1))
    assert published == dt.date(2026, 3, 10)
