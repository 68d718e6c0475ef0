from __future__ import annotations

from dataclasses import replace

import pytest

from storyline.models import DatedEvent
from storyline.timeline import (
    Participant,
    TimelineSettings,
    build_timeline,
    date_leads,
    merge_events,
    rank_dates,
)
from tests.conftest import seed_events as find_seed_events


def event(article: str, date: str, text: str, published: str | None = None) -> DatedEvent:
    return DatedEvent(
        id=f"{article}-{date}-{len(text)}",
        article_id=article,
        date=date,
        text=text,
        start=0,
        end=len(text),
        sources=(article,),
        published=published,
    )


QUAKE_A = "A magnitude 7 earthquake struck Haiti near the capital Port-au-Prince."
QUAKE_B = "The powerful earthquake struck Haiti, flattening much of Port-au-Prince."
QUAKE_C = "Rescue teams from many countries arrived in Haiti to search the rubble."
VOTE = "Parliament voted to extend the state of emergency for three months."


def test_timeline_merge_joins_reports_of_one_happening() -> None:
    merged = merge_events(
        [
            event("a1", "2010-01-12", QUAKE_A),
            event("a2", "2010-01-12", QUAKE_B),
            event("a3", "2010-01-12", VOTE),
        ]
    )
    assert [(e.date, e.text, e.sources) for e in merged] == [
        ("2010-01-12", QUAKE_A, ("a1", "a2")),
        ("2010-01-12", VOTE, ("a3",)),
    ]


def test_timeline_merge_keeps_different_dates_apart() -> None:
    merged = merge_events([event("a2", "2010-01-13", QUAKE_B), event("a1", "2010-01-12", QUAKE_A)])
    assert [(e.date, e.sources) for e in merged] == [
        ("2010-01-12", ("a1",)),
        ("2010-01-13", ("a2",)),
    ]


def test_timeline_merge_needs_more_than_the_topic_word() -> None:
    merged = merge_events([event("a1", "2010-01-14", QUAKE_C), event("a2", "2010-01-14", QUAKE_A)])
    assert len(merged) == 2


def test_timeline_merge_unions_existing_sources() -> None:
    first = merge_events([event("a1", "2010-01-12", QUAKE_A), event("a2", "2010-01-12", QUAKE_B)])
    again = merge_events([*first, event("a3", "2010-01-12", QUAKE_A)])
    assert [e.sources for e in again] == [("a1", "a2", "a3")]


def test_timeline_rank_dates_by_articles_referring() -> None:
    events = [
        event("a1", "2010-01-14", QUAKE_C),
        event("a1", "2010-01-12", QUAKE_A),
        event("a2", "2010-01-12", QUAKE_B),
        event("a3", "2010-01-12", QUAKE_A),
        event("a2", "2010-01-20", VOTE),
        event("a4", "2010-01-20", VOTE),
    ]
    assert rank_dates(events) == ["2010-01-12", "2010-01-20", "2010-01-14"]


def test_timeline_build_orders_by_date_and_keeps_the_top_dates() -> None:
    events = [
        event("a1", "2010-01-20", VOTE),
        event("a2", "2010-01-20", VOTE),
        event("a1", "2010-01-12", QUAKE_A),
        event("a2", "2010-01-12", QUAKE_B),
        event("a3", "2010-01-12", QUAKE_A),
        event("a3", "2010-01-14", QUAKE_C),
    ]
    timeline = build_timeline(events, max_dates=2, story_id="s1")
    assert [(t.story_id, t.date) for t in timeline] == [("s1", "2010-01-12"), ("s1", "2010-01-20")]
    assert all(len(t.text) == 1 for t in timeline)
    assert timeline[0].sources == ("a1", "a2", "a3")
    assert timeline[1].text == (VOTE,)
    assert timeline[1].sources == ("a1", "a2")
    assert [t.date for t in build_timeline(events)] == ["2010-01-12", "2010-01-14", "2010-01-20"]


def test_timeline_build_picks_central_sentences_without_repeats() -> None:
    off = "The weather in the region was mild and dry for the season ahead."
    events = [
        event("a1", "2010-01-12", QUAKE_A),
        event("a2", "2010-01-12", QUAKE_B),
        event("a3", "2010-01-12", QUAKE_A),
        event("a4", "2010-01-12", off),
    ]
    (entry,) = build_timeline(events, sentences_per_date=2)
    assert entry.text == (QUAKE_A, off)  # QUAKE_B says the same as QUAKE_A
    (one,) = build_timeline(events, sentences_per_date=3)
    assert one.text == (QUAKE_A, off)  # nothing else that is not a repeat


def test_timeline_build_keywords_put_on_topic_sentences_first() -> None:
    events = [
        event("a1", "2010-01-12", QUAKE_A),
        event("a2", "2010-01-12", QUAKE_B),
        event("a3", "2010-01-12", VOTE),
    ]
    (entry,) = build_timeline(events, keywords=["Parliament"])
    assert entry.text == (VOTE,)


def test_timeline_dates_are_ranked_on_reports_naming_a_keyword() -> None:
    # the vote is mentioned by three articles but none names the quake; the quake day by two
    events = [
        event("a1", "2010-01-10", VOTE),
        event("a2", "2010-01-10", VOTE),
        event("a3", "2010-01-10", VOTE),
        event("a4", "2010-01-12", QUAKE_A),
        event("a5", "2010-01-12", QUAKE_B),
    ]
    assert [e.date for e in build_timeline(events, max_dates=1)] == ["2010-01-10"]
    on_topic = build_timeline(events, max_dates=1, keywords=["earthquake"])
    assert [e.date for e in on_topic] == ["2010-01-12"]
    # off-topic dates still fill the timeline after the on-topic ones
    both = build_timeline(events, max_dates=2, keywords=["earthquake"])
    assert [e.date for e in both] == ["2010-01-10", "2010-01-12"]


def test_timeline_build_prefers_reports_to_previews() -> None:
    preview = "Rescue teams from many countries will arrive in Haiti to search the rubble."
    events = [
        event("a1", "2010-01-14", preview, published="2010-01-13"),
        event("a2", "2010-01-14", QUAKE_C, published="2010-01-15"),
    ]
    (entry,) = build_timeline(events)
    assert entry.text == (QUAKE_C,)


def test_timeline_build_leads_are_candidates_not_references() -> None:
    lead = event("a9", "2010-01-13", "Haiti earthquake: rescue teams search rubble in Haiti.")
    events = [event("a1", "2010-01-12", VOTE), event("a2", "2010-01-20", QUAKE_C)]
    timeline = build_timeline(events, keywords=["haiti"], leads=[lead])
    assert [t.date for t in timeline] == ["2010-01-12", "2010-01-20"]
    assert timeline[0].text == (lead.text,)  # published the next day, on topic
    assert build_timeline([]) == []


SIRLEAF_WON = "Ellen Sirleaf has won the presidential election in Liberia, the commission says."
SIRLEAF_VOTED = "Liberians voted on Monday in the presidential election Ellen Sirleaf won."


def test_timeline_lead_is_told_on_the_day_its_article_dates_the_happening() -> None:
    # a4's undated lead reports the outcome of the vote its own dated sentence puts on Monday
    lead = replace(event("a4", "2011-11-10", SIRLEAF_WON), published="2011-11-10")
    dated = event("a4", "2011-11-07", SIRLEAF_VOTED, published="2011-11-10")
    (moved,) = date_leads([dated], [lead], within=6)
    assert (moved.date, moved.date_at) == ("2011-11-07", dated.start)
    # the day it happened gets the lead's weight; neither the report's day nor the day before
    other = event("a5", "2011-11-09", QUAKE_C, published="2011-11-11")
    assert rank_dates([dated, other], [lead])[0] == "2011-11-09"
    assert rank_dates([dated, other], [moved])[0] == "2011-11-07"
    # so the one date kept is the vote's (the day before publication was, on the lead's weight)
    (entry,) = build_timeline([dated, other], leads=[lead], max_dates=1)
    assert entry.date == "2011-11-07"
    # a dated sentence about something else, or a day past the bound, leaves the lead alone
    unrelated = event("a4", "2011-11-07", QUAKE_C, published="2011-11-10")
    assert date_leads([unrelated], [lead], within=6) == [lead]
    assert date_leads([dated], [lead], within=1) == [lead]


@pytest.fixture(scope="module")
def seed_events() -> list[DatedEvent]:
    return find_seed_events()


def test_timeline_seeds_merge_the_start_of_air_strikes(seed_events: list[DatedEvent]) -> None:
    merged = merge_events(seed_events)
    strikes = [e for e in merged if e.date == "2015-09-30" and len(e.sources) > 1]
    assert len(strikes) == 1
    assert {s[:3] for s in strikes[0].sources} == {"000", "001"}
    assert "began" in strikes[0].text


def test_timeline_seeds_merge_the_vienna_talks(seed_events: list[DatedEvent]) -> None:
    talks = [e for e in merge_events(seed_events) if e.date == "2015-10-23"]
    assert [{s[:3] for s in e.sources} for e in talks] == [{"000", "001"}]


def test_timeline_seeds_show_the_story_in_order(seed_events: list[DatedEvent]) -> None:
    timeline = build_timeline(seed_events, story_id="syria")
    dates = [t.date for t in timeline]
    assert dates == sorted(dates)
    by_date = {t.date: t for t in timeline}
    for date, words in [
        ("2015-09-30", "began"),
        ("2015-10-20", "Moscow"),
        ("2015-10-23", "Syria"),
        ("2015-11-26", "Hollande"),
    ]:
        assert words in " ".join(by_date[date].text), date
    assert {s[:3] for s in by_date["2015-09-30"].sources} >= {"000", "001"}
    assert [s[:3] for s in by_date["2015-10-20"].sources] == ["004"]


def test_timeline_entries_name_their_actors_and_place() -> None:
    text = "Russia and Turkey held talks in Vienna with Sergei Lavrov on Friday."
    event = DatedEvent("e1", "a1", "2015-10-23", text, 100, 100 + len(text), ("a1",), "2015-10-23")

    def at(written: str, name: str, kind: str) -> Participant:
        start = 100 + text.index(written)
        return (start, start + len(written), name, kind, written)

    participants = {
        "a1": [
            at("Russia", "Russia", "GPE"),
            at("Turkey", "Turkey", "GPE"),
            at("Vienna", "Vienna", "GPE"),
            at("Sergei Lavrov", "Sergei Lavrov", "PERSON"),
        ],
        "a2": [at("Russia", "Moscow", "GPE")],  # another article's mention: not this sentence
    }
    (entry,) = build_timeline([event], participants=participants)
    # Countries that act are actors; the place is the one the sentence puts it "in".
    assert entry.actors == ("Russia", "Turkey", "Sergei Lavrov")
    assert entry.place == "Vienna"
    (bare,) = build_timeline([event])
    assert (bare.actors, bare.place) == ((), None)


def test_timeline_a_place_a_noun_is_about_is_neither_place_nor_actor() -> None:
    text = "Ministers are slated to hold talks on the crisis in Syria on Friday."
    talks = DatedEvent("e1", "a1", "2015-10-23", text, 0, len(text), ("a1",), None, 59)
    syria = text.index("Syria")
    (entry,) = build_timeline(
        [talks], participants={"a1": [(syria, syria + 5, "Syria", "GPE", "Syria")]}
    )
    assert (entry.actors, entry.place) == ((), None)


def test_timeline_entry_keeps_the_span_its_sentence_gives() -> None:
    span = replace(
        event("a1", "2015-10-22", "The Vienna talks on the war ran from 22 to 25 October."),
        until="2015-10-25",
    )
    later = event("a2", "2015-10-26", "Ministers flew home from the Vienna talks on the war.")
    entries = build_timeline([span, later])
    assert [(e.date, e.until) for e in entries] == [
        ("2015-10-22", "2015-10-25"),
        ("2015-10-26", None),
    ]


def test_timeline_sentence_with_two_dates_places_each_where_it_is_written() -> None:
    text = "It followed the downing of a jet over Egypt on Oct. 31 and attacks in Paris on Nov. 13."
    first, second = text.index("Oct. 31"), text.index("Nov. 13")
    events = [
        DatedEvent("e1", "a1", "2015-10-31", text, 0, len(text), ("a1",), None, first),
        DatedEvent("e2", "a1", "2015-11-13", text, 0, len(text), ("a1",), None, second),
    ]
    egypt, paris = text.index("Egypt"), text.index("Paris")
    participants = {
        "a1": [
            (egypt, egypt + 5, "Egypt", "GPE", "Egypt"),
            (paris, paris + 5, "Paris", "GPE", "Paris"),
        ]
    }
    entries = build_timeline(events, participants=participants)
    assert [(e.date, e.place) for e in entries] == [
        ("2015-10-31", "Egypt"),
        ("2015-11-13", "Paris"),
    ]
    # An event read from an older store knows no date position: the first place is kept.
    (old,) = build_timeline([replace(events[1], date_at=None)], participants=participants)
    assert old.place == "Egypt"


def test_timeline_tells_a_date_from_trusted_copy_when_it_can() -> None:
    spun = event(
        "spun", "2015-09-30", "Putin began bombing opposition targets in Syria on Wednesday."
    )
    plain = event("plain", "2015-09-30", "Russian jets struck targets near Homs on 30 September.")
    (entry,) = build_timeline([spun, plain], sentences_per_date=1)
    assert entry.text == (spun.text,)  # the more central sentence, all else equal
    (entry,) = build_timeline([spun, plain], sentences_per_date=1, untrusted={"spun"})
    assert entry.text == (plain.text,)
    (entry,) = build_timeline([spun, plain], sentences_per_date=2, untrusted={"spun"})
    assert entry.text == (plain.text,)  # a free slot is not filled from the spun page
    # A date only an untrusted page gives is still told, from that page.
    (alone,) = build_timeline([spun], untrusted={"spun"})
    assert alone.text == (spun.text,)


def test_timeline_place_is_read_where_the_mention_is_not_where_the_name_first_is() -> None:
    text = "Amid the war in Syria, Russian jets bombed targets in Syria on Nov. 13."
    second = text.rindex("Syria")
    jets = DatedEvent(
        "e1", "a1", "2015-11-13", text, 0, len(text), ("a1",), None, text.index("Nov")
    )
    mentions = {"a1": [(second, second + 5, "Syria", "GPE", "Syria")]}
    (entry,) = build_timeline([jets], participants=mentions)
    assert entry.place == "Syria"
    first = text.index("Syria")  # "the war in Syria": what the war is about
    (entry,) = build_timeline(
        [jets], participants={"a1": [(first, first + 5, "Syria", "GPE", "Syria")]}
    )
    assert (entry.place, entry.actors) == (None, ())


ELECTION = "Voters went to the polls in the presidential election on Sunday across Peru."
WON = "Humala has won the presidential election in Peru, the electoral office said."
WON_2 = "Humala won Peru's presidential election, official results showed."
STRIKE = "Transport workers began a national strike that shut the ports of Peru."
SWORN = "Ollanta Humala was sworn in as president of Peru before Congress in Lima."


ELECTION_STORY = [
    # 06-05 is the vote (three articles); 06-06 only repeats it ("has won the election").
    event("a1", "2011-06-05", ELECTION),
    event("a2", "2011-06-05", WON),
    event("a3", "2011-06-05", WON_2),
    event("a4", "2011-06-06", WON),
    event("a5", "2011-06-06", WON_2),
    event("a6", "2011-06-09", STRIKE),
    event("a7", "2011-07-28", SWORN),
]


def test_timeline_a_neighbour_day_that_repeats_a_kept_date_is_one_happening() -> None:
    # three dates over eight weeks: a sparse timeline, where the vote is told on two days
    timeline = build_timeline(ELECTION_STORY, max_dates=3)
    assert [e.date for e in timeline] == ["2011-06-05", "2011-06-09", "2011-07-28"]
    # the day after's reports support the vote's date
    assert {"a4", "a5"} <= set(timeline[0].sources)


def test_timeline_a_report_day_weighed_by_yesterdays_news_is_not_its_own_happening() -> None:
    # 06-06 has one dated report of its own (thanks in Lima) and two articles published that
    # day whose undated leads repeat the vote's outcome: they weigh for 06-06 and 06-05 alike
    thanks = "Humala thanked his supporters in Lima on Monday as markets fell."
    leads = [
        replace(event(a, "2011-06-06", WON), published="2011-06-06", sources=(a,))
        for a in ("a8", "a9")
    ]
    story = [*ELECTION_STORY[:3], event("a4", "2011-06-06", thanks), *ELECTION_STORY[5:]]
    dates = [e.date for e in build_timeline(story, max_dates=3, leads=leads)]
    # most of 06-06's articles tell the vote: one happening, the vote's day kept
    assert dates == ["2011-06-05", "2011-06-09", "2011-07-28"]
    # without those leads 06-06 is the thanks alone, a happening of its own
    alone = [e.date for e in build_timeline(story, max_dates=3)]
    assert "2011-06-06" in alone


def test_timeline_a_dense_timeline_keeps_neighbour_days() -> None:
    # three dates out of five days: every day of the crisis is told, neighbours stay
    timeline = build_timeline(ELECTION_STORY[:6], max_dates=3)
    assert [e.date for e in timeline] == ["2011-06-05", "2011-06-06", "2011-06-09"]


def test_timeline_a_neighbour_day_with_its_own_happening_stays() -> None:
    events = [
        event("a1", "2011-06-05", ELECTION),
        event("a2", "2011-06-05", WON),
        event("a3", "2011-06-06", STRIKE),
        event("a4", "2011-06-06", STRIKE),
        event("a5", "2011-07-28", SWORN),
    ]
    dates = [e.date for e in build_timeline(events)]
    assert dates == ["2011-06-05", "2011-06-06", "2011-07-28"]


def test_timeline_entry_is_corroborated_by_two_articles() -> None:
    timeline = build_timeline(ELECTION_STORY, max_dates=3)
    by_date = {e.date: e.corroborated for e in timeline}
    # the vote: five articles; the strike and the swearing-in: one each
    assert by_date == {"2011-06-05": True, "2011-06-09": False, "2011-07-28": False}


def test_timeline_settings_match_the_packaged_defaults() -> None:
    from storyline.cluster.settings import ClusterSettings  # noqa: PLC0415
    from storyline.config import load_settings  # noqa: PLC0415

    settings = load_settings()
    assert TimelineSettings(**settings.timeline.model_dump()) == TimelineSettings()
    cluster = settings.cluster.model_dump()
    assert cluster == {k: getattr(ClusterSettings(), k) for k in cluster}


def test_timeline_story_sized_keeps_dates_two_outlets_report() -> None:
    outlets = {"a1": "Le Monde", "a2": "le monde", "a3": "BBC", "a4": None, "a5": None}
    events = [
        event("a1", "2010-01-10", VOTE),
        event("a2", "2010-01-10", VOTE),  # the same outlet twice: one source
        event("a1", "2010-01-12", QUAKE_A),
        event("a3", "2010-01-12", QUAKE_B),
        event("a4", "2010-01-20", QUAKE_C),
        event("a5", "2010-01-20", QUAKE_C),  # two pages of unknown outlets: two sources
    ]
    sized = build_timeline(events, outlets=outlets)
    assert [e.date for e in sized] == ["2010-01-12", "2010-01-20"]
    # at most max_dates of them, the best ranked; --dates N still gives N dates
    one = build_timeline(events, outlets=outlets, settings=TimelineSettings(max_dates=1))
    assert len(one) == 1
    assert one[0].date in {"2010-01-12", "2010-01-20"}
    assert len(build_timeline(events, outlets=outlets, max_dates=3)) == 3
    # one outlet told the whole story: its dates are kept as they are
    alone = dict.fromkeys(outlets, "BBC")
    assert [e.date for e in build_timeline(events, outlets=alone)] == [
        "2010-01-10",
        "2010-01-12",
        "2010-01-20",
    ]
    # a page flagged untrustworthy corroborates nothing (as the claims count): with a3
    # flagged, only Le Monde reports 2010-01-12
    flagged = build_timeline(events, outlets=outlets, untrusted={"a3"})
    assert [e.date for e in flagged] == ["2010-01-20"]
