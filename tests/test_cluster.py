"""Events and storylines on hand-made articles and on the seeds."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest

from storyline.cluster.features import content_terms
from storyline.cluster.settings import ClusterSettings
from storyline.cluster.state import ClusterState
from storyline.cluster.storylines import cluster_articles, event_days
from storyline.dedupe import find_duplicates
from storyline.models import DatedEvent
from tests.conftest import edited_copy, seed_rows
from tests.conftest import make_article as article

if TYPE_CHECKING:
    from storyline.models import CleanArticle, Story

STRIKE = [
    article(
        "strike-1",
        "Velmora chip workers strike in Ostravia",
        "Workers at the Velmora semiconductor plant in Ostravia walked out over night-shift pay. "
        "The union said four thousand staff joined the strike at the Velmora chip factory.",
        "2031-03-03",
    ),
    article(
        "strike-2",
        "Velmora strike halts Ostravia chip factory",
        "The Velmora chip factory strike in Ostravia entered its second day as the union "
        "rejected a bonus offer. Chip production at the Velmora plant stopped.",
        "2031-03-04",
    ),
    article(
        "strike-3",
        "Ostravia union and Velmora resume strike talks",
        "Talks between the Velmora management and the chip workers union resumed in Kessin, "
        "Ostravia, three weeks after the strike closed the semiconductor plant.",
        "2031-03-25",
    ),
]
ORCHESTRA = [
    article(
        "music-1",
        "Lindqvist Bay orchestra opens winter season",
        "The Lindqvist Bay orchestra opened its winter season with folk songs for strings. "
        "The orchestra conductor thanked volunteers who repaired the concert hall.",
        "2031-03-03",
    ),
    article(
        "music-2",
        "Lindqvist Bay orchestra conductor plans concert tour",
        "The conductor of the Lindqvist Bay orchestra announced a concert tour of the coast; "
        "the orchestra will play folk songs for strings in six concert halls.",
        "2031-03-05",
    ),
]


def storylines(stories: list[Story]) -> list[set[str]]:
    """Return the member sets of the storylines."""
    return [set(s.article_ids) for s in stories if s.level == "storyline"]


def events(stories: list[Story]) -> list[set[str]]:
    """Return the member sets of the events."""
    return [set(s.article_ids) for s in stories if s.level == "event"]


def test_cluster_two_stories_give_two_storylines() -> None:
    """Two unrelated hand-made stories end up in two storylines."""
    stories, _ = cluster_articles([*STRIKE, *ORCHESTRA])
    found = sorted(storylines(stories), key=len)
    assert found == [{"music-1", "music-2"}, {"strike-1", "strike-2", "strike-3"}]


def test_cluster_events_nest_inside_storyline() -> None:
    """Articles days apart share an event; weeks later opens a new event, same storyline."""
    stories, _ = cluster_articles(STRIKE)
    assert storylines(stories) == [{"strike-1", "strike-2", "strike-3"}]
    assert sorted(events(stories), key=len) == [{"strike-3"}, {"strike-1", "strike-2"}]
    parent = next(s.id for s in stories if s.level == "storyline")
    assert all(s.parent == parent for s in stories if s.level == "event")
    line = next(s for s in stories if s.level == "storyline")
    assert (line.first_date, line.last_date) == ("2031-03-03", "2031-03-25")
    assert "Velmora" in line.label


def test_cluster_is_deterministic() -> None:
    """The same input gives the same stories with the same ids."""
    first, _ = cluster_articles([*STRIKE, *ORCHESTRA])
    second, _ = cluster_articles([*STRIKE, *ORCHESTRA])
    assert first == second


def test_cluster_incremental_keeps_old_assignments() -> None:
    """A second batch joins the existing stories without moving the first batch."""
    before, state = cluster_articles([STRIKE[0], ORCHESTRA[0]])
    assert isinstance(state, ClusterState)
    old = {(a, s.level): s.id for s in before for a in s.article_ids}
    after, _ = cluster_articles([STRIKE[1], STRIKE[2], ORCHESTRA[1]], state=state)
    new = {(a, s.level): s.id for s in after for a in s.article_ids}
    assert {key: new[key] for key in old} == old
    assert sorted(storylines(after), key=len) == [
        {"music-1", "music-2"},
        {"strike-1", "strike-2", "strike-3"},
    ]


def test_cluster_duplicates_follow_their_original() -> None:
    """A copy joins its original's storyline and event."""
    copy = article("strike-copy", "Another headline", STRIKE[0].text, "2031-03-05")
    stories, _ = cluster_articles([*STRIKE, copy], duplicates={"strike-copy": "strike-1"})
    assert {"strike-1", "strike-copy"} <= next(e for e in events(stories) if "strike-1" in e)


HEADLINES = [
    ("h-1", "Velmora chip workers strike in Ostravia"),
    ("h-2", "Lindqvist Bay orchestra opens winter season"),
    ("h-3", "Ostravia strike halts Velmora factory"),
    ("h-4", "Orchestra of Lindqvist Bay plans a tour"),
    ("h-5", "Velmora union rejects bonus offer as strike goes on"),
    ("h-6", "Lindqvist Bay conductor thanks orchestra volunteers"),
    ("h-7", "Chip workers at Velmora vote to end strike"),
]


def test_cluster_headlines_only_group_by_story() -> None:
    """Titles without text (a few words each) still group by story through the short pass."""
    stories, _ = cluster_articles([article(a, t, "") for a, t in HEADLINES])
    found = sorted(storylines(stories), key=len)
    assert found == [{"h-2", "h-4", "h-6"}, {"h-1", "h-3", "h-5", "h-7"}]


def test_cluster_content_terms_fold_plurals() -> None:
    """Plurals and possessives fold, stop words go."""
    assert content_terms("The workers' strikes and Russia's talks") == [
        "worker",
        "strike",
        "russia",
        "talk",
    ]


@pytest.fixture(scope="module")
def seeds() -> list[CleanArticle]:
    """Read the five seed articles with their publication dates."""
    return [
        article(aid, title, body.strip(), published) for aid, title, body, published in seed_rows()
    ]


def test_cluster_seeds_one_storyline_and_the_moscow_event(seeds: list[CleanArticle]) -> None:
    """All seeds share one storyline; 000, 001, 004 form one event; the strike stays out."""
    stories, _ = cluster_articles([*seeds, *STRIKE])
    ids = {s.id[:3]: s.id for s in seeds}
    line = next(s for s in stories if s.level == "storyline" and ids["000"] in s.article_ids)
    assert set(line.article_ids) == set(ids.values())
    event = next(s for s in stories if s.level == "event" and ids["000"] in s.article_ids)
    assert {ids["000"], ids["001"], ids["004"]} <= set(event.article_ids)
    assert not {a.id for a in STRIKE} & set(event.article_ids)


def test_cluster_seed_copy_is_deduplicated_and_follows(seeds: list[CleanArticle]) -> None:
    """An edited seed copy is found by dedupe and lands in the seed's event."""
    source = seeds[4]
    copy = edited_copy(source, "2015-10-22")
    duplicates = find_duplicates([*seeds, copy])
    assert duplicates == {"edited-copy": source.id}
    stories, _ = cluster_articles([*seeds, copy], duplicates=duplicates)
    event = next(s for s in stories if s.level == "event" and source.id in s.article_ids)
    assert "edited-copy" in event.article_ids


# Two ice storms: the same kind of news, in two towns.
TALLMARK_STORM = [
    article(
        "tm-1",
        "Winter storm brings ice and power cuts",
        "A winter storm brought freezing rain, ice and power cuts to Tallmark on Monday; "
        "thousands of homes lost power and schools closed.",
        "2031-01-10",
    ),
    article(
        "tm-2",
        "Ice storm closes schools and roads",
        "Freezing rain from the winter storm closed schools and roads across Tallmark as crews "
        "worked to restore power to homes.",
        "2031-01-11",
    ),
    article(
        "tm-3",
        "Power restored after winter storm",
        "Crews restored power to most homes in Tallmark after the ice storm, and schools "
        "reopened as roads cleared.",
        "2031-01-12",
    ),
]
BRENNICK_STORM = article(
    "br-1",
    "Ice storm knocks out power in Brennick",
    "Freezing rain knocked out power to homes in Brennick on Thursday and the storm closed "
    "schools there.",
    "2031-01-12",
)
STORM_ENTITIES = {a.id: ["Tallmark"] for a in TALLMARK_STORM} | {"br-1": ["Brennick"]}


def _storm_storylines(settings: ClusterSettings) -> list[list[str]]:
    stories, _ = cluster_articles(
        [*TALLMARK_STORM, BRENNICK_STORM], entities=STORM_ENTITIES, settings=settings
    )
    return sorted(sorted(s.article_ids) for s in stories if s.level == "storyline")


def test_cluster_same_kind_news_about_another_place_does_not_join() -> None:
    # merging off, to see the assignment alone: the words alone would put Brennick's storm in
    # Tallmark's storyline; naming none of its principal entities keeps it out
    alone = ClusterSettings(merge_threshold=1.0, stranger_factor=0.5)
    assert _storm_storylines(alone) == [["br-1"], ["tm-1", "tm-2", "tm-3"]]
    words_only = ClusterSettings(merge_threshold=1.0, stranger_factor=1.0)
    assert _storm_storylines(words_only) == [["br-1", "tm-1", "tm-2", "tm-3"]]


def _dated(a: CleanArticle, date: str, text: str) -> DatedEvent:
    return DatedEvent(f"{a.id}-{date}", a.id, date, text, 0, len(text), published=a.published)


# A weekly's recap of the first flood and two reports of the second, all published one day.
FIRST_FLOOD = article(
    "flood-1",
    "Week in review: the Orlen floods Dessau",
    "The Orlen river burst its banks in Dessau on March 3; three streets of the old town were "
    "evacuated and the mayor closed the schools.",
    "2031-03-10",
)
SECOND_FLOOD = [
    article(
        "flood-2",
        "Orlen floods Dessau again",
        "Water from the Orlen poured into the Dessau harbour on Monday and sank two barges.",
        "2031-03-10",
    ),
    article(
        "flood-3",
        "Second Orlen flood hits Dessau harbour",
        "Two barges sank when the Orlen flooded the Dessau harbour on Monday.",
        "2031-03-10",
    ),
]
FLOOD_EVENTS = [
    _dated(FIRST_FLOOD, "2031-03-03", "The Orlen river burst its banks in Dessau on March 3."),
    _dated(SECOND_FLOOD[0], "2031-03-10", "The Orlen river burst its banks again on Monday."),
]


def test_cluster_events_are_placed_on_the_day_they_happened() -> None:
    stories, _ = cluster_articles([FIRST_FLOOD, *SECOND_FLOOD], events=FLOOD_EVENTS)
    by_level = {
        level: sorted(sorted(s.article_ids) for s in stories if s.level == level)
        for level in ("storyline", "event")
    }
    # one storyline (the river, the town), two happenings a week apart
    assert by_level["storyline"] == [["flood-1", "flood-2", "flood-3"]]
    assert by_level["event"] == [["flood-1"], ["flood-2", "flood-3"]]
    first = next(s for s in stories if s.article_ids == ("flood-1",))
    assert first.first_date == "2031-03-03"


def test_cluster_event_day_ignores_background_dates() -> None:
    old = _dated(FIRST_FLOOD, "2030-03-03", "The Orlen last burst its banks on March 3, 2030.")
    assert event_days([old, *FLOOD_EVENTS[1:]], window=7) == {"flood-2": "2031-03-10"}


def test_cluster_a_month_precision_date_widens_no_story():
    """An article dated only to its month (published_precision "month") gives no first day."""
    month_only = dataclasses.replace(
        article(
            "strike-month",
            "Velmora chip strike in Ostravia drags on",
            "The Velmora chip factory strike in Ostravia went on as the union met the plant's "
            "managers. Workers at the Velmora semiconductor plant stayed out.",
            "2031-03-01",
        ),
        published_precision="month",
    )
    stories, _ = cluster_articles([*STRIKE, month_only])
    story = next(s for s in stories if "strike-month" in s.article_ids and s.level == "storyline")
    assert story.first_date == "2031-03-03"
