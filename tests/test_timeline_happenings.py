"""One date per happening (issue #20 item 3): which day an undated lead weighs for, and when a
neighbour day is no happening of its own. Small constructed stories; T17 dev is measured by
bench/tls_t17.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.timeline import build_timeline, rank_dates
from tests.conftest import seed_events
from tests.test_timeline import event

if TYPE_CHECKING:
    from storyline.models import DatedEvent


def lead(article: str, published: str, text: str) -> DatedEvent:
    """An undated lead: dated on its publication day, ``date_at`` None."""
    return event(article, published, text, published=published)


ELECTION = "Voters went to the polls in the presidential election on Sunday across Peru."
WON = "Humala has won the presidential election in Peru, the electoral office said."
THANKS = "Humala thanked his supporters in Lima on Monday as markets fell."
STRIKE = "Transport workers began a national strike that shut the ports of Peru."


def test_an_undated_lead_weighs_for_the_day_before_when_reports_tell_that_day() -> None:
    # the vote (06-05) has two dated reports, the report day (06-06) one: two leads published
    # on 06-06 tell the vote's outcome, so they weigh for the vote's day and not for both days
    events = [
        event("a1", "2011-06-05", ELECTION),
        event("a2", "2011-06-05", WON),
        event("a3", "2011-06-06", THANKS),
        event("a6", "2011-06-09", STRIKE),
        event("a7", "2011-06-09", STRIKE),
    ]
    leads = [lead("a8", "2011-06-06", WON), lead("a9", "2011-06-06", WON)]
    # 06-05: 2 articles + 2 leads; 06-09: 2 articles; 06-06: its one article only (counting
    # the leads for both days put the report day above the strike: one happening, two dates)
    assert rank_dates(events, leads) == ["2011-06-05", "2011-06-09", "2011-06-06"]


def test_an_undated_lead_weighs_for_its_publication_day_when_reports_tell_that_day() -> None:
    # now the report day has more dated reports than the day before: the leads tell its news
    events = [
        event("a1", "2011-06-05", ELECTION),
        event("a3", "2011-06-06", THANKS),
        event("a4", "2011-06-06", THANKS),
        event("a6", "2011-06-09", STRIKE),
        event("a7", "2011-06-09", STRIKE),
    ]
    leads = [lead("a8", "2011-06-06", THANKS), lead("a9", "2011-06-06", THANKS)]
    assert rank_dates(events, leads) == ["2011-06-06", "2011-06-09", "2011-06-05"]
    # a tie (one dated report each) goes to the publication day
    tied = [events[0], events[1], *events[3:]]
    assert rank_dates(tied, leads[:1]) == ["2011-06-09", "2011-06-06", "2011-06-05"]


RULED = "Judge Michael Pastor ruled on Monday that the rehearsal film would not help the defence."
GIG = "The tribute concert at the Millennium Stadium was announced by its producers on Monday."
LOOK_BACK = "25 July 2011 The judge rules that rehearsal footage cannot be used as evidence."
BROTHERS = "Jermaine and Randy Jackson criticised the Cardiff event today as ill-timed."
TRIAL = "The trial of Dr Conrad Murray opened in a Los Angeles courtroom."
VERDICT = "Dr Conrad Murray was found guilty of involuntary manslaughter by the jury."


def trial_story(*extra: DatedEvent) -> list[DatedEvent]:
    """Four months of a trial: 07-25 has three articles, 07-26 one, written at the time."""
    return [
        event("a1", "2011-07-25", RULED, published="2011-07-26"),
        event("a2", "2011-07-25", GIG, published="2011-07-26"),
        event("a2", "2011-07-26", BROTHERS, published="2011-07-26"),
        event("a3", "2011-07-25", LOOK_BACK, published="2011-11-30"),
        event("a4", "2011-09-27", TRIAL, published="2011-09-27"),
        event("a5", "2011-11-07", VERDICT, published="2011-11-07"),
        *extra,
    ]


ANNOUNCED = (
    "The 8 October tribute concert at the Millennium Stadium in Cardiff, with Christina Aguilera"
    " and Cee Lo Green, was announced by producers Global Live Events on Monday."
)
CRITICISED = (
    "Jermaine and Randy Jackson said today they would not take part, calling the Cardiff concert"
    " ill-timed because it clashes with the trial of the doctor charged over their brother's death."
)
HOSPITAL = "Randy Jackson was taken to a hospital in Pasadena today with chest pains."


def test_a_neighbour_day_its_article_tells_as_the_kept_days_happening_folds() -> None:
    # 07-26's one article, written that day, dates the concert's announcement on Monday 07-25
    # and on 07-26 tells the brothers' answer to the same concert (Cardiff, concert): one
    # happening, one date. Two shared words of long sentences repeat no report
    # (merge_threshold), so only the article telling both days folds it.
    tells = [
        event("a2", "2011-07-25", ANNOUNCED, published="2011-07-26"),
        event("a2", "2011-07-26", CRITICISED, published="2011-07-26"),
    ]
    story = [e for e in trial_story() if e.text not in (BROTHERS, GIG)] + tells
    dates = [e.date for e in build_timeline(story, max_dates=4)]
    assert dates == ["2011-07-25", "2011-09-27", "2011-11-07"]


def test_a_neighbour_day_its_article_tells_as_another_happening_stays() -> None:
    # the same article, written at the time, dates the concert on Monday and a hospital stay
    # on Tuesday: the two sentences share no participant or act, two happenings, two dates
    # (BROTHERS, "criticised the Cardiff event today", shares no words either: it stays too)
    for text in (HOSPITAL, BROTHERS):
        other = event("a2", "2011-07-26", text, published="2011-07-26")
        story = [e for e in trial_story() if e.text != BROTHERS] + [other]
        dates = [e.date for e in build_timeline(story, max_dates=4)]
        assert dates == ["2011-07-25", "2011-07-26", "2011-09-27", "2011-11-07"], text


def test_a_neighbour_day_an_article_tells_alone_stays() -> None:
    # a second article of 07-26 dates nothing on 07-25: the day has support of its own
    alone = event("a6", "2011-07-26", BROTHERS, published="2011-07-26")
    dates = [e.date for e in build_timeline(trial_story(alone), max_dates=4)]
    assert dates == ["2011-07-25", "2011-07-26", "2011-09-27", "2011-11-07"]
    # a look back months later that lists 07-26 as its own entry keeps it too
    later = event("a7", "2011-07-26", "26 July 2011 " + BROTHERS, published="2011-11-30")
    dates = [e.date for e in build_timeline(trial_story(later), max_dates=4)]
    assert "2011-07-26" in dates


def test_a_neighbour_day_needs_a_dated_report_of_the_kept_day_to_fold() -> None:
    # a2 tells the concert in an undated lead (07-25 or 07-26?), not in a dated report: nothing
    # says its article told Monday's news, so 07-26 keeps its date
    story = [e for e in trial_story() if e.text != GIG]
    leads = [lead("a2", "2011-07-26", "The tribute concert was announced by its producers.")]
    dates = [e.date for e in build_timeline(story, max_dates=4, leads=leads)]
    assert dates == ["2011-07-25", "2011-07-26", "2011-09-27", "2011-11-07"]


def test_seeds_keep_the_vienna_talks_and_the_eve_of_the_air_strikes() -> None:
    dates = [e.date for e in build_timeline(seed_events(), story_id="syria")]
    # 10-23 (talks on Friday) is told by an article written the day before (a preview): it
    # has support of its own beside 10-22 and stays
    assert {"2015-09-30", "2015-10-22", "2015-10-23"} <= set(dates)
    # 09-29 (the security council Tuesday night) is told only by an article of 09-30 that
    # dates a report on the air strikes' day as well, but a different happening (talks with
    # Lavrov; the strikes): no two content words shared, so the eve keeps its own date
    assert "2015-09-29" in dates
